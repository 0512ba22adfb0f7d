/* Exporter tests on the hand-made fixture: CSV lines, quoting and formula
 * escaping; JSON read back with cJSON; the workbook checked by
 * tests/tools/check-xlsx.py when a python3 with openpyxl is at hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/version.h"
#include "fixture_report.h"
#include "report/export.h"
#include "report/phrases.h"
#include "stats/highlights.h"
#include "stats/stats.h"

#define A0Q "\"Stockton | \"\"Town\"\" Centre: [x] & High Street\""
/* FX_AREA0 as a sheet name: cleaned, abbreviated ("Centre" -> "Ctr"), then
 * cut at a word with an ellipsis to fit 31 characters */
#define SHEET0 "Stockton | \"Town\" Ctr- (x)\xe2\x80\xa6"

/* True if LINE is one whole line of TEXT. */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

static void expect_line(const char *text, const char *line)
{
	if (!has_line(text, line)) {
		print_error("missing line: %s\n", line);
		fail();
	}
}

/* The fixed columns of a fixture line: month and basis, then a window's spans. */
#define PFX "2024-09,yoy,"
#define W1 "month,2024-09,2024-09,2023-09,2023-09"
#define W6 "6 months,2024-04,2024-09,2023-04,2023-09"
#define W12 "12 months,2023-10,2024-09,2022-10,2023-09"
#define DONE ",true,true,,,,,"

static void test_csv_lines(void **state)
{
	rep_report *r = fixture_report();
	char *csv = fx_render(rep_write_csv, r);
	const char *head = "month,comparison_basis,area,row,row_kind,depth,window,window_from,window_to,"
			   "comparison_from,comparison_to,current,comparison,diff,pct,pct_kind,complete_current,"
			   "complete_comparison,missing_current,missing_comparison,z,p,significant\n";
	assert_true(strncmp(csv, head, strlen(head)) == 0);
	size_t lines = 0;
	for (const char *p = csv; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1 + (11 + 7) * REP_WINDOWS + REP_OFF_ROWS * REP_WINDOWS);

	/* zeros as plain integers; pct a number, empty unless pct_kind is value */
	expect_line(csv, PFX A0Q ",Victim Based Crime > Violence > Homicide,leaf,2," W1 ",0,0,0,,none" DONE);
	expect_line(csv, PFX A0Q ",Victim Based Crime > Violence > Homicide,leaf,2," W6 ",0,1,-1,-100.0,value" DONE);
	expect_line(csv, PFX A0Q ",Victim Based Crime > Theft Offences > Shoplifting,leaf,2," W1 ",6,0,6,,infinity" DONE);
	expect_line(csv, PFX A0Q ",Victim Based Crime > Theft Offences > Shoplifting,leaf,2," W6 ",35,32,3,9.4,value" DONE);
	expect_line(csv,
		    PFX A0Q ",Victim Based Crime > Theft Offences > Shoplifting,leaf,2," W12 ",82,86,-4,-4.7,value" DONE);
	expect_line(csv, PFX A0Q ",Victim Based Crime > Theft Offences > Bicycle Theft,leaf,2," W1 ",1,1,0,0.0,value" DONE);
	expect_line(csv, PFX A0Q ",Victim Based Crime > Theft Offences,group,1," W1 ",7,1,6,600.0,value" DONE);
	expect_line(csv, PFX A0Q ",\"Victim Based Crime > Criminal Damage, \"\"Arson\"\"\",leaf,1," W1
			 ",11,6,5,83.3,value" DONE);
	expect_line(csv, PFX A0Q ",'=cmd|' /C calc'!A0,leaf,0," W1 ",2,0,2,,infinity" DONE);
	expect_line(csv, PFX A0Q ",Unknown,unknown,0," W12 ",0,1,-1,-100.0,value" DONE);
	expect_line(csv, PFX A0Q ",Total,total,0," W1 ",38,15,23,153.3,value" DONE);
	expect_line(csv, PFX A0Q ",Total,total,0," W12 ",363,468,-105,-22.4,value" DONE);
	expect_line(csv, PFX "Norton Central,Total,total,0," W1 ",8,5,3,60.0,value" DONE);
	expect_line(csv, PFX "Norton Central,Anti-social behaviour,outside_total,0," W1 ",5,7,-2,-28.6,value" DONE);
	/* offender measures: the data's coverage does not bear on them */
	expect_line(csv, PFX "Norton Central,Offenders (face match) > Sightings,offenders,1," W12
			 ",130,0,130,,infinity,,,,,,,");
	expect_line(csv, PFX "Norton Central,Offenders (face match) > Watchlist matches,offenders,1," W1
			 ",0,0,0,,none,,,,,,,");
	free(csv);
	rep_report_free(r);
}

/* Leaf and unknown rows add up to Total, window by window: nothing counts twice. */
static void test_csv_row_kinds_sum(void **state)
{
	rep_report *r = fixture_report();
	for (size_t a = 0; a < r->nareas; a++) {
		const rep_area *ar = &r->areas[a];
		for (int w = 0; w < REP_WINDOWS; w++) {
			long long sum = 0, total = -1;
			for (size_t i = 0; i < ar->nrows; i++) {
				unsigned f = ar->rows[i].flags;
				if (f & REP_ROW_TOTAL)
					total = ar->rows[i].fig[w].cur;
				else if (!(f & (REP_ROW_GROUP | REP_ROW_OUTSIDE_TOTAL)))
					sum += ar->rows[i].fig[w].cur;
			}
			assert_int_equal(sum, total);
		}
	}
	char *csv = fx_render(rep_write_csv, r);
	/* the same sum over the CSV's own row_kind column */
	long long sum = 0, total = 0;
	for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, PFX "Norton Central,", strlen(PFX "Norton Central,")) != 0 || !strstr(line, W12))
			continue;
		const char *k = strstr(line, W12) + strlen(W12) + 1;
		long long cur = strtoll(k, NULL, 10);
		if (strstr(line, ",total,0,"))
			total = cur;
		else if (strstr(line, ",leaf,") || strstr(line, ",unknown,"))
			sum += cur;
	}
	assert_int_equal(sum, 55);
	assert_int_equal(total, 55);
	free(csv);
	rep_report_free(r);
}

