/* Unit tests for the police.uk API response reader: recognition, the slug
 * table, rows and their lines, wrong JSON types, and file-level errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/apijson.h"

static imp_api *parse(const char *text, char *err, size_t errlen)
{
	return imp_api_parse("r.json", text, strlen(text), err, errlen);
}

static void test_sniff(void **state)
{
	(void)state;
	assert_true(imp_api_sniff("[{\"category\"", 12));
	assert_true(imp_api_sniff("\xEF\xBB\xBF \r\n\t[", 8));
	assert_true(imp_api_sniff("{\"error\": 1}", 12));
	assert_false(imp_api_sniff("Crime ID,Month", 14));
	assert_false(imp_api_sniff("   ", 3));
	assert_false(imp_api_sniff("", 0));
}

/* Every slug of /api/crime-categories, and the ones before the 2013 split. */
static void test_slugs(void **state)
{
	(void)state;
	static const char *const map[][2] = {
		{"anti-social-behaviour", "Anti-social behaviour"}, {"bicycle-theft", "Bicycle theft"},
		{"burglary", "Burglary"}, {"criminal-damage-arson", "Criminal damage and arson"}, {"drugs", "Drugs"},
		{"other-theft", "Other theft"}, {"possession-of-weapons", "Possession of weapons"},
		{"public-order", "Public order"}, {"robbery", "Robbery"}, {"shoplifting", "Shoplifting"},
		{"theft-from-the-person", "Theft from the person"}, {"vehicle-crime", "Vehicle crime"},
		{"violent-crime", "Violence and sexual offences"}, {"other-crime", "Other crime"},
		{"public-disorder-weapons", "Public disorder and weapons"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		assert_string_equal(imp_api_category(map[i][0]), map[i][1]);
	assert_null(imp_api_category("all-crime")); /* a query's pseudo-category, not a crime's */
	assert_null(imp_api_category("kidnapping"));
	assert_null(imp_api_category("Burglary"));
	assert_null(imp_api_category(""));
}

static const char two[] =
	"[\n"
	"  {\"category\": \"violent-crime\", \"location_type\": \"Force\",\n"
	"   \"location\": {\"latitude\": \"54.565500\", \"street\": {\"id\": 1, \"name\": \"On or near High Street\"},\n"
	"                \"longitude\": \"-1.312500\"},\n"
	"   \"context\": \"\", \"outcome_status\": {\"category\": \"Under investigation\", \"date\": \"2024-10\"},\n"
	"   \"persistent_id\": \"abc\", \"id\": 7, \"location_subtype\": \"\", \"month\": \"2024-09\"},\n"
	"  {\"category\": \"anti-social-behaviour\", \"location_type\": \"BTP\",\n"
	"   \"location\": {\"latitude\": 54.5, \"longitude\": -1.25, \"street\": {\"id\": 2, \"name\": \"On or near Station\\/Yard\"}},\n"
	"   \"context\": \"\", \"outcome_status\": null, \"persistent_id\": \"\", \"id\": 8,\n"
	"   \"location_subtype\": \"LU STATION\", \"month\": \"2024-09\"}\n"
	"]\n";

static void test_rows(void **state)
{
	(void)state;
	char err[256] = "";
	imp_api *a = parse(two, err, sizeof err);
	assert_non_null(a);
	imp_row row;
	assert_int_equal(imp_api_next(a, &row), 1);
	assert_null(row.error);
	assert_int_equal(row.line, 2);
	assert_int_equal(row.nfields, API_NFIELDS);
	assert_string_equal(row.fields[API_CATEGORY], "violent-crime");
	assert_string_equal(row.fields[API_MONTH], "2024-09");
	assert_string_equal(row.fields[API_LATITUDE], "54.565500");
	assert_string_equal(row.fields[API_LONGITUDE], "-1.312500");
	assert_string_equal(row.fields[API_STREET], "On or near High Street");
	assert_string_equal(row.fields[API_OUTCOME], "Under investigation");
	assert_string_equal(row.fields[API_OUTCOME_DATE], "2024-10");
	assert_string_equal(row.fields[API_PERSISTENT_ID], "abc");
	assert_int_equal(row.lens[API_PERSISTENT_ID], 3);
	assert_true(strncmp(row.raw, "{\"category\": \"violent-crime\"", 28) == 0);
	assert_int_equal(row.raw[strlen(row.raw) - 1], '}');
	assert_int_equal(imp_api_next(a, &row), 1);
	assert_null(row.error);
	assert_int_equal(row.line, 7);
	assert_string_equal(row.fields[API_LOCATION_TYPE], "BTP");
	assert_string_equal(row.fields[API_LATITUDE], "54.5"); /* a number, as text */
	assert_string_equal(row.fields[API_LONGITUDE], "-1.25");
	assert_string_equal(row.fields[API_STREET], "On or near Station/Yard"); /* \/ unescaped */
	assert_string_equal(row.fields[API_OUTCOME], "");                      /* null */
	assert_string_equal(row.fields[API_LOCATION_SUBTYPE], "LU STATION");
	assert_int_equal(imp_api_next(a, &row), 0);
	assert_int_equal(imp_api_next(a, &row), 0);
	assert_int_equal(imp_api_bytes(a), (long long)strlen(two));
	imp_api_free(a);
}

/* A crime of the wrong shape is one error row; the next crime is read. */
static void test_wrong_types(void **state)
{
	(void)state;
	char err[256] = "";
	imp_api *a = parse("[42, {\"month\": [1]}, {\"location\": \"x\"}, {\"location\": {\"latitude\": true}},\n"
			   " {\"outcome_status\": {\"category\": 3}}, \"s,]\", {\"category\": \"drugs\"}]",
			   err, sizeof err);
	assert_non_null(a);
	imp_row row;
	static const char *const want[] = {
		"not a JSON object (a crime)",
		"field 'month': expected a string, found an array",
		"field 'location': expected an object or null, found a string",
		"field 'location.latitude': expected a string or a number, found true or false",
		"field 'outcome_status.category': expected a string, found a number",
		"not a JSON object (a crime)",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(imp_api_next(a, &row), 1);
		assert_non_null(row.error);
		assert_string_equal(row.error, want[i]);
		assert_int_equal(row.nfields, 0);
	}
	assert_string_equal(row.raw, "\"s,]\""); /* a string with a comma and a bracket is one value */
	assert_int_equal(row.line, 2);
	assert_int_equal(imp_api_next(a, &row), 1);
	assert_null(row.error);
	assert_string_equal(row.fields[API_CATEGORY], "drugs");
	assert_string_equal(row.fields[API_MONTH], ""); /* absent: empty, for the importer to reject */
	assert_int_equal(imp_api_next(a, &row), 0);
	imp_api_free(a);
}

static void expect_error(const char *text, const char *want)
{
	char err[256] = "";
	imp_api *a = parse(text, err, sizeof err);
	assert_null(a);
	if (!strstr(err, want))
		fail_msg("%s: got \"%s\", wanted \"%s\"", text, err, want);
}

static void test_file_errors(void **state)
{
	(void)state;
	expect_error("[{\"category\": \"drugs\", \"month\": \"2024-0", "r.json:1: not valid JSON: it ends early");
	expect_error("[\n{\"category\": \"drugs\"},\n{\"month\": }]", "r.json:3: not valid JSON at column 11");
	expect_error("[{\"a\": 1}] x", "r.json:1: not valid JSON at column 12");
	expect_error("{\"error\": \"503\"}", "r.json:1: not a police.uk API crimes response: the top level is an object");
	expect_error("\n\n7", "r.json:3: not a police.uk API crimes response: the top level is a single value");
	expect_error(" [ ] ", "r.json:1: an empty response ([]): no crimes");
	expect_error("", "r.json:1: not valid JSON: it ends early");
	char nul[] = "[{\"a\": \"x\"}]";
	char err[256] = "";
	assert_null(imp_api_parse("r.json", nul, sizeof nul, err, sizeof err)); /* the NUL counted in */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_slugs),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_file_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
