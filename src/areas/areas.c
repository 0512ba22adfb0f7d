/* Area definitions and point-in-polygon.  Polygons are tested against their
 * bounding box first (found through a grid when there are many); edges and
 * vertices count as inside, holes as outside. */
#include "areas/areas.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "areas/crs.h"
#include "areas/shapefile.h"
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

/* ---- reading boundary files as published ---- */

static void note(const area_load_opts *o, int warning, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(const area_load_opts *o, int warning, const char *fmt, ...)
{
	if (!o || !o->note)
		return;
	va_list ap;
	va_start(ap, fmt);
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	o->note(o->note_ctx, warning, msg);
}

/* A list of strings with a flag each (found, used). */
typedef struct strlist {
	char **v;
	unsigned char *flag;
	size_t n, alloc;
} strlist;

static void strlist_add(strlist *l, char *s)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 8;
		l->v = xrealloc(l->v, l->alloc * sizeof *l->v);
		l->flag = xrealloc(l->flag, l->alloc);
	}
	l->flag[l->n] = 0;
	l->v[l->n++] = s;
}

static void strlist_free(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->flag);
}

static ssize_t strlist_find(const strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return (ssize_t)i;
	return -1;
}

/* S without surrounding spaces, as a new string. */
static char *trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return xstrndup(s, n);
}

/* --only items, each split at commas. */
static void only_list(const area_load_opts *o, strlist *only)
{
	for (size_t i = 0; o && i < o->nonly; i++)
		for (const char *p = o->only[i]; *p;) {
			size_t k = strcspn(p, ",");
			char *name = trimmed(p, k);
			if (*name && strlist_find(only, name) < 0)
				strlist_add(only, name);
			else
				free(name);
			p += k + (p[k] == ',');
		}
}

/* Adds "FROM=TO" to FROM and TO; WHERE names it in messages. */
static int rename_add(strlist *from, strlist *to, const char *item, const char *where, char *err, size_t errlen)
{
	const char *eq = strchr(item, '=');
	if (!eq) {
		snprintf(err, errlen, "%s: \"%s\" is not NAME IN FILE=NEW NAME", where, item);
		return -1;
	}
	char *a = trimmed(item, (size_t)(eq - item)), *b = trimmed(eq + 1, strlen(eq + 1));
	if (!*a || !*b) {
		snprintf(err, errlen, "%s: \"%s\" has an empty name", where, item);
		free(a);
		free(b);
		return -1;
	}
	if (strlist_find(from, a) >= 0) {
		snprintf(err, errlen, "%s: \"%s\" is renamed twice", where, a);
		free(a);
		free(b);
		return -1;
	}
	strlist_add(from, a);
	strlist_add(to, b);
	return 0;
}

static ct_status rename_list(const area_load_opts *o, strlist *from, strlist *to, char *err, size_t errlen)
{
	for (size_t i = 0; o && i < o->nrename; i++)
		if (rename_add(from, to, o->rename[i], "--rename", err, errlen) != 0)
			return CT_EDATA;
	if (!o || !o->rename_file)
		return CT_OK;
	char *text = ct_read_file(o->rename_file, err, errlen);
	if (!text)
		return CT_EIO;
	ct_status st = CT_OK;
	long line = 0;
	for (char *p = text; *p && st == CT_OK;) {
		size_t k = strcspn(p, "\n");
		char *l = trimmed(p, k);
		line++;
		if (*l && *l != '#') {
			char where[512];
			snprintf(where, sizeof where, "%s:%ld", o->rename_file, line);
			if (!ct_utf8_valid(l, strlen(l))) {
				snprintf(err, errlen, "%s: not valid UTF-8", where);
				st = CT_EDATA;
			} else if (rename_add(from, to, l, where, err, errlen) != 0) {
				st = CT_EDATA;
			}
		}
		free(l);
		p += k + (p[k] == '\n');
	}
	free(text);
	return st;
}

/* "A, B, C" (or "none") into BUF: the keys of PROPS, for messages. */
static void props_keys(const cJSON *props, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	const cJSON *it;
	int n = 0;
	cJSON_ArrayForEach(it, props)
	{
		if (!it->string)
			continue;
		int k = snprintf(buf + used, len - used, "%s%s", n++ ? ", " : "", it->string);
		if (k < 0 || (size_t)k >= len - used) {
			if (len > 4)
				snprintf(buf + len - 4, 4, "...");
			return;
		}
		used += (size_t)k;
	}
	if (!n)
		snprintf(buf, len, "none");
}

