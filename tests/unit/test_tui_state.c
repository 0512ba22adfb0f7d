/* The TUI state machine without a terminal: keys to requests, requests to
 * cursor, collapse, month, comparison, taxonomy, search, popups and export. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_report.h"
#include "report/sigfmt.h"
#include "stats/highlights.h"
#include "stats/signif.h"
#include "tui/tui.h"

/* stats/stats.h's and stats/evaluate.h's (whose taxonomy typedef the fakes'
 * parameters would shadow) */
void stats_suppress(rep_report *r);
void stats_ev_set_wdd(rep_ev_test *t, const sig_wdd *w, double alpha);

#define LATEST CT_MONTH(2024, 9)   /* every force has data up to here */
#define LAST_DATA CT_MONTH(2024, 10) /* one force has a month more */
#define EARLIEST CT_MONTH(2024, 6)

/* ---- a fake report builder ---- */

typedef struct fake {
	int builds;
	int last_month, last_compare;
	char last_tax[64];
	int exports;
	char export_path[256], export_format[16];
	size_t export_area;
	int fail_export;
} fake;

static void add_row(rep_area *a, const char *label, const char *path, int depth, int parent, unsigned flags,
		    long long n)
{
	rep_row *r = &a->rows[a->nrows++];
	memset(r, 0, sizeof *r);
	r->label = xstrdup(label);
	r->path = xstrdup(path);
	r->depth = depth;
	r->parent = parent;
	r->flags = flags;
	for (int w = 0; w < REP_WINDOWS; w++) {
		r->fig[w].cur = n * rep_window_months[w];
		r->fig[w].cmp = n * rep_window_months[w] - w;
		r->fig[w].diff = w;
		r->fig[w].pct_kind = REP_PCT_VALUE;
		r->fig[w].pct = 1.5 * w;
	}
	for (int i = 0; i < REP_SERIES; i++)
		r->series[i] = n + i % 3;
}

static void fill_area(rep_area *a, const char *name)
{
	a->name = xstrdup(name);
	a->rows = xcalloc(9, sizeof *a->rows);
	add_row(a, "Victim Based Crime", "Victim Based Crime", 0, -1, REP_ROW_GROUP, 30);
	add_row(a, "Violence", "Victim Based Crime > Violence", 1, 0, REP_ROW_GROUP, 20);
	add_row(a, "Violence With Injury", "Victim Based Crime > Violence > Violence With Injury", 2, 1, 0, 12);
	add_row(a, "Stalking and Harassment", "Victim Based Crime > Violence > Stalking and Harassment", 2, 1, 0, 8);
	add_row(a, "Shoplifting", "Victim Based Crime > Shoplifting", 1, 0, 0, 10);
	add_row(a, "Non victim based", "Non victim based", 0, -1, REP_ROW_GROUP, 5);
	add_row(a, "Drug Offences", "Non victim based > Drug Offences", 1, 5, 0, 5);
	add_row(a, "Unknown", "Unknown", 0, -1, REP_ROW_UNKNOWN, 2);
	add_row(a, "Total", "Total", 0, -1, REP_ROW_TOTAL, 37);
	rep_row *u = &a->rows[7];
	u->cats = xcalloc(2, sizeof *u->cats);
	u->cats[u->ncats++] = (rep_cat){xstrdup("Mystery offence"), {1, 6, 12}};
	u->cats[u->ncats++] = (rep_cat){xstrdup("Unlisted thing"), {1, 6, 12}};
	rep_row *shop = &a->rows[4];
	shop->flags |= REP_ROW_APPROX;
	shop->note = xstrdup("police.uk shoplifting covers two categories");
}

static rep_report *fake_build(void *ctx, int month, int compare, const char *taxonomy, tui_range *range, char *err,
			      size_t errlen)
{
	fake *f = ctx;
	f->builds++;
	f->last_month = month;
	f->last_compare = compare;
	snprintf(f->last_tax, sizeof f->last_tax, "%s", taxonomy);
	if (month >= 0 && (month < EARLIEST || month > LAST_DATA)) {
		snprintf(err, errlen, "no data for that month");
		return NULL;
	}
	rep_report *r = xcalloc(1, sizeof *r);
	r->month = month < 0 ? LATEST : month;
	r->compare = compare;
	for (int w = 0; w < REP_WINDOWS; w++) {
		int len = rep_window_months[w], shift = compare ? len : 12;
		r->span[w] = (rep_window_span){r->month - len + 1, r->month, r->month - shift - len + 1, r->month - shift};
	}
	r->taxonomy = xstrdup(strcmp(taxonomy, "police-uk") == 0 ? "police.uk" : "Home Office");
	r->dataset = xstrdup("force");
	r->areas = xcalloc(3, sizeof *r->areas);
	fill_area(&r->areas[r->nareas++], "All data");
	fill_area(&r->areas[r->nareas++], "Norton Central");
	fill_area(&r->areas[r->nareas++], "Stockton Town Centre");
	r->warnings = xcalloc(1, sizeof *r->warnings);
	r->warnings[r->nwarnings++] = xstrdup("Cleveland Police: no force export imported for 1 month");
	r->sources = xcalloc(1, sizeof *r->sources);
	r->sources[0] = (rep_source){xstrdup("paper.csv"), xstrdup("force"), xstrdup("Cleveland Police"),
				     xstrdup("2024-10-01T00:00:00Z"), CT_MONTH(2022, 10), LATEST, 10770,
				     xstrdup("")};
	r->nsources = 1;
	*range = (tui_range){EARLIEST, LAST_DATA, LATEST};
	return r;
}

static int fake_export(void *ctx, const rep_report *r, size_t area, const char *path, const char *format, char *err,
		       size_t errlen)
{
	fake *f = ctx;
	(void)r;
	if (f->fail_export) {
		snprintf(err, errlen, "%s: disk full", path);
		return -1;
	}
	f->exports++;
	f->export_area = area;
	snprintf(f->export_path, sizeof f->export_path, "%s", path);
	snprintf(f->export_format, sizeof f->export_format, "%s", format);
	return 0;
}

static const char *const taxonomies[] = {"home-office", "police-uk"};

typedef struct fixture {
	fake f;
	tui_state s;
} fixture;

static int setup(void **state)
{
	fixture *fx = xcalloc(1, sizeof *fx);
	tui_ops ops = {fake_build, fake_export, &fx->f, NULL, NULL};
	char err[256];
	if (tui_init(&fx->s, &ops, -1, REP_COMPARE_YOY, taxonomies, 2, 0, err, sizeof err) != 0)
		return -1;
	tui_resize(&fx->s, 80, 24);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	tui_release(&fx->s);
	free(fx);
	return 0;
}

static void keys(tui_state *s, const char *text)
{
	for (const char *p = text; *p; p++)
		tui_handle_key(s, (unsigned char)*p);
}

static const char *cursor_label(const tui_state *s)
{
	const rep_row *r = tui_cursor_row(s);
	return r ? r->label : "";
}

/* ---- tests ---- */

static void test_key_table(void **state)
{
	(void)state;
	assert_int_equal(tui_key_request('q'), REQ_QUIT);
	assert_int_equal(tui_key_request('['), REQ_MONTH_PREV);
	assert_int_equal(tui_key_request(']'), REQ_MONTH_NEXT);
	assert_int_equal(tui_key_request('L'), REQ_MONTH_LATEST);
	assert_int_equal(tui_key_request(TUI_KEY_END), REQ_MONTH_LATEST);
	assert_int_equal(tui_key_request('m'), REQ_MONTH_GOTO);
	/* Left/Right scroll the windows of a narrow screen, as h/l do */
	assert_int_equal(tui_key_request('h'), REQ_WIN_PREV);
	assert_int_equal(tui_key_request(TUI_KEY_LEFT), REQ_WIN_PREV);
	assert_int_equal(tui_key_request('l'), REQ_WIN_NEXT);
	assert_int_equal(tui_key_request(TUI_KEY_RIGHT), REQ_WIN_NEXT);
	assert_int_equal(tui_key_request('s'), REQ_SORT_NEXT);
	assert_int_equal(tui_key_request('S'), REQ_SORT_PREV);
	assert_int_equal(tui_key_request('i'), REQ_SOURCES);
	assert_int_equal(tui_key_request(TUI_KEY_ENTER), REQ_ENTER);
	assert_int_equal(tui_key_request('?'), REQ_HELP);
	assert_int_equal(tui_key_request('w'), REQ_EVALUATE);
	assert_int_equal(tui_key_request('Z'), REQ_NONE);
	/* no key bound twice */
	for (size_t i = 0; i < tui_nkeys; i++)
		for (size_t j = i + 1; j < tui_nkeys; j++)
			assert_int_not_equal(tui_keys[i].key, tui_keys[j].key);
}

