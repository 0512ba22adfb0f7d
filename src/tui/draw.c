/* Draws the TUI state with curses: the area list, the scrutiny table, the
 * status and message lines, and popups.  Nothing here changes the state or
 * computes a figure; every cell is the model's, formatted by rep_fmt_*. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

enum { PAIR_RISE = 1, PAIR_FALL, PAIR_UNKNOWN, PAIR_ERROR };

static int use_color;

void tui_draw_init(void)
{
	const char *nc = getenv("NO_COLOR");
	use_color = has_colors() && !(nc && nc[0]);
	if (!use_color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_RISE, COLOR_RED, -1);
	init_pair(PAIR_FALL, COLOR_GREEN, -1);
	init_pair(PAIR_UNKNOWN, COLOR_YELLOW, -1);
	init_pair(PAIR_ERROR, COLOR_RED, -1);
}

static attr_t color(int pair)
{
	return use_color ? (attr_t)COLOR_PAIR(pair) : A_NORMAL;
}

/* TEXT at (Y, X) in W columns, cut with an ellipsis, padded with ATTR. */
static void put(const tui_state *s, int y, int x, int w, const char *text, attr_t attr)
{
	if (w <= 0 || y < 0 || y >= s->lay.height)
		return;
	char buf[1024];
	int used = tui_fit(text, w, s->ascii, buf, sizeof buf);
	attrset(attr);
	mvaddstr(y, x, buf);
	for (; used < w; used++)
		addch(' ');
	attrset(A_NORMAL);
}

/* TEXT right-aligned in W columns at (Y, X). */
static void put_right(const tui_state *s, int y, int x, int w, const char *text, attr_t attr)
{
	int tw = tui_width(text);
	if (tw >= w) {
		put(s, y, x, w, text, attr);
		return;
	}
	attrset(attr);
	mvaddstr(y, x + w - tw, text);
	attrset(A_NORMAL);
}

static void fill(int y, int x, int w, attr_t attr)
{
	attrset(attr);
	move(y, x);
	for (int i = 0; i < w; i++)
		addch(' ');
	attrset(A_NORMAL);
}

/* Box lines as text: curses' alternate character set is not drawn alike
 * by every terminal and multiplexer. */
static void box_hline(const tui_state *s, int y, int x, int n)
{
	for (int i = 0; i < n; i++)
		mvaddstr(y, x + i, s->ascii ? "-" : "\xE2\x94\x80");
}

static void box_vline(const tui_state *s, int y, int x, int n)
{
	for (int i = 0; i < n; i++)
		mvaddstr(y + i, x, s->ascii ? "|" : "\xE2\x94\x82");
}

static int window_x(const tui_layout *l, int w)
{
	return l->table_x + 1 + l->label_w + l->gap + w * (tui_win_w(l) + l->gap);
}

static void draw_too_small(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	char a[96], b[96];
	snprintf(a, sizeof a, "Terminal too small (%dx%d)", l->width, l->height);
	snprintf(b, sizeof b, "crimetab needs at least %dx%d", TUI_MIN_WIDTH, TUI_MIN_HEIGHT);
	const char *lines[] = {a, b, "Enlarge the window, or press q to quit"};
	for (int i = 0; i < 3; i++) {
		int w = tui_width(lines[i]);
		int x = w < l->width ? (l->width - w) / 2 : 0;
		put(s, l->height / 2 - 1 + i, x, l->width - x, lines[i], i == 0 ? A_BOLD : A_NORMAL);
	}
}

static void draw_title(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	char title[512], right[128];
	tui_title_text(s, title, sizeof title);
	snprintf(right, sizeof right, "%s ", s->rep->taxonomy);
	int rw = tui_width(right);
	fill(0, 0, l->width, A_REVERSE);
	put(s, 0, 0, 11, " crimetab ", A_REVERSE | A_BOLD);
	if (rw > l->width / 4)
		rw = 0;
	put(s, 0, 11, l->width - 11 - rw - 1, title, A_REVERSE);
	if (rw)
		put(s, 0, l->width - rw, rw, right, A_REVERSE);
}

