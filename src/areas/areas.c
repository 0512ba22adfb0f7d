/* Area definitions and point-in-polygon.  Polygons are tested against their
 * bounding box first (found through a grid when there are many); edges and
 * vertices count as inside, holes as outside. */
#include "areas/areas.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

/* A point within this many degrees of an edge (about 0.1 mm) is on it. */
#define EDGE_EPS 1e-9

static double seg_dist2(double px, double py, double ax, double ay, double bx, double by)
{
	double dx = bx - ax, dy = by - ay;
	double len2 = dx * dx + dy * dy;
	double t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
	if (t < 0)
		t = 0;
	else if (t > 1)
		t = 1;
	double qx = ax + t * dx - px, qy = ay + t * dy - py;
	return qx * qx + qy * qy;
}

int area_ring_locate(const double *xy, size_t n, double x, double y)
{
	if (n >= 2 && xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1])
		n--; /* ignore the closing point */
	if (n < 3)
		return AREA_OUTSIDE;
	int inside = 0;
	for (size_t i = 0, j = n - 1; i < n; j = i++) {
		double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
		if (seg_dist2(x, y, xi, yi, xj, yj) <= EDGE_EPS * EDGE_EPS)
			return AREA_BOUNDARY;
		/* half-open rule: an edge counts when it straddles y */
		if ((yi > y) != (yj > y)) {
			double xcross = xi + (y - yi) * (xj - xi) / (yj - yi);
			if (x < xcross)
				inside = !inside;
		}
	}
	return inside ? AREA_INSIDE : AREA_OUTSIDE;
}

typedef struct ring {
	double *xy;
	size_t n;
} ring;

typedef struct polygon {
	ring *rings; /* rings[0] outer, the rest holes */
	size_t nrings;
	double minx, miny, maxx, maxy;
} polygon;

typedef struct area {
	long long id;
	int kind; /* 'p', 'l', 'v' */
	polygon *polys;
	size_t npolys;
	double minx, miny, maxx, maxy;
	char **keys; /* sorted LSOA codes or area values */
	size_t nkeys;
} area;

/* A uniform grid over the polygon areas' boxes (widened by EDGE_EPS): each
 * cell lists, in set order, the polygon areas whose box meets it, so a point
 * is tested against a few areas instead of all of them. */
typedef struct area_grid {
	double minx, miny, maxx, maxy, cw, ch;
	size_t nx, ny;
	size_t *start; /* nx * ny + 1 offsets into idx */
	size_t *idx;   /* area indices, ascending within a cell */
	size_t *keyed; /* the LSOA-code and area-value areas, ascending */
	size_t nkeyed;
} area_grid;

/* Below this many polygon areas a plain scan is as quick as the grid. */
#define GRID_MIN_AREAS 16
#define GRID_MAX_CELLS ((size_t)1 << 20)
#define GRID_MAX_ENTRIES ((size_t)1 << 22)

struct area_set {
	area *areas;
	size_t n;
	area_grid *grid; /* NULL: every area is tested */
};

static int polygon_contains(const polygon *p, double x, double y)
{
	if (x < p->minx - EDGE_EPS || x > p->maxx + EDGE_EPS || y < p->miny - EDGE_EPS || y > p->maxy + EDGE_EPS)
		return 0;
	if (area_ring_locate(p->rings[0].xy, p->rings[0].n, x, y) == AREA_OUTSIDE)
		return 0;
	for (size_t h = 1; h < p->nrings; h++)
		if (area_ring_locate(p->rings[h].xy, p->rings[h].n, x, y) == AREA_INSIDE)
			return 0;
	return 1;
}

