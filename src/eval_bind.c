/*-------------------------------------------------------------------------
 *
 * eval_bind.c
 *	  Binding a compiled policy to a row type, once per call site, and the
 *	  per-call-site cache of bound evaluators (cp_eval_prepare).
 *
 * Binding copies the ruleset and checks it (ruleset_format.c), maps its
 * columns to attributes of the row type and classifies them, resolves its
 * time zone, folds its constant sub-expressions, measures its outage, and
 * builds the rule index that lets a row skip the rules it cannot match.
 * None of this depends on a row, so it is paid once per call site and row
 * type, not per row (DESIGN.md, law 2); the per-row interpreter
 * (eval_exec.c) reads what is built here and nothing else.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "eval_int.h"
#include "ruleset_format.h"

/* The per-call-site cache: a few evaluators, most recently used first. */
#define CP_EVAL_SLOTS	4

typedef struct CpEvalHolder
{
	int			n;
	CpEval	   *slot[CP_EVAL_SLOTS];
} CpEvalHolder;

static void
bind_columns(CpEval *ev)
{
	TupleDesc	tupdesc = ev->tupdesc;
	int			c;

	ev->cols = palloc0(sizeof(CpColBind) * Max(ev->n_columns, 1));
	ev->max_att = 0;
	for (c = 0; c < ev->n_columns; c++)
	{
		const char *name = str_at(ev, ev->columns[c].name);
		CpColBind  *cb = &ev->cols[c];
		Form_pg_attribute att = NULL;
		Oid			base;
		int32		basetypmod = -1;
		char		category;
		bool		preferred;
		int			i;

		for (i = 0; i < tupdesc->natts; i++)
		{
			Form_pg_attribute a = TupleDescAttr(tupdesc, i);

			if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0)
			{
				att = a;
				break;
			}
		}
		if (att == NULL)
		{
			/* a rule's let written after the when that reads it (issue 11) */
			const char *rule = NULL;

			for (i = 0; i < ev->n_lets && rule == NULL; i++)
				if (ev->lets[i].rule >= 0 && ev->lets[i].rule < ev->n_rules &&
					strcmp(str_at(ev, ev->lets[i].name), name) == 0)
					rule = str_at(ev, ev->rules[ev->lets[i].rule].name);
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("policy \"%s\" uses column \"%s\", which row type %s does not have",
							str_at(ev, ev->rs->name), name,
							format_type_be(ev->rowtype)),
					 rule ?
					 errhint("Rule \"%s\" has a let named %s, written after the condition that reads it: a \"when\" sees the lets written above it, so move the let above the \"when\".",
							 rule, name) :
					 errhint("Rename the column, or select it under that name: SELECT ..., expr AS %s.",
							 name)));
		}
		cb->attno = i;
		cb->name = name;
		ev->max_att = Max(ev->max_att, i + 1);

		base = getBaseTypeAndTypmod(att->atttypid, &basetypmod);
		switch (base)
		{
			case INT2OID:
				cb->cls = CPC_INT2;
				break;
			case INT4OID:
				cb->cls = CPC_INT4;
				break;
			case INT8OID:
				cb->cls = CPC_INT8;
				break;
			case NUMERICOID:
				cb->cls = CPC_NUMERIC;
				break;
			case BOOLOID:
				cb->cls = CPC_BOOL;
				break;
			case TEXTOID:
			case VARCHAROID:
				cb->cls = CPC_TEXT;
				break;
			case BPCHAROID:
				cb->cls = CPC_BPCHAR;
				break;
			case NAMEOID:
				cb->cls = CPC_NAME;
				break;
			case UNKNOWNOID:
				cb->cls = CPC_CSTRING;
				break;
			case DATEOID:
				cb->cls = CPC_DATE;
				break;
			case TIMESTAMPOID:
				cb->cls = CPC_TIMESTAMP;
				break;
			case TIMESTAMPTZOID:
				cb->cls = CPC_TIMESTAMPTZ;
				break;
			case FLOAT4OID:
			case FLOAT8OID:
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of type %s cannot be used by a policy",
								name, format_type_be(att->atttypid)),
						 errhint("Cast it to numeric: floating point is never used for money.")));
				break;
			case CASHOID:
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of type %s cannot be used by a policy",
								name, format_type_be(att->atttypid)),
						 errhint("Cast it to numeric: the money type depends on the session's lc_monetary.")));
				break;
			default:
				get_type_category_preferred(base, &category, &preferred);
				if (type_is_enum(base))
				{
					cb->cls = CPC_ENUM;
					cb->enums = palloc0(sizeof(CpEnumLabel) * CP_ENUM_CACHE);
				}
				else if (category == TYPCATEGORY_STRING && get_typlen(base) == -1)
					cb->cls = CPC_TEXT;		/* citext and other text-like types */
				else
					ereport(ERROR,
							(errcode(ERRCODE_DATATYPE_MISMATCH),
							 errmsg("column \"%s\" of type %s cannot be used by a policy",
									name, format_type_be(att->atttypid)),
							 errhint("Policies read numbers (integer, numeric), boolean, text, date and timestamp columns.")));
		}
	}
}

