/*-------------------------------------------------------------------------
 *
 * ruleset_json_read.c
 *	  A ruleset's JSON document back to a compiled ruleset (jsonb::ruleset).
 *
 * The document is not trusted: each element is checked as it is read and
 * an error names its JSON path ($.rules[2].when.args[0]), with an
 * SQLSTATE.  Expressions are read generically through the format's shape
 * table (how many children, whether a list, what field a refers to) and
 * cp_op_json (ruleset_json.h) for the words of the few operators that have
 * other fields.  The value read passes cp_ruleset_check(); it is then
 * printed to canonical text and compiled by the policy parser, so every
 * compile-time check applies and the result is the canonical value
 * (ruleset_recv re-parses text for the same reason).  A compile error names
 * the JSON path of the element on the failing line (line_path()).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "keywords.h"
#include "ruleset.h"
#include "ruleset_build.h"
#include "ruleset_format.h"
#include "ruleset_json.h"

/* ---------------------------------------------------------------------
 * JSON -> ruleset
 * ---------------------------------------------------------------------
 */

typedef struct Dec
{
	StringInfoData path;		/* JSON path of the element being read */
	int			depth;			/* expression nesting */
	Size		bytes;			/* what the sections take so far */

	CpRulesetData hdr;			/* header; counts are the arrays' below */
	CpNode	   *nodes;
	int32		max_nodes;
	int32	   *args;
	int32		max_args;
	CpWindow   *windows;
	int32		max_windows;
	CpRule	   *rules;
	int32		max_rules;
	CpLet	   *lets;
	int32		max_lets;
	CpAwardSpec *awards;
	int32		max_awards;
	CpColumn   *columns;
	int32		max_columns;
	CpInstrument *instruments;
	int32		max_instruments;
	StringInfoData strings;

	CpNames    *column_names;	/* name -> column index */
	CpNames    *visible_lets;	/* name -> a let of that name in scope */

	int32		n_policy_lets;	/* for the line map */
} Dec;

static void dec_error(Dec *d, int sqlstate, const char *msg, const char *hint) pg_attribute_noreturn();

static void
dec_error(Dec *d, int sqlstate, const char *msg, const char *hint)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("%s at JSON path %s", msg, d->path.data),
			 hint ? errhint("%s", hint) : 0));
}

static const char *
jbv_type_name(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		case jbvArray:
			return "an array";
		case jbvObject:
			return "an object";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "an array" :
				JsonContainerIsObject(v->val.binary.data) ? "an object" : "a scalar";
		default:
			return "a JSON value";
	}
}

static void dec_expected(Dec *d, const JsonbValue *v, const char *what) pg_attribute_noreturn();

static void
dec_expected(Dec *d, const JsonbValue *v, const char *what)
{
	dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
			  psprintf("expected %s, found %s", what, jbv_type_name(v)), NULL);
}

/* Path steps: push returns the length to pop back to. */
static int
path_key(Dec *d, const char *key)
{
	int			len = d->path.len;

	appendStringInfo(&d->path, ".%s", key);
	return len;
}

static int
path_index(Dec *d, int i)
{
	int			len = d->path.len;

	appendStringInfo(&d->path, "[%d]", i);
	return len;
}

static void
path_pop(Dec *d, int len)
{
	d->path.len = len;
	d->path.data[len] = '\0';
}

/* Room for one more element of an array; the documented size limit holds. */
static void *
dec_grow(Dec *d, void *arr, int32 n, int32 *max, Size elem)
{
	d->bytes += elem;
	if (d->bytes > CP_MAX_COMPILED_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("ruleset JSON document is too large at JSON path %s", d->path.data),
				 errdetail("A compiled policy may take at most %d bytes.",
						   CP_MAX_COMPILED_BYTES)));
	if (n < *max)
		return arr;
	*max = *max ? *max * 2 : 16;
	if (arr == NULL)
		return palloc0(elem * *max);
	arr = repalloc_huge(arr, elem * *max);
	memset((char *) arr + elem * n, 0, elem * (*max - n));
	return arr;
}

#define DEC_PUSH(d, arr, count, max) \
	((d)->arr = dec_grow((d), (d)->arr, (d)->hdr.count, &(d)->max, sizeof(*(d)->arr)), \
	 (d)->hdr.count++)

static int32
dec_add_string(Dec *d, const char *s, int len)
{
	int32		off = d->strings.len;

	if (memchr(s, '\0', len) != NULL)
		dec_error(d, ERRCODE_UNTRANSLATABLE_CHARACTER,
				  "a name or string contains a zero byte", NULL);
	d->bytes += len + 1;
	appendBinaryStringInfo(&d->strings, s, len);
	appendStringInfoChar(&d->strings, '\0');
	return off;
}

/* The object of v, or an error naming what was expected. */
static JsonbContainer *
dec_object(Dec *d, const JsonbValue *v, const char *what)
{
	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		dec_expected(d, v, what);
	return v->val.binary.data;
}

static JsonbContainer *
dec_array(Dec *d, const JsonbValue *v)
{
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		dec_expected(d, v, "an array");
	return v->val.binary.data;
}

/*
 * Every key of obj is one of allowed (NULL-terminated, NULL entries inside
 * skipped when given as ""): a misspelt key is an error, not a default.
 */
