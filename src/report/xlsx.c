/* The committee workbook (libxlsxwriter), in one of two layouts.  "sheets":
 * a Summary sheet, the Highlights, one sheet per area laid out like the paper
 * (its summary table above the full one), a Trend sheet with charts, and
 * Sources.  "long", for hundreds or thousands of areas: the Summary, the
 * Highlights, one Table sheet with the area as a column and an autofilter,
 * the Trend as one table, and Sources.
 * Every sheet is written row by row, so the workbook is built in constant
 * memory, and laid out for print so that no page holds only headings or
 * notes: an area's sheet is one page, and the sheets longer than a page end
 * with their table, their notes above it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#include <xlsxwriter.h>

#include "core/util.h"
#include "core/version.h"
#include "report/export.h"
#include "report/sigfmt.h"

#define NFIG (3 * REP_WINDOWS)   /* Current / Diff / % Diff per window */
#define MAX_COLS 16              /* the widest sheet's columns */
#define MAX_INDENT 15            /* the deepest indent Excel's format dialog offers */
#define SHEET_MAX 31             /* Excel's sheet-name limit, in UTF-16 units */
#define NAME_BUF (SHEET_MAX * 4 + 16)
#define RISE_COLOR 0xC00000 /* more crime: red */
#define FALL_COLOR 0x00703C /* less crime: a green that still reads in print */
#define GRID_COLOR 0xBFBFBF
#define HEAD_FILL 0xD9E1F2
#define FLAG_FILL 0xFFF2CC /* a flagged change: pale amber on screen, the mark in print */
#define TITLE_PT 20.0 /* the title row's */
#define ELLIPSIS "\xe2\x80\xa6"

static const char *const blank_note = "Blank cells are zero. Infinity: nothing in the comparison period.";

/* Everything one workbook write shares. */
typedef struct book {
	lxw_workbook *wb;
	const rep_report *r;
	int layout;
	lxw_error err; /* the first failure; nothing after it is reported */
	char month[32];
	char footer[LXW_HEADER_FOOTER_MAX + 1];
	char **names; /* sheet names taken so far, for uniqueness */
	size_t nnames;
	lxw_format *title, *subtitle, *head, *head_left, *note, *key, *text, *para, *para_note;
	lxw_format *count[2], *pct[2], *inf[2];
	lxw_format *pct_flag[2][3], *inf_flag[2]; /* [bold][REP_FLAG_*]: a flagged change's % Diff */
	lxw_format *label[2][MAX_INDENT + 1];
	lxw_format *rise, *fall, *trend_head, *trend_label, *trend_num, *src_text, *src_int;
} book;

/* One sheet being written: the next row and the column widths. */
typedef struct sheet {
	book *b;
	lxw_worksheet *ws;
	const char *name;
	lxw_row_t row;
	double width[MAX_COLS];
	int ncols;
	double extra_pt; /* width beside the columns (a chart), in points */
	strbuf rise_fall; /* the Diff and % Diff ranges to colour, "C6:D9 F6:G9 ..." */
	strbuf infinity;  /* the % Diff ranges, for the text "Infinity" */
} sheet;

static void chk(book *b, lxw_error e)
{
	if (e != LXW_NO_ERROR && b->err == LXW_NO_ERROR)
		b->err = e;
}

/* ---- formats and cells ---- */

/* libxlsxwriter returns NULL here only when malloc fails; crimetab aborts
 * then, as xmalloc does. */
static lxw_format *mkfmt(book *b)
{
	lxw_format *f = workbook_add_format(b->wb);
	if (!f) {
		fputs("crimetab: out of memory\n", stderr);
		abort();
	}
	return f;
}

static lxw_format *cell_fmt(book *b, int bold)
{
	lxw_format *f = mkfmt(b);
	format_set_border(f, LXW_BORDER_THIN);
	format_set_border_color(f, GRID_COLOR);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	if (bold)
		format_set_bold(f);
	return f;
}

static void make_formats(book *b)
{
	b->title = mkfmt(b);
	format_set_bold(b->title);
	format_set_font_size(b->title, 14);
	b->subtitle = mkfmt(b);
	format_set_italic(b->subtitle);
	b->head = cell_fmt(b, 1);
	format_set_align(b->head, LXW_ALIGN_CENTER);
	format_set_bg_color(b->head, HEAD_FILL);
	b->head_left = cell_fmt(b, 1);
	format_set_bg_color(b->head_left, HEAD_FILL);
	b->note = mkfmt(b);
	format_set_italic(b->note);
	format_set_font_size(b->note, 9);
	b->key = mkfmt(b);
	format_set_bold(b->key);
	format_set_align(b->key, LXW_ALIGN_VERTICAL_TOP);
	b->text = mkfmt(b);
	format_set_align(b->text, LXW_ALIGN_VERTICAL_TOP);
	b->para = mkfmt(b);
	format_set_align(b->para, LXW_ALIGN_VERTICAL_TOP);
	format_set_text_wrap(b->para);
	b->para_note = mkfmt(b);
	format_set_italic(b->para_note);
	format_set_font_size(b->para_note, 9);
	format_set_align(b->para_note, LXW_ALIGN_VERTICAL_TOP);
	format_set_text_wrap(b->para_note);
	for (int bold = 0; bold < 2; bold++) {
		/* "0", not "#,##0": the paper prints 1669, not 1,669 */
		b->count[bold] = cell_fmt(b, bold);
		format_set_num_format(b->count[bold], "0");
		b->pct[bold] = cell_fmt(b, bold);
		format_set_num_format(b->pct[bold], "0.0%");
		b->inf[bold] = cell_fmt(b, bold);
		format_set_align(b->inf[bold], LXW_ALIGN_RIGHT);
		/* the mark is part of the number format, so the cell stays a number */
		for (int f = REP_FLAG_RISE; f <= REP_FLAG_FALL; f++) {
			b->pct_flag[bold][f] = cell_fmt(b, bold);
			format_set_num_format(b->pct_flag[bold][f],
					      f == REP_FLAG_RISE ? "0.0%\" " REP_MARK_RISE "\"" : "0.0%\" " REP_MARK_FALL "\"");
			format_set_bg_color(b->pct_flag[bold][f], FLAG_FILL);
		}
		b->inf_flag[bold] = cell_fmt(b, bold);
		format_set_align(b->inf_flag[bold], LXW_ALIGN_RIGHT);
		format_set_bg_color(b->inf_flag[bold], FLAG_FILL);
		for (int d = 0; d <= MAX_INDENT; d++) {
			b->label[bold][d] = cell_fmt(b, bold);
			if (d)
				format_set_indent(b->label[bold][d], (uint8_t)d);
		}
	}
	b->rise = mkfmt(b);
	format_set_font_color(b->rise, RISE_COLOR);
	b->fall = mkfmt(b);
	format_set_font_color(b->fall, FALL_COLOR);
	b->trend_head = cell_fmt(b, 1);
	format_set_bg_color(b->trend_head, HEAD_FILL);
	format_set_align(b->trend_head, LXW_ALIGN_CENTER);
	format_set_text_wrap(b->trend_head);
	b->src_text = cell_fmt(b, 0);
	b->src_int = cell_fmt(b, 0);
	format_set_num_format(b->src_int, "#,##0");
	b->trend_label = cell_fmt(b, 0);
	b->trend_num = cell_fmt(b, 0);
	format_set_num_format(b->trend_num, "0");
}

/* Characters as Excel counts them for widths and name lengths: UTF-16 units,
 * so a character outside the BMP counts twice. */
static size_t u16len(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			n += *p >= 0xF0 ? 2 : 1;
	return n;
}

static void fit(sheet *s, lxw_col_t col, const char *text, double extra)
{
	double w = (double)u16len(text) + extra;
	if (col < MAX_COLS && w > s->width[col])
		s->width[col] = w;
	if (col < MAX_COLS && (int)col + 1 > s->ncols)
		s->ncols = col + 1;
}

