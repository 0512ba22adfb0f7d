/* Unit tests for crimetab evaluate's figures: distances to an area in
 * metres, the counts of treated, control and buffer groups (in metres and
 * named), the WDD on them, the category filter, unequal periods, missing
 * months, bad requests, and the Markdown and JSON renderings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "areas/areas.h"
#include "core/util.h"
#include "import/import.h"
#include "report/evaluation.h"
#include "report/sigfmt.h"
#include "stats/evaluate.h"
#include "store/store.h"
#include "taxonomy/taxonomy.h"
#include "fixture_store.h"

/* ---- distances ---- */

#define SQUARE(x0, y0, x1, y1)                                                                                   \
	"{\"type\": \"Polygon\", \"coordinates\": [[[" #x0 ", " #y0 "], [" #x1 ", " #y0 "], [" #x1 ", " #y1 "], [" \
	#x0 ", " #y1 "], [" #x0 ", " #y0 "]]]}"

/* Expected distances from a transverse Mercator projection centred on the
 * square's north-east corner (PROJ via gdaltransform: +proj=tmerc
 * +lat_0=54.57 +lon_0=-1.30 +k=1 +ellps=WGS84), exact to millimetres here. */
static void test_distance_m(void **state)
{
	(void)state;
	char err[256] = "";
	char name[] = "Square", def[] = SQUARE(-1.32, 54.56, -1.30, 54.57);
	area_def d = {.name = name, .kind = "polygon", .definition = def};
	long long id = 7;
	area_set *set = area_set_from_defs(&d, &id, 1, err, sizeof err);
	assert_non_null(set);
	/* north of the top edge, east of the right edge, beyond the corner */
	assert_true(fabs(area_set_distance_m(set, 7, -1.31, 54.5718) - 200.368) < 0.2);
	assert_true(fabs(area_set_distance_m(set, 7, -1.297, 54.57) - 194.030) < 0.2);
	assert_true(fabs(area_set_distance_m(set, 7, -1.297, 54.5718) - 278.90) < 0.28);
	/* inside and on the edge */
	assert_true(area_set_distance_m(set, 7, -1.31, 54.565) == 0);
	assert_true(area_set_distance_m(set, 7, -1.30, 54.565) == 0);
	/* not an area of the set */
	assert_true(area_set_distance_m(set, 8, -1.31, 54.565) < 0);
	double box[4] = {1, 0, -1, 0};
	assert_int_equal(area_set_box_m(set, 7, 200, box), 0);
	/* 200 m is about 0.0018 degrees of latitude and 0.0031 of longitude here */
	assert_true(fabs(box[1] - (54.56 - 0.0018)) < 0.0001 && fabs(box[3] - (54.57 + 0.0018)) < 0.0001);
	assert_true(fabs(box[0] - (-1.32 - 0.0031)) < 0.0001 && fabs(box[2] - (-1.30 + 0.0031)) < 0.0001);
	area_set_free(set);
	/* an LSOA list has no boundary to measure from */
	char lname[] = "List", ldef[] = "{\"lsoa_codes\": [\"E01012345\"]}";
	area_def l = {.name = lname, .kind = "lsoa", .definition = ldef};
	set = area_set_from_defs(&l, &id, 1, err, sizeof err);
	assert_non_null(set);
	assert_true(area_set_distance_m(set, 7, -1.31, 54.565) < 0);
	assert_int_equal(area_set_box_m(set, 7, 200, box), -1);
	area_set_free(set);
}

static void test_fmt_p(void **state)
{
	(void)state;
	char buf[32];
	rep_fmt_p(0.2387, buf, sizeof buf);
	assert_string_equal(buf, "0.24");
	rep_fmt_p(0.0824, buf, sizeof buf);
	assert_string_equal(buf, "0.082");
	rep_fmt_p(0.0496, buf, sizeof buf); /* not "0.05": it passes at 5% */
	assert_string_equal(buf, "0.0496");
	rep_fmt_p(0.0996, buf, sizeof buf);
	assert_string_equal(buf, "0.0996");
	rep_fmt_p(0.0009, buf, sizeof buf);
	assert_string_equal(buf, "< 0.001");
	rep_fmt_p(1, buf, sizeof buf);
	assert_string_equal(buf, "1");
	rep_fmt_p(NAN, buf, sizeof buf);
	assert_string_equal(buf, "");
	/* in words: never "p = < 0.001" */
	rep_fmt_p_stmt(0.2387, buf, sizeof buf);
	assert_string_equal(buf, "p = 0.24");
	rep_fmt_p_stmt(0.0009, buf, sizeof buf);
	assert_string_equal(buf, "p < 0.001");
	rep_fmt_p_stmt(NAN, buf, sizeof buf);
	assert_string_equal(buf, "");
}

