/* libFuzzer target: areas files (GeoJSON and {"areas": [...]}), compiled and
 * matched against a few points, also read as published (--only, --rename,
 * --crs EPSG:27700); shapefiles (.shp, .shx and .dbf cut from the input);
 * and raw rings for the point-in-ring test. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "areas/areas.h"
#include "core/status.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_match(const area_set *set, size_t n, int has, double lon, double lat, const char *lsoa,
			const char *value)
{
	long long ids[16];
	size_t max = n < 16 ? n : 16;
	size_t k = area_set_match(set, has, lon, lat, lsoa, value, ids, max);
	if (k > max)
		abort();
	for (size_t i = 0; i < k; i++)
		if (ids[i] < 1 || ids[i] > (long long)n)
			abort();
}

/* The input read as a ring of (x, y) doubles. */
static void fuzz_ring(const uint8_t *data, size_t size)
{
	size_t n = size / (2 * sizeof(double));
	if (n < 2 || n > 64)
		return;
	double *xy = malloc(n * 2 * sizeof(double));
	if (!xy)
		return;
	memcpy(xy, data, n * 2 * sizeof(double));
	/* the last pair is the point, the rest the ring */
	int where = area_ring_locate(xy, n - 1, xy[2 * (n - 1)], xy[2 * (n - 1) + 1]);
	if (where != AREA_OUTSIDE && where != AREA_INSIDE && where != AREA_BOUNDARY)
		abort();
	/* every vertex of a ring is on its boundary */
	if (n >= 5) {
		int finite = 1;
		for (size_t i = 0; i < 2 * (n - 1); i++)
			finite &= xy[i] > -1e6 && xy[i] < 1e6;
		if (finite && area_ring_locate(xy, n - 1, xy[0], xy[1]) != AREA_BOUNDARY)
			abort();
	}
	free(xy);
}

/* Definitions an options read accepted compile, and a refusal names the file. */
static void check_read(int st, const char *path, area_def *defs, size_t n, const char *err)
{
	if (st != CT_OK) {
		fuzz_refusal_names(err, path);
		return;
	}
	long long *ids = malloc((n ? n : 1) * sizeof *ids);
	if (!ids)
		abort();
	for (size_t i = 0; i < n; i++)
		ids[i] = (long long)i + 1;
	char why[512];
	area_set *set = area_set_from_defs(defs, ids, n, why, sizeof why);
	if (!set || area_set_count(set) != n)
		abort();
	check_match(set, n, 1, -1.3120, 54.5650, NULL, NULL);
	area_set_free(set);
	free(ids);
	area_defs_free(defs, n);
}

static void fuzz_opts(const char *text)
{
	static const char *const only[] = {"Yarm, Stockton Town Centre"};
	static const char *const rename[] = {"Yarm=Yarm Town Centre"};
	area_load_opts o = {.only = only, .nonly = 1, .rename = rename, .nrename = 1, .crs = "EPSG:27700"};
	area_def *defs = NULL;
	size_t n = 0;
	char err[1024] = "";
	int st = area_file_parse_opts("fuzz.geojson", text, &o, &defs, &n, err, sizeof err);
	check_read(st, "fuzz.geojson", defs, n, err);
	area_load_opts named = {.name_field = "WD13NM"};
	st = area_file_parse_opts("fuzz.geojson", text, &named, &defs, &n, err, sizeof err);
	check_read(st, "fuzz.geojson", defs, n, err);
}

static char shp_dir[] = "/tmp/crimetab-fuzz-XXXXXX";

static void remove_shp_dir(void)
{
	const char *ext[] = {"shp", "shx", "dbf"};
	for (int i = 0; i < 3; i++) {
		char p[64];
		snprintf(p, sizeof p, "%s/f.%s", shp_dir, ext[i]);
		unlink(p);
	}
	rmdir(shp_dir);
}

/* The input as a shapefile: two little-endian 16-bit lengths, then the .shp
 * and .shx of those lengths, the rest the .dbf. */
static void fuzz_shapefile(const uint8_t *data, size_t size)
{
	const char *dir = shp_dir;
	static int made;
	if (!made) {
		if (!mkdtemp(shp_dir))
			return;
		atexit(remove_shp_dir);
		made = 1;
	}
	if (size < 4)
		return;
	size_t nshp = (size_t)(data[0] | data[1] << 8), nshx = (size_t)(data[2] | data[3] << 8);
	data += 4, size -= 4;
	if (nshp > size)
		nshp = size;
	if (nshx > size - nshp)
		nshx = size - nshp;
	const char *ext[] = {"shp", "shx", "dbf"};
	size_t len[] = {nshp, nshx, size - nshp - nshx};
	for (int i = 0; i < 3; i++) {
		char p[64];
		snprintf(p, sizeof p, "%s/f.%s", dir, ext[i]);
		FILE *f = fopen(p, "wb");
		if (!f)
			return;
		fwrite(data, 1, len[i], f);
		fclose(f);
		data += len[i];
	}
	char path[64], err[1024] = "";
	snprintf(path, sizeof path, "%s/f.shp", dir);
	area_def *defs = NULL;
	size_t n = 0;
	int st = area_file_read(path, NULL, &defs, &n, err, sizeof err);
	check_read(st, path, defs, n, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ring(data, size);
	fuzz_shapefile(data, size);

	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	area_def *defs = NULL;
	size_t n = 0;
	char err[512] = "";
	fuzz_opts(text);
	if (area_file_parse("fuzz.geojson", text, &defs, &n, err, sizeof err) != 0) {
		fuzz_refusal_names(err, "fuzz.geojson");
		free(text);
		return 0;
	}
	long long *ids = malloc((n ? n : 1) * sizeof *ids);
	if (!ids)
		abort();
	for (size_t i = 0; i < n; i++)
		ids[i] = (long long)i + 1;
	/* definitions area_file_parse accepted always compile */
	area_set *set = area_set_from_defs(defs, ids, n, err, sizeof err);
	if (!set || area_set_count(set) != n)
		abort();
	check_match(set, n, 1, 0, 0, NULL, NULL);
	check_match(set, n, 1, -1.3120, 54.5650, "E01035196", "Stockton Town Centre");
	check_match(set, n, 1, 180, -90, "", "");
	check_match(set, n, 0, 0, 0, "e01012227", "Yarm");
	for (size_t i = 0; i < n; i++)
		check_match(set, n, 1, 0.5, 0.5, defs[i].name, defs[i].name);
	if (size >= 4) {
		double lon = (data[0] << 8 | data[1]) / 65535.0 * 360 - 180;
		double lat = (data[2] << 8 | data[3]) / 65535.0 * 180 - 90;
		check_match(set, n, 1, lon, lat, NULL, NULL);
	}
	area_set_free(set);
	free(ids);
	area_defs_free(defs, n);
	free(text);
	return 0;
}
