/* CSV rows via libcsv, fed one physical line at a time so that every row
 * knows the line it starts on and its raw text for the rejects table. */
#include "import/csvread.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

typedef struct qrow {
	strbuf data;      /* fields, each NUL-terminated, back to back */
	size_t *offs, *lens;
	size_t nfields, cap;
	strbuf raw;
	strbuf span_buf;  /* the row's span, when it is not the reader's line buffer */
	const char *span;
	size_t span_len;
	int plain;
	long long line;
	const char *error;
	strbuf why; /* error's text, when it is not a constant */
} qrow;

/* Bytes are read from the source in blocks of this size. */
#define IN_BLOCK (1 << 18)

struct imp_reader {
	imp_read_fn read;
	void *read_ctx;
	char *in;             /* the block being read: in[in_pos..in_len) is unread */
	size_t in_pos, in_len;
	int in_eof, in_error;
	struct csv_parser p;
	char *line;           /* a line that spans blocks is gathered here */
	size_t line_cap;
	long long lineno, bytes;
	qrow *q;     /* completed rows; q[qhead..qlen) are waiting to be returned */
	size_t qcap, qlen, qhead;
	qrow building;
	int in_row, eof;
	int eol; /* '\n', or '\r' in a file whose lines end in CR alone */
	const char **fieldptrs;
	size_t fieldptrs_cap;
	strbuf pending_raw;
	strbuf span;   /* bytes read since the last row that no row has taken yet */
	char first_eol[3];
	size_t width;    /* the first row's (the header's) field count, once read */
	int skipping;    /* after an over-long row: looking for a line that reads as a row */
	long long skip_first, skip_last;
	strbuf skip_raw; /* the over-long row's first IMP_MAX_ROW_BYTES */
};

static void qrow_reset(qrow *r)
{
	sb_reset(&r->data);
	sb_reset(&r->raw);
	sb_reset(&r->span_buf);
	r->span = "";
	r->span_len = 0;
	r->plain = 0;
	sb_reset(&r->why);
	r->nfields = 0;
	r->error = NULL;
	r->line = 0;
}

static void qrow_free(qrow *r)
{
	sb_release(&r->data);
	sb_release(&r->raw);
	sb_release(&r->span_buf);
	sb_release(&r->why);
	free(r->offs);
	free(r->lens);
}

static void qrow_swap(qrow *a, qrow *b)
{
	qrow t = *a;
	*a = *b;
	*b = t;
}

static void on_field(void *data, size_t len, void *ctx)
{
	imp_reader *r = ctx;
	qrow *b = &r->building;
	if (b->nfields == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->offs = xrealloc(b->offs, b->cap * sizeof *b->offs);
		b->lens = xrealloc(b->lens, b->cap * sizeof *b->lens);
	}
	b->offs[b->nfields] = b->data.len;
	b->lens[b->nfields] = len;
	sb_add(&b->data, data ? data : "", data ? len : 0);
	sb_putc(&b->data, '\0');
	b->nfields++;
	r->in_row = 1;
}

/* Moves the finished row in r->building onto the queue. */
static void queue_row(imp_reader *r)
{
	qrow *b = &r->building;
	/* one physical line can end several rows (CR-only line endings) */
	if (r->qlen == r->qcap) {
		size_t cap = r->qcap ? 2 * r->qcap : 4;
		r->q = xrealloc(r->q, cap * sizeof *r->q);
		memset(r->q + r->qcap, 0, (cap - r->qcap) * sizeof *r->q);
		r->qcap = cap;
	}
	qrow_swap(&r->q[r->qlen++], b);
	qrow_reset(b);
}