static int cmp_key(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

static void area_clear(area *a)
{
	for (size_t i = 0; i < a->npolys; i++) {
		for (size_t r = 0; r < a->polys[i].nrings; r++)
			free(a->polys[i].rings[r].xy);
		free(a->polys[i].rings);
	}
	free(a->polys);
	for (size_t i = 0; i < a->nkeys; i++)
		free(a->keys[i]);
	free(a->keys);
}

void area_set_free(area_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		area_clear(&set->areas[i]);
	free(set->areas);
	if (set->grid) {
		free(set->grid->start);
		free(set->grid->idx);
		free(set->grid->keyed);
		free(set->grid);
	}
	free(set);
}

size_t area_set_count(const area_set *set)
{
	return set ? set->n : 0;
}

/* Parses one GeoJSON linear ring. */
static int parse_ring(const cJSON *j, ring *r, char *err, size_t errlen)
{
	int n = cJSON_GetArraySize(j);
	if (!cJSON_IsArray(j) || n < 4) {
		snprintf(err, errlen, "a ring needs at least 4 positions");
		return -1;
	}
	r->xy = xmalloc(sizeof(double) * 2 * (size_t)n);
	r->n = (size_t)n;
	int i = 0;
	const cJSON *pt;
	cJSON_ArrayForEach(pt, j)
	{
		const cJSON *x = cJSON_GetArrayItem(pt, 0), *y = cJSON_GetArrayItem(pt, 1);
		if (!cJSON_IsNumber(x) || !cJSON_IsNumber(y) || !isfinite(x->valuedouble) ||
		    !isfinite(y->valuedouble) || fabs(x->valuedouble) > 180 || fabs(y->valuedouble) > 90) {
			snprintf(err, errlen, "position %d is not [longitude, latitude]", i + 1);
			return -1;
		}
		r->xy[2 * i] = x->valuedouble;
		r->xy[2 * i + 1] = y->valuedouble;
		i++;
	}
	return 0;
}

static int parse_polygon(const cJSON *coords, polygon *p, char *err, size_t errlen)
{
	int nr = cJSON_GetArraySize(coords);
	if (!cJSON_IsArray(coords) || nr < 1) {
		snprintf(err, errlen, "a Polygon needs at least one ring");
		return -1;
	}
	p->rings = xcalloc((size_t)nr, sizeof *p->rings);
	const cJSON *rj;
	cJSON_ArrayForEach(rj, coords)
	{
		if (parse_ring(rj, &p->rings[p->nrings], err, errlen) != 0) {
			p->nrings++;
			return -1;
		}
		p->nrings++;
	}
	const ring *o = &p->rings[0];
	p->minx = p->maxx = o->xy[0];
	p->miny = p->maxy = o->xy[1];
	for (size_t i = 1; i < o->n; i++) {
		p->minx = fmin(p->minx, o->xy[2 * i]);
		p->maxx = fmax(p->maxx, o->xy[2 * i]);
		p->miny = fmin(p->miny, o->xy[2 * i + 1]);
		p->maxy = fmax(p->maxy, o->xy[2 * i + 1]);
	}
	return 0;
}

/* Compiles a GeoJSON geometry into A. */
static int compile_geometry(const cJSON *g, area *a, char *err, size_t errlen)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(g, "type");
	const cJSON *coords = cJSON_GetObjectItemCaseSensitive(g, "coordinates");
	if (!cJSON_IsString(type) || !cJSON_IsArray(coords)) {
		snprintf(err, errlen, "geometry needs \"type\" and \"coordinates\"");
		return -1;
	}
	a->kind = 'p';
	if (strcmp(type->valuestring, "Polygon") == 0) {
		a->polys = xcalloc(1, sizeof *a->polys);
		a->npolys = 1;
		if (parse_polygon(coords, &a->polys[0], err, errlen) != 0)
			return -1;
	} else if (strcmp(type->valuestring, "MultiPolygon") == 0) {
		int np = cJSON_GetArraySize(coords);
		if (np < 1) {
			snprintf(err, errlen, "empty MultiPolygon");
			return -1;
		}
		a->polys = xcalloc((size_t)np, sizeof *a->polys);
		const cJSON *pj;
		cJSON_ArrayForEach(pj, coords)
		{
			if (parse_polygon(pj, &a->polys[a->npolys++], err, errlen) != 0)
				return -1;
		}
	} else {
		snprintf(err, errlen, "geometry type \"%s\" is not Polygon or MultiPolygon", type->valuestring);
		return -1;
	}
	a->minx = a->polys[0].minx, a->maxx = a->polys[0].maxx;
	a->miny = a->polys[0].miny, a->maxy = a->polys[0].maxy;
	for (size_t i = 1; i < a->npolys; i++) {
		a->minx = fmin(a->minx, a->polys[i].minx);
		a->maxx = fmax(a->maxx, a->polys[i].maxx);
		a->miny = fmin(a->miny, a->polys[i].miny);
		a->maxy = fmax(a->maxy, a->polys[i].maxy);
	}
	return 0;
}

