/* Reference face-match plugin: groups face embeddings read from JSON Lines
 * into pseudonymous individuals by cosine similarity, optionally naming
 * those that match a watchlist gallery.  Built against the public ABI only.
 *
 * Config (key=value, separated by ';' or newlines):
 *   sightings=PATH   required; one JSON object per line:
 *                    {"id":"s1","time":"2024-10-03T14:22:05Z","lon":-1.3125,
 *                     "lat":54.5655,"crime_id":"CR-1","embedding":[...]}
 *                    (lon/lat and crime_id optional; blank lines skipped)
 *   watchlist=PATH   optional; lines {"id":"W-0001","embedding":[...]}
 *   threshold=0.6    cosine similarity at or above which two faces are taken
 *                    to be the same person; default 0.6, range (0, 1]
 *   dim=512          embedding length; otherwise taken from the first line.
 *                    Every line of both files must match it
 *   threads=N        worker threads for the similarity pass; default the
 *                    online CPUs, at most 8
 *
 * Method.  Embeddings are L2-normalised, so a dot product is the cosine.
 * Each sighting is first compared with the watchlist: if its best gallery
 * similarity reaches the threshold, its key is that gallery id.  The other
 * sightings become the nodes of a graph with an edge wherever similarity
 * reaches the threshold, and each connected component (found with
 * union-find) is one individual.  That is single-linkage clustering, and it
 * chains: one blurred frame that resembles two people joins them, so with
 * noisy embeddings distinct-offender counts err low, never high.  Raise the
 * threshold if the gallery or the camera quality makes that likely.
 *
 * Cost.  The comparison is exact, all pairs: n^2/2 dot products of d
 * floats.  An LSH prefilter (random projections, then exact checks of the
 * candidates) would be sub-quadratic, but it can miss edges at random, which
 * changes counts between runs with different seeds; exact comparison keeps
 * results a pure function of the input.  To make exact affordable, tiles of
 * rows are compared so they stay in cache, a 2x2 micro-kernel reuses each
 * loaded vector twice, per-lane accumulators let the compiler vectorise
 * without reassociating float sums, and row blocks are shared among threads.
 * 10,000 x 512-d takes about a second on two cores; at ~100,000 sightings
 * the quadratic term wins and candidate generation would be the next step.
 *
 * Keys.  A watchlist match is keyed by the gallery id.  Anyone else is keyed
 * "ind-" + 16 hex digits of the 64-bit FNV-1a hash of the smallest (strcmp)
 * sighting id in the component: stable for the same input, independent of
 * thread count and file order, and carrying nothing about the face. */
#include <crimetab/facematch.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FME_NAME "facematch-embeddings"
#define FME_VERSION "1.0.0"
#define FME_DEFAULT_THRESHOLD 0.6
#define FME_MAX_DIM 8192
#define FME_MAX_THREADS 8
/* Floats summed side by side per pair; the stride is a multiple of it. */
#define FME_LANES 16
/* Rows per tile: 64 rows x 512 floats x 2 tiles stay within L2. */
#define FME_BLOCK 64
/* "ind-" + 16 hex digits + NUL. */
#define FME_KEY_LEN 21
/* Below this many rows a second thread costs more than it saves. */
#define FME_THREAD_MIN_ROWS 512

typedef struct fme_rec {
	char *id;
	char *crime_id; /* or NULL */
	int64_t time;
	int has_coords;
	double lon, lat;
	long line;
} fme_rec;

/* One input file: records plus their normalised embeddings, one row each,
 * zero-padded to STRIDE floats, with a zeroed spare row so the 2x2 kernel
 * can always take rows in pairs. */
typedef struct fme_set {
	const char *path;
	fme_rec *recs;
	size_t n, cap;
	float *emb; /* (cap + 1) x stride */
} fme_set;

struct crimetab_fm_handle {
	char *sightings_path, *watchlist_path;
	double threshold;
	size_t dim, stride;
	int threads;
	fme_set sight, watch;
	double *scratch; /* one embedding as parsed, dim values */

	int matched;
	const char **key;            /* per sighting: into keybuf or a gallery id */
	char (*keybuf)[FME_KEY_LEN]; /* per sighting */
	double *conf;                /* per sighting */
	unsigned char *on_watchlist; /* per sighting */

	char err[512];
};

