-- examples/yes24/report.sql: the demo's HTML report, written by psql.
--
--   psql -X -q -v ON_ERROR_STOP=1 -d yes24 -f examples/yes24/report.sql -o report.html
--
-- After demo.sh has loaded the sample, published and issued both rounds and
-- defined the what-if draft of round 1 (version 2), it prints one
-- self-contained HTML page: no JavaScript, no file or network reference;
-- the charts are inline SVG.  It reads only the extension's views and
-- functions (issued_totals, customer_lines, policy, issue_run, diff_totals,
-- diff) and the sample's tables; amounts are the ledger's, exact.
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on
\pset footer off
SET client_min_messages = warning;
SET TimeZone = 'Asia/Seoul';

-- h(text): HTML-escaped.
CREATE FUNCTION pg_temp.h(text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT replace(replace(replace(replace(coalesce($1, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;') $$;
-- n(numeric): 1234567 -> 1,234,567 (exact; a fraction keeps its digits).
CREATE FUNCTION pg_temp.n(numeric) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN $1 IS NULL THEN '' ELSE rtrim(rtrim(to_char($1, 'FM999,999,999,999,999,990.999999'), '0'), '.') END $$;
-- bars(title, labels, values, unit): a horizontal bar chart as inline SVG.
CREATE FUNCTION pg_temp.bars(title text, labels text[], vals numeric[], unit text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
WITH d AS (
	SELECT i, labels[i] AS label, vals[i] AS v, greatest((SELECT max(abs(x)) FROM unnest(vals) x), 1) AS top
	FROM generate_subscripts(labels, 1) AS i
)
SELECT format('<figure><svg xmlns="http://www.w3.org/2000/svg" role="img" width="760" height="%s" viewBox="0 0 760 %s">'
	'<title>%s</title>', 34 + 26 * count(*), 34 + 26 * count(*), pg_temp.h(title))
	|| format('<text x="0" y="16" class="t">%s</text>', pg_temp.h(title))
	|| string_agg(format(
		'<text x="200" y="%s" text-anchor="end" class="l">%s</text>'
		'<rect x="210" y="%s" width="%s" height="18" class="%s"/>'
		'<text x="%s" y="%s" class="v">%s %s</text>',
		34 + 26 * (i - 1) + 13, pg_temp.h(label),
		34 + 26 * (i - 1), round(400 * abs(v) / top, 1), CASE WHEN v < 0 THEN 'neg' ELSE 'pos' END,
		216 + round(400 * abs(v) / top, 1), 34 + 26 * (i - 1) + 13, pg_temp.n(v), pg_temp.h(unit)), '' ORDER BY i)
	|| '</svg></figure>'
FROM d
$$;
-- table(header, rows): an HTML table from a header array and rows of cells
-- (already escaped); numbers right-aligned by a class.
CREATE FUNCTION pg_temp.tbl(header text[], body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT '<table><thead><tr>' || (SELECT string_agg('<th>' || pg_temp.h(x) || '</th>', '') FROM unnest(header) x)
	|| '</tr></thead><tbody>' || coalesce(body, '') || '</tbody></table>'
$$;
CREATE FUNCTION pg_temp.td(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT '<td>' || pg_temp.h($1) || '</td>' $$;
CREATE FUNCTION pg_temp.tdn(numeric) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT '<td class="num">' || pg_temp.n($1) || '</td>' $$;

SELECT $html$<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>YES24 ransomware outage: compensation report</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
.sub { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: .6em 0 1.2em; font-size: 14px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 10px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; } .card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; }
.card b { display: block; font-size: 1.4em; }
svg .t { font-weight: bold; font-size: 14px; } svg .l, svg .v { font-size: 12px; dominant-baseline: middle; }
svg .pos { fill: #3b7dd8; } svg .neg { fill: #d8553b; }
figure { margin: 1em 0; }
</style></head><body>
<h1>YES24 ransomware outage, June 2025: what the compensation plans cost</h1>$html$;

SELECT format('<p class="sub">Generated %s (KST) from database %s by examples/yes24/report.sql. Amounts are exact, from the ledger (compensation.issued_totals) unless said otherwise.</p>',
	to_char(now(), 'YYYY-MM-DD HH24:MI'), pg_temp.h(current_database()));

-- Headline figures.
SELECT '<div class="cards">'
	|| format('<div class="card">orders<b>%s</b></div>', pg_temp.n((SELECT count(*) FROM public.orders)))
	|| format('<div class="card">members<b>%s</b></div>', pg_temp.n((SELECT count(*) FROM public.members)))
	|| format('<div class="card">subjects with an open line<b>%s</b></div>',
		pg_temp.n((SELECT count(DISTINCT (policy, subject)) FROM compensation.customer_lines WHERE status = 'open')))
	|| format('<div class="card">ledger lines<b>%s</b></div>', pg_temp.n((SELECT count(*) FROM compensation.customer_lines)))
	|| coalesce((SELECT string_agg(format('<div class="card">%s owed (%s)<b>%s %s</b></div>',
			pg_temp.h(instrument), pg_temp.h(kind), pg_temp.n(total), pg_temp.h(currency)), '' ORDER BY total DESC)
		FROM (SELECT kind, instrument, currency, sum(open_amount_major) AS total FROM compensation.issued_totals
		      WHERE currency IS NOT NULL GROUP BY 1, 2, 3) t), '')
	|| '</div>';

SELECT '<h2>Cost per rule</h2><p>Money still owed per rule (open ledger lines), both rounds, in KRW. Points, days and flags are in the table below.</p>';
SELECT pg_temp.bars('KRW owed per rule', array_agg(policy || ' ' || rule ORDER BY total DESC), array_agg(total ORDER BY total DESC), 'KRW')
FROM (SELECT policy, rule, sum(open_amount_major) AS total FROM compensation.issued_totals
      WHERE currency IS NOT NULL GROUP BY 1, 2) t;
SELECT pg_temp.tbl(ARRAY['policy', 'version', 'rule', 'kind', 'instrument', 'subjects', 'amount', 'days'],
	string_agg('<tr>' || pg_temp.td(policy) || pg_temp.tdn(version) || pg_temp.td(rule) || pg_temp.td(kind)
		|| pg_temp.td(instrument) || pg_temp.tdn(subjects)
		|| pg_temp.td(CASE WHEN open_amount IS NULL THEN '' WHEN currency IS NULL THEN pg_temp.n(open_amount) || ' ' || instrument
		                   ELSE pg_temp.n(open_amount_major) || ' ' || currency END)
		|| pg_temp.tdn(open_days) || '</tr>', '' ORDER BY policy, rule, kind, instrument, version))
FROM compensation.issued_totals WHERE open_lines > 0;

SELECT '<h2>Cost per service</h2><p>Money still owed, by the service of the order (round 1 is per order) and for all members (round 2 is once per member), in KRW; then points.</p>';
SELECT pg_temp.bars('KRW owed per service', array_agg(service ORDER BY total DESC), array_agg(total ORDER BY total DESC), 'KRW')
FROM (
	SELECT o.service, sum(c.amount)::numeric AS total
	FROM compensation.customer_lines c JOIN public.orders o ON o.order_id::text = c.subject
	WHERE c.policy = 'yes24-round1' AND c.status = 'open' AND c.currency = 'KRW'
	GROUP BY o.service
	UNION ALL
	SELECT 'members (round 2)', sum(c.amount) FROM compensation.customer_lines c
	WHERE c.policy = 'yes24-round2' AND c.status = 'open' AND c.currency = 'KRW'
) t WHERE total IS NOT NULL;

SELECT pg_temp.bars('points owed per service', array_agg(service ORDER BY total DESC), array_agg(total ORDER BY total DESC), 'points')
FROM (
	SELECT o.service, sum(c.amount)::numeric AS total
	FROM compensation.customer_lines c JOIN public.orders o ON o.order_id::text = c.subject
	WHERE c.policy = 'yes24-round1' AND c.status = 'open' AND c.instrument = 'points'
	GROUP BY o.service
) t WHERE total IS NOT NULL;
SELECT '<p>Other services are owed days (Crema Club, e-book rentals), new dates (vouchers) or a free return, listed per rule above.</p>';

SELECT '<h2>Version history</h2>';
SELECT pg_temp.tbl(ARRAY['policy', 'version', 'status', 'rules', 'created', 'published', 'retired'],
	string_agg('<tr>' || pg_temp.td(name) || pg_temp.tdn(version) || pg_temp.td(status)
		|| pg_temp.tdn(compensation.rule_count(rules))
		|| pg_temp.td(to_char(created_at, 'YYYY-MM-DD HH24:MI')) || pg_temp.td(to_char(published_at, 'YYYY-MM-DD HH24:MI'))
		|| pg_temp.td(to_char(retired_at, 'YYYY-MM-DD HH24:MI')) || '</tr>', '' ORDER BY name, version))
FROM compensation.policy;
SELECT '<p>Issuance runs (compensation.issue_all):</p>';
SELECT pg_temp.tbl(ARRAY['run', 'policy', 'version', 'table', 'status', 'rows', 'lines written', 'seconds'],
	string_agg('<tr>' || pg_temp.tdn(id) || pg_temp.td(policy) || pg_temp.tdn(version) || pg_temp.td(relation)
		|| pg_temp.td(status) || pg_temp.tdn(rows_done) || pg_temp.tdn(lines_written)
		|| pg_temp.tdn(round(extract(epoch FROM coalesce(finished_at, updated_at) - started_at)::numeric, 1)) || '</tr>', '' ORDER BY id))
FROM compensation.issue_run;

-- The diff of the last two versions of the policy that has two.
SELECT name AS diff_policy, max(version) AS diff_new, max(version) - 1 AS diff_old
FROM compensation.policy GROUP BY name HAVING count(*) > 1 ORDER BY name LIMIT 1 \gset
SELECT format('<h2>What version %s of %s changes (diff of the last two versions)</h2>'
	'<p>Version %s is %s. Totals per rule over public.orders, from compensation.diff_totals(); nothing is issued.</p>',
	:diff_new, pg_temp.h(:'diff_policy'), :diff_new,
	(SELECT status FROM compensation.policy WHERE name = :'diff_policy' AND version = :diff_new));
SELECT pg_temp.tbl(ARRAY['rule', 'kind', 'instrument', 'rows before', 'rows after', 'gained', 'lost', 'changed', 'amount before', 'amount after', 'change', 'days before', 'days after'],
	string_agg('<tr>' || pg_temp.td(rule) || pg_temp.td(kind) || pg_temp.td(instrument)
		|| pg_temp.tdn(old_rows) || pg_temp.tdn(new_rows) || pg_temp.tdn(rows_gained) || pg_temp.tdn(rows_lost)
		|| pg_temp.tdn(rows_changed) || pg_temp.tdn(old_amount) || pg_temp.tdn(new_amount) || pg_temp.tdn(delta)
		|| pg_temp.tdn(old_days) || pg_temp.tdn(new_days) || '</tr>', '' ORDER BY rule, kind, instrument))
FROM compensation.diff_totals(:'diff_policy', :diff_old, :diff_new, 'public.orders')
WHERE rows_gained + rows_lost + rows_changed > 0 OR delta <> 0;
SELECT pg_temp.bars('change per rule', array_agg(rule ORDER BY delta DESC), array_agg(delta ORDER BY delta DESC), '')
FROM compensation.diff_totals(:'diff_policy', :diff_old, :diff_new, 'public.orders') WHERE delta <> 0;
SELECT '<p>The ten orders that change most:</p>'
	|| pg_temp.tbl(ARRAY['order', 'rule', 'change', 'before', 'after', 'difference', 'currency'],
	string_agg('<tr>' || pg_temp.td(subject) || pg_temp.td(rule) || pg_temp.td(change) || pg_temp.tdn(old_amount)
		|| pg_temp.tdn(new_amount) || pg_temp.tdn(delta) || pg_temp.td(currency) || '</tr>', '' ORDER BY abs(delta) DESC NULLS LAST, subject))
FROM (SELECT * FROM compensation.diff(:'diff_policy', :diff_old, :diff_new, 'public.orders', 'order_id')
      ORDER BY abs(delta) DESC NULLS LAST, subject LIMIT 10) d;

SELECT '<h2>The worked examples of the case</h2><p>The rows of public.worked_examples, and the lines the ledger holds for them (compensation.customer_lines).</p>';
SELECT pg_temp.tbl(ARRAY['example', 'the row', 'the case expects', 'the ledger holds'],
	string_agg('<tr>' || pg_temp.td(example) || pg_temp.td(row_says) || pg_temp.td(expected) || pg_temp.td(got) || '</tr>', '' ORDER BY id))
FROM (
	SELECT w.example, w.row_says, w.expected, w.id,
		coalesce((SELECT string_agg(c.what, '; ' ORDER BY c.line) FROM compensation.customer_lines c
		          WHERE c.subject = w.id::text AND c.status = 'open'
		            AND c.policy = CASE w.tbl WHEN 'orders' THEN 'yes24-round1' ELSE 'yes24-round2' END), 'nothing') AS got
	FROM public.worked_examples w
) x;
SELECT '</body></html>';
