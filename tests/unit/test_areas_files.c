/* Unit tests for boundary files as published: British National Grid GeoJSON
 * and shapefiles load to the same areas as WGS84 (tests/fixtures/geo, made
 * with ogr2ogr), names from --name-field or a *NM property, --only,
 * --rename, coordinate-system errors, and shapefiles shapelib writes here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "areas/areas.h"
#include "core/util.h"
#include "tmpdir.h"

#define FIX "tests/fixtures/geo/"

/* Points further than this from every edge must land in the same areas
 * whichever file format the boundaries came in: see FIX "README.md". */
#define TOL_M 5.0

typedef struct loaded {
	area_def *defs;
	size_t n;
	long long ids[16];
	area_set *set;
	strbuf notes;
} loaded;

static void keep_note(void *ctx, int warning, const char *msg)
{
	strbuf *sb = ctx;
	sb_printf(sb, "%s%s\n", warning ? "warning: " : "", msg);
}

/* Reads PATH with O (NULL: defaults) and compiles it; fails the test if refused. */
static void load(loaded *l, const char *path, area_load_opts *o)
{
	char err[1024] = "";
	area_load_opts dflt = {0};
	memset(l, 0, sizeof *l);
	if (!o)
		o = &dflt;
	o->note = keep_note;
	o->note_ctx = &l->notes;
	int st = area_file_read(path, o, &l->defs, &l->n, err, sizeof err);
	if (st != CT_OK)
		fail_msg("%s refused (%d): %s", path, st, err);
	assert_true(l->n <= 16);
	for (size_t i = 0; i < l->n; i++)
		l->ids[i] = (long long)i;
	l->set = area_set_from_defs(l->defs, l->ids, l->n, err, sizeof err);
	if (!l->set)
		fail_msg("%s not compiled: %s", path, err);
}

static void unload(loaded *l)
{
	area_set_free(l->set);
	area_defs_free(l->defs, l->n);
	sb_release(&l->notes);
}

/* The names of the areas of L containing the point, joined with '|'. */
static void names_at(const loaded *l, double lon, double lat, char *buf, size_t len)
{
	long long ids[16];
	size_t k = area_set_match(l->set, 1, lon, lat, NULL, NULL, ids, 16);
	buf[0] = '\0';
	for (size_t i = 0; i < k; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i ? "|" : "", l->defs[ids[i]].name);
	}
}

static size_t index_of(const loaded *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->defs[i].name, name) == 0)
			return i;
	fail_msg("no area \"%s\"", name);
	return 0;
}

/* Every vertex of every area of L, as (lon, lat) pairs, with the rings'
 * edges: ring k of the list starts at start[k]. */
typedef struct vertices {
	double *xy;
	size_t n, alloc;
	size_t *start;
	size_t nrings;
} vertices;

static void collect(const cJSON *c, vertices *v, int depth)
{
	if (depth == 1) { /* a ring */
		v->start = realloc(v->start, (v->nrings + 2) * sizeof *v->start);
		v->start[v->nrings++] = v->n;
		const cJSON *pt;
		cJSON_ArrayForEach(pt, c)
		{
			if (v->n == v->alloc) {
				v->alloc = v->alloc ? 2 * v->alloc : 256;
				v->xy = realloc(v->xy, 2 * v->alloc * sizeof *v->xy);
			}
			v->xy[2 * v->n] = cJSON_GetArrayItem(pt, 0)->valuedouble;
			v->xy[2 * v->n + 1] = cJSON_GetArrayItem(pt, 1)->valuedouble;
			v->n++;
		}
		v->start[v->nrings] = v->n;
		return;
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, c)
	{
		collect(it, v, depth - 1);
	}
}

static void area_vertices(const area_def *d, vertices *v)
{
	cJSON *g = cJSON_Parse(d->definition);
	assert_non_null(g);
	const char *type = cJSON_GetObjectItem(g, "type")->valuestring;
	collect(cJSON_GetObjectItem(g, "coordinates"), v, strcmp(type, "Polygon") == 0 ? 2 : 3);
	cJSON_Delete(g);
}

/* Metres east and north of (LON0, LAT0): near enough for a few kilometres. */
static void local_m(double lon0, double lat0, double lon, double lat, double *x, double *y)
{
	*x = (lon - lon0) * 111320.0 * cos(lat0 * M_PI / 180);
	*y = (lat - lat0) * 110574.0;
}

