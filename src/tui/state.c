/* The TUI's state machine: keys to requests, requests to state.  No curses
 * here, so every screen's behaviour can be tested without a terminal. */
#include "tui/tui.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wchar.h>

#include "report/sigfmt.h"

const tui_key tui_keys[] = {
	{TUI_KEY_UP, "Up", REQ_UP},
	{'k', "k", REQ_UP},
	{TUI_KEY_DOWN, "Down", REQ_DOWN},
	{'j', "j", REQ_DOWN},
	{TUI_KEY_PPAGE, "PgUp", REQ_PAGE_UP},
	{TUI_KEY_NPAGE, "PgDn", REQ_PAGE_DOWN},
	{TUI_KEY_HOME, "Home", REQ_FIRST},
	{'g', "g", REQ_FIRST},
	{'G', "G", REQ_LAST},
	{TUI_KEY_TAB, "Tab", REQ_FOCUS},
	{TUI_KEY_BTAB, "S-Tab", REQ_FOCUS},
	{'<', "<", REQ_AREA_PREV},
	{'>', ">", REQ_AREA_NEXT},
	{'[', "[", REQ_MONTH_PREV},
	{']', "]", REQ_MONTH_NEXT},
	{'L', "L", REQ_MONTH_LATEST},
	{TUI_KEY_END, "End", REQ_MONTH_LATEST},
	{'m', "m", REQ_MONTH_GOTO},
	{'h', "h", REQ_WIN_PREV},
	{TUI_KEY_LEFT, "Left", REQ_WIN_PREV},
	{'l', "l", REQ_WIN_NEXT},
	{TUI_KEY_RIGHT, "Right", REQ_WIN_NEXT},
	{'s', "s", REQ_SORT_NEXT},
	{'S', "S", REQ_SORT_PREV},
	{'c', "c", REQ_COMPARE},
	{'t', "t", REQ_TAXONOMY},
	{TUI_KEY_ENTER, "Enter", REQ_ENTER},
	{' ', "Space", REQ_TOGGLE},
	{'+', "+", REQ_EXPAND},
	{'-', "-", REQ_COLLAPSE},
	{'E', "E", REQ_EXPAND_ALL},
	{'C', "C", REQ_COLLAPSE_ALL},
	{'d', "d", REQ_DETAIL},
	{'/', "/", REQ_SEARCH},
	{'n', "n", REQ_SEARCH_NEXT},
	{'N', "N", REQ_SEARCH_PREV},
	{'e', "e", REQ_EXPORT},
	{'w', "w", REQ_EVALUATE},
	{'i', "i", REQ_SOURCES},
	{'r', "r", REQ_RELOAD},
	{TUI_CTRL('l'), "^L", REQ_REDRAW},
	{'?', "?", REQ_HELP},
	{TUI_KEY_F1, "F1", REQ_HELP},
	{TUI_KEY_ESC, "Esc", REQ_BACK},
	{'q', "q", REQ_QUIT},
};
const size_t tui_nkeys = sizeof tui_keys / sizeof tui_keys[0];

static const char *const request_help[REQ_COUNT] = {
	[REQ_NONE] = "",
#define TUI_REQ_HELP(name, help) [name] = (help),
	TUI_REQ_LIST(TUI_REQ_HELP)
#undef TUI_REQ_HELP
};

tui_request tui_key_request(int key)
{
	for (size_t i = 0; i < tui_nkeys; i++)
		if (tui_keys[i].key == key)
			return tui_keys[i].request;
	return REQ_NONE;
}

const char *tui_request_help(tui_request req)
{
	return req > REQ_NONE && req < REQ_COUNT ? request_help[req] : "";
}

/* ---- text helpers ---- */

/* Decodes one UTF-8 character at S (a bad byte counts as itself); returns its length. */
static size_t utf8_next(const char *s, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t k = u[0] < 0x80 ? 0 : (u[0] & 0xE0) == 0xC0 ? 1 : (u[0] & 0xF0) == 0xE0 ? 2 : (u[0] & 0xF8) == 0xF0 ? 3 : 9;
	if (k == 0 || k == 9) {
		*cp = u[0];
		return 1;
	}
	unsigned c = u[0] & (0x3F >> k);
	for (size_t i = 1; i <= k; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*cp = u[0];
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3F);
	}
	*cp = c;
	return k + 1;
}

static size_t utf8_put(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static int cp_width(unsigned cp)
{
	if (cp < 0x80)
		return 1;
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int tui_width(const char *s)
{
	int w = 0;
	unsigned cp;
	while (*s) {
		s += utf8_next(s, &cp);
		w += cp_width(cp);
	}
	return w;
}

int tui_fit(const char *s, int width, int ascii, char *out, size_t len)
{
	if (len == 0)
		return 0;
	out[0] = '\0';
	if (width <= 0)
		return 0;
	/* ASCII: one column per character, and what cannot be shown becomes '?' */
	int total = 0;
	unsigned cp;
	for (const char *p = s; *p;) {
		p += utf8_next(p, &cp);
		total += ascii ? 1 : cp_width(cp);
	}
	const char *ell = ascii ? "..." : "\xE2\x80\xA6";
	int ell_w = ascii ? 3 : 1, cut = total > width;
	int budget = cut ? width - ell_w : width, used = 0;
	size_t o = 0;
	if (budget < 0) {
		for (; used < width && o + 1 < len; used++)
			out[o++] = '.';
		out[o] = '\0';
		return used;
	}
	while (*s) {
		size_t k = utf8_next(s, &cp);
		int w = ascii ? 1 : cp_width(cp);
		if (used + w > budget || o + (ascii ? 1 : k) + 1 > len)
			break;
		if (ascii) {
			out[o++] = cp < 0x80 ? (char)cp : '?';
		} else {
			memcpy(out + o, s, k);
			o += k;
		}
		used += w;
		s += k;
	}
	if (cut && o + strlen(ell) + 1 <= len) {
		memcpy(out + o, ell, strlen(ell));
		o += strlen(ell);
		used += ell_w;
	}
	out[o] = '\0';
	return used;
}

void tui_sparkline(const long long *v, int n, int ascii, char *out, size_t len)
{
	static const char *const blocks[8] = {"\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83", "\xE2\x96\x84",
					      "\xE2\x96\x85", "\xE2\x96\x86", "\xE2\x96\x87", "\xE2\x96\x88"};
	static const char dots[] = " .:-=+*#";
	/* scaled from the lowest month to the highest, so a trend shows even
	 * on large counts; a flat line sits low, or mid-height when not zero */
	long long lo = 0, hi = 0;
	for (int i = 0; i < n; i++) {
		if (i == 0 || v[i] < lo)
			lo = v[i];
		if (i == 0 || v[i] > hi)
			hi = v[i];
	}
	size_t o = 0;
	for (int i = 0; i < n; i++) {
		int level = hi > lo ? (int)(((v[i] - lo) * 14 + (hi - lo)) / (2 * (hi - lo))) : hi > 0 ? 3 : 0;
		level = level < 0 ? 0 : level > 7 ? 7 : level;
		if (ascii) {
			if (o + 2 > len)
				break;
			out[o++] = dots[level];
		} else {
			if (o + 4 > len)
				break;
			memcpy(out + o, blocks[level], 3);
			o += 3;
		}
	}
	if (len)
		out[o] = '\0';
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0)
		return 0;
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i]) {
			char a = hay[i], b = needle[i];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
			if (a != b)
				break;
			i++;
		}
		if (i == n)
			return 1;
	}
	return 0;
}

static void set_message(tui_state *s, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_message(tui_state *s, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->message, sizeof s->message, fmt, ap);
	va_end(ap);
	s->message_error = error;
}

static void clear_message(tui_state *s)
{
	s->message[0] = '\0';
	s->message_error = 0;
}

static const char *sep(const tui_state *s)
{
	return s->ascii ? " | " : " \xC2\xB7 ";
}

/* ---- the view: visible rows, cursor, scrolling ---- */

const rep_area *tui_area(const tui_state *s)
{
	return s->rep && s->area < s->rep->nareas ? &s->rep->areas[s->area] : NULL;
}

const rep_row *tui_cursor_row(const tui_state *s)
{
	const rep_area *a = tui_area(s);
	return a && s->cursor < s->nvis ? &a->rows[s->vis[s->cursor]] : NULL;
}

int tui_row_has_children(const tui_state *s, size_t i)
{
	const rep_area *a = tui_area(s);
	/* rows are in pre-order: a first child follows its parent */
	return a && i + 1 < a->nrows && a->rows[i + 1].parent == (int)i;
}

static int path_collapsed(const tui_state *s, const char *path)
{
	for (size_t i = 0; i < s->ncollapsed; i++)
		if (strcmp(s->collapsed[i], path) == 0)
			return 1;
	return 0;
}

int tui_row_collapsed(const tui_state *s, size_t i)
{
	const rep_area *a = tui_area(s);
	return a && i < a->nrows && tui_row_has_children(s, i) && path_collapsed(s, a->rows[i].path);
}

static void set_collapsed(tui_state *s, const char *path, int on)
{
	for (size_t i = 0; i < s->ncollapsed; i++) {
		if (strcmp(s->collapsed[i], path) != 0)
			continue;
		if (!on) {
			free(s->collapsed[i]);
			s->collapsed[i] = s->collapsed[--s->ncollapsed];
		}
		return;
	}
	if (on) {
		s->collapsed = xrealloc(s->collapsed, (s->ncollapsed + 1) * sizeof *s->collapsed);
		s->collapsed[s->ncollapsed++] = xstrdup(path);
	}
}

static size_t page_rows(const tui_state *s)
{
	return s->lay.body_h > 0 ? (size_t)s->lay.body_h : 1;
}

static void scroll_fix(tui_state *s)
{
	size_t page = page_rows(s);
	if (s->nvis == 0) {
		s->cursor = s->top = 0;
	} else {
		if (s->cursor >= s->nvis)
			s->cursor = s->nvis - 1;
		if (s->cursor < s->top)
			s->top = s->cursor;
		if (s->cursor >= s->top + page)
			s->top = s->cursor - page + 1;
		if (s->top + page > s->nvis)
			s->top = s->nvis > page ? s->nvis - page : 0;
	}
	size_t na = s->rep ? s->rep->nareas : 0;
	if (s->area < s->area_top)
		s->area_top = s->area;
	if (s->area >= s->area_top + page)
		s->area_top = s->area - page + 1;
	if (s->area_top + page > na)
		s->area_top = na > page ? na - page : 0;
}

/* ---- sorting: siblings by a figure column, the tree kept ---- */

/* Rows that keep their place at the end of their siblings whatever the
 * sort: Unknown, then rows outside the total, then Total. */
static int sort_rank(const rep_row *r)
{
	return r->flags & REP_ROW_TOTAL ? 3 : r->flags & REP_ROW_OUTSIDE_TOTAL ? 2 : r->flags & REP_ROW_UNKNOWN ? 1 : 0;
}

/* The value column COL sorts by; a blank % Diff sorts below every number
 * and Infinity above. */
static double sort_key(const rep_row *r, int col)
{
	const rep_fig *f = &r->fig[col / 3];
	switch (col % 3) {
	case 0:
		return (double)f->cur;
	case 1:
		return (double)f->diff;
	default:
		return f->pct_kind == REP_PCT_INFINITY ? HUGE_VAL : f->pct_kind == REP_PCT_VALUE ? f->pct : -HUGE_VAL;
	}
}

typedef struct sort_ctx {
	const rep_row *rows;
	int col;
} sort_ctx;

