/*-------------------------------------------------------------------------
 *
 * shim_mcxt.c
 *	  Backend shim for the fuzz harnesses: memory contexts, ereport/elog,
 *	  StringInfo, lists, stack depth and interrupts.
 *
 * Memory contexts keep the backend's contract (a chunk belongs to a
 * context; resetting or deleting a context frees its chunks and its
 * children; the context pointer sits just before each chunk) but every
 * chunk is its own malloc, so AddressSanitizer puts a red zone right after
 * the bytes asked for: a read one byte past a palloc'd ruleset is caught,
 * where the server's pooled allocator would hide it.
 *
 * Errors: ereport(ERROR) formats the message, records it, and longjmps to
 * the innermost PG_TRY, exactly the control flow of the server.  Lower
 * levels are dropped.  FATAL and PANIC abort: no input may cause them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/memnodes.h"
#include "nodes/pg_list.h"
#include "utils/memutils.h"

#include "shim.h"

/* ---------------------------------------------------------------------
 * Memory contexts
 * ---------------------------------------------------------------------
 */

typedef struct ShimChunk
{
	struct ShimChunk *prev;
	struct ShimChunk *next;
	Size		size;
	MemoryContext context;		/* last, right before the user's bytes */
} ShimChunk;

StaticAssertDecl(sizeof(ShimChunk) % MAXIMUM_ALIGNOF == 0,
				 "chunk header must keep user data MAXALIGNed");

typedef struct ShimContext
{
	MemoryContextData base;
	ShimChunk	chunks;			/* circular list head */
} ShimContext;

MemoryContext CurrentMemoryContext = NULL;
MemoryContext TopMemoryContext = NULL;
MemoryContext ErrorContext = NULL;
MemoryContext CacheMemoryContext = NULL;
MemoryContext TopTransactionContext = NULL;
MemoryContext CurTransactionContext = NULL;
MemoryContext MessageContext = NULL;
MemoryContext PortalContext = NULL;
MemoryContext PostmasterContext = NULL;

/* Everything outstanding, to turn a runaway into an ERROR, as OOM is. */
static Size shim_total_allocated = 0;
#define SHIM_MEMORY_LIMIT	((Size) 1024 * 1024 * 1024)

static MemoryContext
context_new(MemoryContext parent, const char *name)
{
	ShimContext *c = calloc(1, sizeof(ShimContext));

	if (c == NULL)
		abort();
	c->base.type = T_AllocSetContext;
	c->base.isReset = true;
	c->base.name = name;
	c->base.parent = parent;
	c->chunks.prev = c->chunks.next = &c->chunks;
	if (parent)
	{
		c->base.nextchild = parent->firstchild;
		if (parent->firstchild)
			parent->firstchild->prevchild = &c->base;
		parent->firstchild = &c->base;
	}
	return &c->base;
}

MemoryContext
AllocSetContextCreateInternal(MemoryContext parent, const char *name,
							  Size minContextSize, Size initBlockSize,
							  Size maxBlockSize)
{
	return context_new(parent, name);
}

MemoryContext
GenerationContextCreate(MemoryContext parent, const char *name,
						Size minContextSize, Size initBlockSize,
						Size maxBlockSize)
{
	return context_new(parent, name);
}

MemoryContext
SlabContextCreate(MemoryContext parent, const char *name, Size blockSize,
				  Size chunkSize)
{
	return context_new(parent, name);
}

static void
context_unlink(MemoryContext c)
{
	MemoryContext parent = c->parent;

	if (parent == NULL)
		return;
	if (c->prevchild)
		c->prevchild->nextchild = c->nextchild;
	else
		parent->firstchild = c->nextchild;
	if (c->nextchild)
		c->nextchild->prevchild = c->prevchild;
	c->parent = c->prevchild = c->nextchild = NULL;
}

static void
chunk_unlink(ShimChunk *ch)
{
	ch->prev->next = ch->next;
	ch->next->prev = ch->prev;
	shim_total_allocated -= ch->size;
}