/* Metres from (LON, LAT) to the nearest edge of V. */
static double edge_dist_m(const vertices *v, double lon, double lat)
{
	double best = INFINITY;
	for (size_t r = 0; r < v->nrings; r++)
		for (size_t i = v->start[r]; i + 1 < v->start[r + 1]; i++) {
			double ax, ay, bx, by;
			local_m(lon, lat, v->xy[2 * i], v->xy[2 * i + 1], &ax, &ay);
			local_m(lon, lat, v->xy[2 * i + 2], v->xy[2 * i + 3], &bx, &by);
			double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
			double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
			t = t < 0 ? 0 : t > 1 ? 1 : t;
			double qx = ax + t * dx, qy = ay + t * dy;
			best = fmin(best, sqrt(qx * qx + qy * qy));
		}
	return best;
}

/* A and B have the same vertices, to 1e-12 degrees (cJSON prints a
 * coordinate to 15 digits when that reads back within an ulp or so). */
static void same_vertices(const area_def *a, const area_def *b)
{
	vertices va = {0}, vb = {0};
	area_vertices(a, &va);
	area_vertices(b, &vb);
	assert_string_equal(a->name, b->name);
	assert_int_equal(va.n, vb.n);
	for (size_t k = 0; k < 2 * va.n; k++)
		if (fabs(va.xy[k] - vb.xy[k]) > 1e-12)
			fail_msg("%s: coordinate %zu is %.17g, not %.17g", a->name, k, vb.xy[k], va.xy[k]);
	free(va.xy), free(va.start), free(vb.xy), free(vb.start);
}

/* OTHER puts every point of a grid over the wards, and points beside each
 * vertex, in the same areas as REF, except points within TOL_M of an edge;
 * and its vertices lie within TOL_M of REF's. */
static void same_assignments(const loaded *ref, const loaded *other, const char *what)
{
	assert_int_equal(other->n, ref->n);
	vertices all = {0};
	double worst = 0;
	for (size_t i = 0; i < ref->n; i++) {
		vertices a = {0}, b = {0};
		area_vertices(&ref->defs[i], &a);
		area_vertices(&other->defs[index_of(other, ref->defs[i].name)], &b);
		assert_int_equal(a.n, b.n);
		/* writers may turn rings the other way: each vertex's nearest */
		for (size_t k = 0; k < a.n; k++) {
			double best = INFINITY;
			for (size_t m = 0; m < b.n; m++) {
				double x, y;
				local_m(a.xy[2 * k], a.xy[2 * k + 1], b.xy[2 * m], b.xy[2 * m + 1], &x, &y);
				best = fmin(best, sqrt(x * x + y * y));
			}
			worst = fmax(worst, best);
		}
		area_vertices(&ref->defs[i], &all);
		free(a.xy), free(a.start), free(b.xy), free(b.start);
	}
	print_message("%s: largest vertex difference from WGS84 %.4f m\n", what, worst);
	if (worst > TOL_M)
		fail_msg("%s: a vertex is %.3f m from WGS84's", what, worst);
	size_t tested = 0, inside = 0, near_edge = 0;
	char want[256], got[256];
	/* a 250 x 250 grid over the areas' box and a little beyond, and 4
	 * points 1 m and 10 m from each vertex */
	double x0 = all.xy[0], x1 = x0, y0 = all.xy[1], y1 = y0;
	for (size_t k = 1; k < all.n; k++) {
		x0 = fmin(x0, all.xy[2 * k]), x1 = fmax(x1, all.xy[2 * k]);
		y0 = fmin(y0, all.xy[2 * k + 1]), y1 = fmax(y1, all.xy[2 * k + 1]);
	}
	double mx = (x1 - x0) * 0.02, my = (y1 - y0) * 0.02;
	size_t ngrid = 250 * 250, npts = ngrid + all.n * 8;
	for (size_t p = 0; p < npts; p++) {
		double lon, lat;
		if (p < ngrid) {
			lon = x0 - mx + (double)(p % 250) * ((x1 - x0 + 2 * mx) / 249);
			lat = y0 - my + (double)(p / 250) * ((y1 - y0 + 2 * my) / 249);
		} else {
			size_t k = (p - ngrid) / 8, j = (p - ngrid) % 8;
			double d = j < 4 ? 1.0 : 10.0;
			lon = all.xy[2 * k] + (j % 4 == 0 ? d : j % 4 == 1 ? -d : 0) / (111320.0 * cos(54.52 * M_PI / 180));
			lat = all.xy[2 * k + 1] + (j % 4 == 2 ? d : j % 4 == 3 ? -d : 0) / 110574.0;
		}
		names_at(ref, lon, lat, want, sizeof want);
		names_at(other, lon, lat, got, sizeof got);
		tested++;
		inside += want[0] != '\0';
		if (strcmp(want, got) == 0)
			continue;
		double d = edge_dist_m(&all, lon, lat);
		if (d > TOL_M)
			fail_msg("%s: (%.7f, %.7f), %.2f m from an edge, is in \"%s\", not \"%s\"", what, lon, lat, d, got,
				 want);
		near_edge++;
	}
	print_message("%s: %zu points, %zu in a ward, %zu differ (all within %.0f m of an edge)\n", what, tested,
		      inside, near_edge, TOL_M);
	assert_true(inside > 1000);
	free(all.xy);
	free(all.start);
}

