/* facematch-embeddings: reading sightings and watchlist files (JSON Lines).
 * A line's embedding (hundreds of numbers) is read by a small exact parser
 * when it is plainly written, and the rest of the line by cJSON; anything
 * unusual goes all through cJSON, which also words every complaint, so both
 * ways accept the same lines, give the same values (strtod's) and the same
 * messages. */
#include "fme.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- the fast way to an embedding ---- */

static const char *fme_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Past the string starting at P (a '"'), or NULL. */
static const char *fme_skip_string(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* Past the JSON value at P, or NULL; not a validator: cJSON checks what
 * this only steps over. */
static const char *fme_skip_value(const char *p, const char *e, int depth)
{
	if (p >= e || depth > 64)
		return NULL;
	if (*p == '"')
		return fme_skip_string(p, e);
	if (*p == '[' || *p == '{') {
		char close = *p == '[' ? ']' : '}';
		p = fme_ws(p + 1, e);
		if (p < e && *p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if (p >= e || *p != '"' || !(p = fme_skip_string(p, e)))
					return NULL;
				p = fme_ws(p, e);
				if (p >= e || *p != ':')
					return NULL;
				p = fme_ws(p + 1, e);
			}
			if (!(p = fme_skip_value(p, e, depth + 1)))
				return NULL;
			p = fme_ws(p, e);
			if (p < e && *p == close)
				return p + 1;
			if (p >= e || *p != ',')
				return NULL;
			p = fme_ws(p + 1, e);
		}
	}
	const char *s = p;
	while (p < e && strchr("+-0123456789.eEtrufalsn", *p))
		p++;
	return p > s ? p : NULL;
}

/* Where the value of the first member NAME of the object in BUF starts;
 * -1 when there is none or the scan cannot tell. */
static int fme_find_member(const char *buf, size_t len, const char *name, size_t *vs)
{
	const char *e = buf + len, *p = fme_ws(buf, e);
	size_t nlen = strlen(name);

	if (p >= e || *p != '{')
		return -1;
	p = fme_ws(p + 1, e);
	while (p < e && *p == '"') {
		const char *k = p + 1, *q = fme_skip_string(p, e);
		if (!q)
			return -1;
		int match = (size_t)(q - 1 - k) == nlen && !memcmp(k, name, nlen);
		p = fme_ws(q, e);
		if (p >= e || *p != ':')
			return -1;
		p = fme_ws(p + 1, e);
		if (match) {
			*vs = (size_t)(p - buf);
			return 0;
		}
		if (!(p = fme_skip_value(p, e, 0)))
			return -1;
		p = fme_ws(p, e);
		if (p >= e || *p != ',')
			return -1;
		p = fme_ws(p + 1, e);
	}
	return -1;
}

static const double fme_p10[23] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
				    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

/* One JSON number at P: its end, or NULL when P holds none.  *OUT gets the
 * value when it can be had exactly with one IEEE operation (at most 15
 * significant digits, a power of ten within 10^22: Clinger's fast path,
 * the same double as strtod's); otherwise *SLOW is set. */
static const char *fme_number(const char *p, const char *e, double *out, int *slow)
{
	uint64_t m = 0;
	int sig = 0, neg = 0;
	long scale = 0, ex = 0;

	*slow = 0;
	if (p < e && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= e || *p < '0' || *p > '9')
		return NULL;
	if (*p == '0') {
		p++;
	} else {
		for (; p < e && *p >= '0' && *p <= '9'; p++) {
			if (sig < 19) {
				m = m * 10 + (uint64_t)(*p - '0');
				sig++;
			} else {
				scale++;
				*slow = 1;
			}
		}
	}
	if (p < e && *p == '.') {
		p++;
		if (p >= e || *p < '0' || *p > '9')
			return NULL;
		for (; p < e && *p >= '0' && *p <= '9'; p++) {
			if (m == 0 && *p == '0') {
				scale--; /* a leading zero of the fraction: not significant */
			} else if (sig < 19) {
				m = m * 10 + (uint64_t)(*p - '0');
				sig++;
				scale--;
			} else {
				*slow = 1;
			}
		}
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		int eneg = 0;
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p >= e || *p < '0' || *p > '9')
			return NULL;
		for (; p < e && *p >= '0' && *p <= '9'; p++)
			if (ex < 100000)
				ex = ex * 10 + (*p - '0');
		if (eneg)
			ex = -ex;
	}
	if (*slow)
		return p;
	if (m == 0) {
		*out = neg ? -0.0 : 0.0;
		return p;
	}
	long k = scale + ex;
	if (sig > 15 || k < -22 || k > 22) {
		*slow = 1;
		return p;
	}
	double v = (double)m;
	v = k < 0 ? v / fme_p10[-k] : v * fme_p10[k];
	*out = neg ? -v : v;
	return p;
}

