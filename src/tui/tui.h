/* The TUI: a state machine over the report model (state.c, no curses), a
 * drawing of that state (draw.c) and the curses loop (tui.c).  Keys map to
 * abstract requests through one table, which also writes the help screen. */
#ifndef CRIMETAB_TUI_H
#define CRIMETAB_TUI_H

#include <stddef.h>

#include "core/util.h"
#include "report/evaluation.h"
#include "report/model.h"

/* Every request: name, help text.  The order is the help screen's order. */
#define TUI_REQ_LIST(X) \
	X(REQ_UP,            "move up a row (or area, in the area list)") \
	X(REQ_DOWN,          "move down a row (or area)") \
	X(REQ_PAGE_UP,       "move up a page") \
	X(REQ_PAGE_DOWN,     "move down a page") \
	X(REQ_FIRST,         "first row") \
	X(REQ_LAST,          "last row (Total)") \
	X(REQ_FOCUS,         "switch between the area list and the table") \
	X(REQ_AREA_PREV,     "previous area") \
	X(REQ_AREA_NEXT,     "next area") \
	X(REQ_MONTH_PREV,    "selected month: one month back (stops at the first with data)") \
	X(REQ_MONTH_NEXT,    "selected month: one month forward (stops at the last with data)") \
	X(REQ_MONTH_LATEST,  "selected month: the latest that every force has data for") \
	X(REQ_MONTH_GOTO,    "selected month: type one (YYYY-MM)") \
	X(REQ_WIN_PREV,      "narrow screen: scroll to the window on the left") \
	X(REQ_WIN_NEXT,      "narrow screen: scroll to the window on the right") \
	X(REQ_SORT_NEXT,     "sort by the next column, largest first (last: the paper's order)") \
	X(REQ_SORT_PREV,     "sort by the previous column") \
	X(REQ_COMPARE,       "compare with a year earlier / the preceding period") \
	X(REQ_TAXONOMY,      "next taxonomy template (home-office, police-uk)") \
	X(REQ_ENTER,         "expand or collapse a group; details of a category") \
	X(REQ_TOGGLE,        "expand or collapse the group") \
	X(REQ_EXPAND,        "expand the group") \
	X(REQ_COLLAPSE,      "collapse the group (or the one the row is in)") \
	X(REQ_EXPAND_ALL,    "expand every group") \
	X(REQ_COLLAPSE_ALL,  "collapse every group: top-level rows only") \
	X(REQ_DETAIL,        "details: the row's figures and 24 months of counts") \
	X(REQ_SEARCH,        "find a row or area (as you type; Enter keeps it)") \
	X(REQ_SEARCH_NEXT,   "next match") \
	X(REQ_SEARCH_PREV,   "previous match") \
	X(REQ_EXPORT,        "export this area's table (.md, .xlsx, .csv, .json)") \
	X(REQ_EVALUATE,      "did it work? evaluate an intervention in this area against controls (WDD test)") \
	X(REQ_SOURCES,       "data sources and warnings") \
	X(REQ_RELOAD,        "reload from the database") \
	X(REQ_REDRAW,        "redraw the screen") \
	X(REQ_HELP,          "this help") \
	X(REQ_BACK,          "close a popup or prompt") \
	X(REQ_QUIT,          "quit (closes a popup first)")

typedef enum tui_request {
	REQ_NONE = 0,
#define TUI_REQ_ENUM(name, help) name,
	TUI_REQ_LIST(TUI_REQ_ENUM)
#undef TUI_REQ_ENUM
	REQ_COUNT
} tui_request;

/* Keys above Unicode, so a key is a code point or one of these; tui.c maps
 * curses' function keys onto them. */
enum {
	TUI_KEY_TAB = '\t',
	TUI_KEY_ENTER = '\n',
	TUI_KEY_ESC = 27,
	TUI_KEY_DEL = 127,
	TUI_KEY_UP = 0x110000,
	TUI_KEY_DOWN,
	TUI_KEY_LEFT,
	TUI_KEY_RIGHT,
	TUI_KEY_PPAGE,
	TUI_KEY_NPAGE,
	TUI_KEY_HOME,
	TUI_KEY_END,
	TUI_KEY_BTAB,
	TUI_KEY_F1,
	TUI_KEY_BACKSPACE,
};
#define TUI_CTRL(c) ((c) & 0x1f)