static void test_bng_geojson_same_as_wgs84(void **state)
{
	(void)state;
	loaded ref, bng;
	load(&ref, FIX "wards-wgs84.geojson", NULL);
	load(&bng, FIX "wards-bng.geojson", NULL);
	assert_non_null(strstr(bng.notes.buf, "converted from OSGB36 / British National Grid (EPSG:27700)"));
	assert_null(ref.notes.buf ? strstr(ref.notes.buf, "converted") : NULL);
	same_assignments(&ref, &bng, "BNG GeoJSON");
	unload(&ref);
	unload(&bng);
}

static void test_shapefiles_same_as_wgs84(void **state)
{
	(void)state;
	loaded ref, shp, shp84;
	load(&ref, FIX "wards-wgs84.geojson", NULL);
	load(&shp, FIX "wards-bng.shp", NULL);
	load(&shp84, FIX "wards-wgs84.shp", NULL);
	/* the .prj decides: BNG is converted, WGS84 is used as it is */
	assert_non_null(strstr(shp.notes.buf, "converted from OSGB36 / British National Grid"));
	assert_null(strstr(shp84.notes.buf, "converted"));
	same_assignments(&ref, &shp, "BNG shapefile");
	same_assignments(&ref, &shp84, "WGS84 shapefile");
	unload(&ref);
	unload(&shp);
	unload(&shp84);
}

/* A BNG file whose crs member is missing: an error naming --crs EPSG:27700;
 * with --crs it loads like the file that names its CRS. */
static void test_bng_without_crs(void **state)
{
	(void)state;
	char *text = ct_read_file(FIX "wards-bng.geojson", NULL, 0);
	assert_non_null(text);
	cJSON *j = cJSON_Parse(text);
	free(text);
	cJSON_DeleteItemFromObject(j, "crs");
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	area_def *defs = NULL;
	size_t n = 0;
	char err[1024] = "";
	assert_int_equal(area_file_parse_opts("x.geojson", text, NULL, &defs, &n, err, sizeof err), CT_EDATA);
	assert_non_null(strstr(err, "x.geojson: area \"Parkfield and Oxbridge\": position 1 is not [longitude, latitude]: "
				    "[443373.7977, 515844.7003]; the file names no coordinate system, and these look like "
				    "British National Grid eastings and northings in metres: give --crs EPSG:27700"));
	area_load_opts o = {.crs = "EPSG:27700"};
	assert_int_equal(area_file_parse_opts("x.geojson", text, &o, &defs, &n, err, sizeof err), CT_OK);
	loaded a, b;
	load(&a, FIX "wards-bng.geojson", NULL);
	assert_int_equal(n, a.n);
	for (size_t i = 0; i < n; i++)
		same_vertices(&defs[i], &a.defs[i]);
	area_defs_free(defs, n);
	/* --crs against a file that names another CRS wins, with a warning */
	area_load_opts wrong = {.crs = "EPSG:4326"};
	strbuf notes = {0};
	wrong.note = keep_note;
	wrong.note_ctx = &notes;
	assert_int_equal(area_file_read(FIX "wards-bng.geojson", &wrong, &defs, &n, err, sizeof err), CT_EDATA);
	assert_non_null(strstr(notes.buf, "warning: " FIX "wards-bng.geojson: the file says its coordinates are OSGB36 / "
					  "British National Grid (EPSG:27700); read as WGS 84 (EPSG:4326), as --crs says"));
	assert_non_null(strstr(err, "the file says its coordinates are WGS 84 (EPSG:4326), but these look like British "
				    "National Grid"));
	sb_release(&notes);
	free(text);
	/* WGS84 without a crs member is the default and needs nothing */
	text = ct_read_file(FIX "wards-wgs84.geojson", NULL, 0);
	j = cJSON_Parse(text);
	free(text);
	cJSON_DeleteItemFromObject(j, "crs");
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	load(&b, FIX "wards-wgs84.geojson", NULL);
	assert_int_equal(area_file_parse_opts("x.geojson", text, NULL, &defs, &n, err, sizeof err), CT_OK);
	for (size_t i = 0; i < n; i++)
		same_vertices(&defs[i], &b.defs[i]);
	area_defs_free(defs, n);
	free(text);
	unload(&a);
	unload(&b);
}