/* Moves the row being built by libcsv onto the queue. */
static void finish_row(imp_reader *r, const char *error)
{
	qrow *b = &r->building;
	if (!b->line)
		b->line = r->lineno;
	sb_reset(&b->raw);
	sb_add(&b->raw, r->pending_raw.buf ? r->pending_raw.buf : "", r->pending_raw.len);
	while (b->raw.len && (b->raw.buf[b->raw.len - 1] == '\n' || b->raw.buf[b->raw.len - 1] == '\r'))
		b->raw.buf[--b->raw.len] = '\0';
	b->error = error;
	queue_row(r);
	sb_reset(&r->pending_raw);
	r->in_row = 0;
}

/* The length of line S (N bytes) without its LF, CRLF or CR if it is one
 * whole row libcsv would split at every comma and nowhere else: no quote, no
 * other CR, not blank.  Else 0, and libcsv reads it. */
static size_t plain_line(const char *s, size_t n)
{
	if (n < 2 || (s[n - 1] != '\n' && s[n - 1] != '\r'))
		return 0;
	size_t m = s[n - 1] == '\r' ? n - 1 : s[n - 2] == '\r' ? n - 2 : n - 1; /* CR, CRLF, LF */
	if (m == 0 || memchr(s, '"', m) || memchr(s, '\r', m))
		return 0;
	return m;
}

/* Splits a plain line (see plain_line) of M bytes at its commas: the rows of
 * almost every file, read without libcsv's per-byte callbacks. */
static void split_line(imp_reader *r, const char *s, size_t m)
{
	qrow *b = &r->building;
	sb_reset(&b->data);
	sb_add(&b->data, s, m);
	sb_reset(&b->raw);
	sb_add(&b->raw, s, m);
	char *d = b->data.buf, *end = d + m, *f = d;
	for (;;) {
		char *c = memchr(f, ',', (size_t)(end - f));
		if (b->nfields == b->cap) {
			b->cap = b->cap ? 2 * b->cap : 16;
			b->offs = xrealloc(b->offs, b->cap * sizeof *b->offs);
			b->lens = xrealloc(b->lens, b->cap * sizeof *b->lens);
		}
		b->offs[b->nfields] = (size_t)(f - d);
		b->lens[b->nfields] = (size_t)((c ? c : end) - f);
		b->nfields++;
		if (!c)
			break;
		*c = '\0';
		f = c + 1;
	}
	b->line = r->lineno;
	b->error = NULL;
	b->plain = 1;
	queue_row(r);
}

static void on_row(int c, void *ctx)
{
	imp_reader *r = ctx;
	(void)c;
	finish_row(r, NULL);
}

/* police.uk keeps meaningful trailing spaces ("On or near "): libcsv
 * would trim them by default. */
static int never_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void parser_init(struct csv_parser *p)
{
	if (csv_init(p, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI) != 0)
		abort();
	csv_set_space_func(p, never_space);
}

imp_reader *imp_reader_new_stream(imp_read_fn read, void *ctx)
{
	imp_reader *r = xcalloc(1, sizeof *r);
	r->read = read;
	r->read_ctx = ctx;
	r->eol = '\n';
	parser_init(&r->p);
	return r;
}

long imp_read_file(void *ctx, char *buf, size_t n)
{
	FILE *f = ctx;
	size_t k = fread(buf, 1, n, f);
	return k == 0 && ferror(f) ? -1 : (long)k;
}

imp_reader *imp_reader_new(FILE *f)
{
	return imp_reader_new_stream(imp_read_file, f);
}

void imp_reader_free(imp_reader *r)
{
	if (!r)
		return;
	csv_free(&r->p);
	for (size_t i = 0; i < r->qcap; i++)
		qrow_free(&r->q[i]);
	free(r->q);
	qrow_free(&r->building);
	sb_release(&r->pending_raw);
	sb_release(&r->span);
	sb_release(&r->skip_raw);
	free(r->line);
	free(r->in);
	free(r->fieldptrs);
	free(r);
}

long long imp_reader_bytes(const imp_reader *r)
{
	return r->bytes;
}

const char *imp_reader_eol(const imp_reader *r)
{
	return r->first_eol;
}

const char *imp_reader_rest(const imp_reader *r, size_t *n)
{
	*n = r->span.len;
	return r->span.buf ? r->span.buf : "";
}