/* Every cell goes through these: text is always a string cell, never a
 * formula, whatever it starts with. */
static void put_str(sheet *s, lxw_row_t row, lxw_col_t col, const char *text, lxw_format *f)
{
	if (*text)
		chk(s->b, worksheet_write_string(s->ws, row, col, text, f));
	else
		chk(s->b, worksheet_write_blank(s->ws, row, col, f));
}

static void put_num(sheet *s, lxw_row_t row, lxw_col_t col, double v, lxw_format *f)
{
	chk(s->b, worksheet_write_number(s->ws, row, col, v, f));
}

/* A line of text in column A of its own row: a title, a note, a warning. */
static void line(sheet *s, const char *text, lxw_format *f)
{
	if (f == s->b->title)
		chk(s->b, worksheet_set_row(s->ws, s->row, TITLE_PT, NULL));
	put_str(s, s->row, 0, text, f);
	s->row++;
}

/* Nine figure cells from column C0: blank where the paper leaves a blank,
 * numbers elsewhere so Excel can sort and chart them; a figure on missing
 * months is text, its mark or n/a.  A flagged change's % Diff carries its
 * mark in its number format (still a number) and a pale fill.  OFF (may be
 * NULL) is the offender row the figures belong to: a figure its disclosure
 * control withholds is text too, its mark (<3 or [c]), and never flagged. */
static void put_figs(sheet *s, lxw_row_t row, lxw_col_t c0, const rep_fig *fig, int bold, const rep_off_row *off)
{
	book *b = s->b;
	for (int w = 0; w < REP_WINDOWS; w++) {
		lxw_col_t c = (lxw_col_t)(c0 + 3 * w);
		char t[64];
		rep_fmt_cur(&fig[w], t, sizeof t);
		if ((off && rep_off_mark(b->r, off, w, REP_PART_CUR, t, sizeof t)) || (fig[w].missing & REP_MISSING_CURRENT))
			put_str(s, row, c, t, b->inf[bold]);
		else if (*t)
			put_num(s, row, c, (double)fig[w].cur, b->count[bold]);
		else
			put_str(s, row, c, "", b->count[bold]);
		fit(s, c, t, 2);
		rep_fmt_diff(&fig[w], t, sizeof t);
		if ((off && rep_off_mark(b->r, off, w, REP_PART_DIFF, t, sizeof t)) || fig[w].missing)
			put_str(s, row, c + 1, t, b->inf[bold]);
		else if (*t)
			put_num(s, row, c + 1, (double)fig[w].diff, b->count[bold]);
		else
			put_str(s, row, c + 1, "", b->count[bold]);
		fit(s, c + 1, t, 2);
		rep_fmt_pct(&fig[w], t, sizeof t);
		int flag = fig[w].flag;
		double extra = 2;
		if (!*t) {
			put_str(s, row, c + 2, "", b->pct[bold]);
		} else if (off && rep_off_mark(b->r, off, w, REP_PART_PCT, t, sizeof t)) {
			put_str(s, row, c + 2, t, b->inf[bold]);
		} else if (fig[w].missing || fig[w].pct_kind == REP_PCT_INFINITY) {
			rep_fmt_pct_marked(&fig[w], 0, t, sizeof t);
			put_str(s, row, c + 2, t, flag ? b->inf_flag[bold] : b->inf[bold]);
		} else {
			/* The value of the printed one-decimal text, not the unrounded
			 * ratio: Excel's own rounding of x.x5 can differ from
			 * rep_fmt_pct's, and -0.04% would show as "-0.0%". */
			put_num(s, row, c + 2, strtod(t, NULL) / 100.0, flag ? b->pct_flag[bold][flag] : b->pct[bold]);
			extra += flag ? 2 : 0; /* " ▲" from the number format */
		}
		fit(s, c + 2, t, extra);
	}
}

static void put_label(sheet *s, lxw_row_t row, lxw_col_t col, const char *label, int depth, int bold)
{
	if (depth < 0)
		depth = 0;
	if (depth > MAX_INDENT)
		depth = MAX_INDENT;
	put_str(s, row, col, label, s->b->label[bold][depth]);
	/* a column-width unit is a '0', wider than the average letter; an
	 * indent level is about two of them; bold runs wider */
	double len = (double)u16len(label);
	double w = len * (bold ? 0.95 : 0.85) + 2.0 * depth + 2;
	if (w > s->width[col])
		s->width[col] = w;
}

/* The paper's two heading rows: the columns before C0 named by LEAD (each
 * over both rows), each window's label over its Current / Diff / % Diff.
 * Written row by row, as constant-memory mode needs: the merge of a lead
 * column over both rows comes after its first row is written. */
static void table_header(sheet *s, lxw_col_t c0, const char *const *lead)
{
	book *b = s->b;
	lxw_row_t row = s->row;
	for (lxw_col_t c = 0; c < c0; c++) {
		put_str(s, row, c, lead[c], b->head_left);
		fit(s, c, lead[c], 2);
	}
	for (int w = 0; w < REP_WINDOWS; w++) {
		lxw_col_t c = (lxw_col_t)(c0 + 3 * w);
		chk(b, worksheet_merge_range(s->ws, row, c, row, c + 2, rep_window_label[w], b->head));
	}
	for (lxw_col_t c = 0; c < c0; c++)
		chk(b, worksheet_merge_range(s->ws, row, c, row + 1, c, lead[c], b->head_left));
	static const char *const sub[3] = {"Current", "Diff", "% Diff"};
	for (int w = 0; w < REP_WINDOWS; w++)
		for (int k = 0; k < 3; k++) {
			lxw_col_t c = (lxw_col_t)(c0 + 3 * w + k);
			put_str(s, row + 1, c, sub[k], b->head);
			fit(s, c, sub[k], 3);
		}
	s->row += 2;
}

/* Rises red, falls green, on the Diff and % Diff columns of rows FIRST..LAST
 * of the figures from column C0: the ranges are gathered, and each rule is
 * one conditional format over all of them (color_changes), which keeps a
 * workbook of thousands of sheets small. */
static void rise_fall(sheet *s, lxw_col_t c0, lxw_row_t first, lxw_row_t last)
{
	if (last < first)
		return;
	for (int w = 0; w < REP_WINDOWS; w++) {
		char range[64];
		lxw_col_t d = (lxw_col_t)(c0 + 1 + 3 * w);
		lxw_rowcol_to_range(range, first, d, last, d + 1);
		sb_printf(&s->rise_fall, "%s%s", s->rise_fall.len ? " " : "", range);
		lxw_rowcol_to_range(range, first, d + 1, last, d + 1);
		sb_printf(&s->infinity, "%s%s", s->infinity.len ? " " : "", range);
	}
}

/* One rule over RANGES ("C6:D9 F6:G9 ..."), the first of them its primary. */
static void rule(sheet *s, strbuf *ranges, lxw_conditional_format *cf)
{
	lxw_row_t r1, r2;
	lxw_col_t c1, c2;
	char first[64];
	size_t n = strcspn(ranges->buf, " ");
	snprintf(first, sizeof first, "%.*s", (int)n, ranges->buf);
	r1 = lxw_name_to_row(first);
	c1 = lxw_name_to_col(first);
	/* a range of one cell is written "D8", with no second corner */
	r2 = strchr(first, ':') ? lxw_name_to_row_2(first) : r1;
	c2 = strchr(first, ':') ? lxw_name_to_col_2(first) : c1;
	cf->multi_range = ranges->buf;
	chk(s->b, worksheet_conditional_format_range(s->ws, r1, c1, r2, c2, cf));
}