/* A property name ONS or a council would name areas by: name, *NM (WD13NM,
 * LAD23NM), *name (WARD_NAME). */
static int name_like(const char *k)
{
	size_t n = strlen(k);
	return (n >= 2 && strcasecmp(k + n - 2, "nm") == 0) || (n >= 4 && strcasecmp(k + n - 4, "name") == 0);
}

/* The property naming the areas: chosen, "name", or the one name-like
 * property of the first item.  NULL with err set. */
static const char *pick_name_field(const char *path, const cJSON *list, int geojson, const area_load_opts *o,
				   char *err, size_t errlen)
{
	if (o && o->name_field)
		return o->name_field;
	const cJSON *first = cJSON_GetArrayItem(list, 0);
	const cJSON *props = geojson ? cJSON_GetObjectItemCaseSensitive(first, "properties") : first;
	if (!props || cJSON_GetObjectItemCaseSensitive(props, "name"))
		return "name";
	const char *pick = NULL;
	int n = 0;
	char cands[512] = "";
	const cJSON *it;
	cJSON_ArrayForEach(it, props)
	{
		if (!it->string || !name_like(it->string) || !(cJSON_IsString(it) || cJSON_IsNumber(it)))
			continue;
		size_t used = strlen(cands);
		snprintf(cands + used, sizeof cands - used, "%s%s", n ? ", " : "", it->string);
		pick = it->string;
		n++;
	}
	if (n == 1) {
		note(o, 0, "%s: areas named by property \"%s\" (the file has no \"name\"; --name-field chooses another)",
		     path, pick);
		return pick;
	}
	if (n > 1) {
		snprintf(err, errlen, "%s: %s 1 has no \"name\" and several properties could name the areas (%s): give "
			 "--name-field", path, geojson ? "feature" : "area", cands);
		return NULL;
	}
	return "name"; /* the per-item check below says what there is */
}

/* The CRS a GeoJSON crs member names, as PROJ reads it (caller frees);
 * NULL with *bad set when it names none crimetab can use. */
static char *crs_member(const cJSON *crs, int *bad)
{
	*bad = 0;
	if (!crs || cJSON_IsNull(crs))
		return NULL;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(crs, "type");
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(crs, "properties");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(props, "name");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(props, "code");
	if (cJSON_IsString(type) && strcmp(type->valuestring, "name") == 0 && cJSON_IsString(name))
		return xstrdup(name->valuestring);
	/* the 2008 GeoJSON draft's {"type": "EPSG", "properties": {"code": 27700}} */
	if (cJSON_IsString(type) && strcasecmp(type->valuestring, "EPSG") == 0 && cJSON_IsNumber(code))
		return xasprintf("EPSG:%d", code->valueint);
	*bad = 1;
	return NULL;
}

/* Every [x, y] position of a Polygon or MultiPolygon's coordinates. */
typedef struct positions {
	cJSON **x, **y;
	size_t n, alloc;
} positions;

static void collect_positions(cJSON *coords, positions *p)
{
	cJSON *first = cJSON_GetArrayItem(coords, 0);
	if (cJSON_IsNumber(first)) {
		cJSON *y = cJSON_GetArrayItem(coords, 1);
		if (!cJSON_IsNumber(y))
			return;
		if (p->n == p->alloc) {
			p->alloc = p->alloc ? 2 * p->alloc : 64;
			p->x = xrealloc(p->x, p->alloc * sizeof(cJSON *));
			p->y = xrealloc(p->y, p->alloc * sizeof(cJSON *));
		}
		p->x[p->n] = first;
		p->y[p->n++] = y;
		return;
	}
	cJSON *it;
	cJSON_ArrayForEach(it, coords)
	{
		if (cJSON_IsArray(it))
			collect_positions(it, p);
	}
}

/* Brings GEOM (owned by the caller) into longitude/latitude: converted from
 * CRS, or checked to be plausible when the file's CRS is longitude/latitude
 * or unknown (CRS NULL).  -1 with err set. */
