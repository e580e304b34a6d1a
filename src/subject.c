/*-------------------------------------------------------------------------
 *
 * subject.c
 *	  The canonical text of a subject's key: what names a row in the ledger.
 *
 * A subject is written to the ledger as text, and the same key must always
 * give the same text: otherwise one row is two subjects and is paid twice
 * (0.1.0 used key::text, which for dates and timestamps follows the
 * session's DateStyle and TimeZone: a policy run under ISO, then SQL/DMY,
 * then German paid one row three times).  So the text is made here, from
 * the key's value, by rules that read no session setting:
 *
 *	 smallint, integer, bigint		decimal digits
 *	 numeric						digits without insignificant trailing zeros
 *									(1.50 and 1.5 are equal keys: one subject)
 *	 text, varchar, name, citext	the string as stored
 *	 and other text-like types
 *	 char(n)						trailing blanks removed (they do not count in
 *									char(n) equality)
 *	 boolean						true / false
 *	 uuid							lower-case, hyphenated
 *	 date							ISO 8601, YYYY-MM-DD
 *	 timestamp						ISO 8601, YYYY-MM-DD HH:MM:SS[.ffffff]
 *	 timestamptz					ISO 8601 in UTC, YYYY-MM-DD HH:MM:SS[.ffffff]+00
 *	 an enum						its label
 *	 a domain						as its base type
 *
 * Other key types are refused: their text form could depend on a setting,
 * or on a cast that the type's owner wrote.  That matters beyond
 * correctness: the trigger runs with the extension owner's rights, and
 * key::text or to_jsonb(row) there would run a user-defined CAST (a table
 * owner became superuser that way).  Everything here calls only built-in
 * C routines chosen by the base type's OID, never a cast, operator or
 * function found by name (DESIGN.md, law 6).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

PG_FUNCTION_INFO_V1(compensation_subject_key);
PG_FUNCTION_INFO_V1(compensation_row_subject);

/* How a key type's values become text. */
typedef enum SubjectForm
{
	SUBJECT_INT2,
	SUBJECT_INT4,
	SUBJECT_INT8,
	SUBJECT_NUMERIC,
	SUBJECT_STRING,				/* text, varchar, citext...: the bytes */
	SUBJECT_BPCHAR,
	SUBJECT_NAME,
	SUBJECT_BOOL,
	SUBJECT_UUID,
	SUBJECT_DATE,
	SUBJECT_TIMESTAMP,
	SUBJECT_TIMESTAMPTZ,
	SUBJECT_ENUM
} SubjectForm;

/* The form for values of type typid, or an error naming what is refused. */
static SubjectForm
subject_form(Oid typid, const char *column)
{
	Oid			base = getBaseType(typid);
	char		category;
	bool		preferred;

	switch (base)
	{
		case INT2OID:
			return SUBJECT_INT2;
		case INT4OID:
			return SUBJECT_INT4;
		case INT8OID:
			return SUBJECT_INT8;
		case NUMERICOID:
			return SUBJECT_NUMERIC;
		case TEXTOID:
		case VARCHAROID:
			return SUBJECT_STRING;
		case BPCHAROID:
			return SUBJECT_BPCHAR;
		case NAMEOID:
			return SUBJECT_NAME;
		case BOOLOID:
			return SUBJECT_BOOL;
		case UUIDOID:
			return SUBJECT_UUID;
		case DATEOID:
			return SUBJECT_DATE;
		case TIMESTAMPOID:
			return SUBJECT_TIMESTAMP;
		case TIMESTAMPTZOID:
			return SUBJECT_TIMESTAMPTZ;
		default:
			break;
	}
	if (type_is_enum(base))
		return SUBJECT_ENUM;
	/* citext and other text-like base types: only C code defines them */
	get_type_category_preferred(base, &category, &preferred);
	if (category == TYPCATEGORY_STRING && get_typlen(base) == -1 &&
		get_typtype(base) == TYPTYPE_BASE)
		return SUBJECT_STRING;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 column ? errmsg("key column \"%s\" of type %s cannot name a subject",
							 column, format_type_be(typid))
			 : errmsg("a key of type %s cannot name a subject", format_type_be(typid)),
			 errdetail("A subject's text must not depend on a session setting or a user-defined cast."),
			 errhint("Use a key of type smallint, integer, bigint, numeric, text, varchar, char, citext, boolean, uuid, date, timestamp, timestamptz or an enum.")));
	return SUBJECT_STRING;		/* keep the compiler quiet */
}

static char *
iso_timestamp(Timestamp ts, bool utc_offset)
{
	struct pg_tm tm;
	fsec_t		fsec;
	char		buf[MAXDATELEN + 1];

	if (TIMESTAMP_NOT_FINITE(ts))
		EncodeSpecialTimestamp(ts, buf);
	/* no time zone asked for: the fields of the UTC instant */
	else if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) == 0)
	{
		tm.tm_isdst = 0;		/* UTC: EncodeDateTime prints no offset for "unknown" */
		EncodeDateTime(&tm, fsec, utc_offset, 0, NULL, USE_ISO_DATES, buf);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return pstrdup(buf);
}