/* Gives the bytes read since the last row took its span to the last row this
 * feed queued (rows from QLEN0 on), or keeps them for a later row.  LINE
 * (N bytes) is the line just fed, when nothing was kept before it: a plain
 * row then points into the line buffer instead of copying it. */
static void give_span(imp_reader *r, size_t qlen0, const char *line, size_t n)
{
	if (r->qlen == qlen0) {
		if (line)
			sb_add(&r->span, line, n);
		return;
	}
	qrow *q = &r->q[r->qlen - 1];
	if (line && r->span.len == 0) {
		q->span = line;
		q->span_len = n;
		return;
	}
	if (line)
		sb_add(&r->span, line, n);
	strbuf t = q->span_buf;
	q->span_buf = r->span;
	r->span = t;
	sb_reset(&r->span);
	q->span = q->span_buf.buf ? q->span_buf.buf : "";
	q->span_len = q->span_buf.len;
}

/* Drops the parser state after a malformed row so reading resumes cleanly. */
static void reset_parser(imp_reader *r)
{
	csv_free(&r->p);
	parser_init(&r->p);
	qrow_reset(&r->building);
	r->in_row = 0;
}

/* Makes unread input available: 1, 0 at the end, -1 on a read error. */
static int fill(imp_reader *r)
{
	if (r->in_pos < r->in_len)
		return 1;
	if (r->in_error)
		return -1;
	if (r->in_eof)
		return 0;
	if (!r->in)
		r->in = xmalloc(IN_BLOCK);
	long k = r->read(r->read_ctx, r->in, IN_BLOCK);
	r->in_pos = 0;
	r->in_len = k > 0 ? (size_t)k : 0;
	if (k < 0)
		r->in_error = 1;
	else if (k == 0)
		r->in_eof = 1;
	return k > 0 ? 1 : k < 0 ? -1 : 0;
}

static void line_reserve(imp_reader *r, size_t n)
{
	if (n > r->line_cap) {
		r->line_cap = r->line_cap ? 2 * r->line_cap : 256;
		if (r->line_cap < n)
			r->line_cap = n;
		r->line = xrealloc(r->line, r->line_cap);
	}
}

/* Reads the next line, up to and including EOL, into *LINE: the input block
 * itself when the line lies in it, else r->line.  Its length, or -1 at the
 * end or on a read error (r->in_error). */
static ssize_t next_line(imp_reader *r, int eol, const char **line)
{
	size_t n = 0;
	int got;
	while ((got = fill(r)) > 0) {
		const char *s = r->in + r->in_pos;
		size_t avail = r->in_len - r->in_pos;
		const char *e = memchr(s, eol, avail);
		size_t take = e ? (size_t)(e - s) + 1 : avail;
		r->in_pos += take;
		if (e && n == 0) {
			*line = s;
			return (ssize_t)take;
		}
		line_reserve(r, n + take + 1);
		memcpy(r->line + n, s, take);
		n += take;
		if (e)
			break;
	}
	if (got < 0 || n == 0)
		return -1;
	r->line[n] = '\0';
	*line = r->line;
	return (ssize_t)n;
}

/* Reads the first line, which says how lines end: at LF (or CRLF), or at a
 * CR alone (old Mac files, and Excel's "CSV (Macintosh)"), which a search for
 * LF would take for one line as long as the file.  Like next_line otherwise. */
static ssize_t first_line(imp_reader *r, const char **line)
{
	size_t n = 0;
	while (fill(r) > 0) {
		char c = r->in[r->in_pos++];
		line_reserve(r, n + 3);
		r->line[n++] = c;
		if (c == '\n')
			break;
		if (c == '\r') {
			if (fill(r) > 0) {
				if (r->in[r->in_pos] == '\n')
					r->line[n++] = r->in[r->in_pos++];
				else
					r->eol = '\r';
			}
			break;
		}
	}
	if (r->in_error || n == 0)
		return -1;
	r->line[n] = '\0';
	*line = r->line;
	return (ssize_t)n;
}