static int geometry_to_lonlat(cJSON *geom, area_crs *crs, int crs_named, char *err, size_t errlen)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(geom, "type");
	cJSON *coords = cJSON_GetObjectItemCaseSensitive(geom, "coordinates");
	if (!cJSON_IsString(type) || !cJSON_IsArray(coords) ||
	    (strcmp(type->valuestring, "Polygon") != 0 && strcmp(type->valuestring, "MultiPolygon") != 0))
		return 0; /* compiling it says what is wrong */
	positions p = {0};
	collect_positions(coords, &p);
	int rc = 0;
	if (crs && !area_crs_is_lonlat(crs)) {
		double *xy = xmalloc(2 * (p.n ? p.n : 1) * sizeof *xy);
		for (size_t i = 0; i < p.n; i++)
			xy[2 * i] = p.x[i]->valuedouble, xy[2 * i + 1] = p.y[i]->valuedouble;
		size_t bad = 0;
		char why[300];
		if (area_crs_to_lonlat(crs, xy, p.n, &bad, why, sizeof why) != 0) {
			snprintf(err, errlen, "position %zu: %s", bad + 1, why);
			rc = -1;
		} else {
			for (size_t i = 0; i < p.n; i++) {
				cJSON_SetNumberValue(p.x[i], xy[2 * i]);
				cJSON_SetNumberValue(p.y[i], xy[2 * i + 1]);
			}
		}
		free(xy);
	} else {
		for (size_t i = 0; i < p.n && !rc; i++) {
			double x = p.x[i]->valuedouble, y = p.y[i]->valuedouble;
			if (isfinite(x) && isfinite(y) && fabs(x) <= 180 && fabs(y) <= 90)
				continue;
			int bng = x >= 0 && x <= 700000 && y >= 0 && y <= 1300000;
			int k = snprintf(err, errlen, "position %zu is not [longitude, latitude]: [%.10g, %.10g]; ", i + 1, x, y);
			if (k < 0 || (size_t)k >= errlen)
				k = 0;
			if (crs_named)
				snprintf(err + k, errlen - (size_t)k, "the file says its coordinates are %s, but%s give --crs "
					 "with their coordinate system, such as EPSG:27700 for British National Grid",
					 area_crs_name(crs), bng ? " these look like British National Grid eastings and "
					 "northings in metres:" : " they are not:");
			else
				snprintf(err + k, errlen - (size_t)k, "the file names no coordinate system%s give --crs %s",
					 bng ? ", and these look like British National Grid eastings and northings in metres:"
					     : ":",
					 bng ? "EPSG:27700" : "with it, such as EPSG:27700 for British National Grid");
			rc = -1;
		}
	}
	free(p.x);
	free(p.y);
	return rc;
}

/* A property value as an area name (caller frees), or NULL. */
static char *name_value(const cJSON *v)
{
	if (cJSON_IsString(v) && *v->valuestring)
		return xstrdup(v->valuestring);
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
		return xasprintf("%.15g", v->valuedouble);
	return NULL;
}

/* The CRS in effect: --crs, else the file's; NULL (and CT_OK) when neither
 * names one. */
static ct_status open_crs(const char *path, const char *file_crs, const area_load_opts *o, area_crs **out,
			  char *err, size_t errlen)
{
	*out = NULL;
	const char *def = o && o->crs ? o->crs : file_crs;
	if (!def)
		return CT_OK;
	char why[300];
	area_crs *c = area_crs_open(def, why, sizeof why);
	if (!c) {
		if (o && o->crs)
			snprintf(err, errlen, "%s: --crs \"%s\": %s", path, def, why);
		else
			snprintf(err, errlen, "%s: the file's coordinate system \"%.200s\": %s; give --crs", path, def, why);
		return CT_EDATA;
	}
	if (o && o->crs && file_crs) {
		area_crs *f = area_crs_open(file_crs, why, sizeof why);
		if (!f || !area_crs_same(c, f))
			note(o, 1, "%s: the file says its coordinates are %s; read as %s, as --crs says", path,
			     f ? area_crs_name(f) : "in an unknown coordinate system", area_crs_name(c));
		area_crs_free(f);
	} else if (!area_crs_is_lonlat(c)) {
		note(o, 0, "%s: coordinates converted from %s to WGS84 longitude/latitude", path, area_crs_name(c));
	}
	*out = c;
	return CT_OK;
}

