/* Unit tests for statistics: window arithmetic, % difference figures and
 * their cell text, and stats_build on a small force export in a temporary
 * store (group sums, Total, row order, omitted rows, missing months). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "areas/areas.h"
#include "core/util.h"
#include "import/import.h"
#include "report/model.h"
#include "stats/stats.h"
#include "store/store.h"
#include "taxonomy/taxonomy.h"
#include "fixture_store.h"

/* ---- window spans ---- */

static void check_span(const rep_window_span *s, int from, int to, int cmp_from, int cmp_to)
{
	char a[8], b[8], c[8], d[8];
	if (s->from != from || s->to != to || s->cmp_from != cmp_from || s->cmp_to != cmp_to) {
		ct_month_format(s->from, a);
		ct_month_format(s->to, b);
		ct_month_format(s->cmp_from, c);
		ct_month_format(s->cmp_to, d);
		fail_msg("got %s..%s against %s..%s", a, b, c, d);
	}
}

static void test_spans_january_yoy(void **state)
{
	(void)state;
	rep_window_span sp[REP_WINDOWS];
	stats_spans(CT_MONTH(2024, 1), REP_COMPARE_YOY, sp);
	check_span(&sp[0], CT_MONTH(2024, 1), CT_MONTH(2024, 1), CT_MONTH(2023, 1), CT_MONTH(2023, 1));
	check_span(&sp[1], CT_MONTH(2023, 8), CT_MONTH(2024, 1), CT_MONTH(2022, 8), CT_MONTH(2023, 1));
	check_span(&sp[2], CT_MONTH(2023, 2), CT_MONTH(2024, 1), CT_MONTH(2022, 2), CT_MONTH(2023, 1));
}

static void test_spans_january_previous(void **state)
{
	(void)state;
	rep_window_span sp[REP_WINDOWS];
	stats_spans(CT_MONTH(2024, 1), REP_COMPARE_PREVIOUS, sp);
	check_span(&sp[0], CT_MONTH(2024, 1), CT_MONTH(2024, 1), CT_MONTH(2023, 12), CT_MONTH(2023, 12));
	check_span(&sp[1], CT_MONTH(2023, 8), CT_MONTH(2024, 1), CT_MONTH(2023, 2), CT_MONTH(2023, 7));
	/* twelve months before the previous twelve */
	check_span(&sp[2], CT_MONTH(2023, 2), CT_MONTH(2024, 1), CT_MONTH(2022, 2), CT_MONTH(2023, 1));
}

static void test_spans_december(void **state)
{
	(void)state;
	rep_window_span sp[REP_WINDOWS];
	stats_spans(CT_MONTH(2024, 12), REP_COMPARE_YOY, sp);
	check_span(&sp[0], CT_MONTH(2024, 12), CT_MONTH(2024, 12), CT_MONTH(2023, 12), CT_MONTH(2023, 12));
	check_span(&sp[1], CT_MONTH(2024, 7), CT_MONTH(2024, 12), CT_MONTH(2023, 7), CT_MONTH(2023, 12));
	check_span(&sp[2], CT_MONTH(2024, 1), CT_MONTH(2024, 12), CT_MONTH(2023, 1), CT_MONTH(2023, 12));
	stats_spans(CT_MONTH(2024, 12), REP_COMPARE_PREVIOUS, sp);
	check_span(&sp[0], CT_MONTH(2024, 12), CT_MONTH(2024, 12), CT_MONTH(2024, 11), CT_MONTH(2024, 11));
	check_span(&sp[1], CT_MONTH(2024, 7), CT_MONTH(2024, 12), CT_MONTH(2024, 1), CT_MONTH(2024, 6));
	check_span(&sp[2], CT_MONTH(2024, 1), CT_MONTH(2024, 12), CT_MONTH(2023, 1), CT_MONTH(2023, 12));
}

/* The committee paper's month: October 2024 against October 2023. */
static void test_spans_october(void **state)
{
	(void)state;
	rep_window_span sp[REP_WINDOWS];
	stats_spans(CT_MONTH(2024, 10), REP_COMPARE_YOY, sp);
	check_span(&sp[1], CT_MONTH(2024, 5), CT_MONTH(2024, 10), CT_MONTH(2023, 5), CT_MONTH(2023, 10));
	check_span(&sp[2], CT_MONTH(2023, 11), CT_MONTH(2024, 10), CT_MONTH(2022, 11), CT_MONTH(2023, 10));
}

/* ---- figures and cell text ---- */