static void expect(const char *text, const area_load_opts *o, int want_status, const char *want)
{
	char err[1024] = "";
	area_def *defs = NULL;
	size_t n = 0;
	int st = area_file_parse_opts("f.geojson", text, o, &defs, &n, err, sizeof err);
	if (st == CT_OK)
		area_defs_free(defs, n);
	if (st != want_status || !strstr(err, want))
		fail_msg("status %d, message \"%s\": wanted %d and \"%s\"", st, err, want_status, want);
}

#define SQ(x) "[[[" #x ", 54], [" #x ".5, 54], [" #x ".5, 54.5], [" #x ", 54.5], [" #x ", 54]]]"
#define FEAT(props, x) "{\"type\": \"Feature\", \"properties\": " props ", \"geometry\": {\"type\": \"Polygon\", " \
		       "\"coordinates\": " SQ(x) "}}"
#define FC(features) "{\"type\": \"FeatureCollection\", \"features\": [" features "]}"

/* The names the definitions of TEXT get with O, joined with '|'. */
static void names_of(const char *text, const area_load_opts *o, const char *want)
{
	char err[1024] = "", got[512] = "";
	area_def *defs = NULL;
	size_t n = 0;
	if (area_file_parse_opts("f.geojson", text, o, &defs, &n, err, sizeof err) != CT_OK)
		fail_msg("refused: %s", err);
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(got);
		snprintf(got + used, sizeof got - used, "%s%s", i ? "|" : "", defs[i].name);
	}
	area_defs_free(defs, n);
	assert_string_equal(got, want);
}

static const char *const ons =
	FC(FEAT("{\"WD13CD\": \"E05001552\", \"WD13NM\": \"Yarm\", \"WD13NMW\": null}", -1) ","
	   FEAT("{\"WD13CD\": \"E05001548\", \"WD13NM\": \"Stainsby Hill\", \"WD13NMW\": null}", -2) ","
	   FEAT("{\"WD13CD\": \"E05001549\", \"WD13NM\": \"Stockton Town Centre\", \"WD13NMW\": null}", -3));

static void test_name_field(void **state)
{
	(void)state;
	strbuf notes = {0};
	area_load_opts o = {.note = keep_note, .note_ctx = &notes};
	/* no "name": the one *NM property, said so */
	names_of(ons, &o, "Yarm|Stainsby Hill|Stockton Town Centre");
	assert_string_equal(notes.buf, "f.geojson: areas named by property \"WD13NM\" (the file has no \"name\"; "
				       "--name-field chooses another)\n");
	sb_release(&notes);
	/* chosen */
	area_load_opts code = {.name_field = "WD13CD"};
	names_of(ons, &code, "E05001552|E05001548|E05001549");
	/* *name and NAME are name-like too, a number names an area as text */
	names_of(FC(FEAT("{\"WARD_NAME\": \"Norton\", \"id\": 3}", -1)), NULL, "Norton");
	names_of(FC(FEAT("{\"NAME\": \"Norton\"}", -1)), NULL, "Norton");
	area_load_opts id = {.name_field = "id"};
	names_of(FC(FEAT("{\"WARD_NAME\": \"Norton\", \"id\": 3}", -1)), &id, "3");
	/* "name" wins when there is one */
	names_of(FC(FEAT("{\"name\": \"Town\", \"WD13NM\": \"Yarm\"}", -1)), NULL, "Town");
}

static void test_unnamed_features(void **state)
{
	(void)state;
	/* nothing name-like: the properties are listed */
	expect(FC(FEAT("{\"WD13CD\": \"E05001552\", \"OBJECTID\": 7}", -1)), NULL, CT_EDATA,
	       "f.geojson: feature 1 has no \"name\" (its properties: WD13CD, OBJECTID); give --name-field with the one "
	       "that names the areas");
	expect(FC(FEAT("{}", -1)), NULL, CT_EDATA, "feature 1 has no \"name\" (its properties: none)");
	/* two candidates: no guess */
	expect(FC(FEAT("{\"WD13NM\": \"Yarm\", \"LAD13NM\": \"Stockton-on-Tees\"}", -1)), NULL, CT_EDATA,
	       "f.geojson: feature 1 has no \"name\" and several properties could name the areas (WD13NM, LAD13NM): "
	       "give --name-field");
	/* a later feature without one, or with an empty one */
	expect(FC(FEAT("{\"WD13NM\": \"Yarm\"}", -1) "," FEAT("{\"WD13CD\": \"E05001548\"}", -2)), NULL, CT_EDATA,
	       "feature 2 has no \"WD13NM\" (its properties: WD13CD)");
	area_load_opts o = {.name_field = "WD13NMW"};
	expect(ons, &o, CT_EDATA,
	       "f.geojson: feature 1 has an empty \"WD13NMW\" (its properties: WD13CD, WD13NM, WD13NMW)");
	o.name_field = "nope";
	expect(ons, &o, CT_EDATA, "feature 1 has no \"nope\" (its properties: WD13CD, WD13NM, WD13NMW)");
	/* names that repeat need a property that does not */
	expect(FC(FEAT("{\"WD13NM\": \"Village\"}", -1) "," FEAT("{\"WD13NM\": \"Village\"}", -2)), NULL, CT_EDATA,
	       "area \"Village\" is defined twice (a code property names areas uniquely: --name-field)");
}