static void
run_reset_callbacks(MemoryContext c)
{
	MemoryContextCallback *cb;

	while ((cb = c->reset_cbs) != NULL)
	{
		c->reset_cbs = cb->next;
		cb->func(cb->arg);
	}
}

void
MemoryContextDeleteChildren(MemoryContext context)
{
	while (context->firstchild)
		MemoryContextDelete(context->firstchild);
}

void
MemoryContextResetOnly(MemoryContext context)
{
	ShimContext *c = (ShimContext *) context;

	run_reset_callbacks(context);
	while (c->chunks.next != &c->chunks)
	{
		ShimChunk  *ch = c->chunks.next;

		chunk_unlink(ch);
		free(ch);
	}
	context->mem_allocated = 0;
	context->isReset = true;
}

void
MemoryContextReset(MemoryContext context)
{
	MemoryContextDeleteChildren(context);
	MemoryContextResetOnly(context);
}

void
MemoryContextResetChildren(MemoryContext context)
{
	MemoryContext child;

	for (child = context->firstchild; child; child = child->nextchild)
	{
		MemoryContextResetChildren(child);
		MemoryContextResetOnly(child);
	}
}

void
MemoryContextDelete(MemoryContext context)
{
	if (context == TopMemoryContext)
		elog(PANIC, "cannot delete TopMemoryContext");
	if (context == CurrentMemoryContext)
		CurrentMemoryContext = context->parent;
	MemoryContextReset(context);
	context_unlink(context);
	free(context);
}

void
MemoryContextSetParent(MemoryContext context, MemoryContext new_parent)
{
	context_unlink(context);
	context->parent = new_parent;
	if (new_parent)
	{
		context->nextchild = new_parent->firstchild;
		if (new_parent->firstchild)
			new_parent->firstchild->prevchild = context;
		new_parent->firstchild = context;
	}
}

void
MemoryContextSetIdentifier(MemoryContext context, const char *id)
{
	context->ident = id;
}

MemoryContext
MemoryContextGetParent(MemoryContext context)
{
	return context->parent;
}

bool
MemoryContextIsEmpty(MemoryContext context)
{
	ShimContext *c = (ShimContext *) context;

	return context->firstchild == NULL && c->chunks.next == &c->chunks;
}

Size
MemoryContextMemAllocated(MemoryContext context, bool recurse)
{
	Size		total = context->mem_allocated;

	if (recurse)
	{
		MemoryContext child;

		for (child = context->firstchild; child; child = child->nextchild)
			total += MemoryContextMemAllocated(child, true);
	}
	return total;
}

void
MemoryContextRegisterResetCallback(MemoryContext context,
								   MemoryContextCallback *cb)
{
	cb->next = context->reset_cbs;
	context->reset_cbs = cb;
	context->isReset = false;
}

static void *
chunk_alloc(MemoryContext context, Size size, int flags)
{
	ShimContext *c = (ShimContext *) context;
	ShimChunk  *ch;

	if (!((flags & MCXT_ALLOC_HUGE) ? AllocHugeSizeIsValid(size) : AllocSizeIsValid(size)))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	if (shim_total_allocated + size > SHIM_MEMORY_LIMIT)
	{
		if (flags & MCXT_ALLOC_NO_OOM)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed on request of size %zu in memory context \"%s\" (fuzz shim limit).",
						   size, context->name)));
	}
	ch = malloc(sizeof(ShimChunk) + size);
	if (ch == NULL)
		abort();
	ch->size = size;
	ch->context = context;
	ch->next = c->chunks.next;
	ch->prev = &c->chunks;
	c->chunks.next->prev = ch;
	c->chunks.next = ch;
	shim_total_allocated += size;
	context->mem_allocated += size;
	context->isReset = false;
	if (flags & MCXT_ALLOC_ZERO)
		memset(ch + 1, 0, size);
	return ch + 1;
}

static ShimChunk *
chunk_of(void *pointer)
{
	ShimChunk  *ch = ((ShimChunk *) pointer) - 1;

	return ch;
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return chunk_alloc(context, size, 0);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return chunk_alloc(context, size, MCXT_ALLOC_ZERO);
}