static void test_fig(void **state)
{
	(void)state;
	rep_fig f = stats_fig(5, 0);
	assert_int_equal(f.pct_kind, REP_PCT_INFINITY);
	assert_int_equal(f.diff, 5);
	f = stats_fig(0, 4);
	assert_int_equal(f.pct_kind, REP_PCT_VALUE);
	assert_int_equal(f.diff, -4);
	assert_true(f.pct == -100.0);
	f = stats_fig(0, 0);
	assert_int_equal(f.pct_kind, REP_PCT_NONE);
	assert_int_equal(f.diff, 0);
	f = stats_fig(3, 7);
	assert_int_equal(f.cur, 3);
	assert_int_equal(f.cmp, 7);
	assert_int_equal(f.diff, -4);
	assert_true(fabs(f.pct - (-400.0 / 7.0)) < 1e-9);
	f = stats_fig(9, 3);
	assert_int_equal(f.diff, 6);
	assert_true(f.pct == 200.0);
	f = stats_fig(4, 4);
	assert_int_equal(f.pct_kind, REP_PCT_VALUE);
	assert_true(f.pct == 0.0);
}

static void pct_is(long long cur, long long cmp, const char *want)
{
	rep_fig f = stats_fig(cur, cmp);
	char buf[32] = "unset";
	rep_fmt_pct(&f, buf, sizeof buf);
	if (strcmp(buf, want) != 0)
		fail_msg("%lld against %lld: \"%s\", want \"%s\"", cur, cmp, buf, want);
}

static void test_fmt_pct(void **state)
{
	(void)state;
	/* cur - cmp = the numerator of the fraction the paper quotes */
	pct_is(84, 62, "35.5%");    /* 22/62 */
	pct_is(1669, 1672, "-0.2%"); /* -3/1672 */
	pct_is(4, 3, "33.3%");      /* 1/3 */
	pct_is(5, 3, "66.7%");      /* 2/3 */
	pct_is(9, 8, "12.5%");      /* 1/8, a tie rounds away from zero */
	pct_is(7, 8, "-12.5%");
	pct_is(17, 16, "6.3%");     /* 6.25 */
	pct_is(15, 16, "-6.3%");
	pct_is(0, 7, "-100.0%");
	pct_is(7, 7, "0.0%");
	pct_is(2999, 3000, "0.0%"); /* -0.03: no "-0.0%" */
	pct_is(9, 3, "200.0%");
	pct_is(5, 0, "Infinity");
	pct_is(0, 0, "");
}

static void test_fmt_count_and_diff(void **state)
{
	(void)state;
	char buf[32] = "unset";
	rep_fmt_count(0, buf, sizeof buf);
	assert_string_equal(buf, "");
	rep_fmt_count(1672, buf, sizeof buf);
	assert_string_equal(buf, "1672");
	rep_fmt_count(-3, buf, sizeof buf);
	assert_string_equal(buf, "-3");
	rep_fig f = stats_fig(0, 0);
	rep_fmt_diff(&f, buf, sizeof buf);
	assert_string_equal(buf, "");
	f = stats_fig(5, 5);
	rep_fmt_diff(&f, buf, sizeof buf);
	assert_string_equal(buf, "0"); /* a real zero difference is shown */
	f = stats_fig(0, 3);
	rep_fmt_diff(&f, buf, sizeof buf);
	assert_string_equal(buf, "-3");
	f = stats_fig(12, 0);
	rep_fmt_diff(&f, buf, sizeof buf);
	assert_string_equal(buf, "12");
}

/* ---- stats_build on a store ---- */

typedef store_fixture fixture;

/* Leaves in template order Zeta, Gamma, Alpha, Epsilon, Beta so that sorting shows. */
#define MINI_ROWS                                                                                               \
	"\"rows\": [{\"label\": \"Group A\", \"children\": ["                                                   \
	"{\"label\": \"Zeta\", \"match\": [\"Zeta\"]}, {\"label\": \"Gamma\", \"match\": [\"Gamma\"]},"          \
	"{\"label\": \"Alpha\", \"match\": [\"Alpha\"]}, {\"label\": \"Epsilon\", \"match\": [\"Epsilon\"]},"    \
	"{\"label\": \"Beta\", \"match\": [\"Beta\"]}]},"                                                        \
	"{\"label\": \"Delta\", \"match\": [\"Delta\"]},"                                                        \
	"{\"label\": \"ASB\", \"outside_total\": true, \"match\": [\"ASB\"]}]}"
static const char *const mini_taxonomy = "{\"taxonomy_version\": 1, \"name\": \"Mini\", " MINI_ROWS;
static const char *const mini_fixed = "{\"taxonomy_version\": 1, \"name\": \"Mini\", \"order\": \"fixed\", " MINI_ROWS;

