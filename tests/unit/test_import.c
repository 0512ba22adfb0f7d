/* Unit tests for the importers: police.uk file names, date formats, mapping
 * errors, and imp_file on small files into a store in a temporary folder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <nettle/sha2.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "areas/areas.h"
#include "core/util.h"
#include "import/import.h"
#include "store/store.h"
#include "dbanswer.h"
#include "tmpdir.h"

#define STREET_HDR                                                                                              \
	"Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"    \
	"Last outcome category,Context\n"
#define STOP_HDR                                                                                                \
	"Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,"        \
	"Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,"                \
	"Outcome linked to object of search,Removal of more than just outer clothing\n"
#define OUTCOMES_HDR                                                                                            \
	"Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\n"
#define CP "Cleveland Police,Cleveland Police"

/* ---- a store in a temporary folder, per test ---- */

typedef struct fixture {
	char dir[64];
	store *s;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof *fx);
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/crimetab-test-import-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	char db[128], err[256];
	snprintf(db, sizeof db, "%s/test.db", fx->dir);
	fx->s = store_open(db, 0, err, sizeof err);
	if (!fx->s) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	store_close(fx->s);
	rm_tree(fx->dir);
	free(fx);
	return 0;
}

/* Writes N bytes of TEXT to DIR/NAME (NAME may hold one folder); PATH gets the full path. */
static void write_file_n(const fixture *fx, const char *name, const char *text, size_t n, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", fx->dir, name);
	char *slash = strrchr(path, '/');
	if (slash > path + strlen(fx->dir)) {
		*slash = '\0';
		mkdir(path, 0777);
		*slash = '/';
	}
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void write_file(const fixture *fx, const char *name, const char *text, char *path, size_t len)
{
	write_file_n(fx, name, text, strlen(text), path, len);
}

/* ---- store read-backs ---- */

static int count_source(void *ctx, const store_source *src)
{
	(void)src;
	++*(int *)ctx;
	return 0;
}

static int n_sources(store *s)
{
	int n = 0;
	assert_int_equal(store_sources_each(s, count_source, &n), 0);
	return n;
}

typedef struct src_find {
	long long id;
	long long superseded_by, rows_read, rows_imported, rows_rejected, bytes;
	char sha256[65];
	int found;
} src_find;

static int find_source(void *ctx, const store_source *src)
{
	src_find *f = ctx;
	if (src->id != f->id)
		return 0;
	f->found = 1;
	f->superseded_by = src->superseded_by;
	f->rows_read = src->rows_read;
	f->rows_imported = src->rows_imported;
	f->rows_rejected = src->rows_rejected;
	f->bytes = src->bytes;
	snprintf(f->sha256, sizeof f->sha256, "%s", src->sha256);
	return 1;
}

static src_find source_info(store *s, long long id)
{
	src_find f = {.id = id};
	assert_int_equal(store_sources_each(s, find_source, &f), 0);
	assert_true(f.found);
	return f;
}

typedef struct cube_sum {
	char cats[16][64];
	long long n[16];
	size_t ncats;
	long long total;
} cube_sum;

static int add_cube(void *ctx, int month, const char *category, long long n)
{
	(void)month;
	cube_sum *c = ctx;
	c->total += n;
	for (size_t i = 0; i < c->ncats; i++)
		if (strcmp(c->cats[i], category) == 0) {
			c->n[i] += n;
			return 0;
		}
	assert_true(c->ncats < 16);
	snprintf(c->cats[c->ncats], sizeof c->cats[0], "%s", category);
	c->n[c->ncats++] = n;
	return 0;
}

static cube_sum cube(store *s, long long area, const char *kind, int from, int to)
{
	cube_sum c = {0};
	assert_int_equal(store_cube_each(s, area, kind, from, to, add_cube, &c), 0);
	return c;
}

static long long cube_n(const cube_sum *c, const char *category)
{
	for (size_t i = 0; i < c->ncats; i++)
		if (strcmp(c->cats[i], category) == 0)
			return c->n[i];
	return 0;
}

typedef struct rejects {
	long long line[16];
	char reason[16][160];
	char raw[16][256];
	size_t n;
} rejects;

static int add_reject(void *ctx, const store_reject *r)
{
	rejects *rj = ctx;
	assert_true(rj->n < 16);
	rj->line[rj->n] = r->line;
	snprintf(rj->reason[rj->n], sizeof rj->reason[0], "%s", r->reason);
	snprintf(rj->raw[rj->n], sizeof rj->raw[0], "%s", r->raw);
	rj->n++;
	return 0;
}

typedef struct cover {
	char kind[32], force[64];
	int month;
	int n;
	int found;
} cover;

static int find_cover(void *ctx, const char *kind, const char *force, int month)
{
	cover *c = ctx;
	c->n++;
	if (strcmp(kind, c->kind) == 0 && strcmp(force, c->force) == 0 && month == c->month)
		c->found = 1;
	return 0;
}

static int covered(store *s, const char *kind, const char *force, int month)
{
	cover c = {.month = month};
	snprintf(c.kind, sizeof c.kind, "%s", kind);
	snprintf(c.force, sizeof c.force, "%s", force);
	assert_int_equal(store_coverage_each(s, find_cover, &c), 0);
	return c.found;
}

typedef struct locs {
	int n, without_coords, with_lsoa;
	char lsoas[8][16];
} locs;

static int add_loc(void *ctx, const store_crime_loc *c)
{
	locs *l = ctx;
	l->n++;
	if (!c->has_coords)
		l->without_coords++;
	if (c->lsoa_code && l->with_lsoa < 8)
		snprintf(l->lsoas[l->with_lsoa++], sizeof l->lsoas[0], "%s", c->lsoa_code);
	return 0;
}

typedef struct area_find {
	const char *name;
	long long id;
} area_find;

static int find_area(void *ctx, const store_area *a)
{
	area_find *f = ctx;
	if (strcmp(a->name, f->name) == 0)
		f->id = a->id;
	return 0;
}

static long long area_id(store *s, const char *name)
{
	area_find f = {name, 0};
	assert_int_equal(store_areas_each(s, find_area, &f), 0);
	assert_true(f.id > 0);
	return f.id;
}

/* ---- file names ---- */

static void test_policeuk_name(void **state)
{
	(void)state;
	int month;
	char slug[64];
	const char *kind;
	assert_int_equal(imp_parse_policeuk_name("2024-10-cleveland-street.csv", &month, slug, sizeof slug, &kind), 0);
	assert_int_equal(month, CT_MONTH(2024, 10));
	assert_string_equal(slug, "cleveland");
	assert_string_equal(kind, "street");

	assert_int_equal(imp_parse_policeuk_name("2019-01-avon-and-somerset-stop-and-search.csv", &month, slug,
						 sizeof slug, &kind), 0);
	assert_int_equal(month, CT_MONTH(2019, 1));
	assert_string_equal(slug, "avon-and-somerset");
	assert_string_equal(kind, "stop-and-search");

	assert_int_equal(imp_parse_policeuk_name("2019-01-btp-outcomes.csv", &month, slug, sizeof slug, &kind), 0);
	assert_string_equal(slug, "btp");
	assert_string_equal(kind, "outcomes");

	assert_int_equal(imp_parse_policeuk_name("2019-12-north-yorkshire-street.csv", &month, slug, sizeof slug,
						 &kind), 0);
	assert_int_equal(month, CT_MONTH(2019, 12));
	assert_string_equal(slug, "north-yorkshire");
}

static void test_policeuk_name_in_folders(void **state)
{
	(void)state;
	int month;
	char slug[64];
	const char *kind;
	assert_int_equal(imp_parse_policeuk_name("/data/police/2023-06/2023-06-durham-street.csv", &month, slug,
						 sizeof slug, &kind), 0);
	assert_int_equal(month, CT_MONTH(2023, 6));
	assert_string_equal(slug, "durham");
	assert_string_equal(kind, "street");
	/* a folder that looks like a file name does not count */
	assert_int_equal(imp_parse_policeuk_name("2024-10-cleveland-street.csv/notes.csv", &month, slug, sizeof slug,
						 &kind), -1);
}

static void test_policeuk_name_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"cleveland-street.csv",          "2024-13-cleveland-street.csv", "2024-00-cleveland-street.csv",
		"2024-10-street.csv",            "2024-10--street.csv",          "2024-10-cleveland-crimes.csv",
		"2024-10-cleveland-street.txt",  "2024-10-cleveland-street",     "2024_10-cleveland-street.csv",
		"24-10-cleveland-street.csv",    "2024-1x-cleveland-street.csv", "",
		"2024-10-clevelandstreet.csv",   "/tmp/2024-10/street.csv",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int month = -7;
		char slug[64] = "unchanged";
		const char *kind = NULL;
		if (imp_parse_policeuk_name(bad[i], &month, slug, sizeof slug, &kind) != -1)
			fail_msg("\"%s\" was accepted (slug \"%s\")", bad[i], slug);
	}
}

