/* Coordinate reference systems of boundary files (GeoJSON crs members,
 * shapefile .prj, --crs) and their conversion to the WGS84 longitude and
 * latitude crimes carry, with PROJ. */
#ifndef CRIMETAB_AREAS_CRS_H
#define CRIMETAB_AREAS_CRS_H

#include <stddef.h>

typedef struct area_crs area_crs;

/* Opens the CRS DEF names: an authority code ("EPSG:27700"), a URN
 * ("urn:ogc:def:crs:EPSG::27700", "urn:ogc:def:crs:OGC:1.3:CRS84") or WKT
 * (a .prj file).  NULL with the reason in err. */
area_crs *area_crs_open(const char *def, char *err, size_t errlen);
/* Accepts NULL. */
void area_crs_free(area_crs *c);
/* 1 when coordinates in C are WGS84 longitude, latitude already. */
int area_crs_is_lonlat(const area_crs *c);
/* C's name for messages, e.g. "OSGB36 / British National Grid (EPSG:27700)". */
const char *area_crs_name(const area_crs *c);
/* 1 when A and B are the same CRS. */
int area_crs_same(const area_crs *a, const area_crs *b);
/* Converts N (x, y) pairs of XY in place to longitude, latitude.  On failure
 * returns -1, *bad is the index of the first pair that could not be
 * converted and err says why. */
int area_crs_to_lonlat(area_crs *c, double *xy, size_t n, size_t *bad, char *err, size_t errlen);

#endif