/* ---- a small store ---- */

typedef store_fixture fixture;

static const char *const mini_taxonomy =
	"{\"taxonomy_version\": 1, \"name\": \"Mini\", \"rows\": ["
	"{\"label\": \"Theft\", \"children\": [{\"label\": \"Shoplifting\", \"match\": [\"Shop theft\"]},"
	"{\"label\": \"Other theft\", \"match\": [\"Other\"]}]},"
	"{\"label\": \"Damage\", \"children\": [{\"label\": \"Other theft\", \"match\": [\"Damage other\"]}]},"
	"{\"label\": \"ASB\", \"outside_total\": true, \"match\": [\"ASB\"]}]}";

static const char *const mapping =
	"{\"mapping_version\": 1, \"name\": \"test export\", \"force\": \"Test Police\", \"date_format\": "
	"\"yyyy-mm-dd\", \"columns\": {\"crime_id\": \"Ref\", \"date\": \"Date\", \"category\": \"Offence\", "
	"\"area\": \"Zone\", \"longitude\": \"Lon\", \"latitude\": \"Lat\"}}";

/* Treated and control squares 2.6 km apart; named buffers by area value. */
static const char *const areas_json =
	"{\"areas\": [{\"name\": \"Treated\", \"geometry\": " SQUARE(-1.32, 54.56, -1.30, 54.57) "},"
	"{\"name\": \"Control\", \"geometry\": " SQUARE(-1.26, 54.56, -1.24, 54.57) "},"
	"{\"name\": \"Near treated\", \"area_values\": [\"TB\"]},"
	"{\"name\": \"Near control\", \"area_values\": [\"CB\"]},"
	"{\"name\": \"Listed\", \"area_values\": [\"LIST\"]}]}";

/* Places: inside each square, about 100 m north of the treated square and
 * 300 m north of it, and about 150 m east of the control square. */
#define IN_T "-1.31,54.565"
#define NEAR_T "-1.31,54.5709"
#define FAR_T "-1.31,54.5727"
#define IN_C "-1.25,54.565"
#define NEAR_C "-1.23767,54.565"

static void rows(strbuf *sb, int n, const char *date, const char *offence, const char *zone, const char *where)
{
	static int ref;
	for (int i = 0; i < n; i++)
		sb_printf(sb, "R%d,%s,%s,%s,%s\n", ++ref, date, offence, zone, where);
}

/* Months 2024-01 to 2024-06: three before April, three from it. */
static void fill(strbuf *sb)
{
	sb_puts(sb, "Ref,Date,Offence,Zone,Lon,Lat\n");
	rows(sb, 20, "2024-01-10", "Shop theft", "", IN_T);
	rows(sb, 10, "2024-05-10", "Shop theft", "", IN_T);
	rows(sb, 12, "2024-02-10", "Shop theft", "", IN_C);
	rows(sb, 8, "2024-03-10", "Shop theft", "", IN_C);
	rows(sb, 20, "2024-06-10", "Shop theft", "", IN_C);
	rows(sb, 5, "2024-03-10", "Shop theft", "TB", NEAR_T);
	rows(sb, 8, "2024-04-10", "Shop theft", "TB", NEAR_T);
	rows(sb, 7, "2024-04-10", "Shop theft", "", FAR_T);
	rows(sb, 4, "2024-01-10", "Shop theft", "CB", NEAR_C);
	rows(sb, 4, "2024-06-10", "Shop theft", "CB", NEAR_C);
	/* other rows: for the Total and the path */
	rows(sb, 3, "2024-02-10", "Other", "", IN_T);
	rows(sb, 6, "2024-02-10", "Damage other", "", IN_T);
	rows(sb, 9, "2024-05-10", "ASB", "", IN_T);
}

static int setup(void **state)
{
	if (sfx_setup(state, "evaluate", mini_taxonomy, areas_json) != 0)
		return -1;
	strbuf sb = {0};
	fill(&sb);
	int rc = sfx_import(*state, mapping, sb.buf, "export.csv");
	sb_release(&sb);
	return rc;
}