/* A slug that does not fit the caller's buffer is refused, not cut. */
static void test_policeuk_name_slug_too_long(void **state)
{
	(void)state;
	int month;
	char slug[8];
	const char *kind;
	assert_int_equal(imp_parse_policeuk_name("2024-10-avon-and-somerset-street.csv", &month, slug, sizeof slug,
						 &kind), -1);
	assert_int_equal(imp_parse_policeuk_name("2024-10-kent-street.csv", &month, slug, sizeof slug, &kind), 0);
	assert_string_equal(slug, "kent");
}

/* ---- dates ---- */

static void test_parse_date_formats(void **state)
{
	(void)state;
	int m = -1;
	assert_int_equal(imp_parse_date("dd/mm/yyyy", "01/10/2024", &m), 0);
	assert_int_equal(m, CT_MONTH(2024, 10));
	assert_int_equal(imp_parse_date("yyyy-mm-dd", "2023-12-31", &m), 0);
	assert_int_equal(m, CT_MONTH(2023, 12));
	assert_int_equal(imp_parse_date("yyyy-mm", "2024-01", &m), 0);
	assert_int_equal(m, CT_MONTH(2024, 1));
	assert_int_equal(imp_parse_date("dd-mm-yyyy", "29-02-2024", &m), 0);
	assert_int_equal(m, CT_MONTH(2024, 2));
	assert_int_equal(imp_parse_date("mm/dd/yyyy", "12/31/2023", &m), 0);
	assert_int_equal(m, CT_MONTH(2023, 12));
	/* day and month are not confused */
	assert_int_equal(imp_parse_date("dd/mm/yyyy", "03/04/2024", &m), 0);
	assert_int_equal(m, CT_MONTH(2024, 4));
	assert_int_equal(imp_parse_date("mm/dd/yyyy", "03/04/2024", &m), 0);
	assert_int_equal(m, CT_MONTH(2024, 3));
}

static void test_parse_date_trailing_time(void **state)
{
	(void)state;
	int m = -1;
	assert_int_equal(imp_parse_date("dd/mm/yyyy", "01/10/2024 13:45", &m), 0);
	assert_int_equal(m, CT_MONTH(2024, 10));
	assert_int_equal(imp_parse_date("yyyy-mm-dd", "2024-09-30T23:00:00+00:00", &m), 0);
	assert_int_equal(m, CT_MONTH(2024, 9));
	assert_int_equal(imp_parse_date("dd/mm/yyyy", "01/10/2024x", &m), -1);
	assert_int_equal(imp_parse_date("dd/mm/yyyy", "01/10/20245", &m), -1);
	assert_int_equal(imp_parse_date("yyyy-mm", "2024-10-01", &m), -1);
}

static void test_parse_date_invalid(void **state)
{
	(void)state;
	static const struct {
		const char *fmt, *s;
	} bad[] = {
		{"dd/mm/yyyy", "31/02/2024"}, {"dd/mm/yyyy", "30/02/2024"}, {"dd/mm/yyyy", "31/04/2024"},
		{"dd/mm/yyyy", "00/10/2024"}, {"dd/mm/yyyy", "32/01/2024"}, {"dd/mm/yyyy", "01/13/2024"},
		{"dd/mm/yyyy", "01/00/2024"}, {"yyyy-mm", "2024-13"},       {"yyyy-mm", "2024-00"},
		{"yyyy-mm", "2024-1"},        {"yyyy-mm", "24-10"},         {"dd/mm/yyyy", "1/10/2024"},
		{"dd/mm/yyyy", "01-10-2024"}, {"dd-mm-yyyy", "01/10/2024"}, {"yyyy-mm-dd", "2024-1O-01"},
		{"mm/dd/yyyy", "31/12/2023"}, {"dd/mm/yyyy", ""},           {"yyyy-mm", "+024-10"},
		{"dd/mm/yyyy", "01/10/1899"}, {"yyyy-mm-dd", " 2024-10-01"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int m = -7;
		if (imp_parse_date(bad[i].fmt, bad[i].s, &m) != -1)
			fail_msg("\"%s\" accepted as %s (month index %d)", bad[i].s, bad[i].fmt, m);
	}
}

/* 29 February exists only in leap years. */
static void test_parse_date_leap_day(void **state)
{
	(void)state;
	int m = -1;
	assert_int_equal(imp_parse_date("dd/mm/yyyy", "29/02/2024", &m), 0);
	assert_int_equal(imp_parse_date("dd/mm/yyyy", "29/02/2000", &m), 0);
	assert_int_equal(imp_parse_date("dd/mm/yyyy", "29/02/2023", &m), -1);
	assert_int_equal(imp_parse_date("dd/mm/yyyy", "29/02/1900", &m), -1);
}

/* ---- mappings ---- */

static void expect_mapping_error(const char *text, const char *want)
{
	char err[512] = "";
	imp_mapping *m = imp_mapping_parse("maps/m.json", text, err, sizeof err);
	if (m) {
		imp_mapping_free(m);
		fail_msg("mapping accepted: %s", text);
	}
	if (strncmp(err, "maps/m.json:", 12) != 0 || !strstr(err, want))
		fail_msg("message \"%s\" lacks the path or \"%s\"", err, want);
}

#define MAP_HEAD "{\"mapping_version\": 1, \"force\": \"Cleveland Police\", "

static void test_mapping_ok(void **state)
{
	(void)state;
	char err[256] = "";
	imp_mapping *m = imp_mapping_parse("m.json",
					   MAP_HEAD "\"date_format\": \"dd/mm/yyyy\", \"columns\": {\"date\": \"D\", "
						    "\"category\": \"C\", \"longitude\": \"X\", \"latitude\": \"Y\"}}",
					   err, sizeof err);
	assert_non_null(m);
	imp_mapping_free(m);
	m = imp_mapping_load("cleveland-force-export", err, sizeof err);
	assert_non_null(m);
	imp_mapping_free(m);
	imp_mapping_free(NULL);
}

static void test_mapping_errors(void **state)
{
	(void)state;
	expect_mapping_error(MAP_HEAD "\"date_format\": \"dd/mm/yyyy\", \"columns\": {\"category\": \"C\"}}",
			     "must name at least \"date\" and \"category\"");
	expect_mapping_error(MAP_HEAD "\"date_format\": \"dd/mm/yyyy\", \"columns\": {\"date\": \"D\"}}",
			     "must name at least \"date\" and \"category\"");
	expect_mapping_error(MAP_HEAD "\"date_format\": \"dd.mm.yyyy\", \"columns\": {\"date\": \"D\", \"category\": "
				      "\"C\"}}",
			     "\"date_format\": \"dd.mm.yyyy\" is not one of");
	expect_mapping_error(MAP_HEAD "\"columns\": {\"date\": \"D\", \"category\": \"C\"}}",
			     "\"date_format\" is required");
	expect_mapping_error(MAP_HEAD "\"date_format\": \"dd/mm/yyyy\", \"columns\": {\"date\": \"D\", \"category\": "
				      "\"C\", \"colour\": \"Z\"}}",
			     "unknown field \"colour\"");
	expect_mapping_error(MAP_HEAD "\"date_format\": \"dd/mm/yyyy\", \"columns\": {\"date\": \"D\", \"category\": "
				      "\"C\", \"longitude\": \"X\"}}",
			     "map both \"longitude\" and \"latitude\", or neither");
	expect_mapping_error(MAP_HEAD "\"date_format\": \"dd/mm/yyyy\", \"columns\": {\"date\": \"D\", \"category\": "
				      "\"C\", \"latitude\": \"Y\"}}",
			     "map both \"longitude\" and \"latitude\", or neither");
	expect_mapping_error(MAP_HEAD "\"date_format\": \"dd/mm/yyyy\", \"columns\": {\"date\": \"\", \"category\": "
				      "\"C\"}}",
			     "\"columns\".\"date\" must be a column name");
	/* found by tests/fuzz/fuzz_mapping.c: a repeated key leaked the first value */
	expect_mapping_error(MAP_HEAD "\"date_format\": \"dd/mm/yyyy\", \"columns\": {\"date\": \"D\", \"category\": "
				      "\"C\", \"date\": \"E\"}}",
			     "\"columns\": \"date\" is given twice");
	expect_mapping_error(MAP_HEAD "\"date_format\": \"dd/mm/yyyy\", \"columns\": [\"D\"]}",
			     "\"columns\" must be an object");
	expect_mapping_error("{\"mapping_version\": 2, \"force\": \"F\", \"date_format\": \"yyyy-mm\", \"columns\": "
			     "{\"date\": \"D\", \"category\": \"C\"}}",
			     "\"mapping_version\" must be 1");
	expect_mapping_error("{\"mapping_version\": 1, \"date_format\": \"yyyy-mm\", \"columns\": {\"date\": \"D\", "
			     "\"category\": \"C\"}}",
			     "\"force\"");
	expect_mapping_error("{\"mapping_version\": 1,", "maps/m.json:1: not valid JSON");
	/* the line where the parser stopped */
	expect_mapping_error("{\"mapping_version\": 1,\n\"force\": \"F\",\n\"columns\": }", "maps/m.json:3: not valid JSON");
}

static void test_mapping_load_missing_file(void **state)
{
	(void)state;
	char err[256] = "";
	assert_null(imp_mapping_load("/nonexistent/mapping.json", err, sizeof err));
	assert_true(strncmp(err, "/nonexistent/mapping.json: ", 27) == 0);
	assert_non_null(strstr(err, "cannot open"));
}

/* ---- imp_file ---- */

#define ROW_THEFT                                                                                               \
	"a4c83212c5e08e368dc841371fc26a62f7a476d19dd8362ff4c95d560a244d63,2024-10," CP ",-1.212283,54.506084,"   \
	"On or near Bromley Lane,E01027626,Hambleton 002D,Other theft,Investigation complete; no suspect "      \
	"identified,"
#define ROW_ASB ",2024-10," CP ",-1.235660,54.710526,On or near Dobson Place,E01011954,Hartlepool 001A,Anti-social behaviour,,"
#define ROW_NOLOC "b1,2024-10," CP ",,,No Location,,,Burglary,Under investigation,"
#define ROW_QUOTED                                                                                              \
	"b2,2024-10," CP ",-1.100000,54.500000,\"On or near Great Central Railway, Quorn\",E01099999,"           \
	"Stockton-on-Tees 025A,Robbery,Under investigation,"

static void test_street_import(void **state)
{
	fixture *fx = *state;
	char areas[256], path[256], err[512] = "";
	write_file(fx, "areas.json", "{\"areas\": [{\"name\": \"Quorn\", \"lsoa_codes\": [\"E01099999\"]}]}", areas,
		   sizeof areas);
	size_t loaded = 0;
	assert_int_equal(area_load_file(fx->s, areas, &loaded, err, sizeof err), 0);
	assert_int_equal(loaded, 1);
	area_set *set = area_set_from_store(fx->s, err, sizeof err);
	assert_non_null(set);

	write_file(fx, "2024-10-cleveland-street.csv",
		   STREET_HDR ROW_THEFT "\n" ROW_ASB "\n" ROW_NOLOC "\n" ROW_QUOTED "\n", path, sizeof path);
	imp_result r;
	ct_status st = imp_file(fx->s, set, path, NULL, &r, err, sizeof err);
	area_set_free(set);
	assert_int_equal(st, CT_OK);
	assert_string_equal(r.kind, "street");
	assert_string_equal(r.force, "Cleveland Police");
	assert_int_equal(r.duplicate, 0);
	assert_true(r.source_id > 0);
	assert_int_equal(r.rows_read, 4);
	assert_int_equal(r.imported, 4);
	assert_int_equal(r.rejected, 0);
	assert_int_equal(r.superseded, 0);
	assert_int_equal(r.month_min, CT_MONTH(2024, 10));
	assert_int_equal(r.month_max, CT_MONTH(2024, 10));

	int m = CT_MONTH(2024, 10);
	cube_sum all = cube(fx->s, 0, "street", m, m);
	assert_int_equal(all.total, 4);
	assert_int_equal(cube_n(&all, "Other theft"), 1);
	assert_int_equal(cube_n(&all, "Anti-social behaviour"), 1);
	assert_int_equal(cube_n(&all, "Burglary"), 1);
	assert_int_equal(cube_n(&all, "Robbery"), 1);
	assert_int_equal(cube(fx->s, 0, "force", m, m).total, 0);

	/* the LSOA after the quoted comma is in the right column: the area has it */
	cube_sum quorn = cube(fx->s, area_id(fx->s, "Quorn"), "street", m, m);
	assert_int_equal(quorn.total, 1);
	assert_int_equal(cube_n(&quorn, "Robbery"), 1);

	locs l = {0};
	assert_int_equal(store_crime_locs_each(fx->s, add_loc, &l), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.without_coords, 1);
	assert_int_equal(l.with_lsoa, 3); /* No Location has no LSOA */
	assert_true(covered(fx->s, "street", "Cleveland Police", m));
	src_find sf = source_info(fx->s, r.source_id);
	assert_int_equal(sf.rows_read, 4);
	assert_int_equal(sf.rows_imported, 4);
	assert_int_equal(sf.superseded_by, 0);
}

static void test_street_bom_crlf(void **state)
{
	fixture *fx = *state;
	char path[256], err[512] = "";
	write_file(fx, "2024-11-cleveland-street.csv",
		   "\xEF\xBB\xBF"
		   "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
		   "Last outcome category,Context\r\n"
		   "c1,2024-11," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Drugs,Local resolution,\r\n"
		   ",2024-11," CP ",-1.2,54.5,\"On or near B, C\",E01000002,A 001B,Anti-social behaviour,,\r\n"
		   "c3,2024-11," CP ",,,No Location,,,Shoplifting,,\r\n",
		   path, sizeof path);
	imp_result r;
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_OK);
	assert_string_equal(r.kind, "street");
	assert_int_equal(r.rows_read, 3);
	assert_int_equal(r.imported, 3);
	assert_int_equal(r.rejected, 0);
	int m = CT_MONTH(2024, 11);
	cube_sum all = cube(fx->s, 0, "street", m, m);
	assert_int_equal(all.total, 3);
	assert_int_equal(cube_n(&all, "Shoplifting"), 1);
}

