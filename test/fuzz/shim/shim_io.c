/*-------------------------------------------------------------------------
 *
 * shim_io.c
 *	  Backend shim for the fuzz harnesses: pqformat (send/recv buffers),
 *	  varlena and text helpers, and the server encoding (UTF8).
 *
 * Receiving text checks it as the server does when client and server
 * encodings are both UTF8: invalid sequences and zero bytes are an ERROR
 * (22021), never a string handed to the type's code.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "shim.h"

/* ---------------------------------------------------------------------
 * Encoding (the server's is UTF8)
 * ---------------------------------------------------------------------
 */

int
GetDatabaseEncoding(void)
{
	return PG_UTF8;
}

int
pg_get_client_encoding(void)
{
	return PG_UTF8;
}

int
pg_database_encoding_max_length(void)
{
	return 4;
}

int
pg_mblen(const char *mbstr)
{
	return pg_utf_mblen((const unsigned char *) mbstr);
}

int
pg_mbstrlen(const char *mbstr)
{
	int			len = 0;

	while (*mbstr)
	{
		mbstr += pg_mblen(mbstr);
		len++;
	}
	return len;
}

int
pg_mbstrlen_with_len(const char *mbstr, int limit)
{
	int			len = 0;

	while (limit > 0 && *mbstr)
	{
		int			l = pg_mblen(mbstr);

		limit -= l;
		mbstr += l;
		len++;
	}
	return len;
}

bool
pg_verifymbstr(const char *mbstr, int len, bool noError)
{
	if (pg_encoding_verifymbstr(PG_UTF8, mbstr, len) != len)
	{
		if (noError)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("invalid byte sequence for encoding \"UTF8\"")));
	}
	return true;
}

/* ---------------------------------------------------------------------
 * pqformat
 * ---------------------------------------------------------------------
 */

void
pq_sendbytes(StringInfo buf, const char *data, int datalen)
{
	appendBinaryStringInfo(buf, data, datalen);
}

void
pq_sendcountedtext(StringInfo buf, const char *str, int slen,
				   bool countincludesself)
{
	int			extra = countincludesself ? 4 : 0;

	pq_sendint32(buf, slen + extra);
	appendBinaryStringInfoNT(buf, str, slen);
}

void
pq_sendtext(StringInfo buf, const char *str, int slen)
{
	appendBinaryStringInfo(buf, str, slen);
}

void
pq_sendstring(StringInfo buf, const char *str)
{
	appendBinaryStringInfoNT(buf, str, strlen(str) + 1);
}

void
pq_begintypsend(StringInfo buf)
{
	initStringInfo(buf);
	appendStringInfoCharMacro(buf, '\0');
	appendStringInfoCharMacro(buf, '\0');
	appendStringInfoCharMacro(buf, '\0');
	appendStringInfoCharMacro(buf, '\0');
}

bytea *
pq_endtypsend(StringInfo buf)
{
	bytea	   *result = (bytea *) buf->data;

	SET_VARSIZE(result, buf->len);
	return result;
}

int
pq_getmsgbyte(StringInfo msg)
{
	if (msg->cursor >= msg->len)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("no data left in message")));
	return (unsigned char) msg->data[msg->cursor++];
}

void
pq_copymsgbytes(StringInfo msg, char *buf, int datalen)
{
	if (datalen < 0 || datalen > (msg->len - msg->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("insufficient data left in message")));
	memcpy(buf, &msg->data[msg->cursor], datalen);
	msg->cursor += datalen;
}

const char *
pq_getmsgbytes(StringInfo msg, int datalen)
{
	const char *result;

	if (datalen < 0 || datalen > (msg->len - msg->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("insufficient data left in message")));
	result = &msg->data[msg->cursor];
	msg->cursor += datalen;
	return result;
}

unsigned int
pq_getmsgint(StringInfo msg, int b)
{
	unsigned char c;
	uint16		n16;
	uint32		n32;

	switch (b)
	{
		case 1:
			pq_copymsgbytes(msg, (char *) &c, 1);
			return c;
		case 2:
			pq_copymsgbytes(msg, (char *) &n16, 2);
			return pg_ntoh16(n16);
		case 4:
			pq_copymsgbytes(msg, (char *) &n32, 4);
			return pg_ntoh32(n32);
		default:
			elog(ERROR, "unsupported integer size %d", b);
	}
	return 0;
}

int64
pq_getmsgint64(StringInfo msg)
{
	uint64		n64;

	pq_copymsgbytes(msg, (char *) &n64, sizeof(n64));
	return pg_ntoh64(n64);
}

char *
pq_getmsgtext(StringInfo msg, int rawbytes, int *nbytes)
{
	char	   *str;

	if (rawbytes < 0 || rawbytes > (msg->len - msg->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("insufficient data left in message")));
	/* client and server both UTF8: verified, then copied */
	pg_verifymbstr(&msg->data[msg->cursor], rawbytes, false);
	str = palloc(rawbytes + 1);
	memcpy(str, &msg->data[msg->cursor], rawbytes);
	str[rawbytes] = '\0';
	*nbytes = rawbytes;
	msg->cursor += rawbytes;
	return str;
}

const char *
pq_getmsgstring(StringInfo msg)
{
	char	   *str = &msg->data[msg->cursor];
	int			slen = strnlen(str, msg->len - msg->cursor);

	if (msg->cursor + slen >= msg->len)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("invalid string in message")));
	msg->cursor += slen + 1;
	pg_verifymbstr(str, slen, false);
	return str;
}

void
pq_getmsgend(StringInfo msg)
{
	if (msg->cursor != msg->len)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("invalid message format")));
}

/* ---------------------------------------------------------------------
 * Varlena: values are never compressed or out of line here
 * ---------------------------------------------------------------------
 */

static struct varlena *
detoast(struct varlena *datum, bool copy, bool allow_short)
{
	struct varlena *result;
	Size		len;

	if (VARATT_IS_EXTERNAL(datum) || VARATT_IS_COMPRESSED(datum))
		elog(ERROR, "fuzz shim: compressed or external varlena values are not supported");
	if (VARATT_IS_SHORT(datum))
	{
		if (allow_short && !copy)
			return datum;
		len = VARSIZE_SHORT(datum) - VARHDRSZ_SHORT;
		result = palloc(len + VARHDRSZ);
		SET_VARSIZE(result, len + VARHDRSZ);
		memcpy(VARDATA(result), VARDATA_SHORT(datum), len);
		return result;
	}
	if (!copy)
		return datum;
	len = VARSIZE(datum);
	result = palloc(len);
	memcpy(result, datum, len);
	return result;
}

struct varlena *
pg_detoast_datum(struct varlena *datum)
{
	return detoast(datum, false, false);
}

struct varlena *
pg_detoast_datum_copy(struct varlena *datum)
{
	return detoast(datum, true, false);
}

struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	return detoast(datum, false, true);
}

text *
cstring_to_text_with_len(const char *s, int len)
{
	text	   *result = palloc(len + VARHDRSZ);

	SET_VARSIZE(result, len + VARHDRSZ);
	memcpy(VARDATA(result), s, len);
	return result;
}

text *
cstring_to_text(const char *s)
{
	return cstring_to_text_with_len(s, strlen(s));
}

char *
text_to_cstring(const text *t)
{
	text	   *tunpacked = (text *) pg_detoast_datum_packed((struct varlena *) t);
	int			len = VARSIZE_ANY_EXHDR(tunpacked);
	char	   *result = palloc(len + 1);

	memcpy(result, VARDATA_ANY(tunpacked), len);
	result[len] = '\0';
	if (tunpacked != t)
		pfree(tunpacked);
	return result;
}