static void test_only_and_rename(void **state)
{
	(void)state;
	const char *only[] = {"Yarm, Stainsby Hill"};
	area_load_opts o = {.only = only, .nonly = 1};
	names_of(ons, &o, "Yarm|Stainsby Hill");
	const char *only2[] = {"Stockton Town Centre", "Yarm"};
	o.only = only2;
	o.nonly = 2;
	names_of(ons, &o, "Yarm|Stockton Town Centre");
	/* renames use the file's names, with --only or without */
	const char *ren[] = {"Stainsby Hill=Thornaby Town Centre (Stainsby Hill)", " Yarm = Yarm Town Centre "};
	area_load_opts r = {.rename = ren, .nrename = 2};
	names_of(ons, &r, "Yarm Town Centre|Thornaby Town Centre (Stainsby Hill)|Stockton Town Centre");
	r.only = only;
	r.nonly = 1;
	names_of(ons, &r, "Yarm Town Centre|Thornaby Town Centre (Stainsby Hill)");
	/* a rename of a feature --only leaves out is not an error */
	const char *only3[] = {"Stockton Town Centre"};
	r.only = only3;
	names_of(ons, &r, "Stockton Town Centre");
	/* names the file does not have */
	const char *typo[] = {"Yarm,Yarmm"};
	area_load_opts t = {.only = typo, .nonly = 1};
	expect(ons, &t, CT_EDATA,
	       "f.geojson: --only: no feature named \"Yarmm\" (by property \"WD13NM\"; the file has \"Yarm\", "
	       "\"Stainsby Hill\", \"Stockton Town Centre\")");
	const char *rtypo[] = {"Stainsby=Thornaby"};
	area_load_opts rt = {.rename = rtypo, .nrename = 1};
	expect(ons, &rt, CT_EDATA, "f.geojson: --rename: no feature named \"Stainsby\"");
	/* two areas may not end up with one name */
	const char *clash[] = {"Yarm=Stockton Town Centre"};
	area_load_opts c = {.rename = clash, .nrename = 1};
	expect(ons, &c, CT_EDATA, "area \"Stockton Town Centre\" is defined twice");
	const char *twice[] = {"Yarm=A", "Yarm=B"};
	area_load_opts tw = {.rename = twice, .nrename = 2};
	expect(ons, &tw, CT_EDATA, "f.geojson: --rename: \"Yarm\" is renamed twice");
	const char *bad[] = {"Yarm"};
	area_load_opts b = {.rename = bad, .nrename = 1};
	expect(ons, &b, CT_EDATA, "--rename: \"Yarm\" is not NAME IN FILE=NEW NAME");
}

static void test_rename_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/crimetab-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/paper-names.txt", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("# ward = the paper's town centre\n\nStainsby Hill = Thornaby Town Centre (Stainsby Hill)\r\n"
	      "Yarm=Yarm Town Centre\n",
	      f);
	fclose(f);
	area_load_opts o = {.rename_file = path};
	names_of(ons, &o, "Yarm Town Centre|Thornaby Town Centre (Stainsby Hill)|Stockton Town Centre");
	/* --rename and the file together; a name in both is renamed twice */
	const char *ren[] = {"Stockton Town Centre=Stockton"};
	o.rename = ren;
	o.nrename = 1;
	names_of(ons, &o, "Yarm Town Centre|Thornaby Town Centre (Stainsby Hill)|Stockton");
	f = fopen(path, "a");
	fputs("Stockton Town Centre\n", f);
	fclose(f);
	char want[400];
	snprintf(want, sizeof want, "%s:5: \"Stockton Town Centre\" is not NAME IN FILE=NEW NAME", path);
	expect(ons, &o, CT_EDATA, want);
	unlink(path);
	expect(ons, &o, CT_EIO, "paper-names.txt: cannot open");
	rm_tree(dir);
}

