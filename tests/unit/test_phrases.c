/* Unit tests for the Highlights sentence templates: the built-in wording,
 * filling placeholders, braces, and every way a reworded template can be
 * wrong (each refused with the sentence and the reason). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "report/phrases.h"

static void test_builtin_fills_the_issue_example(void **state)
{
	(void)state;
	char err[1024] = "";
	rep_phrases *ph = rep_phrases_load("plain-english", err, sizeof err);
	if (!ph)
		fail_msg("%s", err);
	assert_string_equal(rep_phrases_name(ph), "plain-english");
	const char *v[REP_PV_COUNT] = {0};
	v[REP_PV_ROW] = "Shoplifting";
	v[REP_PV_AREA] = "Stockton Town Centre";
	v[REP_PV_PERIOD] = "over the last 6 months";
	v[REP_PV_BASIS] = "a year earlier";
	v[REP_PV_CURRENT] = "219";
	v[REP_PV_COMPARISON] = "195";
	v[REP_PV_DIFF] = "+24";
	v[REP_PV_PCT] = "+12.3%";
	v[REP_PV_P] = "p = 0.24"; /* rep_fmt_p_stmt's */
	char *s = rep_phrase_fill(ph, REP_PH_RISE, v);
	assert_string_equal(s, "Shoplifting in Stockton Town Centre rose from 195 to 219 over the last 6 months (+24, "
			       "+12.3%) against a year earlier; a change this size is within normal variation (p = 0.24).");
	free(s);
	s = rep_phrase_fill(ph, REP_PH_HEADING, v);
	assert_string_equal(s, "Highlights");
	free(s);
	rep_phrases_free(ph);
}

#define HEAD "{\"highlights_version\": 1, \"sentences\": {"
#define REST                                                                                                    \
	"\"significant_rise\": \"r\", \"significant_fall\": \"f\", \"rise\": \"r\", \"fall\": \"f\", "         \
	"\"unchanged\": \"u\", \"untested\": \"t\", \"summary\": \"s\", \"none_flagged\": \"n\""

static void test_reworded(void **state)
{
	(void)state;
	char err[1024] = "";
	rep_phrases *ph = rep_phrases_parse("council.json", HEAD "\"heading\": \"{{{area}}}: {row}s}}\", " REST "}}",
					   err, sizeof err);
	if (!ph)
		fail_msg("%s", err);
	assert_string_equal(rep_phrases_name(ph), "council");
	const char *v[REP_PV_COUNT] = {0};
	v[REP_PV_AREA] = "Yarm";
	char *s = rep_phrase_fill(ph, REP_PH_HEADING, v);
	assert_string_equal(s, "{Yarm}: s}"); /* {row} unset reads as "" */
	free(s);
	rep_phrases_free(ph);
}

static void refused(const char *text, const char *want)
{
	char err[1024] = "";
	rep_phrases *ph = rep_phrases_parse("t.json", text, err, sizeof err);
	if (ph || !strstr(err, want))
		fail_msg("want an error with \"%s\", got %s \"%s\"", want, ph ? "a template and" : "", err);
	rep_phrases_free(ph);
}

static void test_refusals(void **state)
{
	(void)state;
	refused("{", "t.json: not valid JSON");
	refused("{\"highlights_version\": 2, \"sentences\": {}}", "\"highlights_version\" must be 1");
	refused("{\"highlights_version\": 1}", "\"sentences\" must be an object");
	refused(HEAD REST "}}", "\"sentences\": \"heading\" is missing");
	refused(HEAD "\"heading\": \"{rows}\", " REST "}}", "\"sentences\".\"heading\": unknown placeholder \"{rows}\"");
	refused(HEAD "\"heading\": \"{row\", " REST "}}", "\"heading\": a '{' with no '}'");
	refused(HEAD "\"heading\": \"row}\", " REST "}}", "\"heading\": a '}' with no '{'");
	refused(HEAD "\"heading\": 3, " REST "}}", "\"heading\": must be a string");
	/* {p} says "p = 0.24" or "p < 0.001" itself: "p = {p}" would read "p = p < 0.001" */
	refused(HEAD "\"heading\": \"h\", \"rise\": \"rose (p = {p})\", " REST "}}",
		"\"sentences\".\"rise\": \"= {p}\": {p} says \"p = 0.24\" or \"p < 0.001\" by itself");
	refused(HEAD "\"heading\": \"h\", \"headline\": \"x\", " REST "}}", "unknown sentence \"headline\"");
	char err[256] = "";
	assert_null(rep_phrases_load("/nonexistent/x.json", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/x.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_fills_the_issue_example),
		cmocka_unit_test(test_reworded),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
