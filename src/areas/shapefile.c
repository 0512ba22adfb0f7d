/* Shapefiles through shapelib: records become GeoJSON Features, so a
 * council's .shp goes through the same naming, selection and coordinate
 * conversion as a GeoJSON file. */
#include "areas/shapefile.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "areas/areas.h"
#include "core/util.h"

int area_is_shapefile(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && strcasecmp(path + n - 4, ".shp") == 0;
}

/* shapelib reports trouble through a hook without a context; crimetab reads
 * one shapefile at a time, so the last message is kept here for err. */
static char shp_message[256];

static void shp_error(const char *message)
{
	snprintf(shp_message, sizeof shp_message, "%s", message);
}

/* The sidecar BASE.EXT (lower case, else upper case) read whole, or NULL
 * when neither exists; -1 in *failed when one exists but cannot be read. */
static char *read_sidecar(const char *base, const char *ext, int *failed, char *err, size_t errlen)
{
	char *p = xasprintf("%s.%s", base, ext);
	FILE *f = fopen(p, "rb");
	if (!f && errno == ENOENT) {
		free(p);
		char up[8];
		size_t i = 0;
		for (; i < sizeof up - 1 && ext[i]; i++)
			up[i] = (char)(ext[i] >= 'a' && ext[i] <= 'z' ? ext[i] - 'a' + 'A' : ext[i]);
		up[i] = '\0';
		p = xasprintf("%s.%s", base, up);
		f = fopen(p, "rb");
	}
	if (!f) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "%s: cannot open: %s", p, strerror(errno));
			*failed = 1;
		}
		free(p);
		return NULL;
	}
	fclose(f);
	char *text = ct_read_file(p, err, errlen);
	if (!text)
		*failed = 1;
	free(p);
	return text;
}

/* Text of the .dbf in code page CP as UTF-8 (caller frees), or NULL. */
static char *to_utf8(const char *s, const char *cp)
{
	if (ct_utf8_valid(s, strlen(s)))
		return xstrdup(s);
	/* the .dbf language driver 87 and a bare number are Windows code pages */
	char name[64];
	if (!cp || !*cp || strcasecmp(cp, "LDID/87") == 0)
		snprintf(name, sizeof name, "CP1252");
	else if (cp[strspn(cp, "0123456789")] == '\0')
		snprintf(name, sizeof name, "CP%s", cp);
	else
		snprintf(name, sizeof name, "%s", cp);
	iconv_t cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return NULL;
	size_t inleft = strlen(s), outsize = 4 * inleft + 1, outleft = outsize - 1;
	char *out = xmalloc(outsize), *in = (char *)s, *o = out;
	size_t rc = iconv(cd, &in, &inleft, &o, &outleft);
	iconv_close(cd);
	if (rc == (size_t)-1) {
		free(out);
		return NULL;
	}
	*o = '\0';
	return out;
}

/* Signed area of a ring: the sign gives its orientation. */
static double ring_area(const double *x, const double *y, int n)
{
	double a = 0;
	for (int i = 0, j = n - 1; i < n; j = i++)
		a += (x[j] - x[i]) * (y[j] + y[i]);
	return a / 2;
}

typedef struct part {
	int start, n;
	double *xy; /* interleaved, for area_ring_locate */
	double area, minx, miny, maxx, maxy;
	int parent; /* the smallest ring containing this one, or -1 */
	int depth;  /* how many rings contain it: even = outer ring, odd = hole */
} part;

/* 1 if ring A lies inside ring B: the first of A's vertices not on B's edge
 * decides (rings of a valid shape do not cross). */
static int ring_inside(const part *a, const part *b)
{
	if (a->minx < b->minx || a->maxx > b->maxx || a->miny < b->miny || a->maxy > b->maxy || a == b)
		return 0;
	for (int i = 0; i < a->n; i++) {
		int w = area_ring_locate(b->xy, (size_t)b->n, a->xy[2 * i], a->xy[2 * i + 1]);
		if (w != AREA_BOUNDARY)
			return w == AREA_INSIDE;
	}
	return fabs(a->area) < fabs(b->area);
}

