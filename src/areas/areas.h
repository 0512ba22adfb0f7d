/* Town centres: parsing area files (GeoJSON polygons, LSOA lists, area-column
 * values), point-in-polygon, and assigning crimes to every area containing them. */
#ifndef CRIMETAB_AREAS_H
#define CRIMETAB_AREAS_H

#include <stddef.h>

#include "core/status.h"
#include "store/store.h"

/* ---- geometry ---- */
/* Where a point lies against a polygon or ring. */
enum { AREA_OUTSIDE = 0, AREA_INSIDE = 1, AREA_BOUNDARY = 2 };

/* A ring is N points (x = longitude, y = latitude); closing point optional. */
int area_ring_locate(const double *xy, size_t n, double x, double y);

/* ---- area files ---- */
typedef struct area_def {
	char *name;
	const char *kind;  /* "polygon", "lsoa" or "value" */
	char *definition;  /* JSON kept in the store */
} area_def;

/* How to read a boundary file as its publisher made it (ONS, a council).
 * Zero-initialised: names from properties.name, every feature, coordinates
 * in the CRS the file names, or longitude/latitude. */
typedef struct area_load_opts {
	/* The property that names each area.  NULL: "name", or when the first
	 * feature has none, its one property named like *NM or *name (say
	 * WD13NM), which a note reports. */
	const char *name_field;
	/* Keep only the features with these names (as in the file); each item
	 * may hold several, separated by commas. */
	const char *const *only;
	size_t nonly;
	/* "FROM=TO" items: the feature FROM (as in the file) is loaded as TO. */
	const char *const *rename;
	size_t nrename;
	/* A file of more such lines ('#' starts a comment), or NULL. */
	const char *rename_file;
	/* The CRS the coordinates are in ("EPSG:27700"), overriding the file's
	 * crs member or .prj; NULL: what the file says, else longitude/latitude. */
	const char *crs;
	/* Receives what was decided (WARNING 0) and warnings (1); may be NULL. */
	void (*note)(void *ctx, int warning, const char *msg);
	void *note_ctx;
} area_load_opts;

/* Parses an areas file: a GeoJSON FeatureCollection (Polygon / MultiPolygon
 * features named by properties.name; or null-geometry features whose
 * properties hold "lsoa_codes" or "area_values") or {"areas": [{"name", and
 * one of "geometry", "lsoa_codes", "area_values"}]}.  On success *defs (freed
 * with area_defs_free) holds *n definitions; else -1 with "path: reason" in err. */
int area_file_parse(const char *path, const char *text, area_def **defs, size_t *n, char *err, size_t errlen);
/* The same with OPTS (NULL: defaults).  Geometries come out in WGS84
 * longitude/latitude whatever CRS the file was in.  CT_OK, or CT_EDATA
 * (CT_EIO when the rename file cannot be read) with "path: reason" in err. */
int area_file_parse_opts(const char *path, const char *text, const area_load_opts *opts, area_def **defs,
			 size_t *n, char *err, size_t errlen);
/* Reads the file PATH, GeoJSON, an areas file or an ESRI Shapefile (.shp),
 * as area_file_parse_opts does text.  CT_OK, CT_EIO (it cannot be read) or
 * CT_EDATA, with err set. */
int area_file_read(const char *path, const area_load_opts *opts, area_def **defs, size_t *n, char *err,
		   size_t errlen);
void area_defs_free(area_def *defs, size_t n);

/* ---- matching ---- */
typedef struct area_set area_set;

/* Compiles every area in the store (for assigning imported crimes). */
area_set *area_set_from_store(store *s, char *err, size_t errlen);
/* Compiles the given definitions, with their store ids. */
area_set *area_set_from_defs(const area_def *defs, const long long *ids, size_t n, char *err, size_t errlen);
void area_set_free(area_set *set);
size_t area_set_count(const area_set *set);

/* Writes into ids (room for max) the areas containing the crime; returns how
 * many.  Points on an edge or vertex belong to the area; points in a hole do not. */
size_t area_set_match(const area_set *set, int has_coords, double lon, double lat, const char *lsoa_code,
		      const char *area_value, long long *ids, size_t max);

/* Loads an areas file into the store, replacing areas of the same names, and
 * assigns every crime already imported; one transaction.  *loaded is set to
 * the number of areas.  0 or -1 with err set. */
int area_load_file(store *s, const char *path, size_t *loaded, char *err, size_t errlen);
/* The same for a GeoJSON, areas or ESRI Shapefile (.shp) file read with
 * OPTS (NULL: defaults); then warns (through opts->note) about LSOA-list
 * areas that lost a 2011 code in police.uk's 2023 switch, as
 * area_lsoa_vintage_check.  A ct_status: CT_OK, CT_EIO (a file cannot be
 * read), CT_EDATA (it cannot be used) or CT_EDB, with err set. */
int area_load_file_opts(store *s, const char *path, const area_load_opts *opts, size_t *loaded, char *err,
			size_t errlen);

/* police.uk filed crimes under 2011 LSOA codes until 2023-05 and under 2021
 * codes from 2023-06.  For each LSOA-list area, names through NOTE (as a
 * warning) every listed code that the crimes held stop using after 2023-05
 * while later months are held, and that no listed code took over from: the
 * codes found since at the map points it was used at are named.  0, or -1
 * with err set (a database error). */
int area_lsoa_vintage_check(store *s, void (*note)(void *ctx, int warning, const char *msg), void *ctx, char *err,
			    size_t errlen);
/* The same for an areas file's TEXT already read from PATH (a file, or a
 * built-in's name: PATH is what messages and the store record), read with
 * OPTS (NULL: defaults).  CT_OK, CT_EDATA (TEXT is not a usable areas file)
 * or CT_EDB, with err set. */
ct_status area_load_text(store *s, const char *path, const char *text, const area_load_opts *opts, size_t *loaded,
			 char *err, size_t errlen);

/* ---- distances (for buffers around an area) ---- */
/* Distances are in metres in a local projection of the area: longitude and
 * latitude scaled by the WGS84 ellipsoid's radii of curvature at the centre
 * of the area's box.  Within a few kilometres of a town centre this is
 * within 0.1% of the distance on the ellipsoid. */
/* The distance from (LON, LAT) to area ID of SET: 0 inside it or on an edge,
 * else to its nearest edge; -1 when ID is not in SET or is not a polygon
 * area (LSOA and value lists have no geometry). */
double area_set_distance_m(const area_set *set, long long id, double lon, double lat);
/* Widens BOX (min lon, min lat, max lon, max lat; BOX[0] > BOX[2] for an
 * empty box) to hold every point within METRES of area ID; 0, or -1 as above. */
int area_set_box_m(const area_set *set, long long id, double metres, double box[4]);

#endif