static int compile_keys(const cJSON *list, int kind, area *a, char *err, size_t errlen)
{
	int n = cJSON_GetArraySize(list);
	if (!cJSON_IsArray(list) || n < 1) {
		snprintf(err, errlen, "%s must be a non-empty array of strings",
			 kind == 'l' ? "lsoa_codes" : "area_values");
		return -1;
	}
	a->kind = kind;
	a->keys = xcalloc((size_t)n, sizeof *a->keys);
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
	{
		if (!cJSON_IsString(it) || !*it->valuestring) {
			snprintf(err, errlen, "%s item %zu is not a non-empty string",
				 kind == 'l' ? "lsoa_codes" : "area_values", a->nkeys + 1);
			return -1;
		}
		a->keys[a->nkeys++] = xstrdup(it->valuestring);
	}
	qsort(a->keys, a->nkeys, sizeof *a->keys, cmp_key);
	return 0;
}

/* Compiles a stored definition (JSON text of the given kind). */
static int compile_def(const char *kind, const char *definition, area *a, char *err, size_t errlen)
{
	cJSON *j = cJSON_Parse(definition);
	if (!j) {
		snprintf(err, errlen, "definition is not valid JSON");
		return -1;
	}
	int rc;
	if (strcmp(kind, "polygon") == 0)
		rc = compile_geometry(j, a, err, errlen);
	else if (strcmp(kind, "lsoa") == 0)
		rc = compile_keys(cJSON_GetObjectItemCaseSensitive(j, "lsoa_codes"), 'l', a, err, errlen);
	else
		rc = compile_keys(cJSON_GetObjectItemCaseSensitive(j, "area_values"), 'v', a, err, errlen);
	cJSON_Delete(j);
	return rc;
}

static size_t grid_cell(double v, double origin, double size, size_t n)
{
	double c = floor((v - origin) / size);
	if (!(c > 0))
		return 0;
	return c >= (double)n ? n - 1 : (size_t)c;
}

/* Cells an area's widened box covers, as [x0, x1] x [y0, y1]. */
static void grid_span(const area_grid *g, const area *a, size_t span[4])
{
	span[0] = grid_cell(a->minx - EDGE_EPS, g->minx, g->cw, g->nx);
	span[1] = grid_cell(a->maxx + EDGE_EPS, g->minx, g->cw, g->nx);
	span[2] = grid_cell(a->miny - EDGE_EPS, g->miny, g->ch, g->ny);
	span[3] = grid_cell(a->maxy + EDGE_EPS, g->miny, g->ch, g->ny);
}

