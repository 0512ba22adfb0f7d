/* The committee workbook (libxlsxwriter): a Summary sheet, one sheet per area
 * laid out like the paper's table, a Trend sheet with charts, and Sources. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <xlsxwriter.h>

#include "core/util.h"
#include "report/export.h"

#define NCOL (1 + 3 * REP_WINDOWS) /* label, then Current / Diff / % Diff per window */
#define MAX_INDENT 15               /* the deepest indent Excel's format dialog offers */
#define SHEET_MAX 31                /* Excel's sheet-name limit, in UTF-16 units */
#define NAME_BUF (SHEET_MAX * 4 + 16)
#define RISE_COLOR 0xC00000 /* more crime: red */
#define FALL_COLOR 0x00703C /* less crime: a green that still reads in print */
#define GRID_COLOR 0xBFBFBF
#define HEAD_FILL 0xD9E1F2

/* Everything one workbook write shares. */
typedef struct book {
	lxw_workbook *wb;
	const rep_report *r;
	lxw_error err; /* the first failure; nothing after it is reported */
	char month[32];
	char footer[LXW_HEADER_FOOTER_MAX + 1];
	char **names; /* sheet names taken so far, for uniqueness */
	size_t nnames;
	lxw_format *title, *subtitle, *head, *head_left, *note, *key, *text;
	lxw_format *count[2], *pct[2], *inf[2];
	lxw_format *label[2][MAX_INDENT + 1];
	lxw_format *rise, *fall, *trend_head, *trend_label, *trend_num, *src_text, *src_int;
} book;