/* "[n, n, ...]" at P, into OUT (at most MAX values): the count, with *END
 * just past the ']', or -1 for anything the fast way does not take. */
static long fme_numbers(const char *p, const char *e, double *out, size_t max, const char **end)
{
	size_t n = 0;
	int slow;

	if (p >= e || *p != '[')
		return -1;
	p = fme_ws(p + 1, e);
	if (p < e && *p == ']') {
		*end = p + 1;
		return 0;
	}
	for (;;) {
		if (n == max || !(p = fme_number(p, e, &out[n], &slow)) || slow)
			return -1;
		n++;
		p = fme_ws(p, e);
		if (p < e && *p == ']') {
			*end = p + 1;
			return (long)n;
		}
		if (p >= e || *p != ',')
			return -1;
		p = fme_ws(p + 1, e);
	}
}

/* ---- lines ---- */

void fme_set_free(fme_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->recs[i].id);
		free(set->recs[i].crime_id);
		free(set->recs[i].site);
	}
	free(set->recs);
	free(set->emb);
	memset(set, 0, sizeof *set);
}

/* Makes room for one more record and its row. */
static int fme_set_grow(crimetab_fm_handle *h, fme_set *set)
{
	size_t cap;
	fme_rec *recs;
	uint16_t *emb;

	if (set->n < set->cap)
		return 0;
	cap = set->cap ? set->cap * 2 : 64;
	recs = realloc(set->recs, cap * sizeof *recs);
	if (!recs)
		return -1;
	set->recs = recs;
	emb = realloc(set->emb, cap * h->dim * sizeof *emb);
	if (!emb)
		return -1;
	set->emb = emb;
	set->cap = cap;
	return 0;
}

/* Checks COUNT values in h->scratch and leaves them L2-normalised there;
 * the first embedding read fixes the dimension when the config did not. */
