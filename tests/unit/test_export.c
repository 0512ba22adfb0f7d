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

#include "fixture_report.h"
#include "report/export.h"
#include "stats/stats.h"

#define A0Q "\"Stockton | \"\"Town\"\" Centre: [x] & High Street\""
#define SHEET0 "Stockton | \"Town\" Centre- (x) &"

static char *render(int (*write)(const rep_report *, FILE *), const rep_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(write(r, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

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

static void test_csv_lines(void **state)
{
	rep_report *r = fixture_report();
	char *csv = render(rep_write_csv, r);
	assert_true(strncmp(csv, "area,row,depth,window,current,comparison,diff,pct\n", 50) == 0);
	size_t lines = 0;
	for (const char *p = csv; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1 + (11 + 7) * REP_WINDOWS + REP_OFF_ROWS * REP_WINDOWS);

	/* zeros as plain integers, blanks only in pct */
	expect_line(csv, A0Q ",Victim Based Crime > Violence > Homicide,2,month,0,0,0,");
	expect_line(csv, A0Q ",Victim Based Crime > Violence > Homicide,2,6 months,0,1,-1,-100.0%");
	expect_line(csv, A0Q ",Victim Based Crime > Theft Offences > Shoplifting,2,month,6,0,6,Infinity");
	expect_line(csv, A0Q ",Victim Based Crime > Theft Offences > Shoplifting,2,6 months,35,32,3,9.4%");
	expect_line(csv, A0Q ",Victim Based Crime > Theft Offences > Shoplifting,2,12 months,82,86,-4,-4.7%");
	expect_line(csv, A0Q ",Victim Based Crime > Theft Offences > Bicycle Theft,2,month,1,1,0,0.0%");
	expect_line(csv, A0Q ",\"Victim Based Crime > Criminal Damage, \"\"Arson\"\"\",1,month,11,6,5,83.3%");
	expect_line(csv, A0Q ",'=cmd|' /C calc'!A0,0,month,2,0,2,Infinity");
	expect_line(csv, A0Q ",Unknown,0,12 months,0,1,-1,-100.0%");
	expect_line(csv, A0Q ",Total,0,month,38,15,23,153.3%");
	expect_line(csv, A0Q ",Total,0,12 months,363,468,-105,-22.4%");
	expect_line(csv, "Norton Central,Total,0,month,8,5,3,60.0%");
	expect_line(csv, "Norton Central,Anti-social behaviour,0,month,5,7,-2,-28.6%");
	expect_line(csv, "Norton Central,Offenders (face match) > Sightings,1,12 months,130,0,130,Infinity");
	expect_line(csv, "Norton Central,Offenders (face match) > Watchlist matches,1,month,0,0,0,");
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
	char *csv = render(rep_write_csv, r);
	expect_line(csv, "'=1+1,'+SUM(A1:A9),0,month,8,4,4,100.0%");
	expect_line(csv, "'=1+1,'@risk,0,month,0,1,-1,-100.0%");
	/* a negative number in a numeric column stays a number */
	expect_line(csv, "'=1+1,'-2+3,0,month,5,7,-2,-28.6%");
	expect_line(csv, "'=1+1,'\tTab,0,12 months,55,89,-34,-38.2%");
	expect_line(csv, "'=1+1,\"'\rCR\",1,month,8,4,4,100.0%");
	assert_non_null(strstr(csv, "'=1+1,\"two\nlines\",1,6 months,3,3,0,0.0%\n"));
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

static void test_json(void **state)
{
	rep_report *r = fixture_report();
	char *text = render(rep_write_json, r);
	size_t len = strlen(text);
	assert_true(len > 2 && text[len - 1] == '\n' && text[len - 2] == '}');
	cJSON *doc = cJSON_Parse(text);
	assert_non_null(doc);

	assert_int_equal(num(doc, "schema_version"), 1);
	assert_string_equal(str(doc, "generator"), "crimetab");
	assert_string_equal(str(doc, "month"), "2024-09");
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
	assert_string_equal(str(cJSON_GetArrayItem(hw, 0), "pct_text"), "");
	assert_int_equal(num(cJSON_GetArrayItem(hw, 1), "diff"), -1);
	assert_true(num(cJSON_GetArrayItem(hw, 1), "pct") == -100.0);
	assert_string_equal(str(cJSON_GetArrayItem(hw, 1), "pct_text"), "-100.0%");

	cJSON *shop = cJSON_GetArrayItem(rows, 5);
	cJSON *sw = cJSON_GetArrayItem(item(shop, "windows"), 0);
	assert_true(cJSON_IsNull(item(sw, "pct")));
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
	char *csv = render(rep_write_csv, r);
	expect_line(csv, "Norton Central,Offenders (face match) > Repeat offenders,1,month,<3,0,[c],[c]");
	expect_line(csv, "Norton Central,Offenders (face match) > Watchlist matches,1,6 months,<3,0,[c],[c]");
	expect_line(csv, "Norton Central,Offenders (face match) > Sightings,1,12 months,130,0,130,Infinity");
	char *md = render(rep_write_markdown, r);
	assert_non_null(strstr(md, "| Repeat offenders | <3 | [c] | [c] |"));
	assert_non_null(strstr(md, "show as <3, and [c] hides"));
	assert_non_null(strstr(md, "## Face-match runs"));
	assert_non_null(strstr(md, "facematch-embeddings 1.1.0 (run 3"));
	assert_non_null(strstr(md, "cosine \\>= 0.6")); /* ">" escaped, as every Markdown text is */
	assert_non_null(strstr(md, "plugin sha256:0123456789abcdef"));
	char *json = render(rep_write_json, r);
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
			rep_fmt_count(rw->fig[w].cur, c, sizeof c);
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

	/* same name but for case, once cut to 31: the second gets " (2)" */
	free(r->areas[1].name);
	r->areas[1].name = xstrdup("STOCKTON | \"TOWN\" CENTRE: [X] & HIGH STREET EAST");
	path = tmp("clash.xlsx");
	write_xlsx(r, path);
	const char *clash[] = {"--expect-sheet", "Summary", "--expect-sheet", SHEET0, "--expect-sheet",
			       "STOCKTON | \"TOWN\" CENTRE- ( (2)", "--expect-sheet", "Trend", "--expect-sheet", "Sources"};
	run_check(python, path, clash, sizeof clash / sizeof clash[0]);
	free(path);
	rep_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_lines),
		cmocka_unit_test(test_csv_injection),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_disclosure_marks),
		cmocka_unit_test(test_xlsx_zip),
		cmocka_unit_test(test_xlsx_error),
		cmocka_unit_test(test_xlsx_openpyxl),
	};
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