static cJSON *ring_json(const part *p)
{
	cJSON *ring = cJSON_CreateArray();
	for (int i = 0; i < p->n; i++)
		cJSON_AddItemToArray(ring, cJSON_CreateDoubleArray(p->xy + 2 * i, 2));
	return ring;
}

/* A shape's parts sorted by containment into a Polygon or MultiPolygon. */
static cJSON *shape_geometry(const SHPObject *o)
{
	int np = o->nParts;
	part *parts = xcalloc((size_t)(np ? np : 1), sizeof *parts);
	for (int i = 0; i < np; i++) {
		part *p = &parts[i];
		p->start = o->panPartStart[i];
		int end = i + 1 < np ? o->panPartStart[i + 1] : o->nVertices;
		p->n = end > p->start ? end - p->start : 0;
		p->xy = xmalloc(sizeof(double) * 2 * (size_t)(p->n ? p->n : 1));
		p->parent = -1;
		for (int k = 0; k < p->n; k++) {
			double x = o->padfX[p->start + k], y = o->padfY[p->start + k];
			p->xy[2 * k] = x;
			p->xy[2 * k + 1] = y;
			if (k == 0 || x < p->minx)
				p->minx = x;
			if (k == 0 || x > p->maxx)
				p->maxx = x;
			if (k == 0 || y < p->miny)
				p->miny = y;
			if (k == 0 || y > p->maxy)
				p->maxy = y;
		}
		p->area = ring_area(o->padfX + p->start, o->padfY + p->start, p->n);
	}
	/* containment, not orientation: writers disagree on which way rings turn */
	for (int i = 0; i < np; i++)
		for (int j = 0; j < np; j++)
			if (i != j && parts[i].n >= 3 && parts[j].n >= 3 && ring_inside(&parts[i], &parts[j])) {
				parts[i].depth++;
				if (parts[i].parent < 0 || fabs(parts[j].area) < fabs(parts[parts[i].parent].area))
					parts[i].parent = j;
			}
	cJSON *polys = cJSON_CreateArray();
	int nouter = 0;
	for (int i = 0; i < np; i++) {
		if (parts[i].depth % 2)
			continue;
		cJSON *poly = cJSON_CreateArray();
		cJSON_AddItemToArray(poly, ring_json(&parts[i]));
		for (int h = 0; h < np; h++)
			if (parts[h].depth % 2 && parts[h].parent == i)
				cJSON_AddItemToArray(poly, ring_json(&parts[h]));
		cJSON_AddItemToArray(polys, poly);
		nouter++;
	}
	for (int i = 0; i < np; i++)
		free(parts[i].xy);
	free(parts);
	cJSON *g = cJSON_CreateObject();
	if (nouter == 1) {
		cJSON_AddStringToObject(g, "type", "Polygon");
		cJSON_AddItemToObject(g, "coordinates", cJSON_DetachItemFromArray(polys, 0));
		cJSON_Delete(polys);
	} else {
		cJSON_AddStringToObject(g, "type", "MultiPolygon");
		cJSON_AddItemToObject(g, "coordinates", polys);
	}
	return g;
}

/* Record REC's attributes as a properties object; NULL with err set when a
 * text value is in no code page crimetab can read. */
static cJSON *record_props(DBFHandle dbf, int rec, const char *path, char *err, size_t errlen)
{
	cJSON *props = cJSON_CreateObject();
	int nf = DBFGetFieldCount(dbf);
	for (int f = 0; f < nf; f++) {
		char field[XBASE_FLDNAME_LEN_READ + 1] = "";
		int width = 0, decimals = 0;
		DBFFieldType t = DBFGetFieldInfo(dbf, f, field, &width, &decimals);
		if (DBFIsAttributeNULL(dbf, rec, f)) {
			cJSON_AddNullToObject(props, field);
		} else if (t == FTInteger || t == FTDouble) {
			cJSON_AddNumberToObject(props, field, DBFReadDoubleAttribute(dbf, rec, f));
		} else {
			const char *raw = DBFReadStringAttribute(dbf, rec, f);
			char *s = to_utf8(raw ? raw : "", DBFGetCodePage(dbf));
			if (!s) {
				const char *cp = DBFGetCodePage(dbf);
				snprintf(err, errlen, "%s: record %d, field %s: text is not UTF-8 and code page \"%s\" is unknown",
					 path, rec + 1, field, cp ? cp : "none");
				cJSON_Delete(props);
				return NULL;
			}
			/* dBASE pads text with spaces */
			size_t len = strlen(s);
			while (len && s[len - 1] == ' ')
				s[--len] = '\0';
			cJSON_AddStringToObject(props, field, s + strspn(s, " "));
			free(s);
		}
	}
	return props;
}

