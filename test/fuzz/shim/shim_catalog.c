/*-------------------------------------------------------------------------
 *
 * shim_catalog.c
 *	  Backend shim for the fuzz harnesses: the catalog lookups of binding a
 *	  policy to a row type, answered for one row type the harness sets
 *	  (fuzz_set_rowtype) and the built-in types it may use.  No enums and no
 *	  domains exist here: the syscache finds nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "shim.h"

typedef struct ShimType
{
	Oid			oid;
	const char *name;
	int16		len;
	bool		byval;
	char		align;
	char		category;
} ShimType;

static const ShimType shim_types[] = {
	{BOOLOID, "boolean", 1, true, TYPALIGN_CHAR, TYPCATEGORY_BOOLEAN},
	{INT2OID, "smallint", 2, true, TYPALIGN_SHORT, TYPCATEGORY_NUMERIC},
	{INT4OID, "integer", 4, true, TYPALIGN_INT, TYPCATEGORY_NUMERIC},
	{INT8OID, "bigint", 8, true, TYPALIGN_DOUBLE, TYPCATEGORY_NUMERIC},
	{NUMERICOID, "numeric", -1, false, TYPALIGN_INT, TYPCATEGORY_NUMERIC},
	{FLOAT8OID, "double precision", 8, true, TYPALIGN_DOUBLE, TYPCATEGORY_NUMERIC},
	{TEXTOID, "text", -1, false, TYPALIGN_INT, TYPCATEGORY_STRING},
	{VARCHAROID, "character varying", -1, false, TYPALIGN_INT, TYPCATEGORY_STRING},
	{BPCHAROID, "character", -1, false, TYPALIGN_INT, TYPCATEGORY_STRING},
	{NAMEOID, "name", NAMEDATALEN, false, TYPALIGN_CHAR, TYPCATEGORY_STRING},
	{DATEOID, "date", 4, true, TYPALIGN_INT, TYPCATEGORY_DATETIME},
	{TIMESTAMPOID, "timestamp without time zone", 8, true, TYPALIGN_DOUBLE, TYPCATEGORY_DATETIME},
	{TIMESTAMPTZOID, "timestamp with time zone", 8, true, TYPALIGN_DOUBLE, TYPCATEGORY_DATETIME},
};

static const ShimType *
shim_type(Oid oid)
{
	int			i;

	for (i = 0; i < lengthof(shim_types); i++)
		if (shim_types[i].oid == oid)
			return &shim_types[i];
	return NULL;
}

static int	row_natts = 0;
static NameData row_names[FUZZ_MAX_ATTS];
static Oid	row_types[FUZZ_MAX_ATTS];

void
fuzz_set_rowtype(int natts, const char *const *names, const Oid *types)
{
	int			i;

	if (natts > FUZZ_MAX_ATTS)
		natts = FUZZ_MAX_ATTS;
	for (i = 0; i < natts; i++)
	{
		strlcpy(NameStr(row_names[i]), names[i], NAMEDATALEN);
		row_types[i] = types[i];
	}
	row_natts = natts;
}

TupleDesc
lookup_rowtype_tupdesc_copy(Oid type_id, int32 typmod)
{
	TupleDesc	desc;
	int			i;

	if (type_id != FUZZ_ROWTYPE_OID)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("type %u is not composite", type_id)));
	desc = palloc0(offsetof(struct TupleDescData, attrs) +
				   Max(row_natts, 1) * sizeof(FormData_pg_attribute));
	desc->natts = row_natts;
	desc->tdtypeid = type_id;
	desc->tdtypmod = -1;
	desc->tdrefcount = -1;
	for (i = 0; i < row_natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const ShimType *t = shim_type(row_types[i]);

		if (t == NULL)
			elog(ERROR, "fuzz shim: unsupported type %u", row_types[i]);
		att->attname = row_names[i];
		att->atttypid = t->oid;
		att->attlen = t->len;
		att->attbyval = t->byval;
		att->attalign = t->align;
		att->attstorage = t->len == -1 ? TYPSTORAGE_EXTENDED : TYPSTORAGE_PLAIN;
		att->attnum = i + 1;
		att->atttypmod = -1;
		att->attcacheoff = -1;
		att->attcollation = t->category == TYPCATEGORY_STRING ? DEFAULT_COLLATION_OID : InvalidOid;
	}
	return desc;
}

TupleDesc
lookup_rowtype_tupdesc(Oid type_id, int32 typmod)
{
	return lookup_rowtype_tupdesc_copy(type_id, typmod);
}

void
DecrTupleDescRefCount(TupleDesc tupdesc)
{
}

Oid
getBaseTypeAndTypmod(Oid typid, int32 *typmod)
{
	return typid;
}

Oid
getBaseType(Oid typid)
{
	return typid;
}

void
get_type_category_preferred(Oid typid, char *typcategory, bool *typispreferred)
{
	const ShimType *t = shim_type(typid);

	*typcategory = t ? t->category : TYPCATEGORY_USER;
	*typispreferred = false;
}

int16
get_typlen(Oid typid)
{
	const ShimType *t = shim_type(typid);

	return t ? t->len : 0;
}

bool
type_is_enum(Oid typid)
{
	return false;
}

bool
type_is_rowtype(Oid typid)
{
	return typid == FUZZ_ROWTYPE_OID;
}

char *
format_type_be(Oid type_oid)
{
	const ShimType *t = shim_type(type_oid);

	if (t)
		return pstrdup(t->name);
	if (type_oid == FUZZ_ROWTYPE_OID)
		return pstrdup("fuzz_row");
	return psprintf("type %u", type_oid);
}

HeapTuple
SearchSysCache1(int cacheId, Datum key1)
{
	return NULL;
}

void
ReleaseSysCache(HeapTuple tuple)
{
}

Datum
getmissingattr(TupleDesc tupleDesc, int attnum, bool *isnull)
{
	*isnull = true;
	return (Datum) 0;
}
