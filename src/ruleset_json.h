/*-------------------------------------------------------------------------
 *
 * ruleset_json.h
 *	  Shared by the writer (ruleset_json.c) and the reader
 *	  (ruleset_json_read.c) of the ruleset's JSON document: the JSON name of
 *	  each operator and the words of its fields.  Children, argument lists,
 *	  references and flags come from the format's shape table
 *	  (ruleset_format.h), so an operator added there is written and read
 *	  without a line here; a line here only gives it a name and words.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_RULESET_JSON_H
#define COMPENSATION_RULESET_JSON_H

#include "utils/jsonb.h"

#include "ruleset.h"
#include "ruleset_format.h"

/* Which of a node's fields (besides children, list and reference) a codec reads. */
#define F_A		0x01
#define F_B		0x02
#define F_C		0x04
#define F_V		0x08
#define F_W		0x10

typedef enum OpCodec
{
	CODEC_NONE = 0,				/* children, reference and flags only */
	CODEC_NUMBER,				/* bare JSON number: v / 10^a */
	CODEC_STRING,				/* bare JSON string: a */
	CODEC_BOOL,					/* bare JSON boolean: v */
	CODEC_DATE,					/* "value": local date (a); v, w derived */
	CODEC_TIMESTAMP,			/* "value": local time (a, b); v, w derived */
	CODEC_UNIT,					/* "unit": CpUnit in b */
	CODEC_BUILTIN,				/* "name": CpBuiltin in a */
	CODEC_FUNC,					/* "function": CpFunc in b */
	CODEC_MODE					/* "mode": CpRounding in a */
} OpCodec;

typedef struct CpOpJson
{
	const char *name;			/* NULL: written as its number */
	uint8		codec;			/* OpCodec */
	uint8		fields;			/* F_* the codec reads */
	const char *ref_key;		/* key of field a's reference, NULL: default */
} CpOpJson;

/* Indexed by the op byte (ruleset_json.c). */
extern const CpOpJson cp_op_json[256];

/* The key of the reference of field a of op (a CpNodeRef). */
extern const char *cp_op_json_ref_key(int op, int ref);

/* F_* of a, b, c, v, w that op's shape or words use; the rest are raw. */
extern uint8 cp_op_json_fields(int op);

/*
 * The "kind" of a policy-level let in a document: "param", "cap",
 * "minimum" or "minor" for a CpLetKind, NULL for a plain let.
 */
extern const char *cp_let_kind_json(int kind);

/* ruleset_json_read.c: a document to a compiled, checked ruleset. */
extern CpRuleset cp_ruleset_from_jsonb(Jsonb *jb);

#endif							/* COMPENSATION_RULESET_JSON_H */
