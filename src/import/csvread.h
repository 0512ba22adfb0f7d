/* A streaming CSV row reader on libcsv that keeps each row's line number and
 * raw text, and turns malformed rows into errors instead of losing them. */
#ifndef CRIMETAB_CSVREAD_H
#define CRIMETAB_CSVREAD_H

#include <stddef.h>
#include <stdio.h>

/* Rows longer than this are rejected whole (a "field of megabytes"), and the
 * lines after one are skipped until one reads as a row with the header's
 * number of fields: one reject covers the span, naming its first and last
 * line, and keeps the first IMP_MAX_ROW_BYTES of it. */
#define IMP_MAX_ROW_BYTES 65536

typedef struct imp_row {
	long long line;       /* line the row starts on, from 1 */
	size_t nfields;
	const char **fields;  /* NUL-terminated, valid until the next call */
	const size_t *lens;
	const char *raw;      /* the row's text as read, newline excluded (NUL bytes too) */
	size_t raw_len;
	const char *error;    /* non-NULL: the row is malformed, fields unusable */
	/* Every byte of the file this row accounts for: blank lines before it, a
	 * BOM (first row), its text and its line ending.  The spans of all rows
	 * in order, then imp_reader_rest, are the file. */
	const char *span;
	size_t span_len;
	int plain;            /* no quote in the text: the fields are its comma-separated pieces */
} imp_row;

typedef struct imp_reader imp_reader;

/* Where a reader's bytes come from: reads up to N bytes into BUF and returns
 * how many, 0 at the end, or -1 on an error (the caller's CTX knows why).  A
 * short count is not the end. */
typedef long (*imp_read_fn)(void *ctx, char *buf, size_t n);

/* An imp_read_fn over the FILE * CTX. */
long imp_read_file(void *ctx, char *buf, size_t n);

/* Reads from F (not closed by the reader).  A UTF-8 BOM is skipped and CRLF
 * accepted. */
imp_reader *imp_reader_new(FILE *f);
/* Reads whatever READ gives (a zip member, a buffer), like imp_reader_new. */
imp_reader *imp_reader_new_stream(imp_read_fn read, void *ctx);
void imp_reader_free(imp_reader *r);
/* Next row: 1 and *row filled, 0 at end of input, -1 on a read error. */
int imp_reader_next(imp_reader *r, imp_row *row);
/* Bytes consumed so far, for progress. */
long long imp_reader_bytes(const imp_reader *r);
/* How the first line ended: "\n", "\r\n", "\r", or "" (no line ending). */
const char *imp_reader_eol(const imp_reader *r);
/* At the end of input: the bytes read after the last row (blank lines), *N
 * of them. */
const char *imp_reader_rest(const imp_reader *r, size_t *n);

#endif