static void test_street_rejects(void **state)
{
	fixture *fx = *state;
	char path[256], err[512] = "";
	write_file(fx, "2024-10-cleveland-street.csv",
		   STREET_HDR                                                                     /* 1 */
		   ROW_THEFT "\n"                                                                 /* 2 */
		   "x1,2024-13," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Burglary,,\n"       /* 3 */
		   "x2,2024-10," CP ",-181.000000,54.5,On or near A,E01000001,A 001A,Burglary,,\n" /* 4 */
		   "x3,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Burglary,\n"        /* 5 */
		   "x4,2024-10," CP ",-1.2,54.5,On or near \xff\xfe,E01000001,A 001A,Burglary,,\n" /* 6 */
		   ROW_ASB "\n"                                                                   /* 7 */
		   "x5,2024-10," CP ",,54.5,On or near A,E01000001,A 001A,Burglary,,\n"           /* 8 */
		   "x6,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,,,\n"               /* 9 */
		   "x7,2024-10," CP ",-1.2,54.5,\"On or near \"A,E01000001,A 001A,Drugs,,\n"      /* 10 */
		   "x8,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Drugs,,\n",         /* 11 */
		   path, sizeof path);
	imp_result r;
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_OK);
	assert_int_equal(r.rows_read, 10);
	assert_int_equal(r.imported, 3);
	assert_int_equal(r.rejected, 7);
	assert_int_equal(r.imported + r.rejected, r.rows_read);

	rejects rj = {0};
	assert_int_equal(store_rejects_each(fx->s, r.source_id, add_reject, &rj), 0);
	assert_int_equal(rj.n, 7);
	static const struct {
		long long line;
		const char *reason;
	} want[] = {
		{3, "column 'Month': \"2024-13\" is not a month (YYYY-MM)"},
		{4, "column 'Longitude': \"-181.000000\" is out of range (-180 to 180)"},
		{5, "expected 12 fields, found 11"},
		{6, "column 'Location' is not valid UTF-8"},
		{8, "column 'Longitude' is empty while the other coordinate is not"},
		{9, "column 'Crime type' is empty"},
		{10, "malformed quoting"},
	};
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(rj.line[i], want[i].line);
		assert_string_equal(rj.reason[i], want[i].reason);
	}
	/* the raw text is kept, what is not UTF-8 escaped */
	assert_string_equal(rj.raw[0], "x1,2024-13," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Burglary,,");
	assert_string_equal(rj.raw[3], "x4,2024-10," CP ",-1.2,54.5,On or near \\xFF\\xFE,E01000001,A 001A,Burglary,,");
	assert_string_equal(rj.raw[6], "x7,2024-10," CP ",-1.2,54.5,\"On or near \"A,E01000001,A 001A,Drugs,,");

	src_find sf = source_info(fx->s, r.source_id);
	assert_int_equal(sf.rows_read, 10);
	assert_int_equal(sf.rows_imported, 3);
	assert_int_equal(sf.rows_rejected, 7);
	int m = CT_MONTH(2024, 10);
	assert_int_equal(cube(fx->s, 0, "street", m, m).total, 3);
}

static void test_duplicate_content(void **state)
{
	fixture *fx = *state;
	char path[256], copy[256], err[512] = "";
	const char *text = STREET_HDR ROW_THEFT "\n" ROW_ASB "\n";
	write_file(fx, "2024-10-cleveland-street.csv", text, path, sizeof path);
	write_file(fx, "copy/2024-10-cleveland-street.csv", text, copy, sizeof copy);
	imp_result r1, r2, r3;
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r1, err, sizeof err), CT_OK);
	assert_int_equal(r1.duplicate, 0);
	assert_int_equal(r1.imported, 2);
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r2, err, sizeof err), CT_OK);
	assert_int_equal(r2.duplicate, 1);
	assert_int_equal(r2.source_id, r1.source_id);
	assert_int_equal(r2.imported, 0);
	assert_int_equal(imp_file(fx->s, NULL, copy, NULL, &r3, err, sizeof err), CT_OK);
	assert_int_equal(r3.duplicate, 1);
	assert_int_equal(r3.source_id, r1.source_id);
	assert_int_equal(n_sources(fx->s), 1);
	int m = CT_MONTH(2024, 10);
	assert_int_equal(cube(fx->s, 0, "street", m, m).total, 2);
}