void *
MemoryContextAllocZeroAligned(MemoryContext context, Size size)
{
	return chunk_alloc(context, size, MCXT_ALLOC_ZERO);
}

void *
MemoryContextAllocExtended(MemoryContext context, Size size, int flags)
{
	return chunk_alloc(context, size, flags);
}

void *
MemoryContextAllocHuge(MemoryContext context, Size size)
{
	return chunk_alloc(context, size, MCXT_ALLOC_HUGE);
}

void *
palloc(Size size)
{
	return chunk_alloc(CurrentMemoryContext, size, 0);
}

void *
palloc0(Size size)
{
	return chunk_alloc(CurrentMemoryContext, size, MCXT_ALLOC_ZERO);
}

void *
palloc_extended(Size size, int flags)
{
	return chunk_alloc(CurrentMemoryContext, size, flags);
}

void
pfree(void *pointer)
{
	ShimChunk  *ch = chunk_of(pointer);

	ch->context->mem_allocated -= ch->size;
	chunk_unlink(ch);
	free(ch);
}

static void *
chunk_realloc(void *pointer, Size size, int flags)
{
	ShimChunk  *old = chunk_of(pointer);
	void	   *p = chunk_alloc(old->context, size, flags);

	memcpy(p, pointer, Min(size, old->size));
	pfree(pointer);
	return p;
}

void *
repalloc(void *pointer, Size size)
{
	return chunk_realloc(pointer, size, 0);
}

void *
repalloc_huge(void *pointer, Size size)
{
	return chunk_realloc(pointer, size, MCXT_ALLOC_HUGE);
}

Size
GetMemoryChunkSpace(void *pointer)
{
	return chunk_of(pointer)->size + sizeof(ShimChunk);
}

char *
MemoryContextStrdup(MemoryContext context, const char *string)
{
	Size		len = strlen(string) + 1;
	char	   *p = MemoryContextAlloc(context, len);

	memcpy(p, string, len);
	return p;
}

char *
pstrdup(const char *in)
{
	return MemoryContextStrdup(CurrentMemoryContext, in);
}

char *
pnstrdup(const char *in, Size len)
{
	char	   *p;

	len = strnlen(in, len);
	p = palloc(len + 1);
	memcpy(p, in, len);
	p[len] = '\0';
	return p;
}

size_t
pvsnprintf(char *buf, size_t len, const char *fmt, va_list args)
{
	int			nprinted = vsnprintf(buf, len, fmt, args);

	if (unlikely(nprinted < 0))
		elog(ERROR, "vsnprintf failed: %m with format string \"%s\"", fmt);
	if ((size_t) nprinted < len)
		return (size_t) nprinted;
	if (unlikely((size_t) nprinted > MaxAllocSize - 1))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("out of memory")));
	return nprinted + 1;
}

char *
psprintf(const char *fmt,...)
{
	int			save_errno = errno;
	size_t		len = 128;

	for (;;)
	{
		char	   *result = palloc(len);
		va_list		args;
		size_t		newlen;

		errno = save_errno;
		va_start(args, fmt);
		newlen = pvsnprintf(result, len, fmt, args);
		va_end(args);
		if (newlen < len)
			return result;
		pfree(result);
		len = newlen;
	}
}

/* ---------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------
 */

sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;

static FuzzError last_error;
static int	cur_elevel;
static bool in_error;

bool
errstart(int elevel, const char *domain)
{
	if (elevel < ERROR)
		return false;
	cur_elevel = elevel;
	in_error = true;
	memset(&last_error, 0, sizeof(last_error));
	last_error.sqlerrcode = ERRCODE_INTERNAL_ERROR;
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	ErrorContextCallback *ec;

	last_error.filename = filename;
	last_error.lineno = lineno;
	last_error.funcname = funcname;
	in_error = false;

	/* the server runs the context callbacks while reporting */
	for (ec = error_context_stack; ec != NULL; ec = ec->previous)
		ec->callback(ec->arg);

	if (cur_elevel >= FATAL)
	{
		fuzz_report_error("FATAL or PANIC");
		abort();
	}
	pg_re_throw();
}