static int fme_embedding(crimetab_fm_handle *h, const fme_set *set, long line, size_t count)
{
	double maxabs = 0.0, sum = 0.0, norm;
	size_t k;

	if (count == 0)
		return fme_lineerr(h, set->path, line, "\"embedding\" is empty");
	if (h->dim == 0 && count > FME_MAX_DIM)
		return fme_lineerr(h, set->path, line, "embedding has %zu values, more than %d", count, FME_MAX_DIM);
	if (h->dim == 0) {
		h->dim = count;
		h->stride = (count + FME_LANES - 1) / FME_LANES * FME_LANES;
	}
	if (count != h->dim)
		return fme_lineerr(h, set->path, line, "embedding has %zu values, expected %zu", count, h->dim);
	for (k = 0; k < count; k++) {
		if (!isfinite(h->scratch[k]))
			return fme_lineerr(h, set->path, line, "embedding[%zu] is not finite", k);
		if (fabs(h->scratch[k]) > maxabs)
			maxabs = fabs(h->scratch[k]);
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

/* The values of a cJSON embedding into h->scratch; *COUNT is how many
 * there were (only the first FME_MAX_DIM are kept). */
static int fme_embedding_json(crimetab_fm_handle *h, const fme_set *set, long line, const cJSON *arr,
                              size_t *count)
{
	const cJSON *v;
	size_t k = 0;

	if (!cJSON_IsArray(arr))
		return fme_lineerr(h, set->path, line, "\"embedding\" is not an array");
	for (v = arr->child; v; v = v->next, k++) {
		if (k < FME_MAX_DIM && (h->dim == 0 || k < h->dim)) {
			if (!cJSON_IsNumber(v))
				return fme_lineerr(h, set->path, line, "embedding[%zu] is not a number", k);
			h->scratch[k] = v->valuedouble;
		}
	}
	*count = k;
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

/* An optional string member NAME into *OUT (NULL when absent or ""). */
static int fme_opt_string(crimetab_fm_handle *h, const fme_set *set, long line, const cJSON *root,
                          const char *name, char **out)
{
	const cJSON *v = fme_field(root, name);

	if (v && !cJSON_IsString(v))
		return fme_lineerr(h, set->path, line, "\"%s\" is not a string", name);
	if (v && *v->valuestring && !(*out = fme_strdup(v->valuestring)))
		return fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
	return CRIMETAB_FM_OK;
}

static int fme_parse_line(crimetab_fm_handle *h, fme_set *set, int sightings, long line, const char *buf,
                          size_t len)
{
	const char *end = NULL, *text = buf, *vend;
	char *rest = NULL;
	size_t vs, ve, tlen = len, count = 0;
	long fast = -1;
	cJSON *root;
	const cJSON *id, *t, *lon, *lat, *conf;
	fme_rec r;
	uint16_t *row;
	char clip[48];
	int rc;

	/* The embedding by the fast way when it can be; cJSON reads the rest
	 * with an empty array in its place. */
	if (fme_find_member(buf, len, "embedding", &vs) == 0 &&
	    (fast = fme_numbers(buf + vs, buf + len, h->scratch, FME_MAX_DIM, &vend)) >= 0) {
		ve = (size_t)(vend - buf);
		tlen = len - (ve - vs) + 2;
		rest = malloc(tlen);
		if (!rest)
			return fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
		memcpy(rest, buf, vs);
		memcpy(rest + vs, "[]", 2);
		memcpy(rest + vs + 2, buf + ve, len - ve);
		text = rest;
	}
	root = cJSON_ParseWithLengthOpts(text, tlen, &end, 0);
	memset(&r, 0, sizeof r);
	r.line = line;
	if (!root) {
		free(rest);
		return fme_lineerr(h, set->path, line, "bad JSON");
	}
	for (; end && end < text + tlen; end++)
		if (*end != ' ' && *end != '\t' && *end != '\r' && *end != '\n') {
			rc = fme_lineerr(h, set->path, line, "bad JSON: text after the object");
			goto out;
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
		if ((rc = fme_opt_string(h, set, line, root, "crime_id", &r.crime_id)) != 0 ||
		    (rc = fme_opt_string(h, set, line, root, "site", &r.site)) != 0)
			goto out;
		conf = fme_field(root, "confirmed");
		if (conf && !cJSON_IsBool(conf)) {
			rc = fme_lineerr(h, set->path, line, "\"confirmed\" is not true or false");
			goto out;
		}
		r.confirmed = cJSON_IsTrue(conf);
	}
	if (!fme_field(root, "embedding")) {
		rc = fme_lineerr(h, set->path, line, "missing \"embedding\"");
		goto out;
	}
	if (fast >= 0)
		count = (size_t)fast;
	else if ((rc = fme_embedding_json(h, set, line, fme_field(root, "embedding"), &count)) != 0)
		goto out;
	if ((rc = fme_embedding(h, set, line, count)) != CRIMETAB_FM_OK)
		goto out;
	if (fme_set_grow(h, set) != 0 || !(r.id = fme_strdup(id->valuestring))) {
		rc = fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
		goto out;
	}
	row = set->emb + set->n * h->dim;
	for (size_t k = 0; k < h->dim; k++)
		row[k] = fme_f2h((float)h->scratch[k]);
	set->recs[set->n++] = r;
	memset(&r, 0, sizeof r);
out:
	free(r.crime_id);
	free(r.site);
	cJSON_Delete(root);
	free(rest);
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

/* Bytes read at a time; lines are parsed from whole lines of it. */
#define FME_CHUNK (16u << 20)
/* Below this, one thread parses a chunk alone. */
#define FME_PARALLEL_MIN (1u << 20)

static int fme_blank(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p == e;
}

/* One thread's share of a chunk: lines [p, e), the first numbered LINE0 + 1,
 * read into a set of its own.  It works on a copy of the handle, so its
 * scratch row and its message are its own; the dimension is fixed by then
 * and only read. */
typedef struct fme_part {
	crimetab_fm_handle local;
	fme_set set;
	const char *p, *e;
	long line0;
	int sightings, rc;
} fme_part;

static void *fme_part_run(void *arg)
{
	fme_part *pt = arg;
	long line = pt->line0;

	pt->rc = CRIMETAB_FM_OK;
	for (const char *p = pt->p; p < pt->e && pt->rc == CRIMETAB_FM_OK;) {
		const char *nl = memchr(p, '\n', (size_t)(pt->e - p)), *end = nl ? nl + 1 : pt->e;
		line++;
		if (!fme_blank(p, end))
			pt->rc = fme_parse_line(&pt->local, &pt->set, pt->sightings, line, p, (size_t)(end - p));
		p = end;
	}
	return NULL;
}

/* Moves PART's records and rows to the end of SET. */
static int fme_set_take(crimetab_fm_handle *h, fme_set *set, fme_set *part)
{
	size_t need = set->n + part->n;

	if (need > set->cap) {
		fme_rec *recs = realloc(set->recs, need * sizeof *recs);
		if (!recs)
			return -1;
		set->recs = recs;
		uint16_t *emb = realloc(set->emb, need * h->dim * sizeof *emb);
		if (!emb)
			return -1;
		set->emb = emb;
		set->cap = need;
	}
	if (part->n) {
		memcpy(set->recs + set->n, part->recs, part->n * sizeof *part->recs);
		memcpy(set->emb + set->n * h->dim, part->emb, part->n * h->dim * sizeof *part->emb);
	}
	set->n = need;
	part->n = 0; /* the strings are SET's now */
	fme_set_free(part);
	return 0;
}

/* Parses the whole lines [P, E), the first numbered LINE + 1, on up to
 * h->threads threads; *LINE is advanced past them. */
static int fme_parse_lines(crimetab_fm_handle *h, fme_set *set, int sightings, const char *p, const char *e,
                           long *line)
{
	fme_part part[FME_MAX_THREADS];
	pthread_t tid[FME_MAX_THREADS];
	int started[FME_MAX_THREADS] = { 0 }, n = 1, rc = CRIMETAB_FM_OK;

	/* until a line fixes the dimension, one at a time */
	while (p < e && h->dim == 0) {
		const char *nl = memchr(p, '\n', (size_t)(e - p)), *end = nl ? nl + 1 : e;
		++*line;
		if (!fme_blank(p, end) && (rc = fme_parse_line(h, set, sightings, *line, p, (size_t)(end - p))) != 0)
			return rc;
		p = end;
	}
	if (p >= e)
		return CRIMETAB_FM_OK;
	if ((size_t)(e - p) >= FME_PARALLEL_MIN)
		n = h->threads < 1 ? 1 : h->threads > FME_MAX_THREADS ? FME_MAX_THREADS : h->threads;
	size_t share = (size_t)(e - p) / (size_t)n;
	for (int t = 0; t < n; t++) {
		fme_part *pt = &part[t];
		memset(pt, 0, sizeof *pt);
		pt->local = *h;
		pt->local.scratch = NULL;
		pt->set.path = set->path;
		pt->sightings = sightings;
		pt->p = t ? part[t - 1].e : p;
		pt->e = t == n - 1 ? e : pt->p + share;
		if (pt->e < e) { /* to the end of a line */
			const char *nl = memchr(pt->e, '\n', (size_t)(e - pt->e));
			pt->e = nl ? nl + 1 : e;
		}
		if (pt->e < pt->p)
			pt->e = pt->p;
		pt->line0 = *line;
		for (const char *q = pt->p; (q = memchr(q, '\n', (size_t)(pt->e - q))) != NULL; q++)
			++*line;
		if (pt->e > pt->p && pt->e[-1] != '\n')
			++*line; /* the file's last line, with no newline */
		pt->local.scratch = malloc(FME_MAX_DIM * sizeof *pt->local.scratch);
		if (!pt->local.scratch)
			rc = CRIMETAB_FM_ENOMEM;
	}
	for (int t = 1; rc == CRIMETAB_FM_OK && t < n; t++)
		started[t] = pthread_create(&tid[t], NULL, fme_part_run, &part[t]) == 0;
	if (rc == CRIMETAB_FM_OK)
		fme_part_run(&part[0]);
	for (int t = 1; t < n; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else if (rc == CRIMETAB_FM_OK)
			fme_part_run(&part[t]); /* no thread to be had: this one does it */
	}
	/* in line order: the first failure is the file's first bad line */
	for (int t = 0; t < n; t++) {
		if (rc == CRIMETAB_FM_OK && part[t].rc != CRIMETAB_FM_OK) {
			rc = part[t].rc;
			memcpy(h->err, part[t].local.err, sizeof h->err);
		}
		if (rc == CRIMETAB_FM_OK && fme_set_take(h, set, &part[t].set) != 0)
			rc = fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
		fme_set_free(&part[t].set);
		free(part[t].local.scratch);
	}
	return rc;
}

int fme_load(crimetab_fm_handle *h, fme_set *set, const char *path, int sightings)
{
	FILE *fp;
	size_t cap = FME_CHUNK, carry = 0;
	char *buf = malloc(cap);
	long line = 0;
	int rc = CRIMETAB_FM_OK, eof = 0;

	set->path = path;
	if (!buf)
		return fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
	fp = fopen(path, "r");
	if (!fp) {
		free(buf);
		return fme_seterr(h, CRIMETAB_FM_EIO, "%s: %s", path, strerror(errno));
	}
	while (rc == CRIMETAB_FM_OK && !eof) {
		size_t got = fread(buf + carry, 1, cap - carry, fp), len = carry + got, upto = len;
		eof = got == 0;
		if (ferror(fp)) {
			rc = fme_seterr(h, CRIMETAB_FM_EIO, "%s: read error", path);
			break;
		}
		if (!eof) { /* whole lines only; the rest waits for the next read */
			while (upto > 0 && buf[upto - 1] != '\n')
				upto--;
			if (upto == 0) { /* a line longer than the buffer */
				char *more = realloc(buf, 2 * cap);
				if (!more) {
					rc = fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
					break;
				}
				buf = more;
				cap *= 2;
				carry = len;
				continue;
			}
		}
		rc = fme_parse_lines(h, set, sightings, buf, buf + upto, &line);
		memmove(buf, buf + upto, len - upto);
		carry = len - upto;
	}
	free(buf);
	fclose(fp);
	if (rc == CRIMETAB_FM_OK)
		rc = fme_check_unique(h, set);
	return rc;
}