/* The areas as one line of tabs, scrolled to keep the selected one in view. */
static void draw_tabs(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	const rep_report *r = s->rep;
	int y = l->tabs_y, avail = l->width - 2;
	size_t first = 0;
	for (;;) {
		int w = 0;
		for (size_t i = first; i <= s->area; i++)
			w += tui_width(r->areas[i].name) + 3;
		if (w <= avail - 2 || first == s->area)
			break;
		first++;
	}
	fill(y, 0, l->width, A_NORMAL);
	int x = 1;
	if (first > 0) {
		put(s, y, 0, 1, s->ascii ? "<" : "\xE2\x80\xB9", A_BOLD);
	}
	for (size_t i = first; i < r->nareas; i++) {
		int w = tui_width(r->areas[i].name) + 2;
		if (x + w > l->width - 1) {
			put(s, y, l->width - 1, 1, s->ascii ? ">" : "\xE2\x80\xBA", A_BOLD);
			break;
		}
		char buf[256];
		snprintf(buf, sizeof buf, " %s ", r->areas[i].name);
		attr_t a = i == s->area ? (s->focus == TUI_FOCUS_AREAS ? A_REVERSE | A_BOLD : A_BOLD | A_UNDERLINE)
				      : A_NORMAL;
		put(s, y, x, w, buf, a);
		x += w + 1;
	}
}

static void draw_area_list(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	const rep_report *r = s->rep;
	int w = l->areas_w;
	put(s, l->head_y, 0, w, " Areas", A_BOLD);
	put(s, l->head_y + 1, 0, w, "", A_BOLD | A_UNDERLINE);
	box_vline(s, l->head_y, w, l->status_y - l->head_y);
	for (int i = 0; i < l->body_h; i++) {
		size_t a = s->area_top + (size_t)i;
		int y = l->body_y + i;
		if (a >= r->nareas) {
			fill(y, 0, w, A_NORMAL);
			continue;
		}
		char buf[256];
		int sel = a == s->area;
		snprintf(buf, sizeof buf, "%s%s", sel ? (s->ascii ? "> " : "\xE2\x96\xB8 ") : "  ", r->areas[a].name);
		attr_t at = sel ? (s->focus == TUI_FOCUS_AREAS ? A_REVERSE | A_BOLD : A_BOLD) : A_NORMAL;
		put(s, y, 0, w, buf, at);
	}
}

static void draw_heads(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	int x0 = l->table_x + 1, win_w = tui_win_w(l);
	fill(l->head_y, l->table_x, l->table_w, A_NORMAL);
	fill(l->head_y + 1, l->table_x, l->table_w, A_BOLD | A_UNDERLINE);
	put(s, l->head_y + 1, x0, l->label_w, "Crime", A_BOLD | A_UNDERLINE);
	for (int w = 0; w < l->nwin; w++) {
		int x = window_x(l, w);
		const char *name = rep_window_label[w];
		int nw = tui_width(name);
		if (nw < win_w)
			put(s, l->head_y, x + (win_w - nw) / 2, nw, name, A_BOLD);
		else
			put(s, l->head_y, x, win_w, name, A_BOLD);
		attr_t u = A_BOLD | A_UNDERLINE;
		put_right(s, l->head_y + 1, x, l->cur_w, l->long_heads ? "Current" : "Cur", u);
		put_right(s, l->head_y + 1, x + l->cur_w + 1, l->diff_w, "Diff", u);
		put_right(s, l->head_y + 1, x + l->cur_w + 1 + l->diff_w + 1, l->pct_w, l->long_heads ? "% Diff" : "%Diff",
			  u);
	}
	if (l->spark_w) {
		int x = window_x(l, l->nwin);
		put(s, l->head_y, x, l->spark_w, "Trend", A_BOLD);
		put(s, l->head_y + 1, x, l->spark_w, "12 months", A_BOLD | A_UNDERLINE);
	}
}

static attr_t change_attr(const rep_fig *f)
{
	return f->diff > 0 ? color(PAIR_RISE) : f->diff < 0 ? color(PAIR_FALL) : A_NORMAL;
}