/* SHA-256 of TEXT, in hex, computed here rather than by the importer. */
static void sha256_of(const char *text, char hex[65])
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, strlen(text), (const uint8_t *)text);
	sha256_digest(&ctx, sizeof d, d);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* Source ID records TEXT's SHA-256 and size. */
static void assert_source_of(store *s, long long id, const char *text)
{
	char hex[65];
	sha256_of(text, hex);
	src_find f = source_info(s, id);
	assert_string_equal(f.sha256, hex);
	assert_int_equal(f.bytes, strlen(text));
}

/* A file of a size never imported is hashed while it is read; one the size
 * of an earlier file is hashed first.  Either way the source records the
 * file's SHA-256 and size, and a copy is found to be a duplicate. */
static void test_content_hash(void **state)
{
	fixture *fx = *state;
	char p1[256], p2[256], p3[256], err[512] = "";
	const char *t1 = STREET_HDR "b1,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Burglary,,\n";
	const char *t2 = STREET_HDR "b2,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Burglary,,\n";
	assert_int_equal(strlen(t1), strlen(t2));
	write_file(fx, "v1/2024-10-cleveland-street.csv", t1, p1, sizeof p1);
	write_file(fx, "v2/2024-10-cleveland-street.csv", t2, p2, sizeof p2);
	write_file(fx, "v3/2024-10-cleveland-street.csv", t2, p3, sizeof p3);
	imp_result r1, r2, r3;
	assert_int_equal(imp_file(fx->s, NULL, p1, NULL, &r1, err, sizeof err), CT_OK);
	assert_source_of(fx->s, r1.source_id, t1);

	/* same size, other content: not a duplicate */
	assert_int_equal(imp_file(fx->s, NULL, p2, NULL, &r2, err, sizeof err), CT_OK);
	assert_int_equal(r2.duplicate, 0);
	assert_int_equal(r2.imported, 1);
	assert_source_of(fx->s, r2.source_id, t2);

	assert_int_equal(imp_file(fx->s, NULL, p3, NULL, &r3, err, sizeof err), CT_OK);
	assert_int_equal(r3.duplicate, 1);
	assert_int_equal(r3.source_id, r2.source_id);
	assert_int_equal(n_sources(fx->s), 2);
}

/* The hash is of the bytes in the file, whatever the reader makes of them:
 * a BOM, CR-only lines, no newline at the end, a row over 64 KiB. */
static void test_content_hash_odd_files(void **state)
{
	fixture *fx = *state;
	strbuf longrow = {0};
	sb_puts(&longrow, STREET_HDR "x1,2024-10," CP ",-1.2,54.5,\"");
	for (int i = 0; i < 70000; i++)
		sb_puts(&longrow, "x");
	sb_puts(&longrow, "\",E01000001,A 001A,Burglary,,\n" ROW_THEFT "\n");
	const char *texts[] = {
		"\xEF\xBB\xBF" STREET_HDR ROW_THEFT "\r\n",
		"Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
		"Last outcome category,Context\r" ROW_THEFT "\r",
		STREET_HDR ROW_THEFT,
		longrow.buf,
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		char name[64], path[256], err[512] = "";
		snprintf(name, sizeof name, "odd%zu/2024-10-cleveland-street.csv", i);
		write_file(fx, name, texts[i], path, sizeof path);
		imp_result r;
		assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_OK);
		assert_int_equal(r.duplicate, 0);
		assert_source_of(fx->s, r.source_id, texts[i]);
	}
	sb_release(&longrow);
}

/* A duplicate only found once the file is read (here: its source's size made
 * wrong behind crimetab's back, as if another crimetab had imported it in the
 * meantime) is rolled back whole. */
static void test_duplicate_found_after_reading(void **state)
{
	fixture *fx = *state;
	char path[256], db[128], err[512] = "";
	const char *text = STREET_HDR ROW_THEFT "\n" ROW_ASB "\n";
	write_file(fx, "2024-10-cleveland-street.csv", text, path, sizeof path);
	imp_result r1, r2;
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r1, err, sizeof err), CT_OK);
	snprintf(db, sizeof db, "%s/test.db", fx->dir);
	sqlite3 *c;
	assert_int_equal(sqlite3_open(db, &c), SQLITE_OK);
	assert_int_equal(sqlite3_exec(c, "UPDATE sources SET bytes = 0", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r2, err, sizeof err), CT_OK);
	assert_int_equal(r2.duplicate, 1);
	assert_int_equal(r2.source_id, r1.source_id);
	assert_int_equal(r2.imported, 0);
	assert_int_equal(r2.month_min, -1);
	assert_int_equal(n_sources(fx->s), 1);
	assert_int_equal(store_kind_count(fx->s, "street"), 2);
	int m = CT_MONTH(2024, 10);
	assert_int_equal(cube(fx->s, 0, "street", m, m).total, 2);
	/* and the source row kept its real hash, not the placeholder */
	assert_int_equal(store_source_by_hash(fx->s, "(being read)"), 0);
}

/* ---- imp_bulk: the next file read while this one is stored ---- */

#define ROW_ALPHA "s1,2024-10," CP ",-1.3,54.56,On or near Alpha Street,E01012198,Stockton-on-Tees 008D,Burglary,,"

static void write_bulk_files(fixture *fx, char paths[4][256])
{
	write_file(fx, "2024-10-cleveland-street.csv", STREET_HDR ROW_THEFT "\n" ROW_ASB "\n" ROW_ALPHA "\n", paths[0],
		   sizeof paths[0]);
	write_file(fx, "2024-10-cleveland-outcomes.csv",
		   OUTCOMES_HDR "s1,2024-10," CP ",-1.3,54.56,On or near Alpha Street,E01012198,Stockton-on-Tees 008D,"
				"Suspect charged\n"
				"o2,2024-10," CP ",-1.3,54.56,On or near Beta Street,E01012198,Stockton-on-Tees 008D,"
				"Offender fined\n"
				"o3,2024-13," CP ",-1.3,54.56,On or near Beta Street,E01012198,Stockton-on-Tees 008D,"
				"Offender fined\n",
		   paths[1], sizeof paths[1]);
	write_file(fx, "2024-10-cleveland-stop-and-search.csv",
		   STOP_HDR "Person search,2024-10-02T10:00:00+00:00,,,54.5,-1.1,Male,25-34,,White,"
			    "Police and Criminal Evidence Act 1984 (section 1),Stolen goods,Arrest,True,\n",
		   paths[2], sizeof paths[2]);
	write_file(fx, "2024-11-cleveland-street.csv",
		   STREET_HDR "s4,2024-11," CP ",-1.3,54.56,On or near Beta Street,E01012198,Stockton-on-Tees 008D,"
			      "Drugs,Local resolution,\n"
			      "s5,2024-11," CP ",-1.3,54.56,On or near Alpha Street,E01012198,Stockton-on-Tees 008D,"
			      "Burglary,,\n"
			      "s6,2024-11," CP ",-1.3,54.56,On or near Gamma Street,E01012198,Stockton-on-Tees 008D,"
			      "Police and Criminal Evidence Act 1984 (section 1),,\n",
		   paths[3], sizeof paths[3]);
}

/* Read ahead or one at a time, the files give the same database: the same
 * texts under the same ids, rows, rejects and sources. */
static void test_bulk_same_as_one_by_one(void **state)
{
	fixture *fx = *state;
	char paths[4][256], db[128], one_db[128], err[512] = "";
	write_bulk_files(fx, paths);
	imp_bulk *b = imp_bulk_new(fx->s, NULL, NULL);
	for (int i = 0; i < 4; i++) {
		imp_result r;
		assert_int_equal(imp_bulk_file(b, paths[i], i < 3 ? paths[i + 1] : NULL, &r, err, sizeof err), CT_OK);
		assert_int_equal(r.ahead, i > 0);
		assert_int_equal(r.duplicate, 0);
		assert_int_equal(r.rejected, i == 1);
	}
	imp_bulk_free(b);

	snprintf(db, sizeof db, "%s/test.db", fx->dir);
	snprintf(one_db, sizeof one_db, "%s/one.db", fx->dir);
	store *one = store_open(one_db, 0, err, sizeof err);
	assert_non_null(one);
	for (int i = 0; i < 4; i++) {
		imp_result r;
		assert_int_equal(imp_file(one, NULL, paths[i], NULL, &r, err, sizeof err), CT_OK);
		assert_int_equal(r.ahead, 0);
	}
	store_close(one);
	assert_same_imports(db, one_db);
	assert_int_equal(db_count(db, "SELECT count(*) FROM texts WHERE text = 'On or near Alpha Street'"), 1);
}

/* The file before rolls back (a copy of a file imported before, found once
 * read) after the next was read with its texts: the next adds them. */