/* Definitions from a parsed file: LIST is its features (GEOJSON) or areas
 * array; FILE_CRS the CRS it names (NULL: none). */
static ct_status defs_from_list(const char *path, const cJSON *list, int geojson, const char *file_crs,
				const area_load_opts *o, area_def **defs_out, size_t *n_out, char *err, size_t errlen)
{
	strlist only = {0}, from = {0}, to = {0};
	strbuf names = {0}; /* the file's names, for messages */
	area_crs *crs = NULL;
	size_t cap = (size_t)cJSON_GetArraySize(list), n = 0;
	area_def *defs = xcalloc(cap ? cap : 1, sizeof *defs);
	ct_status st = rename_list(o, &from, &to, err, errlen);
	if (st != CT_OK) {
		/* messages about the rename file name it; --rename's get the areas file */
		if (st == CT_EDATA && strncmp(err, "--rename", 8) == 0) {
			char why[600];
			snprintf(why, sizeof why, "%s", err);
			snprintf(err, errlen, "%s: %s", path, why);
		}
		goto done;
	}
	only_list(o, &only);
	st = CT_EDATA;
	const char *field = cap ? pick_name_field(path, list, geojson, o, err, errlen) : "name";
	if (!field)
		goto done;
	const cJSON *item;
	int idx = 0, crs_open = 0; /* opened at the first geometry: PROJ takes a while to start */
	cJSON_ArrayForEach(item, list)
	{
		idx++;
		const cJSON *props = geojson ? cJSON_GetObjectItemCaseSensitive(item, "properties") : item;
		const cJSON *nv = cJSON_GetObjectItemCaseSensitive(props, field);
		char *name = name_value(nv);
		if (!name) {
			char keys[300];
			props_keys(props, keys, sizeof keys);
			snprintf(err, errlen, "%s: %s %d has %s \"%s\" (its properties: %s)%s", path,
				 geojson ? "feature" : "area", idx, nv ? "an empty" : "no", field, keys,
				 o && o->name_field ? "" : "; give --name-field with the one that names the areas");
			goto done;
		}
		if (names.len < 300)
			sb_printf(&names, "%s\"%s\"", names.len ? ", " : "", name);
		ssize_t k = strlist_find(&only, name);
		if (k >= 0)
			only.flag[k] = 1;
		ssize_t r = strlist_find(&from, name);
		if (r >= 0)
			from.flag[r] = 1;
		if (only.n && k < 0) {
			free(name);
			continue;
		}
		if (r >= 0) {
			free(name);
			name = xstrdup(to.v[r]);
		}
		for (size_t d = 0; d < n; d++)
			if (strcmp(defs[d].name, name) == 0) {
				snprintf(err, errlen, "%s: area \"%s\" is defined twice%s", path, name,
					 strcmp(field, "name") ? " (a code property names areas uniquely: --name-field)" : "");
				free(name);
				goto done;
			}
		cJSON *geom = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item, "geometry"), 1);
		if (geom && !cJSON_IsNull(geom) && !crs_open++ && open_crs(path, file_crs, o, &crs, err, errlen) != CT_OK) {
			cJSON_Delete(geom);
			free(name);
			goto done;
		}
		char why[600] = "";
		int rc = geom && !cJSON_IsNull(geom) ? geometry_to_lonlat(geom, crs, file_crs != NULL || (o && o->crs), why,
									  sizeof why)
						      : 0;
		if (rc != 0)
			snprintf(err, errlen, "%s: area \"%s\": %s", path, name, why);
		else if (def_from_json(name, geom, props, &defs[n], why, sizeof why) != 0) {
			n++;
			snprintf(err, errlen, "%s: %s", path, why);
			rc = -1;
		} else
			n++;
		cJSON_Delete(geom);
		free(name);
		if (rc != 0)
			goto done;
	}
	for (size_t i = 0; i < only.n; i++)
		if (!only.flag[i]) {
			snprintf(err, errlen, "%s: --only: no %s named \"%s\" (by property \"%s\"; the file has %s%s)", path,
				 geojson ? "feature" : "area", only.v[i], field, names.buf, names.len >= 300 ? ", ..." : "");
			goto done;
		}
	for (size_t i = 0; i < from.n; i++)
		if (!from.flag[i]) {
			snprintf(err, errlen, "%s: --rename: no %s named \"%s\" (by property \"%s\"; the file has %s%s)",
				 path, geojson ? "feature" : "area", from.v[i], field, names.buf,
				 names.len >= 300 ? ", ..." : "");
			goto done;
		}
	if (n == 0) {
		snprintf(err, errlen, "%s: defines no areas", path);
		goto done;
	}
	*defs_out = defs;
	*n_out = n;
	defs = NULL;
	st = CT_OK;