/* Counts what libcsv makes of one line, for line_is_row. */
typedef struct probe {
	size_t fields, row_fields, rows;
} probe;

static void probe_field(void *data, size_t len, void *ctx)
{
	(void)data;
	(void)len;
	((probe *)ctx)->fields++;
}

static void probe_row(int c, void *ctx)
{
	(void)c;
	probe *p = ctx;
	p->rows++;
	p->row_fields = p->fields;
	p->fields = 0;
}

/* True if line S (N bytes, its line ending included) is one whole row on
 * its own, with as many fields as the header when that is known. */
static int line_is_row(const imp_reader *r, const char *s, size_t n)
{
	size_t m = plain_line(s, n);
	if (m) {
		size_t fields = 1;
		for (const char *c = s; (c = memchr(c, ',', (size_t)(s + m - c))) != NULL; c++)
			fields++;
		return !r->width || fields == r->width;
	}
	struct csv_parser p;
	parser_init(&p);
	probe pr = {0};
	int ok = csv_parse(&p, s, n, probe_field, probe_row, &pr) == n;
	if (ok && n && s[n - 1] != '\n' && s[n - 1] != '\r') /* the last line, with no ending */
		ok = csv_fini(&p, probe_field, probe_row, &pr) == 0;
	csv_free(&p);
	return ok && pr.rows == 1 && pr.fields == 0 && (!r->width || pr.row_fields == r->width);
}

/* Ends the span skipped after an over-long row: one malformed row for all
 * of it, starting where the over-long row did. */
static void end_skip(imp_reader *r)
{
	qrow *b = &r->building;
	qrow_reset(b);
	b->line = r->skip_first;
	sb_reset(&r->pending_raw);
	sb_add(&r->pending_raw, r->skip_raw.buf ? r->skip_raw.buf : "", r->skip_raw.len);
	sb_reset(&r->skip_raw);
	if (r->skip_last == r->skip_first)
		sb_printf(&b->why, "row is longer than %d bytes", IMP_MAX_ROW_BYTES);
	else
		sb_printf(&b->why, "row is longer than %d bytes (an unterminated quote?): lines %lld to %lld skipped, %s",
			  IMP_MAX_ROW_BYTES, r->skip_first, r->skip_last,
			  r->eof ? "to the end of the file" : "up to the next line that reads as a row");
	finish_row(r, b->why.buf);
	r->skipping = 0;
}