void
pg_re_throw(void)
{
	if (PG_exception_stack == NULL)
	{
		fuzz_report_error("uncaught ERROR");
		abort();
	}
	siglongjmp(*PG_exception_stack, 1);
}

int
errcode(int sqlerrcode)
{
	last_error.sqlerrcode = sqlerrcode;
	return 0;
}

static void
format_into(char *buf, size_t len, const char *fmt, va_list args)
{
	if (vsnprintf(buf, len, fmt, args) < 0)
		snprintf(buf, len, "(bad format \"%s\")", fmt);
}

#define SHIM_FORMAT(buf, fmt) \
	do { \
		va_list		args_; \
		va_start(args_, fmt); \
		format_into(buf, sizeof(buf), fmt, args_); \
		va_end(args_); \
	} while (0)

int
errmsg(const char *fmt,...)
{
	SHIM_FORMAT(last_error.message, fmt);
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	SHIM_FORMAT(last_error.message, fmt);
	return 0;
}

/* Formatted too (the server does it), so bad arguments are caught. */
static char scratch[1024];

int
errdetail(const char *fmt,...)
{
	SHIM_FORMAT(scratch, fmt);
	return 0;
}

int
errdetail_internal(const char *fmt,...)
{
	SHIM_FORMAT(scratch, fmt);
	return 0;
}

int
errdetail_log(const char *fmt,...)
{
	SHIM_FORMAT(scratch, fmt);
	return 0;
}

int
errhint(const char *fmt,...)
{
	SHIM_FORMAT(scratch, fmt);
	return 0;
}

int
errcontext_msg(const char *fmt,...)
{
	SHIM_FORMAT(scratch, fmt);
	return 0;
}

int
set_errcontext_domain(const char *domain)
{
	return 0;
}

int
errposition(int cursorpos)
{
	return 0;
}

int
errhidestmt(bool hide_stmt)
{
	return 0;
}

int
errhidecontext(bool hide_ctx)
{
	return 0;
}

int
geterrcode(void)
{
	return last_error.sqlerrcode;
}

void
FlushErrorState(void)
{
	in_error = false;
}

char *
unpack_sql_state(int sql_state)
{
	static char buf[12];
	int			i;

	for (i = 0; i < 5; i++)
	{
		buf[i] = PGUNSIXBIT(sql_state);
		sql_state >>= 6;
	}
	buf[i] = '\0';
	return buf;
}

const FuzzError *
fuzz_last_error(void)
{
	return &last_error;
}

void
fuzz_report_error(const char *what)
{
	fprintf(stderr, "%s: SQLSTATE %s: %s (%s:%d %s)\n", what,
			unpack_sql_state(last_error.sqlerrcode), last_error.message,
			last_error.filename ? last_error.filename : "?", last_error.lineno,
			last_error.funcname ? last_error.funcname : "?");
}

/* ---------------------------------------------------------------------
 * StringInfo
 * ---------------------------------------------------------------------
 */

StringInfo
makeStringInfo(void)
{
	StringInfo	res = palloc(sizeof(StringInfoData));

	initStringInfo(res);
	return res;
}

void
initStringInfo(StringInfo str)
{
	int			size = 1024;

	str->data = palloc(size);
	str->maxlen = size;
	resetStringInfo(str);
}

void
resetStringInfo(StringInfo str)
{
	str->data[0] = '\0';
	str->len = 0;
	str->cursor = 0;
}

void
enlargeStringInfo(StringInfo str, int needed)
{
	int			newlen;

	if (needed < 0)
		elog(ERROR, "invalid string enlargement request size: %d", needed);
	if (((Size) needed) >= (MaxAllocSize - (Size) str->len))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("out of memory"),
				 errdetail("Cannot enlarge string buffer containing %d bytes by %d more bytes.",
						   str->len, needed)));
	needed += str->len + 1;
	if (needed <= str->maxlen)
		return;
	newlen = 2 * str->maxlen;
	while (needed > newlen)
		newlen = 2 * newlen;
	if (newlen > (int) MaxAllocSize)
		newlen = (int) MaxAllocSize;
	str->data = repalloc(str->data, newlen);
	str->maxlen = newlen;
}