done:
	area_crs_free(crs);
	if (defs)
		area_defs_free(defs, n);
	strlist_free(&only);
	strlist_free(&from);
	strlist_free(&to);
	sb_release(&names);
	return st;
}

int area_file_parse_opts(const char *path, const char *text, const area_load_opts *o, area_def **defs_out,
			 size_t *n_out, char *err, size_t errlen)
{
	const char *ep = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &ep, 0);
	if (!root) {
		snprintf(err, errlen, "%s:%ld: not valid JSON", path, ct_line_at(text, ep));
		return CT_EDATA;
	}
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "features");
	int geojson = list != NULL;
	if (!geojson)
		list = cJSON_GetObjectItemCaseSensitive(root, "areas");
	if (!cJSON_IsArray(list)) {
		snprintf(err, errlen, "%s: expected a GeoJSON FeatureCollection or an object with an \"areas\" array",
			 path);
		cJSON_Delete(root);
		return CT_EDATA;
	}
	int bad = 0;
	char *crs = crs_member(cJSON_GetObjectItemCaseSensitive(root, "crs"), &bad);
	ct_status st;
	if (bad && !(o && o->crs)) {
		snprintf(err, errlen, "%s: its \"crs\" member names no coordinate system crimetab can read: give --crs",
			 path);
		st = CT_EDATA;
	} else {
		st = defs_from_list(path, list, geojson, crs, o, defs_out, n_out, err, errlen);
	}
	free(crs);
	cJSON_Delete(root);
	return st;
}

int area_file_parse(const char *path, const char *text, area_def **defs_out, size_t *n_out, char *err, size_t errlen)
{
	return area_file_parse_opts(path, text, NULL, defs_out, n_out, err, errlen) == CT_OK ? 0 : -1;
}

struct assign {
	store *s;
	const area_set *set;
	long long *ids;
	size_t max;
	store_crime_area *pairs; /* found, not yet stored */
	size_t npairs, cap;
	int failed;
};

/* Stores the pairs found so far, many to a statement. */
static int assign_flush(struct assign *a)
{
	int rc = store_crime_areas_add(a->s, a->pairs, a->npairs);
	a->npairs = 0;
	return rc;
}