static void chk(book *b, lxw_error e)
{
	if (e != LXW_NO_ERROR && b->err == LXW_NO_ERROR)
		b->err = e;
}

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
	for (int bold = 0; bold < 2; bold++) {
		/* "0", not "#,##0": the paper prints 1669, not 1,669 */
		b->count[bold] = cell_fmt(b, bold);
		format_set_num_format(b->count[bold], "0");
		b->pct[bold] = cell_fmt(b, bold);
		format_set_num_format(b->pct[bold], "0.0%");
		b->inf[bold] = cell_fmt(b, bold);
		format_set_align(b->inf[bold], LXW_ALIGN_RIGHT);
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

static void fit(double *width, const char *s, double extra)
{
	double w = (double)u16len(s) + extra;
	if (w > *width)
		*width = w;
}

/* Every cell goes through these: text is always a string cell, never a
 * formula, whatever it starts with. */
static void put_str(book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, lxw_format *f)
{
	if (*s)
		chk(b, worksheet_write_string(ws, row, col, s, f));
	else
		chk(b, worksheet_write_blank(ws, row, col, f));
}

static void put_num(book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v, lxw_format *f)
{
	chk(b, worksheet_write_number(ws, row, col, v, f));
}

/* Nine figure cells: blank where the paper leaves a blank, numbers
 * elsewhere so Excel can sort and chart them.  OFF (may be NULL) is the
 * offender row they belong to: a figure its disclosure control withholds
 * is its mark, as text. */
static void put_figs(book *b, lxw_worksheet *ws, lxw_row_t row, const rep_fig *fig, int bold, double *width,
		     const rep_off_row *off)
{
	for (int w = 0; w < REP_WINDOWS; w++) {
		lxw_col_t c = (lxw_col_t)(1 + 3 * w);
		char t[64];
		/* a figure on missing months is text: its mark, or n/a; so is
		 * one disclosure control withholds */
		rep_fmt_cur(&fig[w], t, sizeof t);
		if ((off && rep_off_mark(b->r, off, w, REP_PART_CUR, t, sizeof t)) || (fig[w].missing & REP_MISSING_CURRENT))
			put_str(b, ws, row, c, t, b->inf[bold]);
		else if (*t)
			put_num(b, ws, row, c, (double)fig[w].cur, b->count[bold]);
		else
			put_str(b, ws, row, c, "", b->count[bold]);
		fit(&width[c], t, 2);
		rep_fmt_diff(&fig[w], t, sizeof t);
		if ((off && rep_off_mark(b->r, off, w, REP_PART_DIFF, t, sizeof t)) || fig[w].missing)
			put_str(b, ws, row, c + 1, t, b->inf[bold]);
		else if (*t)
			put_num(b, ws, row, c + 1, (double)fig[w].diff, b->count[bold]);
		else
			put_str(b, ws, row, c + 1, "", b->count[bold]);
		fit(&width[c + 1], t, 2);
		rep_fmt_pct(&fig[w], t, sizeof t);
		int withheld = off && rep_off_mark(b->r, off, w, REP_PART_PCT, t, sizeof t);
		if (!*t)
			put_str(b, ws, row, c + 2, "", b->pct[bold]);
		else if (withheld || fig[w].missing || fig[w].pct_kind == REP_PCT_INFINITY)
			put_str(b, ws, row, c + 2, t, b->inf[bold]);
		else
			/* The value of the printed one-decimal text, not the unrounded
			 * ratio: Excel's own rounding of x.x5 can differ from
			 * rep_fmt_pct's, and -0.04% would show as "-0.0%". */
			put_num(b, ws, row, c + 2, strtod(t, NULL) / 100.0, b->pct[bold]);
		fit(&width[c + 2], t, 2);
	}
}

static void put_label(book *b, lxw_worksheet *ws, lxw_row_t row, const char *label, int depth, int bold,
		      double *width)
{
	if (depth < 0)
		depth = 0;
	if (depth > MAX_INDENT)
		depth = MAX_INDENT;
	put_str(b, ws, row, 0, label, b->label[bold][depth]);
	/* a column-width unit is a '0', wider than the average letter; an
	 * indent level is about two of them; bold runs wider */
	double len = (double)u16len(label);
	double w = len * (bold ? 0.95 : 0.85) + 2.0 * depth + 2;
	if (w > width[0])
		width[0] = w;
}

/* The paper's two header rows: FIRST over both, each window's label merged
 * over its Current / Diff / % Diff. */
static void table_header(book *b, lxw_worksheet *ws, lxw_row_t row, const char *first, double *width)
{
	chk(b, worksheet_merge_range(ws, row, 0, row + 1, 0, first, b->head_left));
	fit(&width[0], first, 2);
	static const char *const sub[3] = {"Current", "Diff", "% Diff"};
	for (int w = 0; w < REP_WINDOWS; w++) {
		lxw_col_t c = (lxw_col_t)(1 + 3 * w);
		chk(b, worksheet_merge_range(ws, row, c, row, c + 2, rep_window_label[w], b->head));
		for (int k = 0; k < 3; k++) {
			put_str(b, ws, row + 1, c + k, sub[k], b->head);
			fit(&width[c + k], sub[k], 3);
		}
	}
}

/* Rises red, falls green, on the Diff and % Diff columns of rows FIRST..LAST.
 * "Infinity" is text, so it needs its own rule to read as a rise. */
static void rise_fall(book *b, lxw_worksheet *ws, lxw_row_t first, lxw_row_t last)
{
	static char infinity[] = "Infinity";
	if (last < first)
		return;
	for (int w = 0; w < REP_WINDOWS; w++) {
		for (lxw_col_t c = (lxw_col_t)(2 + 3 * w); c <= (lxw_col_t)(3 + 3 * w); c++) {
			lxw_conditional_format cf = {0};
			cf.type = LXW_CONDITIONAL_TYPE_CELL;
			cf.criteria = LXW_CONDITIONAL_CRITERIA_GREATER_THAN;
			cf.value = 0;
			cf.format = b->rise;
			chk(b, worksheet_conditional_format_range(ws, first, c, last, c, &cf));
			cf.criteria = LXW_CONDITIONAL_CRITERIA_LESS_THAN;
			cf.format = b->fall;
			chk(b, worksheet_conditional_format_range(ws, first, c, last, c, &cf));
		}
		lxw_conditional_format cf = {0};
		cf.type = LXW_CONDITIONAL_TYPE_TEXT;
		cf.criteria = LXW_CONDITIONAL_CRITERIA_TEXT_CONTAINING;
		cf.value_string = infinity;
		cf.format = b->rise;
		chk(b, worksheet_conditional_format_range(ws, first, (lxw_col_t)(3 + 3 * w), last,
							  (lxw_col_t)(3 + 3 * w), &cf));
	}
}

static void set_widths(book *b, lxw_worksheet *ws, const double *width, int ncol)
{
	for (int c = 0; c < ncol; c++) {
		double w = width[c] < 8 ? 8 : width[c] > 90 ? 90 : width[c];
		chk(b, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL));
	}
}

