/* Unit tests for areas: point-in-ring on edges and vertices, holes,
 * multi-part and overlapping polygons, LSOA and value lists, and the
 * messages a bad areas file gets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "areas/areas.h"

/* ---- area_ring_locate ---- */

/* The square 0..10 x 0..10, counter-clockwise, with its closing point. */
static const double square[] = {0, 0, 10, 0, 10, 10, 0, 10, 0, 0};

/* Both with and without the closing point. */
static void locate_both(double x, double y, int want)
{
	int open = area_ring_locate(square, 4, x, y), closed = area_ring_locate(square, 5, x, y);
	if (open != want || closed != want)
		fail_msg("(%g, %g): want %d, got %d open, %d closed", x, y, want, open, closed);
}

static void test_ring_inside_outside(void **state)
{
	(void)state;
	locate_both(5, 5, AREA_INSIDE);
	locate_both(0.001, 9.999, AREA_INSIDE);
	locate_both(15, 5, AREA_OUTSIDE);
	locate_both(-0.001, 5, AREA_OUTSIDE);
	locate_both(5, 10.001, AREA_OUTSIDE);
	locate_both(-1, -1, AREA_OUTSIDE);
	locate_both(11, 11, AREA_OUTSIDE);
	/* level with the top edge but beyond it */
	locate_both(12, 10, AREA_OUTSIDE);
	locate_both(-2, 0, AREA_OUTSIDE);
}

static void test_ring_edges_and_vertices(void **state)
{
	(void)state;
	locate_both(5, 0, AREA_BOUNDARY);   /* bottom, horizontal */
	locate_both(5, 10, AREA_BOUNDARY);  /* top, horizontal */
	locate_both(0, 5, AREA_BOUNDARY);   /* left, vertical */
	locate_both(10, 2.5, AREA_BOUNDARY); /* right, vertical */
	locate_both(0, 0, AREA_BOUNDARY);
	locate_both(10, 0, AREA_BOUNDARY);
	locate_both(10, 10, AREA_BOUNDARY);
	locate_both(0, 10, AREA_BOUNDARY);
}

static void test_ring_diagonal_edge(void **state)
{
	(void)state;
	/* a right triangle whose hypotenuse runs from (10, 0) to (0, 10) */
	static const double tri[] = {0, 0, 10, 0, 0, 10};
	assert_int_equal(area_ring_locate(tri, 3, 5, 5), AREA_BOUNDARY);
	assert_int_equal(area_ring_locate(tri, 3, 2.5, 7.5), AREA_BOUNDARY);
	assert_int_equal(area_ring_locate(tri, 3, 0.3, 9.7), AREA_BOUNDARY);
	assert_int_equal(area_ring_locate(tri, 3, 4.9, 4.9), AREA_INSIDE);
	assert_int_equal(area_ring_locate(tri, 3, 5.1, 5.1), AREA_OUTSIDE);
	/* real coordinates: the midpoint of a town-centre edge */
	static const double ring[] = {-1.316372, 54.561725, -1.313429, 54.561437, -1.312, 54.566, -1.316372, 54.561725};
	double mx = (-1.316372 + -1.313429) / 2, my = (54.561725 + 54.561437) / 2;
	assert_int_equal(area_ring_locate(ring, 4, mx, my), AREA_BOUNDARY);
	assert_int_equal(area_ring_locate(ring, 4, mx, my - 0.0001), AREA_OUTSIDE);
	assert_int_equal(area_ring_locate(ring, 4, mx, my + 0.0001), AREA_INSIDE);
}

/* A ray cast from the point passes exactly through vertices: the half-open
 * rule must count each crossing once. */