static void color_changes(sheet *s)
{
	static char infinity[] = "Infinity";
	if (s->rise_fall.len) {
		lxw_conditional_format cf = {0};
		cf.type = LXW_CONDITIONAL_TYPE_CELL;
		cf.criteria = LXW_CONDITIONAL_CRITERIA_GREATER_THAN;
		cf.value = 0;
		cf.format = s->b->rise;
		rule(s, &s->rise_fall, &cf);
		cf.criteria = LXW_CONDITIONAL_CRITERIA_LESS_THAN;
		cf.format = s->b->fall;
		rule(s, &s->rise_fall, &cf);
		lxw_conditional_format tf = {0};
		tf.type = LXW_CONDITIONAL_TYPE_TEXT;
		tf.criteria = LXW_CONDITIONAL_CRITERIA_TEXT_CONTAINING;
		tf.value_string = infinity;
		tf.format = s->b->rise;
		rule(s, &s->infinity, &tf);
	}
	sb_release(&s->rise_fall);
	sb_release(&s->infinity);
}

/* ---- page setup ---- */

/* "&" starts a header/footer code in Excel: TEXT with its ampersands doubled,
 * cut on a character to leave room in a header of LXW_HEADER_FOOTER_MAX. */
static void hf_text(strbuf *sb, const char *text, size_t room)
{
	size_t start = sb->len;
	for (const char *p = text; *p;) {
		size_t len = 1;
		while (((unsigned char)p[len] & 0xC0) == 0x80)
			len++;
		if (sb->len - start + len + 1 > room)
			break;
		if (*p == '&')
			sb_putc(sb, '&');
		sb_add(sb, p, len);
		p += len;
	}
}

static void make_footer(book *b)
{
	strbuf sb = {0};
	sb_puts(&sb, "&Lcrimetab \xe2\x80\x94 ");
	hf_text(&sb, rep_dataset_label(b->r->dataset), 60);
	if (b->r->taxonomy && *b->r->taxonomy) {
		sb_puts(&sb, ", ");
		hf_text(&sb, b->r->taxonomy, 120);
	}
	sb_puts(&sb, "&RPage &P of &N");
	snprintf(b->footer, sizeof b->footer, "%s", sb.buf);
	sb_release(&sb);
}

/* The page header: what the sheet is (left), the month (centre) and the
 * comparison basis (right), on every printed page. */
static void page_header(sheet *s, const char *what)
{
	strbuf sb = {0};
	sb_puts(&sb, "&L");
	hf_text(&sb, what, 110);
	sb_puts(&sb, "&C");
	hf_text(&sb, s->b->month, 30);
	sb_puts(&sb, "&Rcompared with the ");
	hf_text(&sb, rep_compare_label(s->b->r->compare), 40);
	chk(s->b, worksheet_set_header(s->ws, sb.buf));
	sb_release(&sb);
}

/* A4, margins 0.5 in at the sides and 0.75 in above and below (the page
 * header and footer inside them).  FIT: the printer scales the sheet to one
 * page wide (1) or to one page (2); 0: a scale that fits the columns across
 * whatever font draws them, for sheets whose own page breaks must hold.
 * REP_FIRST..REP_LAST (when REP_LAST >= REP_FIRST) repeat on every page. */
static void page_setup(sheet *s, int landscape, int fit, lxw_row_t rep_first, lxw_row_t rep_last)
{
	book *b = s->b;
	lxw_worksheet *ws = s->ws;
	double cols_pt = s->extra_pt;
	color_changes(s);
	for (int c = 0; c < s->ncols; c++) {
		double w = s->width[c] < 8 ? 8 : s->width[c] > 90 ? 90 : s->width[c];
		chk(b, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL));
		/* Calibri 11: 7 px a character and 5 of padding; a printer
		 * without Calibri draws wider (DejaVu Sans: a third wider) */
		cols_pt += (w * 7 + 5) * 0.75 * 1.35;
	}
	if (landscape)
		worksheet_set_landscape(ws);
	else
		worksheet_set_portrait(ws);
	worksheet_set_paper(ws, 9);
	worksheet_set_margins(ws, 0.5, 0.5, 0.75, 0.75);
	if (fit) {
		worksheet_fit_to_pages(ws, 1, fit == 2 ? 1 : 0);
	} else {
		double avail = (landscape ? 842 : 595) - 72;
		int scale = cols_pt > avail ? (int)(100.0 * avail / cols_pt) : 100;
		worksheet_set_print_scale(ws, (uint16_t)(scale < 10 ? 10 : scale));
	}
	if (rep_last >= rep_first)
		chk(b, worksheet_repeat_rows(ws, rep_first, rep_last));
	chk(b, worksheet_set_footer(ws, b->footer));
}

/* ---- sheet names ---- */

/* A sheet name Excel accepts: forbidden characters replaced, no leading or
 * trailing apostrophe or space. */
static void clean_name(const char *name, char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	int utf8 = ct_utf8_valid(name, strlen(name));
	size_t n = 0;
	while (*s == ' ' || *s == '\'')
		s++;
	while (*s && n + 5 < len) {
		size_t k = 1;
		if (utf8 && *s >= 0x80)
			k = *s >= 0xF0 ? 4 : *s >= 0xE0 ? 3 : 2;
		if (k > 1) {
			memcpy(out + n, s, k);
			n += k;
		} else {
			char c = (char)*s;
			if (*s < 0x20 || *s >= 0x7f)
				c = '_';
			else if (c == '[')
				c = '(';
			else if (c == ']')
				c = ')';
			else if (strchr(":*?/\\", c))
				c = '-';
			out[n++] = c;
		}
		s += k;
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\''))
		n--;
	out[n] = '\0';
}

static int word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c & 0x80);
}

/* Replaces the first whole-word FROM in S (ASCII case ignored) by TO; 1 if done. */
static int replace_word(char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = strlen(s);
	for (size_t i = 0; i + fl <= n; i++) {
		if (strncasecmp(s + i, from, fl) != 0 || (i > 0 && word_char(s[i - 1])) ||
		    (i + fl < n && word_char(s[i + fl])))
			continue;
		memmove(s + i + tl, s + i + fl, n - i - fl + 1);
		memcpy(s + i, to, tl);
		return 1;
	}
	return 0;
}

/* SRC into OUT of LEN bytes (LEN > 0), cut on a byte: callers keep SRC short. */
static void copy_str(char *out, size_t len, const char *src)
{
	size_t n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(out, src, n);
	out[n] = '\0';
}

/* The first K words of TEXT (space-separated), then an ellipsis, into OUT;
 * punctuation left dangling at the cut goes. */
static void first_words(const char *text, size_t k, char *out, size_t len)
{
	size_t n = 0, words = 0;
	const char *p = text;
	while (*p && words < k) {
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;
		words++;
	}
	n = (size_t)(p - text);
	while (n && strchr(" ,;-&|+(", text[n - 1]))
		n--;
	snprintf(out, len, "%.*s%s", (int)n, text, ELLIPSIS);
}

static size_t count_words(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		n++;
		while (*p && *p != ' ')
			p++;
	}
	return n;
}

/* NAME as a sheet name of at most MAX units, shortened at word boundaries:
 * common words abbreviated first ("Town Centre" -> "TC"), then the last
 * words of a closing "(...)" dropped, then the last words of the rest, each
 * cut marked with an ellipsis.  A single word too long is cut on a character. */
