/* Loads a face-match plugin and relays its sightings, refusing anything that
 * could not have been built against the ABI this host speaks. */
#include "plugin/fm_host.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/status.h"
#include "crimetab/facematch.h"
#include "plugin/fm_elf.h"

/* What the trampoline needs to check and forward each sighting. */
typedef struct fm_relay {
	fm_sink sink;
	void *ctx;
	int64_t from, to;
	const char *path;
	size_t delivered;
	int sink_rc;    /* the sink's non-zero return, once it stopped the run */
	int bad;        /* the plugin broke a promise; reason in err */
	char *err;
	size_t errlen;
} fm_relay;

static void fm_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fm_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* Plugin text lands in here too: keep the promised single line. */
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

/* Copies S into DST, replacing what would break a one-line record. */
static void fm_copy_clean(char *dst, size_t len, const char *s)
{
	size_t i = 0;

	if (!dst || len == 0)
		return;
	for (; s && *s && i + 1 < len; s++)
		dst[i++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
	dst[i] = '\0';
}

/* Refuses a file or directory someone else could rewrite: loading a plugin
 * runs its code with our privileges. */
static int fm_check_owner_mode(const char *what, const char *path, const struct stat *st,
                               char *err, size_t errlen)
{
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		fm_seterr(err, errlen, "%s: refusing plugin: %s \"%s\" is writable by group or others (mode %04o)",
		          what, S_ISDIR(st->st_mode) ? "directory" : "file", path,
		          (unsigned)(st->st_mode & 07777));
		return -1;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		fm_seterr(err, errlen, "%s: refusing plugin: \"%s\" is owned by uid %u, neither you nor root",
		          what, path, (unsigned)st->st_uid);
		return -1;
	}
	return 0;
}

/* Resolves PATH and checks the file and the directory holding it.  Checking
 * the resolved path (and loading that same path) means a symlink cannot
 * point the loader somewhere the checks did not look; a directory nobody
 * else may write is what stops the file being swapped after the check. */