static void grid_build(area_set *set)
{
	size_t npoly = 0;
	double sumw = 0, sumh = 0;
	area_grid g = {0};
	for (size_t i = 0; i < set->n; i++) {
		const area *a = &set->areas[i];
		if (a->kind != 'p')
			continue;
		double x0 = a->minx - EDGE_EPS, x1 = a->maxx + EDGE_EPS, y0 = a->miny - EDGE_EPS, y1 = a->maxy + EDGE_EPS;
		if (!npoly++) {
			g.minx = x0, g.maxx = x1, g.miny = y0, g.maxy = y1;
		} else {
			g.minx = fmin(g.minx, x0), g.maxx = fmax(g.maxx, x1);
			g.miny = fmin(g.miny, y0), g.maxy = fmax(g.maxy, y1);
		}
		sumw += x1 - x0;
		sumh += y1 - y0;
	}
	if (npoly < GRID_MIN_AREAS)
		return;
	/* cells about the size of an average area's box, within the limits */
	double w = g.maxx - g.minx, h = g.maxy - g.miny;
	g.nx = (size_t)fmin(fmax(w / (sumw / (double)npoly), 1), 4096);
	g.ny = (size_t)fmin(fmax(h / (sumh / (double)npoly), 1), 4096);
	size_t entries;
	for (;;) {
		g.cw = w > 0 ? w / (double)g.nx : 1;
		g.ch = h > 0 ? h / (double)g.ny : 1;
		entries = 0;
		for (size_t i = 0; i < set->n; i++) {
			size_t sp[4];
			if (set->areas[i].kind != 'p')
				continue;
			grid_span(&g, &set->areas[i], sp);
			entries += (sp[1] - sp[0] + 1) * (sp[3] - sp[2] + 1);
		}
		if ((g.nx * g.ny <= GRID_MAX_CELLS && entries <= GRID_MAX_ENTRIES) || (g.nx == 1 && g.ny == 1))
			break;
		g.nx = (g.nx + 1) / 2;
		g.ny = (g.ny + 1) / 2;
	}
	size_t ncells = g.nx * g.ny;
	g.start = xcalloc(ncells + 1, sizeof *g.start);
	g.idx = xcalloc(entries ? entries : 1, sizeof *g.idx);
	g.keyed = xcalloc(set->n - npoly ? set->n - npoly : 1, sizeof *g.keyed);
	for (size_t i = 0; i < set->n; i++) {
		size_t sp[4];
		if (set->areas[i].kind != 'p') {
			g.keyed[g.nkeyed++] = i;
			continue;
		}
		grid_span(&g, &set->areas[i], sp);
		for (size_t y = sp[2]; y <= sp[3]; y++)
			for (size_t x = sp[0]; x <= sp[1]; x++)
				g.start[y * g.nx + x + 1]++;
	}
	for (size_t c = 0; c < ncells; c++)
		g.start[c + 1] += g.start[c];
	size_t *fill = xcalloc(ncells, sizeof *fill);
	for (size_t i = 0; i < set->n; i++) {
		size_t sp[4];
		if (set->areas[i].kind != 'p')
			continue;
		grid_span(&g, &set->areas[i], sp);
		for (size_t y = sp[2]; y <= sp[3]; y++)
			for (size_t x = sp[0]; x <= sp[1]; x++) {
				size_t c = y * g.nx + x;
				g.idx[g.start[c] + fill[c]++] = i;
			}
	}
	free(fill);
	set->grid = xmalloc(sizeof *set->grid);
	*set->grid = g;
}

area_set *area_set_from_defs(const area_def *defs, const long long *ids, size_t n, char *err, size_t errlen)
{
	area_set *set = xcalloc(1, sizeof *set);
	set->areas = xcalloc(n ? n : 1, sizeof *set->areas);
	for (size_t i = 0; i < n; i++) {
		area *a = &set->areas[set->n++];
		a->id = ids[i];
		char why[256] = "";
		if (compile_def(defs[i].kind, defs[i].definition, a, why, sizeof why) != 0) {
			snprintf(err, errlen, "area \"%s\": %s", defs[i].name, why);
			area_set_free(set);
			return NULL;
		}
	}
	grid_build(set);
	return set;
}

struct collect {
	area_def *defs;
	long long *ids;
	size_t n, alloc;
};

static int collect_area(void *ctx, const store_area *sa)
{
	struct collect *c = ctx;
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 8;
		c->defs = xrealloc(c->defs, c->alloc * sizeof *c->defs);
		c->ids = xrealloc(c->ids, c->alloc * sizeof *c->ids);
	}
	area_def *d = &c->defs[c->n];
	d->name = xstrdup(sa->name);
	d->kind = strcmp(sa->kind, "polygon") == 0 ? "polygon" : strcmp(sa->kind, "lsoa") == 0 ? "lsoa" : "value";
	d->definition = xstrdup(sa->definition);
	c->ids[c->n++] = sa->id;
	return 0;
}