/*
 * Issue 8, defect 7: a built-in written bare (outage_days) means the
 * built-in, and "outage_days" in double quotes the column.  The parser
 * cannot know whether the row has such a column, so a bare built-in whose
 * name is also a column of this row type is ambiguous: an error (42702),
 * so that a column is never silently replaced by the built-in.
 */
static void
check_builtin_shadowing(CpEval *ev)
{
	bool		seen[CP_BUILTIN_OUTAGE_DAYS + 1] = {0};
	int			i,
				j;

	for (i = 0; i < ev->n_nodes; i++)
	{
		const CpNode *n = &ev->nodes[i];
		const char *name;

		if (n->op != CP_OP_BUILTIN || n->a < 1 || n->a > CP_BUILTIN_OUTAGE_DAYS || seen[n->a])
			continue;
		seen[n->a] = true;
		name = cp_builtin_name((CpBuiltin) n->a);
		for (j = 0; j < ev->tupdesc->natts; j++)
		{
			Form_pg_attribute a = TupleDescAttr(ev->tupdesc, j);

			if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_AMBIGUOUS_COLUMN),
						 errmsg("%s in policy \"%s\" is ambiguous: row type %s has a column of that name",
								name, str_at(ev, ev->rs->name), format_type_be(ev->rowtype)),
						 errdetail("Written bare, %s is the policy's built-in value.", name),
						 errhint("To read the column, write \"%s\" in double quotes; to keep the built-in, select the column under another name.",
								 name)));
		}
	}
}

static void
set_const(CpEval *ev, int32 idx, const CpValue *v)
{
	ev->konst[idx] = *v;
	ev->is_const[idx] = true;
}