static void short_name(const char *name, size_t max, char *out, size_t len)
{
	static const char *const abbrev[][2] = {{"Town Centre", "TC"}, {"City Centre", "CC"}, {"Centre", "Ctr"},
						 {"Street", "St"}, {"Road", "Rd"}, {"and", "&"}};
	char s[NAME_BUF * 4] = {0};
	clean_name(name, s, sizeof s);
	for (size_t i = 0; i < sizeof abbrev / sizeof abbrev[0] && u16len(s) > max; i++)
		while (u16len(s) > max && replace_word(s, abbrev[i][0], abbrev[i][1]))
			;
	if (u16len(s) <= max) {
		copy_str(out, len, s);
		return;
	}
	char cand[sizeof s + 8];
	size_t n = strlen(s);
	char *open = n && s[n - 1] == ')' ? strrchr(s, '(') : NULL;
	if (open && open > s && open[-1] == ' ') {
		/* "Main (Inner words)": the inner words go first */
		char inner[sizeof s];
		snprintf(inner, sizeof inner, "%.*s", (int)(n - (size_t)(open - s) - 2), open + 1);
		open[-1] = '\0';
		for (size_t k = count_words(inner); k-- > 1;) {
			char part[sizeof s + 8];
			first_words(inner, k, part, sizeof part);
			strbuf sb = {0};
			sb_printf(&sb, "%s (%s)", s, part);
			int fits = u16len(sb.buf) <= max;
			if (fits)
				copy_str(out, len, sb.buf);
			sb_release(&sb);
			if (fits)
				return;
		}
		if (u16len(s) <= max) {
			copy_str(out, len, s);
			return;
		}
	}
	for (size_t k = count_words(s); k-- > 1;) {
		first_words(s, k, cand, sizeof cand);
		if (u16len(cand) <= max) {
			copy_str(out, len, cand);
			return;
		}
	}
	/* one long word: cut on a character, with the ellipsis */
	size_t units = 0, i = 0;
	const unsigned char *u = (const unsigned char *)s;
	while (u[i]) {
		size_t k = u[i] >= 0xF0 ? 4 : u[i] >= 0xE0 ? 3 : u[i] >= 0xC0 ? 2 : 1;
		size_t w = k == 4 ? 2 : 1;
		if (units + w + 1 > max)
			break;
		units += w;
		i += k;
	}
	s[i] = '\0';
	copy_str(out, len, s);
	if (strlen(out) + strlen(ELLIPSIS) < len)
		strcat(out, ELLIPSIS);
}

/* Excel compares sheet names case-insensitively; this folds ASCII only. */
static int name_taken(const book *b, const char *s)
{
	for (size_t i = 0; i < b->nnames; i++)
		if (strcasecmp(b->names[i], s) == 0)
			return 1;
	return 0;
}

static const char *take_name(book *b, const char *s)
{
	b->names = xrealloc(b->names, (b->nnames + 1) * sizeof *b->names);
	b->names[b->nnames] = xstrdup(s);
	return b->names[b->nnames++];
}

/* The area's sheet name: shortened, then " (2)", " (3)" ... on a clash. */
static const char *area_sheet_name(book *b, const char *area)
{
	char base[NAME_BUF], cand[NAME_BUF + 16];
	short_name(area, SHEET_MAX, base, sizeof base);
	if (!*base)
		snprintf(base, sizeof base, "Area");
	snprintf(cand, sizeof cand, "%s", base);
	for (int k = 2; name_taken(b, cand); k++) {
		char suffix[16];
		int sl = snprintf(suffix, sizeof suffix, " (%d)", k);
		short_name(area, SHEET_MAX - (size_t)sl, base, sizeof base);
		if (!*base)
			snprintf(base, sizeof base, "Area");
		snprintf(cand, sizeof cand, "%s%s", base, suffix);
	}
	return take_name(b, cand);
}

static int add_sheet(book *b, sheet *s, const char *name)
{
	memset(s, 0, sizeof *s);
	s->b = b;
	s->name = name;
	s->ws = workbook_add_worksheet(b->wb, name);
	if (!s->ws) {
		lxw_error e = workbook_validate_sheet_name(b->wb, name);
		chk(b, e != LXW_NO_ERROR ? e : LXW_ERROR_MEMORY_MALLOC_FAILED);
		return -1;
	}
	return 0;
}

/* ---- the sheets ---- */

static const rep_row *total_row(const rep_area *ar)
{
	for (size_t i = ar->nrows; i-- > 0;)
		if (ar->rows[i].flags & REP_ROW_TOTAL)
			return &ar->rows[i];
	return NULL;
}

/* The significance marks' legend as a note line, when the report tests its
 * changes; 1 if there is one. */
static int legend(sheet *s, int count)
{
	char text[512];
	rep_sig_legend(s->b->r, 0, text, sizeof text);
	if (*text && !count)
		line(s, text, s->b->note);
	return *text != '\0';
}

/* The report's notes, one a row: warnings, what the marks mean. */
static void report_notes(sheet *s)
{
	const rep_report *r = s->b->r;
	legend(s, 0);
	for (size_t i = 0; i < r->nwarnings; i++) {
		char *text = xasprintf("Warning: %s", r->warnings[i]);
		line(s, text, s->b->note);
		free(text);
	}
	for (size_t a = 0; a < r->nareas; a++) {
		size_t n;
		char **notes = rep_gap_notes(r, &r->areas[a], &n);
		if (n)
			/* the mark's meaning; each area's sheet names its own gaps */
			line(s, notes[0], s->b->note);
		rep_lines_free(notes, n);
		if (n)
			break;
	}
	line(s, blank_note, s->b->note);
}

/* One row per area: its Total.  The notes go above the table, so that the
 * last printed page always ends with areas, however many there are. */
static void summary_sheet(sheet *s)
{
	book *b = s->b;
	const rep_report *r = b->r;
	char text[512];
	snprintf(text, sizeof text, "Town centre crime: %s", b->month);
	line(s, text, b->title);
	snprintf(text, sizeof text, "Each window compared with the %s. Totals per area; details on %s.",
		 rep_compare_label(r->compare),
		 b->layout == REP_XLSX_LONG ? "the Table sheet" : "each area's sheet");
	line(s, text, b->subtitle);
	report_notes(s);
	s->row++;
	lxw_row_t head = s->row;
	static const char *const lead[] = {"Area"};
	table_header(s, 1, lead);
	lxw_row_t first = s->row;
	for (size_t a = 0; a < r->nareas; a++, s->row++) {
		const rep_area *ar = &r->areas[a];
		put_label(s, s->row, 0, ar->name, 0, 0);
		const rep_row *t = total_row(ar);
		static const rep_fig none[REP_WINDOWS];
		put_figs(s, s->row, 1, t ? t->fig : none, 0, NULL);
	}
	rise_fall(s, 1, first, s->row - 1);
	worksheet_freeze_panes(s->ws, first, 1);
	page_header(s, "Summary");
	page_setup(s, 0, 1, head, head + 1);
}

/* The Highlights sheet's one column, in widths of a '0' of the default font
 * (Calibri, or the font a program draws in its place: LibreOffice without
 * Calibri measures DejaVu Sans's, a third wider), so that it prints on a
 * landscape A4 page unscaled in either; what a line of it holds, a sentence
 * (11 pt) and the legend (9 pt), with room to spare for capitals and digits
 * (a line of the sentences holds 105 to 115 in either font); and the points
 * a page holds inside its margins. */
#define HL_COL_W 90
#define HL_LINE_CHARS 96
#define HL_NOTE_CHARS 116
#define HL_PAGE_PT 470.0
#define LINE_PT 15.0 /* a row of 11 pt text */

/* The height of a row of TEXT wrapped at CHARS a line of LINE_PT each. */
static double wrapped_pt(const char *text, size_t chars, double line_pt)
{
	size_t n = u16len(text), lines = n ? (n + chars - 1) / chars : 1;
	return (double)lines * line_pt + (lines > 1 ? 2 : 0);
}

/* TEXT in column A of a row of its own, wrapped, the row made as tall as
 * its lines (a row of wrapped text is not made taller by every program that
 * opens or prints it). */
static void paragraph(sheet *s, const char *text, lxw_format *f, double pt)
{
	chk(s->b, worksheet_set_row(s->ws, s->row, pt, NULL));
	line(s, text, f);
}

/* The page breaks of a sheet whose rows' heights are known: each row goes
 * on the page if it fits, else a break goes before it. */