static int sort_before(const sort_ctx *c, size_t x, size_t y)
{
	int rx = sort_rank(&c->rows[x]), ry = sort_rank(&c->rows[y]);
	if (rx != ry)
		return rx < ry;
	if (c->col >= 0 && rx == 0) {
		double kx = sort_key(&c->rows[x], c->col), ky = sort_key(&c->rows[y], c->col);
		if (kx != ky)
			return kx > ky;
	}
	return x < y;
}

/* Appends the children of row PARENT (-1: the top) to ORDER, sorted, each
 * followed by its own children. */
static void order_children(const sort_ctx *c, size_t nrows, int parent, size_t *order, size_t *n)
{
	size_t first = *n;
	for (size_t i = 0; i < nrows; i++)
		if (c->rows[i].parent == parent)
			order[(*n)++] = i;
	size_t last = *n;
	/* insertion sort: a handful of siblings, and stable */
	for (size_t i = first + 1; i < last; i++)
		for (size_t j = i; j > first && sort_before(c, order[j], order[j - 1]); j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	/* the children go after their parent, so the siblings move down */
	size_t nsib = last - first;
	size_t *sib = xmalloc((nsib ? nsib : 1) * sizeof *sib);
	memcpy(sib, order + first, nsib * sizeof *sib);
	*n = first;
	for (size_t k = 0; k < nsib; k++) {
		order[(*n)++] = sib[k];
		order_children(c, nrows, (int)sib[k], order, n);
	}
	free(sib);
}

/* Recomputes the visible rows, then puts the cursor on row ROW (an index in
 * the area's rows), or on its nearest visible ancestor; ROW < 0 clamps. */
static void refresh_rows(tui_state *s, long row)
{
	const rep_area *a = tui_area(s);
	s->nvis = 0;
	if (!a) {
		scroll_fix(s);
		return;
	}
	if (s->nvis_alloc < a->nrows) {
		s->nvis_alloc = a->nrows;
		s->vis = xrealloc(s->vis, s->nvis_alloc * sizeof *s->vis);
		s->order = xrealloc(s->order, s->nvis_alloc * sizeof *s->order);
	}
	if (s->sort < 0) {
		for (size_t i = 0; i < a->nrows; i++)
			s->order[i] = i;
	} else {
		sort_ctx c = {a->rows, s->sort};
		size_t n = 0;
		order_children(&c, a->nrows, -1, s->order, &n);
	}
	unsigned char *shown = xcalloc(a->nrows ? a->nrows : 1, 1);
	for (size_t k = 0; k < a->nrows; k++) {
		size_t i = s->order[k];
		int p = a->rows[i].parent;
		shown[i] = p < 0 || (shown[p] && !tui_row_collapsed(s, (size_t)p));
		if (shown[i])
			s->vis[s->nvis++] = i;
	}
	if (row >= 0 && (size_t)row < a->nrows) {
		while (row >= 0 && !shown[row])
			row = a->rows[row].parent;
		for (size_t v = 0; row >= 0 && v < s->nvis; v++)
			if (s->vis[v] == (size_t)row)
				s->cursor = v;
	}
	free(shown);
	scroll_fix(s);
}

static long cursor_row_index(const tui_state *s)
{
	return s->cursor < s->nvis ? (long)s->vis[s->cursor] : -1;
}

static long row_by_path(const tui_state *s, const char *path)
{
	const rep_area *a = tui_area(s);
	for (size_t i = 0; a && path && i < a->nrows; i++)
		if (strcmp(a->rows[i].path, path) == 0)
			return (long)i;
	return -1;
}

/* Selects area I, keeping the cursor on the same category where it has one. */
static void select_area(tui_state *s, size_t i)
{
	const rep_row *cur = tui_cursor_row(s);
	char *path = cur ? xstrdup(cur->path) : NULL;
	s->area = i;
	long row = row_by_path(s, path);
	if (row < 0)
		s->cursor = 0;
	refresh_rows(s, row);
	free(path);
}

/* ---- rebuilding the report ---- */

static int rebuild(tui_state *s, int month, int compare, size_t tax)
{
	char err[512] = "";
	tui_range range = {-1, -1, -1};
	rep_report *r = s->ops.build(s->ops.ctx, month, compare, s->taxonomies[tax], &range, err, sizeof err);
	if (!r) {
		set_message(s, 1, "%s", err[0] ? err : "cannot build the report");
		return -1;
	}
	if (r->nareas == 0) {
		rep_report_free(r);
		set_message(s, 1, "the report has no areas");
		return -1;
	}
	const rep_area *old = tui_area(s);
	const rep_row *cur = tui_cursor_row(s);
	char *area = old ? xstrdup(old->name) : NULL;
	char *path = cur ? xstrdup(cur->path) : NULL;
	rep_report_free(s->rep);
	s->rep = r;
	s->range = range;
	if (s->range.latest < 0)
		s->range.latest = r->month;
	if (s->range.first < 0 || s->range.first > r->month)
		s->range.first = r->month;
	if (s->range.last < r->month)
		s->range.last = r->month;
	s->follow_latest = month < 0 || r->month == s->range.latest;
	s->compare = compare;
	s->tax = tax;
	size_t a = 0;
	for (size_t i = 0; area && i < r->nareas; i++)
		if (strcmp(r->areas[i].name, area) == 0)
			a = i;
	s->area = a;
	long row = row_by_path(s, path);
	if (row < 0)
		s->cursor = 0;
	refresh_rows(s, row);
	tui_resize(s, s->lay.width, s->lay.height);
	free(area);
	free(path);
	return 0;
}

static int current_month_request(const tui_state *s)
{
	return s->follow_latest ? -1 : s->rep->month;
}

int tui_init(tui_state *s, const tui_ops *ops, int month, int compare, const char *const *taxonomies,
	     size_t ntaxonomies, size_t tax, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	s->ops = *ops;
	s->taxonomies = taxonomies;
	s->ntaxonomies = ntaxonomies;
	s->lay.width = 80;
	s->lay.height = 24;
	s->sort = -1;
	if (ntaxonomies == 0 || tax >= ntaxonomies) {
		snprintf(err, errlen, "no taxonomy to show");
		return -1;
	}
	if (rebuild(s, month, compare, tax) != 0) {
		snprintf(err, errlen, "%s", s->message);
		tui_release(s);
		return -1;
	}
	clear_message(s);
	return 0;
}

static void input_backspace(strbuf *in);
static tui_action handle_popup(tui_state *s, tui_request req);
static void form_release(tui_eval_form *f);
static void render_form(tui_state *s);
static void open_eval_result(tui_state *s);

static void popup_free(tui_state *s)
{
	for (size_t i = 0; i < s->npopup; i++)
		free(s->popup[i]);
	free(s->popup);
	free(s->popup_title);
	s->popup = NULL;
	s->popup_title = NULL;
	s->npopup = s->popup_top = 0;
}

void tui_release(tui_state *s)
{
	rep_report_free(s->rep);
	s->rep = NULL;
	free(s->vis);
	s->vis = NULL;
	free(s->order);
	s->order = NULL;
	s->nvis = s->nvis_alloc = 0;
	for (size_t i = 0; i < s->ncollapsed; i++)
		free(s->collapsed[i]);
	free(s->collapsed);
	s->collapsed = NULL;
	s->ncollapsed = 0;
	popup_free(s);
	sb_release(&s->input);
	free(s->search);
	s->search = NULL;
	form_release(&s->form);
	rep_eval_free(s->eval);
	s->eval = NULL;
}

static void open_sources(tui_state *s);

/* ---- lines of text ---- */

typedef struct lines {
	char **v;
	size_t n;
} lines;

static void add_line(lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_line(lines *l, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *line = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	vsnprintf(line, n > 0 ? (size_t)n + 1 : 1, fmt, ap2);
	va_end(ap2);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = line;
}

/* TEXT word-wrapped to WIDTH columns (at least MIN), each line after INDENT
 * spaces; a word longer than a line is cut. */
static void add_wrapped(lines *l, int indent, const char *text, int width, int min)
{
	int avail = width - indent < min ? min : width - indent;
	if (avail < 1)
		avail = 1;
	while (*text) {
		int used = 0;
		const char *p = text, *brk = NULL;
		unsigned cp;
		while (*p) {
			size_t k = utf8_next(p, &cp);
			if (used + cp_width(cp) > avail)
				break;
			used += cp_width(cp);
			p += k;
			if (*p == ' ')
				brk = p;
		}
		const char *end = !*p || !brk ? p : brk;
		add_line(l, "%*s%.*s", indent, "", (int)(end - text), text);
		text = end;
		while (*text == ' ')
			text++;
	}
}

static void lines_free(lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ---- months as text ---- */

static const char *dash(const tui_state *s)
{
	return s->ascii ? "-" : "\xE2\x80\x93";
}

static void month_short(int month, char *buf, size_t len)
{
	static const char *const names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	snprintf(buf, len, "%s %d", names[CT_MONTH_NUM(month) - 1], CT_MONTH_YEAR(month));
}

/* "Sep 2024", "Apr–Sep 2024", "Oct 2023–Sep 2024". */
static void span_text(const tui_state *s, int from, int to, char *buf, size_t len)
{
	char a[16], z[16];
	month_short(from, a, sizeof a);
	month_short(to, z, sizeof z);
	if (from == to)
		snprintf(buf, len, "%s", a);
	else if (CT_MONTH_YEAR(from) == CT_MONTH_YEAR(to))
		snprintf(buf, len, "%.3s%s%s", a, dash(s), z);
	else
		snprintf(buf, len, "%s%s%s", a, dash(s), z);
}

void tui_window_text(const tui_state *s, int w, char *buf, size_t len)
{
	const rep_window_span *sp = &s->rep->span[w];
	char cur[48], cmp[48];
	span_text(s, sp->from, sp->to, cur, sizeof cur);
	if (sp->cmp_from == sp->from - 12 && sp->cmp_to == sp->to - 12) {
		/* a year earlier: the same months, so the year says it */
		int a = CT_MONTH_YEAR(sp->cmp_from), z = CT_MONTH_YEAR(sp->cmp_to);
		if (a == z)
			snprintf(cmp, sizeof cmp, "%d", a);
		else
			snprintf(cmp, sizeof cmp, "%d%s%02d", a, dash(s), z % 100);
	} else {
		span_text(s, sp->cmp_from, sp->cmp_to, cmp, sizeof cmp);
	}
	snprintf(buf, len, "%s vs %s", cur, cmp);
}

/* ---- layout ---- */

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static int prompting(const tui_state *s)
{
	return s->mode == TUI_MODE_SEARCH || s->mode == TUI_MODE_EXPORT || s->mode == TUI_MODE_MONTH;
}

/* The most lines a message may take from the table. */
static int max_msg_lines(const tui_layout *l)
{
	int n = (l->height - l->body_y - 3) / 2;
	return n < 1 ? 1 : n;
}

static void wrap_message(const tui_state *s, lines *out)
{
	add_wrapped(out, 0, s->message, s->lay.width - 2, 1);
}

char **tui_message_lines(const tui_state *s, size_t *n)
{
	lines l = {0};
	if (s->message[0])
		wrap_message(s, &l);
	*n = l.n;
	return l.v;
}

/* Whether the report's changes were tested for significance. */
static int tests_changes(const tui_state *s)
{
	return s->rep && s->rep->sig_test != REP_SIG_NONE && s->rep->alpha > 0;
}

/* The lines under the table, from the bottom: the prompt on a line of its
 * own, the message above it wrapped so that it is read whole (or, with no
 * message, the info lines), then the status bar.  The table gives way. */
static void fit_bottom(tui_state *s)
{
	tui_layout *l = &s->lay;
	int prompt = prompting(s), n = prompt ? 0 : max_int(l->info_lines, 1);
	if (s->message[0]) {
		lines m = {0};
		wrap_message(s, &m);
		n = (int)m.n < max_msg_lines(l) ? (int)m.n : max_msg_lines(l);
		lines_free(&m);
	}
	l->prompt_y = prompt ? l->height - 1 : -1;
	l->msg_lines = n;
	l->msg_y = (prompt ? l->height - 1 : l->height) - n;
	l->status_y = l->msg_y - 1;
	l->body_h = l->status_y - l->body_y;
	if (l->body_h < 1)
		l->body_h = 1;
	scroll_fix(s);
}

void tui_resize(tui_state *s, int width, int height)
{
	tui_layout *l = &s->lay;
	memset(l, 0, sizeof *l);
	l->width = width;
	l->height = height;
	l->too_small = width < TUI_MIN_WIDTH || height < TUI_MIN_HEIGHT;
	/* at least the short headings and a sort mark: "Cur", "Diff", "%Diff" */
	l->cur_w = 4, l->diff_w = 5, l->pct_w = 6;
	int label_need = 6, name_w = 5;
	for (size_t a = 0; s->rep && a < s->rep->nareas; a++) {
		const rep_area *ar = &s->rep->areas[a];
		name_w = max_int(name_w, tui_width(ar->name));
		for (size_t i = 0; i < ar->nrows; i++) {
			const rep_row *r = &ar->rows[i];
			char b[64];
			label_need = max_int(label_need, 2 * r->depth + 2 + tui_width(r->label) +
								 (r->flags & REP_ROW_APPROX ? 2 : 0));
			for (int w = 0; w < REP_WINDOWS; w++) {
				char d[64], p[64];
				tui_fmt_fig(s, &r->fig[w], b, d, p, sizeof b);
				l->cur_w = max_int(l->cur_w, tui_width(b));
				l->diff_w = max_int(l->diff_w, tui_width(d));
				l->pct_w = max_int(l->pct_w, tui_width(p));
			}
		}
	}
	/* As many windows as leave the Crime column 24 columns; their Diff
	 * columns only if it then keeps whole labels (up to 32 columns): a
	 * narrow screen hides the Diff columns before a label's end.  With
	 * everything in and room to spare: wider gaps, full headings, the area
	 * list, the trend column, each window's months. */
	const int want = label_need + 1 < 32 ? label_need + 1 : 32, least = want < 24 ? want : 24;
	l->gap = 1;
	int label = 0;
	for (l->nwin = REP_WINDOWS; l->nwin > 1; l->nwin--) {
		l->show_diff = 0;
		if (width - 1 - l->nwin * (tui_win_w(l) + l->gap) >= least)
			break;
	}
	l->show_diff = 1;
	label = width - 1 - l->nwin * (tui_win_w(l) + l->gap);
	if (label < want) {
		l->show_diff = 0;
		label = width - 1 - l->nwin * (tui_win_w(l) + l->gap);
	}
	int all = l->nwin == REP_WINDOWS && l->show_diff;
	if (all && label - REP_WINDOWS >= want) {
		l->gap = 2;
		label -= REP_WINDOWS;
	}
	/* "Current" and "% Diff", with room for a sort mark */
	int cost = l->nwin * (max_int(l->cur_w, 8) - l->cur_w + max_int(l->pct_w, 8) - l->pct_w);
	if (all && label - cost >= want) {
		l->long_heads = 1;
		l->cur_w = max_int(l->cur_w, 8);
		l->pct_w = max_int(l->pct_w, 8);
		label -= cost;
	}
	int pane = name_w + 4;
	pane = pane < 16 ? 16 : pane > 30 ? 30 : pane;
	if (all && label - (pane + 1) >= want) {
		l->areas_w = pane;
		label -= pane + 1;
	}
	if (all && label - (TUI_SPARK + l->gap) >= want) {
		l->spark_w = TUI_SPARK;
		label -= TUI_SPARK + l->gap;
	}
	l->head_lines = 2;
	if (l->long_heads && s->rep && height >= 20) {
		/* a line of each window's months, the Diff column widened to hold it */
		int need = 0;
		for (int w = 0; w < REP_WINDOWS; w++) {
			char t[96];
			tui_window_text(s, w, t, sizeof t);
			need = max_int(need, tui_width(t));
		}
		int more = need - tui_win_w(l);
		if (more <= 0 || label - REP_WINDOWS * more >= want) {
			if (more > 0) {
				l->diff_w += more;
				label -= REP_WINDOWS * more;
			}
			l->head_lines = 3;
		}
	}
	l->win_first = s->win_first < 0 ? 0 : s->win_first > REP_WINDOWS - l->nwin ? REP_WINDOWS - l->nwin
										     : s->win_first;
	l->label_w = label < label_need + 1 ? label : label_need + 1;
	if (l->label_w < 1)
		l->label_w = 1;
	l->indent = l->label_w < label_need ? 1 : 2;
	l->table_x = l->areas_w ? l->areas_w + 1 : 0;
	l->table_w = width - l->table_x;
	l->tabs_y = l->areas_w ? -1 : 1;
	l->head_y = l->areas_w ? 1 : 2;
	l->body_y = l->head_y + l->head_lines;
	l->popup_rows = height - 6 > 1 ? height - 6 : 1;
	/* the cursor row's z and p get a line of their own under the months
	 * when the headings do not show the months and the table can spare it */
	l->info_lines = tests_changes(s) && l->head_lines < 3 && height - l->body_y - 3 >= 12 ? 2 : 1;
	fit_bottom(s);
	if (s->mode == TUI_MODE_SOURCES || s->mode == TUI_MODE_EVAL) {
		size_t top = s->popup_top;
		if (s->mode == TUI_MODE_SOURCES)
			open_sources(s);
		else
			open_eval_result(s);
		s->popup_top = top;
	}
	if (s->mode == TUI_MODE_EVAL_FORM)
		render_form(s);
	if (s->npopup) {
		size_t pr = (size_t)l->popup_rows;
		if (s->popup_top + pr > s->npopup)
			s->popup_top = s->npopup > pr ? s->npopup - pr : 0;
	}
}

static void relayout(tui_state *s)
{
	tui_resize(s, s->lay.width, s->lay.height);
}

/* ---- texts ---- */

void tui_title_text(const tui_state *s, int width, char *buf, size_t len)
{
	const rep_area *a = tui_area(s);
	char m[32], c[32], when[80], name[512];
	ct_month_long(s->rep->month, m, sizeof m);
	ct_month_long(s->rep->span[0].cmp_to, c, sizeof c);
	snprintf(when, sizeof when, "%s vs %s", m, c);
	const char *sp = sep(s);
	int room = width - tui_width(when) - tui_width(sp);
	if (room < 12) {
		month_short(s->rep->month, m, sizeof m);
		month_short(s->rep->span[0].cmp_to, c, sizeof c);
		snprintf(when, sizeof when, "%s vs %s", m, c);
		room = width - tui_width(when) - tui_width(sp);
	}
	/* the month is never the part cut */
	if (room < 2) {
		tui_fit(when, width, s->ascii, buf, len);
		return;
	}
	tui_fit(a ? a->name : "", room, s->ascii, name, sizeof name);
	snprintf(buf, len, "%s%s%s", name, sp, when);
}

/* "Last 6 Months % Diff" (long) or "6M %Diff" (short) for sort column COL. */
static void column_name(int col, int shortform, char *buf, size_t len)
{
	static const char *const sub[3] = {"Current", "Diff", "% Diff"};
	static const char *const sub_short[3] = {"Cur", "Diff", "%Diff"};
	static const char *const win_short[REP_WINDOWS] = {"Month", "6M", "12M"};
	if (shortform)
		snprintf(buf, len, "%s %s", win_short[col / 3], sub_short[col % 3]);
	else
		snprintf(buf, len, "%s %s", rep_window_label[col / 3], sub[col % 3]);
}

/* REP_MARK as '#' when the terminal has no UTF-8. */
static void ascii_mark(const tui_state *s, char *buf)
{
	char *m;
	while (s->ascii && (m = strstr(buf, REP_MARK)) != NULL) {
		*m = '#';
		memmove(m + 1, m + strlen(REP_MARK), strlen(m + strlen(REP_MARK)) + 1);
	}
}

void tui_fmt_fig(const tui_state *s, const rep_fig *f, char *cur, char *diff, char *pct, size_t len)
{
	rep_fmt_cur(f, cur, len);
	rep_fmt_diff(f, diff, len);
	/* tight: a flagged change costs a column at most, not two */
	rep_fmt_pct_marked(f, REP_MARK_TIGHT | (s->ascii ? REP_MARK_ASCII : 0), pct, len);
	ascii_mark(s, cur);
	ascii_mark(s, diff);
}

/* Between the windows on the info line. */
static const char *win_sep(const tui_state *s)
{
	return s->ascii ? " | " : " \xE2\x94\x82 ";
}

/* The cursor row when one of its changes in a window shown was tested,
 * else NULL. */
static const rep_row *sig_row(const tui_state *s)
{
	const rep_row *r = tui_cursor_row(s);
	if (!r || !tests_changes(s))
		return NULL;
	for (int i = 0; i < s->lay.nwin && s->lay.win_first + i < REP_WINDOWS; i++)
		if (r->fig[s->lay.win_first + i].tested)
			return r;
	return NULL;
}

/* Appends F's p-value and z-score, the figure the report's test flags on
 * first and the other in brackets: "p = 0.24 (z 1.67)" under the E-test
 * ("E-test p = ..." with NAME), "z 1.67 (E-test p = 0.24)" under the
 * z-score, then the mark when flagged; "n/a" when its change was not
 * tested.  The two can disagree (z 2.0 with p = 0.165): the z-score takes
 * the comparison count as fixed, the E-test does not. */
static void sig_cell(const tui_state *s, const rep_fig *f, int name, strbuf *sb)
{
	if (!f->tested) {
		sb_puts(sb, "n/a");
		return;
	}
	char z[16], p[24];
	rep_fmt_fig_z(f, z, sizeof z);
	rep_fmt_p_stmt(f->p, p, sizeof p);
	const char *mark = rep_sig_mark(f, s->ascii ? REP_MARK_ASCII : 0);
	if (s->rep->sig_test == REP_SIG_Z)
		sb_printf(sb, "z %s (E-test %s)%s", z, p, mark);
	else
		sb_printf(sb, "%s%s (z %s)%s", name ? "E-test " : "", p, z, mark);
}

int tui_sig_text(const tui_state *s, char *buf, size_t len)
{
	const rep_row *r = tui_cursor_row(s);
	if (len)
		buf[0] = '\0';
	if (!r || !tests_changes(s))
		return 0;
	strbuf sig = {0};
	for (int i = 0; i < s->lay.nwin && s->lay.win_first + i < REP_WINDOWS; i++) {
		sb_puts(&sig, i ? win_sep(s) : "");
		sig_cell(s, &r->fig[s->lay.win_first + i], i == 0, &sig);
	}
	/* the whole path if it fits beside the figures, else its last two
	 * labels, else its last cut short; the figures win */
	const char *path = r->path;
	int room = s->lay.width - 2 - tui_width(sig.buf) - 2;
	for (int cut = 0; tui_width(path) > room && cut < 2; cut++) {
		const char *last = NULL, *q = path;
		while ((q = strstr(q, " > ")) != NULL)
			last = q++;
		if (!last)
			break;
		const char *prev = NULL;
		for (q = path; (q = strstr(q, " > ")) != NULL && q < last; q++)
			prev = q;
		path = cut == 0 && prev ? prev + 3 : last + 3;
	}
	char fit[512];
	if (room >= 6)
		tui_fit(path, room, s->ascii, fit, sizeof fit);
	snprintf(buf, len, "%s%s%s", room >= 6 ? fit : "", room >= 6 ? "  " : "", sig.buf);
	sb_release(&sig);
	return 1;
}

int tui_gap_text(const tui_state *s, char *buf, size_t len)
{
	const rep_area *a = tui_area(s);
	size_t n;
	char **notes = a ? rep_gap_notes(s->rep, a, &n) : NULL;
	strbuf sb = {0};
	/* notes[0] says what the mark means; the gaps say where */
	for (size_t i = 1; notes && i < n; i++)
		sb_printf(&sb, "%s%s", i > 1 ? "; " : "", notes[i] + (i > 1 ? strlen(REP_MARK) + 1 : 0));
	if (notes)
		sb_printf(&sb, " (windows marked %s: no difference shown)", REP_MARK);
	snprintf(buf, len, "%s", sb.buf ? sb.buf : "");
	ascii_mark(s, buf);
	sb_release(&sb);
	rep_lines_free(notes, notes ? n : 0);
	return buf[0] != '\0';
}

void tui_status_text(const tui_state *s, int width, char *buf, size_t len)
{
	const rep_report *r = s->rep;
	int from = -1, to = -1;
	for (size_t i = 0; i < r->nsources; i++) {
		if (from < 0 || r->sources[i].month_min < from)
			from = r->sources[i].month_min;
		if (to < 0 || r->sources[i].month_max > to)
			to = r->sources[i].month_max;
	}
	char cov[32] = "no sources";
	if (from >= 0) {
		char a[8], z[8];
		ct_month_format(from, a);
		ct_month_format(to, z);
		snprintf(cov, sizeof cov, "%s..%s", a, z);
	}
	char pos[48], sort_l[64] = "", sort_s[64] = "";
	if (s->focus == TUI_FOCUS_AREAS)
		snprintf(pos, sizeof pos, "area %zu/%zu", s->area + 1, r->nareas);
	else
		snprintf(pos, sizeof pos, "row %zu/%zu", s->nvis ? s->cursor + 1 : 0, s->nvis);
	if (s->sort >= 0) {
		char c[48];
		column_name(s->sort, 0, c, sizeof c);
		snprintf(sort_l, sizeof sort_l, "sorted by %s", c);
		column_name(s->sort, 1, c, sizeof c);
		snprintf(sort_s, sizeof sort_s, "sort %s", c);
	}
	const char *sp = sep(s);
	const rep_area *a = tui_area(s);
	int inc = a ? rep_area_incomplete(a) : 0;
	/* the long form, else shorter words, else the least needed parts left
	 * out; the incomplete windows first, so that a narrow screen shows them */
	for (int level = 0; level < 4; level++) {
		int brief = level > 0;
		strbuf sb = {0};
		if (inc)
			sb_printf(&sb, "%d of %d windows incomplete%s", inc, REP_WINDOWS, sp);
		if (level < 3)
			sb_printf(&sb, "%s %s%s", brief ? r->dataset : rep_dataset_label(r->dataset), cov, sp);
		sb_printf(&sb, "%s%s%zu warning%s%s", brief ? (r->compare == REP_COMPARE_PREVIOUS ? "vs previous" : "vs year before")
						: (r->compare == REP_COMPARE_PREVIOUS ? "basis: preceding period"
										  : "basis: year earlier"),
			  sp, r->nwarnings, r->nwarnings == 1 ? "" : "s", sp);
		if (s->sort >= 0)
			sb_printf(&sb, "%s%s", brief ? sort_s : sort_l, sp);
		sb_puts(&sb, pos);
		if (level < 2)
			sb_printf(&sb, "%s? help", sp);
		int fits = tui_width(sb.buf) <= width || level == 3;
		if (fits)
			snprintf(buf, len, "%s", sb.buf);
		sb_release(&sb);
		if (fits)
			return;
	}
}

int tui_info_text(const tui_state *s, char *buf, size_t len)
{
	/* figures on missing months: the footnote comes first */
	if (tui_gap_text(s, buf, len))
		return 1;
	const rep_row *row = tui_cursor_row(s), *tested = s->lay.info_lines < 2 ? sig_row(s) : NULL;
	strbuf sb = {0}, note = {0};
	if (row && row->note)
		sb_printf(&note, "%s %s: %s%s", s->ascii ? "*" : "\xE2\x80\xA0", row->label, row->note, sep(s));
	sb_puts(&sb, note.buf ? note.buf : "");
	for (int i = 0; i < s->lay.nwin && s->lay.win_first + i < REP_WINDOWS; i++) {
		char t[96];
		tui_window_text(s, s->lay.win_first + i, t, sizeof t);
		sb_printf(&sb, "%s%s", i ? win_sep(s) : "", t);
		if (tested) {
			sb_puts(&sb, ": ");
			sig_cell(s, &tested->fig[s->lay.win_first + i], i == 0, &sb);
		}
	}
	if (tested && tui_width(sb.buf) > s->lay.width - 2) {
		/* too wide with the months: the z and p win, beside the note when
		 * that fits, else beside the row's path */
		sb_reset(&sb);
		sb_puts(&sb, note.buf ? note.buf : "");
		for (int i = 0; i < s->lay.nwin && s->lay.win_first + i < REP_WINDOWS; i++) {
			sb_puts(&sb, i ? win_sep(s) : "");
			sig_cell(s, &tested->fig[s->lay.win_first + i], i == 0, &sb);
		}
		if (!note.buf || tui_width(sb.buf) > s->lay.width - 2) {
			char sig[512];
			tui_sig_text(s, sig, sizeof sig);
			sb_reset(&sb);
			sb_puts(&sb, sig);
		}
	}
	snprintf(buf, len, "%s", sb.buf ? sb.buf : "");
	sb_release(&sb);
	sb_release(&note);
	return 0;
}

const char *tui_prompt_text(const tui_state *s)
{
	switch (s->mode) {
	case TUI_MODE_SEARCH:
		return "/";
	case TUI_MODE_EXPORT:
		return "Export to (.md .xlsx .csv .json): ";
	case TUI_MODE_MONTH:
		return "Go to month (YYYY-MM): ";
	default:
		return "";
	}
}

size_t tui_tabs_first(const tui_state *s)
{
	const rep_report *r = s->rep;
	int avail = s->lay.width - 2;
	size_t first = 0;
	for (;;) {
		int w = 0;
		for (size_t i = first; i <= s->area && i < r->nareas; i++)
			w += tui_width(r->areas[i].name) + 3;
		if (w <= avail - 2 || first >= s->area)
			return first;
		first++;
	}
}

char **tui_help_lines(size_t *n)
{
	char **out = xcalloc(REQ_COUNT + 12, sizeof *out);
	size_t k = 0;
	for (int req = REQ_NONE + 1; req < REQ_COUNT; req++) {
		strbuf keys = {0};
		for (size_t i = 0; i < tui_nkeys; i++)
			if (tui_keys[i].request == (tui_request)req)
				sb_printf(&keys, "%s%s", keys.len ? " " : "", tui_keys[i].name);
		out[k++] = xasprintf("  %-12s %s", keys.buf ? keys.buf : "", tui_request_help((tui_request)req));
		sb_release(&keys);
	}
	out[k++] = xasprintf("  %-12s %s", "Mouse", "click: select a row or area; on a group's name: expand or collapse it");
	out[k++] = xasprintf("  %-12s %s", "", "click a column heading: sort by it; wheel: scroll");
	out[k++] = xstrdup("");
	out[k++] = xstrdup("  The Evaluate form (w): Up/Down a field, Left/Right or digits change it, Space");
	out[k++] = xstrdup("  ticks a control area, Enter evaluates, Esc closes; Enter on the result edits it.");
	out[k++] = xstrdup("  Rises are red, falls green (NO_COLOR turns colour off); group rows are bold.");
	out[k++] = xstrdup("  \xE2\x80\xA0 marks a row that stands for more than one category (its note is on the");
	out[k++] = xstrdup("  line under the status bar).  A narrow screen hides the Diff columns first.");
	out[k++] = xstrdup("  Figures are the report model's: the same as crimetab report writes.");
	*n = k;
	return out;
}

char *tui_export_name(const char *area, int month)
{
	strbuf sb = {0};
	sb_puts(&sb, "crimetab-");
	int dash_ = 1;
	for (const unsigned char *p = (const unsigned char *)area; *p; p++) {
		unsigned char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			sb_putc(&sb, (char)c);
			dash_ = 0;
		} else if (!dash_) {
			sb_putc(&sb, '-');
			dash_ = 1;
		}
	}
	if (!dash_)
		sb_putc(&sb, '-');
	char m[8];
	ct_month_format(month, m);
	sb_printf(&sb, "%s.md", m);
	return sb_detach(&sb);
}

const char *tui_export_format(const char *path)
{
	static const struct {
		const char *ext, *format;
	} exts[] = {{".md", "markdown"}, {".markdown", "markdown"}, {".xlsx", "xlsx"}, {".csv", "csv"}, {".json", "json"}};
	size_t n = strlen(path);
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		size_t e = strlen(exts[i].ext);
		if (n > e && strncasecmp(path + n - e, exts[i].ext, e) == 0 && path[n - e - 1] != '/')
			return exts[i].format;
	}
	return NULL;
}

/* ---- popups ---- */

static void open_popup(tui_state *s, tui_mode mode, char *title, lines *l)
{
	popup_free(s);
	s->mode = mode;
	s->popup_title = title;
	s->popup = l->v;
	s->npopup = l->n;
}

static int popup_width(const tui_state *s)
{
	int w = s->lay.width - 4;
	return w > 100 ? 100 : w;
}

static void open_detail(tui_state *s)
{
	const rep_area *a = tui_area(s);
	const rep_row *row = tui_cursor_row(s);
	if (!row)
		return;
	const rep_report *r = s->rep;
	lines l = {0};
	add_line(&l, "%s", row->path);
	add_line(&l, "%s%s%s%s%s", a->name, sep(s), r->taxonomy, sep(s), rep_dataset_label(r->dataset));
	if (row->note)
		add_wrapped(&l, 0, row->note, popup_width(s), 20);
	if (row->flags & REP_ROW_OUTSIDE_TOTAL)
		add_line(&l, "Not counted in Total.");
	if (row->flags & REP_ROW_UNKNOWN)
		add_line(&l, "Categories no template rule maps.");
	add_line(&l, "%s", "");
	add_line(&l, "%-14s %7s %6s %8s  %-17s %s", "", "Current", "Diff", "% Diff", "Months", "Compared with");
	for (int w = 0; w < REP_WINDOWS; w++) {
		char c[32], d[32], p[32], cur[40], cmp[40];
		tui_fmt_fig(s, &row->fig[w], c, d, p, sizeof c);
		span_text(s, r->span[w].from, r->span[w].to, cur, sizeof cur);
		span_text(s, r->span[w].cmp_from, r->span[w].cmp_to, cmp, sizeof cmp);
		/* %-17s pads bytes: a dash of three bytes takes one column */
		int pad = 17 - tui_width(cur);
		add_line(&l, "%-14s %7s %6s %8s  %s%*s %s", rep_window_label[w], c, d, p, cur, pad > 0 ? pad : 0, "",
			 cmp);
	}
	char gap[1024];
	if (tui_gap_text(s, gap, sizeof gap))
		add_wrapped(&l, 0, gap, popup_width(s), 20);
	if (row->ncats) {
		/* the figures are stats/'s: one count per category and window */
		add_line(&l, "%s", "");
		add_line(&l, "Source categories in this row (no rule of the %s template maps them)", r->taxonomy);
		add_line(&l, "  %-40s %7s %7s %7s", "", "Month", "6 mon.", "12 mon.");
		for (size_t i = 0; i < row->ncats; i++) {
			char name[160], c[3][32];
			tui_fit(row->cats[i].name, 40, s->ascii, name, sizeof name);
			for (int w = 0; w < REP_WINDOWS; w++)
				rep_fmt_count(row->cats[i].cur[w], c[w], sizeof c[w]);
			int pad = 40 - tui_width(name);
			add_line(&l, "  %s%*s %7s %7s %7s", name, pad > 0 ? pad : 0, "", c[0], c[1], c[2]);
		}
	}
	add_line(&l, "%s", "");
	char spark[TUI_SPARK * 4 + 1];
	tui_sparkline(row->series + REP_SERIES - TUI_SPARK, TUI_SPARK, s->ascii, spark, sizeof spark);
	add_line(&l, "%-14s %s", "Last 12 months", spark);
	add_line(&l, "%s", "");
	/* 24 months as two columns of 12, so each month sits beside the same
	 * month a year later */
	add_line(&l, "Counts by month (%d months to the selected month)", REP_SERIES);
	long long max = 0;
	for (int i = 0; i < REP_SERIES; i++)
		if (row->series[i] > max)
			max = row->series[i];
	const int half = REP_SERIES / 2, barw = 14;
	for (int i = 0; i < half; i++) {
		strbuf line = {0};
		for (int c = 0; c < 2; c++) {
			int k = i + c * half;
			char m[16];
			month_short(r->month - (REP_SERIES - 1) + k, m, sizeof m);
			int n = max > 0 && row->series[k] > 0 ? (int)((row->series[k] * barw + max - 1) / max) : 0;
			sb_printf(&line, "%s%-8s %6lld ", c ? "    " : "  ", m, row->series[k]);
			for (int b = 0; b < barw; b++)
				sb_puts(&line, b >= n ? " " : s->ascii ? "#" : "\xE2\x96\x86");
		}
		add_line(&l, "%s", line.buf);
		sb_release(&line);
	}
	open_popup(s, TUI_MODE_DETAIL, xstrdup(row->label), &l);
}

static void open_sources(tui_state *s)
{
	const rep_report *r = s->rep;
	lines l = {0};
	char span[40], m[32], a[32], z[32];
	span_text(s, r->month - (REP_SERIES - 1), r->month, span, sizeof span);
	ct_month_long(r->month, m, sizeof m);
	ct_month_long(s->range.first, a, sizeof a);
	ct_month_long(s->range.last, z, sizeof z);
	add_line(&l, "Data:     %s, %s to %s (the report reads %s)", rep_dataset_label(r->dataset), a, z, span);
	add_line(&l, "Month:    %s, compared with the %s", m, rep_compare_label(r->compare));
	add_line(&l, "Taxonomy: %s", r->taxonomy);
	add_line(&l, "%s", "");
	add_line(&l, "Sources (%zu)", r->nsources);
	if (r->nsources == 0)
		add_line(&l, "  none");
	for (size_t i = 0; i < r->nsources; i++) {
		const rep_source *src = &r->sources[i];
		char cov[40] = "no months";
		if (src->month_min >= 0)
			span_text(s, src->month_min, src->month_max, cov, sizeof cov);
		char *head = xasprintf("%s%s%s: %s, %lld rows, imported %s", src->kind, src->force[0] ? " " : "",
				       src->force, cov, src->rows, src->imported_at);
		add_wrapped(&l, 2, head, popup_width(s), 20);
		add_wrapped(&l, 4, src->path, popup_width(s), 20);
		free(head);
	}
	add_line(&l, "%s", "");
	add_line(&l, "Warnings (%zu)", r->nwarnings);
	if (r->nwarnings == 0)
		add_line(&l, "  none");
	for (size_t i = 0; i < r->nwarnings; i++)
		add_wrapped(&l, 2, r->warnings[i], popup_width(s), 20);
	open_popup(s, TUI_MODE_SOURCES, xstrdup("Sources and warnings"), &l);
}

static void open_help(tui_state *s)
{
	lines l;
	l.v = tui_help_lines(&l.n);
	open_popup(s, TUI_MODE_HELP, xstrdup("Keys"), &l);
}

/* ---- the Evaluate screen ---- */

static void form_release(tui_eval_form *f)
{
	free(f->treated);
	for (size_t i = 0; i < f->ncontrol; i++)
		free(f->control[i]);
	free(f->control);
	free(f->category);
	memset(f, 0, sizeof *f);
}

/* True if area I can be treated or a control: not the all-data pseudo-area. */
static int real_area(const tui_state *s, size_t i)
{
	return !s->ops.all_areas || strcmp(s->rep->areas[i].name, s->ops.all_areas) != 0;
}

static size_t real_areas(const tui_state *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->rep->nareas; i++)
		n += real_area(s, i);
	return n;
}