/* A second force, Other Police, whose files stop in March 2024: its crimes
 * are in Elsewhere, a square 5 km from the others, so neither Treated nor
 * Control draws on it. */
static const char *const other_mapping =
	"{\"mapping_version\": 1, \"name\": \"other export\", \"force\": \"Other Police\", \"date_format\": "
	"\"yyyy-mm-dd\", \"columns\": {\"crime_id\": \"Ref\", \"date\": \"Date\", \"category\": \"Offence\", "
	"\"area\": \"Zone\", \"longitude\": \"Lon\", \"latitude\": \"Lat\"}}";
#define IN_E "-1.15,54.565"

static int setup_two_forces(void **state)
{
	if (setup(state) != 0)
		return -1;
	fixture *fx = *state;
	strbuf sb = {0};
	sb_puts(&sb, "Ref,Date,Offence,Zone,Lon,Lat\n");
	rows(&sb, 9, "2024-01-10", "Shop theft", "", IN_E);
	rows(&sb, 6, "2024-03-10", "Shop theft", "", IN_E);
	int rc = sfx_load_areas(fx, "elsewhere.json",
				"{\"areas\": [{\"name\": \"Elsewhere\", \"geometry\": " SQUARE(-1.16, 54.56, -1.14, 54.57) "}]}") ||
		 sfx_import(fx, other_mapping, sb.buf, "other.csv");
	sb_release(&sb);
	return rc ? -1 : 0;
}

static const char *const treated[] = {"Treated"}, *const control[] = {"Control"};

static stats_eval_request request(void)
{
	stats_eval_request q = {.treated = treated, .ntreated = 1, .control = control, .ncontrol = 1,
				.start = CT_MONTH(2024, 4), .pre = 3, .post = 3, .category = "Shoplifting",
				.alpha = 0.05};
	return q;
}

static rep_eval *evaluate(fixture *fx, const stats_eval_request *q)
{
	char err[1024] = "";
	ct_status why;
	rep_eval *e = stats_evaluate(fx->s, fx->t, q, &why, err, sizeof err);
	if (!e)
		fail_msg("stats_evaluate: %s", err);
	assert_int_equal(why, CT_OK);
	return e;
}

static void group_is(const rep_ev_test *t, int role, long long pre, long long post)
{
	const rep_ev_group *g = &t->group[role];
	if (!g->present || g->pre != pre || g->post != post)
		fail_msg("%s: %s%lld -> %lld, want %lld -> %lld", rep_ev_role_label[role], g->present ? "" : "absent, ",
			 g->pre, g->post, pre, post);
}

static void test_eval_no_buffers(void **state)
{
	fixture *fx = *state;
	stats_eval_request q = request();
	rep_eval *e = evaluate(fx, &q);
	assert_int_equal(e->pre_from, CT_MONTH(2024, 1));
	assert_int_equal(e->pre_to, CT_MONTH(2024, 3));
	assert_int_equal(e->post_from, CT_MONTH(2024, 4));
	assert_int_equal(e->post_to, CT_MONTH(2024, 6));
	group_is(&e->crimes, REP_EV_TREATED, 20, 10);
	group_is(&e->crimes, REP_EV_CONTROL, 20, 20);
	assert_false(e->crimes.group[REP_EV_TREATED_BUFFER].present);
	assert_true(e->crimes.tested);
	assert_true(e->crimes.est == -10);
	assert_true(fabs(e->crimes.se - sqrt(70.0)) < 1e-12);
	assert_true(fabs(e->crimes.z - -10 / sqrt(70.0)) < 1e-12);
	assert_false(e->crimes.significant); /* z = -1.20 */
	assert_int_equal(e->nwarnings, 0);
	assert_string_equal(e->category_path, "Theft > Shoplifting");
	rep_eval_free(e);
}

/* The ring 200 m wide: the crimes 100 m north of the treated square and 150
 * m east of the control count, those 300 m north do not. */