static const char *const mini_mapping =
	"{\"mapping_version\": 1, \"name\": \"mini export\", \"force\": \"Test Police\", \"date_format\": "
	"\"dd/mm/yyyy\", \"columns\": {\"crime_id\": \"Ref\", \"date\": \"Date\", \"category\": \"Offence\", "
	"\"area\": \"Centre\"}}";

/* Appends N rows of OFFENCE on DATE in CENTRE. */
static void add_rows(strbuf *sb, int n, const char *date, const char *offence, const char *centre)
{
	static int ref;
	for (int i = 0; i < n; i++)
		sb_printf(sb, "R%d,%s,%s,%s\n", ++ref, date, offence, centre);
}

/* Imports the export built by FILL, as NAME, with MAPPING. */
static int import_export(fixture *fx, const char *mapping, void (*fill)(strbuf *sb), const char *name)
{
	strbuf sb = {0};
	sb_puts(&sb, "Ref,Date,Offence,Centre\n");
	fill(&sb);
	int rc = sfx_import(fx, mapping, sb.buf, name);
	sb_release(&sb);
	return rc;
}

/* Opens a store and loads the areas AREAS (JSON). */
static int setup_store(void **state, const char *areas)
{
	return sfx_setup(state, "stats", mini_taxonomy, areas);
}

/* Opens a store, loads the Town area and imports the export built by FILL. */
static int setup_with(void **state, void (*fill)(strbuf *sb))
{
	if (setup_store(state, "{\"areas\": [{\"name\": \"Town\", \"area_values\": [\"Town\"]}]}") != 0)
		return -1;
	return import_export(*state, mini_mapping, fill, "export.csv");
}

static void fill_main(strbuf *sb)
{
	add_rows(sb, 2, "03/10/2024", "Alpha", "Town");
	add_rows(sb, 1, "31/10/2024", "Beta", "Town");
	add_rows(sb, 1, "15/10/2024", "Zeta", "Town");
	add_rows(sb, 1, "15/10/2024", "Delta", "Town");
	add_rows(sb, 3, "15/10/2024", "ASB", "Town");
	add_rows(sb, 1, "15/10/2024", "Mystery", "Town");
	add_rows(sb, 1, "15/10/2024", "Alpha", ""); /* outside every area */
	add_rows(sb, 1, "01/07/2024", "Zeta", "Town");
	add_rows(sb, 2, "09/07/2024", "Beta", "Town");
	add_rows(sb, 2, "20/01/2024", "Delta", "Town");
	add_rows(sb, 1, "01/10/2023", "Alpha", "Town");
	add_rows(sb, 1, "31/10/2023", "Gamma", "Town");
	add_rows(sb, 1, "30/09/2023", "Delta", "Town");
}

/* The same kind of data, but covering every month the windows need. */
static void fill_covered(strbuf *sb)
{
	add_rows(sb, 1, "01/11/2022", "Alpha", "Town");
	add_rows(sb, 1, "15/10/2024", "Alpha", "Town");
}

static int setup_main(void **state)
{
	return setup_with(state, fill_main);
}

static int setup_covered(void **state)
{
	return setup_with(state, fill_covered);
}

static rep_report *build(fixture *fx, int month, int compare, const char *const *areas, size_t nareas,
			 int include_all)
{
	char err[512] = "";
	stats_request req = {.month = month, .compare = compare, .dataset = "force", .areas = areas,
			     .nareas = nareas, .include_all = include_all};
	rep_report *r = stats_build(fx->s, fx->t, &req, NULL, err, sizeof err);
	if (!r)
		fail_msg("stats_build: %s", err);
	return r;
}

static const rep_row *row(const rep_area *a, const char *label)
{
	for (size_t i = 0; i < a->nrows; i++)
		if (strcmp(a->rows[i].label, label) == 0)
			return &a->rows[i];
	fail_msg("area \"%s\" has no row \"%s\"", a->name, label);
	return NULL;
}

static void figs(const rep_row *r, int w, long long cur, long long cmp)
{
	if (r->fig[w].cur != cur || r->fig[w].cmp != cmp || r->fig[w].diff != cur - cmp)
		fail_msg("%s window %d: %lld against %lld, want %lld against %lld", r->label, w, r->fig[w].cur,
			 r->fig[w].cmp, cur, cmp);
}