static void
dec_check_keys(Dec *d, JsonbContainer *obj, const char *const *allowed, int n_allowed)
{
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		int			i;
		bool		ok = false;

		if (tok != WJB_KEY)
			continue;
		for (i = 0; i < n_allowed && !ok; i++)
			ok = allowed[i] != NULL &&
				strlen(allowed[i]) == v.val.string.len &&
				memcmp(allowed[i], v.val.string.val, v.val.string.len) == 0;
		if (!ok)
		{
			StringInfoData keys;

			initStringInfo(&keys);
			for (i = 0; i < n_allowed; i++)
				if (allowed[i] != NULL)
					appendStringInfo(&keys, "%s%s", keys.len ? ", " : "", allowed[i]);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown key \"%s\" at JSON path %s",
							pnstrdup(v.val.string.val, v.val.string.len), d->path.data),
					 errhint("The keys here are: %s.", keys.data)));
		}
	}
}

/* Member key of obj into *v; false if absent (a JSON null is present). */
static bool
dec_get(JsonbContainer *obj, const char *key, JsonbValue *v)
{
	return getKeyJsonValueFromContainer(obj, key, strlen(key), v) != NULL;
}

static void
dec_require(Dec *d, JsonbContainer *obj, const char *key, JsonbValue *v)
{
	if (!dec_get(obj, key, v))
		dec_error(d, ERRCODE_SQL_JSON_MEMBER_NOT_FOUND,
				  psprintf("missing key \"%s\"", key), NULL);
}

static char *
dec_cstring(Dec *d, const JsonbValue *v, int *len)
{
	if (v->type != jbvString)
		dec_expected(d, v, "a string");
	*len = v->val.string.len;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static int32
dec_string(Dec *d, const JsonbValue *v)
{
	int			len;
	char	   *s = dec_cstring(d, v, &len);

	return dec_add_string(d, s, len);
}

static bool
dec_bool(Dec *d, const JsonbValue *v)
{
	if (v->type != jbvBool)
		dec_expected(d, v, "a boolean");
	return v->val.boolean;
}

/* An exact decimal: *mantissa / 10^*scale. */
static void
dec_decimal(Dec *d, const JsonbValue *v, int64 *mantissa, int32 *scale)
{
	char	   *s;
	char	   *p;
	bool		neg = false;
	bool		frac = false;
	uint64		m = 0;
	int32		sc = 0;

	if (v->type != jbvNumeric)
		dec_expected(d, v, "a number");
	s = DatumGetCString(DirectFunctionCall1(numeric_out,
											NumericGetDatum(v->val.numeric)));
	p = s;
	if (*p == '-')
	{
		neg = true;
		p++;
	}
	for (; *p; p++)
	{
		if (*p == '.' && !frac)
		{
			frac = true;
			continue;
		}
		if (!isdigit((unsigned char) *p) ||
			m > (PG_UINT64_MAX - 9) / 10)
			dec_error(d, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
					  psprintf("number %s is out of range for a policy", s), NULL);
		m = m * 10 + (*p - '0');
		if (frac)
			sc++;
	}
	if (sc > 19 || m > (uint64) PG_INT64_MAX + (neg ? 1 : 0))
		dec_error(d, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
				  psprintf("number %s is out of range for a policy", s), NULL);
	*mantissa = neg ? (int64) (0 - m) : (int64) m;
	*scale = sc;
}

static int64
dec_integer(Dec *d, const JsonbValue *v)
{
	int64		m;
	int32		sc;

	dec_decimal(d, v, &m, &sc);
	if (sc != 0)
		dec_expected(d, v, "an integer");
	return m;
}

/* A word of an enum (keywords.h); 0 if v is null and null_ok. */
static int
dec_word(Dec *d, const JsonbValue *v, CpWords words, const char *what, bool null_ok)
{
	int			len;
	char	   *s;
	int			value;

	if (v->type == jbvNull && null_ok)
		return 0;
	s = dec_cstring(d, v, &len);
	value = cp_word_value(words, s, len, false);
	if (value == 0)
		dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
				  psprintf("unknown %s \"%s\"", what, s), NULL);
	return value;
}

/* "YYYY-MM-DD" as a DateADT; *rest is what follows. */
static int32
dec_date_text(Dec *d, const char *s, const char **rest)
{
	int			y,
				m,
				day,
				yy,
				mm,
				dd;
	int			jd;

	if (strlen(s) < 10 || !isdigit((unsigned char) s[0]) || !isdigit((unsigned char) s[1]) ||
		!isdigit((unsigned char) s[2]) || !isdigit((unsigned char) s[3]) || s[4] != '-' ||
		!isdigit((unsigned char) s[5]) || !isdigit((unsigned char) s[6]) || s[7] != '-' ||
		!isdigit((unsigned char) s[8]) || !isdigit((unsigned char) s[9]))
		dec_error(d, ERRCODE_INVALID_DATETIME_FORMAT,
				  psprintf("invalid date \"%s\"", s),
				  "Write a local date as YYYY-MM-DD and a local time as YYYY-MM-DDTHH:MM:SS.");
	y = atoi(pnstrdup(s, 4));
	m = atoi(pnstrdup(s + 5, 2));
	day = atoi(pnstrdup(s + 8, 2));
	jd = date2j(y, m, day);
	j2date(jd, &yy, &mm, &dd);
	if (y < 1 || yy != y || mm != m || dd != day)
		dec_error(d, ERRCODE_DATETIME_FIELD_OVERFLOW,
				  psprintf("date \"%s\" does not exist", s), NULL);
	*rest = s + 10;
	return jd - POSTGRES_EPOCH_JDATE;
}

static int32 dec_node(Dec *d, const JsonbValue *v);

static int32
dec_new_node(Dec *d, const CpNode *n)
{
	int32		idx = DEC_PUSH(d, nodes, n_nodes, max_nodes);

	d->nodes[idx] = *n;
	return idx;
}

static int32
dec_column(Dec *d, const char *name, int len)
{
	int32		col = cp_names_get(d->column_names, name, len);

	if (col == CP_NONE_IDX)
	{
		col = DEC_PUSH(d, columns, n_columns, max_columns);
		d->columns[col].name = dec_add_string(d, name, len);
		(void) cp_names_add(d->column_names, name, len, col);
	}
	return col;
}