/* Landscape A4, one page wide, the header rows on every page. */
static void page_setup(book *b, lxw_worksheet *ws, lxw_row_t head_first, lxw_row_t head_last)
{
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.7);
	if (head_last >= head_first)
		chk(b, worksheet_repeat_rows(ws, head_first, head_last));
	chk(b, worksheet_set_footer(ws, b->footer));
}

/* "&" starts a header/footer code in Excel, so the taxonomy name has its
 * ampersands doubled; it is cut on a character to stay within the limit. */
static void make_footer(book *b)
{
	strbuf sb = {0};
	sb_puts(&sb, "&Lcrimetab \xe2\x80\x94 ");
	sb_puts(&sb, rep_dataset_label(b->r->dataset));
	const char *p = b->r->taxonomy ? b->r->taxonomy : "";
	if (*p)
		sb_puts(&sb, ", ");
	while (*p) {
		size_t len = 1;
		while (((unsigned char)p[len] & 0xC0) == 0x80)
			len++;
		if (sb.len + len + 1 > 200)
			break;
		if (*p == '&')
			sb_putc(&sb, '&');
		sb_add(&sb, p, len);
		p += len;
	}
	sb_puts(&sb, "&RPage &P of &N");
	snprintf(b->footer, sizeof b->footer, "%s", sb.buf);
	sb_release(&sb);
}

/* A sheet name Excel accepts: forbidden characters replaced, no leading or
 * trailing apostrophe, at most MAX units, cut on a character boundary. */