/* Feeds one more physical line (or finishes at EOF); -1 on read error. */
static int feed(imp_reader *r)
{
	const char *s = NULL;
	ssize_t n = r->lineno == 0 ? first_line(r, &s) : next_line(r, r->eol, &s);
	size_t qlen0 = r->qlen;
	if (n < 0) {
		if (r->in_error)
			return -1;
		r->eof = 1;
		if (r->skipping) {
			end_skip(r);
		} else if (csv_fini(&r->p, on_field, on_row, r) != 0) {
			r->building.line = r->building.line ? r->building.line : r->lineno;
			finish_row(r, "unterminated quoted field at end of file");
			reset_parser(r);
		} else if (r->in_row || r->pending_raw.len) {
			finish_row(r, NULL);
		}
		give_span(r, qlen0, NULL, 0);
		return 0;
	}
	r->lineno++;
	r->bytes += n;
	if (r->lineno == 1) {
		size_t e = n >= 2 && s[n - 2] == '\r' && s[n - 1] == '\n' ? 2 : s[n - 1] == '\n' || s[n - 1] == '\r' ? 1 : 0;
		memcpy(r->first_eol, s + n - e, e);
		r->first_eol[e] = '\0';
	}
	const char *line = s;      /* valid until the next feed */
	size_t whole = (size_t)n; /* with a BOM: the span keeps it */
	if (r->lineno == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		n -= 3;
	}
	/* After an over-long row, lines are skipped until one reads as a row
	 * of its own: one unterminated quote does not turn the rest of the file
	 * into rejects, and the rows after it are read. */
	if (r->skipping) {
		if (!line_is_row(r, s, (size_t)n)) {
			r->skip_last = r->lineno;
			give_span(r, qlen0, line, whole);
			return 0;
		}
		end_skip(r);
		/* the skipped lines are the over-long row's; this one is the next row's */
		give_span(r, qlen0, NULL, 0);
		qlen0 = r->qlen;
	}
	if (!r->in_row && r->pending_raw.len == 0)
		r->building.line = r->lineno;
	/* the limit is on the row's text: line endings do not count */
	size_t text = (size_t)n;
	while (text && (s[text - 1] == '\n' || s[text - 1] == '\r'))
		text--;
	if (r->pending_raw.len + text > IMP_MAX_ROW_BYTES) {
		r->skip_first = r->building.line;
		r->skip_last = r->lineno;
		sb_reset(&r->skip_raw);
		sb_add(&r->skip_raw, r->pending_raw.buf ? r->pending_raw.buf : "", r->pending_raw.len);
		size_t keep = IMP_MAX_ROW_BYTES > r->pending_raw.len ? IMP_MAX_ROW_BYTES - r->pending_raw.len : 0;
		sb_add(&r->skip_raw, s, (size_t)n < keep ? (size_t)n : keep);
		sb_reset(&r->pending_raw);
		reset_parser(r);
		r->skipping = 1;
		give_span(r, qlen0, line, whole);
		return 0;
	}
	/* libcsv's public state: 0 (ROW_NOT_BEGUN) between rows, outside quotes */
	size_t plain = r->p.pstate != 0 || r->in_row || r->pending_raw.len ? 0 : plain_line(s, (size_t)n);
	if (plain) {
		split_line(r, s, plain);
		give_span(r, qlen0, line, whole);
		return 0;
	}
	sb_add(&r->pending_raw, s, (size_t)n);
	size_t done = csv_parse(&r->p, s, (size_t)n, on_field, on_row, r);
	if (done < (size_t)n) {
		const char *why = csv_error(&r->p) == CSV_EPARSE ? "malformed quoting" : "CSV parser out of memory";
		long long start = r->building.line;
		reset_parser(r);
		r->building.line = start;
		finish_row(r, why);
	}
	give_span(r, qlen0, line, whole);
	return 0;
}

int imp_reader_next(imp_reader *r, imp_row *row)
{
	while (r->qhead == r->qlen) {
		if (r->eof)
			return 0;
		/* every queued row has been handed out: reuse the slots */
		r->qhead = r->qlen = 0;
		if (feed(r) != 0)
			return -1;
		/* blank lines make no row: forget their raw text */
		if (r->qlen == 0 && !r->in_row && r->pending_raw.len && strspn(r->pending_raw.buf, "\r\n") == r->pending_raw.len)
			sb_reset(&r->pending_raw);
	}
	qrow *q = &r->q[r->qhead++];
	if (r->fieldptrs_cap < q->nfields) {
		r->fieldptrs_cap = q->nfields;
		r->fieldptrs = xrealloc(r->fieldptrs, q->nfields * sizeof *r->fieldptrs);
	}
	for (size_t i = 0; i < q->nfields; i++)
		r->fieldptrs[i] = q->data.buf + q->offs[i];
	if (!r->width && !q->error && (q->nfields > 1 || (q->nfields == 1 && q->lens[0] > 0)))
		r->width = q->nfields;
	row->line = q->line;
	row->nfields = q->error ? 0 : q->nfields;
	row->fields = r->fieldptrs;
	row->lens = q->lens;
	row->raw = q->raw.buf ? q->raw.buf : "";
	row->raw_len = q->raw.len;
	row->error = q->error;
	row->span = q->span ? q->span : "";
	row->span_len = q->span_len;
	row->plain = q->plain;
	return 1;
}