static void test_bulk_file_before_rolled_back(void **state)
{
	fixture *fx = *state;
	char p1[256], p2[256], db[128], other[160], sql[512], err[512] = "";
	write_file(fx, "2024-10-cleveland-street.csv", STREET_HDR ROW_ALPHA "\n", p1, sizeof p1);
	write_file(fx, "2024-11-cleveland-street.csv",
		   STREET_HDR "s5,2024-11," CP ",-1.3,54.56,On or near Alpha Street,E01012198,Stockton-on-Tees 008D,"
			      "Burglary,,\n",
		   p2, sizeof p2);
	/* a source with the first file's content but another size: the file is
	 * read, and found a copy only at the end */
	snprintf(db, sizeof db, "%s/test.db", fx->dir);
	snprintf(other, sizeof other, "%s/other.db", fx->dir);
	store *o = store_open(other, 0, err, sizeof err);
	assert_non_null(o);
	imp_result r;
	assert_int_equal(imp_file(o, NULL, p1, NULL, &r, err, sizeof err), CT_OK);
	store_close(o);
	sqlite3 *c;
	assert_int_equal(sqlite3_open(db, &c), SQLITE_OK);
	snprintf(sql, sizeof sql,
		 "ATTACH '%s' AS o; INSERT INTO sources SELECT * FROM o.sources; UPDATE sources SET bytes = 1", other);
	assert_int_equal(sqlite3_exec(c, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);

	imp_bulk *b = imp_bulk_new(fx->s, NULL, NULL);
	assert_int_equal(imp_bulk_file(b, p1, p2, &r, err, sizeof err), CT_OK);
	assert_int_equal(r.duplicate, 1);
	assert_int_equal(db_count(db, "SELECT count(*) FROM texts WHERE text = 'On or near Alpha Street'"), 0);
	assert_int_equal(imp_bulk_file(b, p2, NULL, &r, err, sizeof err), CT_OK);
	assert_int_equal(r.ahead, 1);
	assert_int_equal(r.imported, 1);
	imp_bulk_free(b);
	assert_int_equal(db_count(db, "SELECT count(*) FROM texts WHERE text = 'On or near Alpha Street'"), 1);
	assert_int_equal(db_count(db, "SELECT count(*) FROM street_crimes WHERE Location = 'On or near Alpha Street'"
				      " AND \"Crime type\" = 'Burglary' AND \"Falls within\" = 'Cleveland Police'"),
			 1);
}

/* Another crimetab adds texts between two files' transactions, some of them
 * the next file's, read ahead meanwhile: no text is added twice. */
static void test_bulk_other_writer_between_files(void **state)
{
	fixture *fx = *state;
	char p1[256], p2[256], p3[256], db[128], err[512] = "";
	write_file(fx, "2024-10-cleveland-street.csv", STREET_HDR ROW_ALPHA "\n", p1, sizeof p1);
	write_file(fx, "2024-11-cleveland-street.csv",
		   STREET_HDR "s5,2024-11," CP ",-1.3,54.56,On or near Delta Street,E01012198,Stockton-on-Tees 008D,"
			      "Arson,,\n"
			      "s6,2024-11," CP ",-1.3,54.56,On or near Epsilon Street,E01012198,Stockton-on-Tees 008D,"
			      "Burglary,,\n",
		   p2, sizeof p2);
	write_file(fx, "other/2024-12-cleveland-street.csv",
		   STREET_HDR "s7,2024-12," CP ",-1.3,54.56,On or near Delta Street,E01012198,Stockton-on-Tees 008D,"
			      "Arson,,\n",
		   p3, sizeof p3);
	snprintf(db, sizeof db, "%s/test.db", fx->dir);
	imp_bulk *b = imp_bulk_new(fx->s, NULL, NULL);
	imp_result r;
	assert_int_equal(imp_bulk_file(b, p1, p2, &r, err, sizeof err), CT_OK);
	store *other = store_open(db, 0, err, sizeof err);
	assert_non_null(other);
	assert_int_equal(imp_file(other, NULL, p3, NULL, &r, err, sizeof err), CT_OK);
	store_close(other);
	assert_int_equal(imp_bulk_file(b, p2, NULL, &r, err, sizeof err), CT_OK);
	assert_int_equal(r.ahead, 1);
	assert_int_equal(r.imported, 2);
	imp_bulk_free(b);
	char *dup = db_answer(db, "SELECT count(*) || '/' || count(DISTINCT text) FROM texts");
	char *want = db_answer(db, "SELECT count(*) || '/' || count(*) FROM texts");
	assert_string_equal(dup, want);
	free(dup);
	free(want);
	assert_int_equal(db_count(db, "SELECT count(*) FROM street_crimes WHERE Location = 'On or near Delta Street'"
				      " AND \"Crime type\" = 'Arson'"),
			 2);
	assert_int_equal(db_count(db, "SELECT count(*) FROM street_crimes WHERE Location = 'On or near Epsilon Street'"
				      " AND \"Crime type\" = 'Burglary'"),
			 1);
}

/* What cannot be read ahead is imported as imp_file would: a bad header
 * gives its message, a copy of the file before is found a copy, and a file
 * read ahead but never asked for is dropped. */
static void test_bulk_falls_back(void **state)
{
	fixture *fx = *state;
	char p1[256], bad[256], copy[256], p4[256], db[128], err[512] = "", err2[512] = "";
	write_file(fx, "2024-10-cleveland-street.csv", STREET_HDR ROW_ALPHA "\n", p1, sizeof p1);
	write_file(fx, "2024-11-cleveland-street.csv", "Crime ID,Month,Colour\nx,2024-11,red\n", bad, sizeof bad);
	write_file(fx, "b/2024-10-cleveland-street.csv", STREET_HDR ROW_ALPHA "\n", copy, sizeof copy);
	write_file(fx, "2024-12-cleveland-street.csv", STREET_HDR ROW_THEFT "\n", p4, sizeof p4);
	snprintf(db, sizeof db, "%s/test.db", fx->dir);
	imp_bulk *b = imp_bulk_new(fx->s, NULL, NULL);
	imp_result r;
	assert_int_equal(imp_bulk_file(b, p1, bad, &r, err, sizeof err), CT_OK);
	assert_int_equal(imp_bulk_file(b, bad, copy, &r, err, sizeof err), CT_EDATA);
	assert_int_equal(r.ahead, 0);
	assert_int_equal(imp_file(fx->s, NULL, bad, NULL, &r, err2, sizeof err2), CT_EDATA);
	assert_string_equal(err, err2);
	assert_int_equal(imp_bulk_file(b, copy, p4, &r, err, sizeof err), CT_OK);
	assert_int_equal(r.duplicate, 1);
	assert_int_equal(r.ahead, 0);
	imp_bulk_free(b); /* p4 was being read ahead */
	assert_int_equal(n_sources(fx->s), 1);
	assert_int_equal(db_count(db, "SELECT count(*) FROM street_crimes"), 1);
	assert_int_equal(db_count(db, "SELECT count(*) FROM texts WHERE text = 'Other theft'"), 0);
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* Between store_bulk_begin and store_bulk_end the WAL is copied into the
 * database by a second thread: it stays near its limit however much is
 * imported, and nothing is lost. */
static void test_bulk_checkpoints(void **state)
{
	fixture *fx = *state;
	char db[128], wal[160], err[512] = "";
	snprintf(db, sizeof db, "%s/test.db", fx->dir);
	snprintf(wal, sizeof wal, "%s-wal", db);
	const long long limit = 1 << 20;
	/* start from an empty WAL (creating the schema filled one) */
	sqlite3 *c;
	assert_int_equal(sqlite3_open_v2(db, &c, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(c, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);
	assert_int_equal(file_size(wal), 0);
	store_bulk_begin(fx->s, limit);
	/* 40 files of about 120 KB through a 1 MB WAL */
	strbuf text = {0};
	long long rows = 0, wal_max = 0;
	for (int file = 0; file < 40; file++) {
		sb_reset(&text);
		sb_puts(&text, STREET_HDR);
		/* a month each: a file for the same force and month would supersede */
		int year = 2020 + file / 12, month = 1 + file % 12;
		for (int i = 0; i < 500; i++)
			sb_printf(&text,
				  "%064d,%d-%02d," CP ",-1.2,54.5,On or near Somewhere Long Enough,E01000001,A 001A,"
				  "Burglary,Investigation complete; no suspect identified,\n",
				  file * 1000 + i, year, month);
		char name[64], path[256];
		snprintf(name, sizeof name, "%d-%02d/%d-%02d-cleveland-street.csv", year, month, year, month);
		write_file(fx, name, text.buf, path, sizeof path);
		imp_result r;
		assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_OK);
		assert_int_equal(r.imported, 500);
		rows += r.imported;
		if (file_size(wal) > wal_max)
			wal_max = file_size(wal);
	}
	sb_release(&text);
	assert_int_equal(store_bulk_end(fx->s, err, sizeof err), 0);
	/* the limit, plus the transaction that passed it (here about 800 KB,
	 * most of it pages of 64 KiB that each commit touches) and the next:
	 * without checkpoints the WAL would hold all of the 30 MB written */
	assert_true(wal_max > limit / 2);
	assert_true(wal_max <= limit + (2 << 20));
	/* the rows are in the database file itself, whole */
	assert_true(file_size(db) > 3 * limit);
	assert_int_equal(store_kind_count(fx->s, "street"), rows);
	assert_int_equal(sqlite3_open_v2(db, &c, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(c, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(c);
	/* and ending twice, or without beginning, is harmless */
	assert_int_equal(store_bulk_end(fx->s, err, sizeof err), 0);
}

/* Rows of a query's first column, counted; -1 on error. */
static long long count_rows(const char *db, const char *sql)
{
	sqlite3 *c;
	sqlite3_stmt *st;
	long long n = -1;
	if (sqlite3_open_v2(db, &c, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(c, sql, -1, &st, NULL) == SQLITE_OK) {
		n = 0;
		while (sqlite3_step(st) == SQLITE_ROW)
			n++;
		sqlite3_finalize(st);
	}
	sqlite3_close(c);
	return n;
}

/* An import run (store_bulk_begin) does not check foreign keys, so it must
 * keep them itself: superseded crimes take their areas with them, and after
 * store_bulk_end the checks (and their cascades) are back. */
static void test_bulk_keeps_foreign_keys(void **state)
{
	fixture *fx = *state;
	char areas[256], p1[256], p2[256], db[128], err[512] = "";
	snprintf(db, sizeof db, "%s/test.db", fx->dir);
	write_file(fx, "areas.json",
		   "{\"areas\": [{\"name\": \"A\", \"lsoa_codes\": [\"E01000001\"]}, "
		   "{\"name\": \"B\", \"lsoa_codes\": [\"E01000002\"]}]}",
		   areas, sizeof areas);
	size_t loaded = 0;
	assert_int_equal(area_load_file(fx->s, areas, &loaded, err, sizeof err), 0);
	area_set *set = area_set_from_store(fx->s, err, sizeof err);
	assert_non_null(set);
	write_file(fx, "v1/2024-10-cleveland-street.csv",
		   STREET_HDR "b1,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Burglary,,\n"
			      "b2,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Burglary,,\n"
			      "b3,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Burglary,,\n",
		   p1, sizeof p1);
	write_file(fx, "v2/2024-10-cleveland-street.csv",
		   STREET_HDR "r1,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Robbery,,\n", p2, sizeof p2);
	store_bulk_begin(fx->s, 0);
	imp_result r1, r2;
	assert_int_equal(imp_file(fx->s, set, p1, NULL, &r1, err, sizeof err), CT_OK);
	assert_int_equal(imp_file(fx->s, set, p2, NULL, &r2, err, sizeof err), CT_OK);
	assert_int_equal(r2.superseded, 3);
	assert_int_equal(store_bulk_end(fx->s, err, sizeof err), 0);
	area_set_free(set);
	assert_int_equal(count_rows(db, "SELECT * FROM crime_areas"), 1);
	assert_int_equal(count_rows(db, "PRAGMA foreign_key_check"), 0);
	int m = CT_MONTH(2024, 10);
	assert_int_equal(cube(fx->s, area_id(fx->s, "A"), "street", m, m).total, 1);
	/* loading the areas again replaces them (A gets a new id): the cascade
	 * takes the old rows */
	assert_int_equal(area_load_file(fx->s, areas, &loaded, err, sizeof err), 0);
	assert_int_equal(count_rows(db, "PRAGMA foreign_key_check"), 0);
	assert_int_equal(count_rows(db, "SELECT * FROM crime_areas"), 1);
}

static void test_supersede(void **state)
{
	fixture *fx = *state;
	char p1[256], p2[256], p3[256], err[512] = "";
	write_file(fx, "v1/2024-10-cleveland-street.csv",
		   STREET_HDR "b1,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Burglary,,\n"
			      "b2,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Burglary,,\n"
			      "b3,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Burglary,,\n"
			      "bad,2024-10," CP ",-1.2\n",
		   p1, sizeof p1);
	write_file(fx, "v2/2024-10-cleveland-street.csv",
		   STREET_HDR "r1,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Robbery,,\n"
			      "d1,2024-10," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Drugs,,\n",
		   p2, sizeof p2);
	write_file(fx, "v2/2024-11-cleveland-street.csv",
		   STREET_HDR "n1,2024-11," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Drugs,,\n", p3, sizeof p3);
	imp_result r1, r2, r3;
	assert_int_equal(imp_file(fx->s, NULL, p1, NULL, &r1, err, sizeof err), CT_OK);
	assert_int_equal(r1.imported, 3);
	assert_int_equal(r1.rejected, 1);
	assert_int_equal(r1.superseded, 0);
	assert_int_equal(imp_file(fx->s, NULL, p2, NULL, &r2, err, sizeof err), CT_OK);
	assert_int_equal(r2.duplicate, 0);
	assert_int_equal(r2.imported, 2);
	assert_int_equal(r2.superseded, 3);
	assert_int_equal(imp_file(fx->s, NULL, p3, NULL, &r3, err, sizeof err), CT_OK);
	assert_int_equal(r3.superseded, 0); /* another month leaves 2024-10 alone */

	int m = CT_MONTH(2024, 10);
	cube_sum c = cube(fx->s, 0, "street", m, m);
	assert_int_equal(c.total, 2);
	assert_int_equal(cube_n(&c, "Robbery"), 1);
	assert_int_equal(cube_n(&c, "Drugs"), 1);
	assert_int_equal(cube_n(&c, "Burglary"), 0);
	assert_int_equal(cube(fx->s, 0, "street", m + 1, m + 1).total, 1);
	assert_int_equal(store_kind_count(fx->s, "street"), 3);
	assert_int_equal(source_info(fx->s, r1.source_id).superseded_by, r2.source_id);
	assert_int_equal(source_info(fx->s, r2.source_id).superseded_by, 0);
}

/* ---- months are the file's ---- */

#define ROW(id, month, type) id "," month "," CP ",-1.2,54.5,On or near A,E01000001,A 001A," type ",,\n"

/* A street file named 2024-01 whose rows mostly say 2023-06, imported after
 * the real 2023-06: those rows are rejects, 2023-06 keeps every crime, and
 * nothing is superseded. */
static void test_stray_month_deletes_nothing(void **state)
{
	fixture *fx = *state;
	char p1[256], p2[256], err[512] = "";
	write_file(fx, "2023-06/2023-06-cleveland-street.csv",
		   STREET_HDR ROW("a1", "2023-06", "Burglary") ROW("a2", "2023-06", "Robbery") ROW("a3", "2023-06", "Drugs"),
		   p1, sizeof p1);
	write_file(fx, "2024-01/2024-01-cleveland-street.csv",
		   STREET_HDR ROW("s1", "2023-06", "Drugs") ROW("j1", "2024-01", "Burglary")
			      ROW("s2", "2023-06", "Drugs") ROW("s3", "2023-06", "Drugs"),
		   p2, sizeof p2);
	imp_result r1, r2;
	assert_int_equal(imp_file(fx->s, NULL, p1, NULL, &r1, err, sizeof err), CT_OK);
	assert_int_equal(imp_file(fx->s, NULL, p2, NULL, &r2, err, sizeof err), CT_OK);
	assert_int_equal(r2.imported, 1);
	assert_int_equal(r2.rejected, 3);
	assert_int_equal(r2.superseded, 0);
	assert_int_equal(r2.month_min, CT_MONTH(2024, 1));
	assert_int_equal(r2.month_max, CT_MONTH(2024, 1));
	rejects rj = {0};
	assert_int_equal(store_rejects_each(fx->s, r2.source_id, add_reject, &rj), 0);
	assert_int_equal(rj.n, 3);
	assert_int_equal(rj.line[0], 2);
	assert_string_equal(rj.reason[0], "column 'Month': \"2023-06\" is not the file's month (2024-01)");
	int m = CT_MONTH(2023, 6);
	assert_int_equal(cube(fx->s, 0, "street", m, m).total, 3);
	assert_int_equal(source_info(fx->s, r1.source_id).superseded_by, 0);
	assert_true(covered(fx->s, "street", "Cleveland Police", CT_MONTH(2024, 1)));
	/* the real 2023-06 again is a no-op, and it holds its month anyway */
	imp_result r3;
	assert_int_equal(imp_file(fx->s, NULL, p1, NULL, &r3, err, sizeof err), CT_OK);
	assert_true(r3.duplicate);
	assert_int_equal(cube(fx->s, 0, "street", m, m).total, 3);
}

/* Without a police.uk name, a street or outcomes file's month is the one
 * most of its rows carry. */
static void test_unnamed_file_takes_the_majority_month(void **state)
{
	fixture *fx = *state;
	char path[256], err[512] = "";
	write_file(fx, "download.csv",
		   STREET_HDR ROW("a1", "2024-02", "Burglary") ROW("a2", "2024-03", "Burglary")
			      ROW("a3", "2024-03", "Drugs") ROW("a4", "2024-02", "Drugs") ROW("a5", "2024-03", "Drugs"),
		   path, sizeof path);
	imp_result r;
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_OK);
	assert_int_equal(r.imported, 3);
	assert_int_equal(r.rejected, 2);
	assert_int_equal(r.month_min, CT_MONTH(2024, 3));
	assert_int_equal(r.month_max, CT_MONTH(2024, 3));
	rejects rj = {0};
	assert_int_equal(store_rejects_each(fx->s, r.source_id, add_reject, &rj), 0);
	assert_string_equal(rj.reason[1], "column 'Month': \"2024-02\" is not the file's month (2024-03)");
	assert_false(covered(fx->s, "street", "Cleveland Police", CT_MONTH(2024, 2)));
	write_file(fx, "outcomes.csv",
		   OUTCOMES_HDR "c1,2024-05," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Suspect charged\n"
				"c2,2024-04," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Suspect charged\n"
				"c3,2024-05," CP ",-1.2,54.5,On or near A,E01000001,A 001A,Suspect charged\n",
		   path, sizeof path);
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_OK);
	assert_string_equal(r.kind, "outcomes");
	assert_int_equal(r.imported, 2);
	assert_int_equal(r.rejected, 1);
	assert_true(covered(fx->s, "outcomes", "Cleveland Police", CT_MONTH(2024, 5)));
	assert_false(covered(fx->s, "outcomes", "Cleveland Police", CT_MONTH(2024, 4)));
}

static const char *const tiny_mapping =
	"{\"mapping_version\":1,\"force\":\"Test Police\",\"date_format\":\"dd/mm/yyyy\","
	"\"columns\":{\"crime_id\":\"Ref\",\"date\":\"When\",\"category\":\"What\"}}";

/* Far-future and far-past dates are rejects: they neither widen a file's
 * months nor become the latest month. */
static void test_dates_out_of_range_are_rejects(void **state)
{
	fixture *fx = *state;
	char path[256], err[512] = "";
	imp_mapping *map = imp_mapping_parse("tiny.json", tiny_mapping, err, sizeof err);
	assert_non_null(map);
	write_file(fx, "export.csv",
		   "Ref,When,What\nX1,15/03/2024,Arson\nX2,01/01/9999,Arson\nX3,31/12/1999,Arson\nX4,01/01/2000,Arson\n",
		   path, sizeof path);
	imp_result r;
	assert_int_equal(imp_file(fx->s, NULL, path, map, &r, err, sizeof err), CT_OK);
	assert_int_equal(r.imported, 2);
	assert_int_equal(r.rejected, 2);
	assert_int_equal(r.month_min, CT_MONTH(2000, 1));
	assert_int_equal(r.month_max, CT_MONTH(2024, 3));
	assert_int_equal(store_latest_month(fx->s, "force"), CT_MONTH(2024, 3));
	rejects rj = {0};
	assert_int_equal(store_rejects_each(fx->s, r.source_id, add_reject, &rj), 0);
	assert_int_equal(rj.n, 2);
	char want[160], now[8];
	ct_month_format(ct_uk_month((long long)time(NULL)), now);
	snprintf(want, sizeof want, "column 'When': \"01/01/9999\" is after the current month (%s)", now);
	assert_string_equal(rj.reason[0], want);
	assert_string_equal(rj.reason[1],
			    "column 'When': \"31/12/1999\" is before 2000-01, the earliest month imported (see --earliest)");
	/* the floor is a setting */
	imp_set_earliest_month(CT_MONTH(1990, 1));
	write_file(fx, "export2.csv", "Ref,When,What\nY1,31/12/1999,Arson\n", path, sizeof path);
	assert_int_equal(imp_file(fx->s, NULL, path, map, &r, err, sizeof err), CT_OK);
	imp_set_earliest_month(IMP_EARLIEST_MONTH);
	assert_int_equal(r.imported, 1);
	/* a street file of a month to come: every row is a reject, nothing claimed */
	write_file(fx, "2099-12-cleveland-street.csv", STREET_HDR ROW("f1", "2099-12", "Drugs"), path, sizeof path);
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_OK);
	assert_int_equal(r.imported, 0);
	assert_int_equal(r.rejected, 1);
	assert_int_equal(r.month_min, -1);
	assert_false(covered(fx->s, "street", "Cleveland Police", CT_MONTH(2099, 12)));
	assert_int_equal(store_latest_month(fx->s, "street"), -1);
	imp_mapping_free(map);
}

/* A force export claims the span of its imported rows: a newer export of
 * March to June replaces those months of an older one, not January and
 * February, and its row of year 9999 is a reject, not a span to 9999. */
static void test_export_supersedes_only_its_span(void **state)
{
	fixture *fx = *state;
	char p1[256], p2[256], err[512] = "";
	imp_mapping *map = imp_mapping_parse("tiny.json", tiny_mapping, err, sizeof err);
	assert_non_null(map);
	write_file(fx, "a.csv",
		   "Ref,When,What\nA1,01/01/2024,Arson\nA2,01/02/2024,Arson\nA3,01/03/2024,Arson\nA4,01/04/2024,Arson\n"
		   "A5,01/05/2024,Arson\nA6,01/06/2024,Arson\n",
		   p1, sizeof p1);
	write_file(fx, "b.csv",
		   "Ref,When,What\nB3,02/03/2024,Theft\nB6,02/06/2024,Theft\nB7,02/06/2024,Theft\nB9,01/01/9999,Theft\n",
		   p2, sizeof p2);
	imp_result r1, r2;
	assert_int_equal(imp_file(fx->s, NULL, p1, map, &r1, err, sizeof err), CT_OK);
	assert_int_equal(imp_file(fx->s, NULL, p2, map, &r2, err, sizeof err), CT_OK);
	assert_int_equal(r2.rejected, 1);
	assert_int_equal(r2.month_max, CT_MONTH(2024, 6));
	assert_int_equal(r2.superseded, 4);
	cube_sum c = cube(fx->s, 0, "force", CT_MONTH(2024, 1), CT_MONTH(2024, 6));
	assert_int_equal(c.total, 5);
	assert_int_equal(cube_n(&c, "Arson"), 2);
	assert_int_equal(cube_n(&c, "Theft"), 3);
	assert_true(covered(fx->s, "force", "Test Police", CT_MONTH(2024, 4)));
	assert_false(covered(fx->s, "force", "Test Police", CT_MONTH(2024, 7)));
	/* A still owns January and February */
	assert_int_equal(source_info(fx->s, r1.source_id).superseded_by, 0);
	imp_mapping_free(map);
}

/* A stop-and-search row is the file's month when it happened in it in
 * Britain (23:00 UTC on 30 September is October, BST); otherwise a reject. */
static void test_stop_and_search_other_month(void **state)
{
	fixture *fx = *state;
	char path[256], err[512] = "";
	write_file(fx, "2024-10-cleveland-stop-and-search.csv",
		   STOP_HDR "Person search,2024-09-30T23:00:00+00:00,,,,,,,,,,,,,\n"
			    "Person search,2024-09-30T22:59:59+00:00,,,,,,,,,,,,,\n"
			    "Person search,2024-10-31T23:59:00+00:00,,,,,,,,,,,,,\n"
			    "Person search,2024-08-02T10:00:00+00:00,,,,,,,,,,,,,\n",
		   path, sizeof path);
	imp_result r;
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_OK);
	assert_int_equal(r.imported, 2);
	assert_int_equal(r.rejected, 2);
	rejects rj = {0};
	assert_int_equal(store_rejects_each(fx->s, r.source_id, add_reject, &rj), 0);
	assert_int_equal(rj.line[0], 3);
	assert_string_equal(rj.reason[0],
			    "column 'Date': \"2024-09-30T22:59:59+00:00\" is not the file's month (2024-10)");
	assert_int_equal(rj.line[1], 5);
}

/* Rejects are stored escaped: a NUL does not cut the raw row short, and
 * control characters (a terminal's escape sequences) cannot act. */
static void test_reject_text_escaped(void **state)
{
	fixture *fx = *state;
	char path[256], err[512] = "";
	static const char text[] = STREET_HDR "n1,2024-10," CP ",-1.2,54.5,On or near \0A,E01000001,A 001A,Drugs,,\n"
					      "e1,2024-13," CP ",-1.2,54.5,\x1b[2JX\\Y,E01000001,A 001A,Drugs,,\n";
	write_file_n(fx, "2024-10-cleveland-street.csv", text, sizeof text - 1, path, sizeof path);
	imp_result r;
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_OK);
	assert_int_equal(r.rejected, 2);
	rejects rj = {0};
	assert_int_equal(store_rejects_each(fx->s, r.source_id, add_reject, &rj), 0);
	assert_string_equal(rj.reason[0], "column 'Location' contains a NUL byte");
	assert_string_equal(rj.raw[0], "n1,2024-10," CP ",-1.2,54.5,On or near \\0A,E01000001,A 001A,Drugs,,");
	assert_string_equal(rj.raw[1], "e1,2024-13," CP ",-1.2,54.5,\\x1B[2JX\\\\Y,E01000001,A 001A,Drugs,,");
}

/* Not a regular file: refused before it is read (a FIFO would wait
 * forever). */
static void test_fifo_refused(void **state)
{
	fixture *fx = *state;
	char path[256], err[512] = "";
	snprintf(path, sizeof path, "%s/x.csv", fx->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	imp_result r;
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_EIO);
	assert_non_null(strstr(err, "x.csv: a FIFO, not a regular file: skipped"));
	assert_int_equal(n_sources(fx->s), 0);
}

static void test_unknown_header(void **state)
{
	fixture *fx = *state;
	char good[256], path[256], err[512] = "";
	write_file(fx, "2024-10-cleveland-street.csv", STREET_HDR ROW_THEFT "\n", good, sizeof good);
	imp_result r;
	assert_int_equal(imp_file(fx->s, NULL, good, NULL, &r, err, sizeof err), CT_OK);
	assert_int_equal(n_sources(fx->s), 1);

	write_file(fx, "2024-11-cleveland-street.csv", "Nope,Not,A,Header\n1,2,3,4\n", path, sizeof path);
	err[0] = '\0';
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_EDATA);
	char want[300];
	snprintf(want, sizeof want, "%s:1: ", path);
	assert_true(strncmp(err, want, strlen(want)) == 0);
	assert_non_null(strstr(err, "not a police.uk"));
	assert_int_equal(r.source_id, 0);
	assert_int_equal(n_sources(fx->s), 1);
	assert_int_equal(store_kind_count(fx->s, "street"), 1);

	/* a header one column short is just as unknown */
	write_file(fx, "2024-12-cleveland-street.csv",
		   "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
		   "Last outcome category\n",
		   path, sizeof path);
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_EDATA);
	assert_int_equal(n_sources(fx->s), 1);
}

static void test_empty_file(void **state)
{
	fixture *fx = *state;
	char path[256], err[512] = "";
	write_file(fx, "2024-10-cleveland-street.csv", "\n\n", path, sizeof path);
	imp_result r;
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_EDATA);
	assert_non_null(strstr(err, ":1: empty file"));
	assert_int_equal(n_sources(fx->s), 0);
	assert_int_equal(imp_file(fx->s, NULL, "/nonexistent/2024-10-x-street.csv", NULL, &r, err, sizeof err),
			 CT_EIO);
	assert_int_equal(n_sources(fx->s), 0);
}

