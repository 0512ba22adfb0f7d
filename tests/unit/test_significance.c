/* Unit tests for significance in reports: which figures are tested and
 * flagged (E-test, z, none; never on missing months), the Highlights lists,
 * and the marks, legends, CSV/JSON fields and Highlights sentences the
 * renderers print from them.  Expected p-values are from
 * tests/tools/etest-exact.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fixture_report.h"
#include "report/export.h"
#include "report/phrases.h"
#include "report/sigfmt.h"
#include "stats/highlights.h"

static const rep_row *find_row(const rep_area *ar, const char *label)
{
	for (size_t i = 0; i < ar->nrows; i++)
		if (strcmp(ar->rows[i].label, label) == 0)
			return &ar->rows[i];
	fail_msg("no row \"%s\"", label);
	return NULL;
}

static rep_report *tested(rep_sig_test test, double alpha, const char *watch)
{
	rep_report *r = fixture_report();
	const char *const w[] = {watch};
	stats_significance(r, test, alpha, w, watch ? 1 : 0);
	return r;
}

static void test_etest_flags(void **state)
{
	(void)state;
	rep_report *r = tested(REP_SIG_ETEST, 0.05, NULL);
	const rep_area *ar = &r->areas[0];
	const rep_fig *f = &find_row(ar, "Shoplifting")->fig[0]; /* 6 against 0 */
	assert_true(f->tested);
	assert_true(fabs(f->z - 2 * sqrt(6.0)) < 1e-12);
	assert_true(fabs(f->p - 9.63055313129044555931e-03) < 1e-12);
	assert_int_equal(f->flag, REP_FLAG_RISE);
	f = &find_row(ar, "Violence Without Injury")->fig[0]; /* 18 against 8: p 0.0529 */
	assert_true(fabs(f->p - 0.05292) < 1e-5);
	assert_int_equal(f->flag, REP_FLAG_NONE);
	f = &find_row(ar, "Total")->fig[2]; /* 363 against 468 */
	assert_true(fabs(f->p - 2.66506609750911992521e-04) < 1e-12);
	assert_int_equal(f->flag, REP_FLAG_FALL);
	f = &find_row(ar, "Homicide")->fig[0]; /* 0 against 0: tested, p 1, never flagged */
	assert_true(f->tested && f->p == 1 && f->flag == REP_FLAG_NONE);
	/* offender measures too */
	assert_true(r->areas[1].offenders[2 * REP_OFF_SIGHTINGS].fig[2].tested);
	assert_int_equal(r->sig_test, REP_SIG_ETEST);
	assert_true(r->alpha == 0.05);
	rep_report_free(r);
}

/* The z-score flags 18 against 8 (z = 2.83 > 1.96), which the E-test does
 * not; a stricter level flags less. */
static void test_z_and_levels(void **state)
{
	(void)state;
	rep_report *r = tested(REP_SIG_Z, 0.05, NULL);
	const rep_fig *f = &find_row(&r->areas[0], "Violence Without Injury")->fig[0];
	assert_int_equal(f->flag, REP_FLAG_RISE);
	assert_true(fabs(r->z_crit - 1.959963984540054) < 1e-12);
	rep_report_free(r);
	r = tested(REP_SIG_ETEST, 0.001, NULL);
	assert_int_equal(find_row(&r->areas[0], "Shoplifting")->fig[0].flag, REP_FLAG_NONE);
	assert_int_equal(find_row(&r->areas[0], "Total")->fig[2].flag, REP_FLAG_FALL); /* p 0.00027 */
	rep_report_free(r);
	r = tested(REP_SIG_NONE, 0.05, NULL);
	assert_false(find_row(&r->areas[0], "Shoplifting")->fig[0].tested);
	assert_int_equal(r->areas[0].nhighlights, 0);
	rep_report_free(r);
}

/* A figure on missing months is never tested, nor counted as examined. */
static void test_missing_never_tested(void **state)
{
	(void)state;
	rep_report *r = fixture_report();
	fx_mark_incomplete(r);
	stats_significance(r, REP_SIG_ETEST, 0.05, NULL, 0);
	const rep_area *ar = &r->areas[1];
	for (size_t i = 0; i < ar->nrows; i++)
		for (int w = 0; w < REP_WINDOWS; w++) {
			const rep_fig *f = &ar->rows[i].fig[w];
			if (f->missing && (f->tested || f->flag))
				fail_msg("%s window %d lacks months but was tested", ar->rows[i].label, w);
		}
	rep_report_free(r);
}

