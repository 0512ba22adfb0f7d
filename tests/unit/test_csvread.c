/* Unit tests for the CSV row reader: quoting, line numbers, line endings and
 * how malformed rows become error rows without losing the rows after them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "import/csvread.h"

/* A reader over an in-memory copy of N bytes of TEXT. */
typedef struct src {
	char *buf;
	FILE *f;
	imp_reader *r;
} src;

static void src_open(src *s, const char *text, size_t n)
{
	s->buf = malloc(n ? n : 1);
	assert_non_null(s->buf);
	memcpy(s->buf, text, n);
	s->f = fmemopen(s->buf, n, "r");
	assert_non_null(s->f);
	s->r = imp_reader_new(s->f);
	assert_non_null(s->r);
}

static void src_close(src *s)
{
	imp_reader_free(s->r);
	fclose(s->f);
	free(s->buf);
}

#define SRC_OPEN(s, lit) src_open((s), (lit), sizeof(lit) - 1)

/* Reads the next row and checks it is well formed with NFIELDS fields starting on LINE. */
static void next_ok(src *s, imp_row *row, long long line, size_t nfields)
{
	assert_int_equal(imp_reader_next(s->r, row), 1);
	assert_null(row->error);
	assert_int_equal(row->line, line);
	assert_int_equal(row->nfields, nfields);
	for (size_t i = 0; i < nfields; i++)
		assert_int_equal(strlen(row->fields[i]), row->lens[i]);
}

static void next_error(src *s, imp_row *row, long long line)
{
	assert_int_equal(imp_reader_next(s->r, row), 1);
	assert_non_null(row->error);
	assert_int_equal(row->line, line);
}

static void at_end(src *s)
{
	imp_row row;
	assert_int_equal(imp_reader_next(s->r, &row), 0);
	/* and stays at the end */
	assert_int_equal(imp_reader_next(s->r, &row), 0);
}

static void test_plain_rows(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "Crime ID,Month,Crime type\nabc,2024-10,Burglary\n,2024-10,Anti-social behaviour\n");
	next_ok(&s, &row, 1, 3);
	assert_string_equal(row.fields[0], "Crime ID");
	assert_string_equal(row.fields[2], "Crime type");
	assert_string_equal(row.raw, "Crime ID,Month,Crime type");
	next_ok(&s, &row, 2, 3);
	assert_string_equal(row.fields[0], "abc");
	assert_string_equal(row.fields[1], "2024-10");
	assert_string_equal(row.fields[2], "Burglary");
	next_ok(&s, &row, 3, 3);
	assert_string_equal(row.fields[0], "");
	assert_int_equal(row.lens[0], 0);
	assert_string_equal(row.fields[2], "Anti-social behaviour");
	assert_string_equal(row.raw, ",2024-10,Anti-social behaviour");
	at_end(&s);
	assert_int_equal(imp_reader_bytes(s.r), 26 + 21 + 31);
	src_close(&s);
}

/* police.uk's "On or near " keeps its trailing space; leading ones stay too. */
static void test_spaces_kept(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "On or near , x ,\t\n");
	next_ok(&s, &row, 1, 3);
	assert_string_equal(row.fields[0], "On or near ");
	assert_string_equal(row.fields[1], " x ");
	assert_string_equal(row.fields[2], "\t");
	at_end(&s);
	src_close(&s);
}

static void test_quoted_comma(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "a,\"On or near Great Central Railway, Quorn\",E01025555\nb,c,d\n");
	next_ok(&s, &row, 1, 3);
	assert_string_equal(row.fields[0], "a");
	assert_string_equal(row.fields[1], "On or near Great Central Railway, Quorn");
	assert_string_equal(row.fields[2], "E01025555");
	assert_string_equal(row.raw, "a,\"On or near Great Central Railway, Quorn\",E01025555");
	next_ok(&s, &row, 2, 3);
	at_end(&s);
	src_close(&s);
}

static void test_doubled_quotes(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "\"say \"\"hi\"\"\",\"\"\"\",\"\"\n");
	next_ok(&s, &row, 1, 3);
	assert_string_equal(row.fields[0], "say \"hi\"");
	assert_string_equal(row.fields[1], "\"");
	assert_string_equal(row.fields[2], "");
	at_end(&s);
	src_close(&s);
}