/* A binary file, or Excel's UTF-16 "Unicode text", is refused with what it
 * is, not as an empty file or an unknown header; nothing is stored. */
static void test_binary_or_utf16_header(void **state)
{
	fixture *fx = *state;
	char path[256], err[512] = "", want[400];
	imp_result r;
	static const char bin[] = "\0\1\2binary junk\xff\xfe\n";
	write_file_n(fx, "junk.csv", bin, sizeof bin - 1, path, sizeof path);
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_EDATA);
	snprintf(want, sizeof want, "%s:1: header: column 1 contains a NUL byte (a binary file, not CSV text?)", path);
	assert_string_equal(err, want);
	static const char u16[] = "\xff\xfe" "C\0r\0i\0m\0e\0 \0I\0D\0,\0M\0\n\0";
	write_file_n(fx, "2024-10-cleveland-street.csv", u16, sizeof u16 - 1, path, sizeof path);
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_EDATA);
	snprintf(want, sizeof want, "%s:1: UTF-16 text, not UTF-8: save it as \"CSV UTF-8\"", path);
	assert_string_equal(err, want);
	assert_int_equal(n_sources(fx->s), 0);
}

static void test_mapping_does_not_fit(void **state)
{
	fixture *fx = *state;
	char path[256], err[512] = "";
	imp_mapping *m = imp_mapping_parse("m.json",
					   MAP_HEAD "\"date_format\": \"dd/mm/yyyy\", \"columns\": {\"date\": "
						    "\"Committed Date\", \"category\": \"Offence\"}}",
					   err, sizeof err);
	assert_non_null(m);
	write_file(fx, "export.csv", "Committed Date,Offence Subgroup\n01/10/2024,Robbery\n", path, sizeof path);
	imp_result r;
	ct_status st = imp_file(fx->s, NULL, path, m, &r, err, sizeof err);
	imp_mapping_free(m);
	assert_int_equal(st, CT_EDATA);
	assert_non_null(strstr(err, "export.csv:1: mapping"));
	assert_non_null(strstr(err, "no column 'Offence'"));
	assert_int_equal(n_sources(fx->s), 0);
}

