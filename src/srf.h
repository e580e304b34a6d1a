/*-------------------------------------------------------------------------
 *
 * srf.h
 *	  Materialize-mode set-returning functions that run once per row.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_SRF_H
#define COMPENSATION_SRF_H

#include "fmgr.h"
#include "access/tupdesc.h"
#include "utils/tuplestore.h"

extern void cp_srf_check(FunctionCallInfo fcinfo, const char *fname);
extern Tuplestorestate *cp_srf_begin(FunctionCallInfo fcinfo, TupleDesc *cached,
									 TupleDesc *desc);
extern void cp_srf_empty(FunctionCallInfo fcinfo);

#endif							/* COMPENSATION_SRF_H */