/* The index of the K-th candidate control area (every real area but the
 * treated one), or (size_t)-1. */
static size_t candidate(const tui_state *s, size_t k)
{
	for (size_t i = 0; i < s->rep->nareas; i++)
		if (real_area(s, i) && strcmp(s->rep->areas[i].name, s->form.treated) != 0 && k-- == 0)
			return i;
	return (size_t)-1;
}

static long ticked(const tui_eval_form *f, const char *name)
{
	for (size_t i = 0; i < f->ncontrol; i++)
		if (strcmp(f->control[i], name) == 0)
			return (long)i;
	return -1;
}

static void untick(tui_eval_form *f, const char *name)
{
	long i = ticked(f, name);
	if (i < 0)
		return;
	free(f->control[i]);
	f->control[i] = f->control[--f->ncontrol];
}

int tui_form_field(const tui_state *s, size_t item, size_t *area)
{
	size_t nc = real_areas(s) - 1;
	if (item == 0)
		return TUI_EV_TREATED;
	if (item <= nc) {
		if (area)
			*area = candidate(s, item - 1);
		return TUI_EV_CONTROL;
	}
	item -= nc;
	return item <= TUI_EV_BUFFER - TUI_EV_CONTROL ? (int)(TUI_EV_CONTROL + item) : -1;
}