static void test_eval_buffer_metres(void **state)
{
	fixture *fx = *state;
	stats_eval_request q = request();
	q.buffer_m = 200;
	rep_eval *e = evaluate(fx, &q);
	group_is(&e->crimes, REP_EV_TREATED, 20, 10);
	group_is(&e->crimes, REP_EV_CONTROL, 20, 20);
	group_is(&e->crimes, REP_EV_TREATED_BUFFER, 5, 8);
	group_is(&e->crimes, REP_EV_CONTROL_BUFFER, 4, 4);
	assert_string_equal(e->crimes.group[REP_EV_TREATED_BUFFER].name, "200 m around Treated");
	assert_true(e->crimes.local == -10);
	assert_true(e->crimes.displace == 3);
	assert_true(e->crimes.est == -7);
	assert_true(fabs(e->crimes.se * e->crimes.se - 91) < 1e-9);
	rep_eval_free(e);
	/* 400 m reaches the crimes 300 m out too; 120 m misses the control's */
	q.buffer_m = 400;
	e = evaluate(fx, &q);
	group_is(&e->crimes, REP_EV_TREATED_BUFFER, 5, 15);
	rep_eval_free(e);
	q.buffer_m = 120;
	e = evaluate(fx, &q);
	group_is(&e->crimes, REP_EV_TREATED_BUFFER, 5, 8);
	group_is(&e->crimes, REP_EV_CONTROL_BUFFER, 0, 0);
	rep_eval_free(e);
}

static void test_eval_named_buffers(void **state)
{
	fixture *fx = *state;
	const char *const tb[] = {"Near treated"}, *const cb[] = {"Near control"};
	stats_eval_request q = request();
	q.treated_buffer = tb;
	q.ntreated_buffer = 1;
	q.control_buffer = cb;
	q.ncontrol_buffer = 1;
	rep_eval *e = evaluate(fx, &q);
	group_is(&e->crimes, REP_EV_TREATED_BUFFER, 5, 8);
	group_is(&e->crimes, REP_EV_CONTROL_BUFFER, 4, 4);
	assert_true(e->crimes.est == -7);
	assert_true(e->buffer_m == 0);
	rep_eval_free(e);
}

/* The Total leaves out rows outside it (ASB); a group row holds its
 * children; a path picks one of two rows with the same label. */
static void test_eval_categories(void **state)
{
	fixture *fx = *state;
	stats_eval_request q = request();
	q.category = "Total";
	rep_eval *e = evaluate(fx, &q);
	group_is(&e->crimes, REP_EV_TREATED, 29, 10);
	rep_eval_free(e);
	q.category = "theft";
	e = evaluate(fx, &q);
	group_is(&e->crimes, REP_EV_TREATED, 23, 10);
	rep_eval_free(e);
	q.category = "Damage > Other theft";
	e = evaluate(fx, &q);
	group_is(&e->crimes, REP_EV_TREATED, 6, 0);
	rep_eval_free(e);
	/* a source category the taxonomy maps */
	q.category = "Shop theft";
	e = evaluate(fx, &q);
	assert_string_equal(e->category, "Shoplifting");
	rep_eval_free(e);
	char err[1024] = "";
	ct_status why;
	q.category = "Other theft";
	assert_null(stats_evaluate(fx->s, fx->t, &q, &why, err, sizeof err));
	assert_int_equal(why, CT_EUSAGE);
	assert_non_null(strstr(err, "\"Theft > Other theft\", \"Damage > Other theft\""));
	q.category = "Burglary";
	assert_null(stats_evaluate(fx->s, fx->t, &q, &why, err, sizeof err));
	assert_int_equal(why, CT_EUSAGE);
	assert_non_null(strstr(err, "no row \"Burglary\" in taxonomy Mini"));
}

/* Two months before against three after: the before counts are scaled. */
static void test_eval_unequal_periods(void **state)
{
	fixture *fx = *state;
	stats_eval_request q = request();
	q.pre = 2;
	rep_eval *e = evaluate(fx, &q);
	assert_int_equal(e->pre_from, CT_MONTH(2024, 2));
	group_is(&e->crimes, REP_EV_TREATED, 0, 10);
	group_is(&e->crimes, REP_EV_CONTROL, 20, 20);
	assert_true(fabs(e->crimes.group[REP_EV_CONTROL].pre_scaled - 30) < 1e-12);
	assert_true(fabs(e->crimes.est - (10 - (20 - 30))) < 1e-12);
	assert_true(fabs(e->crimes.se * e->crimes.se - (10 + 20 + 2.25 * 20)) < 1e-9);
	assert_int_equal(e->nnotes, 1);
	rep_eval_free(e);
}