static void test_embedded_newline(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "h1,h2,h3\n1,\"two\nlines\nhere\",3\nnext,row,4\n");
	next_ok(&s, &row, 1, 3);
	next_ok(&s, &row, 2, 3);
	assert_string_equal(row.fields[1], "two\nlines\nhere");
	assert_string_equal(row.fields[2], "3");
	assert_string_equal(row.raw, "1,\"two\nlines\nhere\",3");
	next_ok(&s, &row, 5, 3);
	assert_string_equal(row.fields[0], "next");
	assert_string_equal(row.raw, "next,row,4");
	at_end(&s);
	src_close(&s);
}

static void test_bom_skipped(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "\xEF\xBB\xBF"
		     "Crime ID,Month\nx,2024-10\n");
	next_ok(&s, &row, 1, 2);
	assert_string_equal(row.fields[0], "Crime ID");
	assert_int_equal(row.lens[0], 8);
	assert_string_equal(row.raw, "Crime ID,Month");
	next_ok(&s, &row, 2, 2);
	at_end(&s);
	src_close(&s);
}

/* Only a BOM at the very start is an encoding mark; later ones are data. */
static void test_bom_only_on_line_one(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "a,b\n\xEF\xBB\xBFx,y\n");
	next_ok(&s, &row, 1, 2);
	next_ok(&s, &row, 2, 2);
	assert_string_equal(row.fields[0], "\xEF\xBB\xBFx");
	at_end(&s);
	src_close(&s);
}

static void test_crlf(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "a,b,c\r\nd,\"e\r\nf\",g\r\nh,i,\r\n");
	next_ok(&s, &row, 1, 3);
	assert_string_equal(row.fields[2], "c");
	assert_string_equal(row.raw, "a,b,c");
	next_ok(&s, &row, 2, 3);
	assert_string_equal(row.fields[0], "d");
	assert_string_equal(row.fields[1], "e\r\nf");
	assert_string_equal(row.fields[2], "g");
	next_ok(&s, &row, 4, 3);
	assert_string_equal(row.fields[0], "h");
	assert_string_equal(row.fields[2], "");
	assert_string_equal(row.raw, "h,i,");
	at_end(&s);
	src_close(&s);
}

static void test_trailing_empty_fields(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "a,,\n,,,\nx,\n");
	next_ok(&s, &row, 1, 3);
	assert_string_equal(row.fields[0], "a");
	assert_string_equal(row.fields[1], "");
	assert_string_equal(row.fields[2], "");
	next_ok(&s, &row, 2, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(row.lens[i], 0);
	next_ok(&s, &row, 3, 2);
	assert_string_equal(row.fields[1], "");
	at_end(&s);
	src_close(&s);
}

static void test_no_final_newline(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "a,b\nc,d");
	next_ok(&s, &row, 1, 2);
	next_ok(&s, &row, 2, 2);
	assert_string_equal(row.fields[0], "c");
	assert_string_equal(row.fields[1], "d");
	assert_string_equal(row.raw, "c,d");
	at_end(&s);
	src_close(&s);
}

/* A last row that ends in an empty field and no newline still has it. */
static void test_no_final_newline_trailing_comma(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "a,b\nc,");
	next_ok(&s, &row, 1, 2);
	next_ok(&s, &row, 2, 2);
	assert_string_equal(row.fields[0], "c");
	assert_string_equal(row.fields[1], "");
	at_end(&s);
	src_close(&s);
}

static void test_blank_lines_skipped(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "\na\n\nb\n\r\n\n\"c\nc\"\n\nd\n\n");
	next_ok(&s, &row, 2, 1);
	assert_string_equal(row.fields[0], "a");
	assert_string_equal(row.raw, "a");
	next_ok(&s, &row, 4, 1);
	assert_string_equal(row.fields[0], "b");
	assert_string_equal(row.raw, "b");
	next_ok(&s, &row, 7, 1);
	assert_string_equal(row.fields[0], "c\nc");
	next_ok(&s, &row, 10, 1);
	assert_string_equal(row.fields[0], "d");
	assert_string_equal(row.raw, "d");
	at_end(&s);
	src_close(&s);
}