static int
dec_op(Dec *d, const JsonbValue *v)
{
	int			op;

	if (v->type == jbvNumeric)
		op = (int) dec_integer(d, v);
	else
	{
		int			len;
		char	   *s = dec_cstring(d, v, &len);

		for (op = 1; op < 256; op++)
			if (cp_op_json[op].name && strcmp(cp_op_json[op].name, s) == 0)
				break;
		if (op == 256)
			dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
					  psprintf("unknown operator \"%s\"", s),
					  "See docs/json.md for the operators of the policy document.");
	}
	if (op < 1 || op > 255 || !cp_op_shapes[op].known)
		dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
				  psprintf("unknown operator %d", op),
				  "See docs/json.md for the operators of the policy document.");
	return op;
}

/* A node written as an object: {"op": ..., "args": [...], ...}. */
static int32
dec_op_node(Dec *d, JsonbContainer *obj)
{
	const char *keys[16];
	int			n_keys = 0;
	JsonbValue	v;
	CpNode		n;
	const CpOpShape *s;
	const CpOpJson *j;
	uint8		used;
	int			pop;
	int			op;

	memset(&n, 0, sizeof(n));
	pop = path_key(d, "op");
	dec_require(d, obj, "op", &v);
	op = dec_op(d, &v);
	path_pop(d, pop);
	n.op = op;
	s = &cp_op_shapes[op];
	j = &cp_op_json[op];
	used = cp_op_json_fields(op);

	keys[n_keys++] = "op";
	keys[n_keys++] = (s->n_fields > 0 || s->list != CP_LIST_NONE) ? "args" : NULL;
	keys[n_keys++] = "negated";
	keys[n_keys++] = "exclusive";
	keys[n_keys++] = "flags";
	keys[n_keys++] = s->ref != CP_REF_NONE ? cp_op_json_ref_key(op, s->ref) : NULL;
	switch ((OpCodec) j->codec)
	{
		case CODEC_NUMBER:
		case CODEC_BOOL:
		case CODEC_DATE:
		case CODEC_TIMESTAMP:
			keys[n_keys++] = "value";
			break;
		case CODEC_UNIT:
			keys[n_keys++] = "unit";
			break;
		case CODEC_BUILTIN:
			keys[n_keys++] = "name";
			break;
		case CODEC_FUNC:
			keys[n_keys++] = "function";
			break;
		case CODEC_MODE:
			keys[n_keys++] = "mode";
			break;
		default:
			break;
	}
	/* raw fields: only for an operator without a name (ruleset_json.c) */
	if (j->name)
		used = 0xFF;
	keys[n_keys++] = (used & F_A) ? NULL : "a";
	keys[n_keys++] = (used & F_B) ? NULL : "b";
	keys[n_keys++] = (used & F_C) ? NULL : "c";
	keys[n_keys++] = (used & F_V) ? NULL : "v";
	keys[n_keys++] = (used & F_W) ? NULL : "w";
	dec_check_keys(d, obj, keys, n_keys);

	/* children: the shape's fields, then its argument list */
	if (s->n_fields > 0 || s->list != CP_LIST_NONE)
	{
		JsonbContainer *arr;
		int			len,
					i;
		int32	   *kids;
		int64		list_len;

		pop = path_key(d, "args");
		dec_require(d, obj, "args", &v);
		arr = dec_array(d, &v);
		len = JsonContainerSize(arr);
		if (s->list == CP_LIST_NONE ? len != s->n_fields : len < s->n_fields)
			dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
					  psprintf("operator \"%s\" takes %s%d arguments, not %d",
							   j->name ? j->name : psprintf("%d", op),
							   s->list == CP_LIST_NONE ? "" : "at least ",
							   (int) s->n_fields, len), NULL);
		list_len = len - s->n_fields;
		if (j->codec == CODEC_FUNC && list_len < 1)
			dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
					  "a function call needs at least one argument", NULL);
		kids = palloc(sizeof(int32) * Max(len, 1));
		for (i = 0; i < len; i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(arr, i);
			int			ipop = path_index(d, i);

			kids[i] = dec_node(d, e);
			path_pop(d, ipop);
		}
		for (i = 0; i < s->n_fields; i++)
			*cp_node_field(&n, i) = kids[i];
		if (s->list != CP_LIST_NONE)
		{
			*cp_node_field(&n, s->n_fields) = d->hdr.n_args;
			for (i = s->n_fields; i < len; i++)
			{
				int32		slot = DEC_PUSH(d, args, n_args, max_args);

				d->args[slot] = kids[i];
			}
			if (s->list == CP_LIST_C)
				n.c = (int32) list_len;
			else
			{
				n.c = (int32) (list_len / 2);
				if (list_len % 2)
					n.flags |= CP_NODE_HAS_ELSE;
			}
		}
		pfree(kids);
		path_pop(d, pop);
	}

	/* the reference of field a */
	if (s->ref != CP_REF_NONE)
	{
		const char *key = cp_op_json_ref_key(op, s->ref);
		int			len;
		char	   *name;

		pop = path_key(d, key);
		dec_require(d, obj, key, &v);
		name = dec_cstring(d, &v, &len);
		switch ((CpNodeRef) s->ref)
		{
			case CP_REF_STRING:
				n.a = dec_add_string(d, name, len);
				break;
			case CP_REF_COLUMN:
				n.a = dec_column(d, name, len);
				break;
			case CP_REF_LET:
				n.a = cp_names_get(d->visible_lets, name, len);
				if (n.a == CP_NONE_IDX)
					dec_error(d, ERRCODE_UNDEFINED_OBJECT,
							  psprintf("no let named \"%s\" is defined before this use", name),
							  "A let is used after its definition: in the policy's \"lets\", or earlier in the same rule's.");
				break;
			default:
				break;
		}
		path_pop(d, pop);
	}

	if (dec_get(obj, "negated", &v))
	{
		pop = path_key(d, "negated");
		if (dec_bool(d, &v))
			n.flags |= CP_NODE_NEGATED;
		path_pop(d, pop);
	}
	if (dec_get(obj, "exclusive", &v))
	{
		pop = path_key(d, "exclusive");
		if (dec_bool(d, &v))
			n.flags |= CP_NODE_EXCLUSIVE;
		path_pop(d, pop);
	}
	if (dec_get(obj, "flags", &v))
	{
		int64		f;

		pop = path_key(d, "flags");
		f = dec_integer(d, &v);
		if (f < 0 || f > 255)
			dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE, "flags out of range", NULL);
		n.flags |= (uint8) f;
		path_pop(d, pop);
	}

	/* the words of the operator's other fields */
	switch ((OpCodec) j->codec)
	{
		case CODEC_NUMBER:
			pop = path_key(d, "value");
			dec_require(d, obj, "value", &v);
			dec_decimal(d, &v, &n.v, &n.a);
			path_pop(d, pop);
			break;
		case CODEC_BOOL:
			pop = path_key(d, "value");
			dec_require(d, obj, "value", &v);
			n.v = dec_bool(d, &v) ? 1 : 0;
			path_pop(d, pop);
			break;
		case CODEC_DATE:
		case CODEC_TIMESTAMP:
			{
				int			len;
				char	   *str;
				const char *rest;

				pop = path_key(d, "value");
				dec_require(d, obj, "value", &v);
				str = dec_cstring(d, &v, &len);
				n.a = dec_date_text(d, str, &rest);
				if (j->codec == CODEC_TIMESTAMP)
				{
					int			hh,
								mi,
								ss;
					char		tail;

					if (sscanf(rest, "T%2d:%2d:%2d%c", &hh, &mi, &ss, &tail) != 3 ||
						strlen(rest) != 9 || hh > 23 || mi > 59 || ss > 59 ||
						hh < 0 || mi < 0 || ss < 0)
						dec_error(d, ERRCODE_INVALID_DATETIME_FORMAT,
								  psprintf("invalid local time \"%s\"", str),
								  "Write a local time as YYYY-MM-DDTHH:MM:SS, without an offset: the policy's time zone gives it.");
					n.b = hh * SECS_PER_HOUR + mi * SECS_PER_MINUTE + ss;
				}
				else if (*rest != '\0')
					dec_error(d, ERRCODE_INVALID_DATETIME_FORMAT,
							  psprintf("invalid date \"%s\"", str),
							  "Write a local date as YYYY-MM-DD.");
				/* the instants are the compiler's: any span will do here */
				n.v = 0;
				n.w = 1;
				path_pop(d, pop);
			}
			break;
		case CODEC_UNIT:
			pop = path_key(d, "unit");
			dec_require(d, obj, "unit", &v);
			if (v.type == jbvString && v.val.string.len == 12 &&
				memcmp(v.val.string.val, "working days", 12) == 0)
				n.b = CP_UNIT_WORKING_DAYS;
			else
				n.b = dec_word(d, &v, CP_WORDS_UNIT, "unit", false);
			path_pop(d, pop);
			break;
		case CODEC_BUILTIN:
			pop = path_key(d, "name");
			dec_require(d, obj, "name", &v);
			n.a = dec_word(d, &v, CP_WORDS_BUILTIN, "built-in value", false);
			path_pop(d, pop);
			break;
		case CODEC_FUNC:
			pop = path_key(d, "function");
			dec_require(d, obj, "function", &v);
			n.b = dec_word(d, &v, CP_WORDS_FUNC, "function", false);
			path_pop(d, pop);
			break;
		case CODEC_MODE:
			pop = path_key(d, "mode");
			dec_require(d, obj, "mode", &v);
			n.a = dec_word(d, &v, CP_WORDS_ROUNDING, "rounding mode", false);
			path_pop(d, pop);
			break;
		default:
			break;
	}

	/* raw fields of an operator this file has no words for */
	{
		static const char *const raw[] = {"a", "b", "c", "v", "w"};
		int			k;

		for (k = 0; k < 5; k++)
		{
			int64		x;

			if ((used & (1 << k)) || !dec_get(obj, raw[k], &v))
				continue;
			pop = path_key(d, raw[k]);
			x = dec_integer(d, &v);
			if (k < 3 && (x < PG_INT32_MIN || x > PG_INT32_MAX))
				dec_error(d, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
						  "field out of range", NULL);
			if (k < 3)
				*cp_node_field(&n, k) = (int32) x;
			else if (k == 3)
				n.v = x;
			else
				n.w = x;
			path_pop(d, pop);
		}
	}

	return dec_new_node(d, &n);
}