/* The key table: every binding; the help screen is written from it. */
typedef struct tui_key {
	int key;
	const char *name; /* as the help screen shows it */
	tui_request request;
} tui_key;
extern const tui_key tui_keys[];
extern const size_t tui_nkeys;

/* The request KEY is bound to, or REQ_NONE. */
tui_request tui_key_request(int key);
/* The help text of REQ, or "" for REQ_NONE. */
const char *tui_request_help(tui_request req);

/* The months a report can be built for. */
typedef struct tui_range {
	int first, last; /* the first and last month any force has data for */
	int latest;      /* the latest month every force has data for (the default) */
} tui_range;

/* The Evaluate screen's form: what crimetab evaluate's options give. */
typedef struct tui_eval_form {
	char *treated;   /* an area's name */
	char **control;  /* the areas ticked as controls */
	size_t ncontrol;
	int start;       /* the intervention's first month */
	int pre, post;   /* months before and after; 0: as many as after, and up to 12 */
	char *category;  /* a row's path, or "Total" */
	int buffer_m;    /* displacement buffers in metres; 0: none */
} tui_eval_form;

/* The form's fields, one line each; the control areas take a line each. */
typedef enum tui_eval_field {
	TUI_EV_TREATED,
	TUI_EV_CONTROL,
	TUI_EV_START,
	TUI_EV_PRE,
	TUI_EV_POST,
	TUI_EV_CATEGORY,
	TUI_EV_BUFFER,
} tui_eval_field;

/* What the state machine asks of its driver. */
typedef struct tui_ops {
	/* A report for MONTH (-1: the latest), COMPARE and TAXONOMY (a tax_load
	 * name or path), with "All data" first and then every area; *RANGE is
	 * set to the months of its dataset.  NULL with err set on failure (a
	 * MONTH outside the data is one). */
	rep_report *(*build)(void *ctx, int month, int compare, const char *taxonomy, tui_range *range, char *err,
			     size_t errlen);
	/* Writes area AREA of R to PATH in FORMAT ("markdown", "xlsx", "csv",
	 * "json") without leaving a partial file.  0, or -1 with err set. */
	int (*export)(void *ctx, const rep_report *r, size_t area, const char *path, const char *format, char *err,
		      size_t errlen);
	void *ctx;
	/* The WDD test FORM asks for, on R's dataset and level and TAXONOMY (a
	 * tax_load name or path): crimetab evaluate's computation.  NULL with
	 * err set (an unknown category, periods that do not fit the data, a
	 * database error).  NULL: no Evaluate screen. */
	rep_eval *(*evaluate)(void *ctx, const rep_report *r, const char *taxonomy, const tui_eval_form *form,
			      char *err, size_t errlen);
	const char *all_areas; /* the pseudo-area of every crime, never a treated or control area */
} tui_ops;

typedef enum tui_mode {
	TUI_MODE_TABLE,
	TUI_MODE_HELP,
	TUI_MODE_DETAIL,
	TUI_MODE_SOURCES,
	TUI_MODE_SEARCH, /* typing into the prompt */
	TUI_MODE_EXPORT,
	TUI_MODE_MONTH,
	TUI_MODE_EVAL_FORM, /* the Evaluate form (popup lines with a cursor line) */
	TUI_MODE_EVAL,      /* an evaluation's result (a popup) */
} tui_mode;

/* What the mouse did (tui.c maps curses' events onto these). */
typedef enum tui_mouse { TUI_MOUSE_CLICK, TUI_MOUSE_WHEEL_UP, TUI_MOUSE_WHEEL_DOWN } tui_mouse;

enum { TUI_FOCUS_ROWS, TUI_FOCUS_AREAS };

/* What the driver does after a key. */
typedef enum tui_action { TUI_ACT_NONE, TUI_ACT_QUIT, TUI_ACT_REDRAW } tui_action;