static void test_only_blank_lines(void **state)
{
	(void)state;
	src s;
	SRC_OPEN(&s, "\n\r\n\n");
	at_end(&s);
	src_close(&s);
}

/* Builds "a,<n x's>\n" + TAIL. */
static char *long_row(size_t n, const char *tail, size_t *len)
{
	size_t tl = strlen(tail);
	char *t = malloc(n + tl + 4);
	assert_non_null(t);
	memcpy(t, "a,", 2);
	memset(t + 2, 'x', n);
	t[2 + n] = '\n';
	memcpy(t + 3 + n, tail, tl);
	*len = n + tl + 3;
	return t;
}

static void test_overlong_row(void **state)
{
	(void)state;
	size_t len;
	char *text = long_row(IMP_MAX_ROW_BYTES + 5000, "ok,1\nok,2\n", &len);
	src s;
	imp_row row;
	src_open(&s, text, len);
	next_error(&s, &row, 1);
	assert_non_null(strstr(row.error, "longer than"));
	assert_int_equal(row.nfields, 0);
	/* the raw text is kept, cut at the limit */
	assert_true(strncmp(row.raw, "a,xxxx", 6) == 0);
	assert_true(strlen(row.raw) <= IMP_MAX_ROW_BYTES);
	assert_true(strlen(row.raw) >= IMP_MAX_ROW_BYTES - 1);
	next_ok(&s, &row, 2, 2);
	assert_string_equal(row.fields[0], "ok");
	assert_string_equal(row.fields[1], "1");
	next_ok(&s, &row, 3, 2);
	assert_string_equal(row.fields[1], "2");
	at_end(&s);
	src_close(&s);
	free(text);
}

/* A row just under the limit is an ordinary row. */
static void test_row_under_limit(void **state)
{
	(void)state;
	size_t len;
	char *text = long_row(IMP_MAX_ROW_BYTES - 100, "ok,1\n", &len);
	src s;
	imp_row row;
	src_open(&s, text, len);
	next_ok(&s, &row, 1, 2);
	assert_int_equal(row.lens[1], IMP_MAX_ROW_BYTES - 100);
	next_ok(&s, &row, 2, 2);
	at_end(&s);
	src_close(&s);
	free(text);
}

/* A quoted field that grows past the limit over several lines is one error
 * row at the line it started on; the rest of that row's lines go with it. */
static void test_overlong_multiline_row(void **state)
{
	(void)state;
	size_t half = IMP_MAX_ROW_BYTES / 2 + 100;
	char *text = malloc(3 * half + 64);
	assert_non_null(text);
	size_t n = 0;
	n += (size_t)sprintf(text + n, "h,v\nb,\"");
	memset(text + n, 'y', half);
	n += half;
	text[n++] = '\n';
	memset(text + n, 'z', half);
	n += half;
	n += (size_t)sprintf(text + n, "\"\nc,d\n");
	src s;
	imp_row row;
	src_open(&s, text, n);
	next_ok(&s, &row, 1, 2);
	next_error(&s, &row, 2);
	assert_non_null(strstr(row.error, "longer than"));
	assert_true(strncmp(row.raw, "b,\"yyy", 6) == 0);
	next_ok(&s, &row, 4, 2);
	assert_string_equal(row.fields[0], "c");
	assert_string_equal(row.fields[1], "d");
	at_end(&s);
	src_close(&s);
	free(text);
}

static void test_malformed_quoting(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "h1,h2\na,\"b\"c\nd,e\n");
	next_ok(&s, &row, 1, 2);
	next_error(&s, &row, 2);
	assert_string_equal(row.error, "malformed quoting");
	assert_int_equal(row.nfields, 0);
	assert_string_equal(row.raw, "a,\"b\"c");
	next_ok(&s, &row, 3, 2);
	assert_string_equal(row.fields[0], "d");
	assert_string_equal(row.fields[1], "e");
	assert_string_equal(row.raw, "d,e");
	at_end(&s);
	src_close(&s);
}