static int32
dec_node(Dec *d, const JsonbValue *v)
{
	CpNode		n;
	int32		idx;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	if (++d->depth > CP_MAX_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("ruleset JSON document nests expressions more than %d deep at JSON path %s",
						CP_MAX_DEPTH, d->path.data)));
	memset(&n, 0, sizeof(n));
	switch (v->type)
	{
		case jbvString:
			n.op = CP_OP_STR;
			n.a = dec_string(d, v);
			idx = dec_new_node(d, &n);
			break;
		case jbvNumeric:
			n.op = CP_OP_NUM;
			dec_decimal(d, v, &n.v, &n.a);
			idx = dec_new_node(d, &n);
			break;
		case jbvBool:
			n.op = CP_OP_BOOL;
			n.v = v->val.boolean ? 1 : 0;
			idx = dec_new_node(d, &n);
			break;
		case jbvBinary:
			if (JsonContainerIsObject(v->val.binary.data))
			{
				idx = dec_op_node(d, v->val.binary.data);
				break;
			}
			/* FALLTHROUGH */
		default:
			dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
					  psprintf("expected an expression, found %s", jbv_type_name(v)),
					  v->type == jbvNull ?
					  "The literal null is written {\"op\": \"null\"}." :
					  "An expression is a number, a string, a boolean or an object with \"op\".");
	}
	d->depth--;
	return idx;
}