/* Where things go on a WIDTH x HEIGHT screen (tui_layout). */
typedef struct tui_layout {
	int width, height;
	int too_small;     /* below TUI_MIN_WIDTH x TUI_MIN_HEIGHT: draw only a message */
	int areas_w;       /* the area list's width (0: areas shown as a line of tabs) */
	int tabs_y;        /* the area tab line, or -1 */
	int table_x, table_w;
	int head_y;        /* two heading lines */
	int body_y, body_h;
	int head_lines;    /* heading lines: names, [each window's months,] columns */
	int label_w;       /* the Crime column */
	int indent;        /* columns per level of depth */
	int cur_w, diff_w, pct_w; /* each window's three columns */
	int show_diff;     /* 0: narrow, the Diff columns give way to the Crime column */
	int long_heads;    /* "Current"/"Diff"/"% Diff" (else "Cur"/"Diff"/"%Diff") */
	int gap;           /* blank columns before each window */
	int win_first;     /* the first window shown (h/l scroll a narrow screen) */
	int nwin;          /* windows shown (3 unless narrow) */
	int spark_w;       /* 0: no trend column */
	int popup_rows;    /* text lines a popup shows */
	int status_y;
	int msg_y, msg_lines; /* the message (wrapped to be read whole) or the info lines */
	int info_lines;    /* with no message: 2 when the cursor row's z and p have a
			    * line of their own under the months, else 1 */
	int prompt_y;      /* the prompt's own line, or -1 */
} tui_layout;
#define TUI_MIN_WIDTH 60
#define TUI_MIN_HEIGHT 15

/* A window's width: its columns and the spaces between them. */
static inline int tui_win_w(const tui_layout *l)
{
	return l->cur_w + 1 + (l->show_diff ? l->diff_w + 1 : 0) + l->pct_w;
}

/* The screen column of the I-th window shown. */
static inline int tui_window_x(const tui_layout *l, int i)
{
	return l->table_x + 1 + l->label_w + l->gap + i * (tui_win_w(l) + l->gap);
}

/* Where column K (0 Current, 1 Diff, 2 % Diff) starts in a window. */
static inline int tui_col_off(const tui_layout *l, int k)
{
	return k == 0 ? 0 : k == 1 ? l->cur_w + 1 : l->cur_w + 1 + (l->show_diff ? l->diff_w + 1 : 0);
}
#define TUI_SPARK 12 /* months in a sparkline */

typedef struct tui_state {
	tui_ops ops;
	rep_report *rep; /* owned */
	tui_range range;   /* of the report's dataset */
	int follow_latest; /* rebuilds keep to the latest month */
	int compare;
	const char *const *taxonomies; /* cycled by REQ_TAXONOMY; not owned */
	size_t ntaxonomies, tax;

	size_t area;
	int focus;
	size_t area_top;
	size_t *vis; /* indices of the selected area's rows shown, honouring collapse and sort */
	size_t nvis, nvis_alloc;
	size_t *order; /* the selected area's rows in display order (sorted) */
	int sort;      /* -1: the model's (paper's) order; else column window * 3 + k */
	int win_first; /* the first window shown on a narrow screen */
	size_t cursor, top; /* in vis */
	char **collapsed;   /* paths of collapsed groups (kept across areas and rebuilds) */
	size_t ncollapsed;

	tui_mode mode;
	char **popup; /* lines of the help / detail / sources popup */
	size_t npopup, popup_top;
	char *popup_title;
	strbuf input; /* the prompt's text */
	int confirm_overwrite;
	char *search;
	size_t search_area; /* where a search started (Esc returns) */
	long search_row;

	tui_eval_form form; /* kept between openings of the Evaluate form */
	size_t form_item;   /* the form's line under the cursor (tui_form_field) */
	rep_eval *eval;     /* the evaluation shown (owned) */

	char message[512];
	int message_error;
	int ascii; /* no UTF-8: ASCII sparklines, "..." and tree marks */
	tui_layout lay;
} tui_state;

/* Builds the first report and sets up S; 0, or -1 with err set.  TAXONOMIES
 * (at least one) outlive S. */
int tui_init(tui_state *s, const tui_ops *ops, int month, int compare, const char *const *taxonomies,
	     size_t ntaxonomies, size_t tax, char *err, size_t errlen);
void tui_release(tui_state *s);

/* Handles one key: line editing in a prompt, else its request. */
tui_action tui_handle_key(tui_state *s, int key);
/* Handles a click or wheel turn at screen cell (Y, X). */
tui_action tui_handle_mouse(tui_state *s, tui_mouse ev, int y, int x);
/* Handles one request in the current mode. */
tui_action tui_handle(tui_state *s, tui_request req);
/* Lays out a WIDTH x HEIGHT screen and keeps the cursor visible. */
void tui_resize(tui_state *s, int width, int height);

/* Queries the view (for draw.c and tests). */
const rep_area *tui_area(const tui_state *s);
/* The row under the cursor, or NULL. */
const rep_row *tui_cursor_row(const tui_state *s);
/* True if row I of the selected area has children / is collapsed. */
int tui_row_has_children(const tui_state *s, size_t i);
int tui_row_collapsed(const tui_state *s, size_t i);