/* Literals, builtins, and the few operators on them that cannot fail. */
static void
fold_constants(CpEval *ev)
{
	int			i;
	bool		changed = true;
	const CpWindow *w = ev->windows;
	int64		min_lo = 0,
				max_hi = 0;

	for (i = 0; i < ev->n_windows; i++)
	{
		if (i == 0 || w[i].lo < min_lo)
			min_lo = w[i].lo;
		if (i == 0 || w[i].hi > max_hi)
			max_hi = w[i].hi;
	}

	for (i = 0; i < ev->n_nodes; i++)
	{
		const CpNode *n = &ev->nodes[i];
		CpValue		v;

		memset(&v, 0, sizeof(v));
		switch ((CpOp) n->op)
		{
			case CP_OP_NUM:
				if (cp_rat_from_decimal(n->v, n->a, &v.u.num))
				{
					v.kind = CPV_NUM;
					set_const(ev, i, &v);
				}
				break;
			case CP_OP_STR:
				v.kind = CPV_TEXT;
				v.u.text.p = str_at(ev, n->a);
				v.u.text.len = strlen(v.u.text.p);
				set_const(ev, i, &v);
				break;
			case CP_OP_BOOL:
				v.kind = CPV_BOOL;
				v.u.b = (n->v != 0);
				set_const(ev, i, &v);
				break;
			case CP_OP_NULL:
				v.kind = CPV_NULL;
				set_const(ev, i, &v);
				break;
			case CP_OP_DATE:
			case CP_OP_TIMESTAMP:
				v.kind = CPV_TIME;
				v.u.time.lo = n->v;
				v.u.time.hi = n->w;
				set_const(ev, i, &v);
				break;
			case CP_OP_REVIEW:
				v.kind = CPV_REVIEW;
				v.u.reason = str_at(ev, n->a);
				set_const(ev, i, &v);
				break;
			case CP_OP_NOAWARD:
				v.kind = CPV_NOAWARD;
				set_const(ev, i, &v);
				break;
			case CP_OP_BUILTIN:
				if (!ev->have_outage)
					v.kind = CPV_NULL;
				else
				{
					switch ((CpBuiltin) n->a)
					{
						case CP_BUILTIN_OUTAGE_START:
							v.kind = CPV_TIME;
							v.u.time.lo = min_lo;
							v.u.time.hi = min_lo + 1;
							break;
						case CP_BUILTIN_OUTAGE_END:
							v.kind = CPV_TIME;
							v.u.time.lo = max_hi;
							v.u.time.hi = max_hi + 1;
							break;
						case CP_BUILTIN_OUTAGE_HOURS:
							v.kind = CPV_NUM;
							if (!cp_rat_make128(ev->outage_usecs, USECS_PER_HOUR_I, &v.u.num))
								cp_ruleset_corrupt("outage too long");
							break;
						case CP_BUILTIN_OUTAGE_DAYS:
							v.kind = CPV_NUM;
							if (!cp_rat_make128(ev->outage_usecs, USECS_PER_DAY, &v.u.num))
								cp_ruleset_corrupt("outage too long");
							break;
					}
				}
				set_const(ev, i, &v);
				break;
			default:
				break;
		}
	}

	/* percent and negation of constant numbers, until nothing changes */
	while (changed)
	{
		changed = false;
		for (i = 0; i < ev->n_nodes; i++)
		{
			const CpNode *n = &ev->nodes[i];
			CpValue		v;

			if (ev->is_const[i])
				continue;
			if ((n->op == CP_OP_PERCENT || n->op == CP_OP_NEG) &&
				ev->is_const[n->a] && ev->konst[n->a].kind == CPV_NUM)
			{
				CpRational	hundredth = {1, 100};

				v = ev->konst[n->a];
				if (n->op == CP_OP_NEG)
					v.u.num = cp_rat_neg(v.u.num);
				else if (!cp_rat_mul(v.u.num, hundredth, &v.u.num))
					continue;
				set_const(ev, i, &v);
				changed = true;
			}
		}
	}
}

/* The class of the column node idx reads, or -1 if it is not a column. */
static int
column_class(const CpEval *ev, int32 idx)
{
	const CpNode *n = &ev->nodes[idx];

	return n->op == CP_OP_COLUMN ? (int) ev->cols[n->a].cls : -1;
}

/* A char(n) column is read without trailing blanks: so is its constant. */
static void
trim_for_bpchar(CpEval *ev, int32 idx)
{
	CpValue    *v = &ev->konst[idx];

	if (ev->is_const[idx] && v->kind == CPV_TEXT)
		while (v->u.text.len > 0 && v->u.text.p[v->u.text.len - 1] == ' ')
			v->u.text.len--;
}

static void pg_attribute_noreturn()
enum_order_error(CpEval *ev, int32 idx)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("policy \"%s\" orders enum column \"%s\"",
					str_at(ev, ev->rs->name), ev->cols[ev->nodes[idx].a].name),
			 errdetail("An enum orders its labels as its type declares them, which a policy cannot see; ordering them as text would give wrong answers."),
			 errhint("Compare it with = or in (...), or select the column as text (SELECT ..., %s::text AS %s) to order its labels as text.",
					 ev->cols[ev->nodes[idx].a].name, ev->cols[ev->nodes[idx].a].name)));
}

/*
 * Comparisons whose meaning depends on a column's type, settled once per
 * binding (after constants are folded, before the rule index reads them):
 * char(n) equality ignores trailing blanks, so a constant compared with a
 * char(n) column loses them as the column's value does ('AB  ' = 'AB'); an
 * enum orders by its declaration, so ordering an enum column (<, <=, >, >=,
 * a range, a tier) is an error rather than an order of labels as text.
 * Only a column compared directly is seen; through a let it is not.
 */