/* Defaults: after runs to the latest month (June), before is as long. */
static void test_eval_default_periods(void **state)
{
	fixture *fx = *state;
	stats_eval_request q = request();
	q.pre = q.post = 0;
	q.start = CT_MONTH(2024, 5);
	rep_eval *e = evaluate(fx, &q);
	assert_int_equal(e->post_from, CT_MONTH(2024, 5));
	assert_int_equal(e->post_to, CT_MONTH(2024, 6));
	assert_int_equal(e->pre_from, CT_MONTH(2024, 3));
	rep_eval_free(e);
	q.skip = 1;
	e = evaluate(fx, &q);
	assert_int_equal(e->post_from, CT_MONTH(2024, 6));
	assert_int_equal(e->post_to, CT_MONTH(2024, 6));
	assert_int_equal(e->pre_from, CT_MONTH(2024, 4));
	rep_eval_free(e);
}

/* Months the data lack: the counts are given, the test is not made. */
static void test_eval_missing_months(void **state)
{
	fixture *fx = *state;
	stats_eval_request q = request();
	q.post = 5;
	rep_eval *e = evaluate(fx, &q);
	assert_int_equal(e->nwarnings, 1);
	assert_non_null(strstr(e->warnings[0], "Test Police: no force export imported for 2 months the evaluation "
					       "needs: 2024-07, 2024-08"));
	assert_false(e->crimes.tested);
	group_is(&e->crimes, REP_EV_TREATED, 20, 10);
	char *v = rep_eval_verdict(e, &e->crimes, NULL);
	assert_non_null(strstr(v, "Not tested"));
	free(v);
	rep_eval_free(e);
}

/* Other Police lacks April to June: that withholds a test only of areas
 * that draw on it, and the periods after end with the areas' own forces. */
static void test_eval_two_forces(void **state)
{
	fixture *fx = *state;
	stats_eval_request q = request();
	rep_eval *e = evaluate(fx, &q);
	assert_int_equal(e->nwarnings, 0);
	assert_true(e->crimes.tested);
	group_is(&e->crimes, REP_EV_TREATED, 20, 10);
	rep_eval_free(e);
	/* by default, after runs to June: Test Police's latest, not Other Police's March */
	q.pre = q.post = 0;
	q.start = CT_MONTH(2024, 5);
	e = evaluate(fx, &q);
	assert_int_equal(e->post_to, CT_MONTH(2024, 6));
	assert_true(e->crimes.tested);
	rep_eval_free(e);
	/* a control in Other Police's data: its gap is named and stops the test */
	const char *const elsewhere[] = {"Elsewhere"};
	q = request();
	q.control = elsewhere;
	e = evaluate(fx, &q);
	assert_int_equal(e->nwarnings, 1);
	assert_non_null(strstr(e->warnings[0], "Other Police: no force export imported for 3 months the evaluation "
					       "needs: 2024-04, 2024-05, 2024-06"));
	assert_false(e->crimes.tested);
	group_is(&e->crimes, REP_EV_CONTROL, 15, 0);
	rep_eval_free(e);
	/* named buffers count their own forces too */
	const char *const tb[] = {"Near treated"};
	q = request();
	q.treated_buffer = tb;
	q.ntreated_buffer = 1;
	q.control_buffer = elsewhere;
	q.ncontrol_buffer = 1;
	e = evaluate(fx, &q);
	assert_int_equal(e->nwarnings, 1);
	assert_false(e->crimes.tested);
	rep_eval_free(e);
	/* a ring in metres can reach over a force boundary: every force counts */
	q = request();
	q.buffer_m = 200;
	e = evaluate(fx, &q);
	assert_int_equal(e->nwarnings, 1);
	assert_non_null(strstr(e->warnings[0], "Other Police"));
	assert_false(e->crimes.tested);
	rep_eval_free(e);
}

static void refused(fixture *fx, const stats_eval_request *q, ct_status want, const char *msg)
{
	char err[1024] = "";
	ct_status why = CT_OK;
	rep_eval *e = stats_evaluate(fx->s, fx->t, q, &why, err, sizeof err);
	if (e || why != want || !strstr(err, msg))
		fail_msg("want status %d and \"%s\", got %s, status %d, \"%s\"", want, msg, e ? "a result" : "NULL", why,
			 err);
}