static void fme_fmt(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fme_fmt(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int fme_seterr(crimetab_fm_handle *h, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fme_seterr(crimetab_fm_handle *h, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->err, sizeof h->err, fmt, ap);
	va_end(ap);
	return code;
}

/* A "PATH:LINE: reason" message. */
static int fme_lineerr(crimetab_fm_handle *h, const char *path, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fme_lineerr(crimetab_fm_handle *h, const char *path, long line, const char *fmt, ...)
{
	char reason[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	return fme_seterr(h, CRIMETAB_FM_EDATA, "%s:%ld: %s", path, line, reason);
}

static char *fme_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

/* At most 40 bytes of S for quoting in a message, so one huge value cannot
 * push the file and line out of it. */
static const char *fme_clip(const char *s, char buf[48])
{
	size_t n = strlen(s);

	if (n <= 40)
		return s;
	memcpy(buf, s, 37);
	memcpy(buf + 37, "...", 4);
	return buf;
}

/* ---- time ---- */

static int64_t fme_days_from_civil(int64_t y, int m, int d)
{
	/* Howard Hinnant's days_from_civil: days since 1970-01-01. */
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int fme_digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" to Unix seconds;
 * a fraction is truncated.  Returns 0 or -1. */
static int fme_parse_time(const char *s, int64_t *out)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, hh, mi, ss, oh = 0, om = 0, sign = 0, leap;
	const char *p;

	if (strlen(s) < 20 || fme_digits(s, 4, &y) || s[4] != '-' || fme_digits(s + 5, 2, &mo) ||
	    s[7] != '-' || fme_digits(s + 8, 2, &d) || s[10] != 'T' || fme_digits(s + 11, 2, &hh) ||
	    s[13] != ':' || fme_digits(s + 14, 2, &mi) || s[16] != ':' || fme_digits(s + 17, 2, &ss))
		return -1;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (fme_digits(p + 1, 2, &oh) || p[3] != ':' || fme_digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || hh > 23 ||
	    mi > 59 || ss > 59)
		return -1;
	*out = fme_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss -
	       (int64_t)sign * (oh * 3600 + om * 60);
	return 0;
}

/* ---- config ---- */

static char *fme_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int fme_config(crimetab_fm_handle *h, const char *config)
{
	char *copy = fme_strdup(config), *item, *next;
	int seen_threshold = 0, seen_dim = 0, seen_threads = 0, rc = CRIMETAB_FM_OK;

	if (!copy)
		return fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
	for (item = copy; item; item = next) {
		char *key, *val, *eq, *end;
		size_t cut = strcspn(item, ";\n");

		next = item[cut] ? item + cut + 1 : NULL;
		item[cut] = '\0';
		key = fme_trim(item);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			rc = fme_seterr(h, CRIMETAB_FM_ECONFIG, "config: expected key=value, got \"%s\"", key);
			break;
		}
		*eq = '\0';
		key = fme_trim(key);
		val = fme_trim(eq + 1);
		if (!strcmp(key, "sightings") || !strcmp(key, "watchlist")) {
			char **dst = key[0] == 's' ? &h->sightings_path : &h->watchlist_path;
			if (*dst || !*val) {
				rc = fme_seterr(h, CRIMETAB_FM_ECONFIG, "config: %s \"%s\" for \"%s\"",
				                *dst ? "second value" : "empty value", val, key);
				break;
			}
			if (!(*dst = fme_strdup(val))) {
				rc = fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
				break;
			}
		} else if (!strcmp(key, "threshold") && !seen_threshold++) {
			errno = 0;
			h->threshold = strtod(val, &end);
			if (errno || end == val || *end || !(h->threshold > 0.0 && h->threshold <= 1.0)) {
				rc = fme_seterr(h, CRIMETAB_FM_ECONFIG,
				                "config: threshold \"%s\" is not a number in (0, 1]", val);
				break;
			}
		} else if ((!strcmp(key, "dim") && !seen_dim++) ||
		           (!strcmp(key, "threads") && !seen_threads++)) {
			long max = key[0] == 'd' ? FME_MAX_DIM : FME_MAX_THREADS, v;
			errno = 0;
			v = strtol(val, &end, 10);
			if (errno || end == val || *end || v < 1 || v > max) {
				rc = fme_seterr(h, CRIMETAB_FM_ECONFIG,
				                "config: %s \"%s\" is not a whole number from 1 to %ld", key, val, max);
				break;
			}
			if (key[0] == 'd')
				h->dim = (size_t)v;
			else
				h->threads = (int)v;
		} else if (!strcmp(key, "threshold") || !strcmp(key, "dim") || !strcmp(key, "threads")) {
			rc = fme_seterr(h, CRIMETAB_FM_ECONFIG, "config: second value \"%s\" for \"%s\"", val, key);
			break;
		} else {
			rc = fme_seterr(h, CRIMETAB_FM_ECONFIG, "config: unknown key \"%s\"", key);
			break;
		}
	}
	free(copy);
	if (rc == CRIMETAB_FM_OK && !h->sightings_path)
		rc = fme_seterr(h, CRIMETAB_FM_ECONFIG, "config: \"sightings=PATH\" is required");
	return rc;
}

/* ---- input ---- */

static void fme_set_free(fme_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->recs[i].id);
		free(set->recs[i].crime_id);
	}
	free(set->recs);
	free(set->emb);
	memset(set, 0, sizeof *set);
}

/* Makes room for one more record and its row (plus the spare row). */
static int fme_set_grow(crimetab_fm_handle *h, fme_set *set)
{
	size_t cap;
	fme_rec *recs;
	float *emb;

	if (set->n < set->cap)
		return 0;
	cap = set->cap ? set->cap * 2 : 64;
	recs = realloc(set->recs, cap * sizeof *recs);
	if (!recs)
		return -1;
	set->recs = recs;
	emb = realloc(set->emb, (cap + 1) * h->stride * sizeof *emb);
	if (!emb)
		return -1;
	set->emb = emb;
	set->cap = cap;
	return 0;
}

static int fme_set_dim(crimetab_fm_handle *h, size_t dim)
{
	h->dim = dim;
	h->stride = (dim + FME_LANES - 1) / FME_LANES * FME_LANES;
	h->scratch = malloc(dim * sizeof *h->scratch);
	return h->scratch ? 0 : -1;
}

/* Validates one embedding and leaves it L2-normalised in h->scratch; the
 * first embedding read fixes the dimension when the config did not. */
static int fme_embedding(crimetab_fm_handle *h, const fme_set *set, long line, const cJSON *arr)
{
	const cJSON *v;
	size_t count = 0, k;
	double maxabs = 0.0, sum = 0.0, norm;

	if (!cJSON_IsArray(arr))
		return fme_lineerr(h, set->path, line, "\"embedding\" is not an array");
	for (v = arr->child; v; v = v->next)
		count++;
	if (count == 0)
		return fme_lineerr(h, set->path, line, "\"embedding\" is empty");
	if (h->dim == 0 && count > FME_MAX_DIM)
		return fme_lineerr(h, set->path, line, "embedding has %zu values, more than %d",
		                   count, FME_MAX_DIM);
	if (!h->scratch && fme_set_dim(h, h->dim ? h->dim : count) != 0)
		return fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
	if (count != h->dim)
		return fme_lineerr(h, set->path, line, "embedding has %zu values, expected %zu", count, h->dim);
	for (v = arr->child, k = 0; v; v = v->next, k++) {
		if (!cJSON_IsNumber(v))
			return fme_lineerr(h, set->path, line, "embedding[%zu] is not a number", k);
		if (!isfinite(v->valuedouble))
			return fme_lineerr(h, set->path, line, "embedding[%zu] is not finite", k);
		h->scratch[k] = v->valuedouble;
		if (fabs(v->valuedouble) > maxabs)
			maxabs = fabs(v->valuedouble);
	}
	if (maxabs == 0.0)
		return fme_lineerr(h, set->path, line, "embedding is a zero vector");
	/* Scaling by the largest value first keeps the sum of squares finite
	 * for any finite input. */
	for (k = 0; k < h->dim; k++) {
		h->scratch[k] /= maxabs;
		sum += h->scratch[k] * h->scratch[k];
	}
	norm = sqrt(sum);
	for (k = 0; k < h->dim; k++)
		h->scratch[k] /= norm;
	return CRIMETAB_FM_OK;
}

static const cJSON *fme_field(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsNull(v) ? NULL : v;
}

static int fme_coord(crimetab_fm_handle *h, const fme_set *set, long line, const cJSON *v,
                     const char *name, double limit, double *out)
{
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || fabs(v->valuedouble) > limit)
		return fme_lineerr(h, set->path, line, "\"%s\" is not a number from -%g to %g", name, limit, limit);
	*out = v->valuedouble;
	return CRIMETAB_FM_OK;
}

