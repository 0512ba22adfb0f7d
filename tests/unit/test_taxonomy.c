/* Unit tests for taxonomies: the built-in templates' shape, classification of
 * source categories, and the errors a bad template gets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taxonomy/taxonomy.h"

static taxonomy *load(const char *name)
{
	char err[256] = "";
	taxonomy *t = tax_load(name, err, sizeof err);
	if (!t)
		fail_msg("%s: %s", name, err);
	return t;
}

/* Index of the node labelled LABEL; fails when there is none or more than one. */
static size_t node(const taxonomy *t, const char *label)
{
	size_t found = (size_t)-1;
	for (size_t i = 0; i < tax_count(t); i++)
		if (strcmp(tax_node_at(t, i)->label, label) == 0) {
			if (found != (size_t)-1)
				fail_msg("\"%s\" appears twice", label);
			found = i;
		}
	if (found == (size_t)-1)
		fail_msg("no node \"%s\"", label);
	return found;
}

static const char *label_of(const taxonomy *t, size_t i)
{
	return tax_node_at(t, i)->label;
}

/* Pre-order, parents before children, depth one more than the parent's,
 * leaf exactly when nothing names the node as parent; Unknown last. */
static void check_shape(const taxonomy *t)
{
	size_t n = tax_count(t);
	assert_true(n > 2);
	for (size_t i = 0; i < n; i++) {
		const tax_node *nd = tax_node_at(t, i);
		int has_kids = 0;
		for (size_t k = 0; k < n; k++)
			has_kids |= tax_node_at(t, k)->parent == (int)i;
		assert_int_equal(nd->leaf, !has_kids);
		if (nd->parent < 0) {
			assert_int_equal(nd->depth, 0);
		} else {
			assert_true((size_t)nd->parent < i);
			assert_int_equal(nd->depth, tax_node_at(t, (size_t)nd->parent)->depth + 1);
		}
		assert_int_equal(nd->unknown, i == n - 1);
		if (nd->outside_total)
			assert_int_equal(nd->depth, 0);
	}
	const tax_node *u = tax_node_at(t, n - 1);
	assert_int_equal(u->parent, -1);
	assert_true(u->leaf);
	assert_false(u->outside_total);
	assert_null(tax_node_at(t, n));
}

static void test_home_office_loads(void **state)
{
	(void)state;
	taxonomy *t = load("home-office");
	assert_string_equal(tax_name(t), "Home Office");
	assert_string_equal(tax_dataset(t), "force");
	assert_false(tax_fixed_order(t));
	check_shape(t);
	assert_string_equal(label_of(t, tax_count(t) - 1), "Unknown");

	size_t vbc = node(t, "Victim Based Crime"), vio = node(t, "Violence"), vwi = node(t, "Violence With Injury");
	assert_int_equal(tax_node_at(t, vbc)->depth, 0);
	assert_false(tax_node_at(t, vbc)->leaf);
	assert_int_equal(tax_node_at(t, vio)->parent, (int)vbc);
	assert_int_equal(tax_node_at(t, vio)->depth, 1);
	assert_int_equal(tax_node_at(t, vwi)->parent, (int)vio);
	assert_int_equal(tax_node_at(t, vwi)->depth, 2);
	assert_true(tax_node_at(t, vwi)->leaf);
	assert_int_equal(tax_node_at(t, node(t, "Robbery"))->parent, (int)vbc);
	assert_int_equal(tax_node_at(t, node(t, "Drug Offences"))->parent, (int)node(t, "Non victim based"));

	/* exactly one row is outside the total: anti-social behaviour */
	size_t asb = node(t, "Anti-social behaviour (not recorded crime)");
	for (size_t i = 0; i < tax_count(t); i++)
		assert_int_equal(tax_node_at(t, i)->outside_total, i == asb);
	assert_true(tax_node_at(t, asb)->leaf);
	assert_int_equal(tax_node_at(t, asb)->parent, -1);
	tax_free(t);
}

static void test_police_uk_loads(void **state)
{
	(void)state;
	taxonomy *t = load("police-uk");
	assert_string_equal(tax_dataset(t), "street");
	check_shape(t);
	assert_string_equal(label_of(t, tax_count(t) - 1), "Unknown");
	size_t asb = node(t, "Anti-social behaviour");
	assert_true(tax_node_at(t, asb)->outside_total);
	/* approximate rows carry their note; exact ones do not */
	assert_non_null(tax_node_at(t, node(t, "Burglary"))->note);
	assert_null(tax_node_at(t, node(t, "Robbery"))->note);
	assert_int_equal(tax_node_at(t, node(t, "Bicycle theft"))->parent, (int)node(t, "Theft Offences"));
	tax_free(t);
}