static int form_items(const tui_state *s)
{
	return (int)(real_areas(s) - 1) + (TUI_EV_BUFFER - TUI_EV_CONTROL) + 1;
}

/* The hint above the form's fields: its lines come before the first field. */
static const char form_hint[] = "Left/Right or digits change a field, Space ticks a control, Enter evaluates";

static size_t form_head_lines(const tui_state *s)
{
	lines l = {0};
	add_wrapped(&l, 0, form_hint, popup_width(s), 20);
	size_t n = l.n + 1; /* and a blank line */
	lines_free(&l);
	return n;
}

long tui_form_cursor_line(const tui_state *s)
{
	return s->mode == TUI_MODE_EVAL_FORM ? (long)(form_head_lines(s) + s->form_item) : -1;
}

static int typable(int field)
{
	return field == TUI_EV_START || field == TUI_EV_PRE || field == TUI_EV_POST || field == TUI_EV_BUFFER;
}

/* The rows the category cycles through: the first area's (all data holds
 * every row any area has), in the model's order. */
static const rep_area *category_rows(const tui_state *s)
{
	return s->rep->nareas ? &s->rep->areas[0] : NULL;
}

static void set_category(tui_eval_form *f, const rep_row *r)
{
	free(f->category);
	f->category = xstrdup(!r || (r->flags & REP_ROW_TOTAL) ? "Total" : r->path);
}