static int fme_parse_line(crimetab_fm_handle *h, fme_set *set, int sightings, long line,
                          const char *buf, size_t len)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	const cJSON *id, *t, *lon, *lat, *cid;
	fme_rec r;
	float *row;
	char clip[48];
	size_t k;
	int rc;

	memset(&r, 0, sizeof r);
	r.line = line;
	if (!root)
		return fme_lineerr(h, set->path, line, "bad JSON");
	for (; end && end < buf + len; end++)
		if (*end != ' ' && *end != '\t' && *end != '\r' && *end != '\n') {
			cJSON_Delete(root);
			return fme_lineerr(h, set->path, line, "bad JSON: text after the object");
		}
	if (!cJSON_IsObject(root)) {
		rc = fme_lineerr(h, set->path, line, "not a JSON object");
		goto out;
	}
	id = fme_field(root, "id");
	if (!id) {
		rc = fme_lineerr(h, set->path, line, "missing \"id\"");
		goto out;
	}
	if (!cJSON_IsString(id) || !*id->valuestring) {
		rc = fme_lineerr(h, set->path, line, "\"id\" is not a non-empty string");
		goto out;
	}
	if (!sightings && !strncmp(id->valuestring, "ind-", 4)) {
		/* Those are the keys made for unlisted individuals. */
		rc = fme_lineerr(h, set->path, line, "watchlist id \"%s\" must not start with \"ind-\"",
		                 fme_clip(id->valuestring, clip));
		goto out;
	}
	if (sightings) {
		t = fme_field(root, "time");
		if (!t) {
			rc = fme_lineerr(h, set->path, line, "missing \"time\"");
			goto out;
		}
		if (!cJSON_IsString(t) || fme_parse_time(t->valuestring, &r.time) != 0) {
			rc = fme_lineerr(h, set->path, line, "bad time \"%s\" (want YYYY-MM-DDTHH:MM:SSZ)",
			                 cJSON_IsString(t) ? fme_clip(t->valuestring, clip) : "not a string");
			goto out;
		}
		lon = fme_field(root, "lon");
		lat = fme_field(root, "lat");
		if (!lon != !lat) {
			rc = fme_lineerr(h, set->path, line, "\"%s\" without \"%s\"", lon ? "lon" : "lat",
			                 lon ? "lat" : "lon");
			goto out;
		}
		if (lon) {
			if ((rc = fme_coord(h, set, line, lon, "lon", 180.0, &r.lon)) != 0 ||
			    (rc = fme_coord(h, set, line, lat, "lat", 90.0, &r.lat)) != 0)
				goto out;
			r.has_coords = 1;
		}
		cid = fme_field(root, "crime_id");
		if (cid && !cJSON_IsString(cid)) {
			rc = fme_lineerr(h, set->path, line, "\"crime_id\" is not a string");
			goto out;
		}
		if (cid && *cid->valuestring && !(r.crime_id = fme_strdup(cid->valuestring))) {
			rc = fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (!fme_field(root, "embedding")) {
		rc = fme_lineerr(h, set->path, line, "missing \"embedding\"");
		goto out;
	}
	rc = fme_embedding(h, set, line, fme_field(root, "embedding"));
	if (rc != CRIMETAB_FM_OK)
		goto out;
	if (fme_set_grow(h, set) != 0 || !(r.id = fme_strdup(id->valuestring))) {
		rc = fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
		goto out;
	}
	row = set->emb + set->n * h->stride;
	for (k = 0; k < h->dim; k++)
		row[k] = (float)h->scratch[k];
	for (; k < h->stride; k++)
		row[k] = 0.0f;
	set->recs[set->n++] = r;
	memset(&r, 0, sizeof r);
out:
	free(r.crime_id);
	cJSON_Delete(root);
	return rc;
}

static int fme_cmp_rec(const void *a, const void *b)
{
	const fme_rec *x = *(const fme_rec *const *)a, *y = *(const fme_rec *const *)b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Ids must be unique: keys are derived from them. */
static int fme_check_unique(crimetab_fm_handle *h, const fme_set *set)
{
	const fme_rec **order, *dup = NULL, *first = NULL;
	char clip[48];

	if (set->n < 2)
		return CRIMETAB_FM_OK;
	order = malloc(set->n * sizeof *order);
	if (!order)
		return fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
	for (size_t i = 0; i < set->n; i++)
		order[i] = &set->recs[i];
	qsort(order, set->n, sizeof *order, fme_cmp_rec);
	for (size_t i = 1; i < set->n; i++)
		if (!strcmp(order[i - 1]->id, order[i]->id) && (!dup || order[i]->line < dup->line)) {
			dup = order[i];
			first = order[i - 1];
		}
	free(order);
	if (dup)
		return fme_lineerr(h, set->path, dup->line, "id \"%s\" already used on line %ld",
		                   fme_clip(dup->id, clip), first->line);
	return CRIMETAB_FM_OK;
}

static int fme_load(crimetab_fm_handle *h, fme_set *set, const char *path, int sightings)
{
	FILE *fp;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	long line = 0;
	int rc = CRIMETAB_FM_OK;

	set->path = path;
	fp = fopen(path, "r");
	if (!fp)
		return fme_seterr(h, CRIMETAB_FM_EIO, "%s: %s", path, strerror(errno));
	while ((len = getline(&buf, &cap, fp)) >= 0) {
		size_t i = 0;

		line++;
		while (i < (size_t)len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
			i++;
		if (i == (size_t)len)
			continue;
		rc = fme_parse_line(h, set, sightings, line, buf, (size_t)len);
		if (rc != CRIMETAB_FM_OK)
			break;
	}
	if (rc == CRIMETAB_FM_OK && ferror(fp))
		rc = fme_seterr(h, CRIMETAB_FM_EIO, "%s: read error", path);
	free(buf);
	fclose(fp);
	/* fme_set_grow always leaves room for the spare row. */
	if (rc == CRIMETAB_FM_OK && set->emb)
		memset(set->emb + set->n * h->stride, 0, h->stride * sizeof *set->emb);
	if (rc == CRIMETAB_FM_OK)
		rc = fme_check_unique(h, set);
	return rc;
}

/* ---- similarity ---- */

static float fme_hsum(const float *acc)
{
	/* A fixed order, so every pair's sum is the same whichever path made it. */
	float s = 0.0f;

	for (int l = 0; l < FME_LANES; l++)
		s += acc[l];
	return s;
}

/* Similarities of rows A[0..ni) with rows B[0..nj) into OUT[i * FME_BLOCK + j].
 * NI and NJ are even.  Each lane accumulates its own slice of the dimension,
 * which the compiler can vectorise without reordering any float sum. */
static void fme_tile(const float *a, size_t ni, const float *b, size_t nj, size_t stride, float *out)
{
	for (size_t i = 0; i < ni; i += 2) {
		const float *a0 = a + i * stride, *a1 = a0 + stride;
		for (size_t j = 0; j < nj; j += 2) {
			const float *b0 = b + j * stride, *b1 = b0 + stride;
			float c00[FME_LANES] = { 0 }, c01[FME_LANES] = { 0 };
			float c10[FME_LANES] = { 0 }, c11[FME_LANES] = { 0 };

			for (size_t k = 0; k < stride; k += FME_LANES) {
				for (int l = 0; l < FME_LANES; l++) {
					float x0 = a0[k + l], x1 = a1[k + l], y0 = b0[k + l], y1 = b1[k + l];
					c00[l] += x0 * y0;
					c01[l] += x0 * y1;
					c10[l] += x1 * y0;
					c11[l] += x1 * y1;
				}
			}
			out[i * FME_BLOCK + j] = fme_hsum(c00);
			out[i * FME_BLOCK + j + 1] = fme_hsum(c01);
			out[(i + 1) * FME_BLOCK + j] = fme_hsum(c10);
			out[(i + 1) * FME_BLOCK + j + 1] = fme_hsum(c11);
		}
	}
}

/* One similarity pass shared by the workers.  SELF: pairs i < j within A,
 * joined in each worker's own union-find.  Otherwise: every row of A against
 * every row of B, keeping each A row's best match at or above threshold. */
typedef struct fme_pass {
	const float *a, *b;
	size_t na, nb, stride;
	int self;
	double threshold;
	size_t nblocks;
	atomic_size_t next;
	int32_t *best_j; /* cross: per row of A; rows are split among workers */
	float *best_s;
} fme_pass;

typedef struct fme_worker {
	fme_pass *pass;
	uint32_t *parent; /* self: this worker's union-find */
	float *best;      /* self: best link per row, -1 when none */
	float *tile;
} fme_worker;

static uint32_t fme_find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

static void fme_union(uint32_t *parent, uint32_t x, uint32_t y)
{
	x = fme_find(parent, x);
	y = fme_find(parent, y);
	if (x < y)
		parent[y] = x;
	else if (y < x)
		parent[x] = y;
}

static void *fme_work(void *arg)
{
	fme_worker *w = arg;
	fme_pass *p = w->pass;
	size_t rows_a = p->na + (p->na & 1);
	size_t nb = p->self ? p->na : p->nb, rows_b = nb + (nb & 1);
	const float *b = p->self ? p->a : p->b;

	for (;;) {
		size_t blk = atomic_fetch_add(&p->next, 1), i0, i1;

		if (blk >= p->nblocks)
			break;
		i0 = blk * FME_BLOCK;
		i1 = i0 + FME_BLOCK < rows_a ? i0 + FME_BLOCK : rows_a;
		for (size_t j0 = p->self ? i0 : 0; j0 < rows_b; j0 += FME_BLOCK) {
			size_t j1 = j0 + FME_BLOCK < rows_b ? j0 + FME_BLOCK : rows_b;

			fme_tile(p->a + i0 * p->stride, i1 - i0, b + j0 * p->stride, j1 - j0, p->stride, w->tile);
			for (size_t i = i0; i < i1 && i < p->na; i++) {
				const float *row = w->tile + (i - i0) * FME_BLOCK;
				for (size_t j = p->self && j0 <= i ? i + 1 : j0; j < j1 && j < nb; j++) {
					float s = row[j - j0];
					if ((double)s < p->threshold)
						continue;
					if (p->self) {
						fme_union(w->parent, (uint32_t)i, (uint32_t)j);
						if (s > w->best[i])
							w->best[i] = s;
						if (s > w->best[j])
							w->best[j] = s;
					} else if (s > p->best_s[i]) {
						/* Strictly greater: on a tie the earlier gallery entry stays. */
						p->best_s[i] = s;
						p->best_j[i] = (int32_t)j;
					}
				}
			}
		}
	}
	return NULL;
}

/* Runs PASS on up to NTHREADS threads.  In self mode PARENT and BEST
 * (na each) receive the merged union-find and best links. */
static int fme_run_pass(fme_pass *p, int nthreads, uint32_t *parent, float *best)
{
	fme_worker *w;
	pthread_t *tid;
	int started = 0, rc = 0;
	size_t rows_a = p->na + (p->na & 1);

	p->nblocks = (rows_a + FME_BLOCK - 1) / FME_BLOCK;
	atomic_init(&p->next, 0);
	if (rows_a < FME_THREAD_MIN_ROWS || nthreads < 1)
		nthreads = 1;
	w = calloc((size_t)nthreads, sizeof *w);
	tid = calloc((size_t)nthreads, sizeof *tid);
	if (!w || !tid) {
		rc = -1;
		goto out;
	}
	for (int t = 0; t < nthreads; t++) {
		w[t].pass = p;
		w[t].tile = malloc(FME_BLOCK * FME_BLOCK * sizeof *w[t].tile);
		if (p->self) {
			w[t].parent = t ? malloc(p->na * sizeof *parent) : parent;
			w[t].best = t ? malloc(p->na * sizeof *best) : best;
		}
		if (!w[t].tile || (p->self && (!w[t].parent || !w[t].best))) {
			nthreads = t + 1;
			rc = -1;
			goto out;
		}
		for (size_t i = 0; p->self && i < p->na; i++) {
			w[t].parent[i] = (uint32_t)i;
			w[t].best[i] = -1.0f;
		}
	}
	/* Blocks are handed out by a shared counter, so a thread that fails to
	 * start only means fewer hands; the caller's thread is always one. */
	for (int t = 1; t < nthreads; t++) {
		if (pthread_create(&tid[t], NULL, fme_work, &w[t]) != 0)
			break;
		started = t;
	}
	fme_work(&w[0]);
	for (int t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	for (int t = 1; p->self && t < nthreads; t++) {
		for (size_t i = 0; i < p->na; i++) {
			uint32_t r = fme_find(w[t].parent, (uint32_t)i);
			if (r != i)
				fme_union(w[0].parent, (uint32_t)i, r);
			if (w[t].best[i] > w[0].best[i])
				w[0].best[i] = w[t].best[i];
		}
	}
out:
	for (int t = 0; w && t < nthreads; t++) {
		free(w[t].tile);
		if (t > 0) {
			free(w[t].parent);
			free(w[t].best);
		}
	}
	free(w);
	free(tid);
	return rc;
}

static uint64_t fme_fnv1a(const char *s)
{
	uint64_t x = 14695981039346656037ULL;

	for (; *s; s++) {
		x ^= (unsigned char)*s;
		x *= 1099511628211ULL;
	}
	return x;
}

static double fme_clamp01(double x)
{
	return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

/* Assigns every sighting a key and a confidence; runs once per handle. */
static int fme_match(crimetab_fm_handle *h)
{
	size_t n = h->sight.n, nrem = 0;
	int32_t *best_j = NULL;
	float *best_s = NULL, *rem_emb = NULL, *best = NULL;
	size_t *rem = NULL, *minrec = NULL;
	uint32_t *parent = NULL;
	fme_pass pass;
	int rc = CRIMETAB_FM_ENOMEM;

	h->key = calloc(n ? n : 1, sizeof *h->key);
	h->keybuf = calloc(n ? n : 1, sizeof *h->keybuf);
	h->conf = calloc(n ? n : 1, sizeof *h->conf);
	h->on_watchlist = calloc(n ? n : 1, 1);
	best_j = malloc((n ? n : 1) * sizeof *best_j);
	best_s = malloc((n ? n : 1) * sizeof *best_s);
	rem = malloc((n ? n : 1) * sizeof *rem);
	if (!h->key || !h->keybuf || !h->conf || !h->on_watchlist || !best_j || !best_s || !rem)
		goto out;
	for (size_t i = 0; i < n; i++) {
		best_j[i] = -1;
		best_s[i] = -1.0f;
	}

	if (n && h->watch.n) {
		memset(&pass, 0, sizeof pass);
		pass.a = h->sight.emb;
		pass.na = n;
		pass.b = h->watch.emb;
		pass.nb = h->watch.n;
		pass.stride = h->stride;
		pass.threshold = h->threshold;
		pass.best_j = best_j;
		pass.best_s = best_s;
		if (fme_run_pass(&pass, h->threads, NULL, NULL) != 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (best_j[i] >= 0) {
			h->key[i] = h->watch.recs[best_j[i]].id;
			h->conf[i] = fme_clamp01(best_s[i]);
			h->on_watchlist[i] = 1;
		} else {
			rem[nrem++] = i;
		}
	}

	if (nrem) {
		/* The unlisted rows, packed so the pass streams through memory. */
		rem_emb = malloc((nrem + 1) * h->stride * sizeof *rem_emb);
		parent = malloc(nrem * sizeof *parent);
		best = malloc(nrem * sizeof *best);
		minrec = malloc(nrem * sizeof *minrec);
		if (!rem_emb || !parent || !best || !minrec)
			goto out;
		for (size_t r = 0; r < nrem; r++)
			memcpy(rem_emb + r * h->stride, h->sight.emb + rem[r] * h->stride,
			       h->stride * sizeof *rem_emb);
		memset(rem_emb + nrem * h->stride, 0, h->stride * sizeof *rem_emb);
		memset(&pass, 0, sizeof pass);
		pass.a = rem_emb;
		pass.na = nrem;
		pass.stride = h->stride;
		pass.self = 1;
		pass.threshold = h->threshold;
		if (fme_run_pass(&pass, h->threads, parent, best) != 0)
			goto out;

		for (size_t r = 0; r < nrem; r++)
			minrec[r] = SIZE_MAX;
		for (size_t r = 0; r < nrem; r++) {
			uint32_t root = fme_find(parent, (uint32_t)r);
			size_t i = rem[r];
			if (minrec[root] == SIZE_MAX || strcmp(h->sight.recs[i].id, h->sight.recs[minrec[root]].id) < 0)
				minrec[root] = i;
		}
		for (size_t r = 0; r < nrem; r++) {
			size_t i = rem[r];
			uint32_t root = fme_find(parent, (uint32_t)r);
			snprintf(h->keybuf[i], FME_KEY_LEN, "ind-%016" PRIx64,
			         fme_fnv1a(h->sight.recs[minrec[root]].id));
			h->key[i] = h->keybuf[i];
			h->conf[i] = best[r] < 0.0f ? 1.0 : fme_clamp01(best[r]);
		}
	}
	h->matched = 1;
	rc = CRIMETAB_FM_OK;
out:
	if (rc != CRIMETAB_FM_OK)
		fme_seterr(h, rc, "out of memory");
	free(best_j);
	free(best_s);
	free(rem);
	free(rem_emb);
	free(parent);
	free(best);
	free(minrec);
	return rc;
}

/* ---- the ABI ---- */

static void fme_close(crimetab_fm_handle *h)
{
	if (!h)
		return;
	fme_set_free(&h->sight);
	fme_set_free(&h->watch);
	free(h->sightings_path);
	free(h->watchlist_path);
	free(h->scratch);
	free(h->key);
	free(h->keybuf);
	free(h->conf);
	free(h->on_watchlist);
	free(h);
}

static int fme_open(const char *config, crimetab_fm_handle **out, char *errbuf, size_t errlen)
{
	crimetab_fm_handle *h;
	int rc;
	long ncpu;

	*out = NULL;
	h = calloc(1, sizeof *h);
	if (!h) {
		fme_fmt(errbuf, errlen, "out of memory");
		return CRIMETAB_FM_ENOMEM;
	}
	h->threshold = FME_DEFAULT_THRESHOLD;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	h->threads = ncpu < 1 ? 1 : ncpu > FME_MAX_THREADS ? FME_MAX_THREADS : (int)ncpu;

	rc = fme_config(h, config ? config : "");
	if (rc == CRIMETAB_FM_OK)
		rc = fme_load(h, &h->sight, h->sightings_path, 1);
	if (rc == CRIMETAB_FM_OK && h->watchlist_path)
		rc = fme_load(h, &h->watch, h->watchlist_path, 0);
	if (rc != CRIMETAB_FM_OK) {
		fme_fmt(errbuf, errlen, "%s", h->err);
		fme_close(h);
		return rc;
	}
	*out = h;
	return CRIMETAB_FM_OK;
}

static int fme_identify(crimetab_fm_handle *h, int64_t from, int64_t to,
                        crimetab_fm_emit_fn emit, void *host_ctx)
{
	crimetab_fm_sighting s;
	int rc;

	if (!h->matched && (rc = fme_match(h)) != CRIMETAB_FM_OK)
		return rc;
	for (size_t i = 0; i < h->sight.n; i++) {
		const fme_rec *r = &h->sight.recs[i];

		if (r->time < from || r->time >= to)
			continue;
		memset(&s, 0, sizeof s);
		s.size = sizeof s;
		s.time = r->time;
		s.has_coords = r->has_coords;
		s.lon = r->lon;
		s.lat = r->lat;
		s.crime_id = r->crime_id;
		s.individual_key = h->key[i];
		s.confidence = h->conf[i];
		s.watchlist = h->on_watchlist[i];
		if (emit(host_ctx, &s) != 0)
			return fme_seterr(h, CRIMETAB_FM_EABORT, "stopped by the host");
	}
	return CRIMETAB_FM_OK;
}

static const char *fme_last_error(const crimetab_fm_handle *h)
{
	return h ? h->err : "no handle";
}

static const crimetab_fm_descriptor fme_descriptor = {
	.struct_size = sizeof(crimetab_fm_descriptor),
	.abi_major = CRIMETAB_FM_ABI_MAJOR,
	.abi_minor = CRIMETAB_FM_ABI_MINOR,
	.name = FME_NAME,
	.version = FME_VERSION,
	.open = fme_open,
	.identify = fme_identify,
	.close = fme_close,
	.last_error = fme_last_error,
};

CRIMETAB_FM_EXPORT const crimetab_fm_descriptor *
crimetab_facematch_entry(uint32_t host_abi_major, uint32_t host_abi_minor)
{
	(void)host_abi_minor;
	return host_abi_major == CRIMETAB_FM_ABI_MAJOR ? &fme_descriptor : NULL;
}