/* A window on missing months: counts as the data hold them, no diff or pct,
 * pct_kind none, completeness false and the months named. */
static void test_csv_incomplete(void **state)
{
	rep_report *r = fixture_report();
	fx_mark_incomplete(r);
	char *csv = fx_render(rep_write_csv, r);
	expect_line(csv, PFX "Norton Central,Total,total,0," W1 ",8,5,3,60.0,value" DONE);
	expect_line(csv, PFX "Norton Central,Total,total,0," W6 ",25,42,,,none,false,false,2024-05,2023-08,,,");
	expect_line(csv, PFX "Norton Central,Victim Based Crime > Theft Offences,leaf,1," W12
			 ",42,76,,,none,false,false,2024-05,2023-08,,,");
	/* the other area draws on no missing force */
	expect_line(csv, PFX A0Q ",Total,total,0," W12 ",363,468,-105,-22.4,value" DONE);
	free(csv);
	rep_report_free(r);
}

static void relabel(rep_row *rw, const char *label)
{
	free(rw->label);
	free(rw->path);
	rw->label = xstrdup(label);
	rw->path = xstrdup(label);
}

static void test_csv_injection(void **state)
{
	rep_report *r = fixture_report();
	rep_area *n = &r->areas[1];
	free(n->name);
	n->name = xstrdup("=1+1");
	relabel(&n->rows[0], "+SUM(A1:A9)");
	relabel(&n->rows[3], "@risk");
	relabel(&n->rows[5], "-2+3");
	relabel(&n->rows[6], "\tTab");
	relabel(&n->rows[1], "\rCR");
	relabel(&n->rows[2], "two\nlines");
	char *csv = fx_render(rep_write_csv, r);
	expect_line(csv, PFX "'=1+1,'+SUM(A1:A9),group,0," W1 ",8,4,4,100.0,value" DONE);
	expect_line(csv, PFX "'=1+1,'@risk,group,0," W1 ",0,1,-1,-100.0,value" DONE);
	/* a negative number in a numeric column stays a number */
	expect_line(csv, PFX "'=1+1,'-2+3,outside_total,0," W1 ",5,7,-2,-28.6,value" DONE);
	expect_line(csv, PFX "'=1+1,'\tTab,total,0," W12 ",55,89,-34,-38.2,value" DONE);
	expect_line(csv, PFX "'=1+1,\"'\rCR\",leaf,1," W1 ",8,4,4,100.0,value" DONE);
	assert_non_null(strstr(csv, PFX "'=1+1,\"two\nlines\",leaf,1," W6 ",3,3,0,0.0,value" DONE "\n"));
	free(csv);
	rep_report_free(r);
}

static cJSON *item(cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v) {
		print_error("no \"%s\"\n", key);
		fail();
	}
	return v;
}