/* "◂ TEXT ▸" on the cursor line, "  TEXT" elsewhere; TEXT cut to fit. */
static void field_line(const tui_state *s, lines *l, const char *label, const char *text, int cursor)
{
	char cut[512];
	int room = popup_width(s) - 16 - 4;
	tui_fit(text, room, s->ascii, cut, sizeof cut);
	if (cursor)
		add_line(l, "%-15s %s %s %s", label, s->ascii ? "<" : "\xE2\x97\x82", cut, s->ascii ? ">" : "\xE2\x96\xB8");
	else
		add_line(l, "%-15s   %s", label, cut);
}

static void render_form(tui_state *s)
{
	lines l = {0};
	const tui_eval_form *f = &s->form;
	add_wrapped(&l, 0, form_hint, popup_width(s), 20);
	add_line(&l, "%s", "");
	int n = form_items(s);
	for (int item = 0; item < n; item++) {
		size_t area = 0;
		int field = tui_form_field(s, (size_t)item, &area), cur = (size_t)item == s->form_item;
		char text[512], m[32];
		if (cur && typable(field) && s->input.len) {
			snprintf(text, sizeof text, "%s_", s->input.buf);
		} else {
			switch (field) {
			case TUI_EV_START:
				ct_month_format(f->start, m);
				snprintf(text, sizeof text, "%s (the intervention's first month)", m);
				break;
			case TUI_EV_PRE:
				if (f->pre)
					snprintf(text, sizeof text, "%d", f->pre);
				else
					snprintf(text, sizeof text, "as many as after");
				break;
			case TUI_EV_POST:
				if (f->post)
					snprintf(text, sizeof text, "%d", f->post);
				else
					snprintf(text, sizeof text, "up to 12, to the latest month");
				break;
			case TUI_EV_CATEGORY:
				snprintf(text, sizeof text, "%s", f->category);
				break;
			case TUI_EV_BUFFER:
				if (f->buffer_m)
					snprintf(text, sizeof text, "%d m around each area", f->buffer_m);
				else
					snprintf(text, sizeof text, "none");
				break;
			default:
				snprintf(text, sizeof text, "%s", field == TUI_EV_TREATED ? f->treated : "");
			}
		}
		static const char *const labels[] = {
			[TUI_EV_TREATED] = "Treated area", [TUI_EV_CONTROL] = "Control areas", [TUI_EV_START] = "Start month",
			[TUI_EV_PRE] = "Months before",    [TUI_EV_POST] = "Months after",     [TUI_EV_CATEGORY] = "Category",
			[TUI_EV_BUFFER] = "Buffer",
		};
		if (field == TUI_EV_CONTROL) {
			const char *name = s->rep->areas[area].name;
			char box[600];
			snprintf(box, sizeof box, "[%s] %s", ticked(f, name) >= 0 ? "x" : " ", name);
			char cut[512];
			tui_fit(box, popup_width(s) - 16 - 2, s->ascii, cut, sizeof cut);
			add_line(&l, "%-15s %s%s", item == 1 ? labels[field] : "", cur ? (s->ascii ? "> " : "\xE2\x96\xB8 ") : "  ",
				 cut);
		} else if (field >= TUI_EV_TREATED && field <= TUI_EV_BUFFER) {
			field_line(s, &l, labels[field], text, cur);
		}
	}
	size_t top = s->popup_top;
	open_popup(s, TUI_MODE_EVAL_FORM, xstrdup("Evaluate an intervention (WDD test)"), &l);
	/* the cursor line stays in view */
	size_t page = (size_t)(s->lay.popup_rows > 0 ? s->lay.popup_rows : 1), line = (size_t)tui_form_cursor_line(s);
	s->popup_top = top;
	if (line < s->popup_top)
		s->popup_top = line > form_head_lines(s) ? line : 0;
	if (line >= s->popup_top + page)
		s->popup_top = line - page + 1;
}