/* A quote inside an unquoted field is malformed too (strict RFC 4180). */
static void test_quote_inside_unquoted_field(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "a,b\"c\nd,e\n");
	next_error(&s, &row, 1);
	assert_string_equal(row.error, "malformed quoting");
	assert_string_equal(row.raw, "a,b\"c");
	next_ok(&s, &row, 2, 2);
	at_end(&s);
	src_close(&s);
}

/* Malformed quoting found on the second line of a multi-line row is
 * reported at the line the row starts on, like every other row. */
static void test_malformed_quoting_multiline(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "h1,h2\na,\"open\nstill\"x\nd,e\n");
	next_ok(&s, &row, 1, 2);
	next_error(&s, &row, 2);
	assert_string_equal(row.error, "malformed quoting");
	assert_string_equal(row.raw, "a,\"open\nstill\"x");
	next_ok(&s, &row, 4, 2);
	assert_string_equal(row.fields[0], "d");
	at_end(&s);
	src_close(&s);
}

static void test_unterminated_quote_at_eof(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "a,b\nc,\"open\nmore text\n");
	next_ok(&s, &row, 1, 2);
	next_error(&s, &row, 2);
	assert_non_null(strstr(row.error, "unterminated"));
	assert_string_equal(row.raw, "c,\"open\nmore text");
	at_end(&s);
	src_close(&s);
}

/* Several malformed rows in a row: each is its own error, none is lost. */
static void test_errors_in_sequence(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "\"x\"y\n\"p\"q\nok\n\"r\"s\n");
	next_error(&s, &row, 1);
	assert_string_equal(row.raw, "\"x\"y");
	next_error(&s, &row, 2);
	assert_string_equal(row.raw, "\"p\"q");
	next_ok(&s, &row, 3, 1);
	assert_string_equal(row.fields[0], "ok");
	next_error(&s, &row, 4);
	assert_string_equal(row.raw, "\"r\"s");
	at_end(&s);
	src_close(&s);
}

/* NUL bytes are kept: the field length says where the field really ends. */
/* An unterminated quote followed by many lines: the reader stops the row
 * at the limit, skips lines up to the next one that reads as a row with the
 * header's number of fields, and returns ONE error row naming the span; the
 * valid rows after it come back. */
static void test_resync_after_unterminated_quote(void **state)
{
	(void)state;
	strbuf text = {0};
	sb_puts(&text, "h1,h2,h3\nok,1,2\nbad,\"never closed,");
	long long line = 3;
	for (int i = 0; i < 20000; i++, line++)
		/* free text, and rows of the wrong width: none reads as a row */
		sb_printf(&text, i % 7 ? "just some words on line %d\n" : "two,fields %d\n", i);
	long long last = line - 1;
	for (int i = 0; i < 14; i++)
		sb_printf(&text, "good,%d,\"quoted, with a comma\"\n", i);
	src s;
	imp_row row;
	src_open(&s, text.buf, text.len);
	next_ok(&s, &row, 1, 3);
	next_ok(&s, &row, 2, 3);
	next_error(&s, &row, 3);
	char want[160];
	snprintf(want, sizeof want, "lines 3 to %lld skipped, up to the next line that reads as a row", last);
	if (!strstr(row.error, want))
		fail_msg("error \"%s\" lacks \"%s\"", row.error, want);
	assert_non_null(strstr(row.error, "longer than 65536 bytes"));
	/* the raw text kept is the start of the span, at most the limit */
	assert_true(strncmp(row.raw, "bad,\"never closed,", 18) == 0);
	assert_true(row.raw_len <= IMP_MAX_ROW_BYTES);
	for (int i = 0; i < 14; i++) {
		next_ok(&s, &row, last + 1 + i, 3);
		assert_string_equal(row.fields[0], "good");
		assert_string_equal(row.fields[2], "quoted, with a comma");
	}
	at_end(&s);
	src_close(&s);
	sb_release(&text);
}

/* With no row after it, the span runs to the end of the file: still one
 * error row. */