static void
bind_column_comparisons(CpEval *ev)
{
	int32		i;

	for (i = 0; i < ev->n_nodes; i++)
	{
		const CpNode *n = &ev->nodes[i];
		int32		k;

		switch ((CpOp) n->op)
		{
			case CP_OP_EQ:
			case CP_OP_NE:
			case CP_OP_LT:
			case CP_OP_LE:
			case CP_OP_GT:
			case CP_OP_GE:
				{
					bool		ordering = n->op != CP_OP_EQ && n->op != CP_OP_NE;

					if (ordering && column_class(ev, n->a) == CPC_ENUM)
						enum_order_error(ev, n->a);
					if (ordering && column_class(ev, n->b) == CPC_ENUM)
						enum_order_error(ev, n->b);
					if (column_class(ev, n->a) == CPC_BPCHAR)
						trim_for_bpchar(ev, n->b);
					if (column_class(ev, n->b) == CPC_BPCHAR)
						trim_for_bpchar(ev, n->a);
					break;
				}
			case CP_OP_IN_LIST:
				if (column_class(ev, n->a) == CPC_BPCHAR)
					for (k = 0; k < n->c; k++)
						trim_for_bpchar(ev, ev->args[n->b + k]);
				break;
			case CP_OP_IN_RANGE:
				if (column_class(ev, n->a) == CPC_ENUM)
					enum_order_error(ev, n->a);
				if (column_class(ev, n->a) == CPC_BPCHAR)
				{
					trim_for_bpchar(ev, n->b);
					trim_for_bpchar(ev, n->c);
				}
				break;
			case CP_OP_TIER:
			case CP_OP_TIER_BELOW:
				if (column_class(ev, n->a) == CPC_ENUM)
					enum_order_error(ev, n->a);
				break;
			case CP_OP_CASE_SIMPLE:
				/* a lookup by a char(n) column: its values lose their blanks */
				if (column_class(ev, n->a) == CPC_BPCHAR)
					for (k = 0; k < n->c; k++)
					{
						const CpNode *vals = &ev->nodes[ev->args[n->b + 2 * k]];
						int32		j;

						for (j = 0; j < vals->c; j++)
							trim_for_bpchar(ev, ev->args[vals->a + j]);
					}
				break;
			default:
				break;
		}
	}
}

/* Can column node idx guard a rule against a constant of this kind? */
static bool
guard_column(const CpEval *ev, int32 idx, uint8 kind)
{
	const CpNode *n = &ev->nodes[idx];

	if (n->op != CP_OP_COLUMN)
		return false;
	switch (ev->cols[n->a].cls)
	{
		case CPC_INT2:
		case CPC_INT4:
		case CPC_INT8:
		case CPC_NUMERIC:
			return kind == CPV_NUM;
		case CPC_TEXT:
		case CPC_BPCHAR:
		case CPC_NAME:
		case CPC_CSTRING:
		case CPC_ENUM:
			return kind == CPV_TEXT;
		default:
			return false;
	}
}

/*
 * Build the rule index (see CpEval.gcols).  Only a column and a constant of
 * the same kind make a guard, so a comparison that raises a type error is
 * left to the rule, which raises it as before.
 */