static char *
subject_text(SubjectForm form, Datum value)
{
	switch (form)
	{
		case SUBJECT_INT2:
			return psprintf("%d", (int) DatumGetInt16(value));
		case SUBJECT_INT4:
			return psprintf("%d", DatumGetInt32(value));
		case SUBJECT_INT8:
			return psprintf(INT64_FORMAT, DatumGetInt64(value));
		case SUBJECT_NUMERIC:
			return numeric_normalize(DatumGetNumeric(value));
		case SUBJECT_STRING:
			return TextDatumGetCString(value);
		case SUBJECT_BPCHAR:
			{
				text	   *t = DatumGetTextPP(value);
				int			len = VARSIZE_ANY_EXHDR(t);
				const char *s = VARDATA_ANY(t);

				while (len > 0 && s[len - 1] == ' ')
					len--;
				return pnstrdup(s, len);
			}
		case SUBJECT_NAME:
			return pstrdup(NameStr(*DatumGetName(value)));
		case SUBJECT_BOOL:
			return pstrdup(DatumGetBool(value) ? "true" : "false");
		case SUBJECT_UUID:
			return DatumGetCString(DirectFunctionCall1(uuid_out, value));
		case SUBJECT_DATE:
			{
				DateADT		d = DatumGetDateADT(value);
				struct pg_tm tm;
				char		buf[MAXDATELEN + 1];

				if (DATE_NOT_FINITE(d))
					EncodeSpecialDate(d, buf);
				else
				{
					j2date(d + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
					EncodeDateOnly(&tm, USE_ISO_DATES, buf);
				}
				return pstrdup(buf);
			}
		case SUBJECT_TIMESTAMP:
			return iso_timestamp(DatumGetTimestamp(value), false);
		case SUBJECT_TIMESTAMPTZ:
			return iso_timestamp(DatumGetTimestampTz(value), true);
		case SUBJECT_ENUM:
			return DatumGetCString(DirectFunctionCall1(enum_out, value));
	}
	elog(ERROR, "unknown subject form %d", (int) form);
	return NULL;
}

/*
 * compensation.subject_key(anyelement) -> text: the subject a key names.
 * The form is chosen once per call site.
 */
Datum
compensation_subject_key(PG_FUNCTION_ARGS)
{
	SubjectForm *form = (SubjectForm *) fcinfo->flinfo->fn_extra;

	if (form == NULL)
	{
		Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, 0);

		if (!OidIsValid(typid))
			ereport(ERROR,
					(errcode(ERRCODE_INDETERMINATE_DATATYPE),
					 errmsg("could not determine the type of the key")));
		form = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(SubjectForm));
		*form = subject_form(typid, NULL);
		fcinfo->flinfo->fn_extra = form;
	}
	PG_RETURN_TEXT_P(cstring_to_text(subject_text(*form, PG_GETARG_DATUM(0))));
}

/* What a call site of _row_subject() keeps: the key column of a row type. */
typedef struct RowSubjectCache
{
	Oid			rowtype;
	int32		rowtypmod;
	char	   *column;
	AttrNumber	attnum;
	SubjectForm form;
} RowSubjectCache;

/*
 * compensation._row_subject(row anyelement, key_column text) -> text: the
 * subject named by a row's key column, or NULL if the key is NULL.  The
 * trigger's way to read NEW's key without a per-row dynamic query and
 * without a cast.  STRICT.
 */
Datum
compensation_row_subject(PG_FUNCTION_ARGS)
{
	HeapTupleHeader row = PG_GETARG_HEAPTUPLEHEADER(0);
	char	   *column = text_to_cstring(PG_GETARG_TEXT_PP(1));
	Oid			rowtype = HeapTupleHeaderGetTypeId(row);
	int32		rowtypmod = HeapTupleHeaderGetTypMod(row);
	RowSubjectCache *cache = (RowSubjectCache *) fcinfo->flinfo->fn_extra;
	TupleDesc	tupdesc;
	HeapTupleData tuple;
	Datum		value;
	bool		isnull;

	tupdesc = lookup_rowtype_tupdesc(rowtype, rowtypmod);
	if (cache == NULL || cache->rowtype != rowtype || cache->rowtypmod != rowtypmod ||
		strcmp(cache->column, column) != 0)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		int			i;

		if (cache == NULL)
			cache = palloc0(sizeof(RowSubjectCache));
		else
			pfree(cache->column);
		cache->column = pstrdup(column);
		cache->rowtype = rowtype;
		cache->rowtypmod = rowtypmod;
		cache->attnum = InvalidAttrNumber;
		fcinfo->flinfo->fn_extra = cache;
		MemoryContextSwitchTo(old);
		for (i = 0; i < tupdesc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, i);

			if (!att->attisdropped && strcmp(NameStr(att->attname), column) == 0)
			{
				cache->form = subject_form(att->atttypid, column);
				cache->attnum = att->attnum;
				break;
			}
		}
		if (cache->attnum == InvalidAttrNumber)
		{
			cache->rowtype = InvalidOid;	/* do not keep a failed lookup */
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("key column \"%s\" does not exist in %s",
							column, format_type_be(rowtype))));
		}
	}

	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = row;
	value = heap_getattr(&tuple, cache->attnum, tupdesc, &isnull);
	if (isnull)
	{
		ReleaseTupleDesc(tupdesc);
		PG_RETURN_NULL();
	}
	ReleaseTupleDesc(tupdesc);
	PG_RETURN_TEXT_P(cstring_to_text(subject_text(cache->form, value)));
}

/*
 * _check_key_type(type, column): errors as subject_key() would on a key of
 * that type, for set-up checks that have a type but no value (subject_key
 * is STRICT and says nothing about NULL).
 */
PG_FUNCTION_INFO_V1(compensation_check_key_type);

Datum
compensation_check_key_type(PG_FUNCTION_ARGS)
{
	Oid			typid = PG_GETARG_OID(0);
	char	   *column = text_to_cstring(PG_GETARG_TEXT_PP(1));

	(void) subject_form(typid, column);
	PG_RETURN_VOID();
}