/* An optional expression: CP_NONE_IDX for null or absent. */
static int32
dec_opt_node(Dec *d, JsonbContainer *obj, const char *key)
{
	JsonbValue	v;
	int			pop;
	int32		idx = CP_NONE_IDX;

	if (!dec_get(obj, key, &v) || v.type == jbvNull)
		return CP_NONE_IDX;
	pop = path_key(d, key);
	idx = dec_node(d, &v);
	path_pop(d, pop);
	return idx;
}

static int32
dec_req_node(Dec *d, JsonbContainer *obj, const char *key)
{
	JsonbValue	v;
	int			pop;
	int32		idx;

	pop = path_key(d, key);
	dec_require(d, obj, key, &v);
	idx = dec_node(d, &v);
	path_pop(d, pop);
	return idx;
}

/* Calls fn on each element of the array at key (absent or null: none). */
typedef void (*DecElem) (Dec *d, JsonbContainer *obj, int i, void *arg);

static int
dec_each(Dec *d, JsonbContainer *obj, const char *key, bool required,
		 const char *what, DecElem fn, void *arg)
{
	JsonbValue	v;
	JsonbContainer *arr;
	int			pop = path_key(d, key);
	int			len,
				i;

	if (required)
		dec_require(d, obj, key, &v);
	else if (!dec_get(obj, key, &v) || v.type == jbvNull)
	{
		path_pop(d, pop);
		return 0;
	}
	arr = dec_array(d, &v);
	len = JsonContainerSize(arr);
	for (i = 0; i < len; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(arr, i);
		int			ipop = path_index(d, i);

		CHECK_FOR_INTERRUPTS();
		fn(d, dec_object(d, e, what), i, arg);
		path_pop(d, ipop);
	}
	path_pop(d, pop);
	return len;
}

static void
dec_instrument(Dec *d, JsonbContainer *obj, int i, void *arg)
{
	static const char *const keys[] = {"name", "unit"};
	JsonbValue	v;
	int32		k;
	int			pop;

	dec_check_keys(d, obj, keys, lengthof(keys));
	k = DEC_PUSH(d, instruments, n_instruments, max_instruments);
	pop = path_key(d, "name");
	dec_require(d, obj, "name", &v);
	d->instruments[k].name = dec_string(d, &v);
	path_pop(d, pop);
	pop = path_key(d, "unit");
	dec_require(d, obj, "unit", &v);
	d->instruments[k].unit = dec_word(d, &v, CP_WORDS_UNIT_KIND, "instrument unit", false);
	path_pop(d, pop);
}

/* {"from": expr, "until": expr, "exclusive": bool}: nodes and flag. */
static void
dec_range(Dec *d, JsonbContainer *obj, int32 *lo, int32 *hi, int32 *exclusive)
{
	JsonbValue	v;

	*lo = dec_req_node(d, obj, "from");
	*hi = dec_req_node(d, obj, "until");
	*exclusive = 0;
	if (dec_get(obj, "exclusive", &v))
	{
		int			pop = path_key(d, "exclusive");

		*exclusive = dec_bool(d, &v) ? 1 : 0;
		path_pop(d, pop);
	}
}

static void
dec_outage(Dec *d, JsonbContainer *obj, int i, void *arg)
{
	static const char *const keys[] = {"from", "until", "exclusive"};
	int32		w;
	int32		lo,
				hi,
				ex;

	dec_check_keys(d, obj, keys, lengthof(keys));
	dec_range(d, obj, &lo, &hi, &ex);
	w = DEC_PUSH(d, windows, n_windows, max_windows);
	d->windows[w].lo_node = lo;
	d->windows[w].hi_node = hi;
	d->windows[w].exclusive = ex;
}

/* A let of the policy (*rule = CP_NONE_IDX) or of a rule; visible after it. */
static void
dec_let(Dec *d, JsonbContainer *obj, int i, void *arg)
{
	static const char *const keys[] = {"name", "kind", "expr"};
	int32		rule = *(int32 *) arg;
	JsonbValue	v;
	int			len;
	char	   *name;
	int32		expr;
	int32		k;
	int			pop;
	int			kind = CP_LET_PLAIN;

	dec_check_keys(d, obj, keys, lengthof(keys));
	pop = path_key(d, "name");
	dec_require(d, obj, "name", &v);
	name = dec_cstring(d, &v, &len);
	path_pop(d, pop);
	/* a param, cap, minimum or minor-units column (absent: a plain let) */
	if (dec_get(obj, "kind", &v) && v.type != jbvNull)
	{
		int			klen;
		char	   *word;

		pop = path_key(d, "kind");
		word = dec_cstring(d, &v, &klen);
		for (kind = CP_LET_PARAM; kind <= CP_LET_MINOR_UNITS; kind++)
			if (strcmp(word, cp_let_kind_json(kind)) == 0)
				break;
		if (kind > CP_LET_MINOR_UNITS)
			dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
					  psprintf("unknown let kind \"%s\"", word),
					  "A let is plain (no \"kind\"), or \"param\", \"cap\", \"minimum\" or \"minor\".");
		if (rule != CP_NONE_IDX)
			dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
					  psprintf("a rule's let cannot be a %s", word),
					  "Parameters, payout limits and minor-unit columns are lines of the policy's header.");
		path_pop(d, pop);
	}
	expr = dec_req_node(d, obj, "expr");
	if (kind == CP_LET_MINOR_UNITS && d->nodes[expr].op != CP_OP_COLUMN)
	{
		pop = path_key(d, "expr");
		dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
				  "a minor-units let must be a column", NULL);
	}
	k = DEC_PUSH(d, lets, n_lets, max_lets);
	d->lets[k].name = dec_add_string(d, name, len);
	d->lets[k].expr = expr;
	d->lets[k].rule = rule;
	d->lets[k].kind = kind;
	/* a cap's or a minimum's name is an instrument, a minor let's a column */
	if (kind == CP_LET_PLAIN || kind == CP_LET_PARAM)
		(void) cp_names_add(d->visible_lets, name, len, k);
}