static void test_resync_to_end_of_file(void **state)
{
	(void)state;
	strbuf text = {0};
	sb_puts(&text, "h1,h2\n\"open");
	for (int i = 0; i < 10000; i++)
		sb_printf(&text, "\nline %d", i);
	src s;
	imp_row row;
	src_open(&s, text.buf, text.len);
	next_ok(&s, &row, 1, 2);
	next_error(&s, &row, 2);
	assert_non_null(strstr(row.error, "lines 2 to 10002 skipped, to the end of the file"));
	at_end(&s);
	src_close(&s);
	sb_release(&text);
}

/* The raw text keeps NUL bytes, with its length. */
static void test_raw_keeps_nul(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "a\0b,\"c\"\"\0\"\n");
	assert_int_equal(imp_reader_next(s.r, &row), 1);
	assert_int_equal(row.raw_len, 10);
	assert_memory_equal(row.raw, "a\0b,\"c\"\"\0\"", 10);
	at_end(&s);
	src_close(&s);
}

static void test_nul_byte_in_field(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "a\0b,c\n");
	assert_int_equal(imp_reader_next(s.r, &row), 1);
	assert_null(row.error);
	assert_int_equal(row.nfields, 2);
	assert_int_equal(row.lens[0], 3);
	assert_memory_equal(row.fields[0], "a\0b", 4);
	assert_string_equal(row.fields[1], "c");
	at_end(&s);
	src_close(&s);
}

/* The limit is on the row's text: exactly IMP_MAX_ROW_BYTES is fine, one
 * more is rejected, and CRLF does not eat into it. */
static void test_row_limit_is_exact(void **state)
{
	(void)state;
	size_t n = 2 * (IMP_MAX_ROW_BYTES + 3);
	char *text = malloc(n);
	assert_non_null(text);
	memset(text, 'x', IMP_MAX_ROW_BYTES);
	memcpy(text + IMP_MAX_ROW_BYTES, "\r\n", 2);
	memset(text + IMP_MAX_ROW_BYTES + 2, 'y', IMP_MAX_ROW_BYTES + 1);
	memcpy(text + 2 * IMP_MAX_ROW_BYTES + 3, "\n", 1);
	src s;
	imp_row row;
	src_open(&s, text, 2 * IMP_MAX_ROW_BYTES + 4);
	next_ok(&s, &row, 1, 1);
	assert_int_equal(row.lens[0], IMP_MAX_ROW_BYTES);
	assert_int_equal(imp_reader_next(s.r, &row), 1);
	assert_string_equal(row.error, "row is longer than 65536 bytes");
	assert_int_equal(row.line, 2);
	at_end(&s);
	src_close(&s);
	free(text);
}

/* A file with old Mac line endings (CR only): every row comes back, on its
 * own line. */
static void test_cr_only_line_endings_lose_no_rows(void **state)
{
	(void)state;
	src s;
	imp_row row;
	SRC_OPEN(&s, "h,v\ra,1\rb,2\rc,3\rd,4\re,5\rf,6\r");
	static const char *const want[] = {"h", "a", "b", "c", "d", "e", "f"};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		if (imp_reader_next(s.r, &row) != 1)
			fail_msg("row %zu (\"%s\") was lost", i + 1, want[i]);
		assert_null(row.error);
		assert_int_equal(row.nfields, 2);
		assert_string_equal(row.fields[0], want[i]);
		assert_int_equal(row.line, (long long)i + 1);
		char raw[8];
		snprintf(raw, sizeof raw, i ? "%s,%zu" : "%s,v", want[i], i);
		assert_string_equal(row.raw, raw);
	}
	at_end(&s);
	src_close(&s);
}

/* A CR-only file longer than the row limit is read line by line, not taken
 * for one overlong row; a CR inside quotes stays in its field; a BOM is
 * skipped; the reader's byte count is the file's. */