static void test_stop_and_search_bst(void **state)
{
	fixture *fx = *state;
	char path[256], err[512] = "";
	write_file(fx, "2024-10-cleveland-stop-and-search.csv",
		   STOP_HDR
		   "Person search,2024-09-30T23:00:00+00:00,,,54.567862,-1.185186,Male,25-34,White - "
		   "English/Welsh/Scottish/Northern Irish/British,White,Misuse of Drugs Act 1971 (section 23),Controlled "
		   "drugs,A no further action disposal,False,\n"
		   "Vehicle search,2024-10-15T10:00:00+00:00,,,,,,,,,,,,,\n"
		   "Person search,yesterday,,,54.5,-1.1,,,,,,,,,\n"
		   "Person search,2024-10-02T10:00:00+00:00,,,95.000000,-1.1,,,,,,,,,\n",
		   path, sizeof path);
	imp_result r;
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_OK);
	assert_string_equal(r.kind, "stop-and-search");
	assert_string_equal(r.force, "cleveland");
	assert_int_equal(r.rows_read, 4);
	assert_int_equal(r.imported, 2);
	assert_int_equal(r.rejected, 2);
	assert_int_equal(r.month_min, CT_MONTH(2024, 10));
	assert_int_equal(r.month_max, CT_MONTH(2024, 10));
	assert_true(covered(fx->s, "stop-and-search", "cleveland", CT_MONTH(2024, 10)));
	assert_false(covered(fx->s, "stop-and-search", "cleveland", CT_MONTH(2024, 9)));
	rejects rj = {0};
	assert_int_equal(store_rejects_each(fx->s, r.source_id, add_reject, &rj), 0);
	assert_int_equal(rj.n, 2);
	assert_int_equal(rj.line[0], 4);
	assert_string_equal(rj.reason[0], "column 'Date': \"yesterday\" is not an ISO 8601 date-time");
	/* stop-and-search has Latitude before Longitude */
	assert_int_equal(rj.line[1], 5);
	assert_string_equal(rj.reason[1], "column 'Latitude': \"95.000000\" is out of range (-90 to 90)");
	/* stop-and-search is not street crime */
	assert_int_equal(store_kind_count(fx->s, "street"), 0);
}