static void
find_guards(CpEval *ev)
{
	int			n = Max(ev->n_rules, 1);
	int32		last_unguarded = -1;
	int32	   *last_col = palloc(sizeof(int32) * Max(ev->n_columns, 1));
	int32	   *last_null = palloc(sizeof(int32) * Max(ev->n_columns, 1));
	int			n_rest;
	int			i;

	ev->next_unguarded = palloc(sizeof(int32) * n);
	ev->next_key = palloc(sizeof(int32) * n);
	ev->next_col = palloc(sizeof(int32) * n);
	ev->next_null = palloc(sizeof(int32) * n);
	ev->gcols = palloc(sizeof(CpGuardCol) * Max(ev->n_columns, 1));
	ev->guard_rest = palloc(sizeof(int32) * n);
	/* every "and" is above at most one guard: n_nodes entries are enough */
	ev->rest_conds = palloc(sizeof(int32) * (ev->n_nodes + n));
	n_rest = 0;
	ev->n_gcols = 0;
	ev->first_unguarded = -1;
	ev->guards = cpguard_create(ev->mcxt, Max(ev->n_rules, 16), NULL);

	for (i = 0; i < ev->n_rules; i++)
	{
		int32		leaf = ev->rules[i].cond;
		int32		col_node = -1,
					const_node = -1;
		int			g;
		CpGuardKey	key;
		CpGuardEntry *e;
		bool		found;
		const CpValue *kv;

		ev->next_unguarded[i] = ev->next_key[i] = -1;
		ev->next_col[i] = ev->next_null[i] = -1;
		ev->guard_rest[i] = -1;
		if (leaf != CP_NONE_IDX)
		{
			const CpNode *nd;

			while (ev->nodes[leaf].op == CP_OP_AND)
				leaf = ev->nodes[leaf].a;
			nd = &ev->nodes[leaf];
			if (nd->op == CP_OP_EQ)
			{
				if (ev->is_const[nd->b] &&
					guard_column(ev, nd->a, ev->konst[nd->b].kind))
				{
					col_node = nd->a;
					const_node = nd->b;
				}
				else if (ev->is_const[nd->a] &&
						 guard_column(ev, nd->b, ev->konst[nd->a].kind))
				{
					col_node = nd->b;
					const_node = nd->a;
				}
			}
		}
		if (col_node < 0)
		{
			if (last_unguarded < 0)
				ev->first_unguarded = i;
			else
				ev->next_unguarded[last_unguarded] = i;
			last_unguarded = i;
			continue;
		}

		/* its column's lists */
		for (g = 0; g < ev->n_gcols; g++)
			if (ev->gcols[g].col == ev->nodes[col_node].a)
				break;
		if (g == ev->n_gcols)
		{
			ev->gcols[g].col = ev->nodes[col_node].a;
			ev->gcols[g].first_col = -1;
			ev->gcols[g].first_null = -1;
			ev->gcols[g].n_small = 0;
			ev->n_gcols++;
		}
		if (ev->gcols[g].first_col < 0)
			ev->gcols[g].first_col = i;
		else
			ev->next_col[last_col[g]] = i;
		last_col[g] = i;
		if (ev->rules[i].cond != leaf)
		{
			if (ev->gcols[g].first_null < 0)
				ev->gcols[g].first_null = i;
			else
				ev->next_null[last_null[g]] = i;
			last_null[g] = i;
		}

		/*
		 * The rest of its condition: walking the "and"s down to the guard,
		 * their right operands, stored innermost first (the order the
		 * "and"s evaluate them once the guard is true).
		 */
		{
			int32		nd = ev->rules[i].cond;
			int			count = 0;
			int			k;

			ev->guard_rest[i] = n_rest;
			while (nd != leaf)
			{
				ev->rest_conds[n_rest + 1 + count++] = ev->nodes[nd].b;
				nd = ev->nodes[nd].a;
			}
			ev->rest_conds[n_rest] = count;
			for (k = 0; k < count / 2; k++)
			{
				int32		t = ev->rest_conds[n_rest + 1 + k];

				ev->rest_conds[n_rest + 1 + k] = ev->rest_conds[n_rest + count - k];
				ev->rest_conds[n_rest + count - k] = t;
			}
			n_rest += count + 1;
		}

		/* its guard's list */
		kv = &ev->konst[const_node];
		memset(&key, 0, sizeof(key));
		key.col = ev->nodes[col_node].a;
		key.kind = kv->kind;
		if (kv->kind == CPV_NUM)
			key.num = kv->u.num;
		else
		{
			key.p = kv->u.text.p;
			key.len = kv->u.text.len;
		}
		e = cpguard_insert(ev->guards, key, &found);
		if (!found)
		{
			CpGuardCol *gc = &ev->gcols[g];

			e->first = i;
			/* a new value of this column: in its small array while it fits */
			if (gc->n_small >= CP_GUARD_LINEAR)
				gc->n_small = -1;
			else if (gc->n_small >= 0)
			{
				CpGuardSmall *sm = &gc->small[gc->n_small++];

				sm->len = key.len;
				sm->p = key.p;
				sm->num = key.num;
				sm->first = i;
			}
		}
		else
			ev->next_key[e->last] = i;
		e->last = i;
	}
	ev->cursors = palloc(sizeof(CpCursor) * (ev->n_gcols + 1));
	pfree(last_col);
	pfree(last_null);
}