/* Opens the form: the treated area is the selected one, the category the
 * cursor row, the start the selected month; the controls, periods and buffer
 * are the last ones used. */
static void open_form(tui_state *s)
{
	if (!s->ops.evaluate) {
		set_message(s, 1, "evaluate is not available here");
		return;
	}
	if (real_areas(s) < 2) {
		set_message(s, 1, "an evaluation compares a treated area with a control: load at least two areas "
				  "(crimetab areas load)");
		return;
	}
	tui_eval_form *f = &s->form;
	const rep_area *a = tui_area(s);
	size_t pick = s->area;
	if (!real_area(s, pick)) {
		/* all data is no area: the last treated area, else the first */
		pick = (size_t)-1;
		for (size_t i = 0; i < s->rep->nareas; i++)
			if (real_area(s, i) && (pick == (size_t)-1 || (f->treated && strcmp(s->rep->areas[i].name, f->treated) == 0)))
				pick = i;
		a = &s->rep->areas[pick];
	}
	free(f->treated);
	f->treated = xstrdup(a->name);
	untick(f, f->treated);
	for (size_t i = f->ncontrol; i-- > 0;) {
		size_t k = 0;
		while (k < s->rep->nareas && strcmp(s->rep->areas[k].name, f->control[i]) != 0)
			k++;
		if (k == s->rep->nareas)
			untick(f, f->control[i]);
	}
	f->start = s->rep->month;
	set_category(f, tui_cursor_row(s));
	sb_reset(&s->input);
	s->form_item = 1; /* the first control area: tick one */
	s->popup_top = 0;
	render_form(s);
}

/* Applies what was typed into the field under the cursor; 0, or -1 with
 * the message set (the text stays, to be corrected). */