int
appendStringInfoVA(StringInfo str, const char *fmt, va_list args)
{
	int			avail;
	size_t		nprinted;

	avail = str->maxlen - str->len;
	if (avail < 16)
		return 32;
	nprinted = pvsnprintf(str->data + str->len, (size_t) avail, fmt, args);
	if (nprinted < (size_t) avail)
	{
		str->len += (int) nprinted;
		return 0;
	}
	str->data[str->len] = '\0';
	return (int) nprinted;
}

void
appendStringInfo(StringInfo str, const char *fmt,...)
{
	int			save_errno = errno;

	for (;;)
	{
		va_list		args;
		int			needed;

		errno = save_errno;
		va_start(args, fmt);
		needed = appendStringInfoVA(str, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(str, needed);
	}
}

void
appendBinaryStringInfo(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
	str->data[str->len] = '\0';
}

void
appendBinaryStringInfoNT(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
}

void
appendStringInfoString(StringInfo str, const char *s)
{
	appendBinaryStringInfo(str, s, strlen(s));
}

void
appendStringInfoChar(StringInfo str, char ch)
{
	if (str->len + 1 >= str->maxlen)
		enlargeStringInfo(str, 1);
	str->data[str->len] = ch;
	str->len++;
	str->data[str->len] = '\0';
}

void
appendStringInfoSpaces(StringInfo str, int count)
{
	if (count > 0)
	{
		enlargeStringInfo(str, count);
		memset(&str->data[str->len], ' ', count);
		str->len += count;
		str->data[str->len] = '\0';
	}
}

/* ---------------------------------------------------------------------
 * Lists (pg_list.h layout: header, then a re-allocatable cell array)
 * ---------------------------------------------------------------------
 */

static List *
list_new(NodeTag type, int min_size)
{
	int			max_size = Max(min_size, 5);
	List	   *list = palloc(offsetof(List, initial_elements) +
							  max_size * sizeof(ListCell));

	list->type = type;
	list->length = min_size;
	list->max_length = max_size;
	list->elements = list->initial_elements;
	return list;
}

static void
list_grow(List *list, int min_size)
{
	int			new_max = Max(16, list->max_length * 2);

	while (new_max < min_size)
		new_max *= 2;
	if (list->elements == list->initial_elements)
	{
		ListCell   *cells = palloc(new_max * sizeof(ListCell));

		memcpy(cells, list->initial_elements, list->length * sizeof(ListCell));
		list->elements = cells;
	}
	else
		list->elements = repalloc(list->elements, new_max * sizeof(ListCell));
	list->max_length = new_max;
}

static ListCell *
list_push(List **list, NodeTag type)
{
	if (*list == NIL)
		*list = list_new(type, 1);
	else
	{
		if ((*list)->length >= (*list)->max_length)
			list_grow(*list, (*list)->length + 1);
		(*list)->length++;
	}
	return &(*list)->elements[(*list)->length - 1];
}

List *
lappend(List *list, void *datum)
{
	lfirst(list_push(&list, T_List)) = datum;
	return list;
}

List *
lappend_int(List *list, int datum)
{
	lfirst_int(list_push(&list, T_IntList)) = datum;
	return list;
}

List *
lappend_oid(List *list, Oid datum)
{
	lfirst_oid(list_push(&list, T_OidList)) = datum;
	return list;
}

List *
list_make1_impl(NodeTag t, ListCell datum1)
{
	List	   *list = list_new(t, 1);

	list->elements[0] = datum1;
	return list;
}

List *
list_make2_impl(NodeTag t, ListCell datum1, ListCell datum2)
{
	List	   *list = list_new(t, 2);

	list->elements[0] = datum1;
	list->elements[1] = datum2;
	return list;
}

List *
list_make3_impl(NodeTag t, ListCell datum1, ListCell datum2, ListCell datum3)
{
	List	   *list = list_new(t, 3);

	list->elements[0] = datum1;
	list->elements[1] = datum2;
	list->elements[2] = datum3;
	return list;
}

List *
list_copy(const List *oldlist)
{
	List	   *list;

	if (oldlist == NIL)
		return NIL;
	list = list_new(oldlist->type, oldlist->length);
	memcpy(list->elements, oldlist->elements, oldlist->length * sizeof(ListCell));
	return list;
}

void
list_free(List *list)
{
	if (list == NIL)
		return;
	if (list->elements != list->initial_elements)
		pfree(list->elements);
	pfree(list);
}

void
list_free_deep(List *list)
{
	int			i;

	if (list == NIL)
		return;
	for (i = 0; i < list->length; i++)
		pfree(lfirst(&list->elements[i]));
	list_free(list);
}

/* ---------------------------------------------------------------------
 * Stack depth and interrupts
 * ---------------------------------------------------------------------
 */

volatile sig_atomic_t InterruptPending = false;
volatile sig_atomic_t QueryCancelPending = false;
volatile sig_atomic_t ProcDiePending = false;
volatile uint32 InterruptHoldoffCount = 0;
volatile uint32 QueryCancelHoldoffCount = 0;
volatile uint32 CritSectionCount = 0;
int			max_stack_depth = 2048;	/* kB, the server's default */

static char *stack_base = NULL;

void
ProcessInterrupts(void)
{
	InterruptPending = false;
}

bool
stack_is_too_deep(void)
{
	char		here;
	long		depth;

	if (stack_base == NULL)
		return false;
	depth = (long) (stack_base - &here);
	if (depth < 0)
		depth = -depth;
	return depth > (long) max_stack_depth * 1024L;
}

void
check_stack_depth(void)
{
	if (stack_is_too_deep())
		ereport(ERROR,
				(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
				 errmsg("stack depth limit exceeded"),
				 errhint("Increase the configuration parameter \"max_stack_depth\" (currently %dkB).",
						 max_stack_depth)));
}

/* ---------------------------------------------------------------------
 * Per-input set-up
 * ---------------------------------------------------------------------
 */

static MemoryContext input_context = NULL;

void
fuzz_shim_init(void)
{
	if (TopMemoryContext != NULL)
		return;
	TopMemoryContext = context_new(NULL, "TopMemoryContext");
	ErrorContext = context_new(TopMemoryContext, "ErrorContext");
	CurrentMemoryContext = TopMemoryContext;
}

MemoryContext
fuzz_begin(void *base)
{
	fuzz_shim_init();
	stack_base = base;
	PG_exception_stack = NULL;
	error_context_stack = NULL;
	input_context = context_new(TopMemoryContext, "fuzz input");
	CurrentMemoryContext = input_context;
	return input_context;
}

/* What TopMemoryContext holds between inputs: only ErrorContext, empty. */
static void
check_nothing_left(void)
{
	ShimContext *top = (ShimContext *) TopMemoryContext;
	MemoryContext child;

	if (top->chunks.next != &top->chunks)
	{
		fprintf(stderr, "LEAK: %zu bytes left in TopMemoryContext after an input\n",
				TopMemoryContext->mem_allocated);
		abort();
	}
	for (child = TopMemoryContext->firstchild; child; child = child->nextchild)
	{
		if (child == ErrorContext && MemoryContextIsEmpty(child))
			continue;
		fprintf(stderr, "LEAK: memory context \"%s\" (%zu bytes) outlives the input\n",
				child->name, MemoryContextMemAllocated(child, true));
		abort();
	}
}

void
fuzz_end(void)
{
	CurrentMemoryContext = TopMemoryContext;
	MemoryContextDelete(input_context);
	input_context = NULL;
	PG_exception_stack = NULL;
	error_context_stack = NULL;
	check_nothing_left();
}