static void test_cr_only_long_file(void **state)
{
	(void)state;
	strbuf text = {0};
	sb_puts(&text, "\xEF\xBB\xBFh,v\r\"two\rlines\",0\r");
	for (int i = 1; i <= 3000; i++)
		sb_printf(&text, "row %d,%d\r", i, i);
	src s;
	imp_row row;
	src_open(&s, text.buf, text.len);
	assert_int_equal(imp_reader_next(s.r, &row), 1);
	assert_string_equal(row.fields[0], "h");
	assert_int_equal(imp_reader_next(s.r, &row), 1);
	assert_null(row.error);
	assert_string_equal(row.fields[0], "two\rlines");
	assert_int_equal(row.line, 2);
	for (int i = 1; i <= 3000; i++) {
		assert_int_equal(imp_reader_next(s.r, &row), 1);
		assert_null(row.error);
		assert_int_equal(row.nfields, 2);
		assert_int_equal(atoi(row.fields[1]), i);
		assert_int_equal(row.line, i + 3);
	}
	at_end(&s);
	assert_int_equal(imp_reader_bytes(s.r), (long long)text.len);
	src_close(&s);
	sb_release(&text);
}

/* The spans of all rows, then the rest, give back the input byte for byte. */
static void check_spans(const char *text, size_t n)
{
	src s;
	src_open(&s, text, n);
	strbuf got = {0};
	imp_row row;
	int rc;
	while ((rc = imp_reader_next(s.r, &row)) == 1) {
		sb_add(&got, row.span, row.span_len);
		if (row.plain) {
			/* a plain row is its raw text and a line ending, after any gap */
			assert_true(row.span_len >= strlen(row.raw));
		}
	}
	assert_int_equal(rc, 0);
	size_t rest;
	const char *r = imp_reader_rest(s.r, &rest);
	sb_add(&got, r, rest);
	assert_int_equal(got.len, n);
	assert_memory_equal(got.buf ? got.buf : "", text, n);
	sb_release(&got);
	src_close(&s);
}

#define CHECK_SPANS(lit) check_spans((lit), sizeof(lit) - 1)

static void test_spans_give_back_the_file(void **state)
{
	(void)state;
	CHECK_SPANS("a,b\n1,2\n");
	CHECK_SPANS("\xEF\xBB\xBF" "a,b\r\n1,2\r\n");
	CHECK_SPANS("a,b\r1,2\r3,4");
	CHECK_SPANS("\n\na,b\n\n1,2\n\n\n");
	CHECK_SPANS("a,b\n\"x,y\",2\n\"multi\nline\",3\n");
	CHECK_SPANS("a,b\n\"unterminated,2\n3,4\n");
	CHECK_SPANS("a,b\nx\"y,2\n3,4");
	CHECK_SPANS("a,b\r\n1,2\n3,4\r5,6\n");
	CHECK_SPANS("a,b\n1,\"q\"\"q\"\n\"\"\n,\n");
	CHECK_SPANS("");
	CHECK_SPANS("\n");
	CHECK_SPANS("a,b");
	/* random bytes from a small alphabet with every awkward character */
	static const char alphabet[] = "ab,\"\r\n\n,x";
	unsigned seed = 12345;
	char buf[300];
	for (int t = 0; t < 20000; t++) {
		seed = seed * 1103515245u + 12345u;
		size_t n = (seed >> 16) % sizeof buf;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		check_spans(buf, n);
	}
}

static void test_first_line_ending(void **state)
{
	(void)state;
	static const struct {
		const char *text, *eol;
	} cases[] = {{"a,b\n1,2\n", "\n"}, {"a,b\r\n1,2\n", "\r\n"}, {"a,b\r1,2\r", "\r"}, {"a,b", ""}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		src s;
		src_open(&s, cases[i].text, strlen(cases[i].text));
		imp_row row;
		assert_int_equal(imp_reader_next(s.r, &row), 1);
		assert_string_equal(imp_reader_eol(s.r), cases[i].eol);
		src_close(&s);
	}
}

/* A stream source that hands out its text a few bytes at a time, and fails
 * once FAIL_AT bytes are out (when FAIL_AT is not 0). */
typedef struct dribble {
	const char *text;
	size_t len, pos, fail_at;
	unsigned step;
} dribble;