static void test_outcomes(void **state)
{
	fixture *fx = *state;
	char path[256], err[512] = "";
	write_file(fx, "2024-10-cleveland-outcomes.csv",
		   OUTCOMES_HDR "abc,2024-10," CP ",-1.29,54.57,On or near Supermarket,E01012198,Stockton-on-Tees 008D,"
				"Suspect charged\n"
				",2024-10," CP ",-1.29,54.57,On or near Supermarket,E01012198,Stockton-on-Tees 008D,"
				"Suspect charged\n",
		   path, sizeof path);
	imp_result r;
	assert_int_equal(imp_file(fx->s, NULL, path, NULL, &r, err, sizeof err), CT_OK);
	assert_string_equal(r.kind, "outcomes");
	assert_int_equal(r.imported, 1);
	assert_int_equal(r.rejected, 1);
	rejects rj = {0};
	assert_int_equal(store_rejects_each(fx->s, r.source_id, add_reject, &rj), 0);
	assert_int_equal(rj.n, 1);
	assert_int_equal(rj.line[0], 3);
	assert_non_null(strstr(rj.reason[0], "column 'Crime ID' is empty"));
	assert_true(covered(fx->s, "outcomes", "Cleveland Police", CT_MONTH(2024, 10)));
	assert_int_equal(store_kind_count(fx->s, "street"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policeuk_name),
		cmocka_unit_test(test_policeuk_name_in_folders),
		cmocka_unit_test(test_policeuk_name_bad),
		cmocka_unit_test(test_policeuk_name_slug_too_long),
		cmocka_unit_test(test_parse_date_formats),
		cmocka_unit_test(test_parse_date_trailing_time),
		cmocka_unit_test(test_parse_date_invalid),
		cmocka_unit_test(test_parse_date_leap_day),
		cmocka_unit_test(test_mapping_ok),
		cmocka_unit_test(test_mapping_errors),
		cmocka_unit_test(test_mapping_load_missing_file),
		cmocka_unit_test_setup_teardown(test_street_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_street_bom_crlf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_street_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_hash_odd_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_found_after_reading, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_same_as_one_by_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_file_before_rolled_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_other_writer_between_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_checkpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_keeps_foreign_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_supersede, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binary_or_utf16_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mapping_does_not_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_and_search_bst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outcomes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stray_month_deletes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unnamed_file_takes_the_majority_month, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dates_out_of_range_are_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_supersedes_only_its_span, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_and_search_other_month, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject_text_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