typedef struct pager {
	lxw_row_t *breaks; /* 0-terminated */
	size_t n;
	double used;  /* points of the page taken */
	int has_area; /* the page holds an area's Highlights */
} pager;

static void pager_break(pager *p, lxw_row_t row)
{
	if (p->n < LXW_BREAKS_MAX)
		p->breaks[p->n++] = row;
	p->used = 0;
	p->has_area = 0;
}

/* Rows ROW.. of heights H[0..N): an area's name, its sentences, a blank
 * row.  It starts a page when it would not fit on what is left of this one
 * but would on a page of its own, or when its name and first sentence would
 * not; a break inside it never leaves the last sentence alone on a page. */
static void pager_block(pager *p, lxw_row_t row, const double *h, size_t n)
{
	double need = 0;
	for (size_t i = 0; i < n; i++)
		need += h[i];
	if (p->has_area && p->used + need > HL_PAGE_PT && (need <= HL_PAGE_PT || p->used + h[0] + h[1] > HL_PAGE_PT))
		pager_break(p, row);
	for (size_t i = 0; i < n; i++) {
		if (p->used > 0 && p->used + h[i] > HL_PAGE_PT) {
			size_t at = i;
			/* the last sentence (the count of changes) takes the one
			 * before it along, when the page keeps two */
			if (i == n - 2 && i >= 3)
				at = i - 1;
			pager_break(p, row + (lxw_row_t)at);
			for (size_t k = at; k < i; k++)
				p->used += h[k];
		}
		p->used += h[i];
		p->has_area = 1;
	}
}

/* Each area's Highlights: its name, one sentence a row, then how many
 * changes were examined and flagged, in one wide wrapped column that pastes
 * into a committee paper.  The legend comes first, and the sheet sets its
 * own page breaks so that no printed page ends with an area's name, nor
 * holds a note or one area's last sentence alone. */
static void highlights_sheet(sheet *s, const char *heading)
{
	book *b = s->b;
	const rep_report *r = b->r;
	char text[512];
	snprintf(text, sizeof text, "%s: %s", heading, b->month);
	line(s, text, b->title);
	snprintf(text, sizeof text, "Each window compared with the %s.", rep_compare_label(r->compare));
	line(s, text, b->subtitle);
	rep_sig_legend(r, 0, text, sizeof text);
	double legend_pt = wrapped_pt(text, HL_NOTE_CHARS, 12);
	paragraph(s, text, b->para_note, legend_pt);
	s->row++;
	pager pg = {.breaks = xcalloc(LXW_BREAKS_MAX + 1, sizeof *pg.breaks),
		    .used = TITLE_PT + LINE_PT + legend_pt + LINE_PT};
	for (size_t a = 0; a < r->nareas && !b->err; a++) {
		const rep_area *ar = &r->areas[a];
		size_t nsent = ar->nhighlights + 1;
		char **sent = xcalloc(nsent, sizeof *sent);
		double *h = xcalloc(nsent + 2, sizeof *h);
		h[0] = h[nsent + 1] = LINE_PT; /* the name, and a blank row after */
		for (size_t i = 0; i < nsent; i++) {
			sent[i] = i < ar->nhighlights ? rep_highlight_text(r, ar, &ar->highlights[i])
						      : rep_highlight_summary(r, ar);
			h[i + 1] = wrapped_pt(sent[i], HL_LINE_CHARS, LINE_PT);
		}
		pager_block(&pg, s->row, h, nsent + 2);
		line(s, ar->name, b->key);
		for (size_t i = 0; i < nsent; i++) {
			paragraph(s, sent[i], b->para, h[i + 1]);
			free(sent[i]);
		}
		free(sent);
		free(h);
		s->row++;
	}
	if (pg.n)
		chk(b, worksheet_set_h_pagebreaks(s->ws, pg.breaks));
	free(pg.breaks);
	s->width[0] = HL_COL_W;
	s->ncols = 1;
	page_header(s, heading);
	page_setup(s, 1, 1, 1, 0);
}

/* The detailed table's rows, or (SUMMARY) the top-level rows and Total. */
static void area_rows(sheet *s, const rep_area *ar, int summary)
{
	for (size_t i = 0; i < ar->nrows; i++) {
		const rep_row *rw = &ar->rows[i];
		if (summary && rw->depth != 0)
			continue;
		int bold = summary ? (rw->flags & REP_ROW_TOTAL) != 0 : (rw->flags & (REP_ROW_GROUP | REP_ROW_TOTAL)) != 0;
		char *label = xasprintf("%s%s", rw->label, rw->flags & REP_ROW_APPROX ? " \xe2\x80\xa0" : "");
		put_label(s, s->row, 0, label, summary ? 0 : rw->depth, bold);
		free(label);
		put_figs(s, s->row, 1, rw->fig, bold, NULL);
		s->row++;
	}
}

/* The footnotes of AR's tables: what the significance marks mean, its
 * missing months, its approximate rows, and what a blank cell means.
 * Returns the number of lines, writing them unless COUNT. */
static size_t area_notes(sheet *s, const rep_area *ar, int count)
{
	book *b = s->b;
	size_t n = (size_t)legend(s, count), nnotes;
	char **notes = rep_gap_notes(b->r, ar, &nnotes);
	for (size_t i = 0; i < nnotes; i++, n++)
		if (!count)
			line(s, notes[i], b->note);
	rep_lines_free(notes, nnotes);
	for (size_t i = 0; i < ar->nrows; i++) {
		const rep_row *rw = &ar->rows[i];
		if (!(rw->flags & REP_ROW_APPROX) || !rw->note)
			continue;
		n++;
		if (count)
			continue;
		strbuf sb = {0};
		sb_printf(&sb, "\xe2\x80\xa0 %s: %s", rw->label, rw->note);
		line(s, sb.buf, b->note);
		sb_release(&sb);
	}
	if (!count)
		line(s, blank_note, b->note);
	return n + 1;
}

/* The most rows an area's sheet may have and still print on one page at a
 * size a committee can read; a longer one has its notes above the tables. */
#define ONE_PAGE_ROWS 80

/* As the paper: the area's summary table with the marks' legend, then the
 * full one, with the footnotes under them and the offenders' table last.
 * One printed page. */
static void area_sheet(sheet *s, const rep_area *ar)
{
	book *b = s->b;
	char text[512];
	static const char *const lead[] = {"Crime"};
	size_t top = 0;
	for (size_t i = 0; i < ar->nrows; i++)
		top += ar->rows[i].depth == 0;
	int has_legend = legend(s, 1);
	size_t rows = 4 + 2 + top + 2 * (size_t)has_legend + 1 + 2 + ar->nrows + 1 + area_notes(s, ar, 1) +
		      (ar->has_offenders ? 1 + 2 + ar->noffenders + 2 + (size_t)has_legend : 0);
	int notes_first = rows > ONE_PAGE_ROWS;
	line(s, ar->name, b->title);
	snprintf(text, sizeof text, "%s, compared with the %s", b->month, rep_compare_label(b->r->compare));
	line(s, text, b->subtitle);
	if (notes_first)
		area_notes(s, ar, 0);
	s->row++;
	table_header(s, 1, lead);
	lxw_row_t first = s->row;
	area_rows(s, ar, 1);
	rise_fall(s, 1, first, s->row - 1);
	if (has_legend) {
		s->row++;
		legend(s, 0);
	}
	s->row++;
	lxw_row_t head = s->row;
	table_header(s, 1, lead);
	first = s->row;
	area_rows(s, ar, 0);
	rise_fall(s, 1, first, s->row - 1);
	if (!notes_first) {
		s->row++;
		area_notes(s, ar, 0);
	}
	if (ar->has_offenders) {
		static const char *const off_lead[] = {"Offenders (face match)"};
		s->row++;
		table_header(s, 1, off_lead);
		first = s->row;
		for (size_t k = 0; k < ar->noffenders; k++, s->row++) {
			put_label(s, s->row, 0, ar->offenders[k].label, 1, 0);
			put_figs(s, s->row, 1, ar->offenders[k].fig, 0, &ar->offenders[k]);
		}
		rise_fall(s, 1, first, s->row - 1);
		line(s,
		     "Counts only; no individual is identified here. \"Confirmed\": matches a person reviewed. "
		     "How these were made: see the Sources sheet.",
		     b->note);
		rep_off_suppress_note(b->r, text, sizeof text);
		if (*text)
			line(s, text, b->note);
		/* a sheet longer than a page ends with a table: its legend is above */
		if (!notes_first)
			legend(s, 0);
	}
	worksheet_freeze_panes(s->ws, head + 2, 1);
	page_header(s, ar->name);
	if (notes_first)
		page_setup(s, 0, 1, head, head + 1);
	else
		page_setup(s, 0, 2, 1, 0);
}

