/* Reference face-match plugin: groups face embeddings read from JSON Lines
 * into pseudonymous individuals by cosine similarity, optionally naming
 * those that match a watchlist gallery, and keeps the individuals it has
 * seen so later runs key them the same.  Built against the public ABI only.
 *
 * Config (key=value, separated by ';' or newlines):
 *   sightings=PATH   required; one JSON object per line:
 *                    {"id":"s1","time":"2024-10-03T14:22:05Z","lon":-1.3125,
 *                     "lat":54.5655,"crime_id":"CR-1","site":"CAM-07",
 *                     "confirmed":true,"embedding":[...]}
 *                    (lon/lat, crime_id, site and confirmed optional; blank
 *                    lines skipped).  An id names one sighting for good.
 *   watchlist=PATH   optional; lines {"id":"W-0001","embedding":[...]}
 *   threshold=0.6    cosine similarity at or above which two faces are taken
 *                    to be the same person; default 0.6, range (0, 1]
 *   model=NAME       the model that made the embeddings, and
 *   model_version=V  its version: recorded with the run, and kept in the
 *                    state so a run with another model is refused
 *   dim=512          embedding length; otherwise taken from the first line.
 *                    Every line of both files must match it
 *   threads=N        worker threads for the similarity products; default
 *                    the online CPUs, at most 8
 *   search=pruned    how sightings are compared: "pruned" (the default)
 *                    skips pairs that provably cannot link; "exhaustive"
 *                    compares every pair, for checking that the groups are
 *                    the same (they must be: tests/unit/test_fm_match.c)
 *
 * Method (fme_match.c).  Embeddings are L2-normalised and kept in half
 * precision, so a dot product is the cosine.  Each sighting is compared
 * with the watchlist: if its best gallery similarity reaches the
 * threshold, its key is that gallery id.  Every other sighting is linked
 * to each sighting whose similarity with it reaches the threshold, and each
 * connected group is one individual (single linkage).  The groups are
 * exactly those of comparing all pairs, found at about the cost of one
 * comparison per sighting per individual.
 *
 * Accuracy.  Errors go both ways.  Single linkage chains: one blurred frame
 * that resembles two people joins them, and distinct-offender counts come
 * out low.  But when the noise in one person's embeddings pulls pairs of
 * them below the threshold with no chain between, that person splits into
 * several, and counts come out high; with many sightings per person,
 * splitting is the larger error.  For embeddings whose per-value noise is
 * s, the cosine between two sightings of one person is about
 * 1 / (1 + s^2 d) in d dimensions (0.83 for s = 0.04, d = 128, but 0.55 for
 * s = 0.04, d = 512, below the default 0.6, which then counts a person
 * several times over).  docs/facematch-accuracy.md has measured precision
 * and recall by noise and threshold, and how to choose the threshold.
 *
 * Identity across runs (ABI 1.1).  Given a state folder, the plugin keeps
 * every sighting it keyed (fme_state.c) and matches each run's sightings
 * with them too, so an individual keeps one key from run to run; when a
 * new sighting links two individuals keyed in earlier runs, it reports a
 * merge.  Counts are then the same however the sightings were split into
 * runs.  The state remembers the threshold and model, and refuses a run
 * with others.  Without a state folder (an ABI 1.0 host), keys hold only
 * within one run.
 *
 * Keys.  A watchlist match is keyed by the gallery id.  Anyone else is keyed
 * "ind-" + 16 hex digits of the 64-bit FNV-1a hash of the smallest (strcmp)
 * sighting id of the individual when first seen: stable for the same
 * input, independent of thread count and file order, and carrying nothing
 * about the face.  crimetab never stores them as given, only a keyed hash. */
#include "fme.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fme_fmt(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fme_fmt(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int fme_seterr(crimetab_fm_handle *h, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->err, sizeof h->err, fmt, ap);
	va_end(ap);
	return code;
}

char *fme_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

uint64_t fme_fnv1a(const void *p, size_t n, uint64_t x)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		x ^= s[i];
		x *= 1099511628211ULL;
	}
	return x;
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