static void
compute_outage(CpEval *ev)
{
	int			i;
	int64		total = 0;
	int64		days = 0;
	bool		whole = true;

	ev->have_outage = ev->n_windows > 0;
	for (i = 0; i < ev->n_windows; i++)
	{
		const CpWindow *w = &ev->windows[i];
		DateADT		dlo,
					dhi;
		int64		ulo,
					uhi;
		int64		len;

		/*
		 * hi - lo itself can overflow in a damaged value whose ends are far
		 * outside the timestamp range (found by test/fuzz).
		 */
		if (pg_sub_s64_overflow(w->hi, w->lo, &len) ||
			pg_add_s64_overflow(total, len, &total))
			cp_ruleset_corrupt("outage too long");
		if (whole)
		{
			cp_tz_instant_to_local(&ev->tzc, w->lo, &dlo, &ulo, NULL);
			cp_tz_instant_to_local(&ev->tzc, w->hi, &dhi, &uhi, NULL);
			if (ulo != 0 || uhi != 0)
				whole = false;
			else
				days += dhi - dlo;
		}
	}
	ev->outage_usecs = total;
	ev->outage_days = (ev->have_outage && whole && days <= PG_INT32_MAX) ? (int32) days : -1;
}

static CpEval *
eval_build(MemoryContext parent, const CpRulesetData *src, Oid rowtype,
		   int32 rowtypmod)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "compensation evaluator",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	CpEval	   *volatile ev = NULL;

	PG_TRY();
	{
		Size		size = VARSIZE(src);
		CpRulesetData *rs;

		ev = palloc0(sizeof(CpEval));
		ev->mcxt = cxt;
		rs = palloc(size);
		memcpy(rs, src, size);
		ev->rs = rs;
		ev->rs_size = size;
		ev->fingerprint = rs->fingerprint;
		ev->rowtype = rowtype;
		ev->rowtypmod = rowtypmod;

		/* everything below trusts the indexes in the value */
		cp_ruleset_check(rs, size);
		ev->n_nodes = rs->n_nodes;
		ev->n_windows = rs->n_windows;
		ev->n_args = rs->n_args;
		ev->n_rules = rs->n_rules;
		ev->n_lets = rs->n_lets;
		ev->n_awards = rs->n_awards;
		ev->n_columns = rs->n_columns;
		ev->strings_len = rs->strings_len;
		ev->nodes = CpNodes(rs);
		ev->windows = CpWindows(rs);
		ev->args = CpArgs(rs);
		ev->rules = CpRules(rs);
		ev->lets = CpLets(rs);
		ev->awards = CpAwards(rs);
		ev->columns = CpColumns(rs);
		ev->strings = CpStrings(rs);
		ev->cur_rule = -1;

		cp_tz_cache_init(&ev->tzc, cp_tz_lookup(str_at(ev, rs->timezone)));
		{
			/* the policy's calendar, ready for arithmetic (calendar.h) */
			int32		cal = cp_calendar_let(rs);

			if (cal != CP_NONE_IDX)
			{
				ev->cal = palloc(sizeof(CpCalendar));
				cp_calendar_load(rs, cal, ev->cal);
			}
		}

		ev->tupdesc = lookup_rowtype_tupdesc_copy(rowtype, rowtypmod);
		bind_columns(ev);
		check_builtin_shadowing(ev);
		ev->values = palloc0(sizeof(Datum) * Max(ev->max_att, 1));
		ev->isnull = palloc0(sizeof(bool) * Max(ev->max_att, 1));

		compute_outage(ev);
		ev->is_const = palloc0(sizeof(bool) * Max(ev->n_nodes, 1));
		ev->konst = palloc0(sizeof(CpValue) * Max(ev->n_nodes, 1));
		fold_constants(ev);
		EvalBindLimits(ev);
		EvalBindColumnUnits(ev);
		bind_column_comparisons(ev);
		find_guards(ev);
		EvalBindFastConds(ev);

		ev->gen = 0;
		ev->col_gen = palloc0(sizeof(uint32) * Max(ev->n_columns, 1));
		ev->col_val = palloc0(sizeof(CpValue) * Max(ev->n_columns, 1));
		ev->let_gen = palloc0(sizeof(uint32) * Max(ev->n_lets, 1));
		ev->let_busy = palloc0(sizeof(uint32) * Max(ev->n_lets, 1));
		ev->let_val = palloc0(sizeof(CpValue) * Max(ev->n_lets, 1));
		ev->max_pending = 8;
		ev->pending = palloc(sizeof(CpPending) * ev->max_pending);
		ev->rowcxt = AllocSetContextCreate(cxt, "compensation row",
										   ALLOCSET_DEFAULT_SIZES);
		ev->empty_award = cp_award_empty(rs->currency, rs->exponent);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	return (CpEval *) ev;
}