area_set *area_set_from_store(store *s, char *err, size_t errlen)
{
	struct collect c = {0};
	if (store_areas_each(s, collect_area, &c) != 0) {
		snprintf(err, errlen, "reading areas: %s", store_errmsg(s));
		area_defs_free(c.defs, c.n);
		free(c.ids);
		return NULL;
	}
	area_set *set = area_set_from_defs(c.defs, c.ids, c.n, err, errlen);
	area_defs_free(c.defs, c.n);
	free(c.ids);
	return set;
}

static int area_hit(const area *a, int has_coords, double lon, double lat, const char *lsoa_code,
		    const char *area_value)
{
	int hit = 0;
	if (a->kind == 'p') {
		if (has_coords && lon >= a->minx - EDGE_EPS && lon <= a->maxx + EDGE_EPS && lat >= a->miny - EDGE_EPS &&
		    lat <= a->maxy + EDGE_EPS)
			for (size_t p = 0; p < a->npolys && !hit; p++)
				hit = polygon_contains(&a->polys[p], lon, lat);
	} else {
		const char *key = a->kind == 'l' ? lsoa_code : area_value;
		hit = key && *key && bsearch(&key, a->keys, a->nkeys, sizeof *a->keys, cmp_key) != NULL;
	}
	return hit;
}

size_t area_set_match(const area_set *set, int has_coords, double lon, double lat, const char *lsoa_code,
		      const char *area_value, long long *ids, size_t max)
{
	size_t found = 0;
	if (set && set->grid) {
		/* the point's cell and the keyed areas, merged back into set order */
		const area_grid *g = set->grid;
		const size_t *cell = NULL;
		size_t ncell = 0, i = 0, k = 0;
		if (has_coords && lon >= g->minx && lon <= g->maxx && lat >= g->miny && lat <= g->maxy) {
			size_t c = grid_cell(lat, g->miny, g->ch, g->ny) * g->nx + grid_cell(lon, g->minx, g->cw, g->nx);
			cell = g->idx + g->start[c];
			ncell = g->start[c + 1] - g->start[c];
		}
		while ((i < ncell || k < g->nkeyed) && found < max) {
			size_t next = k == g->nkeyed || (i < ncell && cell[i] < g->keyed[k]) ? cell[i++] : g->keyed[k++];
			const area *a = &set->areas[next];
			if (area_hit(a, has_coords, lon, lat, lsoa_code, area_value))
				ids[found++] = a->id;
		}
		return found;
	}
	for (size_t i = 0; set && i < set->n && found < max; i++) {
		const area *a = &set->areas[i];
		if (area_hit(a, has_coords, lon, lat, lsoa_code, area_value))
			ids[found++] = a->id;
	}
	return found;
}

void area_defs_free(area_def *defs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(defs[i].name);
		free(defs[i].definition);
	}
	free(defs);
}

/* Turns one named definition object (feature properties + geometry, or an
 * "areas" item) into D. */
static int def_from_json(const char *name, const cJSON *geometry, const cJSON *props, area_def *d, char *err,
			 size_t errlen)
{
	const cJSON *lsoa = cJSON_GetObjectItemCaseSensitive(props, "lsoa_codes");
	const cJSON *vals = cJSON_GetObjectItemCaseSensitive(props, "area_values");
	cJSON *def = NULL;
	int forms = (geometry && !cJSON_IsNull(geometry)) + (lsoa != NULL) + (vals != NULL);
	if (forms != 1) {
		snprintf(err, errlen, "area \"%s\" needs exactly one of a geometry, \"lsoa_codes\" or \"area_values\"",
			 name);
		return -1;
	}
	if (geometry && !cJSON_IsNull(geometry)) {
		d->kind = "polygon";
		def = cJSON_Duplicate(geometry, 1);
	} else {
		d->kind = lsoa ? "lsoa" : "value";
		def = cJSON_CreateObject();
		cJSON_AddItemToObject(def, lsoa ? "lsoa_codes" : "area_values", cJSON_Duplicate(lsoa ? lsoa : vals, 1));
	}
	d->definition = cJSON_PrintUnformatted(def);
	cJSON_Delete(def);
	if (!d->definition)
		abort();
	d->name = xstrdup(name);
	/* validate now so a bad file is refused before anything is stored */
	area a = {0};
	char why[256] = "";
	int rc = compile_def(d->kind, d->definition, &a, why, sizeof why);
	area_clear(&a);
	if (rc != 0)
		snprintf(err, errlen, "area \"%s\": %s", name, why);
	return rc;
}