static void test_build_town(void **state)
{
	fixture *fx = *state;
	assert_int_equal(fx->r.imported, 18);
	const char *const town[] = {"Town"};
	rep_report *r = build(fx, CT_MONTH(2024, 10), REP_COMPARE_YOY, town, 1, 0);
	assert_int_equal(r->month, CT_MONTH(2024, 10));
	assert_string_equal(r->dataset, "force");
	assert_string_equal(r->taxonomy, "Mini");
	assert_int_equal(r->nareas, 1);
	const rep_area *a = &r->areas[0];
	assert_string_equal(a->name, "Town");

	/* display order: groups by 6-month count, children by 6-month count then
	 * label, Unknown and outside-total rows last, empty rows left out */
	static const char *const order[] = {"Group A", "Beta", "Alpha", "Zeta", "Gamma", "Delta", "Unknown", "ASB",
					    "Total"};
	assert_int_equal(a->nrows, 9);
	for (size_t i = 0; i < 9; i++)
		if (strcmp(a->rows[i].label, order[i]) != 0)
			fail_msg("row %zu is \"%s\", want \"%s\"", i, a->rows[i].label, order[i]);

	const rep_row *g = row(a, "Group A");
	assert_int_equal(g->parent, -1);
	assert_int_equal(g->depth, 0);
	assert_true(g->flags & REP_ROW_GROUP);
	for (size_t i = 1; i <= 4; i++) {
		assert_int_equal(a->rows[i].parent, 0);
		assert_int_equal(a->rows[i].depth, 1);
		assert_false(a->rows[i].flags & REP_ROW_GROUP);
	}
	assert_string_equal(row(a, "Beta")->path, "Group A > Beta");
	assert_int_equal(row(a, "Delta")->parent, -1);
	assert_true(row(a, "Unknown")->flags & REP_ROW_UNKNOWN);
	assert_true(row(a, "ASB")->flags & REP_ROW_OUTSIDE_TOTAL);
	assert_true(row(a, "Total")->flags & REP_ROW_TOTAL);
	assert_int_equal(row(a, "Total")->parent, -1);

	figs(row(a, "Beta"), 0, 1, 0);
	figs(row(a, "Beta"), 1, 3, 0);
	figs(row(a, "Alpha"), 0, 2, 1);
	figs(row(a, "Alpha"), 2, 2, 1);
	figs(row(a, "Zeta"), 1, 2, 0);
	figs(row(a, "Gamma"), 0, 0, 1); /* kept: its comparison is not zero */
	assert_true(row(a, "Gamma")->fig[0].pct == -100.0);
	figs(row(a, "Delta"), 0, 1, 0);
	figs(row(a, "Delta"), 1, 1, 1);
	figs(row(a, "Delta"), 2, 3, 1);
	figs(row(a, "Unknown"), 0, 1, 0);
	figs(row(a, "ASB"), 2, 3, 0);
	/* a group is the sum of its children */
	figs(g, 0, 4, 2);
	figs(g, 1, 7, 2);
	figs(g, 2, 7, 2);
	/* Total = top-level rows, Unknown included, anti-social behaviour not */
	const rep_row *tot = row(a, "Total");
	figs(tot, 0, 6, 2);
	figs(tot, 1, 9, 3);
	figs(tot, 2, 11, 3);
	assert_true(tot->fig[0].pct == 200.0);
	/* the monthly series ends with the selected month */
	assert_int_equal(tot->series[REP_SERIES - 1], 6);
	assert_int_equal(tot->series[REP_SERIES - 1 - 12], 2);
	assert_int_equal(row(a, "Delta")->series[REP_SERIES - 1 - 9], 2);
	assert_int_equal(row(a, "ASB")->series[REP_SERIES - 1], 3);

	assert_int_equal(r->nsources, 1);
	assert_int_equal(r->sources[0].rows, 18);
	assert_string_equal(r->sources[0].force, "Test Police");
	rep_report_free(r);
}

static void test_build_all_data(void **state)
{
	fixture *fx = *state;
	rep_report *r = build(fx, CT_MONTH(2024, 10), REP_COMPARE_YOY, NULL, 0, 1);
	/* "All data" first, then every area */
	assert_int_equal(r->nareas, 2);
	assert_string_equal(r->areas[0].name, STATS_ALL_AREAS);
	assert_string_equal(r->areas[1].name, "Town");
	figs(row(&r->areas[0], "Alpha"), 0, 3, 1);
	figs(row(&r->areas[0], "Total"), 0, 7, 2);
	figs(row(&r->areas[1], "Alpha"), 0, 2, 1);
	rep_report_free(r);
}

static void test_build_previous_period(void **state)
{
	fixture *fx = *state;
	const char *const town[] = {"Town"};
	rep_report *r = build(fx, CT_MONTH(2024, 10), REP_COMPARE_PREVIOUS, town, 1, 0);
	const rep_row *tot = row(&r->areas[0], "Total");
	figs(tot, 0, 6, 0);  /* 2024-09 */
	figs(tot, 1, 9, 2);  /* 2023-11..2024-04: Delta in January */
	figs(tot, 2, 11, 3); /* 2022-11..2023-10 */
	assert_int_equal(tot->fig[0].pct_kind, REP_PCT_INFINITY);
	rep_report_free(r);
}