static long dribble_read(void *ctx, char *buf, size_t n)
{
	dribble *d = ctx;
	if (d->fail_at && d->pos >= d->fail_at)
		return -1;
	size_t k = 1 + (d->step++ * 7) % 5; /* 1 to 5 bytes: no read is whole */
	if (k > n)
		k = n;
	if (k > d->len - d->pos)
		k = d->len - d->pos;
	memcpy(buf, d->text + d->pos, k);
	d->pos += k;
	return (long)k;
}

/* A stream that gives a few bytes per read reads exactly like a file: rows,
 * line numbers, raw text, CRLF, a quoted newline and the byte count. */
static void test_stream_short_reads(void **state)
{
	(void)state;
	static const char text[] = "\xEF\xBB\xBFh1,h2\r\na,\"b,\nc\"\r\nlong line here,x\r\n\r\nlast,y";
	dribble d = {.text = text, .len = sizeof text - 1};
	imp_reader *r = imp_reader_new_stream(dribble_read, &d);
	imp_row row;
	assert_int_equal(imp_reader_next(r, &row), 1);
	assert_string_equal(row.fields[0], "h1");
	assert_int_equal(imp_reader_next(r, &row), 1);
	assert_null(row.error);
	assert_int_equal(row.line, 2);
	assert_string_equal(row.fields[1], "b,\nc");
	assert_int_equal(imp_reader_next(r, &row), 1);
	assert_int_equal(row.line, 4);
	assert_string_equal(row.raw, "long line here,x");
	assert_int_equal(imp_reader_next(r, &row), 1);
	assert_int_equal(row.line, 6);
	assert_string_equal(row.fields[1], "y");
	assert_int_equal(imp_reader_next(r, &row), 0);
	assert_int_equal(imp_reader_bytes(r), (long long)sizeof text - 1);
	imp_reader_free(r);
}

/* A source that fails part-way is a read error (-1), not the end of the
 * file: a truncated zip member must not pass for a short file. */
static void test_stream_read_error(void **state)
{
	(void)state;
	static const char text[] = "h1,h2\na,b\nc,d\ne,f\n";
	dribble d = {.text = text, .len = sizeof text - 1, .fail_at = 9};
	imp_reader *r = imp_reader_new_stream(dribble_read, &d);
	imp_row row;
	int got;
	int rows = 0;
	while ((got = imp_reader_next(r, &row)) == 1)
		rows++;
	assert_int_equal(got, -1);
	assert_true(rows <= 2);
	imp_reader_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_rows),
		cmocka_unit_test(test_spaces_kept),
		cmocka_unit_test(test_quoted_comma),
		cmocka_unit_test(test_doubled_quotes),
		cmocka_unit_test(test_embedded_newline),
		cmocka_unit_test(test_bom_skipped),
		cmocka_unit_test(test_bom_only_on_line_one),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_trailing_empty_fields),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_no_final_newline_trailing_comma),
		cmocka_unit_test(test_blank_lines_skipped),
		cmocka_unit_test(test_only_blank_lines),
		cmocka_unit_test(test_overlong_row),
		cmocka_unit_test(test_row_under_limit),
		cmocka_unit_test(test_overlong_multiline_row),
		cmocka_unit_test(test_malformed_quoting),
		cmocka_unit_test(test_quote_inside_unquoted_field),
		cmocka_unit_test(test_malformed_quoting_multiline),
		cmocka_unit_test(test_unterminated_quote_at_eof),
		cmocka_unit_test(test_errors_in_sequence),
		cmocka_unit_test(test_nul_byte_in_field),
		cmocka_unit_test(test_resync_after_unterminated_quote),
		cmocka_unit_test(test_resync_to_end_of_file),
		cmocka_unit_test(test_raw_keeps_nul),
		cmocka_unit_test(test_row_limit_is_exact),
		cmocka_unit_test(test_cr_only_line_endings_lose_no_rows),
		cmocka_unit_test(test_cr_only_long_file),
		cmocka_unit_test(test_spans_give_back_the_file),
		cmocka_unit_test(test_first_line_ending),
		cmocka_unit_test(test_stream_short_reads),
		cmocka_unit_test(test_stream_read_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