/* The long layout's one table: a row per area and category, the area in
 * column A, an autofilter on the headings.  Notes come first, so that the
 * printer's own page breaks never leave them alone on a page. */
static void long_table_sheet(sheet *s)
{
	book *b = s->b;
	const rep_report *r = b->r;
	char text[512];
	snprintf(text, sizeof text, "Town centre crime: %s, every area", b->month);
	line(s, text, b->title);
	snprintf(text, sizeof text, "Each window compared with the %s. One row per area and category: filter "
				    "by Area or Crime.",
		 rep_compare_label(r->compare));
	line(s, text, b->subtitle);
	report_notes(s);
	size_t ngaps;
	char **gaps = rep_gap_lines(r->gaps, r->ngaps, r->dataset, &ngaps);
	for (size_t i = 0; i < ngaps; i++) {
		char *note = xasprintf("%s %s", REP_MARK, gaps[i]);
		line(s, note, b->note);
		free(note);
	}
	rep_lines_free(gaps, ngaps);
	/* each approximate row's note once: the rows are the taxonomy's, the
	 * same in every area that has them */
	const char **said = NULL;
	size_t nsaid = 0;
	for (size_t a = 0; a < r->nareas; a++)
		for (size_t i = 0; i < r->areas[a].nrows; i++) {
			const rep_row *rw = &r->areas[a].rows[i];
			int seen = 0;
			for (size_t k = 0; k < nsaid && !seen; k++)
				seen = strcmp(said[k], rw->path) == 0;
			if (!(rw->flags & REP_ROW_APPROX) || !rw->note || seen)
				continue;
			said = xrealloc(said, (nsaid + 1) * sizeof *said);
			said[nsaid++] = rw->path;
			strbuf sb = {0};
			sb_printf(&sb, "\xe2\x80\xa0 %s: %s", rw->label, rw->note);
			line(s, sb.buf, b->note);
			sb_release(&sb);
		}
	free(said);
	s->row++;
	lxw_row_t head = s->row;
	static const char *const lead[] = {"Area", "Crime"};
	table_header(s, 2, lead);
	/* two more columns past the figures: what kind of row, and its path */
	const lxw_col_t kind_col = 2 + NFIG, path_col = kind_col + 1;
	chk(b, worksheet_merge_range(s->ws, head, kind_col, head + 1, kind_col, "Row", b->head_left));
	chk(b, worksheet_merge_range(s->ws, head, path_col, head + 1, path_col, "Path", b->head_left));
	fit(s, kind_col, "outside_total", 2);
	lxw_row_t first = s->row;
	for (size_t a = 0; a < r->nareas && !b->err; a++) {
		const rep_area *ar = &r->areas[a];
		for (size_t i = 0; i < ar->nrows; i++, s->row++) {
			const rep_row *rw = &ar->rows[i];
			int bold = (rw->flags & (REP_ROW_GROUP | REP_ROW_TOTAL)) != 0;
			put_label(s, s->row, 0, ar->name, 0, 0);
			char *label = xasprintf("%s%s", rw->label, rw->flags & REP_ROW_APPROX ? " \xe2\x80\xa0" : "");
			put_label(s, s->row, 1, label, rw->depth, bold);
			free(label);
			put_figs(s, s->row, 2, rw->fig, bold, NULL);
			put_str(s, s->row, kind_col, rep_row_kind_name(rw->flags), b->src_text);
			put_str(s, s->row, path_col, rw->path, b->src_text);
			fit(s, path_col, rw->path, 2);
		}
	}
	if (s->row > first) {
		rise_fall(s, 2, first, s->row - 1);
		chk(b, worksheet_autofilter(s->ws, head + 1, 0, s->row - 1, path_col));
	}
	if (s->width[0] > 40)
		s->width[0] = 40;
	worksheet_freeze_panes(s->ws, first, 2);
	page_header(s, "Every area");
	page_setup(s, 1, 1, head, head + 1);
}

static void month_heads(sheet *s, lxw_row_t row, lxw_col_t c0)
{
	const rep_report *r = s->b->r;
	for (int k = 0; k < REP_SERIES; k++) {
		char m[8];
		ct_month_format(r->month - (REP_SERIES - 1) + k, m);
		put_str(s, row, c0 + (lxw_col_t)k, m, s->b->trend_head);
	}
}

/* A month without data is a gap in a line, not a fall to 0. */
static void series_cells(sheet *s, lxw_row_t row, lxw_col_t c0, const rep_area *ar, const rep_row *rw)
{
	for (int k = 0; k < REP_SERIES; k++)
		if (ar->series_missing[k])
			put_str(s, row, c0 + (lxw_col_t)k, "", s->b->trend_num);
		else
			put_num(s, row, c0 + (lxw_col_t)k, (double)rw->series[k], s->b->trend_num);
}

/* The chart's title: the area's name; a name that Excel would read as a
 * formula is taken from its cell (ROW, column A of SHEET_NAME) instead. */
static void chart_title(lxw_chart *chart, const char *sheet_name, lxw_row_t row, const char *name)
{
	if (name[0] == '=')
		chart_title_set_name_range(chart, sheet_name, row, 0);
	else
		chart_title_set_name(chart, name);
}

static lxw_chart *new_chart(book *b)
{
	lxw_chart *chart = workbook_add_chart(b->wb, LXW_CHART_LINE);
	if (!chart) {
		fputs("crimetab: out of memory\n", stderr);
		abort();
	}
	chart_axis_set_name(chart->y_axis, "Crimes");
	chart_axis_set_min(chart->y_axis, 0);
	chart_axis_set_interval_unit(chart->x_axis, 3);
	chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
	return chart;
}

/* The sheets layout's Trend: one block per area, stacked: months down the
 * side, the area's top-level rows across, and a line chart of them beside
 * the block, a page each.  Chart titles and series names point at cells,
 * so no label is ever parsed as a formula. */