static void test_ring_ray_through_vertex(void **state)
{
	(void)state;
	static const double diamond[] = {5, 0, 10, 5, 5, 10, 0, 5, 5, 0};
	assert_int_equal(area_ring_locate(diamond, 5, 2, 5), AREA_INSIDE);
	assert_int_equal(area_ring_locate(diamond, 5, 8, 5), AREA_INSIDE);
	assert_int_equal(area_ring_locate(diamond, 5, -2, 5), AREA_OUTSIDE);
	assert_int_equal(area_ring_locate(diamond, 5, 12, 5), AREA_OUTSIDE);
	assert_int_equal(area_ring_locate(diamond, 5, 5, 10), AREA_BOUNDARY);
	/* a concave "M": the point's level runs through the notch's tip */
	static const double m[] = {0, 0, 10, 0, 10, 10, 5, 5, 0, 10};
	assert_int_equal(area_ring_locate(m, 5, 2, 5), AREA_INSIDE);
	assert_int_equal(area_ring_locate(m, 5, 8, 5), AREA_INSIDE);
	assert_int_equal(area_ring_locate(m, 5, 5, 5), AREA_BOUNDARY);
	assert_int_equal(area_ring_locate(m, 5, 5, 7), AREA_OUTSIDE);
	assert_int_equal(area_ring_locate(m, 5, -1, 5), AREA_OUTSIDE);
}

/* Winding direction does not matter. */
static void test_ring_clockwise(void **state)
{
	(void)state;
	static const double cw[] = {0, 0, 0, 10, 10, 10, 10, 0};
	assert_int_equal(area_ring_locate(cw, 4, 5, 5), AREA_INSIDE);
	assert_int_equal(area_ring_locate(cw, 4, 10, 5), AREA_BOUNDARY);
	assert_int_equal(area_ring_locate(cw, 4, 10.5, 5), AREA_OUTSIDE);
}

static void test_ring_degenerate(void **state)
{
	(void)state;
	static const double two[] = {0, 0, 10, 10, 0, 0};
	assert_int_equal(area_ring_locate(two, 3, 5, 5), AREA_OUTSIDE);
	assert_int_equal(area_ring_locate(two, 2, 5, 5), AREA_OUTSIDE);
	assert_int_equal(area_ring_locate(square, 0, 5, 5), AREA_OUTSIDE);
}

/* ---- area sets from files ---- */

typedef struct parsed {
	area_def *defs;
	size_t n;
	long long ids[8];
	area_set *set;
} parsed;

static void parse_ok(parsed *p, const char *text)
{
	char err[512] = "";
	memset(p, 0, sizeof *p);
	if (area_file_parse("areas.json", text, &p->defs, &p->n, err, sizeof err) != 0)
		fail_msg("refused: %s", err);
	assert_true(p->n <= 8);
	for (size_t i = 0; i < p->n; i++)
		p->ids[i] = 101 + (long long)i;
	p->set = area_set_from_defs(p->defs, p->ids, p->n, err, sizeof err);
	if (!p->set)
		fail_msg("not compiled: %s", err);
	assert_int_equal(area_set_count(p->set), p->n);
}

static void parsed_free(parsed *p)
{
	area_set_free(p->set);
	area_defs_free(p->defs, p->n);
}

/* The ids of the areas containing the point, as a bit mask of (id - 100). */
static unsigned match_pt(const parsed *p, double lon, double lat)
{
	long long ids[8];
	size_t k = area_set_match(p->set, 1, lon, lat, NULL, NULL, ids, 8);
	unsigned mask = 0;
	for (size_t i = 0; i < k; i++)
		mask |= 1u << (ids[i] - 100);
	return mask;
}

#define A1 (1u << 1)
#define A2 (1u << 2)