int area_file_parse(const char *path, const char *text, area_def **defs_out, size_t *n_out, char *err, size_t errlen)
{
	const char *ep = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &ep, 0);
	if (!root) {
		long line = 1;
		for (const char *p = text; ep && p < ep; p++)
			line += *p == '\n';
		snprintf(err, errlen, "%s:%ld: not valid JSON", path, line);
		return -1;
	}
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "features");
	int geojson = list != NULL;
	if (!geojson)
		list = cJSON_GetObjectItemCaseSensitive(root, "areas");
	if (!cJSON_IsArray(list)) {
		snprintf(err, errlen, "%s: expected a GeoJSON FeatureCollection or an object with an \"areas\" array",
			 path);
		cJSON_Delete(root);
		return -1;
	}
	size_t cap = (size_t)cJSON_GetArraySize(list), n = 0;
	area_def *defs = xcalloc(cap ? cap : 1, sizeof *defs);
	const cJSON *item;
	int idx = 0, rc = 0;
	cJSON_ArrayForEach(item, list)
	{
		idx++;
		const cJSON *props = geojson ? cJSON_GetObjectItemCaseSensitive(item, "properties") : item;
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(props, "name");
		if (!cJSON_IsString(name) || !*name->valuestring) {
			snprintf(err, errlen, "%s: %s %d has no \"name\"", path, geojson ? "feature" : "area", idx);
			rc = -1;
			break;
		}
		for (size_t k = 0; k < n; k++)
			if (strcmp(defs[k].name, name->valuestring) == 0) {
				snprintf(err, errlen, "%s: area \"%s\" is defined twice", path, name->valuestring);
				rc = -1;
			}
		if (rc)
			break;
		char why[400] = "";
		const cJSON *geom = cJSON_GetObjectItemCaseSensitive(item, "geometry");
		if (def_from_json(name->valuestring, geom, props, &defs[n], why, sizeof why) != 0) {
			n++;
			snprintf(err, errlen, "%s: %s", path, why);
			rc = -1;
			break;
		}
		n++;
	}
	cJSON_Delete(root);
	if (rc == 0 && n == 0) {
		snprintf(err, errlen, "%s: defines no areas", path);
		rc = -1;
	}
	if (rc != 0) {
		area_defs_free(defs, n);
		return -1;
	}
	*defs_out = defs;
	*n_out = n;
	return 0;
}

struct assign {
	store *s;
	const area_set *set;
	long long *ids;
	size_t max;
	int failed;
};

static int assign_one(void *ctx, const store_crime_loc *c)
{
	struct assign *a = ctx;
	size_t k = area_set_match(a->set, c->has_coords, c->lon, c->lat, c->lsoa_code, c->area_value, a->ids, a->max);
	for (size_t i = 0; i < k; i++)
		if (store_crime_area_add(a->s, c->id, a->ids[i]) != 0) {
			a->failed = 1;
			return 1;
		}
	return 0;
}

struct one_area {
	const area_set *set;
	long long id;
};

static int in_one_area(void *ctx, double lon, double lat)
{
	const struct one_area *oa = ctx;
	for (size_t i = 0; i < oa->set->n; i++)
		if (oa->set->areas[i].id == oa->id) {
			area_set one = {&oa->set->areas[i], 1, NULL};
			long long hit;
			return area_set_match(&one, 1, lon, lat, NULL, NULL, &hit, 1) == 1;
		}
	return 0;
}