static void test_build_fixed_order(void **state)
{
	fixture *fx = *state;
	char err[256] = "";
	tax_free(fx->t);
	fx->t = tax_parse("fixed.json", mini_fixed, err, sizeof err);
	assert_non_null(fx->t);
	const char *const town[] = {"Town"};
	rep_report *r = build(fx, CT_MONTH(2024, 10), REP_COMPARE_YOY, town, 1, 0);
	static const char *const order[] = {"Group A", "Zeta", "Gamma", "Alpha", "Beta", "Delta", "Unknown", "ASB",
					    "Total"};
	assert_int_equal(r->areas[0].nrows, 9);
	for (size_t i = 0; i < 9; i++)
		assert_string_equal(r->areas[0].rows[i].label, order[i]);
	rep_report_free(r);
}

static void test_build_missing_months(void **state)
{
	fixture *fx = *state;
	const char *const town[] = {"Town"};
	rep_report *r = build(fx, CT_MONTH(2024, 10), REP_COMPARE_YOY, town, 1, 0);
	/* the export spans 2023-09..2024-10; the comparisons reach back to 2022-11:
	 * one warning for the one gap, naming the force and the run of months */
	assert_int_equal(r->nwarnings, 1);
	assert_string_equal(r->warnings[0], "Test Police: no force export for 2022-11 to 2023-08; the windows and "
					    "comparisons need 2022-11 to 2024-10");
	assert_int_equal(r->ngaps, 1);
	assert_string_equal(r->gaps[0].force, "Test Police");
	assert_int_equal(r->gaps[0].from, CT_MONTH(2022, 11));
	assert_int_equal(r->gaps[0].to, CT_MONTH(2023, 8));
	/* the current windows are complete, every comparison but the month's is not */
	const rep_area *a = &r->areas[0];
	assert_int_equal(a->ngaps, 1);
	assert_int_equal(rep_area_incomplete(a), 2);
	for (int w = 0; w < REP_WINDOWS; w++)
		assert_int_equal(a->cover[w][REP_SIDE_CURRENT].nmissing, 0);
	assert_int_equal(a->cover[0][REP_SIDE_COMPARISON].nmissing, 0);
	assert_int_equal(a->cover[1][REP_SIDE_COMPARISON].nmissing, 4); /* 2023-05..08 */
	assert_int_equal(a->cover[1][REP_SIDE_COMPARISON].missing[0], CT_MONTH(2023, 5));
	assert_int_equal(a->cover[2][REP_SIDE_COMPARISON].nmissing, 10); /* 2022-11..2023-08 */
	assert_int_equal(a->cover[2][REP_SIDE_COMPARISON].missing[9], CT_MONTH(2023, 8));
	assert_int_equal(a->series_missing[0], 1);  /* 2022-11 */
	assert_int_equal(a->series_missing[9], 1);  /* 2023-08 */
	assert_int_equal(a->series_missing[10], 0); /* 2023-09 */
	assert_int_equal(a->series_missing[23], 0); /* 2024-10 */
	for (size_t i = 0; i < a->nrows; i++) {
		assert_int_equal(a->rows[i].fig[0].missing, 0);
		assert_int_equal(a->rows[i].fig[1].missing, REP_MISSING_COMPARISON);
		assert_int_equal(a->rows[i].fig[2].missing, REP_MISSING_COMPARISON);
		assert_int_equal(a->rows[i].fig[2].pct_kind, REP_PCT_NONE);
	}
	/* the counts are still what the data hold */
	figs(row(a, "Delta"), 2, 3, 1);
	rep_report_free(r);
}

static void test_build_no_missing_months(void **state)
{
	fixture *fx = *state;
	rep_report *r = build(fx, CT_MONTH(2024, 10), REP_COMPARE_YOY, NULL, 0, 0);
	assert_int_equal(r->nwarnings, 0);
	assert_int_equal(r->ngaps, 0);
	assert_int_equal(rep_area_incomplete(&r->areas[0]), 0);
	figs(row(&r->areas[0], "Alpha"), 2, 1, 1);
	assert_int_equal(row(&r->areas[0], "Alpha")->fig[2].pct_kind, REP_PCT_VALUE);
	rep_report_free(r);
	/* a later month needs 2024-11, which nothing provides */
	r = build(fx, CT_MONTH(2024, 11), REP_COMPARE_YOY, NULL, 0, 0);
	assert_int_equal(r->nwarnings, 1);
	assert_non_null(strstr(r->warnings[0], "Test Police: no force export for 2024-11;"));
	const rep_area *a = &r->areas[0];
	assert_int_equal(a->cover[0][REP_SIDE_CURRENT].nmissing, 1);
	assert_int_equal(a->cover[0][REP_SIDE_COMPARISON].nmissing, 0);
	assert_int_equal(row(a, "Total")->fig[0].missing, REP_MISSING_CURRENT);
	rep_report_free(r);
}