static void
dec_award(Dec *d, JsonbContainer *obj, int i, void *arg)
{
	static const char *const keys[] = {"kind", "extend", "instrument", "amount",
		"duration", "rounding", "increment", "window", "reason", "bearer"};
	CpAwardSpec spec;
	JsonbValue	v;
	int			pop;
	int32		k;

	dec_check_keys(d, obj, keys, lengthof(keys));
	memset(&spec, 0, sizeof(spec));
	spec.column = CP_NONE_IDX;
	spec.reason = CP_NONE_IDX;
	spec.window_lo = CP_NONE_IDX;
	spec.window_hi = CP_NONE_IDX;

	pop = path_key(d, "kind");
	dec_require(d, obj, "kind", &v);
	spec.kind = dec_word(d, &v, CP_WORDS_AWARD_KIND, "award kind", false);
	path_pop(d, pop);
	pop = path_key(d, "extend");
	if (spec.kind == CP_AWARD_EXTEND_BY)
	{
		int			len;
		char	   *how;

		dec_require(d, obj, "extend", &v);
		how = dec_cstring(d, &v, &len);
		if (strcmp(how, "by") == 0)
			spec.kind = CP_AWARD_EXTEND_BY;
		else if (strcmp(how, "to") == 0)
			spec.kind = CP_AWARD_EXTEND_TO;
		else if (strcmp(how, "outage") == 0)
			spec.kind = CP_AWARD_EXTEND_OUTAGE;
		else
			dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
					  psprintf("unknown extend mode \"%s\"", how),
					  "An extend award is \"by\" a duration, \"to\" a time or \"by\" the \"outage\".");
	}
	else if (dec_get(obj, "extend", &v) && v.type != jbvNull)
		dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
				  "only an extend award has an extend mode", NULL);
	path_pop(d, pop);

	/* every award prints a name (a review's is not read) */
	pop = path_key(d, "instrument");
	if (dec_get(obj, "instrument", &v) && v.type != jbvNull)
	{
		int			len;
		char	   *name = dec_cstring(d, &v, &len);

		spec.instrument = dec_add_string(d, name, len);
		if (spec.kind == CP_AWARD_EXTEND_BY || spec.kind == CP_AWARD_EXTEND_TO ||
			spec.kind == CP_AWARD_EXTEND_OUTAGE)
			spec.column = dec_column(d, name, len);
	}
	else if (spec.kind == CP_AWARD_REVIEW)
		spec.instrument = dec_add_string(d, "", 0);
	else
		dec_error(d, ERRCODE_SQL_JSON_MEMBER_NOT_FOUND,
				  "missing key \"instrument\"",
				  "Every award but a review names its instrument, item, flag or column.");
	path_pop(d, pop);

	spec.amount = dec_opt_node(d, obj, "amount");
	spec.duration = dec_opt_node(d, obj, "duration");
	switch ((CpAwardKind) spec.kind)
	{
		case CP_AWARD_CREDIT:
		case CP_AWARD_WAIVE:
		case CP_AWARD_EXTEND_BY:
		case CP_AWARD_EXTEND_TO:
			if (spec.amount == CP_NONE_IDX)
			{
				pop = path_key(d, "amount");
				dec_error(d, ERRCODE_SQL_JSON_MEMBER_NOT_FOUND,
						  "this award needs an amount", NULL);
			}
			break;
		default:
			break;
	}

	if (dec_get(obj, "rounding", &v))
	{
		pop = path_key(d, "rounding");
		spec.rounding = dec_word(d, &v, CP_WORDS_ROUNDING, "rounding mode", true);
		path_pop(d, pop);
	}
	if (dec_get(obj, "increment", &v) && v.type != jbvNull)
	{
		pop = path_key(d, "increment");
		spec.increment = dec_integer(d, &v);
		path_pop(d, pop);
	}
	if (dec_get(obj, "window", &v) && v.type != jbvNull)
	{
		static const char *const wkeys[] = {"kind", "from", "until", "exclusive"};
		static const char *const due_keys[] = {"kind", "by"};
		JsonbContainer *w;
		JsonbValue	kv;
		int			kpop;

		pop = path_key(d, "window");
		w = dec_object(d, &v, "an object");
		kpop = path_key(d, "kind");
		dec_require(d, w, "kind", &kv);
		spec.window_kind = dec_word(d, &kv, CP_WORDS_WINDOW_KIND, "window kind", false);
		path_pop(d, kpop);
		if (spec.window_kind == CP_WINDOW_DUE)
		{
			/* "due by": a deadline, no start (ruleset.h) */
			dec_check_keys(d, w, due_keys, lengthof(due_keys));
			spec.window_lo = CP_NONE_IDX;
			spec.window_hi = dec_req_node(d, w, "by");
			spec.window_exclusive = 0;
		}
		else
		{
			dec_check_keys(d, w, wkeys, lengthof(wkeys));
			dec_range(d, w, &spec.window_lo, &spec.window_hi, &spec.window_exclusive);
		}
		path_pop(d, pop);
	}
	if (spec.kind == CP_AWARD_REVIEW)
	{
		pop = path_key(d, "reason");
		dec_require(d, obj, "reason", &v);
		spec.reason = dec_string(d, &v);
		path_pop(d, pop);
	}
	else if (dec_get(obj, "reason", &v) && v.type != jbvNull)
	{
		pop = path_key(d, "reason");
		dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
				  "only a review award has a reason", NULL);
	}
	/* who bears the line (issue 12): absent or null, the company */
	if (dec_get(obj, "bearer", &v) && v.type != jbvNull)
	{
		if (spec.kind == CP_AWARD_FLAG || spec.kind == CP_AWARD_REVIEW)
		{
			pop = path_key(d, "bearer");
			dec_error(d, ERRCODE_INVALID_PARAMETER_VALUE,
					  "a flag or review award has no bearer",
					  "A flag or a review costs nothing; name the bearer on the lines that pay (credit, waive, extend, grant).");
		}
		spec.bearer = dec_opt_node(d, obj, "bearer") + 1;
	}

	k = DEC_PUSH(d, awards, n_awards, max_awards);
	d->awards[k] = spec;
}

