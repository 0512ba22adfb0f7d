/* Boundary-file coordinate systems through PROJ: British National Grid and
 * the rest become WGS84 longitude, latitude by the transformation PROJ picks
 * (OSTN15 when its grid is installed, else the published Helmert one). */
#include "areas/crs.h"

#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct area_crs {
	PJ_CONTEXT *ctx;
	PJ *crs;
	PJ *op; /* crs -> OGC:CRS84 in longitude, latitude order; NULL when lonlat */
	int lonlat;
	char name[200];
};

static void proj_reason(PJ_CONTEXT *ctx, char *err, size_t errlen, const char *what)
{
	int e = proj_context_errno(ctx);
	const char *why = e ? proj_context_errno_string(ctx, e) : NULL;
	if (why && strncmp(why, "Unknown error", 13) == 0)
		why = NULL;
	snprintf(err, errlen, "%s%s%s", what, why ? ": " : "", why ? why : "");
}

area_crs *area_crs_open(const char *def, char *err, size_t errlen)
{
	area_crs *c = xcalloc(1, sizeof *c);
	PJ *crs84 = NULL;
	c->ctx = proj_context_create();
	if (!c->ctx) {
		snprintf(err, errlen, "PROJ could not start");
		goto fail;
	}
	proj_log_level(c->ctx, PJ_LOG_NONE);
	/* PROJ also looks up bare words as object names ("foo" finds
	 * Amersfoort): only codes, URNs, WKT and PROJ strings are taken */
	def += strspn(def, " \t\r\n");
	size_t word = strspn(def, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789");
	if (!(def[word] == ':' || def[word] == '[' || strncmp(def, "+proj=", 6) == 0) || word == 0) {
		snprintf(err, errlen, "not a coordinate reference system: give an authority code such as EPSG:27700, "
			 "a URN or WKT");
		goto fail;
	}
	c->crs = proj_create(c->ctx, def);
	if (!c->crs) {
		proj_reason(c->ctx, err, errlen, "not a coordinate reference system PROJ knows");
		goto fail;
	}
	if (!proj_is_crs(c->crs)) {
		snprintf(err, errlen, "not a coordinate reference system");
		goto fail;
	}
	const char *auth = proj_get_id_auth_name(c->crs, 0), *code = proj_get_id_code(c->crs, 0);
	const char *nm = proj_get_name(c->crs);
	if (auth && code)
		snprintf(c->name, sizeof c->name, "%s (%s:%s)", nm ? nm : "unnamed", auth, code);
	else
		snprintf(c->name, sizeof c->name, "%s", nm ? nm : "unnamed");
	crs84 = proj_create(c->ctx, "OGC:CRS84");
	if (!crs84) {
		proj_reason(c->ctx, err, errlen, "PROJ has no OGC:CRS84 (is proj-data installed?)");
		goto fail;
	}
	c->lonlat = proj_is_equivalent_to_with_ctx(c->ctx, c->crs, crs84, PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS);
	if (!c->lonlat) {
		PJ *op = proj_create_crs_to_crs_from_pj(c->ctx, c->crs, crs84, NULL, NULL);
		if (!op) {
			proj_reason(c->ctx, err, errlen, "PROJ has no way to convert it to longitude/latitude");
			goto fail;
		}
		/* the file's own axis order is easting, northing (or longitude, latitude) */
		c->op = proj_normalize_for_visualization(c->ctx, op);
		proj_destroy(op);
		if (!c->op) {
			proj_reason(c->ctx, err, errlen, "PROJ has no way to convert it to longitude/latitude");
			goto fail;
		}
	}
	proj_destroy(crs84);
	return c;
fail:
	proj_destroy(crs84);
	area_crs_free(c);
	return NULL;
}

void area_crs_free(area_crs *c)
{
	if (!c)
		return;
	proj_destroy(c->op);
	proj_destroy(c->crs);
	if (c->ctx)
		proj_context_destroy(c->ctx);
	free(c);
}

int area_crs_is_lonlat(const area_crs *c)
{
	return c->lonlat;
}

const char *area_crs_name(const area_crs *c)
{
	return c->name;
}

int area_crs_same(const area_crs *a, const area_crs *b)
{
	return proj_is_equivalent_to_with_ctx(a->ctx, a->crs, b->crs, PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS);
}

int area_crs_to_lonlat(area_crs *c, double *xy, size_t n, size_t *bad, char *err, size_t errlen)
{
	if (c->lonlat || n == 0)
		return 0;
	double *orig = xmalloc(2 * n * sizeof *orig);
	memcpy(orig, xy, 2 * n * sizeof *orig);
	proj_errno_reset(c->op);
	proj_trans_generic(c->op, PJ_FWD, xy, 2 * sizeof *xy, n, xy + 1, 2 * sizeof *xy, n, NULL, 0, 0, NULL, 0, 0);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		double lon = xy[2 * i], lat = xy[2 * i + 1];
		if (!isfinite(lon) || !isfinite(lat) || fabs(lon) > 180 || fabs(lat) > 90) {
			*bad = i;
			snprintf(err, errlen, "[%.10g, %.10g] cannot be converted from %s to longitude/latitude", orig[2 * i],
				 orig[2 * i + 1], c->name);
			rc = -1;
			break;
		}
	}
	free(orig);
	return rc;
}