static void draw_rows(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	const rep_area *a = tui_area(s);
	int x0 = l->table_x + 1;
	for (int i = 0; i < l->body_h; i++) {
		size_t v = s->top + (size_t)i;
		int y = l->body_y + i;
		if (!a || v >= s->nvis) {
			fill(y, l->table_x, l->table_w, A_NORMAL);
			continue;
		}
		size_t ri = s->vis[v];
		const rep_row *r = &a->rows[ri];
		int cursor = v == s->cursor;
		attr_t base = r->flags & (REP_ROW_GROUP | REP_ROW_TOTAL) ? A_BOLD : A_NORMAL;
		if (r->flags & REP_ROW_OUTSIDE_TOTAL)
			base |= A_DIM;
		if (cursor)
			base |= s->focus == TUI_FOCUS_ROWS ? A_REVERSE : A_UNDERLINE;
		fill(y, l->table_x, l->table_w, base);

		const char *mark = "  ";
		if (tui_row_has_children(s, ri))
			mark = tui_row_collapsed(s, ri) ? (s->ascii ? "+ " : "\xE2\x96\xB8 ")
							: (s->ascii ? "- " : "\xE2\x96\xBE ");
		char label[512];
		snprintf(label, sizeof label, "%*s%s%s", r->depth * l->indent, "", mark, r->label);
		attr_t la = base;
		if ((r->flags & REP_ROW_UNKNOWN) && !cursor)
			la |= color(PAIR_UNKNOWN);
		put(s, y, x0, l->label_w, label, la);

		for (int w = 0; w < l->nwin; w++) {
			char c[32], d[32], p[32];
			const rep_fig *f = &r->fig[w];
			tui_fmt_fig(s, f, c, d, p, sizeof c);
			attr_t ca = cursor ? base : base | change_attr(f);
			int x = window_x(l, w);
			put_right(s, y, x, l->cur_w, c, base);
			put_right(s, y, x + l->cur_w + 1, l->diff_w, d, ca);
			put_right(s, y, x + l->cur_w + 1 + l->diff_w + 1, l->pct_w, p, ca);
		}
		if (l->spark_w) {
			char spark[TUI_SPARK * 4 + 1];
			tui_sparkline(r->series + REP_SERIES - TUI_SPARK, TUI_SPARK, s->ascii, spark, sizeof spark);
			put(s, y, window_x(l, l->nwin), l->spark_w, spark, base & ~(attr_t)A_BOLD);
		}
	}
}

static void draw_status(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	char buf[1024];
	tui_status_text(s, buf, sizeof buf);
	fill(l->status_y, 0, l->width, A_REVERSE);
	put(s, l->status_y, 1, l->width - 1, buf, A_REVERSE);
}

/* The message line: a prompt, a message, or what the cursor row is. */
static void draw_message(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	int y = l->msg_y;
	fill(y, 0, l->width, A_NORMAL);
	if (s->mode == TUI_MODE_SEARCH || s->mode == TUI_MODE_EXPORT) {
		const char *prompt = s->mode == TUI_MODE_SEARCH ? "/" : "Export to (.md .xlsx .csv .json): ";
		int pw = tui_width(prompt);
		put(s, y, 0, pw, prompt, A_BOLD);
		const char *in = s->input.buf ? s->input.buf : "";
		int avail = l->width - pw - 1;
		int iw = tui_width(in);
		if (s->message[0] && iw + 3 < avail) {
			put(s, y, pw + iw + 3, avail - iw - 3, s->message, s->message_error ? color(PAIR_ERROR) | A_BOLD : A_NORMAL);
		}
		/* a long name shows its end, where the typing is */
		while (iw > avail && *in) {
			in++;
			while ((*in & 0xC0) == 0x80)
				in++;
			iw = tui_width(in);
		}
		put(s, y, pw, iw, in, A_NORMAL);
		move(y, pw + iw);
		return;
	}
	if (s->message[0]) {
		put(s, y, 1, l->width - 1, s->message, s->message_error ? color(PAIR_ERROR) | A_BOLD : A_NORMAL);
		return;
	}
	const rep_row *r = tui_cursor_row(s);
	if (!r)
		return;
	char buf[1024], spark[TUI_SPARK * 4 + 1] = "";
	if (tui_gap_text(s, buf, sizeof buf)) {
		/* the row's figures rest on missing months: the footnote first */
		put(s, y, 1, l->width - 1, buf, A_BOLD);
		return;
	}
	if (!l->spark_w)
		tui_sparkline(r->series + REP_SERIES - TUI_SPARK, TUI_SPARK, s->ascii, spark, sizeof spark);
	snprintf(buf, sizeof buf, "%s%s%s%s%s", spark, spark[0] ? "  " : "", r->path, r->note ? "  ~ " : "",
		 r->note ? r->note : "");
	put(s, y, 1, l->width - 1, buf, A_DIM);
}

