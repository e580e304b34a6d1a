# Kill the server (immediate stop) in the middle of CALL compensation.issue_all,
# restart, resume, and prove the ledger equals an uninterrupted run: no line
# lost or doubled.  Then pg_dump | psql the database into a new one and prove
# that policies, ledger and evaluations survive identically, and that issuing
# again after the restore writes nothing.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', "max_locks_per_transaction = 64\n");
$node->start;

my $rows = 20000;
my $setup = <<"SQL";
CREATE EXTENSION compensation;
CREATE TABLE orders (order_id bigint PRIMARY KEY, price bigint NOT NULL, ship_late boolean NOT NULL);
INSERT INTO orders
  SELECT g, 1000 + (hashint8(g) & 65535), g % 3 = 0 FROM generate_series(1, $rows) g;
SELECT compensation.define_policy(\$p\$
policy "crash"
currency KRW
timezone "Asia/Seoul"
rule "ship-delay"
  when ship_late
  credit points 2000
end
rule "refund"
  when price > 30000
  credit deposit price * 12% round half_up
  flag free_return claim 2025-06-17 .. 2025-06-30
end
\$p\$);
SELECT compensation.publish('crash');
SQL

for my $db ('interrupted', 'uninterrupted')
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, $setup);
}

my $call = "CALL compensation.issue_all('crash', 'orders', 'order_id', 500)";

# The reference: an uninterrupted run.
$node->safe_psql('uninterrupted', "SET client_min_messages = warning; $call");

# The interrupted run, in the background.
my ($in, $out, $err) = ('', '', '');
my $h = IPC::Run::start(
	[ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('interrupted'), '-c', $call ],
	'<', \$in, '>', \$out, '2>', \$err);

# Wait until a few batches have committed, then pull the plug.
my $done = 0;
for (my $i = 0; $i < 600; $i++)
{
	$done = $node->safe_psql('interrupted',
		"SELECT coalesce(max(rows_done), 0) FROM compensation.issue_progress WHERE status = 'running'");
	last if $done >= 2000;
	usleep(50_000);
}
ok($done >= 2000 && $done < $rows, "issue_all was in the middle when the server was killed ($done of $rows rows)");
$node->stop('immediate');
$h->finish;
like($err, qr/terminat|connection|server closed/i, 'the CALL lost its server');
$node->start;

my $progress = $node->safe_psql('interrupted',
	"SELECT status, rows_done < rows_total, resumes FROM compensation.issue_progress");
is($progress, 'running|t|0', 'after the crash the run is unfinished and resumable');

# No half batch survived: the ledger holds exactly the rows done.
is($node->safe_psql('interrupted', <<'SQL'), 't', 'the ledger holds exactly the committed batches');
SELECT count(DISTINCT l.subject) = (SELECT count(*) FROM orders o
	WHERE o.order_id <= (SELECT last_key::bigint FROM compensation.issue_run)
	  AND NOT compensation.is_empty(compensation.evaluate(compensation.rules('crash'), o)))
   AND coalesce(max(l.subject::bigint), 0) <= (SELECT last_key::bigint FROM compensation.issue_run)
FROM compensation.ledger l
SQL

# Resume.
my ($rc, $stdout, $stderr) = $node->psql('interrupted', $call);
is($rc, 0, 'issue_all resumes');
like($stderr, qr/resuming run 1/, 'it says it resumes');
is($node->safe_psql('interrupted', "SELECT status, rows_done, resumes FROM compensation.issue_progress"),
	"done|$rows|1", 'the resumed run completes every row');

# The two ledgers are the same, line for line.
my $ledger = <<'SQL';
SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', policy, version, rule, subject, kind, instrument,
	amount, currency, days, new_date, window_kind, window_from, window_until, note, reverses IS NOT NULL),
	',' ORDER BY subject::bigint, rule, kind, instrument))
FROM compensation.ledger
SQL
my $a = $node->safe_psql('interrupted', $ledger);
my $b = $node->safe_psql('uninterrupted', $ledger);
is($a, $b, "the resumed ledger equals the uninterrupted one ($b)");
is($node->safe_psql('interrupted', 'SELECT count(*) FROM compensation.ledger WHERE reverses IS NOT NULL'),
	'0', 'nothing was paid twice and taken back');
is($node->safe_psql('interrupted', <<'SQL'), '0', 'every row is owed exactly what the ledger holds');
SELECT count(*) FROM orders o, compensation.evaluate(compensation.rules('crash'), o) a
WHERE compensation.amount(a, 'points') <> coalesce((SELECT sum(amount) FROM compensation.ledger l
		WHERE l.subject = o.order_id::text AND l.instrument = 'points'), 0)
   OR compensation.amount(a, 'deposit') <> coalesce((SELECT sum(amount) FROM compensation.ledger l
		WHERE l.subject = o.order_id::text AND l.instrument = 'deposit'), 0)
SQL
is($node->safe_psql('interrupted', 'SELECT count(*) FROM compensation.outbox'),
	$node->safe_psql('interrupted', 'SELECT count(*) FROM compensation.ledger'),
	'every committed line is in the outbox once');

# A second call is a full pass that finds nothing to do.
$node->safe_psql('interrupted', "SET client_min_messages = warning; $call");
is($node->safe_psql('interrupted', $ledger), $b, 'calling again adds nothing');

#
# pg_dump | psql into a new database: policies, ledger, state and evaluations survive.
#
$node->safe_psql('postgres', 'CREATE DATABASE restored');
my $dump = '';
IPC::Run::run([ 'pg_dump', '-d', $node->connstr('interrupted') ], '>', \$dump)
  or die "pg_dump failed";
my ($rout, $rerr) = ('', '');
IPC::Run::run([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('restored') ],
	'<', \$dump, '>', \$rout, '2>', \$rerr);
is($rerr, '', 'the dump restores without errors');
is($node->safe_psql('restored', $ledger), $b, 'the restored ledger is the same');
my $policies = q{SELECT string_agg(concat_ws('|', name, version, status, md5(source), md5(rules::text), published_by), ',' ORDER BY name, version) FROM compensation.policy};
is($node->safe_psql('restored', $policies), $node->safe_psql('interrupted', $policies), 'the restored policies are the same');
my $evals = q{SELECT md5(string_agg(compensation.evaluate(r, o)::text, ',' ORDER BY o.order_id)) FROM orders o, (SELECT compensation.rules('crash') AS r) p};
is($node->safe_psql('restored', "SET TimeZone = 'UTC'; $evals"),
	$node->safe_psql('interrupted', "SET TimeZone = 'UTC'; $evals"), 'the restored rules evaluate every row identically');
my $state = q{SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', policy, subject, version, award_hash, open_lines), ',' ORDER BY policy, subject)) FROM compensation.issuance};
is($node->safe_psql('restored', $state), $node->safe_psql('interrupted', $state), 'the issuance state is the same');
$node->safe_psql('restored', "SET client_min_messages = warning; $call");
is($node->safe_psql('restored', $ledger), $b, 'issuing again after the restore writes nothing');
is($node->safe_psql('restored', q{SELECT nextval('compensation.ledger_id_seq') > (SELECT max(id) FROM compensation.ledger)}),
	't', 'the ledger sequence continues after the restore');

$node->stop;
done_testing();