static void test_crs_members(void **state)
{
	(void)state;
	/* a square of Stockton in BNG, named three ways */
	const char *bng_sq = "[[[444000, 518000], [445000, 518000], [445000, 519000], [444000, 519000], [444000, 518000]]]";
	char text[1024];
	const char *members[] = {
		"{\"type\": \"name\", \"properties\": {\"name\": \"urn:ogc:def:crs:EPSG::27700\"}}",
		"{\"type\": \"name\", \"properties\": {\"name\": \"EPSG:27700\"}}",
		"{\"type\": \"EPSG\", \"properties\": {\"code\": 27700}}",
	};
	for (size_t i = 0; i < 3; i++) {
		snprintf(text, sizeof text,
			 "{\"type\": \"FeatureCollection\", \"crs\": %s, \"features\": [{\"type\": \"Feature\", "
			 "\"properties\": {\"name\": \"Sq\"}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": %s}}]}",
			 members[i], bng_sq);
		area_def *defs = NULL;
		size_t n = 0;
		char err[512] = "";
		if (area_file_parse_opts("f.geojson", text, NULL, &defs, &n, err, sizeof err) != CT_OK)
			fail_msg("crs %s refused: %s", members[i], err);
		long long id = 1;
		area_set *set = area_set_from_defs(defs, &id, 1, err, sizeof err);
		assert_non_null(set);
		/* 444500, 518500 is (-1.313387, 54.559787) in WGS84 */
		long long hit;
		assert_int_equal(area_set_match(set, 1, -1.313387, 54.559787, NULL, NULL, &hit, 1), 1);
		assert_int_equal(area_set_match(set, 1, -1.313387, 54.5497, NULL, NULL, &hit, 1), 0);
		area_set_free(set);
		area_defs_free(defs, n);
	}
	expect("{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"link\", \"properties\": {\"href\": \"x\"}}, "
	       "\"features\": [" FEAT("{\"name\": \"A\"}", -1) "]}",
	       NULL, CT_EDATA, "f.geojson: its \"crs\" member names no coordinate system crimetab can read: give --crs");
	expect("{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", \"properties\": {\"name\": "
	       "\"urn:ogc:def:crs:EPSG::99999\"}}, \"features\": [" FEAT("{\"name\": \"A\"}", -1) "]}",
	       NULL, CT_EDATA, "the file's coordinate system \"urn:ogc:def:crs:EPSG::99999\": not a coordinate "
			       "reference system PROJ knows; give --crs");
	area_load_opts o = {.crs = "Amersfoort"};
	expect(FC(FEAT("{\"name\": \"A\"}", -1)), &o, CT_EDATA,
	       "f.geojson: --crs \"Amersfoort\": not a coordinate reference system: give an authority code such as "
	       "EPSG:27700, a URN or WKT");
	/* coordinates that are not lon/lat and not BNG either */
	expect(FC("{\"type\": \"Feature\", \"properties\": {\"name\": \"Far\"}, \"geometry\": {\"type\": \"Polygon\", "
		  "\"coordinates\": [[[0, 0], [-2000, 0], [1, 1], [0, 0]]]}}"),
	       NULL, CT_EDATA,
	       "area \"Far\": position 2 is not [longitude, latitude]: [-2000, 0]; the file names no coordinate system: "
	       "give --crs with it, such as EPSG:27700 for British National Grid");
	/* a position PROJ cannot bring back to the Earth */
	area_load_opts bng = {.crs = "EPSG:27700"};
	expect(FC("{\"type\": \"Feature\", \"properties\": {\"name\": \"Moon\"}, \"geometry\": {\"type\": \"Polygon\", "
		  "\"coordinates\": [[[0, 0], [1e12, 0], [1, 1], [0, 0]]]}}"),
	       &bng, CT_EDATA,
	       "area \"Moon\": position 2: [1e+12, 0] cannot be converted from OSGB36 / British National Grid "
	       "(EPSG:27700) to longitude/latitude");
}

/* A shapefile made here with shapelib: BASE.shp/.shx/.dbf with one text
 * field NAME, of TYPE shapes, each given as rings of (x, y). */
typedef struct shape_in {
	const char *name;
	int nparts;
	const int *starts;
	int n;
	const double *x, *y;
} shape_in;