static const char *const holed =
	"{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", "
	"\"properties\": {\"name\": \"Ring Town\"}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": ["
	"[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],"
	"[[4, 4], [4, 6], [6, 6], [6, 4], [4, 4]]]}}]}";

static void test_polygon_with_hole(void **state)
{
	(void)state;
	parsed p;
	parse_ok(&p, holed);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.defs[0].name, "Ring Town");
	assert_string_equal(p.defs[0].kind, "polygon");
	assert_int_equal(match_pt(&p, 2, 2), A1);
	assert_int_equal(match_pt(&p, 5, 5), 0);     /* in the hole */
	assert_int_equal(match_pt(&p, 4.5, 5.5), 0); /* in the hole */
	assert_int_equal(match_pt(&p, 4, 5), A1);    /* on the hole's edge */
	assert_int_equal(match_pt(&p, 6, 6), A1);    /* on the hole's corner */
	assert_int_equal(match_pt(&p, 10, 5), A1);   /* on the outer edge */
	assert_int_equal(match_pt(&p, 10.5, 5), 0);
	/* no coordinates: never in a polygon */
	long long ids[4];
	assert_int_equal(area_set_match(p.set, 0, 2, 2, "E01000001", "Ring Town", ids, 4), 0);
	parsed_free(&p);
}

static void test_multipolygon(void **state)
{
	(void)state;
	parsed p;
	parse_ok(&p, "{\"areas\": [{\"name\": \"Yarm\", \"geometry\": {\"type\": \"MultiPolygon\", \"coordinates\": ["
		     "[[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]],"
		     "[[[5, 0], [7, 0], [7, 2], [5, 2], [5, 0]]]]}}]}");
	assert_int_equal(match_pt(&p, 1, 1), A1);
	assert_int_equal(match_pt(&p, 6, 1), A1);
	assert_int_equal(match_pt(&p, 7, 2), A1);
	/* the gap between the parts is inside the bounding box but not the area */
	assert_int_equal(match_pt(&p, 3.5, 1), 0);
	assert_int_equal(match_pt(&p, 1, 3), 0);
	parsed_free(&p);
}

static void test_overlapping_areas(void **state)
{
	(void)state;
	parsed p;
	parse_ok(&p, "{\"areas\": ["
		     "{\"name\": \"West\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": "
		     "[[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}},"
		     "{\"name\": \"East\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": "
		     "[[[5, 5], [15, 5], [15, 15], [5, 15], [5, 5]]]}}]}");
	assert_int_equal(p.n, 2);
	assert_int_equal(match_pt(&p, 7, 7), A1 | A2);
	assert_int_equal(match_pt(&p, 2, 2), A1);
	assert_int_equal(match_pt(&p, 12, 12), A2);
	assert_int_equal(match_pt(&p, 10, 5), A1 | A2); /* on both edges */
	assert_int_equal(match_pt(&p, 12, 2), 0);
	/* no more ids than there is room for */
	long long ids[1] = {0};
	assert_int_equal(area_set_match(p.set, 1, 7, 7, NULL, NULL, ids, 1), 1);
	assert_int_equal(ids[0], 101);
	parsed_free(&p);
}

static void test_lsoa_list(void **state)
{
	(void)state;
	parsed p;
	parse_ok(&p, "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"geometry\": null, "
		     "\"properties\": {\"name\": \"Stockton\", \"lsoa_codes\": [\"E01035196\", \"E01012227\", "
		     "\"E01035197\"]}}]}");
	assert_string_equal(p.defs[0].kind, "lsoa");
	long long ids[4];
	assert_int_equal(area_set_match(p.set, 0, 0, 0, "E01012227", NULL, ids, 4), 1);
	assert_int_equal(ids[0], 101);
	assert_int_equal(area_set_match(p.set, 0, 0, 0, "e01035197", NULL, ids, 4), 1);
	assert_int_equal(area_set_match(p.set, 1, -1.3, 54.5, "E01035196", NULL, ids, 4), 1);
	assert_int_equal(area_set_match(p.set, 0, 0, 0, "E01099999", NULL, ids, 4), 0);
	assert_int_equal(area_set_match(p.set, 0, 0, 0, "E0101222", NULL, ids, 4), 0);
	assert_int_equal(area_set_match(p.set, 0, 0, 0, "", NULL, ids, 4), 0);
	assert_int_equal(area_set_match(p.set, 0, 0, 0, NULL, NULL, ids, 4), 0);
	/* an LSOA list never matches on an area value */
	assert_int_equal(area_set_match(p.set, 0, 0, 0, NULL, "E01012227", ids, 4), 0);
	parsed_free(&p);
}