ct_status area_shapefile_read(const char *path, cJSON **fc_out, char **prj_out, char *err, size_t errlen)
{
	*fc_out = NULL;
	*prj_out = NULL;
	char *base = xstrndup(path, strlen(path) - 4);
	ct_status status = CT_EDATA;
	SHPHandle shp = NULL;
	DBFHandle dbf = NULL;
	cJSON *fc = NULL;
	char *prj = NULL;
	SAHooks hooks;
	SASetupDefaultHooks(&hooks);
	hooks.Error = shp_error;
	FILE *probe = fopen(path, "rb");
	if (!probe) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		status = CT_EIO;
		goto done;
	}
	fclose(probe);
	shp_message[0] = '\0';
	shp = SHPOpenLL(base, "rb", &hooks);
	if (!shp) {
		snprintf(err, errlen, "%s: not a readable shapefile (needs its .shx beside it)%s%s", path,
			 shp_message[0] ? ": " : "", shp_message);
		goto done;
	}
	dbf = DBFOpenLL(base, "rb", &hooks);
	if (!dbf) {
		snprintf(err, errlen, "%s: no readable .dbf beside it: a shapefile's attributes, such as area names, "
			 "are in BASE.dbf", path);
		status = CT_EIO;
		goto done;
	}
	int failed = 0;
	prj = read_sidecar(base, "prj", &failed, err, errlen);
	if (failed) {
		status = CT_EIO;
		goto done;
	}
	int nshapes = 0, type = 0;
	double minb[4], maxb[4];
	SHPGetInfo(shp, &nshapes, &type, minb, maxb);
	if (type != SHPT_POLYGON && type != SHPT_POLYGONZ && type != SHPT_POLYGONM && type != SHPT_NULL) {
		snprintf(err, errlen, "%s: its shapes are %s, not polygons", path, SHPTypeName(type));
		goto done;
	}
	if (DBFGetRecordCount(dbf) != nshapes) {
		snprintf(err, errlen, "%s: %d shapes but %d .dbf records", path, nshapes, DBFGetRecordCount(dbf));
		goto done;
	}
	fc = cJSON_CreateObject();
	cJSON_AddStringToObject(fc, "type", "FeatureCollection");
	cJSON *features = cJSON_AddArrayToObject(fc, "features");
	for (int i = 0; i < nshapes; i++) {
		shp_message[0] = '\0';
		SHPObject *o = SHPReadObject(shp, i);
		if (!o) {
			snprintf(err, errlen, "%s: shape %d cannot be read%s%s", path, i + 1, shp_message[0] ? ": " : "",
				 shp_message);
			goto done;
		}
		cJSON *feat = cJSON_CreateObject();
		cJSON_AddItemToArray(features, feat);
		cJSON_AddStringToObject(feat, "type", "Feature");
		cJSON *props = record_props(dbf, i, path, err, errlen);
		if (!props) {
			SHPDestroyObject(o);
			goto done;
		}
		cJSON_AddItemToObject(feat, "properties", props);
		if (o->nSHPType == SHPT_NULL || o->nParts < 1)
			cJSON_AddNullToObject(feat, "geometry");
		else if (o->nSHPType != type) {
			snprintf(err, errlen, "%s: shape %d is a %s in a file of %s", path, i + 1, SHPTypeName(o->nSHPType),
				 SHPTypeName(type));
			SHPDestroyObject(o);
			goto done;
		} else
			cJSON_AddItemToObject(feat, "geometry", shape_geometry(o));
		SHPDestroyObject(o);
	}
	*fc_out = fc;
	*prj_out = prj;
	fc = NULL;
	prj = NULL;
	status = CT_OK;
done:
	cJSON_Delete(fc);
	free(prj);
	if (shp)
		SHPClose(shp);
	if (dbf)
		DBFClose(dbf);
	free(base);
	return status;
}