static void test_build_latest_month(void **state)
{
	fixture *fx = *state;
	assert_int_equal(stats_latest_complete_month(fx->s, "force"), CT_MONTH(2024, 10));
	assert_int_equal(stats_latest_complete_month(fx->s, "street"), -1);
	rep_report *r = build(fx, -1, REP_COMPARE_YOY, NULL, 0, 0);
	assert_int_equal(r->month, CT_MONTH(2024, 10));
	rep_report_free(r);
}

/* The Unknown row lists the source categories in it, with their counts. */
static void test_build_unknown_categories(void **state)
{
	fixture *fx = *state;
	const char *const town[] = {"Town"};
	rep_report *r = build(fx, CT_MONTH(2024, 10), REP_COMPARE_YOY, town, 1, 0);
	const rep_row *u = row(&r->areas[0], "Unknown");
	assert_int_equal(u->ncats, 1);
	assert_string_equal(u->cats[0].name, "Mystery");
	assert_int_equal(u->cats[0].cur[0], 1);
	assert_int_equal(u->cats[0].cur[2], 1);
	/* a mapped row lists nothing */
	assert_int_equal(row(&r->areas[0], "Alpha")->ncats, 0);
	rep_report_free(r);
}

static void test_data_range(void **state)
{
	fixture *fx = *state;
	int first, last;
	assert_int_equal(stats_data_range(fx->s, "force", &first, &last), 0);
	assert_int_equal(first, CT_MONTH(2023, 9));
	assert_int_equal(last, CT_MONTH(2024, 10));
	assert_int_equal(stats_data_range(fx->s, "street", &first, &last), 0);
	assert_int_equal(first, -1);
	assert_int_equal(last, -1);
}

static void test_build_unknown_area(void **state)
{
	fixture *fx = *state;
	char err[512] = "";
	const char *const areas[] = {"Town", "Nowhere"};
	stats_request req = {.month = CT_MONTH(2024, 10), .compare = REP_COMPARE_YOY, .dataset = "force",
			     .areas = areas, .nareas = 2};
	ct_status why = CT_OK;
	assert_null(stats_build(fx->s, fx->t, &req, &why, err, sizeof err));
	assert_non_null(strstr(err, "no area named \"Nowhere\""));
	assert_int_equal(why, CT_EUSAGE);
}

static void test_build_no_data(void **state)
{
	fixture *fx = *state;
	char err[512] = "";
	stats_request req = {.month = CT_MONTH(2024, 10), .compare = REP_COMPARE_YOY, .dataset = "street"};
	ct_status why = CT_OK;
	assert_null(stats_build(fx->s, fx->t, &req, &why, err, sizeof err));
	assert_non_null(strstr(err, "no police.uk street data"));
	assert_int_equal(why, CT_EDATA);
}

/* ---- completeness with two forces, and --month latest ---- */

static const char *const other_mapping =
	"{\"mapping_version\": 1, \"name\": \"other export\", \"force\": \"Other Police\", \"date_format\": "
	"\"dd/mm/yyyy\", \"columns\": {\"crime_id\": \"Ref\", \"date\": \"Date\", \"category\": \"Offence\", "
	"\"area\": \"Centre\"}}";

/* Test Police: every month 2022-11..2024-10, in Town. */
static void fill_town_all(strbuf *sb)
{
	add_rows(sb, 1, "01/11/2022", "Alpha", "Town");
	add_rows(sb, 2, "15/10/2024", "Alpha", "Town");
}

/* Other Police: 2023-09..2024-10 only, in Village. */
static void fill_village_late(strbuf *sb)
{
	add_rows(sb, 3, "01/09/2023", "Beta", "Village");
	add_rows(sb, 4, "20/10/2024", "Beta", "Village");
}

static int setup_two_forces(void **state)
{
	if (setup_store(state, "{\"areas\": [{\"name\": \"Town\", \"area_values\": [\"Town\"]}, "
			       "{\"name\": \"Village\", \"area_values\": [\"Village\"]}]}") != 0)
		return -1;
	return import_export(*state, mini_mapping, fill_town_all, "town.csv") ||
	       import_export(*state, other_mapping, fill_village_late, "village.csv");
}