static void
dec_rule(Dec *d, JsonbContainer *obj, int i, void *arg)
{
	static const char *const keys[] = {"name", "when", "lets", "awards"};
	JsonbValue	v;
	CpRule		r;
	int32		k;
	int32		first_let;
	int32		j;
	int			pop;
	int32		rule = i;

	dec_check_keys(d, obj, keys, lengthof(keys));
	pop = path_key(d, "name");
	dec_require(d, obj, "name", &v);
	r.name = dec_string(d, &v);
	path_pop(d, pop);
	r.cond = CP_NONE_IDX;
	/* the condition sees the policy's lets only: the rule's follow "when" */
	r.cond = dec_opt_node(d, obj, "when");
	first_let = d->hdr.n_lets;
	r.first_let = first_let;
	r.n_lets = dec_each(d, obj, "lets", false, "an object", dec_let, &rule);
	r.first_award = d->hdr.n_awards;
	r.n_awards = dec_each(d, obj, "awards", true, "an object", dec_award, NULL);
	/* the rule's lets go out of scope (a name shadowed stays the outer one) */
	for (j = first_let; j < first_let + r.n_lets; j++)
	{
		const char *name = d->strings.data + d->lets[j].name;

		if (cp_names_get(d->visible_lets, name, strlen(name)) == j)
			cp_names_remove(d->visible_lets, name, strlen(name));
	}
	k = DEC_PUSH(d, rules, n_rules, max_rules);
	d->rules[k] = r;
}

/*
 * The JSON path of a line of the text cp_print_policy() makes of the
 * decoded value: its lines follow the document's elements one for one
 * (policy, currency, timezone, hit, rounding, instruments, outage, lets,
 * then per rule a blank line, "rule", "when", its lets, its awards, "end").
 * A string with a line break in it shifts the count; the path is then
 * only near the element.
 */
static char *
line_path(Dec *d, int line)
{
	int			l0 = 5;
	int32		i;

	if (line <= 4)
		return pstrdup(line == 1 ? "$.policy" : line == 2 ? "$.currency" :
					   line == 3 ? "$.timezone" : "$.hit");
	if (d->hdr.rounding != CP_ROUND_UNSET)
	{
		if (line == 5)
			return pstrdup("$.rounding");
		l0 = 6;
	}
	if (line < l0 + d->hdr.n_instruments)
		return psprintf("$.instruments[%d]", line - l0);
	l0 += d->hdr.n_instruments;
	if (line < l0 + d->hdr.n_windows)
		return psprintf("$.outage[%d]", line - l0);
	l0 += d->hdr.n_windows;
	if (line < l0 + d->n_policy_lets)
		return psprintf("$.lets[%d]", line - l0);
	l0 += d->n_policy_lets;
	for (i = 0; i < d->hdr.n_rules; i++)
	{
		const CpRule *r = &d->rules[i];
		int			has_when = r->cond != CP_NONE_IDX ? 1 : 0;
		int			k = line - l0;

		if (k < 3 + has_when + r->n_lets + r->n_awards)
		{
			k -= 2;
			if (k < 0)
				return psprintf("$.rules[%d]", i);
			if (has_when && k-- == 0)
				return psprintf("$.rules[%d].when", i);
			if (k < r->n_lets)
				return psprintf("$.rules[%d].lets[%d]", i, k);
			k -= r->n_lets;
			if (k < r->n_awards)
				return psprintf("$.rules[%d].awards[%d]", i, k);
			return psprintf("$.rules[%d]", i);
		}
		l0 += 3 + has_when + r->n_lets + r->n_awards;
	}
	return pstrdup("$");
}

/*
 * Compiles the printed text.  An error "... at line L, column C of policy"
 * is about a text the user never wrote: it is raised again naming the JSON
 * path of the element on that line, with the line in its context.
 */