int area_load_file(store *s, const char *path, size_t *loaded, char *err, size_t errlen)
{
	char *text = ct_read_file(path, err, errlen);
	if (!text)
		return -1;
	area_def *defs = NULL;
	size_t n = 0;
	int rc = area_file_parse(path, text, &defs, &n, err, errlen);
	free(text);
	if (rc != 0)
		return -1;
	long long *ids = xcalloc(n, sizeof *ids);
	area_set *set = NULL;
	if (store_begin(s) != 0)
		goto db_error;
	for (size_t i = 0; i < n; i++)
		if (store_area_put(s, defs[i].name, defs[i].kind, defs[i].definition, path, &ids[i]) != 0)
			goto db_error;
	set = area_set_from_defs(defs, ids, n, err, errlen);
	if (!set)
		goto fail;
	struct assign a = {s, set, xcalloc(n, sizeof(long long)), n, 0};
	rc = store_crime_locs_each(s, assign_one, &a);
	free(a.ids);
	if (rc != 0 || a.failed)
		goto db_error;
	for (size_t i = 0; i < n; i++) {
		struct one_area oa = {set, ids[i]};
		if (store_cube_rebuild_area(s, ids[i]) != 0 || store_fm_assign_area(s, ids[i], in_one_area, &oa) != 0)
			goto db_error;
	}
	if (store_commit(s) != 0)
		goto db_error;
	*loaded = n;
	area_set_free(set);
	area_defs_free(defs, n);
	free(ids);
	return 0;
db_error:
	snprintf(err, errlen, "%s: database error: %s", path, store_errmsg(s));
fail:
	store_rollback(s);
	area_set_free(set);
	area_defs_free(defs, n);
	free(ids);
	return -1;
}

/* ---- distances ---- */

static const area *area_by_id(const area_set *set, long long id)
{
	for (size_t i = 0; set && i < set->n; i++)
		if (set->areas[i].id == id)
			return &set->areas[i];
	return NULL;
}

/* Metres per degree of longitude and latitude at the centre of A's box:
 * the WGS84 ellipsoid's radii of curvature there (prime vertical, scaled by
 * the cosine of the latitude, and meridian). */
static void area_scale(const area *a, double *cx, double *cy, double *kx, double *ky)
{
	const double semi = 6378137.0, e2 = 6.69437999014e-3, rad = M_PI / 180.0;
	*cx = (a->minx + a->maxx) / 2;
	*cy = (a->miny + a->maxy) / 2;
	double s = sin(*cy * rad), w = 1 - e2 * s * s;
	*kx = semi / sqrt(w) * cos(*cy * rad) * rad;
	*ky = semi * (1 - e2) / (w * sqrt(w)) * rad;
}

double area_set_distance_m(const area_set *set, long long id, double lon, double lat)
{
	const area *a = area_by_id(set, id);
	if (!a || a->kind != 'p')
		return -1;
	for (size_t p = 0; p < a->npolys; p++)
		if (polygon_contains(&a->polys[p], lon, lat))
			return 0;
	double cx, cy, kx, ky, best = INFINITY;
	area_scale(a, &cx, &cy, &kx, &ky);
	double px = (lon - cx) * kx, py = (lat - cy) * ky;
	for (size_t p = 0; p < a->npolys; p++)
		for (size_t r = 0; r < a->polys[p].nrings; r++) {
			const ring *rg = &a->polys[p].rings[r];
			for (size_t i = 0, j = rg->n - 1; i < rg->n; j = i++)
				best = fmin(best, seg_dist2(px, py, (rg->xy[2 * i] - cx) * kx, (rg->xy[2 * i + 1] - cy) * ky,
							    (rg->xy[2 * j] - cx) * kx, (rg->xy[2 * j + 1] - cy) * ky));
		}
	return sqrt(best);
}

int area_set_box_m(const area_set *set, long long id, double metres, double box[4])
{
	const area *a = area_by_id(set, id);
	if (!a || a->kind != 'p')
		return -1;
	double cx, cy, kx, ky;
	area_scale(a, &cx, &cy, &kx, &ky);
	double b[4] = {a->minx - metres / kx, a->miny - metres / ky, a->maxx + metres / kx, a->maxy + metres / ky};
	if (box[0] > box[2]) {
		memcpy(box, b, sizeof b);
		return 0;
	}
	box[0] = fmin(box[0], b[0]);
	box[1] = fmin(box[1], b[1]);
	box[2] = fmax(box[2], b[2]);
	box[3] = fmax(box[3], b[3]);
	return 0;
}