static void test_area_values(void **state)
{
	(void)state;
	parsed p;
	parse_ok(&p, "{\"areas\": [{\"name\": \"Stockton Town Centre\", \"area_values\": [\"Stockton Town Centre\", "
		     "\"Stockton TC\"]}, {\"name\": \"Norton\", \"area_values\": [\"Norton Central\"]}]}");
	assert_string_equal(p.defs[0].kind, "value");
	long long ids[4];
	assert_int_equal(area_set_match(p.set, 0, 0, 0, NULL, "Stockton TC", ids, 4), 1);
	assert_int_equal(ids[0], 101);
	assert_int_equal(area_set_match(p.set, 0, 0, 0, NULL, "stockton town centre", ids, 4), 1);
	assert_int_equal(ids[0], 101);
	assert_int_equal(area_set_match(p.set, 0, 0, 0, NULL, "Norton Central", ids, 4), 1);
	assert_int_equal(ids[0], 102);
	assert_int_equal(area_set_match(p.set, 0, 0, 0, NULL, "Norton", ids, 4), 0);
	assert_int_equal(area_set_match(p.set, 0, 0, 0, "Norton Central", NULL, ids, 4), 0);
	parsed_free(&p);
}

/* An empty set (or none) matches nothing. */
static void test_empty_set(void **state)
{
	(void)state;
	char err[64] = "";
	area_set *set = area_set_from_defs(NULL, NULL, 0, err, sizeof err);
	assert_non_null(set);
	assert_int_equal(area_set_count(set), 0);
	long long ids[1];
	assert_int_equal(area_set_match(set, 1, 0, 0, "E01000001", "x", ids, 1), 0);
	assert_int_equal(area_set_match(NULL, 1, 0, 0, "E01000001", "x", ids, 1), 0);
	assert_int_equal(area_set_count(NULL), 0);
	area_set_free(set);
	area_set_free(NULL);
}

/* ---- errors ---- */

static void expect_error(const char *text, const char *want)
{
	char err[512] = "";
	area_def *defs = NULL;
	size_t n = 99;
	if (area_file_parse("dir/bad.geojson", text, &defs, &n, err, sizeof err) == 0) {
		area_defs_free(defs, n);
		fail_msg("accepted: %s", text);
	}
	if (strncmp(err, "dir/bad.geojson:", 16) != 0 || !strstr(err, want))
		fail_msg("message \"%s\" lacks the path or \"%s\"", err, want);
}

#define SQ "[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]"
#define POLY "{\"type\": \"Polygon\", \"coordinates\": " SQ "}"

/* With many polygons the set finds candidates through a grid: it must name
 * exactly the areas, in the same order, that testing each area alone does,
 * on edges, vertices, holes and just outside the boxes too. */