/* Flagged changes window by window, largest first (ties in table order),
 * then every window of a watched row not already listed. */
static void test_highlights_order(void **state)
{
	(void)state;
	rep_report *r = tested(REP_SIG_ETEST, 0.05, "shoplifting");
	const rep_area *ar = &r->areas[0];
	static const char *const want[][2] = {
		{"Total", "0"}, {"Victim Based Crime", "0"}, {"Theft Offences", "0"}, {"Shoplifting", "0"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const rep_highlight *h = &ar->highlights[i];
		if (strcmp(ar->rows[h->row].label, want[i][0]) != 0 || h->window != atoi(want[i][1]))
			fail_msg("highlight %zu: %s window %d, want %s window %s", i, ar->rows[h->row].label, h->window,
				 want[i][0], want[i][1]);
	}
	assert_true(ar->highlights[3].watched); /* flagged and watched: listed once */
	/* the watched row's other windows come last */
	const rep_highlight *last = &ar->highlights[ar->nhighlights - 1];
	assert_string_equal(ar->rows[last->row].label, "Shoplifting");
	assert_int_equal(last->window, 2);
	assert_true(last->watched);
	int shop = 0;
	for (size_t i = 0; i < ar->nhighlights; i++)
		shop += strcmp(ar->rows[ar->highlights[i].row].label, "Shoplifting") == 0;
	assert_int_equal(shop, 3);
	assert_int_equal(ar->flagged, ar->rises + ar->falls);
	assert_int_equal((size_t)ar->flagged + 2, ar->nhighlights);
	assert_true(ar->examined > ar->flagged);
	rep_report_free(r);
}

static rep_report *worded(void)
{
	rep_report *r = tested(REP_SIG_ETEST, 0.05, "Shoplifting");
	char err[512];
	r->phrases = rep_phrases_load("plain-english", err, sizeof err);
	assert_non_null(r->phrases);
	return r;
}

static void test_marks_and_legend(void **state)
{
	(void)state;
	rep_report *r = worded();
	char buf[512];
	const rep_fig *shop = find_row(&r->areas[0], "Shoplifting")->fig;
	rep_fmt_pct_marked(&shop[0], 0, buf, sizeof buf);
	assert_string_equal(buf, "Infinity \xe2\x96\xb2");
	rep_fmt_pct_marked(&shop[0], 1, buf, sizeof buf);
	assert_string_equal(buf, "Infinity ^");
	rep_fmt_pct_marked(&find_row(&r->areas[0], "Total")->fig[2], 1, buf, sizeof buf);
	assert_string_equal(buf, "-22.4% v");
	rep_fmt_pct_marked(&shop[1], 0, buf, sizeof buf);
	assert_string_equal(buf, "9.4%");
	rep_fmt_fig_p(&shop[0], buf, sizeof buf);
	assert_string_equal(buf, "0.0096");
	rep_fmt_fig_z(&shop[0], buf, sizeof buf);
	assert_string_equal(buf, "4.90");
	rep_sig_legend(r, 1, buf, sizeof buf);
	assert_string_equal(buf, "^ v a rise or fall unlikely to be chance: E-test, two-sided p < 0.05. Unmarked changes "
				 "are within normal variation; figures on missing months are not tested.");
	r->sig_test = REP_SIG_NONE;
	rep_sig_legend(r, 0, buf, sizeof buf);
	assert_string_equal(buf, "");
	rep_report_free(r);
	/* a report nobody tested has no legend */
	r = fixture_report();
	rep_sig_legend(r, 0, buf, sizeof buf);
	assert_string_equal(buf, "");
	rep_report_free(r);
}

static void test_markdown(void **state)
{
	(void)state;
	rep_report *r = worded();
	char *md = fx_render(rep_write_markdown, r);
	assert_non_null(strstr(md, "| 6 | 6 | Infinity \xe2\x96\xb2 |"));
	assert_non_null(strstr(md, "\n\xe2\x96\xb2 \xe2\x96\xbc a rise or fall unlikely to be chance: E-test, two-sided p "
				   "\\< 0.05."));
	assert_non_null(strstr(md, "\n### Highlights\n\n- Total crime in "));
	/* the sentence, for the fixture's 12-month shoplifting */
	assert_non_null(strstr(md, "Shoplifting in Stockton \\| \"Town\" Centre: \\[x\\] & High Street fell from 86 to 82 "
				   "over the last 12 months (-4, -4.7%) against a year earlier; a change this size is "
				   "within normal variation (p = 0.76)."));
	assert_non_null(strstr(md, "Shoplifting in Stockton \\| \"Town\" Centre: \\[x\\] & High Street rose from 0 to 6 "
				   "in September 2024 (+6, up from none) against a year earlier; a rise this large would "
				   "happen by chance less than 5% of the time (p = 0.0096)."));
	assert_non_null(strstr(md, "changes were examined in Norton Central;"));
	/* a tiny p reads "p < 0.001", never "p = < 0.001" */
	assert_non_null(strstr(md, "fell from 468 to 363 over the last 12 months (-105, -22.4%) against a year earlier; a "
				   "fall this large would happen by chance less than 5% of the time (p \\< 0.001)."));
	assert_null(strstr(md, "p = \\<"));
	free(md);
	rep_report_free(r);
}

static void test_csv_json(void **state)
{
	(void)state;
	rep_report *r = worded();
	char *csv = fx_render(rep_write_csv, r);
	assert_non_null(strstr(csv, ",Victim Based Crime > Theft Offences > Shoplifting,leaf,2,month,2024-09,2024-09,"
				    "2023-09,2023-09,6,0,6,,infinity,true,true,,,4.8990,0.00963055,rise\n"));
	assert_non_null(strstr(csv, ",Total,total,0,12 months,2023-10,2024-09,2022-10,2023-09,363,468,-105,-22.4,value,"
				    "true,true,,,-5.1615,0.000266507,fall\n"));
	assert_non_null(strstr(csv, ",Victim Based Crime > Theft Offences > Shoplifting,leaf,2,6 months,2024-04,2024-09,"
				    "2023-04,2023-09,35,32,3,9.4,value,true,true,,,0.5185,0.720909,\n"));
	free(csv);
	char *text = fx_render(rep_write_json, r);
	cJSON *doc = cJSON_Parse(text);
	assert_non_null(doc);
	const cJSON *sig = cJSON_GetObjectItem(doc, "significance");
	assert_string_equal(cJSON_GetObjectItem(sig, "test")->valuestring, "e-test");
	assert_string_equal(cJSON_GetObjectItem(sig, "sided")->valuestring, "two-sided");
	const cJSON *a0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "areas"), 0);
	const cJSON *rows = cJSON_GetObjectItem(a0, "rows"), *row;
	int seen = 0;
	cJSON_ArrayForEach(row, rows)
	{
		if (strcmp(cJSON_GetObjectItem(row, "label")->valuestring, "Shoplifting") != 0)
			continue;
		const cJSON *w0 = cJSON_GetArrayItem(cJSON_GetObjectItem(row, "windows"), 0);
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(w0, "significant")));
		assert_string_equal(cJSON_GetObjectItem(w0, "flag")->valuestring, "rise");
		assert_true(fabs(cJSON_GetObjectItem(w0, "p")->valuedouble - 9.63055313129044555931e-03) < 1e-12);
		seen = 1;
	}
	assert_true(seen);
	const cJSON *hl = cJSON_GetObjectItem(a0, "highlights");
	assert_string_equal(cJSON_GetObjectItem(hl, "heading")->valuestring, "Highlights");
	const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(hl, "items"), 0);
	assert_string_equal(cJSON_GetObjectItem(first, "row")->valuestring, "Total");
	assert_string_equal(cJSON_GetObjectItem(first, "window")->valuestring, "Selected Month");
	assert_non_null(strstr(cJSON_GetObjectItem(hl, "summary")->valuestring, "changes were examined"));
	cJSON_Delete(doc);
	free(text);
	rep_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_etest_flags),
		cmocka_unit_test(test_z_and_levels),
		cmocka_unit_test(test_missing_never_tested),
		cmocka_unit_test(test_highlights_order),
		cmocka_unit_test(test_marks_and_legend),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_csv_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