static void draw_popup(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	int inner_w = 20;
	for (size_t i = 0; i < s->npopup; i++) {
		int w = tui_width(s->popup[i]);
		if (w > inner_w)
			inner_w = w;
	}
	if (inner_w > l->width - 4)
		inner_w = l->width - 4;
	int rows = (int)s->npopup < l->popup_rows ? (int)s->npopup : l->popup_rows;
	int bw = inner_w + 4, bh = rows + 2;
	int x = (l->width - bw) / 2, y = (l->height - bh) / 2;
	if (y < 1)
		y = 1;
	for (int i = 0; i < bh; i++)
		fill(y + i, x, bw, A_NORMAL);
	attrset(A_BOLD);
	box_hline(s, y, x + 1, bw - 2);
	box_hline(s, y + bh - 1, x + 1, bw - 2);
	box_vline(s, y + 1, x, bh - 2);
	box_vline(s, y + 1, x + bw - 1, bh - 2);
	mvaddstr(y, x, s->ascii ? "+" : "\xE2\x94\x8C");
	mvaddstr(y, x + bw - 1, s->ascii ? "+" : "\xE2\x94\x90");
	mvaddstr(y + bh - 1, x, s->ascii ? "+" : "\xE2\x94\x94");
	mvaddstr(y + bh - 1, x + bw - 1, s->ascii ? "+" : "\xE2\x94\x98");
	attrset(A_NORMAL);
	char title[256];
	snprintf(title, sizeof title, " %s ", s->popup_title ? s->popup_title : "");
	int tw = tui_width(title);
	put(s, y, x + 2, tw < bw - 4 ? tw : bw - 4, title, A_BOLD);
	for (int i = 0; i < rows; i++) {
		size_t k = s->popup_top + (size_t)i;
		if (k < s->npopup)
			put(s, y + 1 + i, x + 2, inner_w, s->popup[k], A_NORMAL);
	}
	char foot[128];
	if (s->npopup > (size_t)rows)
		snprintf(foot, sizeof foot, " %zu-%zu of %zu%sUp/Down PgUp/PgDn%sq close ", s->popup_top + 1,
			 s->popup_top + (size_t)rows, s->npopup, s->ascii ? " | " : " \xC2\xB7 ",
			 s->ascii ? " | " : " \xC2\xB7 ");
	else
		snprintf(foot, sizeof foot, " q or Esc closes ");
	int fw = tui_width(foot);
	if (fw < bw - 4)
		put(s, y + bh - 1, x + bw - 2 - fw, fw, foot, A_NORMAL);
}

void tui_draw(const tui_state *s)
{
	erase();
	if (s->lay.too_small) {
		curs_set(0);
		draw_too_small(s);
		refresh();
		return;
	}
	draw_title(s);
	if (s->lay.areas_w)
		draw_area_list(s);
	else
		draw_tabs(s);
	draw_heads(s);
	draw_rows(s);
	draw_status(s);
	if (s->mode == TUI_MODE_HELP || s->mode == TUI_MODE_DETAIL || s->mode == TUI_MODE_SOURCES)
		draw_popup(s);
	draw_message(s);
	curs_set(s->mode == TUI_MODE_SEARCH || s->mode == TUI_MODE_EXPORT ? 1 : 0);
	refresh();
}