/* Texts the screen shows, written into buf. */
/* "Area · September 2024 vs September 2023" in WIDTH columns: the area's name
 * is cut before the month is. */
void tui_title_text(const tui_state *s, int width, char *buf, size_t len);
/* The status bar in WIDTH columns: data, basis, warnings, the position
 * ("row 12/30") and the sort. */
void tui_status_text(const tui_state *s, int width, char *buf, size_t len);
/* The line under the status bar when there is no message: the footnote when
 * the area's windows lack months (returns 1), else the cursor row's note and
 * the months of each window shown (returns 0).  With one info line
 * (lay.info_lines) a row whose changes were tested adds each window's z and
 * p, and gives up the months, then the note, when they do not all fit. */
int tui_info_text(const tui_state *s, char *buf, size_t len);
/* Window W's months against its comparison: "Apr–Sep 2024 vs 2023". */
void tui_window_text(const tui_state *s, int w, char *buf, size_t len);
/* The message wrapped to the screen's width, one string per line (at most
 * the lines the layout gives it).  The caller frees each and the array. */
char **tui_message_lines(const tui_state *s, size_t *n);
/* The prompt's label: "Export to (.md .xlsx .csv .json): " and the like. */
const char *tui_prompt_text(const tui_state *s);
/* The first area on the tab line (narrow screens): the tabs scroll so that
 * the selected one shows. */
size_t tui_tabs_first(const tui_state *s);
/* A figure's three cells (rep_fmt_cur, _diff, and _pct with a flagged
 * change's mark, rep_fmt_pct_marked; without UTF-8 the missing-months mark
 * is '#' and the significance marks '^' and 'v'), each LEN bytes. */
void tui_fmt_fig(const tui_state *s, const rep_fig *f, char *cur, char *diff, char *pct, size_t len);
/* The footnote of the selected area when its windows lack months, as one
 * line ("# " marks without UTF-8); 0 and "" when they are complete. */
int tui_gap_text(const tui_state *s, char *buf, size_t len);
/* The cursor row's path and its p-values and z-scores for each window shown,
 * in the table's order, the figure the report's test flags on first and the
 * test named ("Theft Offences > Shoplifting  E-test p = 0.021 (z 2.45)▲ │
 * p = 0.24 (z 1.67) │ ...", or "z 2.45 (E-test p = 0.021)▲" under the
 * z-score; "n/a" for a change not tested), the path cut to what the figures
 * leave (the second info line); 0 and "" when the report tests nothing or
 * there is no cursor row. */
int tui_sig_text(const tui_state *s, char *buf, size_t len);
/* The Evaluate form's line ITEM: its field, and for TUI_EV_CONTROL which
 * area of the candidates (every area but the treated one and all data) in
 * *AREA; -1 past the last line. */
int tui_form_field(const tui_state *s, size_t item, size_t *area);
/* The popup line the form's cursor is on (TUI_MODE_EVAL_FORM), or -1. */
long tui_form_cursor_line(const tui_state *s);

/* The help lines, from the key table: one per request, its keys then its help.
 * The caller frees each line and the array. */
char **tui_help_lines(size_t *n);
/* "crimetab-stockton-town-centre-2024-09.md" for area NAME and MONTH. */
char *tui_export_name(const char *area, int month);
/* The export format for PATH's extension, or NULL. */
const char *tui_export_format(const char *path);

/* Fits UTF-8 S into WIDTH columns, ending with an ellipsis when cut ("..."
 * when ASCII); writes at most LEN-1 bytes.  Returns the columns used. */
int tui_fit(const char *s, int width, int ascii, char *out, size_t len);
/* Display columns of UTF-8 S. */
int tui_width(const char *s);
/* A sparkline of the N values V (scaled 0..max) in block characters, or
 * " .:-=+*#" when ASCII. */
void tui_sparkline(const long long *v, int n, int ascii, char *out, size_t len);

/* The curses driver (tui.c): runs until quit.  Returns a ct_status. */
int tui_run(const tui_ops *ops, int month, int compare, const char *const *taxonomies, size_t ntaxonomies,
	    size_t tax);
/* Draws S on the curses screen (draw.c). */
void tui_draw(const tui_state *s);
/* Sets up colours once curses has started (draw.c); NO_COLOR turns them off. */
void tui_draw_init(void);

#endif