static void test_eval_refusals(void **state)
{
	fixture *fx = *state;
	stats_eval_request q = request();
	const char *const nowhere[] = {"Nowhere"}, *const listed[] = {"Listed"};
	q.control = nowhere;
	refused(fx, &q, CT_EUSAGE, "unknown area \"Nowhere\"");
	q.control = treated;
	refused(fx, &q, CT_EUSAGE, "area \"Treated\" is given twice (Treated and Control)");
	q.control = listed;
	q.buffer_m = 100;
	refused(fx, &q, CT_EUSAGE, "--buffer: area \"Listed\" is a list of LSOA codes or area values");
	q = request();
	q.ncontrol = 0;
	refused(fx, &q, CT_EUSAGE, "needs a treated area and a control area");
	q = request();
	q.start = CT_MONTH(2024, 7);
	q.post = 0;
	refused(fx, &q, CT_EUSAGE, "end in 2024-06");
	q = request();
	q.dataset = "street";
	refused(fx, &q, CT_EDATA, "no police.uk street data");
}

/* Nothing of the category anywhere: counts of zero and no test. */
static void test_eval_nothing_to_test(void **state)
{
	fixture *fx = *state;
	stats_eval_request q = request();
	q.category = "ASB";
	q.start = CT_MONTH(2024, 2);
	q.pre = 1;
	q.post = 1;
	rep_eval *e = evaluate(fx, &q);
	assert_false(e->crimes.tested);
	assert_non_null(e->crimes.untested);
	rep_eval_free(e);
}

/* Face-match: no sightings stored, so the offender test says so. */
static void test_eval_offenders_absent(void **state)
{
	fixture *fx = *state;
	stats_eval_request q = request();
	q.offenders = 1;
	rep_eval *e = evaluate(fx, &q);
	assert_true(e->has_offenders);
	assert_false(e->offenders.tested);
	assert_non_null(strstr(e->offenders.untested, "no face-match sightings"));
	rep_eval_free(e);
}

static char *render(const rep_eval *e, int (*write)(const rep_eval *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(write(e, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_eval_render(void **state)
{
	fixture *fx = *state;
	stats_eval_request q = request();
	q.buffer_m = 200;
	rep_eval *e = evaluate(fx, &q);
	char *md = render(e, rep_write_eval_markdown);
	assert_non_null(strstr(md, "# Did it work? Shoplifting: Treated against Control"));
	assert_non_null(strstr(md, "| Treated | Treated | 20 | 10 | -10 |"));
	assert_non_null(strstr(md, "| Buffer around treated | 200 m around Treated | 5 | 8 | 3 |"));
	assert_non_null(strstr(md, "| **WDD** (local + displacement) | **-7** |"));
	assert_non_null(strstr(md, "| Standard error | 9.5 |"));
	assert_non_null(strstr(md, "| 95% interval | -25.7 to 11.7 |"));
	assert_non_null(strstr(md, "**Verdict.** Shoplifting in the treated area was 7 lower than the control area's "
				   "trend predicts over the 3 months after (WDD -7; 95% interval -25.7 to 11.7; p = 0.46). "
				   "A difference this size is within normal variation"));
	free(md);
	char *js = render(e, rep_write_eval_json);
	cJSON *j = cJSON_Parse(js);
	assert_non_null(j);
	const cJSON *crimes = cJSON_GetObjectItem(j, "crimes");
	assert_true(cJSON_GetObjectItem(crimes, "wdd")->valuedouble == -7);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(crimes, "significant")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(crimes, "groups")), 4);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "before"), "from")->valuestring, "2024-01");
	cJSON_Delete(j);
	free(js);
	rep_eval_free(e);
}

/* Disclosure control in the offender test's renderings: a withheld count
 * is its mark, a figure made from it [c], in Markdown and JSON alike. */