static char *fm_resolve_checked(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *real, *slash;

	if (!strchr(path, '/')) {
		fm_seterr(err, errlen, "%s: plugin path must name a file, e.g. \"./%s\"", path, path);
		return NULL;
	}
	real = realpath(path, NULL);
	if (!real) {
		fm_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (stat(real, &st) != 0) {
		fm_seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		fm_seterr(err, errlen, "%s: plugin is not a regular file", path);
		goto fail;
	}
	if (fm_check_owner_mode(path, real, &st, err, errlen) != 0)
		goto fail;

	slash = strrchr(real, '/');
	*slash = '\0';
	if (stat(*real ? real : "/", &st) != 0) {
		fm_seterr(err, errlen, "%s: directory: %s", path, strerror(errno));
		*slash = '/';
		goto fail;
	}
	if (fm_check_owner_mode(path, *real ? real : "/", &st, err, errlen) != 0) {
		*slash = '/';
		goto fail;
	}
	*slash = '/';
	return real;
fail:
	free(real);
	return NULL;
}

static int fm_relay_emit(void *ctx, const crimetab_fm_sighting *s)
{
	fm_relay *r = ctx;
	fm_sighting out;
	int rc;

	if (r->sink_rc || r->bad)
		return 1; /* the plugin ignored an earlier stop: keep refusing */
	if (!s || s->size < CRIMETAB_FM_SIGHTING_SIZE_1_0) {
		fm_seterr(r->err, r->errlen, "%s: sighting struct is %u bytes, host needs at least %zu",
		          r->path, s ? (unsigned)s->size : 0u, (size_t)CRIMETAB_FM_SIGHTING_SIZE_1_0);
		goto bad;
	}
	if (!s->individual_key || !*s->individual_key) {
		fm_seterr(r->err, r->errlen, "%s: sighting %zu has no individual key", r->path, r->delivered + 1);
		goto bad;
	}
	if (s->time < r->from || s->time >= r->to) {
		fm_seterr(r->err, r->errlen, "%s: sighting at time %lld is outside the requested range [%lld, %lld)",
		          r->path, (long long)s->time, (long long)r->from, (long long)r->to);
		goto bad;
	}
	if (!isfinite(s->confidence) || s->confidence < 0.0 || s->confidence > 1.0) {
		fm_seterr(r->err, r->errlen, "%s: sighting %zu has confidence %g outside 0..1",
		          r->path, r->delivered + 1, s->confidence);
		goto bad;
	}
	if (s->has_coords && !(isfinite(s->lon) && isfinite(s->lat) && fabs(s->lon) <= 180.0 &&
	                       fabs(s->lat) <= 90.0)) {
		fm_seterr(r->err, r->errlen, "%s: sighting %zu has coordinates (%g, %g) out of range",
		          r->path, r->delivered + 1, s->lon, s->lat);
		goto bad;
	}

	out.time = s->time;
	out.has_coords = s->has_coords != 0;
	out.lon = out.has_coords ? s->lon : 0.0;
	out.lat = out.has_coords ? s->lat : 0.0;
	out.crime_id = (s->crime_id && *s->crime_id) ? s->crime_id : NULL;
	out.individual_key = s->individual_key;
	out.confidence = s->confidence;
	out.watchlist = s->watchlist != 0;

	rc = r->sink(r->ctx, &out);
	if (rc) {
		r->sink_rc = rc;
		return rc;
	}
	r->delivered++;
	return 0;
bad:
	r->bad = 1;
	return 1;
}

int fm_run(const char *path, const char *config, int64_t from, int64_t to,
           fm_sink sink, void *ctx, char *name_out, size_t name_len,
           char *err, size_t errlen)
{
	char openerr[512] = "";
	char *real = NULL;
	void *lib = NULL;
	void *sym;
	crimetab_fm_entry_fn entry;
	const crimetab_fm_descriptor *d;
	crimetab_fm_handle *h = NULL;
	fm_relay relay;
	int rc = CT_EPLUGIN, prc;

	if (err && errlen)
		err[0] = '\0';
	if (name_out && name_len)
		name_out[0] = '\0';
	if (!path || !sink) {
		fm_seterr(err, errlen, "face-match plugin: no %s given", path ? "sink" : "path");
		return CT_EUSAGE;
	}

	real = fm_resolve_checked(path, err, errlen);
	if (!real)
		goto out;
	/* a truncated file would be mapped past its end: SIGBUS, no message */
	if (fm_elf_check(real, path, err, errlen) != 0)
		goto out;

	/* RTLD_LOCAL keeps one plugin's symbols from resolving another's;
	 * RTLD_NOW makes a missing dependency fail here, not mid-run. */
	lib = dlopen(real, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *why = dlerror();
		fm_seterr(err, errlen, "%s: cannot load plugin: %s", path, why ? why : "unknown error");
		goto out;
	}
	dlerror();
	sym = dlsym(lib, CRIMETAB_FM_ENTRY_NAME);
	if (!sym) {
		fm_seterr(err, errlen, "%s: not a crimetab face-match plugin (no %s symbol)",
		          path, CRIMETAB_FM_ENTRY_NAME);
		goto out;
	}
	/* POSIX guarantees a data pointer from dlsym converts to a function pointer. */
	entry = (crimetab_fm_entry_fn)sym;
	d = entry(CRIMETAB_FM_ABI_MAJOR, CRIMETAB_FM_ABI_MINOR);
	if (!d) {
		fm_seterr(err, errlen, "%s: plugin declined ABI version %d.%d", path,
		          CRIMETAB_FM_ABI_MAJOR, CRIMETAB_FM_ABI_MINOR);
		goto out;
	}
	/* The major comes first: under another major, struct_size means
	 * another layout, so its size says nothing. */
	if (d->abi_major != CRIMETAB_FM_ABI_MAJOR) {
		fm_seterr(err, errlen, "%s: ABI version %u.%u not supported (host speaks %d.x)",
		          path, (unsigned)d->abi_major, (unsigned)d->abi_minor, CRIMETAB_FM_ABI_MAJOR);
		goto out;
	}
	if (d->struct_size < CRIMETAB_FM_DESCRIPTOR_SIZE_1_0) {
		fm_seterr(err, errlen, "%s: plugin descriptor is %u bytes, host needs at least %zu (ABI %u.%u)",
		          path, (unsigned)d->struct_size, (size_t)CRIMETAB_FM_DESCRIPTOR_SIZE_1_0,
		          (unsigned)d->abi_major, (unsigned)d->abi_minor);
		goto out;
	}
	if (!d->name || !*d->name || !d->version || !d->open || !d->identify || !d->close ||
	    !d->last_error) {
		fm_seterr(err, errlen, "%s: plugin descriptor has empty fields", path);
		goto out;
	}
	if (name_out && name_len) {
		char nv[256];
		snprintf(nv, sizeof nv, "%s %s", d->name, d->version);
		fm_copy_clean(name_out, name_len, nv);
	}

	prc = d->open(config ? config : "", &h, openerr, sizeof openerr);
	openerr[sizeof openerr - 1] = '\0';
	if (prc != CRIMETAB_FM_OK || !h) {
		if (prc == CRIMETAB_FM_OK)
			fm_seterr(err, errlen, "%s: plugin open returned no handle", path);
		else
			fm_seterr(err, errlen, "%s: %s", path, *openerr ? openerr : "plugin open failed");
		/* A handle returned alongside a failure breaks the contract; closing
		 * it could free twice, so it is left alone. */
		h = NULL;
		goto out;
	}

	memset(&relay, 0, sizeof relay);
	relay.sink = sink;
	relay.ctx = ctx;
	relay.from = from;
	relay.to = to;
	relay.path = path;
	relay.err = err;
	relay.errlen = errlen;
	prc = d->identify(h, from, to, fm_relay_emit, &relay);
	if (relay.sink_rc) {
		fm_seterr(err, errlen, "%s: stopped by the caller after %zu sightings", path, relay.delivered);
		rc = relay.sink_rc;
	} else if (relay.bad) {
		rc = CT_EPLUGIN; /* err already says which promise broke */
	} else if (prc != CRIMETAB_FM_OK) {
		const char *why = d->last_error(h);
		fm_seterr(err, errlen, "%s: failed after %zu sightings: %s", path, relay.delivered,
		          why && *why ? why : "unknown error");
	} else {
		rc = CT_OK;
	}
	d->close(h);
out:
	if (lib)
		dlclose(lib);
	free(real);
	return rc;
}
