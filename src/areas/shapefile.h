/* ESRI Shapefiles (.shp + .shx + .dbf, with .prj and .cpg) as council GIS
 * teams send them, read with shapelib into the GeoJSON the areas module
 * parses. */
#ifndef CRIMETAB_AREAS_SHAPEFILE_H
#define CRIMETAB_AREAS_SHAPEFILE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/status.h"

/* 1 if PATH names a shapefile (ends in .shp, any case). */
int area_is_shapefile(const char *path);

/* Reads the shapefile PATH into *fc, a GeoJSON FeatureCollection: a Feature
 * per record, the .dbf attributes as properties (text as UTF-8: the .cpg or
 * the .dbf's language driver says what it was), each shape a Polygon or
 * MultiPolygon (null for a null shape) in the file's own coordinates, rings
 * sorted into outer rings and holes by containment.  *prj is the .prj text,
 * or NULL when there is none.  The caller frees both (cJSON_Delete, free).
 * CT_OK, or CT_EIO (a part cannot be read) or CT_EDATA with "PATH: reason"
 * in err. */
ct_status area_shapefile_read(const char *path, cJSON **fc, char **prj, char *err, size_t errlen);

#endif