static void clean_name(const char *name, size_t max, char *out)
{
	const unsigned char *s = (const unsigned char *)name;
	int utf8 = ct_utf8_valid(name, strlen(name));
	size_t n = 0, units = 0;
	while (*s == ' ' || *s == '\'')
		s++;
	while (*s) {
		size_t len = 1, u = 1;
		if (utf8 && *s >= 0x80) {
			len = *s >= 0xF0 ? 4 : *s >= 0xE0 ? 3 : 2;
			u = len == 4 ? 2 : 1;
		}
		if (units + u > max)
			break;
		if (len > 1) {
			memcpy(out + n, s, len);
			n += len;
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
		units += u;
		s += len;
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\''))
		n--;
	out[n] = '\0';
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

/* The area's sheet name: cleaned, then " (2)", " (3)" ... on a clash. */
static const char *area_sheet_name(book *b, const char *area)
{
	char base[NAME_BUF], cand[NAME_BUF + 16];
	clean_name(area, SHEET_MAX, base);
	if (!*base)
		snprintf(base, sizeof base, "Area");
	snprintf(cand, sizeof cand, "%s", base);
	for (int k = 2; name_taken(b, cand); k++) {
		char suffix[16];
		int sl = snprintf(suffix, sizeof suffix, " (%d)", k);
		clean_name(area, SHEET_MAX - (size_t)sl, base);
		if (!*base)
			snprintf(base, sizeof base, "Area");
		snprintf(cand, sizeof cand, "%s%s", base, suffix);
	}
	return take_name(b, cand);
}

static lxw_worksheet *add_sheet(book *b, const char *name)
{
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
	if (!ws) {
		lxw_error e = workbook_validate_sheet_name(b->wb, name);
		chk(b, e != LXW_NO_ERROR ? e : LXW_ERROR_MEMORY_MALLOC_FAILED);
	}
	return ws;
}

static const rep_row *total_row(const rep_area *ar)
{
	for (size_t i = ar->nrows; i-- > 0;)
		if (ar->rows[i].flags & REP_ROW_TOTAL)
			return &ar->rows[i];
	return NULL;
}

static void summary_sheet(book *b, lxw_worksheet *ws)
{
	const rep_report *r = b->r;
	double width[NCOL] = {0};
	char line[512];
	snprintf(line, sizeof line, "Town centre crime: %s", b->month);
	put_str(b, ws, 0, 0, line, b->title);
	snprintf(line, sizeof line, "Each window compared with the %s. Totals per area; details on each area's sheet.",
		 rep_compare_label(r->compare));
	put_str(b, ws, 1, 0, line, b->subtitle);
	table_header(b, ws, 3, "Area", width);
	lxw_row_t row = 5;
	for (size_t a = 0; a < r->nareas; a++, row++) {
		const rep_area *ar = &r->areas[a];
		put_label(b, ws, row, ar->name, 0, 0, width);
		const rep_row *t = total_row(ar);
		if (t) {
			put_figs(b, ws, row, t->fig, 0, width, NULL);
		} else {
			static const rep_fig none[REP_WINDOWS];
			put_figs(b, ws, row, none, 0, width, NULL);
		}
	}
	rise_fall(b, ws, 5, row - 1);
	row++;
	for (size_t i = 0; i < r->nwarnings; i++) {
		snprintf(line, sizeof line, "Warning: %s", r->warnings[i]);
		put_str(b, ws, row++, 0, line, b->note);
	}
	for (size_t a = 0; a < r->nareas; a++) {
		size_t n;
		char **notes = rep_gap_notes(r, &r->areas[a], &n);
		if (n)
			/* the mark's meaning; each area's sheet names its own gaps */
			put_str(b, ws, row++, 0, notes[0], b->note);
		rep_lines_free(notes, n);
		if (n)
			break;
	}
	put_str(b, ws, row, 0, "Blank cells are zero. Infinity: nothing in the comparison period.", b->note);
	set_widths(b, ws, width, NCOL);
	worksheet_freeze_panes(ws, 5, 1);
	page_setup(b, ws, 3, 4);
}

static void area_sheet(book *b, lxw_worksheet *ws, const rep_area *ar)
{
	double width[NCOL] = {0};
	char line[512];
	put_str(b, ws, 0, 0, ar->name, b->title);
	snprintf(line, sizeof line, "%s, compared with the %s", b->month, rep_compare_label(b->r->compare));
	put_str(b, ws, 1, 0, line, b->subtitle);
	table_header(b, ws, 3, "Crime", width);
	lxw_row_t row = 5;
	int approx = 0;
	for (size_t i = 0; i < ar->nrows; i++, row++) {
		const rep_row *rw = &ar->rows[i];
		int bold = (rw->flags & (REP_ROW_GROUP | REP_ROW_TOTAL)) != 0;
		put_label(b, ws, row, rw->label, rw->depth, bold, width);
		put_figs(b, ws, row, rw->fig, bold, width, NULL);
		if ((rw->flags & REP_ROW_APPROX) && rw->note) {
			chk(b, worksheet_write_comment(ws, row, 0, rw->note));
			approx = 1;
		}
	}
	rise_fall(b, ws, 5, row - 1);
	size_t nnotes;
	char **notes = rep_gap_notes(b->r, ar, &nnotes);
	if (nnotes)
		row++;
	for (size_t i = 0; i < nnotes; i++)
		put_str(b, ws, row++, 0, notes[i], b->note);
	rep_lines_free(notes, nnotes);

	if (ar->has_offenders) {
		row++;
		lxw_row_t first = row + 2;
		table_header(b, ws, row, "Offenders (face match)", width);
		row += 2;
		for (size_t k = 0; k < ar->noffenders; k++, row++) {
			put_label(b, ws, row, ar->offenders[k].label, 1, 0, width);
			put_figs(b, ws, row, ar->offenders[k].fig, 0, width, &ar->offenders[k]);
		}
		rise_fall(b, ws, first, row - 1);
		put_str(b, ws, row++, 0,
			"Counts only; no individual is identified here. \"Confirmed\": matches a person reviewed. "
			"How these were made: see the Sources sheet.",
			b->note);
		if (b->r->suppress_below > 0) {
			snprintf(line, sizeof line,
				 "Counts from 1 to %d show as <%d, and [c] hides a figure that would give such a count away.",
				 b->r->suppress_below - 1, b->r->suppress_below);
			put_str(b, ws, row++, 0, line, b->note);
		}
	}
	if (approx) {
		/* comments do not print, so the notes are also footnotes */
		row++;
		for (size_t i = 0; i < ar->nrows; i++) {
			const rep_row *rw = &ar->rows[i];
			if (!(rw->flags & REP_ROW_APPROX) || !rw->note)
				continue;
			strbuf sb = {0};
			sb_printf(&sb, "\xe2\x80\xa0 %s: %s", rw->label, rw->note);
			put_str(b, ws, row++, 0, sb.buf, b->note);
			sb_release(&sb);
		}
	}
	put_str(b, ws, row + 1, 0, "Blank cells are zero. Infinity: nothing in the comparison period.", b->note);
	set_widths(b, ws, width, NCOL);
	worksheet_freeze_panes(ws, 5, 1);
	page_setup(b, ws, 3, 4);
}

/* One block per area, stacked: months down the side, the area's top-level
 * rows across (zeros written as 0, since a gap in a line chart reads as
 * missing data), and a line chart of them beside the block.  Chart titles
 * and series names point at cells, so no label is ever parsed as a formula. */
static void trend_sheet(book *b, lxw_worksheet *ws, const char *sheet)
{
	const rep_report *r = b->r;
	size_t maxcols = 1;
	for (size_t a = 0; a < r->nareas; a++) {
		size_t n = 1;
		for (size_t i = 0; i < r->areas[a].nrows; i++)
			n += r->areas[a].rows[i].depth == 0 && !(r->areas[a].rows[i].flags & REP_ROW_TOTAL);
		if (n > maxcols)
			maxcols = n;
	}
	double *width = xcalloc(maxcols, sizeof *width);
	lxw_row_t *breaks = xcalloc(r->nareas + 1, sizeof *breaks); /* 0-terminated */
	size_t nbreaks = 0;
	char line[512];
	snprintf(line, sizeof line, "Monthly crimes, %d months to %s", REP_SERIES, b->month);
	put_str(b, ws, 0, 0, line, b->title);
	put_str(b, ws, 1, 0, "The top-level rows of each area's table, month by month.", b->subtitle);
	fit(&width[0], "2024-09", 3);
	lxw_row_t row = 3;
	for (size_t a = 0; a < r->nareas && !b->err; a++) {
		const rep_area *ar = &r->areas[a];
		lxw_row_t title = row, head = row + 1, first = row + 2, last = first + REP_SERIES - 1;
		if (a > 0 && nbreaks < LXW_BREAKS_MAX)
			breaks[nbreaks++] = title; /* a page per area when printed */
		put_str(b, ws, title, 0, ar->name, b->key);
		chk(b, worksheet_set_row(ws, head, 30, NULL)); /* two lines of wrapped label */
		put_str(b, ws, head, 0, "Month", b->trend_head);
		for (int k = 0; k < REP_SERIES; k++) {
			char m[8];
			ct_month_format(r->month - (REP_SERIES - 1) + k, m);
			put_str(b, ws, first + (lxw_row_t)k, 0, m, b->trend_label);
		}
		lxw_chart *chart = NULL;
		lxw_col_t col = 1;
		for (size_t i = 0; i < ar->nrows; i++) {
			const rep_row *rw = &ar->rows[i];
			if (rw->depth != 0 || (rw->flags & REP_ROW_TOTAL))
				continue;
			put_str(b, ws, head, col, rw->label, b->trend_head);
			/* headers wrap, so a column need only hold its longest word */
			fit(&width[col], rw->label, 0);
			/* a month without data is a gap in the line, not a fall to 0 */
			for (int k = 0; k < REP_SERIES; k++)
				if (ar->series_missing[k])
					put_str(b, ws, first + (lxw_row_t)k, col, "", b->trend_num);
				else
					put_num(b, ws, first + (lxw_row_t)k, col, (double)rw->series[k],
						b->trend_num);
			if (!chart && !(chart = workbook_add_chart(b->wb, LXW_CHART_LINE))) {
				fputs("crimetab: out of memory\n", stderr);
				abort();
			}
			lxw_chart_series *s = chart_add_series(chart, NULL, NULL);
			if (!s) {
				chk(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
				break;
			}
			chart_series_set_categories(s, sheet, first, 0, last, 0);
			chart_series_set_values(s, sheet, first, col, last, col);
			chart_series_set_name_range(s, sheet, head, col);
			col++;
		}
		if (!chart) {
			put_str(b, ws, head, 1, "No crimes recorded.", b->note);
		} else {
			chart_title_set_name_range(chart, sheet, title, 0);
			chart_axis_set_name(chart->y_axis, "Crimes");
			chart_axis_set_min(chart->y_axis, 0);
			chart_axis_set_interval_unit(chart->x_axis, 3);
			chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
			/* the chart covers the block beside it: 24 rows of 20 px and
			 * the 40 px header, against a default height of 288 px */
			lxw_chart_options opt = {0};
			opt.x_scale = 1.5;
			opt.y_scale = (double)(REP_SERIES * 20 + 40) / 288.0;
			chk(b, worksheet_insert_chart_opt(ws, head, (lxw_col_t)(maxcols + 1), chart, &opt));
		}
		row = last + 3;
	}
	for (size_t c = 0; c < maxcols; c++) {
		double w = width[c] > 16 ? 16 : width[c] < 9 ? 9 : width[c];
		chk(b, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL));
	}
	chk(b, worksheet_set_column(ws, (lxw_col_t)maxcols, (lxw_col_t)maxcols, 3, NULL));
	if (nbreaks)
		chk(b, worksheet_set_h_pagebreaks(ws, breaks));
	free(breaks);
	free(width);
	page_setup(b, ws, 1, 0);
}

static void span_text(int from, int to, char *buf, size_t len)
{
	char a[8], c[8];
	ct_month_format(from, a);
	ct_month_format(to, c);
	if (from == to)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s to %s", a, c);
}

static void key_value(book *b, lxw_worksheet *ws, lxw_row_t row, const char *k, const char *v, double *width)
{
	put_str(b, ws, row, 0, k, b->key);
	put_str(b, ws, row, 1, v ? v : "", b->text);
	fit(&width[0], k, 2);
}

static void sources_sheet(book *b, lxw_worksheet *ws)
{
	const rep_report *r = b->r;
	/* the path, the longest cell, goes last so it does not widen column A,
	 * which holds the short keys of the block above */
	static const char *const head[] = {"Kind", "Force", "Months", "Rows", "Imported at", "Path"};
	enum { NH = sizeof head / sizeof head[0] };
	double width[NH] = {0};
	char buf[512];
	put_str(b, ws, 0, 0, "Sources", b->title);
	lxw_row_t row = 2;
	key_value(b, ws, row++, "Selected month", b->month, width);
	key_value(b, ws, row++, "Comparison basis", rep_compare_label(r->compare), width);
	for (int w = 0; w < REP_WINDOWS; w++) {
		char cur[40], cmp[40], key[64];
		span_text(r->span[w].from, r->span[w].to, cur, sizeof cur);
		span_text(r->span[w].cmp_from, r->span[w].cmp_to, cmp, sizeof cmp);
		snprintf(buf, sizeof buf, "%s, against %s", cur, cmp);
		snprintf(key, sizeof key, "Window: %s", rep_window_label[w]);
		key_value(b, ws, row++, key, buf, width);
	}
	key_value(b, ws, row++, "Dataset", rep_dataset_label(r->dataset), width);
	key_value(b, ws, row++, "Taxonomy", r->taxonomy, width);
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
		key_value(b, ws, row++, "Offenders", buf, width);
		if (r->nfm_runs == 0)
			key_value(b, ws, row++, "Face-match run", "none covers these months", width);
		for (size_t i = 0; i < r->nfm_runs; i++) {
			char text[4096];
			rep_fm_run_text(&r->fm_runs[i], text, sizeof text);
			key_value(b, ws, row++, "Face-match run", text, width);
		}
	}
	row++;
	put_str(b, ws, row++, 0, "Warnings", b->key);
	if (r->nwarnings == 0)
		put_str(b, ws, row++, 0, "None.", b->text);
	for (size_t i = 0; i < r->nwarnings; i++)
		put_str(b, ws, row++, 0, r->warnings[i], b->text);
	row++;

	put_str(b, ws, row++, 0, "Files", b->key);
	for (int k = 0; k < NH; k++) {
		put_str(b, ws, row, (lxw_col_t)k, head[k], b->head_left);
		fit(&width[k], head[k], 2);
	}
	lxw_row_t first = ++row;
	for (size_t i = 0; i < r->nsources; i++, row++) {
		const rep_source *s = &r->sources[i];
		const char *cell[NH] = {s->kind, s->force, buf, NULL, s->imported_at, s->path};
		span_text(s->month_min, s->month_max, buf, sizeof buf);
		for (int k = 0; k < NH; k++) {
			if (k == 3) {
				char n[32];
				put_num(b, ws, row, 3, (double)s->rows, b->src_int);
				snprintf(n, sizeof n, "%lld", s->rows);
				fit(&width[3], n, 4);
			} else {
				put_str(b, ws, row, (lxw_col_t)k, cell[k] ? cell[k] : "", b->src_text);
				fit(&width[k], cell[k] ? cell[k] : "", 2);
			}
		}
	}
	if (r->nsources == 0)
		put_str(b, ws, row++, 0, "No source files cover these months.", b->text);
	set_widths(b, ws, width, NH);
	page_setup(b, ws, first - 1, first - 1);
}

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

int rep_write_xlsx(const rep_report *r, const char *path, char *err, size_t errlen)
{
	book b = {0};
	b.r = r;
	b.wb = workbook_new(path);
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

	static const char *const fixed[] = {"Summary", "Trend", "Sources", "History"};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		take_name(&b, fixed[i]);

	lxw_worksheet *ws = add_sheet(&b, "Summary");
	if (ws)
		summary_sheet(&b, ws);
	for (size_t a = 0; a < r->nareas && !b.err; a++) {
		ws = add_sheet(&b, area_sheet_name(&b, r->areas[a].name));
		if (ws) {
			worksheet_set_comments_author(ws, "crimetab");
			area_sheet(&b, ws, &r->areas[a]);
		}
	}
	if (!b.err && (ws = add_sheet(&b, "Trend")))
		trend_sheet(&b, ws, "Trend");
	if (!b.err && (ws = add_sheet(&b, "Sources")))
		sources_sheet(&b, ws);

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