static CpRuleset
dec_compile(Dec *d, const char *text)
{
	MemoryContext cxt = CurrentMemoryContext;
	CpRuleset	result = NULL;

	PG_TRY();
	{
		result = cp_parse_policy(text);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		const char *at;
		int			line,
					col;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		at = edata->message ? strstr(edata->message, " at line ") : NULL;
		if (edata->elevel == ERROR && at != NULL &&
			sscanf(at, " at line %d, column %d of policy", &line, &col) == 2)
		{
			const char *start = text;
			const char *end;
			int			l;

			FlushErrorState();
			for (l = 1; l < line && start != NULL; l++)
			{
				start = strchr(start, '\n');
				if (start)
					start++;
			}
			end = start ? strchr(start, '\n') : NULL;
			edata->message = psprintf("%s at JSON path %s",
									  pnstrdup(edata->message, at - edata->message),
									  line_path(d, line));
			if (start)
				edata->context = psprintf("line %d of the policy text the JSON document prints as: %s",
										  line,
										  end ? pnstrdup(start, end - start) : start);
			ReThrowError(edata);
		}
		PG_RE_THROW();
	}
	PG_END_TRY();
	return result;
}

CpRuleset
cp_ruleset_from_jsonb(Jsonb *jb)
{
	static const char *const keys[] = {"policy", "currency", "timezone", "hit",
		"rounding", "increment", "instruments", "outage", "lets", "rules"};
	Dec			d;
	JsonbContainer *root = &jb->root;
	JsonbValue	v;
	CpRulesetData *rs;
	Size		size;
	int32		policy_rule = CP_NONE_IDX;
	int			pop;
	int			len;
	char	   *s;

	memset(&d, 0, sizeof(d));
	initStringInfo(&d.path);
	appendStringInfoChar(&d.path, '$');
	initStringInfo(&d.strings);
	d.column_names = cp_names_create(CurrentMemoryContext);
	d.visible_lets = cp_names_create(CurrentMemoryContext);

	if (JB_ROOT_IS_SCALAR(jb) || !JB_ROOT_IS_OBJECT(jb))
		dec_error(&d, ERRCODE_INVALID_PARAMETER_VALUE,
				  "a ruleset JSON document must be an object",
				  "Start from compensation.ruleset_to_jsonb() of a policy.");
	dec_check_keys(&d, root, keys, lengthof(keys));

	d.hdr.format = CP_FORMAT_VERSION;
	pop = path_key(&d, "policy");
	dec_require(&d, root, "policy", &v);
	d.hdr.name = dec_string(&d, &v);
	path_pop(&d, pop);

	pop = path_key(&d, "currency");
	dec_require(&d, root, "currency", &v);
	s = dec_cstring(&d, &v, &len);
	if (len != 3 || cp_currency_exponent(s) < 0)
		dec_error(&d, ERRCODE_INVALID_PARAMETER_VALUE,
				  psprintf("unknown currency \"%s\"", s),
				  "Give an ISO 4217 code, such as \"KRW\" or \"USD\".");
	memcpy(d.hdr.currency, s, 4);
	d.hdr.exponent = cp_currency_exponent(s);
	path_pop(&d, pop);

	pop = path_key(&d, "timezone");
	dec_require(&d, root, "timezone", &v);
	d.hdr.timezone = dec_string(&d, &v);
	path_pop(&d, pop);

	d.hdr.hit = CP_HIT_COLLECT;
	if (dec_get(root, "hit", &v))
	{
		pop = path_key(&d, "hit");
		d.hdr.hit = dec_word(&d, &v, CP_WORDS_HIT, "hit policy", false);
		path_pop(&d, pop);
	}
	if (dec_get(root, "rounding", &v))
	{
		pop = path_key(&d, "rounding");
		d.hdr.rounding = dec_word(&d, &v, CP_WORDS_ROUNDING, "rounding mode", true);
		path_pop(&d, pop);
	}
	d.hdr.increment = 1;
	if (dec_get(root, "increment", &v) && v.type != jbvNull)
	{
		pop = path_key(&d, "increment");
		d.hdr.increment = dec_integer(&d, &v);
		if (d.hdr.increment != 1 && d.hdr.rounding == CP_ROUND_UNSET)
			dec_error(&d, ERRCODE_INVALID_PARAMETER_VALUE,
					  "a rounding increment needs a rounding mode", NULL);
		path_pop(&d, pop);
	}

	(void) dec_each(&d, root, "instruments", false, "an object", dec_instrument, NULL);
	(void) dec_each(&d, root, "outage", false, "an object", dec_outage, NULL);
	d.n_policy_lets = dec_each(&d, root, "lets", false, "an object", dec_let, &policy_rule);
	(void) dec_each(&d, root, "rules", true, "an object", dec_rule, NULL);

	/* the value, laid out as ruleset.h says; its check before the printer walks it */
	d.hdr.strings_len = d.strings.len;
	if (d.hdr.strings_len == 0)
		d.hdr.strings_len = dec_add_string(&d, "", 0) + 1;
	size = cp_ruleset_section_offset(&d.hdr, CP_SECTION_END);
	rs = palloc0(size);
	memcpy(rs, &d.hdr, sizeof(CpRulesetData));
	SET_VARSIZE(rs, size);
#define COPY_SECTION(arr, count, macro) \
	if (count > 0) memcpy(macro(rs), d.arr, sizeof(*d.arr) * count)
	COPY_SECTION(nodes, d.hdr.n_nodes, CpNodes);
	COPY_SECTION(windows, d.hdr.n_windows, CpWindows);
	COPY_SECTION(args, d.hdr.n_args, CpArgs);
	COPY_SECTION(rules, d.hdr.n_rules, CpRules);
	COPY_SECTION(lets, d.hdr.n_lets, CpLets);
	COPY_SECTION(awards, d.hdr.n_awards, CpAwards);
	COPY_SECTION(columns, d.hdr.n_columns, CpColumns);
	COPY_SECTION(instruments, d.hdr.n_instruments, CpInstruments);
#undef COPY_SECTION
	memcpy(CpStrings(rs), d.strings.data, d.hdr.strings_len);
	cp_ruleset_check(rs, size);

	return dec_compile(&d, cp_print_policy(rs));
}