/* A number in (0, 1] written as C writes it, whatever the locale. */
static int fme_threshold(const char *val, double *out)
{
	cJSON *n = cJSON_Parse(val);
	int ok = cJSON_IsNumber(n) && n->valuedouble > 0.0 && n->valuedouble <= 1.0;

	if (ok)
		*out = n->valuedouble;
	cJSON_Delete(n);
	return ok ? 0 : -1;
}

static int fme_config(crimetab_fm_handle *h, const char *config)
{
	char *copy = fme_strdup(config), *item, *next;
	int seen_threshold = 0, seen_dim = 0, seen_threads = 0, seen_search = 0, rc = CRIMETAB_FM_OK;

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
		char **dst = !strcmp(key, "sightings") ? &h->sightings_path
		             : !strcmp(key, "watchlist") ? &h->watchlist_path
		             : !strcmp(key, "model") ? &h->model
		             : !strcmp(key, "model_version") ? &h->model_version : NULL;
		if (dst) {
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
			if (fme_threshold(val, &h->threshold) != 0) {
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
			if (key[0] == 'd') {
				h->dim = (size_t)v;
				h->stride = (h->dim + FME_LANES - 1) / FME_LANES * FME_LANES;
			} else {
				h->threads = (int)v;
			}
		} else if (!strcmp(key, "search") && !seen_search++) {
			if (strcmp(val, "pruned") && strcmp(val, "exhaustive")) {
				rc = fme_seterr(h, CRIMETAB_FM_ECONFIG,
				                "config: search \"%s\" is not \"pruned\" or \"exhaustive\"", val);
				break;
			}
			h->exhaustive = val[0] == 'e';
		} else if (!strcmp(key, "threshold") || !strcmp(key, "dim") || !strcmp(key, "threads") ||
		           !strcmp(key, "search")) {
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

/* "sha256:" and the hex digest of PATH into OUT (72 bytes). */
static int fme_sha256(crimetab_fm_handle *h, const char *path, char out[72])
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	unsigned char buf[65536];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return fme_seterr(h, CRIMETAB_FM_EIO, "%s: %s", path, strerror(errno));
	sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sha256_update(&ctx, n, buf);
	n = (size_t)ferror(fp);
	fclose(fp);
	if (n)
		return fme_seterr(h, CRIMETAB_FM_EIO, "%s: read error", path);
	sha256_digest(&ctx, sizeof d, d);
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
	return CRIMETAB_FM_OK;
}

/* ---- the ABI ---- */

static void fme_close(crimetab_fm_handle *h)
{
	if (!h)
		return;
	fme_set_free(&h->sight);
	fme_set_free(&h->watch);
	fme_gallery_free(&h->gallery);
	free(h->sightings_path);
	free(h->watchlist_path);
	free(h->model);
	free(h->model_version);
	free(h->state_dir);
	free(h->scratch);
	free(h->key);
	free(h->keybuf);
	free(h->conf);
	free(h->on_watchlist);
	free(h->skip);
	for (size_t i = 0; i < h->nmerges; i++) {
		free(h->merge_from[i]);
		free(h->merge_into[i]);
	}
	free(h->merge_from);
	free(h->merge_into);
	free(h);
}

static int fme_open_host(const crimetab_fm_host *host, const char *config, crimetab_fm_handle **out, char *errbuf,
                         size_t errlen)
{
	crimetab_fm_handle *h;
	int rc;
	long ncpu;

	*out = NULL;
	h = calloc(1, sizeof *h);
	if (!h || !(h->scratch = malloc(FME_MAX_DIM * sizeof *h->scratch))) {
		free(h);
		fme_fmt(errbuf, errlen, "out of memory");
		return CRIMETAB_FM_ENOMEM;
	}
	h->threshold = FME_DEFAULT_THRESHOLD;
	h->forget_before = INT64_MIN;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	h->threads = ncpu < 1 ? 1 : ncpu > FME_MAX_THREADS ? FME_MAX_THREADS : (int)ncpu;
	h->f16c = fme_has_f16c();
	/* only the fields the host's struct has */
	if (host && host->size >= CRIMETAB_FM_SIZE_THROUGH(crimetab_fm_host, merge)) {
		if (host->state_dir && !(h->state_dir = fme_strdup(host->state_dir))) {
			fme_close(h);
			fme_fmt(errbuf, errlen, "out of memory");
			return CRIMETAB_FM_ENOMEM;
		}
		h->forget_before = host->forget_before;
		h->merge = host->merge;
	}

	rc = fme_config(h, config ? config : "");
	if (rc == CRIMETAB_FM_OK)
		rc = fme_load(h, &h->sight, h->sightings_path, 1);
	if (rc == CRIMETAB_FM_OK && h->watchlist_path)
		rc = fme_load(h, &h->watch, h->watchlist_path, 0);
	if (rc == CRIMETAB_FM_OK && h->watchlist_path)
		rc = fme_sha256(h, h->watchlist_path, h->gallery_hash);
	if (rc == CRIMETAB_FM_OK && h->state_dir)
		rc = fme_state_load(h);
	if (rc != CRIMETAB_FM_OK) {
		fme_fmt(errbuf, errlen, "%s", h->err);
		fme_close(h);
		return rc;
	}
	*out = h;
	return CRIMETAB_FM_OK;
}

static int fme_open(const char *config, crimetab_fm_handle **out, char *errbuf, size_t errlen)
{
	return fme_open_host(NULL, config, out, errbuf, errlen);
}

static int fme_run_info(crimetab_fm_handle *h, crimetab_fm_run_info *info)
{
	const char *base;
	size_t n = 0;

	snprintf(h->gallery_version, sizeof h->gallery_version, "%zu entries", h->watch.n);
	snprintf(h->options, sizeof h->options, "threshold=%g;dim=%zu;threads=%d;state=%s", h->threshold, h->dim,
	         h->threads, h->state_dir ? "kept" : "none");
	h->inputs[n++] = h->sightings_path;
	if (h->watchlist_path)
		h->inputs[n++] = h->watchlist_path;
	h->inputs[n] = NULL;
	base = h->watchlist_path ? strrchr(h->watchlist_path, '/') : NULL;
	/* only the fields the host's struct has */
	if (info->size >= CRIMETAB_FM_SIZE_THROUGH(crimetab_fm_run_info, inputs)) {
		info->identity = h->state_dir ? CRIMETAB_FM_IDENTITY_PERSISTENT : CRIMETAB_FM_IDENTITY_RUN;
		info->model_name = h->model;
		info->model_version = h->model_version;
		info->similarity = "cosine";
		info->threshold = h->threshold;
		info->gallery_name = h->watchlist_path ? (base ? base + 1 : h->watchlist_path) : NULL;
		info->gallery_version = h->watchlist_path ? h->gallery_version : NULL;
		info->gallery_hash = h->watchlist_path ? h->gallery_hash : NULL;
		info->options = h->options;
		info->inputs = h->inputs;
	}
	return CRIMETAB_FM_OK;
}

static int fme_identify(crimetab_fm_handle *h, int64_t from, int64_t to, crimetab_fm_emit_fn emit, void *host_ctx)
{
	crimetab_fm_sighting s;
	int rc;

	if (!h->matched) {
		if ((rc = fme_match(h)) != CRIMETAB_FM_OK)
			return rc;
		if (h->nmerges && !h->merge)
			return fme_seterr(h, CRIMETAB_FM_ERROR,
			                  "individuals keyed in earlier runs turned out to be one, and the host "
			                  "takes no merges");
		/* The state is saved before anything is reported: should the host
		 * fail to store the run, a re-run finds the same keys. */
		if (h->state_dir && h->dim && (rc = fme_state_save(h)) != CRIMETAB_FM_OK)
			return rc;
		for (size_t i = 0; i < h->nmerges; i++)
			if (h->merge(host_ctx, h->merge_from[i], h->merge_into[i]) != 0)
				return fme_seterr(h, CRIMETAB_FM_EABORT, "stopped by the host");
	}
	for (size_t i = 0; i < h->sight.n; i++) {
		const fme_rec *r = &h->sight.recs[i];

		if (h->skip[i] || r->time < from || r->time >= to)
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
		s.confirmed = r->confirmed;
		s.site_id = r->site;
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
	.open_host = fme_open_host,
	.run_info = fme_run_info,
};

CRIMETAB_FM_EXPORT const crimetab_fm_descriptor *
crimetab_facematch_entry(uint32_t host_abi_major, uint32_t host_abi_minor)
{
	(void)host_abi_minor;
	return host_abi_major == CRIMETAB_FM_ABI_MAJOR ? &fme_descriptor : NULL;
}