/* All 14 police.uk crime types land on a real row, never Unknown. */
static void test_police_uk_covers_every_crime_type(void **state)
{
	(void)state;
	static const char *const types[] = {"Violence and sexual offences", "Anti-social behaviour",
		"Criminal damage and arson", "Shoplifting", "Public order", "Other theft", "Burglary", "Vehicle crime",
		"Drugs", "Other crime", "Robbery", "Possession of weapons", "Bicycle theft", "Theft from the person"};
	taxonomy *t = load("police-uk");
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		size_t leaf = tax_classify(t, types[i]);
		if (tax_node_at(t, leaf)->unknown || !tax_node_at(t, leaf)->leaf)
			fail_msg("\"%s\" went to \"%s\"", types[i], label_of(t, leaf));
	}
	assert_string_equal(label_of(t, tax_classify(t, "Anti-social behaviour")), "Anti-social behaviour");
	assert_string_equal(label_of(t, tax_classify(t, "violent-crime")), "Violence and sexual offences");
	assert_string_equal(label_of(t, tax_classify(t, "Violent crime")), "Violence and sexual offences");
	tax_free(t);
}

static void test_classify(void **state)
{
	(void)state;
	taxonomy *t = load("home-office");
	size_t unknown = tax_count(t) - 1;
	size_t shop = node(t, "Shoplifting");
	assert_int_equal(tax_classify(t, "Shoplifting"), shop);
	assert_int_equal(tax_classify(t, "shoplifting"), shop);
	assert_int_equal(tax_classify(t, "SHOPLIFTING"), shop);
	assert_int_equal(tax_classify(t, "  Shoplifting\t"), shop);
	assert_int_equal(tax_classify(t, "\nShoplifting \r\n"), shop);
	assert_int_equal(tax_classify(t, "Violence With Injury"), node(t, "Violence With Injury"));
	/* a second match string of the same row */
	assert_int_equal(tax_classify(t, "Vehicle crime"), node(t, "Vehicle Offences"));
	/* near misses and police.uk's unsplittable types are Unknown */
	assert_int_equal(tax_classify(t, "Shop lifting"), unknown);
	assert_int_equal(tax_classify(t, "Shoplifting s"), unknown);
	assert_int_equal(tax_classify(t, "Violence and sexual offences"), unknown);
	assert_int_equal(tax_classify(t, "Burglary"), unknown);
	assert_int_equal(tax_classify(t, ""), unknown);
	assert_int_equal(tax_classify(t, "   "), unknown);
	assert_int_equal(tax_classify(t, NULL), unknown);
	/* a group's label is not a category */
	assert_int_equal(tax_classify(t, "Theft Offences"), unknown);
	tax_free(t);
}

static taxonomy *parse(const char *text, char *err, size_t errlen)
{
	return tax_parse("tax/t.json", text, err, errlen);
}

static void test_parse_custom(void **state)
{
	(void)state;
	char err[256] = "";
	taxonomy *t = parse("{\"taxonomy_version\": 1, \"name\": \"Mini\", \"order\": \"fixed\", \"unknown_label\": "
			    "\"Other / unmapped\", \"rows\": ["
			    "{\"label\": \"Theft\", \"children\": [{\"label\": \"Shop\", \"match\": [\" Shoplifting \", "
			    "\"SHOP-THEFT\"]}, {\"label\": \"Bike\", \"match\": [\"Bicycle theft\"]}]},"
			    "{\"label\": \"ASB\", \"outside_total\": true, \"match\": [\"Anti-social behaviour\"]}]}",
			    err, sizeof err);
	if (!t)
		fail_msg("%s", err);
	assert_string_equal(tax_name(t), "Mini");
	assert_null(tax_dataset(t));
	assert_true(tax_fixed_order(t));
	assert_int_equal(tax_count(t), 5);
	check_shape(t);
	assert_string_equal(label_of(t, 4), "Other / unmapped");
	assert_true(tax_node_at(t, 4)->unknown);
	assert_string_equal(label_of(t, 0), "Theft");
	assert_string_equal(label_of(t, 1), "Shop");
	assert_string_equal(label_of(t, 2), "Bike");
	assert_string_equal(label_of(t, 3), "ASB");
	assert_true(tax_node_at(t, 3)->outside_total);
	/* match strings are trimmed too */
	assert_int_equal(tax_classify(t, "Shoplifting"), 1);
	assert_int_equal(tax_classify(t, "shop-theft"), 1);
	assert_int_equal(tax_classify(t, "Bicycle theft"), 2);
	assert_int_equal(tax_classify(t, "Theft"), 4);
	tax_free(t);
}