static const char *str(cJSON *o, const char *key)
{
	cJSON *v = item(o, key);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static double num(cJSON *o, const char *key)
{
	cJSON *v = item(o, key);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

/* The approximation footnote under a table: one sentence, entries apart. */
static void test_markdown_approximations(void **state)
{
	(void)state;
	rep_report *r = fixture_report();
	rep_row *shop = &r->areas[0].rows[5];
	assert_string_equal(shop->label, "Shoplifting");
	shop->flags |= REP_ROW_APPROX;
	shop->note = strdup("Home Office Shoplifting");
	char *md = fx_render(rep_write_markdown, r);
	expect_line(md, "† Approximate rows: Shoplifting = Home Office Shoplifting; Criminal Damage, \"Arson\" = "
			"police.uk \"Criminal damage and arson\" covers both Home Office categories.");
	free(md);
	rep_report_free(r);
}

static void test_json(void **state)
{
	rep_report *r = fixture_report();
	r->generated_at = 1728109800; /* 2024-10-05 06:30:00 UTC */
	char *text = fx_render(rep_write_json, r);
	size_t len = strlen(text);
	assert_true(len > 2 && text[len - 1] == '\n' && text[len - 2] == '}');
	cJSON *doc = cJSON_Parse(text);
	assert_non_null(doc);

	assert_int_equal(num(doc, "schema_version"), 2);
	assert_string_equal(str(doc, "generator"), "crimetab");
	assert_string_equal(str(doc, "crimetab_version"), CRIMETAB_VERSION);
	assert_string_equal(str(doc, "generated_at"), "2024-10-05T06:30:00Z");
	assert_string_equal(str(doc, "month"), "2024-09");
	assert_string_equal(str(doc, "series_from"), "2022-10");
	assert_true(cJSON_IsNull(item(doc, "month_reason")));
	assert_int_equal(cJSON_GetArraySize(item(doc, "gaps")), 0);
	assert_string_equal(str(doc, "compare"), "yoy");
	assert_string_equal(str(doc, "comparison_basis"), "same period a year earlier");
	assert_string_equal(str(doc, "dataset"), "force");
	assert_string_equal(str(doc, "taxonomy"), "home-office");

	cJSON *windows = item(doc, "windows");
	assert_int_equal(cJSON_GetArraySize(windows), 3);
	cJSON *w6 = cJSON_GetArrayItem(windows, 1);
	assert_string_equal(str(w6, "name"), "Last 6 Months");
	assert_int_equal(num(w6, "months"), 6);
	assert_string_equal(str(w6, "from"), "2024-04");
	assert_string_equal(str(w6, "to"), "2024-09");
	assert_string_equal(str(w6, "compare_from"), "2023-04");
	assert_string_equal(str(w6, "compare_to"), "2023-09");

	assert_int_equal(cJSON_GetArraySize(item(doc, "warnings")), 1);
	cJSON *src = cJSON_GetArrayItem(item(doc, "sources"), 0);
	assert_string_equal(str(src, "force"), "Cleveland");
	assert_string_equal(str(src, "from"), "2022-10");
	assert_int_equal(num(src, "rows"), 10770);

	cJSON *areas = item(doc, "areas");
	assert_int_equal(cJSON_GetArraySize(areas), 2);
	cJSON *a0 = cJSON_GetArrayItem(areas, 0);
	assert_string_equal(str(a0, "name"), FX_AREA0);
	assert_true(cJSON_IsNull(item(a0, "offenders")));
	cJSON *rows = item(a0, "rows");
	assert_int_equal(cJSON_GetArraySize(rows), 11);

	cJSON *hom = cJSON_GetArrayItem(rows, 3);
	assert_string_equal(str(hom, "path"), "Victim Based Crime > Violence > Homicide");
	assert_int_equal(num(hom, "depth"), 2);
	assert_true(cJSON_IsFalse(item(hom, "group")));
	cJSON *hw = item(hom, "windows");
	assert_true(cJSON_IsNull(item(cJSON_GetArrayItem(hw, 0), "pct")));
	assert_string_equal(str(cJSON_GetArrayItem(hw, 0), "pct_kind"), "none");
	assert_string_equal(str(cJSON_GetArrayItem(hw, 0), "pct_text"), "");
	assert_true(cJSON_IsTrue(item(cJSON_GetArrayItem(hw, 0), "complete")));
	assert_int_equal(cJSON_GetArraySize(item(cJSON_GetArrayItem(hw, 0), "missing_months")), 0);
	assert_string_equal(str(cJSON_GetArrayItem(hw, 1), "pct_kind"), "value");
	assert_int_equal(num(cJSON_GetArrayItem(hw, 1), "diff"), -1);
	assert_true(num(cJSON_GetArrayItem(hw, 1), "pct") == -100.0);
	assert_string_equal(str(cJSON_GetArrayItem(hw, 1), "pct_text"), "-100.0%");

	cJSON *shop = cJSON_GetArrayItem(rows, 5);
	cJSON *sw = cJSON_GetArrayItem(item(shop, "windows"), 0);
	assert_true(cJSON_IsNull(item(sw, "pct")));
	assert_string_equal(str(sw, "pct_kind"), "infinity");
	assert_string_equal(str(sw, "pct_text"), "Infinity");
	cJSON *sw6 = cJSON_GetArrayItem(item(shop, "windows"), 1);
	assert_true(num(sw6, "pct") > 9.37 && num(sw6, "pct") < 9.38);
	cJSON *series = item(shop, "series");
	assert_int_equal(cJSON_GetArraySize(series), REP_SERIES);
	assert_int_equal(cJSON_GetArrayItem(series, REP_SERIES - 1)->valuedouble, 6);

	cJSON *cda = cJSON_GetArrayItem(rows, 7);
	assert_string_equal(str(cda, "label"), FX_QUOTED);
	assert_string_equal(str(cda, "approximation"), FX_NOTE);
	assert_true(cJSON_IsNull(item(hom, "approximation")));
	assert_string_equal(str(cJSON_GetArrayItem(rows, 8), "label"), FX_HOSTILE);
	assert_true(cJSON_IsTrue(item(cJSON_GetArrayItem(rows, 9), "unknown")));
	cJSON *total = cJSON_GetArrayItem(rows, 10);
	assert_true(cJSON_IsTrue(item(total, "total")));
	assert_int_equal(num(cJSON_GetArrayItem(item(total, "windows"), 0), "current"), 38);

	cJSON *a1 = cJSON_GetArrayItem(areas, 1);
	assert_true(cJSON_IsTrue(item(cJSON_GetArrayItem(item(a1, "rows"), 5), "outside_total")));
	cJSON *off = item(a1, "offenders");
	cJSON *run = cJSON_GetArrayItem(item(off, "runs"), 0);
	assert_string_equal(str(run, "plugin"), FX_PLUGIN);
	assert_string_equal(str(run, "plugin_sha256"), FX_PLUGIN_SHA);
	assert_string_equal(str(run, "model"), "synthetic-gaussian 1");
	assert_true(num(run, "threshold") == 0.6);
	cJSON *orows = item(off, "rows");
	assert_int_equal(cJSON_GetArraySize(orows), 2 * REP_OFF_COUNT);
	assert_string_equal(str(cJSON_GetArrayItem(orows, 3), "label"), "Distinct offenders (confirmed)");
	assert_true(cJSON_IsTrue(item(cJSON_GetArrayItem(orows, 3), "confirmed")));
	cJSON *sight = cJSON_GetArrayItem(orows, 0);
	assert_string_equal(str(sight, "path"), "Offenders (face match) > Sightings");
	assert_null(cJSON_GetObjectItemCaseSensitive(sight, "series"));
	assert_string_equal(str(cJSON_GetArrayItem(item(sight, "windows"), 2), "pct_text"), "Infinity");

	cJSON_Delete(doc);
	free(text);
	rep_report_free(r);
}

static const char *find_python(void);
static char *tmp(const char *name);
static void write_xlsx(const rep_report *r, const char *path);

/* Disclosure control as every renderer shows it: the fixture's offender
 * counts suppressed at 3 and their marks in CSV, JSON, Markdown and XLSX. */
static void test_disclosure_marks(void **state)
{
	(void)state;
	rep_report *r = fixture_report();
	r->suppress_below = 3;
	stats_suppress(r);
	const rep_area *n = &r->areas[1];
	/* repeat offenders, selected month: 2 now, 0 a year ago: "<3", and
	 * the difference and % would give it away */
	const rep_off_row *rep = &n->offenders[2 * REP_OFF_REPEAT];
	assert_int_equal(rep->sup[0][0], REP_SUP_SMALL);
	assert_int_equal(rep->sup[0][1], REP_SUP_NONE);
	/* distinct offenders over 12 months: 41, 20 of them confirmed, 15
	 * repeat: the differences (21, 26) are no small counts */
	assert_int_equal(n->offenders[2 * REP_OFF_DISTINCT].sup[2][0], REP_SUP_NONE);
	/* distinct offenders this month: 5, confirmed 2 (small); the month a
	 * year ago: 5 and 2 too */
	assert_int_equal(n->offenders[2 * REP_OFF_DISTINCT + 1].sup[0][0], REP_SUP_SMALL);
	/* the fixture's made-up comparison: 12 months 0, its 6 months 55; a
	 * "total" below its part is no small count of anything */
	assert_int_equal(n->offenders[2 * REP_OFF_SIGHTINGS].sup[1][1], REP_SUP_NONE);
	/* watchlist matches over 6 months: 1 (small) */
	assert_int_equal(n->offenders[2 * REP_OFF_WATCHLIST].sup[1][0], REP_SUP_SMALL);
	char *csv = fx_render(rep_write_csv, r);
	assert_non_null(strstr(csv, "Norton Central,Offenders (face match) > Repeat offenders,offenders,1,month,2024-09,"
				    "2024-09,2023-09,2023-09,<3,0,[c],[c],withheld,"));
	assert_non_null(strstr(csv, "Norton Central,Offenders (face match) > Watchlist matches,offenders,1,6 months,"
				    "2024-04,2024-09,2023-04,2023-09,<3,0,[c],[c],withheld,"));
	assert_non_null(strstr(csv, "Norton Central,Offenders (face match) > Sightings,offenders,1,12 months,2023-10,"
				    "2024-09,2022-10,2023-09,130,0,130,,infinity,"));
	char *md = fx_render(rep_write_markdown, r);
	assert_non_null(strstr(md, "| Repeat offenders | <3 | [c] | [c] |"));
	assert_non_null(strstr(md, "show as <3, and [c] hides"));
	assert_non_null(strstr(md, "## Face-match runs"));
	assert_non_null(strstr(md, "facematch-embeddings 1.1.0 (run 3"));
	assert_non_null(strstr(md, "cosine \\>= 0.6")); /* ">" escaped, as every Markdown text is */
	assert_non_null(strstr(md, "plugin sha256:0123456789abcdef"));
	char *json = fx_render(rep_write_json, r);
	cJSON *doc = cJSON_Parse(json);
	cJSON *w0 = cJSON_GetArrayItem(
		item(cJSON_GetArrayItem(item(item(cJSON_GetArrayItem(item(doc, "areas"), 1), "offenders"), "rows"),
					2 * REP_OFF_REPEAT),
		     "windows"),
		0);
	assert_true(cJSON_IsNull(item(w0, "current")));
	assert_string_equal(str(w0, "current_text"), "<3");
	assert_int_equal(num(w0, "comparison"), 0);
	assert_true(cJSON_IsNull(item(w0, "diff")));
	assert_string_equal(str(w0, "pct_text"), "[c]");
	/* no offender count from 1 to 2 is anywhere in the JSON */
	const cJSON *row;
	cJSON_ArrayForEach(row, item(item(cJSON_GetArrayItem(item(doc, "areas"), 1), "offenders"), "rows"))
	{
		const cJSON *win;
		cJSON_ArrayForEach(win, item((cJSON *)row, "windows"))
		{
			for (int k = 0; k < 2; k++) {
				const cJSON *v = cJSON_GetObjectItemCaseSensitive(win, k ? "comparison" : "current");
				assert_true(cJSON_IsNull(v) || v->valuedouble == 0 || v->valuedouble >= 3);
			}
		}
	}
	cJSON_Delete(doc);

	/* the workbook: the same marks, as text in the cells */
	const char *python = find_python();
	if (python) {
		char *path = tmp("marks.xlsx");
		write_xlsx(r, path);
		strbuf cmd = {0};
		sb_printf(&cmd, "%s -c \"import openpyxl, sys\n"
				"ws = openpyxl.load_workbook(sys.argv[1])['%s']\n"
				"rows = {r[0]: r[1:4] for r in ws.iter_rows(values_only=True) if r[0]}\n"
				"sys.exit(0 if rows['Repeat offenders'] == ('<3', '[c]', '[c]') else repr(rows['Repeat offenders']))\" '%s'",
			  python, FX_AREA1, path);
		assert_int_equal(system(cmd.buf), 0);
		sb_release(&cmd);
		free(path);
	}
	free(json);
	free(md);
	free(csv);
	rep_report_free(r);
}

/* Completeness in JSON: per row window complete, missing_months, null diff
 * and pct with pct_kind none; per area window the two spans, the gaps and
 * the footnote; per report the gaps. */
static void test_json_incomplete(void **state)
{
	rep_report *r = fixture_report();
	fx_mark_incomplete(r);
	char *text = fx_render(rep_write_json, r);
	cJSON *doc = cJSON_Parse(text);
	assert_non_null(doc);
	cJSON *gaps = item(doc, "gaps");
	assert_int_equal(cJSON_GetArraySize(gaps), 2);
	assert_string_equal(str(cJSON_GetArrayItem(gaps, 1), "force"), "Durham Constabulary");
	assert_string_equal(str(cJSON_GetArrayItem(gaps, 1), "from"), "2024-05");

	cJSON *a1 = cJSON_GetArrayItem(item(doc, "areas"), 1);
	cJSON *tw = item(cJSON_GetArrayItem(item(a1, "rows"), 6), "windows");
	cJSON *m = cJSON_GetArrayItem(tw, 0), *six = cJSON_GetArrayItem(tw, 1);
	assert_true(cJSON_IsTrue(item(m, "complete")));
	assert_int_equal(num(m, "diff"), 3);
	assert_true(cJSON_IsFalse(item(six, "complete")));
	assert_true(cJSON_IsFalse(item(six, "complete_current")));
	assert_true(cJSON_IsFalse(item(six, "complete_comparison")));
	assert_int_equal(num(six, "current"), 25);
	assert_int_equal(num(six, "comparison"), 42);
	assert_true(cJSON_IsNull(item(six, "diff")));
	assert_true(cJSON_IsNull(item(six, "pct")));
	assert_string_equal(str(six, "pct_kind"), "none");
	assert_string_equal(str(six, "current_text"), "25" REP_MARK);
	assert_string_equal(str(six, "diff_text"), "n/a" REP_MARK);
	assert_string_equal(str(six, "pct_text"), "n/a");
	cJSON *mm = item(six, "missing_months");
	assert_int_equal(cJSON_GetArraySize(mm), 2);
	assert_string_equal(cJSON_GetArrayItem(mm, 0)->valuestring, "2023-08");
	assert_string_equal(cJSON_GetArrayItem(mm, 1)->valuestring, "2024-05");

	cJSON *aw = item(a1, "windows");
	assert_true(cJSON_IsTrue(item(cJSON_GetArrayItem(aw, 0), "complete")));
	cJSON *aw12 = cJSON_GetArrayItem(aw, 2);
	assert_string_equal(str(aw12, "name"), "Last 12 Months");
	assert_true(cJSON_IsFalse(item(aw12, "complete_comparison")));
	assert_string_equal(cJSON_GetArrayItem(item(aw12, "missing_current"), 0)->valuestring, "2024-05");
	assert_string_equal(cJSON_GetArrayItem(item(aw12, "missing_comparison"), 0)->valuestring, "2023-08");
	assert_int_equal(cJSON_GetArraySize(item(a1, "series_missing")), 2);
	cJSON *notes = item(a1, "notes");
	assert_int_equal(cJSON_GetArraySize(notes), 3);
	assert_string_equal(cJSON_GetArrayItem(notes, 1)->valuestring,
			    REP_MARK " Cleveland Police: no force export for 2023-08");
	assert_string_equal(cJSON_GetArrayItem(notes, 2)->valuestring,
			    REP_MARK " Durham Constabulary: no force export for 2024-05");
	/* the other area is complete: no notes */
	assert_int_equal(cJSON_GetArraySize(item(cJSON_GetArrayItem(item(doc, "areas"), 0), "notes")), 0);
	cJSON_Delete(doc);
	free(text);
	rep_report_free(r);
}

/* Warnings and footnotes: one line per distinct set of missing months, the
 * forces named (three at most, then their number), earliest gap first. */
static void test_gap_lines(void **state)
{
	static const char *const forces[] = {"Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire",
					     "Cleveland Police", "Cumbria", "Derbyshire", "Dorset", "Durham"};
	rep_gap g[16];
	size_t n = 0;
	for (int i = 0; i < 5; i++) /* five forces lack 2021-02..2022-12 */
		g[n++] = (rep_gap){(char *)forces[i], CT_MONTH(2021, 2), CT_MONTH(2022, 12)};
	/* two lack the same two runs */
	for (int i = 5; i < 7; i++) {
		g[n++] = (rep_gap){(char *)forces[i], CT_MONTH(2022, 3), CT_MONTH(2022, 3)};
		g[n++] = (rep_gap){(char *)forces[i], CT_MONTH(2022, 7), CT_MONTH(2022, 9)};
	}
	/* three lack one month, one of them something else too */
	g[n++] = (rep_gap){(char *)forces[7], CT_MONTH(2024, 10), CT_MONTH(2024, 10)};
	g[n++] = (rep_gap){(char *)forces[8], CT_MONTH(2024, 10), CT_MONTH(2024, 10)};
	size_t nl;
	char **lines = rep_gap_lines(g, n, "street", &nl);
	assert_int_equal(nl, 3);
	assert_string_equal(lines[0], "5 forces: no police.uk street data for 2021-02 to 2022-12");
	assert_string_equal(lines[1], "Cumbria and Derbyshire: no police.uk street data for 2022-03, 2022-07 to 2022-09");
	assert_string_equal(lines[2], "Dorset and Durham: no police.uk street data for 2024-10");
	rep_lines_free(lines, nl);
	/* three names are still listed */
	lines = rep_gap_lines(g, 3, "force", &nl);
	assert_int_equal(nl, 1);
	assert_string_equal(lines[0],
			    "Avon and Somerset, Bedfordshire and Cambridgeshire: no force export for 2021-02 to 2022-12");
	rep_lines_free(lines, nl);
	assert_null(rep_gap_lines(g, 0, "force", &nl));
	assert_int_equal(nl, 0);
}

/* A scratch directory under $BUILD, removed by the teardown. */
static char tmpdir[512];

static int make_tmpdir(void **state)
{
	const char *build = getenv("BUILD");
	snprintf(tmpdir, sizeof tmpdir, "%s/test_export.XXXXXX", build && *build ? build : "build");
	if (!mkdtemp(tmpdir)) {
		snprintf(tmpdir, sizeof tmpdir, "/tmp/test_export.XXXXXX");
		if (!mkdtemp(tmpdir))
			return -1;
	}
	return 0;
}

static int remove_tmpdir(void **state)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *tmp(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static void write_xlsx(const rep_report *r, const char *path)
{
	char err[512] = "";
	int rc = rep_write_xlsx(r, path, err, sizeof err);
	if (rc != 0)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
}

static void test_xlsx_zip(void **state)
{
	rep_report *r = fixture_report();
	char *path = tmp("fixture.xlsx");
	write_xlsx(r, path);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	unsigned char head[4] = {0};
	assert_int_equal(fread(head, 1, 4, f), 4);
	assert_memory_equal(head, "PK\3\4", 4);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true(ftell(f) > 4000);
	fclose(f);
	free(path);
	rep_report_free(r);
}

/* Adds copies of area 1 (named "Area N", without offender rows) until R
 * has N areas. */
static void grow_areas(rep_report *r, size_t n)
{
	r->areas = xrealloc(r->areas, n * sizeof *r->areas);
	for (size_t a = r->nareas; a < n; a++) {
		const rep_area *src = &r->areas[1];
		rep_area *ar = &r->areas[a];
		*ar = *src;
		ar->name = xasprintf("Area %zu", a);
		ar->has_offenders = 0, ar->noffenders = 0;
		ar->gaps = NULL, ar->ngaps = 0;
		ar->highlights = NULL, ar->nhighlights = 0;
		ar->rows = xcalloc(src->nrows, sizeof *ar->rows);
		for (size_t i = 0; i < src->nrows; i++) {
			rep_row *rw = &ar->rows[i];
			*rw = src->rows[i];
			rw->label = xstrdup(rw->label);
			rw->path = xstrdup(rw->path);
			rw->note = rw->note ? xstrdup(rw->note) : NULL;
			rw->cats = rw->ncats ? xcalloc(rw->ncats, sizeof *rw->cats) : NULL;
			for (size_t k = 0; k < rw->ncats; k++) {
				rw->cats[k] = src->rows[i].cats[k];
				rw->cats[k].name = xstrdup(rw->cats[k].name);
			}
		}
	}
	r->nareas = n;
}

/* How many worksheets the workbook at PATH has: their parts' names are
 * stored uncompressed in the zip's directory, once each there. */
static int count_sheets(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = xmalloc(1 << 24);
	size_t n = fread(buf, 1, (1 << 24) - 1, f);
	fclose(f);
	int sheets = 0;
	for (size_t i = 0; i + 46 < n; i++)
		/* a central directory entry: its signature, then the name at 46 */
		if (memcmp(buf + i, "PK\1\2", 4) == 0 && memcmp(buf + i + 46, "xl/worksheets/sheet", 19) == 0)
			sheets++;
	free(buf);
	return sheets;
}

/* The default layout: a sheet per area up to REP_XLSX_SHEETS_MAX areas,
 * one long table above that; sheets and long are kept as asked. */
static void test_xlsx_layout_auto(void **state)
{
	(void)state;
	assert_int_equal(rep_xlsx_layout_for(REP_XLSX_AUTO, 0), REP_XLSX_SHEETS);
	assert_int_equal(rep_xlsx_layout_for(REP_XLSX_AUTO, 6), REP_XLSX_SHEETS);
	assert_int_equal(rep_xlsx_layout_for(REP_XLSX_AUTO, REP_XLSX_SHEETS_MAX), REP_XLSX_SHEETS);
	assert_int_equal(rep_xlsx_layout_for(REP_XLSX_AUTO, REP_XLSX_SHEETS_MAX + 1), REP_XLSX_LONG);
	assert_int_equal(rep_xlsx_layout_for(REP_XLSX_AUTO, 7000), REP_XLSX_LONG);
	assert_int_equal(rep_xlsx_layout_for(REP_XLSX_SHEETS, 7000), REP_XLSX_SHEETS);
	assert_int_equal(rep_xlsx_layout_for(REP_XLSX_LONG, 1), REP_XLSX_LONG);
	assert_string_equal(rep_xlsx_layout_name[REP_XLSX_SHEETS], "sheets");
	assert_string_equal(rep_xlsx_layout_name[REP_XLSX_LONG], "long");
	assert_string_equal(rep_xlsx_layout_name[REP_XLSX_AUTO], "auto");

	/* the workbook follows the choice: Summary, the areas or Table, Trend, Sources */
	rep_report *r = fixture_report();
	char err[512] = "";
	char *path = tmp("auto.xlsx");
	grow_areas(r, REP_XLSX_SHEETS_MAX);
	assert_int_equal(rep_write_xlsx_layout(r, path, REP_XLSX_AUTO, err, sizeof err), 0);
	assert_int_equal(count_sheets(path), REP_XLSX_SHEETS_MAX + 3);
	grow_areas(r, REP_XLSX_SHEETS_MAX + 1);
	assert_int_equal(rep_write_xlsx_layout(r, path, REP_XLSX_AUTO, err, sizeof err), 0);
	assert_int_equal(count_sheets(path), 4);
	assert_int_equal(rep_write_xlsx_layout(r, path, REP_XLSX_SHEETS, err, sizeof err), 0);
	assert_int_equal(count_sheets(path), REP_XLSX_SHEETS_MAX + 4);
	free(path);
	rep_report_free(r);
}

static void test_xlsx_error(void **state)
{
	rep_report *r = fixture_report();
	char err[512] = "";
	const char *path = "/nonexistent-crimetab-dir/out.xlsx";
	assert_int_equal(rep_write_xlsx(r, path, err, sizeof err), -1);
	assert_memory_equal(err, path, strlen(path));
	assert_memory_equal(err + strlen(path), ": ", 2);
	assert_true(strlen(err) > strlen(path) + 4);

	/* a failure while the sheets are built frees the workbook unwritten */
	char *big = xmalloc(40000);
	memset(big, 'x', 39999);
	big[39999] = '\0';
	relabel(&r->areas[1].rows[1], big);
	free(big);
	char *p = tmp("too-long.xlsx");
	assert_int_equal(rep_write_xlsx(r, p, err, sizeof err), -1);
	assert_memory_equal(err, p, strlen(p));
	assert_int_equal(access(p, F_OK), -1);
	print_message("%s\n", err);
	free(p);
	rep_report_free(r);
}

/* A python3 that can import openpyxl: $PYTHON, python3 on PATH, or the
 * system one (a pyenv python3 on PATH often lacks Debian's openpyxl). */
static const char *find_python(void)
{
	const char *cand[] = {getenv("PYTHON"), "python3", "/usr/bin/python3"};
	for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++) {
		char cmd[512];
		if (!cand[i] || !*cand[i])
			continue;
		snprintf(cmd, sizeof cmd, "%s -c 'import openpyxl' >/dev/null 2>&1", cand[i]);
		if (system(cmd) == 0)
			return cand[i];
	}
	return NULL;
}

static void sh_arg(strbuf *sb, const char *s)
{
	sb_puts(sb, " '");
	for (; *s; s++)
		if (*s == '\'')
			sb_puts(sb, "'\\''");
		else
			sb_putc(sb, *s);
	sb_putc(sb, '\'');
}

/* The area's table as the paper prints it, from the model's own cell
 * formats: what check-xlsx.py compares the sheet with. */
static char *write_tsv(const rep_area *ar, const char *name)
{
	char *path = tmp(name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < ar->nrows; i++) {
		const rep_row *rw = &ar->rows[i];
		fprintf(f, "%d\t%s", rw->depth, rw->label);
		for (int w = 0; w < REP_WINDOWS; w++) {
			char c[32], d[32], p[32];
			rep_fmt_cur(&rw->fig[w], c, sizeof c);
			rep_fmt_diff(&rw->fig[w], d, sizeof d);
			rep_fmt_pct(&rw->fig[w], p, sizeof p);
			fprintf(f, "\t%s\t%s\t%s", c, d, p);
		}
		fputc('\n', f);
	}
	assert_int_equal(fclose(f), 0);
	return path;
}

static void run_check(const char *python, const char *xlsx, const char *const *args, size_t nargs)
{
	strbuf cmd = {0};
	sb_puts(&cmd, python);
	sh_arg(&cmd, "tests/tools/check-xlsx.py");
	sh_arg(&cmd, xlsx);
	for (size_t i = 0; i < nargs; i++)
		sh_arg(&cmd, args[i]);
	int rc = system(cmd.buf);
	if (rc != 0)
		print_error("failed (%d): %s\n", rc, cmd.buf);
	sb_release(&cmd);
	assert_int_equal(rc, 0);
}

static void test_xlsx_openpyxl(void **state)
{
	const char *python = find_python();
	if (!python) {
		print_message("no python3 with openpyxl: workbook contents not checked\n");
		skip();
	}
	rep_report *r = fixture_report();
	char *path = tmp("checked.xlsx");
	write_xlsx(r, path);
	char *tsv0 = write_tsv(&r->areas[0], "area0.tsv");
	char *tsv1 = write_tsv(&r->areas[1], "area1.tsv");
	char *exp0 = xasprintf("%s=%s", FX_AREA0, tsv0);
	char *exp1 = xasprintf("%s=%s", FX_AREA1, tsv1);
	const char *args[] = {"--expect-sheet", "Summary", "--expect-sheet", SHEET0, "--expect-sheet", FX_AREA1,
			      "--expect-sheet", "Trend", "--expect-sheet", "Sources", "--expect-tsv", exp0,
			      "--expect-tsv", exp1};
	run_check(python, path, args, sizeof args / sizeof args[0]);
	free(exp0);
	free(exp1);
	free(tsv0);
	free(tsv1);
	free(path);

	/* an area on missing months: marked cells, and its footnote under the
	 * table; the Summary says what the mark means */
	fx_mark_incomplete(r);
	path = tmp("incomplete.xlsx");
	write_xlsx(r, path);
	tsv1 = write_tsv(&r->areas[1], "area1-incomplete.tsv");
	exp1 = xasprintf("%s=%s", FX_AREA1, tsv1);
	size_t nnotes;
	char **notes = rep_gap_notes(r, &r->areas[1], &nnotes);
	assert_int_equal(nnotes, 3);
	char *note1 = xasprintf("%s=%s", FX_AREA1, notes[1]);
	char *note2 = xasprintf("%s=%s", FX_AREA1, notes[2]);
	char *legend = xasprintf("Summary=%s", notes[0]);
	const char *inc[] = {"--expect-tsv", exp1, "--expect-note", note1, "--expect-note", note2,
			     "--expect-note", legend};
	run_check(python, path, inc, sizeof inc / sizeof inc[0]);
	rep_lines_free(notes, nnotes);
	free(note1);
	free(note2);
	free(legend);
	free(exp1);
	free(tsv1);
	free(path);

	/* same name but for case, once cut to 31: the second gets " (2)" */
	free(r->areas[1].name);
	r->areas[1].name = xstrdup("STOCKTON | \"TOWN\" CENTRE: [X] & HIGH STREET EAST");
	path = tmp("clash.xlsx");
	write_xlsx(r, path);
	const char *clash[] = {"--expect-sheet", "Summary", "--expect-sheet", SHEET0, "--expect-sheet",
			       "STOCKTON | \"TOWN\" Ctr- (X)\xe2\x80\xa6 (2)", "--expect-sheet", "Trend", "--expect-sheet",
			       "Sources"};
	run_check(python, path, clash, sizeof clash / sizeof clash[0]);
	free(path);

	/* the real town centres' long names: shortened at words, the full
	 * name in A1 (check-xlsx matches the TSV by it) */
	free(r->areas[0].name);
	r->areas[0].name = xstrdup("Thornaby Town Centre (Stainsby Hill)");
	free(r->areas[1].name);
	r->areas[1].name = xstrdup("Ingleby Barwick Town Centre (Ingleby Barwick West)");
	path = tmp("names.xlsx");
	write_xlsx(r, path);
	tsv1 = write_tsv(&r->areas[1], "area1-names.tsv");
	exp1 = xasprintf("%s=%s", r->areas[1].name, tsv1);
	const char *names[] = {"--expect-sheet", "Summary", "--expect-sheet", "Thornaby TC (Stainsby Hill)",
			       "--expect-sheet", "Ingleby Barwick TC (Ingleby\xe2\x80\xa6)", "--expect-sheet", "Trend",
			       "--expect-sheet", "Sources", "--expect-tsv", exp1};
	run_check(python, path, names, sizeof names / sizeof names[0]);
	free(exp1);
	free(tsv1);
	free(path);

	/* the long layout: one table, the area as a column */
	path = tmp("long.xlsx");
	char err[512] = "";
	assert_int_equal(rep_write_xlsx_layout(r, path, REP_XLSX_LONG, err, sizeof err), 0);
	tsv1 = write_tsv(&r->areas[1], "area1-long.tsv");
	exp1 = xasprintf("%s=%s", r->areas[1].name, tsv1);
	const char *lng[] = {"--long", "--expect-tsv", exp1};
	run_check(python, path, lng, sizeof lng / sizeof lng[0]);
	free(exp1);
	free(tsv1);
	free(path);
	rep_report_free(r);

	/* significance: flagged % Diff cells (the mark in the number format,
	 * the right way round, with the fill) in both layouts, the legend on
	 * every table's sheet, and the Highlights sheet after the Summary */
	r = fixture_report();
	const char *const watch[] = {"Shoplifting"};
	stats_significance(r, REP_SIG_ETEST, 0.05, watch, 1);
	r->phrases = rep_phrases_load("plain-english", err, sizeof err);
	assert_non_null(r->phrases);
	path = tmp("marks.xlsx");
	write_xlsx(r, path);
	tsv0 = write_tsv(&r->areas[0], "area0-marks.tsv");
	exp0 = xasprintf("%s=%s", FX_AREA0, tsv0);
	const char *marks[] = {"--expect-marks", "--expect-sheet", "Summary", "--expect-sheet", "Highlights",
			       "--expect-sheet", SHEET0, "--expect-sheet", FX_AREA1, "--expect-sheet", "Trend",
			       "--expect-sheet", "Sources", "--expect-tsv", exp0};
	run_check(python, path, marks, sizeof marks / sizeof marks[0]);
	free(path);
	path = tmp("marks-long.xlsx");
	assert_int_equal(rep_write_xlsx_layout(r, path, REP_XLSX_LONG, err, sizeof err), 0);
	const char *lmarks[] = {"--long", "--expect-marks", "--expect-tsv", exp0};
	run_check(python, path, lmarks, sizeof lmarks / sizeof lmarks[0]);
	free(exp0);
	free(tsv0);
	free(path);
	rep_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_lines),
		cmocka_unit_test(test_markdown_approximations),
		cmocka_unit_test(test_csv_row_kinds_sum),
		cmocka_unit_test(test_csv_incomplete),
		cmocka_unit_test(test_csv_injection),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_disclosure_marks),
		cmocka_unit_test(test_json_incomplete),
		cmocka_unit_test(test_gap_lines),
		cmocka_unit_test(test_xlsx_zip),
		cmocka_unit_test(test_xlsx_error),
		cmocka_unit_test(test_xlsx_layout_auto),
		cmocka_unit_test(test_xlsx_openpyxl),
	};
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