static void test_eval_render_withheld(void **state)
{
	(void)state;
	char total[] = "Total", tax[] = "Home Office", force[] = "force", town[] = "Town", other[] = "Other";
	rep_eval e = {.category = total, .category_path = total, .taxonomy = tax, .dataset = force, .alpha = 0.05,
		      .pre_from = 0, .pre_to = 5, .post_from = 6, .post_to = 8, .start = 6, .has_offenders = 1,
		      .suppress_below = 3};
	e.crimes.group[REP_EV_TREATED] = (rep_ev_group){.present = 1, .name = town, .pre = 1, .post = 2, .pre_scaled = 0.5,
							.change = 1.5};
	e.crimes.group[REP_EV_CONTROL] = (rep_ev_group){.present = 1, .name = other, .pre = 1, .post = 1,
							.pre_scaled = 0.5, .change = 0.5};
	rep_ev_test *t = &e.offenders;
	t->group[REP_EV_TREATED] = (rep_ev_group){.present = 1, .name = town, .pre = 8, .post = 2, .pre_scaled = 4,
						  .change = -2, .sup_post = REP_SUP_SMALL};
	t->group[REP_EV_CONTROL] = (rep_ev_group){.present = 1, .name = other, .pre = 1, .post = 6, .pre_scaled = 0.5,
						  .change = 5.5, .sup_pre = REP_SUP_SMALL};
	char untested[] = "a count from 1 to 2 is withheld";
	t->untested = untested;
	char buf[16];
	assert_null(rep_ev_mark(&e, &t->group[0], REP_EV_PART_PRE, buf, sizeof buf));
	assert_null(rep_ev_mark(&e, &t->group[0], REP_EV_PART_SCALED, buf, sizeof buf));
	assert_string_equal(rep_ev_mark(&e, &t->group[0], REP_EV_PART_POST, buf, sizeof buf), "<3");
	assert_string_equal(rep_ev_mark(&e, &t->group[0], REP_EV_PART_CHANGE, buf, sizeof buf), "[c]");
	assert_string_equal(rep_ev_mark(&e, &t->group[1], REP_EV_PART_SCALED, buf, sizeof buf), "[c]");
	/* crime counts are never withheld */
	assert_null(rep_ev_mark(&e, &e.crimes.group[0], REP_EV_PART_PRE, buf, sizeof buf));
	char *md = render(&e, rep_write_eval_markdown);
	assert_non_null(strstr(md, "| Treated | Town | 8 | 4 | <3 | [c] |"));
	assert_non_null(strstr(md, "| Control | Other | <3 | [c] | 6 | [c] |"));
	assert_non_null(strstr(md, "| Treated | Town | 1 | 0.5 | 2 | 1.5 |")); /* the crimes' */
	assert_non_null(strstr(md, "**Verdict.** Not tested: a count from 1 to 2 is withheld."));
	assert_non_null(strstr(md, "Counts from 1 to 2 show as <3, and [c] hides a figure made from one"));
	free(md);
	char *js = render(&e, rep_write_eval_json);
	cJSON *j = cJSON_Parse(js);
	assert_non_null(j);
	const cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "offenders"), "groups"), 0);
	assert_true(cJSON_GetObjectItem(g, "before")->valuedouble == 8);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(g, "after")));
	assert_string_equal(cJSON_GetObjectItem(g, "after_text")->valuestring, "<3");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(g, "change")));
	assert_string_equal(cJSON_GetObjectItem(g, "change_text")->valuestring, "[c]");
	assert_null(cJSON_GetObjectItem(g, "before_text"));
	g = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "crimes"), "groups"), 0);
	assert_true(cJSON_GetObjectItem(g, "after")->valuedouble == 2);
	assert_true(cJSON_GetObjectItem(j, "suppress_below")->valuedouble == 3);
	cJSON_Delete(j);
	free(js);
}

/* A significant fall reads as one. */
static void test_verdict_significant(void **state)
{
	(void)state;
	char shoplifting[] = "Shoplifting";
	char town[] = "Town", other[] = "Other";
	rep_eval e = {.category = shoplifting, .alpha = 0.05, .pre_from = 0, .pre_to = 11, .post_from = 12,
		      .post_to = 23};
	rep_ev_test t = {.group = {[REP_EV_TREATED] = {.name = town}, [REP_EV_CONTROL] = {.name = other}}, .tested = 1, .est = -118, .se = sqrt(1568.0), .z = -2.98, .p = 0.0029, .lo = -195.6,
			 .hi = -40.4, .significant = 1};
	char *v = rep_eval_verdict(&e, &t, NULL);
	assert_non_null(strstr(v, "Shoplifting in the treated area was about 118 lower than the control area's "
				  "trend predicts over the 12 months after (95% interval 40.4 to 195.6 lower)"));
	assert_non_null(strstr(v, "p = 0.0029"));
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance_m),
		cmocka_unit_test(test_fmt_p),
		cmocka_unit_test(test_verdict_significant),
		cmocka_unit_test_setup_teardown(test_eval_no_buffers, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_eval_buffer_metres, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_eval_named_buffers, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_eval_categories, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_eval_unequal_periods, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_eval_default_periods, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_eval_missing_months, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_eval_two_forces, setup_two_forces, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_eval_refusals, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_eval_nothing_to_test, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_eval_offenders_absent, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_eval_render, setup, sfx_teardown),
		cmocka_unit_test(test_eval_render_withheld),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
