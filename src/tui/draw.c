/* Draws the TUI state with curses: the area list, the scrutiny table, the
 * status and message lines, and popups.  Nothing here changes the state or
 * computes a figure; every cell is the model's, formatted by rep_fmt_* (tui_fmt_fig). */
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
	snprintf(right, sizeof right, "%s ", s->rep->taxonomy);
	int rw = tui_width(right);
	if (rw > l->width / 4)
		rw = 0;
	tui_title_text(s, l->width - 11 - rw - 1, title, sizeof title);
	fill(0, 0, l->width, A_REVERSE);
	put(s, 0, 0, 11, " crimetab ", A_REVERSE | A_BOLD);
	put(s, 0, 11, l->width - 11 - rw - 1, title, A_REVERSE);
	if (rw)
		put(s, 0, l->width - rw, rw, right, A_REVERSE);
}

/* The areas as one line of tabs, scrolled to keep the selected one in view
 * (tui_tabs_first; a click finds a tab the same way). */
static void draw_tabs(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	const rep_report *r = s->rep;
	int y = l->tabs_y;
	size_t first = tui_tabs_first(s);
	fill(y, 0, l->width, A_NORMAL);
	int x = 1;
	if (first > 0)
		put(s, y, 0, 1, s->ascii ? "<" : "\xE2\x80\xB9", A_BOLD);
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
	for (int i = 1; i < l->head_lines; i++)
		put(s, l->head_y + i, 0, w, "", i == l->head_lines - 1 ? A_BOLD | A_UNDERLINE : A_NORMAL);
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

/* TEXT centred in W columns at (Y, X), or cut to them. */
static void put_centred(const tui_state *s, int y, int x, int w, const char *text, attr_t attr)
{
	int tw = tui_width(text);
	if (tw < w)
		put(s, y, x + (w - tw) / 2, tw, text, attr);
	else
		put(s, y, x, w, text, attr);
}

static void draw_heads(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	int x0 = l->table_x + 1, win_w = tui_win_w(l), cols = l->head_y + l->head_lines - 1;
	const char *arrow_l = s->ascii ? "<" : "\xE2\x97\x82", *arrow_r = s->ascii ? ">" : "\xE2\x96\xB8";
	for (int i = 0; i < l->head_lines - 1; i++)
		fill(l->head_y + i, l->table_x, l->table_w, A_NORMAL);
	fill(cols, l->table_x, l->table_w, A_BOLD | A_UNDERLINE);
	put(s, cols, x0, l->label_w, s->sort == -1 ? "Crime" : "Crime (sorted)", A_BOLD | A_UNDERLINE);
	/* what a narrow screen leaves out, named over the Crime column */
	if (l->nwin == REP_WINDOWS && !l->show_diff)
		put(s, l->head_y, x0, l->label_w, "Diff columns: d, or widen", A_DIM);
	if (l->nwin < REP_WINDOWS) {
		strbuf sb = {0};
		for (int w = 0; w < l->win_first; w++)
			sb_printf(&sb, "%sh %s %s", sb.len ? ", " : "", arrow_l, rep_window_label[w]);
		for (int w = l->win_first + l->nwin; w < REP_WINDOWS; w++)
			sb_printf(&sb, "%s%s l %s", sb.len ? ", " : "", rep_window_label[w], arrow_r);
		put(s, l->head_y, x0, l->label_w, sb.buf, A_DIM);
		sb_release(&sb);
	}
	static const char *const sub_long[3] = {"Current", "Diff", "% Diff"};
	static const char *const sub_short[3] = {"Cur", "Diff", "%Diff"};
	for (int i = 0; i < l->nwin; i++) {
		int w = l->win_first + i, x = tui_window_x(l, i);
		if (w >= REP_WINDOWS)
			break;
		static const char *const win_short[REP_WINDOWS] = {"Month", "6 Months", "12 Months"};
		const char *name = tui_width(rep_window_label[w]) <= win_w ? rep_window_label[w] : win_short[w];
		put_centred(s, l->head_y, x, win_w, name, A_BOLD);
		if (l->head_lines > 2) {
			char t[96];
			tui_window_text(s, w, t, sizeof t);
			put_centred(s, l->head_y + 1, x, win_w, t, A_NORMAL);
		}
		attr_t u = A_BOLD | A_UNDERLINE;
		for (int k = 0; k < 3; k++) {
			if (k == 1 && !l->show_diff)
				continue;
			int cw = k == 0 ? l->cur_w : k == 1 ? l->diff_w : l->pct_w;
			char h[32];
			snprintf(h, sizeof h, "%s%s", s->sort == w * 3 + k ? (s->ascii ? "v" : "\xE2\x96\xBE") : "",
				 l->long_heads ? sub_long[k] : sub_short[k]);
			put_right(s, cols, x + tui_col_off(l, k), cw, h, u);
		}
	}
	if (l->win_first > 0)
		put(s, l->head_y, tui_window_x(l, 0) - 1, 1, arrow_l, A_BOLD);
	if (l->win_first + l->nwin < REP_WINDOWS) {
		int x = tui_window_x(l, l->nwin - 1) + win_w;
		if (x < l->width)
			put(s, l->head_y, x, 1, arrow_r, A_BOLD);
	}
	if (l->spark_w) {
		int x = tui_window_x(l, l->nwin);
		put(s, l->head_y, x, l->spark_w, "Trend", A_BOLD);
		put(s, cols, x, l->spark_w, "12 months", A_BOLD | A_UNDERLINE);
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
		/* the approximation mark stays when a long label is cut */
		const char *approx = r->flags & REP_ROW_APPROX ? (s->ascii ? " *" : " \xE2\x80\xA0") : "";
		char label[512], cut[520];
		snprintf(label, sizeof label, "%*s%s%s", r->depth * l->indent, "", mark, r->label);
		int aw = tui_width(approx);
		tui_fit(label, l->label_w - aw, s->ascii, cut, sizeof cut - 8);
		strcat(cut, approx);
		attr_t la = base;
		if ((r->flags & REP_ROW_UNKNOWN) && !cursor)
			la |= color(PAIR_UNKNOWN);
		put(s, y, x0, l->label_w, cut, la);

		for (int k = 0; k < l->nwin; k++) {
			int w = l->win_first + k;
			if (w >= REP_WINDOWS)
				break;
			char c[32], d[32], p[32];
			const rep_fig *f = &r->fig[w];
			tui_fmt_fig(s, f, c, d, p, sizeof c);
			attr_t ca = cursor ? base : base | change_attr(f);
			int x = tui_window_x(l, k);
			put_right(s, y, x, l->cur_w, c, base);
			if (l->show_diff)
				put_right(s, y, x + tui_col_off(l, 1), l->diff_w, d, ca);
			put_right(s, y, x + tui_col_off(l, 2), l->pct_w, p, ca);
		}
		if (l->spark_w) {
			char spark[TUI_SPARK * 4 + 1];
			tui_sparkline(r->series + REP_SERIES - TUI_SPARK, TUI_SPARK, s->ascii, spark, sizeof spark);
			put(s, y, tui_window_x(l, l->nwin), l->spark_w, spark, base & ~(attr_t)A_BOLD);
		}
	}
}

static void draw_status(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	char buf[1024];
	tui_status_text(s, l->width - 2, buf, sizeof buf);
	fill(l->status_y, 0, l->width, A_REVERSE);
	put(s, l->status_y, 1, l->width - 2, buf, A_REVERSE);
}

/* Under the status bar: the message, wrapped so it is read whole, or the
 * info line; then the prompt on its own line, with the cursor at its end. */
static void draw_message(const tui_state *s)
{
	const tui_layout *l = &s->lay;
	for (int i = 0; i < l->msg_lines; i++)
		fill(l->msg_y + i, 0, l->width, A_NORMAL);
	if (s->message[0]) {
		size_t n;
		char **m = tui_message_lines(s, &n);
		attr_t at = s->message_error ? color(PAIR_ERROR) | A_BOLD : A_NORMAL;
		for (size_t i = 0; i < n; i++) {
			if ((int)i < l->msg_lines)
				put(s, l->msg_y + (int)i, 1, l->width - 1, m[i], at);
			free(m[i]);
		}
		free(m);
	} else if (l->msg_lines > 0) {
		char buf[1024];
		/* bold when it is the footnote: the figures rest on missing months */
		int gap = tui_info_text(s, buf, sizeof buf);
		put(s, l->msg_y, 1, l->width - 1, buf, gap ? A_BOLD : A_DIM);
		if (l->msg_lines > 1 && tui_sig_text(s, buf, sizeof buf))
			put(s, l->msg_y + 1, 1, l->width - 1, buf, A_DIM);
	}
	if (l->prompt_y < 0)
		return;
	int y = l->prompt_y;
	fill(y, 0, l->width, A_NORMAL);
	const char *prompt = tui_prompt_text(s);
	int pw = tui_width(prompt);
	put(s, y, 0, pw, prompt, A_BOLD);
	const char *in = s->input.buf ? s->input.buf : "";
	int avail = l->width - pw - 1, iw = tui_width(in);
	/* a long name shows its end, where the typing is */
	while (iw > avail && *in) {
		in++;
		while ((*in & 0xC0) == 0x80)
			in++;
		iw = tui_width(in);
	}
	put(s, y, pw, iw, in, A_NORMAL);
	move(y, pw + iw);
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
	long cursor = tui_form_cursor_line(s);
	for (int i = 0; i < rows; i++) {
		size_t k = s->popup_top + (size_t)i;
		if (k < s->npopup)
			put(s, y + 1 + i, x + 2, inner_w, s->popup[k], (long)k == cursor ? A_REVERSE : A_NORMAL);
	}
	char foot[128];
	if (s->mode == TUI_MODE_EVAL_FORM)
		snprintf(foot, sizeof foot, " Enter evaluates%sEsc closes ", s->ascii ? " | " : " \xC2\xB7 ");
	else if (s->mode == TUI_MODE_EVAL && s->npopup <= (size_t)rows)
		snprintf(foot, sizeof foot, " Enter changes it%sEsc closes ", s->ascii ? " | " : " \xC2\xB7 ");
	else if (s->npopup > (size_t)rows)
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
	if (s->mode == TUI_MODE_HELP || s->mode == TUI_MODE_DETAIL || s->mode == TUI_MODE_SOURCES ||
	    s->mode == TUI_MODE_EVAL_FORM || s->mode == TUI_MODE_EVAL)
		draw_popup(s);
	draw_message(s);
	curs_set(s->lay.prompt_y >= 0 ? 1 : 0);
	refresh();
}