static void write_shapefile(const char *base, int type, const shape_in *shapes, int nshapes, const char *prj)
{
	SHPHandle shp = SHPCreate(base, type);
	DBFHandle dbf = DBFCreate(base);
	assert_non_null(shp);
	assert_non_null(dbf);
	assert_int_equal(DBFAddField(dbf, "NAME", FTString, 40, 0), 0);
	for (int i = 0; i < nshapes; i++) {
		const shape_in *s = &shapes[i];
		SHPObject *o = s->n ? SHPCreateObject(type, -1, s->nparts, s->starts, NULL, s->n, s->x, s->y, NULL, NULL)
				    : SHPCreateSimpleObject(SHPT_NULL, 0, NULL, NULL, NULL);
		assert_true(SHPWriteObject(shp, -1, o) >= 0);
		SHPDestroyObject(o);
		assert_true(DBFWriteStringAttribute(dbf, i, 0, s->name));
	}
	SHPClose(shp);
	DBFClose(dbf);
	if (prj) {
		char p[300];
		snprintf(p, sizeof p, "%s.prj", base);
		FILE *f = fopen(p, "w");
		fputs(prj, f);
		fclose(f);
	}
}

static const char wgs84_prj[] = "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,"
				"298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";

static void test_shapefile_rings(void **state)
{
	(void)state;
	char dir[] = "/tmp/crimetab-test-XXXXXX", base[300], path[310];
	assert_non_null(mkdtemp(dir));
	snprintf(base, sizeof base, "%s/rings", dir);
	snprintf(path, sizeof path, "%s.shp", base);
	/* "Ring": outer 0..10 with a hole 4..6 and an island 4.5..5.5 in it;
	 * both counter-clockwise, so only containment tells them apart.
	 * "Pair": two squares, clockwise as the format says. */
	static const double rx[] = {0, 10, 10, 0, 0, 4, 6, 6, 4, 4, 4.5, 5.5, 5.5, 4.5, 4.5};
	static const double ry[] = {0, 0, 10, 10, 0, 4, 4, 6, 6, 4, 4.5, 4.5, 5.5, 5.5, 4.5};
	static const int rs[] = {0, 5, 10};
	static const double px[] = {20, 20, 21, 21, 20, 30, 30, 31, 31, 30};
	static const double py[] = {0, 1, 1, 0, 0, 0, 1, 1, 0, 0};
	static const int ps[] = {0, 5};
	shape_in shapes[] = {{"Ring", 3, rs, 15, rx, ry}, {"Pair", 2, ps, 10, px, py}};
	write_shapefile(base, SHPT_POLYGON, shapes, 2, wgs84_prj);
	loaded l;
	load(&l, path, NULL);
	assert_int_equal(l.n, 2);
	char got[256];
	names_at(&l, 1, 1, got, sizeof got);
	assert_string_equal(got, "Ring");
	names_at(&l, 4.2, 5, got, sizeof got); /* in the hole */
	assert_string_equal(got, "");
	names_at(&l, 5, 5, got, sizeof got); /* on the island in the hole */
	assert_string_equal(got, "Ring");
	names_at(&l, 20.5, 0.5, got, sizeof got);
	assert_string_equal(got, "Pair");
	names_at(&l, 30.5, 0.5, got, sizeof got);
	assert_string_equal(got, "Pair");
	names_at(&l, 25, 0.5, got, sizeof got);
	assert_string_equal(got, "");
	assert_non_null(strstr(l.defs[1].definition, "MultiPolygon"));
	unload(&l);
	rm_tree(dir);
}

static void test_shapefile_fixtures(void **state)
{
	(void)state;
	/* a hole and a MultiPolygon in BNG, against the same shapes in WGS84 */
	loaded hand, bng;
	load(&hand, "sample-data/areas/hand-drawn-town-centres.geojson", NULL);
	load(&bng, FIX "hand-drawn-bng.shp", NULL);
	char got[256];
	names_at(&bng, -1.310487, 54.566021, got, sizeof got); /* the park in Stockton's hole */
	assert_string_equal(got, "");
	names_at(&bng, -1.3125, 54.5655, got, sizeof got);
	assert_string_equal(got, "Stockton Town Centre");
	assert_non_null(strstr(bng.defs[index_of(&bng, "Yarm Town Centre")].definition, "MultiPolygon"));
	same_assignments(&hand, &bng, "hand-drawn BNG shapefile");
	unload(&hand);
	unload(&bng);
	/* text in the .dbf's code page comes out as UTF-8 */
	loaded lat;
	load(&lat, FIX "latin1.shp", NULL);
	assert_string_equal(lat.defs[0].name, "Caf\xc3\xa9 Quarter");
	unload(&lat);
	/* no name: the error lists what there is */
	area_def *defs = NULL;
	size_t n = 0;
	char err[1024] = "";
	assert_int_equal(area_file_read(FIX "wards-noname.shp", NULL, &defs, &n, err, sizeof err), CT_EDATA);
	assert_string_equal(err, FIX "wards-noname.shp: feature 1 has no \"name\" (its properties: WD13CD); give "
				     "--name-field with the one that names the areas");
	area_load_opts o = {.name_field = "WD13CD", .only = (const char *[]){"E05001552"}, .nonly = 1};
	assert_int_equal(area_file_read(FIX "wards-noname.shp", &o, &defs, &n, err, sizeof err), CT_OK);
	assert_int_equal(n, 1);
	assert_string_equal(defs[0].name, "E05001552");
	area_defs_free(defs, n);
}