static void trend_blocks_sheet(sheet *s)
{
	book *b = s->b;
	const rep_report *r = b->r;
	size_t maxcols = 1;
	for (size_t a = 0; a < r->nareas; a++) {
		size_t n = 1;
		for (size_t i = 0; i < r->areas[a].nrows; i++)
			n += r->areas[a].rows[i].depth == 0 && !(r->areas[a].rows[i].flags & REP_ROW_TOTAL);
		if (n > maxcols)
			maxcols = n;
	}
	if (maxcols > MAX_COLS - 1)
		maxcols = MAX_COLS - 1;
	lxw_row_t *breaks = xcalloc(LXW_BREAKS_MAX + 1, sizeof *breaks); /* 0-terminated */
	size_t nbreaks = 0;
	char text[512];
	snprintf(text, sizeof text, "Monthly crimes, %d months to %s", REP_SERIES, b->month);
	line(s, text, b->title);
	line(s, "The top-level rows of each area's table, month by month.", b->subtitle);
	fit(s, 0, "2024-09", 3);
	s->row++;
	for (size_t a = 0; a < r->nareas && !b->err; a++) {
		const rep_area *ar = &r->areas[a];
		lxw_row_t title = s->row, head = s->row + 1, first = s->row + 2, last = first + REP_SERIES - 1;
		if (a > 0 && nbreaks < LXW_BREAKS_MAX)
			breaks[nbreaks++] = title; /* a page per area when printed */
		put_str(s, title, 0, ar->name, b->key);
		chk(b, worksheet_set_row(s->ws, head, 30, NULL)); /* two lines of wrapped label */
		put_str(s, head, 0, "Month", b->trend_head);
		lxw_col_t col = 1;
		for (size_t i = 0; i < ar->nrows && col <= maxcols; i++) {
			const rep_row *rw = &ar->rows[i];
			if (rw->depth != 0 || (rw->flags & REP_ROW_TOTAL))
				continue;
			put_str(s, head, col, rw->label, b->trend_head);
			/* headers wrap, so a column need only hold its longest word */
			fit(s, col, rw->label, 0);
			col++;
		}
		if (col == 1)
			put_str(s, head, 1, "No crimes recorded.", b->note);
		lxw_col_t ncol = col;
		for (int k = 0; k < REP_SERIES; k++) {
			char m[8];
			ct_month_format(r->month - (REP_SERIES - 1) + k, m);
			put_str(s, first + (lxw_row_t)k, 0, m, b->trend_label);
			col = 1;
			for (size_t i = 0; i < ar->nrows && col < ncol; i++) {
				const rep_row *rw = &ar->rows[i];
				if (rw->depth != 0 || (rw->flags & REP_ROW_TOTAL))
					continue;
				if (ar->series_missing[k])
					put_str(s, first + (lxw_row_t)k, col, "", b->trend_num);
				else
					put_num(s, first + (lxw_row_t)k, col, (double)rw->series[k], b->trend_num);
				col++;
			}
		}
		if (ncol > 1) {
			lxw_chart *chart = new_chart(b);
			for (lxw_col_t c = 1; c < ncol; c++) {
				lxw_chart_series *cs = chart_add_series(chart, NULL, NULL);
				if (!cs) {
					chk(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
					break;
				}
				chart_series_set_categories(cs, s->name, first, 0, last, 0);
				chart_series_set_values(cs, s->name, first, c, last, c);
				chart_series_set_name_range(cs, s->name, head, c);
			}
			chart_title(chart, s->name, title, ar->name);
			/* the chart covers the block beside it: 24 rows of 20 px and
			 * the 40 px header, against a default height of 288 px */
			lxw_chart_options opt = {0};
			opt.x_scale = 1.5;
			opt.y_scale = (double)(REP_SERIES * 20 + 40) / 288.0;
			chk(b, worksheet_insert_chart_opt(s->ws, head, (lxw_col_t)(maxcols + 1), chart, &opt));
		}
		s->row = last + 3;
	}
	for (size_t c = 0; c < maxcols + 1; c++)
		s->width[c] = s->width[c] > 16 ? 16 : s->width[c] < 9 ? 9 : s->width[c];
	s->ncols = (int)maxcols + 1;
	s->width[s->ncols++] = 3;
	/* the chart, 1.5 x 480 px, anchored to cells that a wider font widens */
	s->extra_pt = 1.5 * 480 * 0.75 * 1.35;
	if (nbreaks)
		chk(b, worksheet_set_h_pagebreaks(s->ws, breaks));
	free(breaks);
	page_header(s, "Trend");
	page_setup(s, 1, 0, 1, 0);
}

/* The long layout's Trend: a row per area and top-level row (and Total),
 * a column per month, and one chart of the first area's rows. */
static void trend_long_sheet(sheet *s)
{
	book *b = s->b;
	const rep_report *r = b->r;
	char text[512];
	snprintf(text, sizeof text, "Monthly crimes, %d months to %s", REP_SERIES, b->month);
	line(s, text, b->title);
	line(s, "Each area's top-level rows and Total, month by month; blank: no data for that month.", b->subtitle);
	s->row++;
	lxw_row_t head = s->row;
	put_str(s, head, 0, "Area", b->trend_head);
	put_str(s, head, 1, "Crime", b->trend_head);
	month_heads(s, head, 2);
	s->row++;
	lxw_row_t first = s->row;
	size_t nfirst = 0;
	for (size_t a = 0; a < r->nareas && !b->err; a++) {
		const rep_area *ar = &r->areas[a];
		for (size_t i = 0; i < ar->nrows; i++) {
			const rep_row *rw = &ar->rows[i];
			if (rw->depth != 0)
				continue;
			put_str(s, s->row, 0, ar->name, b->trend_label);
			put_str(s, s->row, 1, rw->label, b->trend_label);
			fit(s, 0, ar->name, 2);
			fit(s, 1, rw->label, 2);
			series_cells(s, s->row, 2, ar, rw);
			s->row++;
			nfirst += a == 0;
		}
	}
	if (s->width[0] > 40)
		s->width[0] = 40;
	/* the month columns: 8 wide, past MAX_COLS counted as width only */
	for (int c = 2; c < 2 + REP_SERIES; c++) {
		if (c < MAX_COLS)
			s->width[c] = 8;
		else
			chk(b, worksheet_set_column(s->ws, (lxw_col_t)c, (lxw_col_t)c, 8, NULL));
	}
	s->ncols = MAX_COLS;
	s->extra_pt = (2 + REP_SERIES - MAX_COLS) * (8 * 7 + 5) * 0.75;
	if (s->row > first)
		chk(b, worksheet_autofilter(s->ws, head, 0, s->row - 1, 1 + REP_SERIES));
	if (nfirst) {
		lxw_chart *chart = new_chart(b);
		for (size_t i = 0; i < nfirst; i++) {
			lxw_chart_series *cs = chart_add_series(chart, NULL, NULL);
			if (!cs) {
				chk(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
				break;
			}
			lxw_row_t row = first + (lxw_row_t)i;
			chart_series_set_categories(cs, s->name, head, 2, head, 1 + REP_SERIES);
			chart_series_set_values(cs, s->name, row, 2, row, 1 + REP_SERIES);
			chart_series_set_name_range(cs, s->name, row, 1);
		}
		chart_title(chart, s->name, first, r->areas[0].name);
		lxw_chart_options opt = {0};
		opt.x_scale = 2;
		opt.y_scale = 1.2;
		chk(b, worksheet_insert_chart_opt(s->ws, 0, 4 + REP_SERIES, chart, &opt));
	}
	worksheet_freeze_panes(s->ws, first, 2);
	page_header(s, "Trend");
	page_setup(s, 1, 1, head, head);
}

static void key_value(sheet *s, const char *k, const char *v)
{
	put_str(s, s->row, 0, k, s->b->key);
	put_str(s, s->row, 1, v ? v : "", s->b->text);
	fit(s, 0, k, 2);
	s->row++;
}

static void sources_sheet(sheet *s)
{
	book *b = s->b;
	const rep_report *r = b->r;
	/* the path, the longest cell, goes last so it does not widen column A,
	 * which holds the short keys of the block above */
	static const char *const head[] = {"Kind", "Force", "Months", "Rows", "Imported at", "SHA-256", "Path"};
	enum { NH = sizeof head / sizeof head[0] };
	char buf[512];
	line(s, "Sources", b->title);
	s->row++;
	key_value(s, "Selected month", b->month);
	key_value(s, "Comparison basis", rep_compare_label(r->compare));
	for (int w = 0; w < REP_WINDOWS; w++) {
		char cur[40], cmp[40], key[64];
		rep_fmt_months(r->span[w].from, r->span[w].to, cur, sizeof cur);
		rep_fmt_months(r->span[w].cmp_from, r->span[w].cmp_to, cmp, sizeof cmp);
		snprintf(buf, sizeof buf, "%s, against %s", cur, cmp);
		snprintf(key, sizeof key, "Window: %s", rep_window_label[w]);
		key_value(s, key, buf);
	}
	key_value(s, "Dataset", rep_dataset_label(r->dataset));
	key_value(s, "Taxonomy", r->taxonomy);
	int offenders = 0;
	for (size_t a = 0; a < r->nareas; a++)
		offenders |= r->areas[a].has_offenders;
	if (offenders) {
		const char *rows = r->confirmed_only ? "confirmed matches only" : "all matches, and those a person confirmed";
		if (r->suppress_below > 0)
			snprintf(buf, sizeof buf, "%s; counts from 1 to %d withheld as <%d, and figures that would give "
				 "them away as [c]", rows, r->suppress_below - 1, r->suppress_below);
		else
			snprintf(buf, sizeof buf, "%s; no disclosure control", rows);
		key_value(s, "Offenders", buf);
		if (r->nfm_runs == 0)
			key_value(s, "Face-match run", "none covers these months");
		for (size_t i = 0; i < r->nfm_runs; i++) {
			char text[4096];
			rep_fm_run_text(&r->fm_runs[i], text, sizeof text);
			key_value(s, "Face-match run", text);
		}
	}
	key_value(s, "Written by", "crimetab " CRIMETAB_VERSION);
	char when[32] = "";
	time_t t = (time_t)r->generated_at;
	struct tm tm;
	if (r->generated_at > 0 && gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	key_value(s, "Written at (UTC)", when);
	s->row++;
	line(s, "Warnings", b->key);
	if (r->nwarnings == 0)
		line(s, "None.", b->text);
	for (size_t i = 0; i < r->nwarnings; i++)
		line(s, r->warnings[i], b->text);
	s->row++;

	line(s, "Files", b->key);
	lxw_row_t hrow = s->row;
	for (int k = 0; k < NH; k++) {
		put_str(s, hrow, (lxw_col_t)k, head[k], b->head_left);
		fit(s, (lxw_col_t)k, head[k], 2);
	}
	s->row++;
	for (size_t i = 0; i < r->nsources; i++, s->row++) {
		const rep_source *src = &r->sources[i];
		rep_fmt_months(src->month_min, src->month_max, buf, sizeof buf);
		const char *cell[NH] = {src->kind, src->force, buf, NULL, src->imported_at, src->sha256, src->path};
		for (int k = 0; k < NH; k++) {
			if (k == 3) {
				char n[32];
				put_num(s, s->row, 3, (double)src->rows, b->src_int);
				snprintf(n, sizeof n, "%lld", src->rows);
				fit(s, 3, n, 4);
			} else {
				put_str(s, s->row, (lxw_col_t)k, cell[k] ? cell[k] : "", b->src_text);
				fit(s, (lxw_col_t)k, cell[k] ? cell[k] : "", 2);
			}
		}
	}
	if (r->nsources == 0)
		line(s, "No source files cover these months.", b->text);
	page_header(s, "Sources");
	page_setup(s, 1, 1, hrow, hrow);
}

/* ---- the workbook ---- */

/* lxw_strerror's sentences, in crimetab's message style. */
static void set_err(char *err, size_t errlen, const char *path, lxw_error e)
{
	char msg[256];
	snprintf(msg, sizeof msg, "%s", lxw_strerror(e));
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '.' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	if (msg[0] >= 'A' && msg[0] <= 'Z' && !(msg[1] >= 'A' && msg[1] <= 'Z'))
		msg[0] = (char)(msg[0] - 'A' + 'a');
	snprintf(err, errlen, "%s: %s", path, msg);
}

/* Constant-memory mode keeps a temporary file open per sheet until the
 * workbook closes: the soft limit on open files is raised (as far as the
 * hard one) to hold them.  0, or -1 when it cannot be. */
static int room_for_files(size_t n)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	rlim_t want = (rlim_t)n + 64;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		return -1;
	rl.rlim_cur = want;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0 ? 0 : -1;
}

static void write_sheets(book *b)
{
	const rep_report *r = b->r;
	sheet s;
	static const char *const fixed[] = {"Summary", "Table", "Trend", "Sources", "History"};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		take_name(b, fixed[i]);
	/* the Highlights sheet is named by the wording template's heading */
	char *heading = rep_highlight_heading(r);
	const char *hl_name = NULL;
	if (heading) {
		char name[NAME_BUF];
		short_name(heading, SHEET_MAX, name, sizeof name);
		hl_name = take_name(b, *name && !name_taken(b, name) ? name : "Highlights");
	}
	if (add_sheet(b, &s, "Summary") == 0)
		summary_sheet(&s);
	if (heading && !b->err && add_sheet(b, &s, hl_name) == 0)
		highlights_sheet(&s, heading);
	free(heading);
	if (b->layout == REP_XLSX_LONG) {
		if (!b->err && add_sheet(b, &s, "Table") == 0)
			long_table_sheet(&s);
	} else {
		for (size_t a = 0; a < r->nareas && !b->err; a++) {
			if (add_sheet(b, &s, area_sheet_name(b, r->areas[a].name)) != 0)
				break;
			area_sheet(&s, &r->areas[a]);
		}
	}
	if (!b->err && add_sheet(b, &s, "Trend") == 0) {
		if (b->layout == REP_XLSX_LONG)
			trend_long_sheet(&s);
		else
			trend_blocks_sheet(&s);
	}
	if (!b->err && add_sheet(b, &s, "Sources") == 0)
		sources_sheet(&s);
}

const char *const rep_xlsx_layout_name[3] = {"sheets", "long", "auto"};

int rep_xlsx_layout_for(int layout, size_t nareas)
{
	if (layout != REP_XLSX_AUTO)
		return layout;
	return nareas <= REP_XLSX_SHEETS_MAX ? REP_XLSX_SHEETS : REP_XLSX_LONG;
}

int rep_write_xlsx_layout(const rep_report *r, const char *path, int layout, char *err, size_t errlen)
{
	book b = {0};
	b.r = r;
	b.layout = layout = rep_xlsx_layout_for(layout, r->nareas);
	size_t nsheets = 4 + (layout == REP_XLSX_LONG ? 1 : r->nareas);
	if (room_for_files(nsheets) != 0) {
		snprintf(err, errlen, "%s: %zu sheets need more open files than this process may have; try "
				      "--xlsx-layout long",
			 path, nsheets);
		return -1;
	}
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
	b.wb = workbook_new_opt(path, &opt);
	if (!b.wb) {
		snprintf(err, errlen, "%s: cannot create workbook", path);
		return -1;
	}
	ct_month_long(r->month, b.month, sizeof b.month);
	make_footer(&b);
	make_formats(&b);

	char title[128], subject[128], author[] = "crimetab";
	snprintf(title, sizeof title, "Town centre crime: %s", b.month);
	snprintf(subject, sizeof subject, "Compared with the %s", rep_compare_label(r->compare));
	lxw_doc_properties props = {0};
	props.title = title;
	props.subject = subject;
	props.author = author;
	chk(&b, workbook_set_properties(b.wb, &props));

	write_sheets(&b);
	for (size_t i = 0; i < b.nnames; i++)
		free(b.names[i]);
	free(b.names);

	if (b.err) {
		lxw_workbook_free(b.wb);
		set_err(err, errlen, path, b.err);
		return -1;
	}
	lxw_error rc = workbook_close(b.wb);
	if (rc != LXW_NO_ERROR) {
		set_err(err, errlen, path, rc);
		return -1;
	}
	return 0;
}

int rep_write_xlsx(const rep_report *r, const char *path, char *err, size_t errlen)
{
	return rep_write_xlsx_layout(r, path, REP_XLSX_SHEETS, err, errlen);
}