static void test_help_covers_every_request(void **state)
{
	(void)state;
	size_t n;
	char **lines = tui_help_lines(&n);
	for (int req = REQ_NONE + 1; req < REQ_COUNT; req++) {
		const char *help = tui_request_help((tui_request)req);
		assert_true(help[0] != '\0');
		int found = 0;
		for (size_t i = 0; i < n; i++)
			found |= strstr(lines[i], help) != NULL;
		assert_true(found);
		int bound = 0;
		for (size_t k = 0; k < tui_nkeys; k++)
			bound |= tui_keys[k].request == (tui_request)req;
		assert_true(bound);
	}
	/* every key's name is on the line of its request */
	for (size_t k = 0; k < tui_nkeys; k++) {
		const char *help = tui_request_help(tui_keys[k].request);
		int found = 0;
		for (size_t i = 0; i < n; i++)
			found |= strstr(lines[i], help) && strstr(lines[i], tui_keys[k].name);
		assert_true(found);
	}
	int mouse = 0;
	for (size_t i = 0; i < n; i++)
		mouse |= strstr(lines[i], "Mouse") != NULL;
	assert_true(mouse);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void test_cursor_bounds(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	assert_int_equal(s->nvis, 9);
	assert_int_equal(s->cursor, 0);
	tui_handle(s, REQ_UP);
	assert_int_equal(s->cursor, 0);
	for (int i = 0; i < 20; i++)
		tui_handle(s, REQ_DOWN);
	assert_int_equal(s->cursor, 8);
	assert_string_equal(cursor_label(s), "Total");
	tui_handle(s, REQ_FIRST);
	assert_int_equal(s->cursor, 0);
	tui_handle(s, REQ_PAGE_DOWN);
	assert_int_equal(s->cursor, 8);
	tui_handle(s, REQ_PAGE_UP);
	assert_int_equal(s->cursor, 0);
	tui_resize(s, 80, 15);
	assert_int_equal(s->lay.body_h, 9);
	/* a short screen scrolls to keep the cursor in view (the layout is
	 * kept below the drawable size too) */
	tui_resize(s, 80, 9);
	assert_int_equal(s->lay.body_h, 3);
	tui_handle(s, REQ_LAST);
	assert_int_equal(s->cursor, 8);
	assert_int_equal(s->top, 6);
	tui_handle(s, REQ_FIRST);
	assert_int_equal(s->top, 0);
}

static void test_position(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	char status[512];
	tui_status_text(s, 200, status, sizeof status);
	assert_non_null(strstr(status, "row 1/9"));
	tui_handle(s, REQ_DOWN);
	tui_handle(s, REQ_DOWN);
	tui_status_text(s, 200, status, sizeof status);
	assert_non_null(strstr(status, "row 3/9"));
	/* collapsing changes what there is to count */
	tui_handle_key(s, 'C');
	tui_status_text(s, 200, status, sizeof status);
	assert_non_null(strstr(status, "row 1/4"));
	tui_handle_key(s, TUI_KEY_TAB);
	tui_handle_key(s, '>');
	tui_status_text(s, 200, status, sizeof status);
	assert_non_null(strstr(status, "area 2/3"));
	/* a narrow status bar keeps the position and fits */
	tui_status_text(s, 60, status, sizeof status);
	assert_non_null(strstr(status, "area 2/3"));
	assert_true(tui_width(status) <= 60);
}

static void test_collapse_expand(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	assert_true(tui_row_has_children(s, 0));
	assert_false(tui_row_has_children(s, 2));
	/* Space on Victim Based Crime hides its four descendants */
	tui_handle_key(s, ' ');
	assert_int_equal(s->nvis, 5);
	assert_true(tui_row_collapsed(s, 0));
	assert_string_equal(cursor_label(s), "Victim Based Crime");
	tui_handle(s, REQ_DOWN);
	assert_string_equal(cursor_label(s), "Non victim based");
	tui_handle(s, REQ_UP);
	tui_handle_key(s, '+');
	assert_int_equal(s->nvis, 9);
	/* "-" on a leaf folds its group and moves there */
	tui_handle(s, REQ_DOWN);
	tui_handle(s, REQ_DOWN);
	assert_string_equal(cursor_label(s), "Violence With Injury");
	tui_handle_key(s, '-');
	assert_string_equal(cursor_label(s), "Violence");
	assert_int_equal(s->nvis, 7);
	/* Enter toggles a group */
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(s->nvis, 9);
	/* collapse all: the summary table */
	tui_handle_key(s, 'C');
	assert_int_equal(s->nvis, 4);
	assert_string_equal(cursor_label(s), "Victim Based Crime");
	/* collapse is kept across areas and rebuilds */
	tui_handle_key(s, '>');
	assert_int_equal(s->nvis, 4);
	tui_handle_key(s, '[');
	assert_int_equal(s->nvis, 4);
	tui_handle_key(s, 'E');
	assert_int_equal(s->nvis, 9);
}

static void test_month(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	char title[256];
	assert_int_equal(s->rep->month, LATEST);
	tui_title_text(s, 200, title, sizeof title);
	assert_non_null(strstr(title, "September 2024"));
	/* one force has October: ] goes there, and no further */
	tui_handle_key(s, ']');
	assert_int_equal(s->rep->month, LAST_DATA);
	int builds = fx->f.builds;
	tui_handle_key(s, ']');
	assert_int_equal(fx->f.builds, builds);
	assert_int_equal(s->rep->month, LAST_DATA);
	assert_false(s->message_error);
	assert_non_null(strstr(s->message, "October 2024 is the last month with data"));
	assert_non_null(strstr(s->message, "June 2024 to October 2024"));
	/* L: the latest month every force has */
	tui_handle_key(s, 'L');
	assert_int_equal(s->rep->month, LATEST);
	assert_int_equal(fx->f.last_month, -1);
	assert_true(s->follow_latest);
	tui_handle_key(s, '[');
	assert_int_equal(s->rep->month, LATEST - 1);
	assert_int_equal(fx->f.last_month, LATEST - 1);
	assert_false(s->follow_latest);
	tui_title_text(s, 200, title, sizeof title);
	assert_non_null(strstr(title, "August 2024"));
	tui_handle_key(s, '[');
	tui_handle_key(s, '[');
	assert_int_equal(s->rep->month, EARLIEST);
	/* the first month with data: a message, no build */
	builds = fx->f.builds;
	tui_handle_key(s, '[');
	assert_int_equal(fx->f.builds, builds);
	assert_int_equal(s->rep->month, EARLIEST);
	assert_non_null(strstr(s->message, "June 2024 is the first month with data"));
	tui_handle_key(s, 'L');
	assert_int_equal(s->rep->month, LATEST);
	assert_false(s->message_error);
}

static void test_month_goto(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	tui_handle_key(s, 'm');
	assert_int_equal(s->mode, TUI_MODE_MONTH);
	assert_int_equal(s->lay.prompt_y, 23);
	assert_non_null(strstr(tui_prompt_text(s), "month"));
	keys(s, "2024-7");
	tui_handle_key(s, TUI_KEY_ENTER);
	/* not a month: said, and the prompt stays to be corrected */
	assert_int_equal(s->mode, TUI_MODE_MONTH);
	assert_true(s->message_error);
	assert_non_null(strstr(s->message, "not a month"));
	tui_handle_key(s, TUI_CTRL('u'));
	int builds = fx->f.builds;
	keys(s, "2019-01");
	tui_handle_key(s, TUI_KEY_ENTER);
	/* outside the data: the range is named and nothing is built */
	assert_int_equal(fx->f.builds, builds);
	assert_int_equal(s->mode, TUI_MODE_MONTH);
	assert_non_null(strstr(s->message, "no data for January 2019"));
	assert_non_null(strstr(s->message, "June 2024 to October 2024"));
	tui_handle_key(s, TUI_CTRL('u'));
	keys(s, "2024-07");
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(s->mode, TUI_MODE_TABLE);
	assert_int_equal(s->rep->month, CT_MONTH(2024, 7));
	assert_int_equal(s->lay.prompt_y, -1);
	/* Esc leaves the month as it was */
	tui_handle_key(s, 'm');
	keys(s, "2024-08");
	tui_handle_key(s, TUI_KEY_ESC);
	assert_int_equal(s->mode, TUI_MODE_TABLE);
	assert_int_equal(s->rep->month, CT_MONTH(2024, 7));
}

/* A driver whose --month is outside the data refuses to start. */
static void test_init_outside(void **state)
{
	(void)state;
	fake f = {0};
	tui_ops ops = {fake_build, fake_export, &f, NULL, NULL};
	tui_state s;
	char err[256] = "";
	assert_int_equal(tui_init(&s, &ops, CT_MONTH(2019, 1), REP_COMPARE_YOY, taxonomies, 2, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "no data for that month"));
}

static void test_compare_and_taxonomy(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	char status[512];
	tui_status_text(s, 200, status, sizeof status);
	assert_non_null(strstr(status, "year earlier"));
	assert_non_null(strstr(status, "1 warning"));
	assert_non_null(strstr(status, "2022-10..2024-09"));
	tui_handle_key(s, 'c');
	assert_int_equal(s->compare, REP_COMPARE_PREVIOUS);
	assert_int_equal(s->rep->compare, REP_COMPARE_PREVIOUS);
	tui_status_text(s, 200, status, sizeof status);
	assert_non_null(strstr(status, "preceding period"));
	tui_handle_key(s, 'c');
	assert_int_equal(s->rep->compare, REP_COMPARE_YOY);
	tui_handle_key(s, 't');
	assert_string_equal(fx->f.last_tax, "police-uk");
	assert_string_equal(s->rep->taxonomy, "police.uk");
	tui_handle_key(s, 't');
	assert_string_equal(fx->f.last_tax, "home-office");
	/* reload keeps month, basis and area */
	tui_handle_key(s, '>');
	tui_handle_key(s, 'r');
	assert_int_equal(s->area, 1);
	assert_int_equal(fx->f.last_month, -1);
}

static void test_areas(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	assert_string_equal(tui_area(s)->name, "All data");
	tui_handle(s, REQ_DOWN);
	tui_handle(s, REQ_DOWN);
	tui_handle_key(s, '>');
	assert_string_equal(tui_area(s)->name, "Norton Central");
	/* the same category stays selected */
	assert_string_equal(cursor_label(s), "Violence With Injury");
	tui_handle_key(s, '<');
	tui_handle_key(s, '<');
	assert_string_equal(tui_area(s)->name, "All data");
	/* Tab: up and down move between areas */
	tui_handle_key(s, TUI_KEY_TAB);
	assert_int_equal(s->focus, TUI_FOCUS_AREAS);
	tui_handle_key(s, 'j');
	tui_handle_key(s, 'j');
	tui_handle_key(s, 'j');
	assert_string_equal(tui_area(s)->name, "Stockton Town Centre");
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(s->focus, TUI_FOCUS_ROWS);
}

static void test_search(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	tui_handle_key(s, 'C');
	keys(s, "/stalk");
	assert_int_equal(s->mode, TUI_MODE_SEARCH);
	/* found as typed, inside a collapsed group, which opens */
	assert_string_equal(cursor_label(s), "Stalking and Harassment");
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(s->mode, TUI_MODE_TABLE);
	/* n: the next match, wrapping */
	keys(s, "/violence");
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_string_equal(cursor_label(s), "Violence");
	tui_handle_key(s, 'n');
	assert_string_equal(cursor_label(s), "Violence With Injury");
	tui_handle_key(s, 'n');
	assert_string_equal(cursor_label(s), "Violence");
	tui_handle_key(s, 'N');
	assert_string_equal(cursor_label(s), "Violence With Injury");
	/* an area name */
	keys(s, "/stockton");
	assert_string_equal(tui_area(s)->name, "Stockton Town Centre");
	/* Esc goes back to where the search started */
	tui_handle_key(s, TUI_KEY_ESC);
	assert_string_equal(tui_area(s)->name, "All data");
	assert_string_equal(cursor_label(s), "Violence With Injury");
	/* backspace edits; no match says so */
	keys(s, "/xyz");
	assert_true(s->message_error);
	tui_handle_key(s, TUI_KEY_BACKSPACE);
	tui_handle_key(s, TUI_KEY_BACKSPACE);
	tui_handle_key(s, TUI_KEY_BACKSPACE);
	keys(s, "drug");
	assert_string_equal(cursor_label(s), "Drug Offences");
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_string_equal(s->search, "drug");
}

static void test_popups(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	tui_handle_key(s, '?');
	assert_int_equal(s->mode, TUI_MODE_HELP);
	assert_true(s->npopup >= REQ_COUNT - 1);
	/* q closes a popup; it does not quit */
	assert_int_equal(tui_handle_key(s, 'q'), TUI_ACT_NONE);
	assert_int_equal(s->mode, TUI_MODE_TABLE);
	assert_null(s->popup);
	/* Enter on a leaf: its details, 24 months by name */
	tui_handle(s, REQ_DOWN);
	tui_handle(s, REQ_DOWN);
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(s->mode, TUI_MODE_DETAIL);
	assert_string_equal(s->popup_title, "Violence With Injury");
	int oct22 = 0, sep24 = 0;
	for (size_t i = 0; i < s->npopup; i++) {
		oct22 |= strstr(s->popup[i], "Oct 2022") != NULL;
		sep24 |= strstr(s->popup[i], "Sep 2024") != NULL;
	}
	assert_true(oct22 && sep24);
	tui_handle(s, REQ_DOWN);
	assert_true(s->popup_top <= 1);
	tui_handle_key(s, TUI_KEY_ESC);
	assert_int_equal(s->mode, TUI_MODE_TABLE);
	tui_handle_key(s, 'i');
	assert_int_equal(s->mode, TUI_MODE_SOURCES);
	int path = 0, warn = 0;
	for (size_t i = 0; i < s->npopup; i++) {
		path |= strstr(s->popup[i], "paper.csv") != NULL;
		warn |= strstr(s->popup[i], "no force export imported") != NULL;
	}
	assert_true(path && warn);
	/* a resize re-wraps it and keeps it open */
	tui_resize(s, 120, 40);
	assert_int_equal(s->mode, TUI_MODE_SOURCES);
	tui_handle_key(s, 'i');
	assert_int_equal(s->mode, TUI_MODE_TABLE);
	assert_int_equal(tui_handle_key(s, 'q'), TUI_ACT_QUIT);
}

static void test_export(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	tui_handle_key(s, '>');
	tui_handle_key(s, 'e');
	assert_int_equal(s->mode, TUI_MODE_EXPORT);
	assert_string_equal(s->input.buf, "crimetab-norton-central-2024-09.md");
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(fx->f.exports, 1);
	assert_string_equal(fx->f.export_path, "crimetab-norton-central-2024-09.md");
	assert_string_equal(fx->f.export_format, "markdown");
	assert_int_equal(fx->f.export_area, 1);
	assert_int_equal(s->mode, TUI_MODE_TABLE);
	assert_non_null(strstr(s->message, "wrote"));
	/* the name is editable; the extension picks the format */
	tui_handle_key(s, 'e');
	for (int i = 0; i < 2; i++)
		tui_handle_key(s, TUI_KEY_BACKSPACE);
	keys(s, "txt");
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(s->mode, TUI_MODE_EXPORT);
	assert_true(s->message_error);
	for (int i = 0; i < 3; i++)
		tui_handle_key(s, TUI_KEY_BACKSPACE);
	keys(s, "xlsx");
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_string_equal(fx->f.export_format, "xlsx");
	/* a failure is shown, the prompt stays */
	fx->f.fail_export = 1;
	tui_handle_key(s, 'e');
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(s->mode, TUI_MODE_EXPORT);
	assert_non_null(strstr(s->message, "disk full"));
	tui_handle_key(s, TUI_KEY_ESC);
	assert_int_equal(s->mode, TUI_MODE_TABLE);
	/* an existing file asks before it is overwritten */
	fx->f.fail_export = 0;
	char dir[] = "/tmp/crimetab-tui-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/t.csv", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	tui_handle_key(s, 'e');
	sb_reset(&s->input);
	keys(s, path);
	int before = fx->f.exports;
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(fx->f.exports, before);
	assert_non_null(strstr(s->message, "exists"));
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(fx->f.exports, before + 1);
	assert_string_equal(fx->f.export_format, "csv");
	unlink(path);
	rmdir(dir);
	free(path);
}

static void test_names_and_formats(void **state)
{
	(void)state;
	char *n = tui_export_name("Stockton Town Centre", CT_MONTH(2024, 9));
	assert_string_equal(n, "crimetab-stockton-town-centre-2024-09.md");
	free(n);
	n = tui_export_name("Thornaby (Stainsby Hill)", CT_MONTH(2024, 10));
	assert_string_equal(n, "crimetab-thornaby-stainsby-hill-2024-10.md");
	free(n);
	assert_string_equal(tui_export_format("a.md"), "markdown");
	assert_string_equal(tui_export_format("a.XLSX"), "xlsx");
	assert_string_equal(tui_export_format("dir/a.csv"), "csv");
	assert_string_equal(tui_export_format("a.json"), "json");
	assert_null(tui_export_format("a.txt"));
	assert_null(tui_export_format(".md"));
}

static void test_fit_and_sparkline(void **state)
{
	(void)state;
	char buf[128];
	assert_int_equal(tui_fit("Violence Without Injury", 10, 0, buf, sizeof buf), 10);
	assert_string_equal(buf, "Violence \xE2\x80\xA6");
	assert_int_equal(tui_fit("Violence Without Injury", 10, 1, buf, sizeof buf), 10);
	assert_string_equal(buf, "Violenc...");
	assert_int_equal(tui_fit("Arson", 10, 0, buf, sizeof buf), 5);
	assert_string_equal(buf, "Arson");
	assert_int_equal(tui_fit("Arson", 2, 1, buf, sizeof buf), 2);
	assert_string_equal(buf, "..");
	tui_fit("caf\xC3\xA9", 10, 1, buf, sizeof buf);
	assert_string_equal(buf, "caf?");
	assert_int_equal(tui_width("\xE2\x96\x81\xE2\x96\x88"), 2);

	long long v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	tui_sparkline(v, 8, 0, buf, sizeof buf);
	assert_string_equal(buf, "\xE2\x96\x81\xE2\x96\x82\xE2\x96\x83\xE2\x96\x84\xE2\x96\x85\xE2\x96\x86\xE2\x96\x87"
				 "\xE2\x96\x88");
	tui_sparkline(v, 8, 1, buf, sizeof buf);
	assert_string_equal(buf, " .:-=+*#");
	long long flat[3] = {4, 4, 4}, zero[3] = {0, 0, 0};
	tui_sparkline(flat, 3, 1, buf, sizeof buf);
	assert_string_equal(buf, "---");
	tui_sparkline(zero, 3, 1, buf, sizeof buf);
	assert_string_equal(buf, "   ");
}

static void test_layout(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	tui_resize(s, 80, 24);
	assert_false(s->lay.too_small);
	assert_int_equal(s->lay.nwin, REP_WINDOWS);
	assert_int_equal(s->lay.areas_w, 0);
	assert_int_equal(s->lay.tabs_y, 1);
	assert_int_equal(s->lay.status_y, 22);
	assert_int_equal(s->lay.msg_y, 23);
	assert_int_equal(s->lay.prompt_y, -1);
	tui_resize(s, 200, 60);
	assert_true(s->lay.areas_w > 0);
	assert_true(s->lay.spark_w > 0);
	assert_true(s->lay.long_heads);
	assert_true(s->lay.show_diff);
	/* the wide layout has a line of each window's months */
	assert_int_equal(s->lay.head_lines, 3);
	char t[96];
	tui_window_text(s, 1, t, sizeof t);
	assert_true(tui_win_w(&s->lay) >= tui_width(t));
	tui_resize(s, 59, 24);
	assert_true(s->lay.too_small);
	tui_resize(s, 80, 14);
	assert_true(s->lay.too_small);
}

static void test_window_text(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	char t[96];
	tui_window_text(s, 0, t, sizeof t);
	assert_string_equal(t, "Sep 2024 vs 2023");
	tui_window_text(s, 1, t, sizeof t);
	assert_string_equal(t, "Apr\xE2\x80\x93Sep 2024 vs 2023");
	tui_window_text(s, 2, t, sizeof t);
	assert_string_equal(t, "Oct 2023\xE2\x80\x93Sep 2024 vs 2022\xE2\x80\x93" "23");
	tui_handle_key(s, 'c');
	tui_window_text(s, 1, t, sizeof t);
	assert_string_equal(t, "Apr\xE2\x80\x93Sep 2024 vs Oct 2023\xE2\x80\x93Mar 2024");
	s->ascii = 1;
	tui_window_text(s, 0, t, sizeof t);
	assert_string_equal(t, "Sep 2024 vs Aug 2024");
	tui_window_text(s, 1, t, sizeof t);
	assert_string_equal(t, "Apr-Sep 2024 vs Oct 2023-Mar 2024");
	/* the info line: the months of each window shown */
	char info[512];
	tui_handle_key(s, 'c');
	tui_info_text(s, info, sizeof info);
	assert_non_null(strstr(info, "Sep 2024 vs 2023 | Apr-Sep 2024 vs 2023 | Oct 2023-Sep 2024 vs 2022-23"));
}

/* 80 columns: the Crime column keeps whole labels, the Diff columns give
 * way; 60: a window gives way too, and h/l (Left/Right) scroll to it. */
static void test_narrow(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	tui_resize(s, 100, 24);
	assert_int_equal(s->lay.nwin, 3);
	assert_true(s->lay.show_diff);
	tui_resize(s, 80, 24);
	assert_int_equal(s->lay.nwin, 3);
	assert_false(s->lay.show_diff);
	assert_true(s->lay.label_w >= (int)strlen("Stalking and Harassment") + 2 * 2 + 2);
	tui_handle_key(s, 'l');
	assert_non_null(strstr(s->message, "every window is shown"));
	tui_resize(s, 60, 24);
	assert_int_equal(s->lay.nwin, 2);
	assert_int_equal(s->lay.win_first, 0);
	assert_true(s->lay.label_w >= 24);
	char info[512];
	tui_info_text(s, info, sizeof info);
	assert_non_null(strstr(info, "Apr\xE2\x80\x93Sep 2024 vs 2023"));
	assert_null(strstr(info, "Oct 2023"));
	tui_handle_key(s, 'l');
	assert_int_equal(s->lay.win_first, 1);
	tui_info_text(s, info, sizeof info);
	assert_non_null(strstr(info, "Oct 2023\xE2\x80\x93Sep 2024"));
	tui_handle_key(s, TUI_KEY_RIGHT);
	assert_int_equal(s->lay.win_first, 1);
	assert_non_null(strstr(s->message, "Last 12 Months is the last window"));
	tui_handle_key(s, TUI_KEY_LEFT);
	assert_int_equal(s->lay.win_first, 0);
	tui_handle_key(s, 'h');
	assert_non_null(strstr(s->message, "Selected Month is the first window"));
	/* the scroll is kept across a resize and an area change */
	tui_handle_key(s, 'l');
	tui_handle_key(s, '>');
	tui_resize(s, 60, 25);
	assert_int_equal(s->lay.win_first, 1);
	/* the title keeps the month; the area's name is cut first */
	char title[256];
	tui_handle_key(s, '>');
	tui_title_text(s, 30, title, sizeof title);
	assert_true(tui_width(title) <= 30);
	assert_non_null(strstr(title, "Sep 2024 vs Sep 2023"));
	assert_true(strncmp(title, "Stock", 5) == 0);
	tui_title_text(s, 50, title, sizeof title);
	assert_non_null(strstr(title, "September 2024 vs September 2023"));
}

/* The question before an overwrite, and every message, is read whole at
 * 80x24: wrapped onto lines of its own above the prompt's line. */
static void test_prompt_lines(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	char dir[] = "/tmp/crimetab-tui-prompt-with-a-long-name-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/crimetab-stockton-town-centre-2024-09.csv", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	tui_handle_key(s, 'e');
	assert_int_equal(s->lay.prompt_y, 23);
	assert_int_equal(s->lay.status_y, 22); /* no message yet: the table keeps its rows */
	sb_reset(&s->input);
	keys(s, path);
	int before = fx->f.exports;
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(fx->f.exports, before);
	assert_int_equal(s->mode, TUI_MODE_EXPORT);
	size_t n;
	char **lines = tui_message_lines(s, &n);
	assert_true(n >= 2);
	assert_int_equal(s->lay.msg_lines, (int)n);
	assert_int_equal(s->lay.msg_y + s->lay.msg_lines, s->lay.prompt_y);
	assert_int_equal(s->lay.status_y, s->lay.msg_y - 1);
	assert_int_equal(s->lay.body_h, s->lay.status_y - s->lay.body_y);
	/* every character of the message is on a line (the breaks take spaces) */
	strbuf all = {0}, msg = {0};
	for (size_t i = 0; i < n; i++) {
		assert_true(tui_width(lines[i]) <= 78);
		for (const char *c = lines[i]; *c; c++)
			if (*c != ' ')
				sb_putc(&all, *c);
		free(lines[i]);
	}
	free(lines);
	for (const char *c = s->message; *c; c++)
		if (*c != ' ')
			sb_putc(&msg, *c);
	assert_string_equal(all.buf, msg.buf);
	assert_non_null(strstr(s->message, path));
	assert_non_null(strstr(s->message, "press Enter again to overwrite it"));
	sb_release(&all);
	sb_release(&msg);
	/* the cursor row stays on the smaller table */
	assert_true(s->cursor >= s->top && s->cursor < s->top + (size_t)s->lay.body_h);
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(fx->f.exports, before + 1);
	assert_int_equal(s->mode, TUI_MODE_TABLE);
	assert_int_equal(s->lay.prompt_y, -1);
	/* a typed key clears the message; the rows come back */
	tui_handle_key(s, 'j');
	assert_int_equal(s->lay.msg_lines, 1);
	assert_int_equal(s->lay.status_y, 22);
	unlink(path);
	rmdir(dir);
	free(path);
}

static void test_sort(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	rep_area *a = &s->rep->areas[0];
	/* Shoplifting above Violence by the month's count; Unknown far above
	 * everything, but it keeps its place */
	a->rows[4].fig[0].cur = 50;
	a->rows[7].fig[0].cur = 999;
	tui_handle(s, REQ_DOWN);
	assert_string_equal(cursor_label(s), "Violence");
	tui_handle_key(s, 's');
	assert_int_equal(s->sort, 0);
	assert_non_null(strstr(s->message, "Selected Month Current"));
	static const char *const want[] = {"Victim Based Crime", "Shoplifting", "Violence", "Violence With Injury",
					   "Stalking and Harassment", "Non victim based", "Drug Offences", "Unknown",
					   "Total"};
	assert_int_equal(s->nvis, 9);
	for (size_t i = 0; i < 9; i++)
		assert_string_equal(a->rows[s->vis[i]].label, want[i]);
	/* the cursor stays on its row */
	assert_string_equal(cursor_label(s), "Violence");
	char status[512];
	tui_status_text(s, 200, status, sizeof status);
	assert_non_null(strstr(status, "sorted by Selected Month Current"));
	/* a collapsed group keeps its children out of view */
	tui_handle_key(s, 'C');
	assert_int_equal(s->nvis, 4);
	tui_handle_key(s, 'E');
	/* S goes back; s past the last column is the paper's order */
	tui_handle_key(s, 'S');
	assert_int_equal(s->sort, -1);
	assert_string_equal(a->rows[s->vis[1]].label, "Violence");
	tui_handle_key(s, 'S');
	assert_int_equal(s->sort, 8);
	tui_handle_key(s, 's');
	assert_int_equal(s->sort, -1);
	/* a sort by a hidden window scrolls to it */
	tui_resize(s, 60, 24);
	for (int i = 0; i < 7; i++)
		tui_handle_key(s, 's');
	assert_int_equal(s->sort, 6);
	assert_int_equal(s->lay.win_first, 1);
}

static void test_unknown_detail(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	keys(s, "/unknown");
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_string_equal(cursor_label(s), "Unknown");
	tui_handle_key(s, 'd');
	assert_int_equal(s->mode, TUI_MODE_DETAIL);
	int mystery = 0, unlisted = 0;
	for (size_t i = 0; i < s->npopup; i++) {
		mystery |= strstr(s->popup[i], "Mystery offence") && strstr(s->popup[i], " 12");
		unlisted |= strstr(s->popup[i], "Unlisted thing") != NULL;
	}
	assert_true(mystery && unlisted);
}

static void test_approx_note(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	char info[512];
	keys(s, "/shop");
	tui_handle_key(s, TUI_KEY_ENTER);
	tui_info_text(s, info, sizeof info);
	assert_non_null(strstr(info, "\xE2\x80\xA0 Shoplifting: police.uk shoplifting covers two categories"));
	tui_handle(s, REQ_UP);
	tui_info_text(s, info, sizeof info);
	assert_null(strstr(info, "\xE2\x80\xA0"));
}

static void test_mouse(void **state)
{
	fixture *fx = *state;
	tui_state *s = &fx->s;
	const tui_layout *l = &s->lay;
	/* a click on a row selects it */
	tui_handle_mouse(s, TUI_MOUSE_CLICK, l->body_y + 2, tui_window_x(l, 0) + 1);
	assert_string_equal(cursor_label(s), "Violence With Injury");
	assert_int_equal(s->nvis, 9);
	/* a click on a group's name folds it */
	tui_handle_mouse(s, TUI_MOUSE_CLICK, l->body_y + 1, 5);
	assert_string_equal(cursor_label(s), "Violence");
	assert_int_equal(s->nvis, 7);
	tui_handle_mouse(s, TUI_MOUSE_CLICK, l->body_y + 1, 5);
	assert_int_equal(s->nvis, 9);
	/* below the last row: nothing */
	tui_handle_mouse(s, TUI_MOUSE_CLICK, l->body_y + 12, 5);
	assert_string_equal(cursor_label(s), "Violence");
	/* the wheel scrolls, taking the cursor along */
	tui_resize(s, 80, 9);
	tui_handle(s, REQ_FIRST);
	tui_handle_mouse(s, TUI_MOUSE_WHEEL_DOWN, l->body_y, 5);
	assert_int_equal(s->top, 3);
	assert_int_equal(s->cursor, 3);
	tui_handle_mouse(s, TUI_MOUSE_WHEEL_DOWN, l->body_y, 5);
	assert_int_equal(s->top, 6);
	tui_handle_mouse(s, TUI_MOUSE_WHEEL_UP, l->body_y, 5);
	assert_int_equal(s->top, 3);
	tui_resize(s, 80, 24);
	/* a click on a tab selects the area */
	tui_handle_mouse(s, TUI_MOUSE_CLICK, l->tabs_y, 1 + (int)strlen(" All data ") + 1 + 2);
	assert_string_equal(tui_area(s)->name, "Norton Central");
	/* a click on a heading sorts by it; on Crime, the paper's order */
	tui_handle_mouse(s, TUI_MOUSE_CLICK, l->head_y + 1, tui_window_x(l, 1) + tui_col_off(l, 2));
	assert_int_equal(s->sort, 1 * 3 + 2);
	tui_handle_mouse(s, TUI_MOUSE_CLICK, l->head_y + 1, 3);
	assert_int_equal(s->sort, -1);
	/* the wide layout: the area list */
	tui_resize(s, 200, 40);
	tui_handle_mouse(s, TUI_MOUSE_CLICK, l->body_y + 2, 3);
	assert_string_equal(tui_area(s)->name, "Stockton Town Centre");
	/* a popup: the wheel scrolls it, a click does nothing */
	tui_resize(s, 80, 15);
	tui_handle_key(s, '?');
	tui_handle_mouse(s, TUI_MOUSE_WHEEL_DOWN, 5, 5);
	assert_int_equal(s->popup_top, 3);
	tui_handle_mouse(s, TUI_MOUSE_CLICK, 5, 5);
	assert_int_equal(s->mode, TUI_MODE_HELP);
}

/* ---- completeness: the fixture with Norton Central on missing months ---- */

static rep_report *gaps_build(void *ctx, int month, int compare, const char *taxonomy, tui_range *range, char *err,
			      size_t errlen)
{
	rep_report *r = fixture_report();
	fx_mark_incomplete(r);
	*range = (tui_range){r->month - 23, r->month, r->month};
	return r;
}

static void test_incomplete_windows(void **state)
{
	(void)state;
	tui_state s;
	tui_ops ops = {gaps_build, fake_export, NULL, NULL, NULL};
	char err[256], buf[1024], c[64], d[64], p[64];
	assert_int_equal(tui_init(&s, &ops, -1, REP_COMPARE_YOY, taxonomies, 2, 0, err, sizeof err), 0);
	tui_resize(&s, 80, 24);
	/* the first area is complete: nothing said, nothing marked */
	tui_status_text(&s, 200, buf, sizeof buf);
	assert_null(strstr(buf, "incomplete"));
	assert_int_equal(tui_gap_text(&s, buf, sizeof buf), 0);
	assert_string_equal(buf, "");

	tui_handle(&s, REQ_AREA_NEXT);
	assert_string_equal(tui_area(&s)->name, FX_AREA1);
	tui_status_text(&s, 200, buf, sizeof buf);
	assert_non_null(strstr(buf, "2 of 3 windows incomplete"));
	tui_status_text(&s, 60, buf, sizeof buf);
	assert_non_null(strstr(buf, "2 of 3 windows incomplete"));
	/* and the info line is the footnote */
	assert_int_equal(tui_info_text(&s, buf, sizeof buf), 1);
	assert_non_null(strstr(buf, "Cleveland Police: no force export for 2023-08"));
	/* the footnote, for the message line under any row of the area */
	assert_int_equal(tui_gap_text(&s, buf, sizeof buf), 1);
	assert_non_null(strstr(buf, REP_MARK " Cleveland Police: no force export for 2023-08; "
				    "Durham Constabulary: no force export for 2024-05"));
	const rep_row *total = &tui_area(&s)->rows[tui_area(&s)->nrows - 1];
	tui_fmt_fig(&s, &total->fig[1], c, d, p, sizeof c);
	assert_string_equal(c, "25" REP_MARK);
	assert_string_equal(d, "n/a" REP_MARK);
	assert_string_equal(p, "n/a");
	tui_fmt_fig(&s, &total->fig[0], c, d, p, sizeof c);
	assert_string_equal(c, "8");
	assert_string_equal(p, "60.0%");
	/* without UTF-8 the mark is '#' */
	s.ascii = 1;
	tui_fmt_fig(&s, &total->fig[2], c, d, p, sizeof c);
	assert_string_equal(c, "55#");
	assert_string_equal(d, "n/a#");
	assert_int_equal(tui_gap_text(&s, buf, sizeof buf), 1);
	assert_null(strstr(buf, REP_MARK));
	assert_true(buf[0] == '#');
	tui_release(&s);
}

static rep_report *tested_build(void *ctx, int month, int compare, const char *taxonomy, tui_range *range, char *err,
				size_t errlen)
{
	rep_report *r = gaps_build(ctx, month, compare, taxonomy, range, err, errlen);
	stats_significance(r, REP_SIG_ETEST, 0.05, NULL, 0);
	return r;
}

/* The cursor row's z and p: a line of their own under the months at 80x24,
 * beside the months on one line when the headings show the months, in
 * place of the months when a short screen has one info line; the footnote
 * of missing months keeps the first line. */
static void test_significance_lines(void **state)
{
	(void)state;
	tui_state s;
	tui_ops ops = {tested_build, fake_export, NULL, NULL, NULL};
	char err[256], buf[1024], c[64], d[64], p[64];
	assert_int_equal(tui_init(&s, &ops, -1, REP_COMPARE_YOY, taxonomies, 2, 0, err, sizeof err), 0);
	tui_resize(&s, 80, 24);
	assert_int_equal(s.lay.info_lines, 2);
	assert_int_equal(s.lay.msg_lines, 2);
	keys(&s, "/shop");
	tui_handle_key(&s, TUI_KEY_ENTER);
	assert_string_equal(cursor_label(&s), "Shoplifting");
	/* 6 against 0 in the month: p 0.0096, flagged; the E-test flags, so its
	 * p comes first and is named, the z-score in brackets */
	assert_int_equal(tui_sig_text(&s, buf, sizeof buf), 1);
	assert_non_null(strstr(buf, "  E-test p = 0.0096 (z 4.90)\xE2\x96\xB2 \xE2\x94\x82 p = 0.72 (z 0.52) \xE2\x94\x82 p = "));
	assert_true(strncmp(buf, "Shoplif", 7) == 0); /* the label cut to what the figures leave */
	assert_true(tui_width(buf) <= 78);
	assert_int_equal(tui_info_text(&s, buf, sizeof buf), 0);
	assert_non_null(strstr(buf, "Sep 2024 vs 2023 \xE2\x94\x82 Apr\xE2\x80\x93Sep 2024 vs 2023"));
	assert_null(strstr(buf, "z 4.90"));
	tui_fmt_fig(&s, &tui_cursor_row(&s)->fig[0], c, d, p, sizeof c);
	assert_string_equal(p, "Infinity\xE2\x96\xB2");
	/* wide: the headings show the months, one line holds both */
	tui_resize(&s, 220, 40);
	assert_int_equal(s.lay.head_lines, 3);
	assert_int_equal(s.lay.info_lines, 1);
	tui_info_text(&s, buf, sizeof buf);
	assert_non_null(strstr(buf, "Sep 2024 vs 2023: E-test p = 0.0096 (z 4.90)\xE2\x96\xB2 \xE2\x94\x82 "));
	/* short: one line, the z and p win over the months */
	tui_resize(&s, 80, 15);
	assert_int_equal(s.lay.info_lines, 1);
	tui_info_text(&s, buf, sizeof buf);
	assert_non_null(strstr(buf, "E-test p = 0.0096 (z 4.90)"));
	assert_true(tui_width(buf) <= 78);
	/* without UTF-8 */
	s.ascii = 1;
	tui_resize(&s, 80, 24);
	tui_sig_text(&s, buf, sizeof buf);
	assert_non_null(strstr(buf, "E-test p = 0.0096 (z 4.90)^ | p = "));
	s.ascii = 0;
	/* --significance z: the z-score flags, so it comes first */
	stats_significance(s.rep, REP_SIG_Z, 0.05, NULL, 0);
	tui_sig_text(&s, buf, sizeof buf);
	assert_non_null(strstr(buf, "z 4.90 (E-test p = 0.0096)\xE2\x96\xB2 \xE2\x94\x82 z "));
	stats_significance(s.rep, REP_SIG_ETEST, 0.05, NULL, 0);
	/* an area on missing months: the footnote first, its untested windows n/a */
	tui_handle(&s, REQ_AREA_NEXT);
	assert_int_equal(tui_info_text(&s, buf, sizeof buf), 1);
	assert_non_null(strstr(buf, "Cleveland Police: no force export for 2023-08"));
	assert_int_equal(tui_sig_text(&s, buf, sizeof buf), 1);
	assert_non_null(strstr(buf, "n/a"));
	tui_release(&s);
}

/* ---- the offender table ---- */

static long popup_find(const tui_state *s, const char *text);
static void popup_fits(const tui_state *s);

/* The fixture with its offender table (in Norton Central), its changes
 * tested and disclosure control at 3, as crimetab report builds it; with
 * *CTX set, as a database whose face-match runs were purged. */
static rep_report *off_build(void *ctx, int month, int compare, const char *taxonomy, tui_range *range, char *err,
			     size_t errlen)
{
	(void)month, (void)compare, (void)taxonomy, (void)err, (void)errlen;
	rep_report *r = fixture_report();
	*range = (tui_range){r->month - 23, r->month, r->month};
	if (ctx && *(int *)ctx) {
		rep_area *n = &r->areas[1];
		for (size_t i = 0; i < n->noffenders; i++)
			free(n->offenders[i].label);
		n->noffenders = 0;
		n->has_offenders = 0;
		return r;
	}
	r->suppress_below = 3;
	stats_significance(r, REP_SIG_ETEST, 0.05, NULL, 0);
	stats_suppress(r);
	return r;
}

static const char *cursor_offender(const tui_state *s)
{
	const rep_off_row *o = tui_cursor_offender(s);
	return o ? o->label : "";
}

/* o shows the selected area's offender rows in the table's columns, with
 * the reports' disclosure marks; the crime table is kept to go back to. */
static void test_offender_table(void **state)
{
	(void)state;
	tui_state s;
	int purged = 0;
	tui_ops ops = {off_build, fake_export, &purged, NULL, NULL};
	char err[256], buf[1024], c[64], d[64], p[64];
	assert_int_equal(tui_init(&s, &ops, -1, REP_COMPARE_YOY, taxonomies, 2, 0, err, sizeof err), 0);
	tui_resize(&s, 80, 24);
	/* the first area has no offender figures: o says so and changes nothing */
	tui_handle_key(&s, 'o');
	assert_false(tui_offender_view(&s));
	assert_true(s.message_error);
	assert_non_null(strstr(s.message, "no offender figures: no face-match run is stored"));
	tui_handle(&s, REQ_AREA_NEXT);
	assert_string_equal(tui_area(&s)->name, FX_AREA1);
	tui_handle(&s, REQ_DOWN);
	char crime[64];
	snprintf(crime, sizeof crime, "%s", cursor_label(&s));
	tui_handle_key(&s, 'o');
	assert_true(tui_offender_view(&s));
	assert_false(s.message_error);
	assert_string_equal(cursor_offender(&s), "Sightings");
	tui_status_text(&s, 200, buf, sizeof buf);
	assert_non_null(strstr(buf, "row 1/8"));
	/* whole labels: "Distinct offenders (confirmed)" after its two columns of margin */
	assert_true(s.lay.label_w >= 2 + tui_width("Distinct offenders (confirmed)"));
	const rep_off_row *dc = &tui_area(&s)->offenders[3];
	tui_off_label(&s, dc, s.lay.label_w, buf, sizeof buf);
	assert_string_equal(buf, "  Distinct offenders (confirmed)");
	/* narrow: the measure is cut, never "(confirmed)" */
	tui_resize(&s, 60, 24);
	assert_true(s.lay.label_w < 2 + tui_width("Distinct offenders (confirmed)"));
	tui_off_label(&s, dc, s.lay.label_w, buf, sizeof buf);
	assert_int_equal(tui_width(buf), s.lay.label_w);
	assert_non_null(strstr(buf, "  Distinct o"));
	assert_non_null(strstr(buf, "\xE2\x80\xA6 (confirmed)"));
	tui_resize(&s, 80, 24);
	/* the cursor keys move over the offender rows, not the crimes */
	tui_handle_key(&s, 'j');
	tui_handle_key(&s, 'j');
	tui_handle_key(&s, 'j');
	assert_string_equal(cursor_offender(&s), "Distinct offenders (confirmed)");
	tui_handle_key(&s, 'G');
	assert_string_equal(cursor_offender(&s), "Watchlist matches (confirmed)");
	tui_status_text(&s, 200, buf, sizeof buf);
	assert_non_null(strstr(buf, "row 8/8"));
	tui_handle_key(&s, 'j');
	assert_string_equal(cursor_offender(&s), "Watchlist matches (confirmed)");
	tui_handle_key(&s, 'g');
	assert_string_equal(cursor_offender(&s), "Sightings");

	/* every cell as the reports print it: rep_off_mark's mark where the
	 * disclosure control withholds it, else the figure */
	const rep_area *a = tui_area(&s);
	int small = 0, comp = 0;
	for (size_t i = 0; i < a->noffenders; i++)
		for (int w = 0; w < REP_WINDOWS; w++) {
			const rep_off_row *o = &a->offenders[i];
			char mc[32], md[32], mp[32], fc[64], fd[64], fp[64];
			int hidden = tui_fmt_off(&s, o, w, c, d, p, sizeof c);
			tui_fmt_fig(&s, &o->fig[w], fc, fd, fp, sizeof fc);
			const char *xc = rep_off_mark(s.rep, o, w, REP_PART_CUR, mc, sizeof mc);
			const char *xd = rep_off_mark(s.rep, o, w, REP_PART_DIFF, md, sizeof md);
			const char *xp = rep_off_mark(s.rep, o, w, REP_PART_PCT, mp, sizeof mp);
			assert_string_equal(c, xc ? xc : fc);
			assert_string_equal(d, xd ? xd : fd);
			assert_string_equal(p, xp ? xp : fp);
			assert_int_equal(hidden, xd != NULL);
			small += xc && strcmp(xc, "<3") == 0;
			comp += xd && strcmp(xd, "[c]") == 0;
		}
	assert_true(small > 0 && comp > 0);
	/* Distinct offenders (confirmed), the month: 2 against 2, withheld */
	tui_fmt_off(&s, &a->offenders[3], 0, c, d, p, sizeof c);
	assert_string_equal(c, "<3");
	assert_string_equal(d, "[c]");
	assert_string_equal(p, "[c]");
	/* Sightings, 12 months: 130 against 0, shown with its flag */
	assert_int_equal(tui_fmt_off(&s, &a->offenders[0], 2, c, d, p, sizeof c), 0);
	assert_string_equal(c, "130");
	assert_string_equal(p, "Infinity\xE2\x96\xB2");
	/* a withheld change carries no mark, whatever its figure says */
	rep_off_row *rw = &s.rep->areas[1].offenders[4]; /* Repeat offenders: 2 in the month */
	rw->fig[0].flag = REP_FLAG_RISE;
	assert_int_equal(tui_fmt_off(&s, rw, 0, c, d, p, sizeof c), 1);
	assert_string_equal(p, "[c]");
	/* the info line: the cursor row's z and p, n/a where withheld */
	assert_int_equal(tui_sig_text(&s, buf, sizeof buf), 1);
	assert_non_null(strstr(buf, "E-test p = "));
	tui_handle(&s, REQ_DOWN);
	tui_handle(&s, REQ_DOWN);
	tui_handle(&s, REQ_DOWN);
	assert_int_equal(tui_sig_text(&s, buf, sizeof buf), 1);
	assert_non_null(strstr(buf, "(confirmed)  n/a \xE2\x94\x82 "));
	/* the notes under the table: what the marks mean, the legend */
	size_t n;
	char **notes = tui_offender_notes(&s, &n);
	strbuf all = {0};
	for (size_t i = 0; i < n; i++) {
		assert_true(tui_width(notes[i]) <= s.lay.table_w - 2);
		sb_printf(&all, "%s ", notes[i]);
		free(notes[i]);
	}
	free(notes);
	assert_non_null(strstr(all.buf, "Counts from 1 to 2 show as <3, and [c] hides a figure"));
	assert_non_null(strstr(all.buf, "E-test"));
	assert_non_null(strstr(all.buf, "i lists the face-match run"));
	sb_release(&all);

	/* the crime table's requests: said, not done */
	tui_handle_key(&s, 's');
	assert_int_equal(s.sort, -1);
	assert_non_null(strstr(s.message, "keeps its order"));
	tui_handle_key(&s, 'C');
	assert_int_equal(s.ncollapsed, 0);
	/* the offender table stays across areas and months */
	tui_handle(&s, REQ_AREA_PREV);
	tui_handle(&s, REQ_AREA_NEXT);
	assert_true(tui_offender_view(&s));
	assert_string_equal(cursor_offender(&s), "Distinct offenders (confirmed)");
	tui_handle_key(&s, 'r');
	assert_true(tui_offender_view(&s));
	assert_string_equal(cursor_offender(&s), "Distinct offenders (confirmed)");
	/* o again: the crimes, the cursor where it was */
	tui_handle_key(&s, 'o');
	assert_false(tui_offender_view(&s));
	assert_string_equal(cursor_label(&s), crime);
	tui_handle_key(&s, 'o');

	/* search finds an offender row, then an area */
	keys(&s, "/repeat");
	tui_handle_key(&s, TUI_KEY_ENTER);
	assert_string_equal(cursor_offender(&s), "Repeat offenders");
	/* Esc while searching goes back to where it started */
	keys(&s, "/watch");
	assert_string_equal(cursor_offender(&s), "Watchlist matches");
	tui_handle_key(&s, TUI_KEY_ESC);
	assert_string_equal(cursor_offender(&s), "Repeat offenders");

	/* a click on a row selects it */
	tui_handle_mouse(&s, TUI_MOUSE_CLICK, s.lay.body_y + 1, 4);
	assert_string_equal(cursor_offender(&s), "Sightings (confirmed)");
	tui_handle_mouse(&s, TUI_MOUSE_WHEEL_DOWN, s.lay.body_y, 4);
	assert_string_equal(cursor_offender(&s), "Repeat offenders");
	/* a click on a heading does not sort */
	tui_handle_mouse(&s, TUI_MOUSE_CLICK, s.lay.head_y + 1, tui_window_x(&s.lay, 1));
	assert_int_equal(s.sort, -1);

	/* Enter: the row's windows as the table shows them, and the runs */
	tui_handle(&s, REQ_FIRST);
	tui_handle(&s, REQ_DOWN);
	tui_handle(&s, REQ_DOWN);
	tui_handle(&s, REQ_DOWN);
	tui_handle_key(&s, TUI_KEY_ENTER);
	assert_int_equal(s.mode, TUI_MODE_DETAIL);
	assert_string_equal(s.popup_title, "Distinct offenders (confirmed)");
	assert_true(popup_find(&s, "Selected Month") >= 0);
	long at = popup_find(&s, "Selected Month");
	assert_non_null(strstr(s.popup[at], "<3"));
	assert_non_null(strstr(s.popup[at], "[c]"));
	assert_true(popup_find(&s, "Face-match runs (1)") >= 0);
	assert_true(popup_find(&s, FX_PLUGIN " 1.1.0 (run 3") >= 0);
	assert_true(popup_find(&s, "412 sightings") >= 0);
	popup_fits(&s);
	tui_handle_key(&s, TUI_KEY_ESC);
	/* the sources list the runs too */
	tui_handle_key(&s, 'i');
	at = popup_find(&s, "Face-match runs (1)");
	assert_true(at >= 0);
	for (size_t i = (size_t)at; i < s.npopup; i++)
		assert_true(tui_width(s.popup[i]) <= s.lay.width - 4);
	assert_true(popup_find(&s, "cosine >= 0.6") > at);
	tui_handle_key(&s, TUI_KEY_ESC);

	/* the runs purged, a reload: back to the crimes, and why */
	purged = 1;
	tui_handle_key(&s, 'r');
	assert_false(tui_offender_view(&s));
	assert_int_equal(s.offenders, 0);
	tui_release(&s);
}

/* ---- the Evaluate screen ---- */

typedef struct fake_eval {
	int calls, fail;
	char treated[64], control[128], category[128];
	int start, pre, post, buffer_m;
} fake_eval;

/* The fake report with a fourth area, so that controls can be chosen. */
static rep_report *eval_build(void *ctx, int month, int compare, const char *taxonomy, tui_range *range, char *err,
			      size_t errlen)
{
	rep_report *r = fake_build(ctx, month, compare, taxonomy, range, err, errlen);
	if (!r)
		return NULL;
	r->areas = xrealloc(r->areas, 4 * sizeof *r->areas);
	memset(&r->areas[3], 0, sizeof r->areas[3]);
	fill_area(&r->areas[r->nareas++], "Yarm");
	stats_significance(r, REP_SIG_ETEST, 0.05, NULL, 0);
	return r;
}

/* Records the form and returns the published example's figures: treated
 * 100 -> 80, control 100 -> 90. */
static rep_eval *fake_evaluate(void *ctx, const rep_report *r, const char *taxonomy, const tui_eval_form *f, char *err,
			       size_t errlen)
{
	fake_eval *fe = (fake_eval *)((fake *)ctx + 1);
	(void)r;
	(void)taxonomy;
	fe->calls++;
	snprintf(fe->treated, sizeof fe->treated, "%s", f->treated);
	fe->control[0] = '\0';
	for (size_t i = 0; i < f->ncontrol; i++)
		snprintf(fe->control + strlen(fe->control), sizeof fe->control - strlen(fe->control), "%s%s", i ? "+" : "",
			 f->control[i]);
	snprintf(fe->category, sizeof fe->category, "%s", f->category);
	fe->start = f->start;
	fe->pre = f->pre;
	fe->post = f->post;
	fe->buffer_m = f->buffer_m;
	if (fe->fail) {
		snprintf(err, errlen, "--category: no row \"Nothing\" in taxonomy Mini");
		return NULL;
	}
	rep_eval *e = xcalloc(1, sizeof *e);
	e->category = xstrdup("Shoplifting");
	e->category_path = xstrdup(f->category);
	e->taxonomy = xstrdup("Home Office");
	e->dataset = xstrdup("force");
	e->alpha = 0.05;
	e->start = f->start;
	e->pre_from = f->start - 6;
	e->pre_to = f->start - 1;
	e->post_from = f->start;
	e->post_to = f->start + 5;
	rep_ev_test *t = &e->crimes;
	const long long counts[2][2] = {{100, 80}, {100, 90}};
	for (int g = 0; g < 2; g++) {
		t->group[g].present = 1;
		t->group[g].name = xstrdup(g == 0 ? f->treated : f->control[0]);
		t->group[g].pre = counts[g][0];
		t->group[g].post = counts[g][1];
		t->group[g].pre_scaled = (double)counts[g][0];
		t->group[g].change = (double)(counts[g][1] - counts[g][0]);
	}
	sig_wdd_counts c = {.t0 = 100, .t1 = 80, .c0 = 100, .c1 = 90, .pre = 6, .post = 6};
	sig_wdd w = sig_wdd_test(&c, 0.95);
	stats_ev_set_wdd(t, &w, e->alpha);
	rep_eval_note(e, "A note the reader must see.");
	return e;
}

typedef struct eval_fixture {
	fake f;
	fake_eval fe; /* right after f: fake_evaluate finds it there */
	tui_state s;
} eval_fixture;

static int setup_eval(void **state)
{
	eval_fixture *fx = xcalloc(1, sizeof *fx);
	tui_ops ops = {eval_build, fake_export, &fx->f, fake_evaluate, "All data"};
	char err[256];
	if (tui_init(&fx->s, &ops, -1, REP_COMPARE_YOY, taxonomies, 2, 0, err, sizeof err) != 0)
		return -1;
	tui_resize(&fx->s, 80, 24);
	*state = fx;
	return 0;
}

static int teardown_eval(void **state)
{
	eval_fixture *fx = *state;
	tui_release(&fx->s);
	free(fx);
	return 0;
}

/* The popup line holding TEXT, or -1. */
static long popup_find(const tui_state *s, const char *text)
{
	for (size_t i = 0; i < s->npopup; i++)
		if (strstr(s->popup[i], text))
			return (long)i;
	return -1;
}

static void popup_fits(const tui_state *s)
{
	for (size_t i = 0; i < s->npopup; i++)
		if (tui_width(s->popup[i]) > s->lay.width - 4)
			fail_msg("popup line %zu is %d columns: \"%s\"", i, tui_width(s->popup[i]), s->popup[i]);
}

static int form_field_now(const tui_state *s)
{
	return tui_form_field(s, s->form_item, NULL);
}

/* w opens the form on the selected area, the cursor row and the selected
 * month; controls are ticked from the list; Enter runs the driver's test. */
static void test_evaluate_form(void **state)
{
	eval_fixture *fx = *state;
	tui_state *s = &fx->s;
	tui_handle(s, REQ_AREA_NEXT);
	tui_handle(s, REQ_AREA_NEXT);
	keys(s, "/shop");
	tui_handle_key(s, TUI_KEY_ENTER);
	tui_handle_key(s, 'w');
	assert_int_equal(s->mode, TUI_MODE_EVAL_FORM);
	assert_string_equal(s->form.treated, "Stockton Town Centre");
	assert_string_equal(s->form.category, "Victim Based Crime > Shoplifting");
	assert_int_equal(s->form.start, LATEST);
	/* the cursor starts on the first control: every area but all data and the treated one */
	size_t a;
	assert_int_equal(tui_form_field(s, 0, NULL), TUI_EV_TREATED);
	assert_int_equal(tui_form_field(s, 1, &a), TUI_EV_CONTROL);
	assert_string_equal(s->rep->areas[a].name, "Norton Central");
	assert_int_equal(tui_form_field(s, 2, &a), TUI_EV_CONTROL);
	assert_string_equal(s->rep->areas[a].name, "Yarm");
	assert_int_equal(tui_form_field(s, 3, NULL), TUI_EV_START);
	assert_int_equal(tui_form_field(s, 7, NULL), TUI_EV_BUFFER);
	assert_int_equal(tui_form_field(s, 8, NULL), -1);
	assert_int_equal(s->form_item, 1);
	assert_true(popup_find(s, "[ ] Norton Central") >= 0);
	assert_true(popup_find(s, "Stockton Town Centre") >= 0);
	assert_int_equal(tui_form_cursor_line(s), popup_find(s, "Norton Central"));
	popup_fits(s);
	/* no control yet: said, and nothing run */
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_non_null(strstr(s->message, "tick a control area"));
	assert_int_equal(fx->fe.calls, 0);
	assert_int_equal(s->mode, TUI_MODE_EVAL_FORM);
	/* Space ticks and unticks */
	tui_handle_key(s, ' ');
	tui_handle_key(s, TUI_KEY_DOWN);
	tui_handle_key(s, ' ');
	assert_int_equal(s->form.ncontrol, 2);
	assert_true(popup_find(s, "[x] Yarm") >= 0);
	tui_handle_key(s, ' ');
	assert_int_equal(s->form.ncontrol, 1);
	assert_string_equal(s->form.control[0], "Norton Central");
	/* the start month: Left/Right step within the data, digits type it */
	tui_handle_key(s, TUI_KEY_DOWN);
	assert_int_equal(form_field_now(s), TUI_EV_START);
	tui_handle_key(s, TUI_KEY_RIGHT);
	tui_handle_key(s, TUI_KEY_RIGHT);
	assert_int_equal(s->form.start, LAST_DATA);
	keys(s, "2019-01");
	assert_true(popup_find(s, "2019-01_") >= 0);
	tui_handle_key(s, TUI_KEY_DOWN);
	assert_non_null(strstr(s->message, "start month \"2019-01\": type YYYY-MM, from 2024-07 to 2024-10"));
	assert_int_equal(form_field_now(s), TUI_EV_START); /* kept there, to correct it */
	for (int i = 0; i < 7; i++)
		tui_handle_key(s, TUI_KEY_BACKSPACE);
	keys(s, "2024-08");
	tui_handle_key(s, TUI_KEY_DOWN);
	assert_int_equal(s->form.start, CT_MONTH(2024, 8));
	assert_string_equal(s->message, "");
	/* months before and after: typed; too many is refused */
	assert_int_equal(form_field_now(s), TUI_EV_PRE);
	keys(s, "999");
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_non_null(strstr(s->message, "\"999\": type a number from 0 to 600"));
	assert_int_equal(fx->fe.calls, 0);
	tui_handle_key(s, TUI_KEY_BACKSPACE);
	tui_handle_key(s, TUI_KEY_BACKSPACE);
	tui_handle_key(s, TUI_KEY_DOWN);
	assert_int_equal(s->form.pre, 9);
	tui_handle_key(s, '+');
	tui_handle_key(s, '+');
	tui_handle_key(s, '-');
	assert_int_equal(s->form.post, 1);
	/* the category cycles through the rows, Total included */
	tui_handle_key(s, TUI_KEY_DOWN);
	tui_handle_key(s, TUI_KEY_LEFT);
	assert_string_equal(s->form.category, "Victim Based Crime > Violence > Stalking and Harassment");
	tui_handle_key(s, TUI_KEY_RIGHT);
	tui_handle_key(s, 'G');
	assert_int_equal(form_field_now(s), TUI_EV_BUFFER);
	tui_handle_key(s, TUI_KEY_RIGHT);
	tui_handle_key(s, TUI_KEY_RIGHT);
	assert_int_equal(s->form.buffer_m, 100);
	assert_true(popup_find(s, "100 m around each area") >= 0);
	/* a short screen scrolls the form to keep the cursor line in view */
	tui_resize(s, 60, 15);
	long line = tui_form_cursor_line(s);
	assert_true(line >= (long)s->popup_top && line < (long)s->popup_top + s->lay.popup_rows);
	assert_true(s->popup_top > 0);
	popup_fits(s);
	tui_resize(s, 80, 24);
	/* Enter: the driver's evaluation, with what the form says */
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(fx->fe.calls, 1);
	assert_string_equal(fx->fe.treated, "Stockton Town Centre");
	assert_string_equal(fx->fe.control, "Norton Central");
	assert_string_equal(fx->fe.category, "Victim Based Crime > Shoplifting");
	assert_int_equal(fx->fe.start, CT_MONTH(2024, 8));
	assert_int_equal(fx->fe.pre, 9);
	assert_int_equal(fx->fe.post, 1);
	assert_int_equal(fx->fe.buffer_m, 100);
	assert_int_equal(s->mode, TUI_MODE_EVAL);
}

/* The result: the counts, WDD, its standard error, the interval, z, p and
 * the verdict, at 80x24 without scrolling; Enter edits, Esc closes. */
static void test_evaluate_result(void **state)
{
	eval_fixture *fx = *state;
	tui_state *s = &fx->s;
	tui_handle(s, REQ_AREA_NEXT);
	tui_handle_key(s, 'w');
	assert_string_equal(s->form.treated, "Norton Central");
	assert_string_equal(s->form.category, "Victim Based Crime"); /* the cursor row */
	tui_handle_key(s, ' ');
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(s->mode, TUI_MODE_EVAL);
	assert_string_equal(s->popup_title, "Did it work? Shoplifting");
	assert_true(popup_find(s, "Norton Central against Stockton Town Centre") == 0);
	assert_true(popup_find(s, "Before Mar\xE2\x80\x93" "Aug 2024 (6 months) \xC2\xB7 after Sep 2024\xE2\x80\x93" "Feb 2025 (6 months)") >= 0);
	assert_true(popup_find(s, "Treated Norton Central") >= 0);
	assert_true(popup_find(s, "100      80     -20") >= 0);
	assert_true(popup_find(s, "Control Stockton Town Centre") >= 0);
	assert_true(popup_find(s, "WDD -10 \xC2\xB7 standard error 19.2") >= 0);
	assert_true(popup_find(s, "95% interval -47.7 to 27.7 \xC2\xB7 z -0.52 \xC2\xB7 p = 0.6 (two-sided)") >= 0);
	long verdict = popup_find(s, "Verdict: Shoplifting in the treated area was 10 lower");
	assert_true(verdict >= 0);
	assert_true(verdict + 3 < s->lay.popup_rows); /* read without scrolling at 80x24 */
	assert_true(popup_find(s, "Note: A note the reader must see.") > verdict);
	popup_fits(s);
	/* a narrow screen wraps it again */
	tui_resize(s, 60, 15);
	popup_fits(s);
	assert_true(popup_find(s, "Verdict: ") >= 0);
	tui_resize(s, 80, 24);
	/* Enter: back to the form, as it was */
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(s->mode, TUI_MODE_EVAL_FORM);
	assert_int_equal(s->form.ncontrol, 1);
	/* q and Esc close the form, not the program */
	assert_int_equal(tui_handle_key(s, 'q'), TUI_ACT_NONE);
	assert_int_equal(s->mode, TUI_MODE_TABLE);
	tui_handle_key(s, 'w');
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(s->mode, TUI_MODE_EVAL);
	tui_handle_key(s, TUI_KEY_ESC);
	assert_int_equal(s->mode, TUI_MODE_TABLE);
	assert_int_equal(s->npopup, 0);
	/* the controls are kept between openings; the month and row follow the table */
	tui_handle(s, REQ_MONTH_PREV);
	tui_handle_key(s, 'w');
	assert_int_equal(s->form.ncontrol, 1);
	assert_string_equal(s->form.control[0], "Stockton Town Centre");
	assert_int_equal(s->form.start, LATEST - 1);
	/* the treated area cycles over the real areas; a control it becomes is unticked */
	tui_handle_key(s, TUI_KEY_UP);
	assert_int_equal(form_field_now(s), TUI_EV_TREATED);
	tui_handle_key(s, TUI_KEY_RIGHT);
	assert_string_equal(s->form.treated, "Stockton Town Centre");
	assert_int_equal(s->form.ncontrol, 0);
	tui_handle_key(s, TUI_KEY_RIGHT);
	tui_handle_key(s, TUI_KEY_RIGHT);
	assert_string_equal(s->form.treated, "Norton Central"); /* past Yarm, wrapping, never All data */
	tui_handle_key(s, TUI_KEY_LEFT);
	assert_string_equal(s->form.treated, "Yarm");
	/* a failure is a message, and the form stays */
	tui_handle_key(s, TUI_KEY_DOWN);
	tui_handle_key(s, ' ');
	fx->fe.fail = 1;
	tui_handle_key(s, TUI_KEY_ENTER);
	assert_int_equal(s->mode, TUI_MODE_EVAL_FORM);
	assert_true(s->message_error);
	assert_non_null(strstr(s->message, "no row \"Nothing\""));
	tui_handle_key(s, TUI_KEY_ESC);
	/* on All data: the last treated area */
	tui_handle(s, REQ_AREA_PREV);
	assert_string_equal(tui_area(s)->name, "All data");
	tui_handle_key(s, 'w');
	assert_string_equal(s->form.treated, "Yarm");
	tui_handle_key(s, TUI_KEY_ESC);
}

/* Without an evaluate driver, or with fewer than two areas, w says why. */
static void test_evaluate_unavailable(void **state)
{
	fixture *fx = *state;
	tui_handle_key(&fx->s, 'w');
	assert_int_equal(fx->s.mode, TUI_MODE_TABLE);
	assert_non_null(strstr(fx->s.message, "not available"));
	tui_state s;
	fake f = {0};
	tui_ops ops = {fake_build, fake_export, &f, fake_evaluate, "All data"};
	char err[256];
	assert_int_equal(tui_init(&s, &ops, -1, REP_COMPARE_YOY, taxonomies, 2, 0, err, sizeof err), 0);
	/* one area besides all data: nothing to compare it with */
	free(s.rep->areas[2].name);
	s.rep->areas[2].name = xstrdup("All data");
	tui_handle_key(&s, 'w');
	assert_int_equal(s.mode, TUI_MODE_TABLE);
	assert_non_null(strstr(s.message, "load at least two areas"));
	tui_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_table),
		cmocka_unit_test_setup_teardown(test_evaluate_form, setup_eval, teardown_eval),
		cmocka_unit_test_setup_teardown(test_evaluate_result, setup_eval, teardown_eval),
		cmocka_unit_test_setup_teardown(test_evaluate_unavailable, setup, teardown),
		cmocka_unit_test(test_help_covers_every_request),
		cmocka_unit_test_setup_teardown(test_cursor_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_position, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collapse_expand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_month, setup, teardown),
		cmocka_unit_test_setup_teardown(test_month_goto, setup, teardown),
		cmocka_unit_test(test_init_outside),
		cmocka_unit_test_setup_teardown(test_compare_and_taxonomy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_areas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_popups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export, setup, teardown),
		cmocka_unit_test(test_names_and_formats),
		cmocka_unit_test(test_fit_and_sparkline),
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_narrow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_detail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_approx_note, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mouse, setup, teardown),
		cmocka_unit_test(test_incomplete_windows),
		cmocka_unit_test(test_significance_lines),
		cmocka_unit_test(test_offender_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