static void test_shapefile_errors(void **state)
{
	(void)state;
	char dir[] = "/tmp/crimetab-test-XXXXXX", base[300], path[310], err[1024] = "";
	assert_non_null(mkdtemp(dir));
	area_def *defs = NULL;
	size_t n = 0;
	snprintf(path, sizeof path, "%s/none.shp", dir);
	assert_int_equal(area_file_read(path, NULL, &defs, &n, err, sizeof err), CT_EIO);
	assert_non_null(strstr(err, "none.shp: cannot open: No such file or directory"));
	/* points are not areas */
	static const double x[] = {1}, y[] = {2};
	static const int st[] = {0};
	shape_in pt = {"P", 0, st, 1, x, y};
	snprintf(base, sizeof base, "%s/points", dir);
	write_shapefile(base, SHPT_POINT, &pt, 1, wgs84_prj);
	snprintf(path, sizeof path, "%s.shp", base);
	assert_int_equal(area_file_read(path, NULL, &defs, &n, err, sizeof err), CT_EDATA);
	assert_non_null(strstr(err, "points.shp: its shapes are Point, not polygons"));
	/* a record without a shape */
	static const double sx[] = {0, 0, 1, 1, 0}, sy[] = {0, 1, 1, 0, 0};
	shape_in two[] = {{"Sq", 1, st, 5, sx, sy}, {"Nothing", 0, st, 0, NULL, NULL}};
	snprintf(base, sizeof base, "%s/null", dir);
	write_shapefile(base, SHPT_POLYGON, two, 2, wgs84_prj);
	snprintf(path, sizeof path, "%s.shp", base);
	assert_int_equal(area_file_read(path, NULL, &defs, &n, err, sizeof err), CT_EDATA);
	assert_non_null(strstr(err, "null.shp: area \"Nothing\" needs exactly one of a geometry"));
	/* without its .dbf, and cut short */
	snprintf(path, sizeof path, "%s.dbf", base);
	unlink(path);
	snprintf(path, sizeof path, "%s.shp", base);
	assert_int_equal(area_file_read(path, NULL, &defs, &n, err, sizeof err), CT_EIO);
	assert_non_null(strstr(err, "null.shp: no readable .dbf beside it"));
	write_shapefile(base, SHPT_POLYGON, two, 1, NULL);
	assert_int_equal(truncate(path, 120), 0);
	assert_int_equal(area_file_read(path, NULL, &defs, &n, err, sizeof err), CT_EDATA);
	assert_non_null(strstr(err, "null.shp: "));
	/* no .prj, BNG coordinates: the same advice as for GeoJSON */
	static const double bx[] = {444000, 444000, 445000, 445000, 444000}, by[] = {518000, 519000, 519000, 518000, 518000};
	shape_in b = {"Sq", 1, st, 5, bx, by};
	snprintf(base, sizeof base, "%s/noprj", dir);
	write_shapefile(base, SHPT_POLYGON, &b, 1, NULL);
	snprintf(path, sizeof path, "%s.shp", base);
	assert_int_equal(area_file_read(path, NULL, &defs, &n, err, sizeof err), CT_EDATA);
	assert_non_null(strstr(err, "the file names no coordinate system, and these look like British National Grid "
				    "eastings and northings in metres: give --crs EPSG:27700"));
	area_load_opts o = {.crs = "EPSG:27700"};
	assert_int_equal(area_file_read(path, &o, &defs, &n, err, sizeof err), CT_OK);
	area_defs_free(defs, n);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bng_geojson_same_as_wgs84),
		cmocka_unit_test(test_shapefiles_same_as_wgs84),
		cmocka_unit_test(test_bng_without_crs),
		cmocka_unit_test(test_name_field),
		cmocka_unit_test(test_unnamed_features),
		cmocka_unit_test(test_only_and_rename),
		cmocka_unit_test(test_rename_file),
		cmocka_unit_test(test_crs_members),
		cmocka_unit_test(test_shapefile_rings),
		cmocka_unit_test(test_shapefile_fixtures),
		cmocka_unit_test(test_shapefile_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