static void expect_error(const char *text, const char *want)
{
	char err[512] = "";
	taxonomy *t = parse(text, err, sizeof err);
	if (t) {
		tax_free(t);
		fail_msg("accepted: %s", text);
	}
	if (strncmp(err, "tax/t.json:", 11) != 0 || !strstr(err, want))
		fail_msg("message \"%s\" lacks the path or \"%s\"", err, want);
}

#define HEAD "{\"taxonomy_version\": 1, \"rows\": "

static void test_parse_errors(void **state)
{
	(void)state;
	/* the same category matched by two rows, in different groups */
	expect_error(HEAD "[{\"label\": \"G\", \"children\": [{\"label\": \"A\", \"match\": [\"Drugs\"]}]},"
			  "{\"label\": \"B\", \"match\": [\"Robbery\", \"Drugs\"]}]}",
		     "category \"Drugs\" is matched by two rows");
	/* ... also when they differ only in case and spaces */
	expect_error(HEAD "[{\"label\": \"A\", \"match\": [\"Drugs\"]}, {\"label\": \"B\", \"match\": [\" drugs\"]}]}",
		     "is matched by two rows (\"A\" and \"B\")");
	expect_error(HEAD "[{\"label\": \"A\", \"match\": [\"X\"], \"children\": [{\"label\": \"B\", \"match\": "
			  "[\"Y\"]}]}]}",
		     "row \"A\" needs exactly one of \"children\" or \"match\"");
	expect_error(HEAD "[{\"label\": \"A\"}]}", "row \"A\" needs exactly one of");
	expect_error(HEAD "[{\"label\": \"G\", \"children\": [{\"label\": \"ASB\", \"outside_total\": true, "
			  "\"match\": [\"Anti-social behaviour\"]}]}]}",
		     "row \"ASB\": only top-level rows can be \"outside_total\"");
	expect_error(HEAD "[{\"match\": [\"X\"]}]}", "a row has no \"label\"");
	expect_error(HEAD "[{\"label\": \"G\", \"children\": []}]}", "\"children\" must be a non-empty array");
	expect_error(HEAD "[{\"label\": \"A\", \"match\": [\"X\", 3]}]}", "\"match\" items must be strings");
	expect_error(HEAD "[]}", "\"rows\" must be a non-empty array");
	expect_error("{\"taxonomy_version\": 2, \"rows\": [{\"label\": \"A\", \"match\": [\"X\"]}]}",
		     "\"taxonomy_version\" must be 1");
	expect_error("{\"taxonomy_version\": 1, \"order\": \"alphabetical\", \"rows\": [{\"label\": \"A\", \"match\": "
		     "[\"X\"]}]}",
		     "\"order\" must be");
	expect_error("{\"taxonomy_version\": 1, \"dataset\": \"outcomes\", \"rows\": [{\"label\": \"A\", \"match\": "
		     "[\"X\"]}]}",
		     "\"dataset\" must be");
	expect_error("{\"taxonomy_version\": 1, \"rows\": [", "tax/t.json:1: not valid JSON");
	/* the line where the parser stopped */
	expect_error("{\"taxonomy_version\": 1,\n\"rows\": [\n{\"label\": }]}", "tax/t.json:3: not valid JSON");
}

static void test_load_missing(void **state)
{
	(void)state;
	char err[256] = "";
	assert_null(tax_load("no-such-taxonomy", err, sizeof err));
	assert_non_null(strstr(err, "no-such-taxonomy"));
	assert_non_null(strstr(err, "home-office, police-uk"));
	tax_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_home_office_loads),
		cmocka_unit_test(test_police_uk_loads),
		cmocka_unit_test(test_police_uk_covers_every_crime_type),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_parse_custom),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_load_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
