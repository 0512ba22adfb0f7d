/* The TUI: a state machine over the report model (state.c, no curses), a
 * drawing of that state (draw.c) and the curses loop (tui.c).  Keys map to
 * abstract requests through one table, which also writes the help screen. */
#ifndef CRIMETAB_TUI_H
#define CRIMETAB_TUI_H

#include <stddef.h>

#include "core/util.h"
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
	X(REQ_MONTH_PREV,    "selected month: one month back") \
	X(REQ_MONTH_NEXT,    "selected month: one month forward") \
	X(REQ_MONTH_LATEST,  "selected month: the latest with data") \
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

/* What the state machine asks of its driver. */
typedef struct tui_ops {
	/* A report for MONTH (-1: the latest), COMPARE and TAXONOMY (a tax_load
	 * name or path), with "All data" first and then every area; *LATEST is
	 * set to the latest month with data.  NULL with err set on failure. */
	rep_report *(*build)(void *ctx, int month, int compare, const char *taxonomy, int *latest, char *err,
			     size_t errlen);
	/* Writes area AREA of R to PATH in FORMAT ("markdown", "xlsx", "csv",
	 * "json") without leaving a partial file.  0, or -1 with err set. */
	int (*export)(void *ctx, const rep_report *r, size_t area, const char *path, const char *format, char *err,
		      size_t errlen);
	void *ctx;
} tui_ops;

typedef enum tui_mode {
	TUI_MODE_TABLE,
	TUI_MODE_HELP,
	TUI_MODE_DETAIL,
	TUI_MODE_SOURCES,
	TUI_MODE_SEARCH, /* typing into the prompt */
	TUI_MODE_EXPORT,
} tui_mode;

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
	int label_w;       /* the Crime column */
	int indent;        /* columns per level of depth */
	int cur_w, diff_w, pct_w; /* each window's three columns */
	int long_heads;    /* "Current"/"Diff"/"% Diff" (else "Cur"/"Diff"/"%") */
	int gap;           /* blank columns before each window */
	int nwin;          /* windows shown, from Selected Month on (3 unless narrow) */
	int spark_w;       /* 0: no trend column */
	int popup_rows;    /* text lines a popup shows */
	int status_y, msg_y;
} tui_layout;
#define TUI_MIN_WIDTH 60
#define TUI_MIN_HEIGHT 15

/* A window's width: its three columns and the spaces between them. */
static inline int tui_win_w(const tui_layout *l)
{
	return l->cur_w + 1 + l->diff_w + 1 + l->pct_w;
}
#define TUI_SPARK 12 /* months in a sparkline */

typedef struct tui_state {
	tui_ops ops;
	rep_report *rep; /* owned */
	int latest;        /* the latest month with data */
	int follow_latest; /* rebuilds keep to the latest month */
	int compare;
	const char *const *taxonomies; /* cycled by REQ_TAXONOMY; not owned */
	size_t ntaxonomies, tax;

	size_t area;
	int focus;
	size_t area_top;
	size_t *vis; /* indices of the selected area's rows shown, honouring collapse */
	size_t nvis, nvis_alloc;
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
void tui_title_text(const tui_state *s, char *buf, size_t len);
void tui_status_text(const tui_state *s, char *buf, size_t len);
/* A figure's three cells (rep_fmt_cur, _diff, _pct; the missing-months mark
 * as '#' without UTF-8), each LEN bytes. */
void tui_fmt_fig(const tui_state *s, const rep_fig *f, char *cur, char *diff, char *pct, size_t len);
/* The footnote of the selected area when its windows lack months, as one
 * line ("# " marks without UTF-8); 0 and "" when they are complete. */
int tui_gap_text(const tui_state *s, char *buf, size_t len);
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