/* An area is marked for the forces whose data it draws on, and no others. */
static void test_build_two_forces(void **state)
{
	fixture *fx = *state;
	rep_report *r = build(fx, CT_MONTH(2024, 10), REP_COMPARE_YOY, NULL, 0, 1);
	assert_int_equal(r->nareas, 3);
	/* one warning, for the one force with a gap */
	assert_int_equal(r->nwarnings, 1);
	assert_string_equal(r->warnings[0], "Other Police: no force export for 2022-11 to 2023-08; the windows and "
					    "comparisons need 2022-11 to 2024-10");
	const rep_area *all = &r->areas[0], *town = &r->areas[1], *village = &r->areas[2];
	assert_string_equal(town->name, "Town");
	/* Town's crimes are all Test Police's, which has every month */
	assert_int_equal(rep_area_incomplete(town), 0);
	assert_int_equal(town->ngaps, 0);
	assert_int_equal(row(town, "Total")->fig[2].missing, 0);
	assert_int_equal(row(town, "Total")->fig[2].pct_kind, REP_PCT_VALUE);
	figs(row(town, "Total"), 2, 2, 1);
	/* Village draws on Other Police: every comparison but the month's lacks months */
	assert_int_equal(rep_area_incomplete(village), 2);
	assert_int_equal(village->ngaps, 1);
	assert_string_equal(village->gaps[0].force, "Other Police");
	assert_int_equal(row(village, "Total")->fig[1].missing, REP_MISSING_COMPARISON);
	/* All data draws on both */
	assert_int_equal(rep_area_incomplete(all), 2);
	assert_int_equal(all->ngaps, 1);
	size_t n;
	char **notes = rep_gap_notes(r, village, &n);
	assert_int_equal(n, 2);
	assert_string_equal(notes[1], REP_MARK " Other Police: no force export for 2022-11 to 2023-08");
	rep_lines_free(notes, n);
	rep_report_free(r);
}

static int area_id(void *ctx, const store_area *a)
{
	long long *ids = ctx;
	ids[strcmp(a->name, "Town") == 0 ? 0 : 1] = a->id;
	return 0;
}

/* "Test Police, Other Police": the forces stats_area_forces names for IDS. */
static void forces_are(fixture *fx, const long long *ids, size_t n, const char *want)
{
	char **forces;
	size_t nf;
	assert_int_equal(stats_area_forces(fx->s, "force", ids, n, &forces, &nf), 0);
	strbuf sb = {0};
	for (size_t i = 0; i < nf; i++) {
		sb_printf(&sb, "%s%s", i ? ", " : "", forces[i]);
		free(forces[i]);
	}
	free(forces);
	assert_string_equal(sb.buf ? sb.buf : "", want);
	sb_release(&sb);
}

/* The forces an area draws on: the same rule that marks a report's areas. */
static void test_area_forces(void **state)
{
	fixture *fx = *state;
	long long ids[2] = {0, 0};
	assert_int_equal(store_areas_each(fx->s, area_id, ids), 0);
	forces_are(fx, ids, 1, "Test Police");
	forces_are(fx, ids + 1, 1, "Other Police");
	forces_are(fx, ids, 2, "Other Police, Test Police");
	/* no areas, or all data: every force */
	forces_are(fx, NULL, 0, "Other Police, Test Police");
	long long all = 0;
	forces_are(fx, &all, 1, "Other Police, Test Police");
	/* an area with no crimes cannot say: every force */
	long long none = ids[0] + ids[1] + 100;
	forces_are(fx, &none, 1, "Other Police, Test Police");
}

/* Test Police: 2022-01..2022-12 and 2023-02..2024-10, so 2023-01 is missing. */
static void fill_early(strbuf *sb)
{
	add_rows(sb, 1, "10/01/2022", "Alpha", "Town");
	add_rows(sb, 1, "10/12/2022", "Alpha", "Town");
}

static void fill_late(strbuf *sb)
{
	add_rows(sb, 1, "10/02/2023", "Alpha", "Town");
	add_rows(sb, 1, "10/10/2024", "Alpha", "Town");
}

static int setup_hole(void **state)
{
	if (setup_store(state, "{\"areas\": [{\"name\": \"Town\", \"area_values\": [\"Town\"]}]}") != 0)
		return -1;
	return import_export(*state, mini_mapping, fill_early, "early.csv") ||
	       import_export(*state, mini_mapping, fill_late, "late.csv");
}

/* --month latest: 2024-10's comparisons reach 2023-01, which is missing; the
 * latest month whose comparisons do not is 2023-12.  --allow-missing keeps
 * 2024-10, and so does a basis under which no month is complete. */