/*
 * Is this stored datum the same bytes that ev was last recognised by?  Once
 * per row: an out-of-line value (a ruleset over 2 kB, stored uncompressed)
 * is an 18-byte pointer, compared as words rather than by a call.
 */
static inline bool
raw_matches(const CpEval *ev, const struct varlena *raw, Size rawlen)
{
	if (ev->raw_key == NULL || ev->raw_key_len != rawlen)
		return false;
	if (rawlen == VARHDRSZ_EXTERNAL + sizeof(varatt_external))
	{
		uint64		a[2],
					b[2];
		uint16		a_tail,
					b_tail;

		StaticAssertStmt(VARHDRSZ_EXTERNAL + sizeof(varatt_external) == 2 * sizeof(uint64) + sizeof(uint16),
						 "an on-disk TOAST pointer is 18 bytes");
		memcpy(a, ev->raw_key, sizeof(a));
		memcpy(b, raw, sizeof(b));
		memcpy(&a_tail, (const char *) ev->raw_key + sizeof(a), sizeof(a_tail));
		memcpy(&b_tail, (const char *) raw + sizeof(b), sizeof(b_tail));
		return a[0] == b[0] && a[1] == b[1] && a_tail == b_tail;
	}
	return memcmp(ev->raw_key, raw, rawlen) == 0;
}

static CpEval *
holder_hit(CpEvalHolder *h, int i)
{
	CpEval	   *ev = h->slot[i];

	/* most recently used first */
	for (; i > 0; i--)
		h->slot[i] = h->slot[i - 1];
	h->slot[0] = ev;
	return ev;
}

CpEval *
cp_eval_prepare(void **cache, MemoryContext mcxt, Datum rules, Oid rowtype,
				int32 rowtypmod)
{
	CpEvalHolder *h = (CpEvalHolder *) *cache;
	struct varlena *raw = (struct varlena *) DatumGetPointer(rules);
	bool		keyed = VARATT_IS_COMPRESSED(raw) || VARATT_IS_EXTERNAL_ONDISK(raw);
	Size		rawlen = keyed ? VARSIZE_ANY(raw) : 0;
	CpRuleset	rs;
	CpEval	   *ev;
	int			i;

	if (h == NULL)
	{
		h = MemoryContextAllocZero(mcxt, sizeof(CpEvalHolder));
		*cache = h;
	}

	/* A compressed or out-of-line value: compare its stored bytes first. */
	if (keyed)
	{
		for (i = 0; i < h->n; i++)
		{
			ev = h->slot[i];
			if (ev->rowtype == rowtype && ev->rowtypmod == rowtypmod &&
				raw_matches(ev, raw, rawlen))
				return holder_hit(h, i);
		}
	}

	rs = (CpRuleset) PG_DETOAST_DATUM(rules);
	if (VARSIZE_ANY(rs) < sizeof(CpRulesetData))
		cp_ruleset_corrupt("too short");
	for (i = 0; i < h->n; i++)
	{
		ev = h->slot[i];
		if (ev->rowtype == rowtype && ev->rowtypmod == rowtypmod &&
			ev->rs_size == VARSIZE(rs) && ev->fingerprint == rs->fingerprint)
		{
			ev = holder_hit(h, i);
			goto found;
		}
	}

	/* Build a new one, evicting the least recently used. */
	ev = eval_build(mcxt, rs, rowtype, rowtypmod);
	if (h->n == CP_EVAL_SLOTS)
	{
		MemoryContextDelete(h->slot[CP_EVAL_SLOTS - 1]->mcxt);
		h->n--;
	}
	for (i = h->n; i > 0; i--)
		h->slot[i] = h->slot[i - 1];
	h->slot[0] = ev;
	h->n++;

found:
	if (keyed)
	{
		if (ev->raw_key)
			pfree(ev->raw_key);
		ev->raw_key = MemoryContextAlloc(ev->mcxt, rawlen);
		memcpy(ev->raw_key, raw, rawlen);
		ev->raw_key_len = rawlen;
	}
	if ((Pointer) rs != (Pointer) raw)
		pfree(rs);
	return ev;
}

const CpRulesetData *
cp_eval_ruleset(const CpEval *ev)
{
	return ev->rs;
}