static int form_commit(tui_state *s)
{
	int field = tui_form_field(s, s->form_item, NULL);
	if (!s->input.len || !typable(field))
		return 0;
	const char *in = s->input.buf;
	tui_eval_form *f = &s->form;
	if (field == TUI_EV_START) {
		int m;
		char a[8], z[8];
		ct_month_format(s->range.first + 1, a);
		ct_month_format(s->range.last, z);
		if (ct_month_parse(in, &m) != 0 || m <= s->range.first || m > s->range.last) {
			set_message(s, 1, "start month \"%s\": type YYYY-MM, from %s to %s (a month before it is needed)", in,
				    a, z);
			return -1;
		}
		f->start = m;
	} else {
		char *end;
		long v = strtol(in, &end, 10);
		long max = field == TUI_EV_BUFFER ? 100000 : 600;
		if (*end || v < 0 || v > max) {
			set_message(s, 1, "\"%s\": type a number from 0 to %ld (%s)", in, max,
				    field == TUI_EV_BUFFER ? "metres; 0: no buffers" : "months; 0: the default");
			return -1;
		}
		if (field == TUI_EV_PRE)
			f->pre = (int)v;
		else if (field == TUI_EV_POST)
			f->post = (int)v;
		else
			f->buffer_m = (int)v;
	}
	sb_reset(&s->input);
	return 0;
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Left (DIR -1) or Right (+1) on the field under the cursor. */
static void form_step(tui_state *s, int dir)
{
	tui_eval_form *f = &s->form;
	size_t area = 0;
	switch (tui_form_field(s, s->form_item, &area)) {
	case TUI_EV_TREATED: {
		/* the next real area, wrapping */
		size_t n = s->rep->nareas, i = 0;
		while (i < n && strcmp(s->rep->areas[i].name, f->treated) != 0)
			i++;
		for (size_t k = 1; k <= n; k++) {
			size_t j = (i + n + (dir < 0 ? n - k % n : k)) % n;
			if (real_area(s, j)) {
				free(f->treated);
				f->treated = xstrdup(s->rep->areas[j].name);
				untick(f, f->treated);
				break;
			}
		}
		break;
	}
	case TUI_EV_CONTROL: {
		const char *name = s->rep->areas[area].name;
		if (ticked(f, name) >= 0) {
			untick(f, name);
		} else {
			f->control = xrealloc(f->control, (f->ncontrol + 1) * sizeof *f->control);
			f->control[f->ncontrol++] = xstrdup(name);
		}
		break;
	}
	case TUI_EV_START:
		f->start = clamp(f->start + dir, s->range.first + 1, s->range.last);
		break;
	case TUI_EV_PRE:
		f->pre = clamp(f->pre + dir, 0, 600);
		break;
	case TUI_EV_POST:
		f->post = clamp(f->post + dir, 0, 600);
		break;
	case TUI_EV_CATEGORY: {
		const rep_area *a = category_rows(s);
		long i = 0, n = a ? (long)a->nrows : 0;
		while (i < n && !(strcmp(f->category, "Total") == 0 ? (a->rows[i].flags & REP_ROW_TOTAL) != 0
								    : strcmp(a->rows[i].path, f->category) == 0))
			i++;
		if (n)
			set_category(f, &a->rows[((i + dir) % n + n) % n]);
		break;
	}
	case TUI_EV_BUFFER:
		f->buffer_m = clamp(f->buffer_m + 50 * dir, 0, 100000);
		break;
	default:
		break;
	}
}

static void form_move(tui_state *s, long delta)
{
	if (form_commit(s) != 0)
		return;
	long n = form_items(s), i = (long)s->form_item + delta;
	s->form_item = (size_t)(i < 0 ? 0 : i >= n ? n - 1 : i);
}

static void form_run(tui_state *s)
{
	if (form_commit(s) != 0)
		return;
	if (!s->form.ncontrol) {
		set_message(s, 1, "tick a control area (Space on one): an area like %s where nothing changed",
			    s->form.treated);
		return;
	}
	char err[1024] = "";
	rep_eval *e = s->ops.evaluate(s->ops.ctx, s->rep, s->taxonomies[s->tax], &s->form, err, sizeof err);
	if (!e) {
		set_message(s, 1, "%s", err[0] ? err : "the evaluation failed");
		return;
	}
	rep_eval_free(s->eval);
	s->eval = e;
	s->popup_top = 0;
	open_eval_result(s);
	if (e->nwarnings)
		set_message(s, 1, "not tested: the data lack months the periods need (the warnings say which)");
}

/* Digits (and '-' in the month) type into a number field; Backspace
 * deletes.  1 if KEY was taken. */
static int form_typing(tui_state *s, int key)
{
	int field = tui_form_field(s, s->form_item, NULL);
	if (!typable(field))
		return 0;
	if ((key >= '0' && key <= '9') || (key == '-' && field == TUI_EV_START)) {
		if (s->input.len < 16)
			sb_putc(&s->input, (char)key);
	} else if ((key == TUI_KEY_BACKSPACE || key == TUI_KEY_DEL || key == TUI_CTRL('h')) && s->input.len) {
		input_backspace(&s->input);
	} else {
		return 0;
	}
	clear_message(s);
	render_form(s);
	return 1;
}

static tui_action handle_form(tui_state *s, tui_request req)
{
	switch (req) {
	case REQ_UP:
		form_move(s, -1);
		break;
	case REQ_DOWN:
		form_move(s, 1);
		break;
	case REQ_PAGE_UP:
	case REQ_FIRST:
		form_move(s, -form_items(s));
		break;
	case REQ_PAGE_DOWN:
	case REQ_LAST:
		form_move(s, form_items(s));
		break;
	case REQ_WIN_PREV:
	case REQ_COLLAPSE:
	case REQ_WIN_NEXT:
	case REQ_EXPAND:
	case REQ_TOGGLE:
		if (form_commit(s) == 0)
			form_step(s, req == REQ_WIN_PREV || req == REQ_COLLAPSE ? -1 : 1);
		break;
	case REQ_ENTER:
		form_run(s);
		break;
	case REQ_BACK:
	case REQ_QUIT:
		sb_reset(&s->input);
		popup_free(s);
		s->mode = TUI_MODE_TABLE;
		return TUI_ACT_NONE;
	case REQ_REDRAW:
		return TUI_ACT_REDRAW;
	default:
		break;
	}
	if (s->mode == TUI_MODE_EVAL_FORM)
		render_form(s);
	return TUI_ACT_NONE;
}

/* One line per group of test T: its role, areas, counts and change. */
static void add_groups(const tui_state *s, lines *l, const rep_eval *e, const rep_ev_test *t)
{
	int pre = e->pre_to - e->pre_from + 1, post = e->post_to - e->post_from + 1, scaled = pre != post;
	int role_w = 7;
	for (int g = 0; g < REP_EV_ROLES; g++)
		if (t->group[g].present)
			role_w = max_int(role_w, tui_width(rep_ev_role_label[g]));
	int nums = 8 * (scaled ? 4 : 3), areas_w = popup_width(s) - role_w - 1 - nums;
	if (areas_w < 8)
		areas_w = 8;
	/* periods of unequal length: the counts before, scaled to the period after */
	char scol[16] = "";
	if (scaled)
		snprintf(scol, sizeof scol, "%8s", "Scaled");
	add_line(l, "%-*s %-*s%8s%s%8s%8s", role_w, "Group", areas_w, "Areas", "Before", scol, "After", "Change");
	for (int g = 0; g < REP_EV_ROLES; g++) {
		const rep_ev_group *gr = &t->group[g];
		if (!gr->present)
			continue;
		char name[512], sc[32], ch[32];
		int used = tui_fit(gr->name, areas_w, s->ascii, name, sizeof name);
		rep_fmt_estimate(gr->pre_scaled, sc, sizeof sc);
		rep_fmt_estimate(gr->change, ch, sizeof ch);
		if (scaled)
			add_line(l, "%-*s %s%*s%8lld%8s%8lld%8s", role_w, rep_ev_role_label[g], name, areas_w - used, "",
				 gr->pre, sc, gr->post, ch);
		else
			add_line(l, "%-*s %s%*s%8lld%8lld%8s", role_w, rep_ev_role_label[g], name, areas_w - used, "", gr->pre,
				 gr->post, ch);
	}
}

/* The result: the periods, the counts, the WDD, its standard error and
 * interval, z and p, and the verdict, every figure as report/ writes it. */
static void open_eval_result(tui_state *s)
{
	const rep_eval *e = s->eval;
	const rep_ev_test *t = &e->crimes;
	int w = popup_width(s);
	lines l = {0};
	char *head = xasprintf("%s against %s", t->group[REP_EV_TREATED].name, t->group[REP_EV_CONTROL].name);
	add_wrapped(&l, 0, head, w, 20);
	free(head);
	head = xasprintf("%s%s%s, %s categories", e->category_path, sep(s), rep_dataset_label(e->dataset), e->taxonomy);
	add_wrapped(&l, 0, head, w, 20);
	free(head);
	char a[48], b[48], c[96] = "";
	span_text(s, e->pre_from, e->pre_to, a, sizeof a);
	span_text(s, e->post_from, e->post_to, b, sizeof b);
	if (e->post_from > e->start) {
		char k[40];
		span_text(s, e->start, e->post_from - 1, k, sizeof k);
		snprintf(c, sizeof c, "%s%s left out", sep(s), k);
	}
	head = xasprintf("Before %s (%d months)%safter %s (%d months)%s", a, e->pre_to - e->pre_from + 1, sep(s), b,
			 e->post_to - e->post_from + 1, c);
	add_wrapped(&l, 0, head, w, 20);
	free(head);
	if (e->buffer_m > 0) {
		head = xasprintf("Displacement buffers: %g m around each area", e->buffer_m);
		add_wrapped(&l, 0, head, w, 20);
		free(head);
	}
	add_line(&l, "%s", "");
	add_groups(s, &l, e, t);
	add_line(&l, "%s", "");
	if (t->tested) {
		rep_ev_text x;
		char p[32];
		rep_ev_format(e, t, &x);
		rep_fmt_p_stmt(t->p, p, sizeof p);
		char *a1, *a2;
		if (t->group[REP_EV_TREATED_BUFFER].present)
			a1 = xasprintf("WDD %s (local %s, displacement %s)%sstandard error %s", x.est, x.local, x.displace,
				       sep(s), x.se);
		else
			a1 = xasprintf("WDD %s%sstandard error %s", x.est, sep(s), x.se);
		a2 = xasprintf("%d%% interval %s to %s%sz %s%s%s (two-sided)", x.level, x.lo, x.hi, sep(s), x.z, sep(s), p);
		add_wrapped(&l, 0, a1, w, 20);
		add_wrapped(&l, 0, a2, w, 20);
		free(a1);
		free(a2);
		add_line(&l, "%s", "");
	}
	char *verdict = rep_eval_verdict(e, t, NULL);
	char *v = xasprintf("Verdict: %s", verdict);
	add_wrapped(&l, 0, v, w, 20);
	free(v);
	free(verdict);
	for (size_t i = 0; i < e->nwarnings; i++) {
		char *x = xasprintf("Warning: %s", e->warnings[i]);
		add_wrapped(&l, 0, x, w, 20);
		free(x);
	}
	for (size_t i = 0; i < e->nnotes; i++) {
		char *x = xasprintf("Note: %s", e->notes[i]);
		add_wrapped(&l, 0, x, w, 20);
		free(x);
	}
	size_t top = s->popup_top;
	char *title = xasprintf("Did it work? %s", strcmp(e->category, "Total") == 0 ? "Recorded crime" : e->category);
	open_popup(s, TUI_MODE_EVAL, title, &l);
	s->popup_top = top;
}

static tui_action handle_eval_result(tui_state *s, tui_request req)
{
	if (req == REQ_ENTER || req == REQ_EVALUATE) {
		/* back to the form, to change it */
		s->popup_top = 0;
		render_form(s);
		return TUI_ACT_NONE;
	}
	return handle_popup(s, req);
}

/* ---- search ---- */

/* Finds NEEDLE: a row label of the selected area from row FROM on (in
 * direction DIR, wrapping), else an area name after the selected one. */
static int find(tui_state *s, const char *needle, long from, int dir)
{
	const rep_area *a = tui_area(s);
	if (!a || !needle[0])
		return 0;
	long n = (long)a->nrows;
	for (long k = 0; k < n; k++) {
		long i = ((from + dir * k) % n + n) % n;
		if (!contains_ci(a->rows[i].label, needle))
			continue;
		for (int p = a->rows[i].parent; p >= 0; p = a->rows[p].parent)
			set_collapsed(s, a->rows[p].path, 0);
		refresh_rows(s, i);
		s->focus = TUI_FOCUS_ROWS;
		return 1;
	}
	long na = (long)s->rep->nareas;
	for (long k = 1; k <= na; k++) {
		long i = (((long)s->area + dir * k) % na + na) % na;
		if (contains_ci(s->rep->areas[i].name, needle)) {
			select_area(s, (size_t)i);
			return 1;
		}
	}
	return 0;
}

static void search_step(tui_state *s)
{
	/* as-you-type: from where the search started */
	s->area = s->search_area;
	refresh_rows(s, s->search_row);
	if (s->input.len && !find(s, s->input.buf, cursor_row_index(s), 1))
		set_message(s, 1, "no row or area matches \"%s\"", s->input.buf);
	else
		clear_message(s);
}

static void search_again(tui_state *s, int dir)
{
	if (!s->search) {
		set_message(s, 0, "no search yet: press / to find a row or area");
		return;
	}
	if (!find(s, s->search, cursor_row_index(s) + dir, dir))
		set_message(s, 1, "no row or area matches \"%s\"", s->search);
}

/* ---- export ---- */

static void do_export(tui_state *s)
{
	const char *path = s->input.buf ? s->input.buf : "";
	if (!path[0]) {
		set_message(s, 1, "no file name");
		return;
	}
	if (strcmp(path, "-") == 0) {
		set_message(s, 1, "cannot export to standard output from the TUI: give a file name");
		return;
	}
	const char *format = tui_export_format(path);
	if (!format) {
		set_message(s, 1, "\"%s\": name the file .md, .xlsx, .csv or .json", path);
		return;
	}
	if (!s->confirm_overwrite && access(path, F_OK) == 0) {
		s->confirm_overwrite = 1;
		set_message(s, 1, "\"%s\" exists: press Enter again to overwrite it, Esc to cancel, or edit the name",
			    path);
		return;
	}
	char err[512] = "";
	if (s->ops.export(s->ops.ctx, s->rep, s->area, path, format, err, sizeof err) != 0) {
		set_message(s, 1, "export failed: %s", err[0] ? err : path);
		s->confirm_overwrite = 0;
		return;
	}
	char m[32];
	ct_month_long(s->rep->month, m, sizeof m);
	set_message(s, 0, "wrote %s (%s, %s)", path, tui_area(s)->name, m);
	s->mode = TUI_MODE_TABLE;
}

/* ---- months ---- */

/* "the data covers October 2022 to September 2024" */
static void range_text(const tui_state *s, char *buf, size_t len)
{
	char a[32], z[32];
	ct_month_long(s->range.first, a, sizeof a);
	ct_month_long(s->range.last, z, sizeof z);
	snprintf(buf, len, "the data covers %s to %s", a, z);
}

/* Shows MONTH if there is data for it; else says which months there are. */
static int goto_month(tui_state *s, int month)
{
	if (month < s->range.first || month > s->range.last) {
		char m[32], r[96];
		ct_month_long(month, m, sizeof m);
		range_text(s, r, sizeof r);
		set_message(s, 1, "no data for %s: %s", m, r);
		return -1;
	}
	return rebuild(s, month, s->compare, s->tax);
}

static void month_step(tui_state *s, int dir)
{
	int m = s->rep->month + dir;
	if (m < s->range.first || m > s->range.last) {
		char mm[32], r[96];
		ct_month_long(s->rep->month, mm, sizeof mm);
		range_text(s, r, sizeof r);
		set_message(s, 0, "%s is the %s month with data (%s)", mm, dir < 0 ? "first" : "last", r);
		return;
	}
	rebuild(s, m, s->compare, s->tax);
}

static void do_month_prompt(tui_state *s)
{
	const char *in = s->input.buf ? s->input.buf : "";
	int month;
	if (ct_month_parse(in, &month) != 0) {
		char a[8], z[8];
		ct_month_format(s->range.first, a);
		ct_month_format(s->range.last, z);
		set_message(s, 1, "\"%s\" is not a month: type YYYY-MM, from %s to %s", in, a, z);
		return;
	}
	if (goto_month(s, month) == 0)
		s->mode = TUI_MODE_TABLE;
}

/* ---- windows and sorting ---- */

static void window_step(tui_state *s, int dir)
{
	const tui_layout *l = &s->lay;
	if (l->nwin == REP_WINDOWS) {
		set_message(s, 0, "every window is shown%s", l->show_diff ? "" : " (a wider screen shows the Diff columns)");
		return;
	}
	int first = l->win_first + dir;
	if (first < 0 || first + l->nwin > REP_WINDOWS) {
		set_message(s, 0, "%s is the %s window", rep_window_label[dir < 0 ? 0 : REP_WINDOWS - 1],
			    dir < 0 ? "first" : "last");
		return;
	}
	s->win_first = first;
	relayout(s);
}

/* Sorts by column COL (-1: the paper's order), scrolling its window into view. */
static void set_sort(tui_state *s, int col)
{
	long row = cursor_row_index(s);
	s->sort = col;
	if (col >= 0) {
		int w = col / 3, first = s->lay.win_first;
		if (w < first)
			s->win_first = w;
		else if (w >= first + s->lay.nwin)
			s->win_first = w - s->lay.nwin + 1;
		relayout(s);
		char c[48];
		column_name(col, 0, c, sizeof c);
		set_message(s, 0, "sorted by %s, largest first, within each group (s: next column)", c);
	} else {
		set_message(s, 0, "the paper's order (s: sort by a column)");
	}
	refresh_rows(s, row);
}

/* ---- keys and requests ---- */

static void input_backspace(strbuf *in)
{
	while (in->len > 0) {
		unsigned char c = (unsigned char)in->buf[--in->len];
		if ((c & 0xC0) != 0x80)
			break;
	}
	if (in->buf)
		in->buf[in->len] = '\0';
}

static tui_action handle_input(tui_state *s, int key)
{
	int search = s->mode == TUI_MODE_SEARCH;
	if (key == TUI_KEY_ENTER || key == '\r') {
		if (search) {
			s->mode = TUI_MODE_TABLE;
			if (s->input.len) {
				free(s->search);
				s->search = xstrdup(s->input.buf);
			}
		} else if (s->mode == TUI_MODE_MONTH) {
			do_month_prompt(s);
		} else {
			do_export(s);
		}
		return TUI_ACT_NONE;
	}
	if (key == TUI_KEY_ESC) {
		if (search) {
			s->area = s->search_area;
			refresh_rows(s, s->search_row);
			clear_message(s);
		} else if (s->mode == TUI_MODE_MONTH) {
			clear_message(s);
		} else {
			set_message(s, 0, "export cancelled");
		}
		s->mode = TUI_MODE_TABLE;
		return TUI_ACT_NONE;
	}
	if (key == TUI_KEY_BACKSPACE || key == TUI_KEY_DEL || key == TUI_CTRL('h')) {
		input_backspace(&s->input);
	} else if (key == TUI_CTRL('u')) {
		sb_reset(&s->input);
	} else if (key >= ' ' && key < TUI_KEY_UP) {
		char b[4];
		sb_add(&s->input, b, utf8_put((unsigned)key, b));
	} else {
		return TUI_ACT_NONE;
	}
	s->confirm_overwrite = 0;
	if (search)
		search_step(s);
	else
		clear_message(s);
	return TUI_ACT_NONE;
}

static tui_action handle_request(tui_state *s, tui_request req);

tui_action tui_handle_key(tui_state *s, int key)
{
	tui_action act;
	if (prompting(s)) {
		act = handle_input(s, key);
	} else if (s->mode == TUI_MODE_EVAL_FORM && form_typing(s, key)) {
		act = TUI_ACT_NONE;
	} else {
		clear_message(s);
		act = handle_request(s, tui_key_request(key));
	}
	fit_bottom(s);
	return act;
}

tui_action tui_handle(tui_state *s, tui_request req)
{
	tui_action act = handle_request(s, req);
	fit_bottom(s);
	return act;
}

static tui_action handle_popup(tui_state *s, tui_request req)
{
	size_t page = (size_t)(s->lay.popup_rows > 0 ? s->lay.popup_rows : 1);
	size_t max_top = s->npopup > page ? s->npopup - page : 0;
	switch (req) {
	case REQ_UP:
		if (s->popup_top > 0)
			s->popup_top--;
		break;
	case REQ_DOWN:
		if (s->popup_top < max_top)
			s->popup_top++;
		break;
	case REQ_PAGE_UP:
		s->popup_top = s->popup_top > page ? s->popup_top - page : 0;
		break;
	case REQ_PAGE_DOWN:
	case REQ_TOGGLE:
		s->popup_top = s->popup_top + page < max_top ? s->popup_top + page : max_top;
		break;
	case REQ_FIRST:
		s->popup_top = 0;
		break;
	case REQ_LAST:
		s->popup_top = max_top;
		break;
	case REQ_REDRAW:
		return TUI_ACT_REDRAW;
	case REQ_BACK:
	case REQ_QUIT:
	case REQ_ENTER:
	case REQ_HELP:
	case REQ_DETAIL:
	case REQ_SOURCES:
		popup_free(s);
		s->mode = TUI_MODE_TABLE;
		break;
	default:
		break;
	}
	return TUI_ACT_NONE;
}

static void move_cursor(tui_state *s, long delta)
{
	if (s->focus == TUI_FOCUS_AREAS) {
		long na = (long)s->rep->nareas, a = (long)s->area + delta;
		a = a < 0 ? 0 : a >= na ? na - 1 : a;
		if ((size_t)a != s->area)
			select_area(s, (size_t)a);
		return;
	}
	long c = (long)s->cursor + delta, n = (long)s->nvis;
	s->cursor = (size_t)(c < 0 || n == 0 ? 0 : c >= n ? n - 1 : c);
	scroll_fix(s);
}

static void toggle_row(tui_state *s, int want) /* want: 1 collapse, 0 expand, -1 toggle */
{
	long row = cursor_row_index(s);
	const rep_area *a = tui_area(s);
	if (row < 0)
		return;
	if (!tui_row_has_children(s, (size_t)row)) {
		if (want == 1 && a->rows[row].parent >= 0) {
			/* "-" on a leaf folds the group it is in */
			row = a->rows[row].parent;
			set_collapsed(s, a->rows[row].path, 1);
			refresh_rows(s, row);
		}
		return;
	}
	int on = want < 0 ? !tui_row_collapsed(s, (size_t)row) : want;
	set_collapsed(s, a->rows[row].path, on);
	refresh_rows(s, row);
}

static tui_action handle_request(tui_state *s, tui_request req)
{
	if (s->mode == TUI_MODE_EVAL_FORM)
		return handle_form(s, req);
	if (s->mode == TUI_MODE_EVAL)
		return handle_eval_result(s, req);
	if (s->mode == TUI_MODE_HELP || s->mode == TUI_MODE_DETAIL || s->mode == TUI_MODE_SOURCES)
		return handle_popup(s, req);
	const rep_area *a = tui_area(s);
	char m[32];
	switch (req) {
	case REQ_NONE:
		break;
	case REQ_UP:
		move_cursor(s, -1);
		break;
	case REQ_DOWN:
		move_cursor(s, 1);
		break;
	case REQ_PAGE_UP:
		move_cursor(s, -(long)page_rows(s));
		break;
	case REQ_PAGE_DOWN:
		move_cursor(s, (long)page_rows(s));
		break;
	case REQ_FIRST:
		move_cursor(s, -(long)(s->nvis + s->rep->nareas));
		break;
	case REQ_LAST:
		move_cursor(s, (long)(s->nvis + s->rep->nareas));
		break;
	case REQ_FOCUS:
		s->focus = s->focus == TUI_FOCUS_ROWS ? TUI_FOCUS_AREAS : TUI_FOCUS_ROWS;
		break;
	case REQ_AREA_PREV:
		if (s->area > 0)
			select_area(s, s->area - 1);
		break;
	case REQ_AREA_NEXT:
		if (s->area + 1 < s->rep->nareas)
			select_area(s, s->area + 1);
		break;
	case REQ_MONTH_PREV:
		month_step(s, -1);
		break;
	case REQ_MONTH_NEXT:
		month_step(s, 1);
		break;
	case REQ_MONTH_LATEST:
		rebuild(s, -1, s->compare, s->tax);
		break;
	case REQ_MONTH_GOTO:
		s->mode = TUI_MODE_MONTH;
		sb_reset(&s->input);
		break;
	case REQ_WIN_PREV:
		window_step(s, -1);
		break;
	case REQ_WIN_NEXT:
		window_step(s, 1);
		break;
	case REQ_SORT_NEXT:
		set_sort(s, s->sort + 1 < REP_WINDOWS * 3 ? s->sort + 1 : -1);
		break;
	case REQ_SORT_PREV:
		set_sort(s, s->sort < 0 ? REP_WINDOWS * 3 - 1 : s->sort - 1);
		break;
	case REQ_COMPARE:
		if (rebuild(s, current_month_request(s), !s->compare, s->tax) == 0)
			set_message(s, 0, "comparing with the %s", rep_compare_label(s->compare));
		break;
	case REQ_TAXONOMY:
		if (rebuild(s, current_month_request(s), s->compare, (s->tax + 1) % s->ntaxonomies) == 0)
			set_message(s, 0, "taxonomy: %s (%s)", s->rep->taxonomy, rep_dataset_label(s->rep->dataset));
		break;
	case REQ_ENTER:
		if (s->focus == TUI_FOCUS_AREAS) {
			s->focus = TUI_FOCUS_ROWS;
			break;
		}
		if (cursor_row_index(s) >= 0 && tui_row_has_children(s, (size_t)cursor_row_index(s)))
			toggle_row(s, -1);
		else
			open_detail(s);
		break;
	case REQ_TOGGLE:
		toggle_row(s, -1);
		break;
	case REQ_EXPAND:
		toggle_row(s, 0);
		break;
	case REQ_COLLAPSE:
		toggle_row(s, 1);
		break;
	case REQ_EXPAND_ALL: {
		long row = cursor_row_index(s);
		for (size_t i = 0; i < s->ncollapsed; i++)
			free(s->collapsed[i]);
		s->ncollapsed = 0;
		refresh_rows(s, row);
		break;
	}
	case REQ_COLLAPSE_ALL: {
		long row = cursor_row_index(s);
		for (size_t i = 0; a && i < a->nrows; i++)
			if (tui_row_has_children(s, i))
				set_collapsed(s, a->rows[i].path, 1);
		refresh_rows(s, row);
		break;
	}
	case REQ_DETAIL:
		open_detail(s);
		break;
	case REQ_SEARCH:
		s->mode = TUI_MODE_SEARCH;
		sb_reset(&s->input);
		s->search_area = s->area;
		s->search_row = cursor_row_index(s);
		break;
	case REQ_SEARCH_NEXT:
		search_again(s, 1);
		break;
	case REQ_SEARCH_PREV:
		search_again(s, -1);
		break;
	case REQ_EXPORT: {
		char *name = tui_export_name(a->name, s->rep->month);
		sb_reset(&s->input);
		sb_puts(&s->input, name);
		free(name);
		s->confirm_overwrite = 0;
		s->mode = TUI_MODE_EXPORT;
		break;
	}
	case REQ_SOURCES:
		open_sources(s);
		break;
	case REQ_EVALUATE:
		open_form(s);
		break;
	case REQ_RELOAD:
		if (rebuild(s, current_month_request(s), s->compare, s->tax) == 0) {
			ct_month_long(s->rep->month, m, sizeof m);
			set_message(s, 0, "reloaded: %s, %zu source file%s", m, s->rep->nsources,
				    s->rep->nsources == 1 ? "" : "s");
		}
		break;
	case REQ_REDRAW:
		return TUI_ACT_REDRAW;
	case REQ_HELP:
		open_help(s);
		break;
	case REQ_BACK:
		if (s->focus == TUI_FOCUS_AREAS)
			s->focus = TUI_FOCUS_ROWS;
		break;
	case REQ_QUIT:
		return TUI_ACT_QUIT;
	case REQ_COUNT:
		break;
	}
	return TUI_ACT_NONE;
}

/* ---- the mouse ---- */

/* The figure column (window * 3 + k) at screen column X, -1 for the Crime
 * column, -2 for neither. */
static int column_at(const tui_layout *l, int x)
{
	if (x >= l->table_x && x < l->table_x + 1 + l->label_w)
		return -1;
	for (int i = 0; i < l->nwin; i++) {
		int wx = tui_window_x(l, i);
		for (int k = 0; k < 3; k++) {
			if (k == 1 && !l->show_diff)
				continue;
			int w = k == 0 ? l->cur_w : k == 1 ? l->diff_w : l->pct_w;
			if (x >= wx + tui_col_off(l, k) && x < wx + tui_col_off(l, k) + w)
				return (l->win_first + i) * 3 + k;
		}
	}
	return -2;
}

/* The area whose tab is at screen column X on the tab line, or -1. */
static long tab_at(const tui_state *s, int x)
{
	const rep_report *r = s->rep;
	int tx = 1;
	for (size_t i = tui_tabs_first(s); i < r->nareas; i++) {
		int w = tui_width(r->areas[i].name) + 2;
		if (tx + w > s->lay.width - 1)
			break;
		if (x >= tx && x < tx + w)
			return (long)i;
		tx += w + 1;
	}
	return -1;
}

static void wheel(tui_state *s, int dir)
{
	const int step = 3;
	size_t page = page_rows(s), max_top = s->nvis > page ? s->nvis - page : 0;
	if (dir < 0)
		s->top = s->top > step ? s->top - step : 0;
	else
		s->top = s->top + step < max_top ? s->top + step : max_top;
	/* the cursor stays on the screen */
	if (s->cursor < s->top)
		s->cursor = s->top;
	if (s->cursor >= s->top + page)
		s->cursor = s->top + page - 1;
	scroll_fix(s);
}

static void click(tui_state *s, int y, int x)
{
	const tui_layout *l = &s->lay;
	int in_body = y >= l->body_y && y < l->body_y + l->body_h;
	if (l->areas_w && x < l->areas_w) {
		size_t a = s->area_top + (size_t)(y - l->body_y);
		if (in_body && a < s->rep->nareas)
			select_area(s, a);
		return;
	}
	if (y == l->tabs_y) {
		long a = tab_at(s, x);
		if (a >= 0)
			select_area(s, (size_t)a);
		return;
	}
	if (y >= l->head_y && y < l->body_y) {
		int col = column_at(l, x);
		if (col >= -1)
			set_sort(s, col);
		return;
	}
	if (!in_body || x < l->table_x)
		return;
	size_t v = s->top + (size_t)(y - l->body_y);
	if (v >= s->nvis)
		return;
	s->cursor = v;
	s->focus = TUI_FOCUS_ROWS;
	if (column_at(l, x) == -1 && tui_row_has_children(s, s->vis[v]))
		toggle_row(s, -1);
	scroll_fix(s);
}

tui_action tui_handle_mouse(tui_state *s, tui_mouse ev, int y, int x)
{
	if (prompting(s))
		return TUI_ACT_NONE;
	if (s->mode == TUI_MODE_EVAL_FORM)
		return TUI_ACT_NONE; /* the form is for keys */
	if (s->mode != TUI_MODE_TABLE) {
		/* a popup: the wheel scrolls it */
		if (ev != TUI_MOUSE_CLICK)
			for (int i = 0; i < 3; i++)
				handle_popup(s, ev == TUI_MOUSE_WHEEL_UP ? REQ_UP : REQ_DOWN);
		return TUI_ACT_NONE;
	}
	clear_message(s);
	if (ev == TUI_MOUSE_CLICK)
		click(s, y, x);
	else
		wheel(s, ev == TUI_MOUSE_WHEEL_UP ? -1 : 1);
	fit_bottom(s);
	return TUI_ACT_NONE;
}