static int assign_one(void *ctx, const store_crime_loc *c)
{
	struct assign *a = ctx;
	size_t k = area_set_match(a->set, c->has_coords, c->lon, c->lat, c->lsoa_code, c->area_value, a->ids, a->max);
	if (a->npairs + k > a->cap) {
		a->cap = 2 * (a->npairs + k) + 1024;
		a->pairs = xrealloc(a->pairs, a->cap * sizeof *a->pairs);
	}
	for (size_t i = 0; i < k; i++)
		a->pairs[a->npairs++] = (store_crime_area){c->id, a->ids[i]};
	if (a->npairs >= 4096 && assign_flush(a) != 0) {
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

/* ---- LSOA codes police.uk stopped using in 2023 ---- */

/* police.uk's last month of 2011 LSOA codes (2023-05): from 2023-06 every
 * file uses 2021 codes. */
#define LSOA_2011_LAST CT_MONTH(2023, 5)

typedef struct seen_code {
	char *code, *name;
	int last;
} seen_code;

struct seen_list {
	seen_code *v;
	size_t n, alloc;
};

static int collect_seen(void *ctx, const char *code, const char *name, int first, int last)
{
	(void)first;
	struct seen_list *l = ctx;
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 8;
		l->v = xrealloc(l->v, l->alloc * sizeof *l->v);
	}
	l->v[l->n++] = (seen_code){xstrdup(code), xstrdup(name ? name : ""), last};
	return 0;
}

struct successors {
	const area *listed; /* the area's own codes */
	int taken;          /* a listed code took over */
	strbuf names;
	int shown;
};

static int collect_successor(void *ctx, const char *code, const char *name, long long n)
{
	struct successors *sc = ctx;
	if (bsearch(&code, sc->listed->keys, sc->listed->nkeys, sizeof *sc->listed->keys, cmp_key)) {
		sc->taken = 1;
		return 1;
	}
	if (sc->shown++ < 5)
		sb_printf(&sc->names, "%s%s (%s, %lld crime%s)", sc->shown > 1 ? ", " : "", code, name ? name : "", n,
			  n == 1 ? "" : "s");
	return 0;
}

/* Warns about the listed codes of LSOA area NAME that police.uk retired. */
static int vintage_check_area(store *s, const char *name, const char *definition, int latest,
			      void (*note_fn)(void *ctx, int warning, const char *msg), void *ctx, char *err,
			      size_t errlen)
{
	area a = {0};
	char why[256];
	if (compile_def("lsoa", definition, &a, why, sizeof why) != 0) {
		area_clear(&a);
		return 0; /* not a list: nothing to check */
	}
	cJSON *codes = cJSON_CreateStringArray((const char *const *)a.keys, (int)a.nkeys);
	char *json = cJSON_PrintUnformatted(codes);
	cJSON_Delete(codes);
	struct seen_list seen = {0};
	int rc = store_lsoa_seen(s, json, collect_seen, &seen);
	free(json);
	if (rc != 0)
		snprintf(err, errlen, "checking the LSOA codes of area \"%s\": %s", name, store_errmsg(s));
	for (size_t i = 0; rc == 0 && i < seen.n; i++) {
		const seen_code *c = &seen.v[i];
		if (c->last > LSOA_2011_LAST || latest <= LSOA_2011_LAST)
			continue;
		struct successors sc = {.listed = &a};
		if (store_lsoa_after(s, c->code, LSOA_2011_LAST, collect_successor, &sc) != 0) {
			snprintf(err, errlen, "checking the LSOA codes of area \"%s\": %s", name, store_errmsg(s));
			rc = -1;
		} else if (!sc.taken && note_fn) {
			char last[8], msg[1400];
			ct_month_format(c->last, last);
			if (sc.shown)
				snprintf(msg, sizeof msg,
					 "area \"%s\": LSOA %s (%s) is in no crime after %s: police.uk moved to 2021 LSOA codes "
					 "in 2023-06, and the crimes at its map points since carry %s%s, which the area does "
					 "not list; list them too, or the area shrinks from 2023-06",
					 name, c->code, c->name, last, sc.names.buf, sc.shown > 5 ? " and others" : "");
			else
				snprintf(msg, sizeof msg,
					 "area \"%s\": LSOA %s (%s) is in no crime after %s: police.uk moved to 2021 LSOA codes "
					 "in 2023-06, and no code the area lists took its place; list its 2021 code(s), or the "
					 "area shrinks from 2023-06",
					 name, c->code, c->name, last);
			note_fn(ctx, 1, msg);
		}
		sb_release(&sc.names);
	}
	for (size_t i = 0; i < seen.n; i++) {
		free(seen.v[i].code);
		free(seen.v[i].name);
	}
	free(seen.v);
	area_clear(&a);
	return rc;
}

static int collect_lsoa_area(void *ctx, const store_area *sa)
{
	return strcmp(sa->kind, "lsoa") == 0 ? collect_area(ctx, sa) : 0;
}

int area_lsoa_vintage_check(store *s, void (*note_fn)(void *ctx, int warning, const char *msg), void *ctx, char *err,
			    size_t errlen)
{
	struct collect c = {0};
	int rc = store_areas_each(s, collect_lsoa_area, &c);
	if (rc != 0)
		snprintf(err, errlen, "reading areas: %s", store_errmsg(s));
	int latest = c.n && rc == 0 ? store_crimes_latest_month(s) : -1;
	if (latest == -2) {
		snprintf(err, errlen, "reading the latest month: %s", store_errmsg(s));
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < c.n; i++)
		rc = vintage_check_area(s, c.defs[i].name, c.defs[i].definition, latest, note_fn, ctx, err, errlen);
	area_defs_free(c.defs, c.n);
	free(c.ids);
	return rc;
}

/* ---- loading ---- */

int area_file_read(const char *path, const area_load_opts *o, area_def **defs, size_t *n, char *err, size_t errlen)
{
	if (area_is_shapefile(path)) {
		cJSON *fc = NULL;
		char *prj = NULL;
		ct_status st = area_shapefile_read(path, &fc, &prj, err, errlen);
		if (st == CT_OK)
			st = defs_from_list(path, cJSON_GetObjectItemCaseSensitive(fc, "features"), 1, prj, o, defs, n, err,
					    errlen);
		cJSON_Delete(fc);
		free(prj);
		return st;
	}
	char *text = ct_read_file(path, err, errlen);
	if (!text)
		return CT_EIO;
	ct_status st = area_file_parse_opts(path, text, o, defs, n, err, errlen);
	free(text);
	return st;
}

int area_load_file(store *s, const char *path, size_t *loaded, char *err, size_t errlen)
{
	return area_load_file_opts(s, path, NULL, loaded, err, errlen) == CT_OK ? 0 : -1;
}

/* Stores DEFS (N of them, read from PATH) and assigns the crimes held to
 * them, in one transaction; frees DEFS.  A ct_status with err set. */
static ct_status load_defs(store *s, const char *path, const area_load_opts *o, area_def *defs, size_t n,
			   size_t *loaded, char *err, size_t errlen)
{
	ct_status st = CT_EDATA;
	long long *ids = xcalloc(n, sizeof *ids);
	area_set *set = NULL;
	int rc;
	if (store_begin(s) != 0)
		goto db_error;
	for (size_t i = 0; i < n; i++)
		if (store_area_put(s, defs[i].name, defs[i].kind, defs[i].definition, path, &ids[i]) != 0)
			goto db_error;
	set = area_set_from_defs(defs, ids, n, err, errlen);
	if (!set) {
		st = CT_EDATA;
		goto fail;
	}
	struct assign a = {.s = s, .set = set, .ids = xcalloc(n, sizeof(long long)), .max = n};
	rc = store_crime_locs_each(s, assign_one, &a);
	if (rc == 0 && !a.failed && assign_flush(&a) != 0)
		a.failed = 1;
	free(a.ids);
	free(a.pairs);
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
	int latest = store_crimes_latest_month(s);
	for (size_t i = 0; i < n && latest > LSOA_2011_LAST; i++)
		if (strcmp(defs[i].kind, "lsoa") == 0 &&
		    vintage_check_area(s, defs[i].name, defs[i].definition, latest, o ? o->note : NULL,
				       o ? o->note_ctx : NULL, err, errlen) != 0) {
			/* the areas are loaded; only the check could not run */
			note(o, 1, "%s: %s", path, err);
			break;
		}
	area_set_free(set);
	area_defs_free(defs, n);
	free(ids);
	return CT_OK;
db_error:
	snprintf(err, errlen, "%s: database error: %s", path, store_errmsg(s));
	st = store_status(s);
fail:
	store_rollback(s);
	area_set_free(set);
	area_defs_free(defs, n);
	free(ids);
	return st;
}

int area_load_file_opts(store *s, const char *path, const area_load_opts *o, size_t *loaded, char *err,
			size_t errlen)
{
	area_def *defs = NULL;
	size_t n = 0;
	ct_status st = area_file_read(path, o, &defs, &n, err, errlen);
	if (st != CT_OK)
		return st;
	return load_defs(s, path, o, defs, n, loaded, err, errlen);
}

ct_status area_load_text(store *s, const char *path, const char *text, const area_load_opts *o, size_t *loaded,
			 char *err, size_t errlen)
{
	area_def *defs = NULL;
	size_t n = 0;
	ct_status st = area_file_parse_opts(path, text, o, &defs, &n, err, errlen);
	if (st != CT_OK)
		return st;
	return load_defs(s, path, o, defs, n, loaded, err, errlen);
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