static void test_many_areas_same_as_one_by_one(void **state)
{
	(void)state;
	enum { N = 60 };
	area_def defs[N];
	long long ids[N];
	char names[N][16];
	for (int i = 0; i < N; i++) {
		/* overlapping 2 x 1.5 boxes on a 10 x 6 lattice, a hole in every
		 * fifth, every seventh an LSOA list instead */
		double x = (i % 10) * 1.5, y = (i / 10) * 1.2;
		snprintf(names[i], sizeof names[i], "a%d", i);
		defs[i].name = names[i];
		if (i % 7 == 3) {
			defs[i].kind = "lsoa";
			defs[i].definition = strdup("{\"lsoa_codes\": [\"E01000001\", \"E01000002\"]}");
		} else {
			char buf[512];
			int k = snprintf(buf, sizeof buf, "{\"type\": \"Polygon\", \"coordinates\": [[[%g, %g], [%g, %g], "
				    "[%g, %g], [%g, %g], [%g, %g]]", x, y, x + 2, y, x + 2, y + 1.5, x, y + 1.5, x, y);
			if (i % 5 == 0)
				k += snprintf(buf + k, sizeof buf - (size_t)k, ", [[%g, %g], [%g, %g], [%g, %g], [%g, %g]]",
					      x + 0.5, y + 0.5, x + 0.5, y + 1, x + 1.5, y + 1, x + 0.5, y + 0.5);
			snprintf(buf + k, sizeof buf - (size_t)k, "]}");
			defs[i].kind = "polygon";
			defs[i].definition = strdup(buf);
		}
		assert_non_null(defs[i].definition);
		ids[i] = 1000 + i;
	}
	char err[256];
	area_set *all = area_set_from_defs(defs, ids, N, err, sizeof err);
	assert_non_null(all);
	area_set *one[N];
	for (int i = 0; i < N; i++)
		assert_non_null(one[i] = area_set_from_defs(&defs[i], &ids[i], 1, err, sizeof err));
	long long got[N], want[N];
	size_t hits = 0;
	for (int yi = -3; yi <= 7 * 20 + 3; yi++)
		for (int xi = -3; xi <= 16 * 8 + 3; xi++) {
			/* a lattice through every vertex and edge, nudged by 1e-10 now and then */
			double x = xi / 8.0 + (xi % 3 == 0 ? 1e-10 : 0), y = yi / 20.0 - (yi % 4 == 0 ? 1e-10 : 0);
			const char *lsoa = (xi + yi) % 5 == 0 ? "E01000002" : NULL;
			size_t k = area_set_match(all, 1, x, y, lsoa, NULL, got, N), w = 0;
			for (int i = 0; i < N; i++)
				w += area_set_match(one[i], 1, x, y, lsoa, NULL, want + w, 1);
			if (k != w || memcmp(got, want, k * sizeof *got) != 0)
				fail_msg("(%.12g, %.12g): %zu areas through the grid, %zu one by one", x, y, k, w);
			hits += k;
		}
	assert_true(hits > 1000);
	/* without coordinates only the lists can match */
	assert_int_equal(area_set_match(all, 0, 1, 1, "E01000001", NULL, got, N), (N + 3) / 7);
	area_set_free(all);
	for (int i = 0; i < N; i++) {
		area_set_free(one[i]);
		free(defs[i].definition);
	}
}

static void test_error_no_name(void **state)
{
	(void)state;
	expect_error("{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": "
		     "{\"title\": \"X\"}, \"geometry\": " POLY "}]}",
		     "feature 1 has no \"name\"");
	expect_error("{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": "
		     "{\"name\": \"A\"}, \"geometry\": " POLY "}, {\"type\": \"Feature\", \"geometry\": " POLY "}]}",
		     "feature 2 has no \"name\"");
	expect_error("{\"areas\": [{\"name\": \"\", \"lsoa_codes\": [\"E01000001\"]}]}", "area 1 has an empty \"name\"");
}

static void test_error_duplicate_names(void **state)
{
	(void)state;
	expect_error("{\"areas\": [{\"name\": \"Norton\", \"lsoa_codes\": [\"E01000001\"]}, {\"name\": \"Yarm\", "
		     "\"geometry\": " POLY "}, {\"name\": \"Norton\", \"area_values\": [\"Norton\"]}]}",
		     "area \"Norton\" is defined twice");
}

static void test_error_geometry_type(void **state)
{
	(void)state;
	expect_error("{\"areas\": [{\"name\": \"Dot\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [0, 0]}}]}",
		     "area \"Dot\": geometry type \"Point\" is not Polygon or MultiPolygon");
	expect_error("{\"areas\": [{\"name\": \"Line\", \"geometry\": {\"type\": \"LineString\", \"coordinates\": "
		     "[[0, 0], [1, 1]]}}]}",
		     "geometry type \"LineString\"");
}