static void test_build_latest_skips_incomplete(void **state)
{
	fixture *fx = *state;
	char err[512] = "";
	stats_request req = {.month = -1, .compare = REP_COMPARE_YOY, .dataset = "force"};
	rep_report *r = stats_build(fx->s, fx->t, &req, NULL, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(r->month, CT_MONTH(2023, 12));
	assert_string_equal(r->month_reason, "the latest month whose comparisons are complete: 2024-01 to 2024-10 would "
					     "be compared with months missing from the data (--allow-missing reports "
					     "2024-10)");
	/* its comparisons are complete; its current windows lack 2023-01 */
	const rep_area *a = &r->areas[0];
	for (int w = 0; w < REP_WINDOWS; w++)
		assert_int_equal(a->cover[w][REP_SIDE_COMPARISON].nmissing, 0);
	assert_int_equal(a->cover[2][REP_SIDE_CURRENT].nmissing, 1);
	rep_report_free(r);

	req.allow_missing = 1;
	r = stats_build(fx->s, fx->t, &req, NULL, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(r->month, CT_MONTH(2024, 10));
	assert_non_null(strstr(r->month_reason, "(--allow-missing)"));
	rep_report_free(r);

	/* against the preceding period, 2023-12's 6 months are compared with
	 * 2023-01..06: no month's comparisons are complete, so the newest */
	req.allow_missing = 0;
	req.compare = REP_COMPARE_PREVIOUS;
	r = stats_build(fx->s, fx->t, &req, NULL, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(r->month, CT_MONTH(2024, 10));
	assert_non_null(strstr(r->month_reason, "no month's comparisons are complete"));
	rep_report_free(r);

	/* a month given is never moved */
	req.month = CT_MONTH(2024, 10);
	r = stats_build(fx->s, fx->t, &req, NULL, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(r->month, CT_MONTH(2024, 10));
	assert_null(r->month_reason);
	rep_report_free(r);
}

static void test_build_latest_complete(void **state)
{
	fixture *fx = *state;
	rep_report *r = build(fx, -1, REP_COMPARE_YOY, NULL, 0, 0);
	assert_int_equal(r->month, CT_MONTH(2024, 10));
	assert_string_equal(r->month_reason,
			    "the latest month with data from every force, and its comparisons are complete");
	rep_report_free(r);
}

/* Test Police: 2022-01..2024-05 and 2024-07..2024-10, so 2024-06 is missing. */
static void fill_to_may(strbuf *sb)
{
	add_rows(sb, 1, "10/01/2022", "Alpha", "Town");
	add_rows(sb, 1, "10/05/2024", "Alpha", "Town");
}

static void fill_from_july(strbuf *sb)
{
	add_rows(sb, 1, "10/07/2024", "Alpha", "Town");
	add_rows(sb, 1, "10/10/2024", "Alpha", "Town");
}

static int setup_recent_hole(void **state)
{
	if (setup_store(state, "{\"areas\": [{\"name\": \"Town\", \"area_values\": [\"Town\"]}]}") != 0)
		return -1;
	return import_export(*state, mini_mapping, fill_to_may, "to-may.csv") ||
	       import_export(*state, mini_mapping, fill_from_july, "from-july.csv");
}

/* --month latest keeps 2024-10 (its comparisons are complete), and its first
 * line says its own windows lack a month rather than that all is well. */
static void test_build_latest_own_windows_lack(void **state)
{
	fixture *fx = *state;
	rep_report *r = build(fx, -1, REP_COMPARE_YOY, NULL, 0, 0);
	assert_int_equal(r->month, CT_MONTH(2024, 10));
	assert_string_equal(r->month_reason, "the latest month with data from every force, and its comparisons are "
					     "complete; its own windows lack months, named in the warning");
	assert_int_equal(r->areas[0].cover[1][REP_SIDE_CURRENT].nmissing, 1);
	rep_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spans_january_yoy),
		cmocka_unit_test(test_spans_january_previous),
		cmocka_unit_test(test_spans_december),
		cmocka_unit_test(test_spans_october),
		cmocka_unit_test(test_fig),
		cmocka_unit_test(test_fmt_pct),
		cmocka_unit_test(test_fmt_count_and_diff),
		cmocka_unit_test_setup_teardown(test_build_town, setup_main, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_all_data, setup_main, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_previous_period, setup_main, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_fixed_order, setup_main, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_missing_months, setup_main, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_no_missing_months, setup_covered, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_latest_month, setup_main, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_unknown_categories, setup_main, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_data_range, setup_main, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_unknown_area, setup_main, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_no_data, setup_main, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_two_forces, setup_two_forces, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_area_forces, setup_two_forces, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_latest_skips_incomplete, setup_hole, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_latest_complete, setup_covered, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_build_latest_own_windows_lack, setup_recent_hole, sfx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