static void test_error_short_ring(void **state)
{
	(void)state;
	expect_error("{\"areas\": [{\"name\": \"Tri\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": "
		     "[[[0, 0], [1, 0], [0, 0]]]}}]}",
		     "area \"Tri\": a ring needs at least 4 positions");
	/* a short hole is as bad as a short outer ring */
	expect_error("{\"areas\": [{\"name\": \"Holey\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": "
		     "[[[0, 0], [9, 0], [9, 9], [0, 0]], [[1, 1], [2, 1], [1, 1]]]}}]}",
		     "a ring needs at least 4 positions");
	expect_error("{\"areas\": [{\"name\": \"Y\", \"geometry\": {\"type\": \"MultiPolygon\", \"coordinates\": "
		     "[" SQ ", [[[0, 0], [1, 1]]]]}}]}",
		     "a ring needs at least 4 positions");
}

static void test_error_bad_positions(void **state)
{
	(void)state;
	expect_error("{\"areas\": [{\"name\": \"Far\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": "
		     "[[[0, 0], [200, 0], [1, 1], [0, 0]]]}}]}",
		     "position 2 is not [longitude, latitude]");
	expect_error("{\"areas\": [{\"name\": \"Str\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": "
		     "[[[0, 0], [1, 0], [\"1\", 1], [0, 0]]]}}]}",
		     "position 3 is not [longitude, latitude]");
}

static void test_error_invalid_json(void **state)
{
	(void)state;
	expect_error("{\"areas\": [\n{\"name\": \"A\",\n\"lsoa_codes\": [\"E01000001\",]}]}", "not valid JSON");
	expect_error("", "not valid JSON");
	/* the message says which line */
	char err[256] = "";
	area_def *defs = NULL;
	size_t n = 0;
	assert_int_equal(area_file_parse("dir/bad.geojson", "{\n\"areas\":\n[\n}", &defs, &n, err, sizeof err), -1);
	assert_non_null(strstr(err, "dir/bad.geojson:4: "));
}

static void test_error_shape(void **state)
{
	(void)state;
	expect_error("[1, 2]", "expected a GeoJSON FeatureCollection");
	expect_error("{\"areas\": []}", "defines no areas");
	expect_error("{\"areas\": [{\"name\": \"Both\", \"geometry\": " POLY ", \"lsoa_codes\": [\"E01000001\"]}]}",
		     "needs exactly one of");
	expect_error("{\"areas\": [{\"name\": \"None\"}]}", "needs exactly one of");
	expect_error("{\"areas\": [{\"name\": \"Empty\", \"lsoa_codes\": []}]}", "non-empty array");
	expect_error("{\"areas\": [{\"name\": \"Num\", \"area_values\": [\"a\", 2]}]}", "area_values item 2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_inside_outside),
		cmocka_unit_test(test_ring_edges_and_vertices),
		cmocka_unit_test(test_ring_diagonal_edge),
		cmocka_unit_test(test_ring_ray_through_vertex),
		cmocka_unit_test(test_ring_clockwise),
		cmocka_unit_test(test_ring_degenerate),
		cmocka_unit_test(test_polygon_with_hole),
		cmocka_unit_test(test_multipolygon),
		cmocka_unit_test(test_overlapping_areas),
		cmocka_unit_test(test_lsoa_list),
		cmocka_unit_test(test_area_values),
		cmocka_unit_test(test_empty_set),
		cmocka_unit_test(test_many_areas_same_as_one_by_one),
		cmocka_unit_test(test_error_no_name),
		cmocka_unit_test(test_error_duplicate_names),
		cmocka_unit_test(test_error_geometry_type),
		cmocka_unit_test(test_error_short_ring),
		cmocka_unit_test(test_error_bad_positions),
		cmocka_unit_test(test_error_invalid_json),
		cmocka_unit_test(test_error_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
