/* Runs a face-match plugin in a child process and relays its reports over a
 * pipe, refusing anything that could not have been built against the ABI
 * this host speaks and anything the child sends that is not a well-formed
 * report.  The child holds no database handle: a crash, a hang or garbage
 * costs the run, never the host or its data. */
#include "plugin/fm_host.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <nettle/sha2.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/status.h"
#include "core/util.h"
#include "crimetab/facematch.h"
#include "plugin/fm_elf.h"
#include "plugin/fm_privacy.h"

/* ---- the wire: records the child writes and the parent reads ----
 * A record is a 12-byte header (magic "CTFM", type, three zero bytes, payload
 * length) and its payload: integers and doubles in host byte order (both
 * ends are this binary), strings as a u32 length (FM_NULL_STR for NULL) and
 * their bytes. */
#define FM_HDR 12
#define FM_MAX_PAYLOAD (1u << 20)
#define FM_NULL_STR 0xffffffffu
#define FM_MAX_INPUTS 64

static const unsigned char fm_magic[4] = {'C', 'T', 'F', 'M'};

enum {
	FM_REC_NAME = 'N',     /* the descriptor was accepted: name, version, ABI, plugin hash */
	FM_REC_INFO = 'I',     /* run information */
	FM_REC_SIGHTING = 'S', /* one sighting */
	FM_REC_MERGE = 'M',    /* two keys are one individual */
	FM_REC_END = 'E'       /* the run is over: status and message */
};

static void fm_seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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

int fm_sha256_file(const char *path, char hex[65], char *err, size_t errlen)
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	unsigned char buf[65536];
	size_t n;
	FILE *fp = fopen(path, "rb");

	hex[0] = '\0';
	if (!fp) {
		fm_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sha256_update(&ctx, n, buf);
	if (ferror(fp)) {
		fm_seterr(err, errlen, "%s: read error", path);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	sha256_digest(&ctx, sizeof d, d);
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return 0;
}

/* ---- checks before anything is loaded ---- */

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

/* ---- the child ---- */

static void w_u32(strbuf *b, uint32_t v)
{
	sb_add(b, (const char *)&v, sizeof v);
}

static void w_i64(strbuf *b, int64_t v)
{
	sb_add(b, (const char *)&v, sizeof v);
}

static void w_f64(strbuf *b, double v)
{
	sb_add(b, (const char *)&v, sizeof v);
}

/* At most FM_MAX_FIELD + 1 bytes, so the parent can tell "too long" without
 * the child reading a runaway string to its end. */
static void w_str(strbuf *b, const char *s)
{
	if (!s) {
		w_u32(b, FM_NULL_STR);
		return;
	}
	size_t n = strnlen(s, FM_MAX_FIELD + 1);
	w_u32(b, (uint32_t)n);
	sb_add(b, s, n);
}

/* Writes record TYPE with payload P; 0, or -1 once the parent is gone. */
static int fm_send(int fd, int type, const strbuf *p)
{
	unsigned char hdr[FM_HDR] = {0};
	uint32_t len = (uint32_t)p->len;
	const unsigned char *parts[2] = {hdr, (const unsigned char *)p->buf};
	size_t lens[2] = {FM_HDR, p->len};

	memcpy(hdr, fm_magic, sizeof fm_magic);
	hdr[4] = (unsigned char)type;
	memcpy(hdr + 8, &len, sizeof len);
	for (int k = 0; k < 2; k++) {
		size_t off = 0;
		while (off < lens[k]) {
			ssize_t w = write(fd, parts[k] + off, lens[k] - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
			off += (size_t)w;
		}
	}
	return 0;
}

typedef struct fm_child {
	int fd;
	const char *path; /* as the caller gave it, for messages */
	size_t emitted;
	int stop;         /* refuse everything from now on */
	char err[1024];   /* why, when the child itself stopped the run */
	strbuf b;
} fm_child;

static int fm_child_emit(void *ctx, const crimetab_fm_sighting *s)
{
	fm_child *c = ctx;

	if (c->stop)
		return 1; /* the plugin ignored an earlier stop: keep refusing */
	if (!s || s->size < CRIMETAB_FM_SIGHTING_SIZE_1_0) {
		fm_seterr(c->err, sizeof c->err, "%s: sighting struct is %u bytes, host needs at least %zu",
		          c->path, s ? (unsigned)s->size : 0u, (size_t)CRIMETAB_FM_SIGHTING_SIZE_1_0);
		c->stop = 1;
		return 1;
	}
	/* reserved_1_0 is never read: a 1.0 plugin's size covers its padding. */
	int v11 = s->size >= CRIMETAB_FM_SIGHTING_SIZE_1_1;
	sb_reset(&c->b);
	w_i64(&c->b, s->time);
	w_f64(&c->b, s->lon);
	w_f64(&c->b, s->lat);
	w_f64(&c->b, s->confidence);
	w_u32(&c->b, s->has_coords != 0);
	w_u32(&c->b, s->watchlist != 0);
	w_u32(&c->b, v11 && s->confirmed != 0);
	w_str(&c->b, s->individual_key);
	w_str(&c->b, s->crime_id);
	w_str(&c->b, v11 ? s->site_id : NULL);
	if (fm_send(c->fd, FM_REC_SIGHTING, &c->b) != 0) {
		c->stop = 1;
		return 1;
	}
	c->emitted++;
	return 0;
}

static int fm_child_merge(void *ctx, const char *from_key, const char *into_key)
{
	fm_child *c = ctx;

	if (c->stop)
		return 1;
	sb_reset(&c->b);
	w_str(&c->b, from_key);
	w_str(&c->b, into_key);
	if (fm_send(c->fd, FM_REC_MERGE, &c->b) != 0) {
		c->stop = 1;
		return 1;
	}
	return 0;
}

/* The run information record: the plugin's answer, and a hash of each input
 * it names, made here so the record says what was actually read. */
static void fm_child_info(fm_child *c, const crimetab_fm_run_info *ri)
{
	size_t n = 0;
	char hex[65], herr[256];

	sb_reset(&c->b);
	w_u32(&c->b, (uint32_t)ri->identity);
	w_f64(&c->b, ri->threshold);
	w_str(&c->b, ri->model_name);
	w_str(&c->b, ri->model_version);
	w_str(&c->b, ri->similarity);
	w_str(&c->b, ri->gallery_name);
	w_str(&c->b, ri->gallery_version);
	w_str(&c->b, ri->gallery_hash);
	w_str(&c->b, ri->options);
	while (ri->inputs && ri->inputs[n] && n < FM_MAX_INPUTS)
		n++;
	w_u32(&c->b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		w_str(&c->b, ri->inputs[i]);
		if (fm_sha256_file(ri->inputs[i], hex, herr, sizeof herr) != 0)
			snprintf(hex, sizeof hex, "unreadable");
		w_str(&c->b, hex);
	}
	if (fm_send(c->fd, FM_REC_INFO, &c->b) != 0)
		c->stop = 1;
}

/* Every descriptor but the pipe and the standard ones is closed, so the
 * plugin cannot reach the caller's database or files; stdout is pointed at
 * stderr, as a plugin must not write to it and the caller's stdout may be a
 * report.  Signals get their default actions: a handler the caller
 * installed (a test framework's, a sanitizer's) must not catch the
 * plugin's crash and carry on running the caller's code in the child. */
static void fm_child_isolate(int keep)
{
	long max = sysconf(_SC_OPEN_MAX);
	sigset_t none;

	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
	dup2(STDERR_FILENO, STDOUT_FILENO);
	signal(SIGPIPE, SIG_IGN);
}

static void fm_child_main(int fd, const char *path, const char *real, const fm_request *req, int merges)
	__attribute__((noreturn));

static void fm_child_main(int fd, const char *path, const char *real, const fm_request *req, int merges)
{
	fm_child c = {.fd = fd, .path = path};
	char hex[65] = "", openerr[512] = "", msg[1024] = "";
	void *lib = NULL, *sym;
	const crimetab_fm_descriptor *d = NULL;
	crimetab_fm_handle *h = NULL;
	uint32_t status = CT_EPLUGIN;
	int prc, lfd = -1;

	fm_child_isolate(fd);
	if (fm_sha256_file(real, hex, msg, sizeof msg) != 0)
		goto end;
	/* RTLD_LOCAL keeps one plugin's symbols from resolving another's;
	 * RTLD_NOW makes a missing dependency fail here, not mid-run. */
	lib = dlopen(real, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *why = dlerror();
		fm_seterr(msg, sizeof msg, "%s: cannot load plugin: %s", path, why ? why : "unknown error");
		goto end;
	}
	dlerror();
	sym = dlsym(lib, CRIMETAB_FM_ENTRY_NAME);
	if (!sym) {
		fm_seterr(msg, sizeof msg, "%s: not a crimetab face-match plugin (no %s symbol)", path,
		          CRIMETAB_FM_ENTRY_NAME);
		goto end;
	}
	/* POSIX guarantees a data pointer from dlsym converts to a function pointer. */
	d = ((crimetab_fm_entry_fn)sym)(CRIMETAB_FM_ABI_MAJOR, CRIMETAB_FM_ABI_MINOR);
	if (!d) {
		fm_seterr(msg, sizeof msg, "%s: plugin declined ABI version %d.%d", path, CRIMETAB_FM_ABI_MAJOR,
		          CRIMETAB_FM_ABI_MINOR);
		goto end;
	}
	/* The major comes first: under another major, struct_size means
	 * another layout, so its size says nothing. */
	if (d->abi_major != CRIMETAB_FM_ABI_MAJOR) {
		fm_seterr(msg, sizeof msg, "%s: ABI version %u.%u not supported (host speaks %d.x)", path,
		          (unsigned)d->abi_major, (unsigned)d->abi_minor, CRIMETAB_FM_ABI_MAJOR);
		goto end;
	}
	if (d->struct_size < CRIMETAB_FM_DESCRIPTOR_SIZE_1_0) {
		fm_seterr(msg, sizeof msg, "%s: plugin descriptor is %u bytes, host needs at least %zu (ABI %u.%u)",
		          path, (unsigned)d->struct_size, (size_t)CRIMETAB_FM_DESCRIPTOR_SIZE_1_0,
		          (unsigned)d->abi_major, (unsigned)d->abi_minor);
		goto end;
	}
	if (!d->name || !*d->name || !d->version || !d->open || !d->identify || !d->close || !d->last_error) {
		fm_seterr(msg, sizeof msg, "%s: plugin descriptor has empty fields", path);
		goto end;
	}
	sb_reset(&c.b);
	w_u32(&c.b, d->abi_major);
	w_u32(&c.b, d->abi_minor);
	w_str(&c.b, d->name);
	w_str(&c.b, d->version);
	w_str(&c.b, hex);
	if (fm_send(fd, FM_REC_NAME, &c.b) != 0)
		goto end;

	/* The plugin's own state folder: under the root, by its name. */
	char state[PATH_MAX] = "";
	if (req->state_dir) {
		size_t k = strspn(d->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
		if (d->name[k] || d->name[0] == '.') {
			fm_seterr(msg, sizeof msg, "%s: plugin name \"%s\" cannot name a state folder (letters, digits, "
			          "'.', '_', '-')", path, d->name);
			goto end;
		}
		snprintf(state, sizeof state, "%s/%s", req->state_dir, d->name);
		if (fm_state_prepare(state, openerr, sizeof openerr) != CT_OK) {
			fm_seterr(msg, sizeof msg, "%s: %s", path, openerr);
			goto end;
		}
		/* one run at a time on a state: held until this process ends */
		char lock[PATH_MAX + 8];
		snprintf(lock, sizeof lock, "%s.lock", state);
		lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (lfd < 0 || flock(lfd, LOCK_EX | LOCK_NB) != 0) {
			fm_seterr(msg, sizeof msg, "%s: another run of %s is using its state (%s); try again when it has "
			          "finished", path, d->name, lfd < 0 ? strerror(errno) : "locked");
			goto end;
		}
	}

	int has_open_host = d->struct_size >= CRIMETAB_FM_SIZE_THROUGH(crimetab_fm_descriptor, open_host) &&
			    d->open_host;
	int has_run_info = d->struct_size >= CRIMETAB_FM_DESCRIPTOR_SIZE_1_1 && d->run_info;
	if (has_open_host) {
		crimetab_fm_host host = {
			.size = sizeof host,
			.abi_major = CRIMETAB_FM_ABI_MAJOR,
			.abi_minor = CRIMETAB_FM_ABI_MINOR,
			.state_dir = *state ? state : NULL,
			.forget_before = req->forget_before,
			.merge = merges ? fm_child_merge : NULL,
		};
		prc = d->open_host(&host, req->config ? req->config : "", &h, openerr, sizeof openerr);
	} else {
		prc = d->open(req->config ? req->config : "", &h, openerr, sizeof openerr);
	}
	openerr[sizeof openerr - 1] = '\0';
	if (prc != CRIMETAB_FM_OK || !h) {
		if (prc == CRIMETAB_FM_OK)
			fm_seterr(msg, sizeof msg, "%s: plugin open returned no handle", path);
		else
			fm_seterr(msg, sizeof msg, "%s: %s", path, *openerr ? openerr : "plugin open failed");
		/* A handle returned alongside a failure breaks the contract; closing
		 * it could free twice, so it is left alone. */
		h = NULL;
		goto end;
	}
	if (has_run_info) {
		crimetab_fm_run_info ri;
		memset(&ri, 0, sizeof ri);
		ri.size = sizeof ri;
		ri.threshold = NAN;
		if (d->run_info(h, &ri) != CRIMETAB_FM_OK) {
			const char *why = d->last_error(h);
			fm_seterr(msg, sizeof msg, "%s: run information: %s", path, why && *why ? why : "failed");
			goto end;
		}
		fm_child_info(&c, &ri);
		if (c.stop)
			goto end;
	}
	prc = d->identify(h, req->from, req->to, fm_child_emit, &c);
	if (*c.err) {
		snprintf(msg, sizeof msg, "%s", c.err); /* the plugin broke a promise */
	} else if (c.stop) {
		msg[0] = '\0'; /* the parent stopped reading: it knows why */
	} else if (prc != CRIMETAB_FM_OK) {
		const char *why = d->last_error(h);
		fm_seterr(msg, sizeof msg, "%s: failed after %zu sightings: %s", path, c.emitted,
		          why && *why ? why : "unknown error");
	} else {
		status = CT_OK;
	}
end:
	if (h)
		d->close(h);
	if (lib)
		dlclose(lib);
	if (lfd >= 0)
		close(lfd);
	sb_reset(&c.b);
	w_u32(&c.b, status);
	w_str(&c.b, msg);
	fm_send(fd, FM_REC_END, &c.b);
	sb_release(&c.b);
	close(fd);
	_exit(0);
}

/* ---- the parent ---- */

typedef struct fm_cursor {
	const unsigned char *p;
	size_t left;
	int bad;
} fm_cursor;

/* The next N bytes into OUT; zeros, and the cursor marked bad, past the end. */
static void r_bytes(fm_cursor *c, void *out, size_t n)
{
	if (c->bad || c->left < n) {
		c->bad = 1;
		memset(out, 0, n);
		return;
	}
	memcpy(out, c->p, n);
	c->p += n;
	c->left -= n;
}

static uint32_t r_u32(fm_cursor *c)
{
	uint32_t v;
	r_bytes(c, &v, sizeof v);
	return v;
}

static int64_t r_i64(fm_cursor *c)
{
	int64_t v;
	r_bytes(c, &v, sizeof v);
	return v;
}

static double r_f64(fm_cursor *c)
{
	double v;
	r_bytes(c, &v, sizeof v);
	return v;
}

/* A string into BUF (FM_MAX_FIELD + 2 bytes): *IS_NULL for NULL, *LONG when
 * it was longer than FM_MAX_FIELD.  A NUL inside, or a length past the
 * record, is malformed. */
static void r_str(fm_cursor *c, char *buf, int *is_null, int *is_long)
{
	uint32_t n = r_u32(c);

	buf[0] = '\0';
	*is_null = 0;
	*is_long = 0;
	if (c->bad)
		return;
	if (n == FM_NULL_STR) {
		*is_null = 1;
		return;
	}
	if (n > FM_MAX_FIELD + 1 || n > c->left || memchr(c->p, '\0', n)) {
		c->bad = 1;
		return;
	}
	memcpy(buf, c->p, n);
	buf[n] = '\0';
	*is_long = n > FM_MAX_FIELD;
	c->p += n;
	c->left -= n;
}

/* An owned copy of a string field, or NULL. */
static char *r_dup(fm_cursor *c)
{
	char buf[FM_MAX_FIELD + 2];
	int is_null, is_long;

	r_str(c, buf, &is_null, &is_long);
	return c->bad || is_null ? NULL : xstrdup(buf);
}

typedef struct fm_parent {
	const char *path;
	const fm_request *req;
	const fm_callbacks *cb;
	fm_info *info;
	size_t delivered;
	int named, ended, end_status;
	int cb_rc;       /* a callback's non-zero return */
	int bad;         /* the plugin broke a promise or sent garbage; reason in err */
	char *err;
	size_t errlen;
} fm_parent;

static void fm_bad(fm_parent *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fm_bad(fm_parent *p, const char *fmt, ...)
{
	char reason[768];
	va_list ap;

	if (p->bad || p->cb_rc)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	fm_seterr(p->err, p->errlen, "%s: %s", p->path, reason);
	p->bad = 1;
}

static void fm_malformed(fm_parent *p, const char *what)
{
	fm_bad(p, "plugin sent malformed data after %zu sightings (%s); stopped", p->delivered, what);
}

static void fm_on_name(fm_parent *p, fm_cursor *c)
{
	fm_info *i = p->info;
	unsigned maj = r_u32(c), min = r_u32(c);
	char *name = r_dup(c), *version = r_dup(c), *hex = r_dup(c);

	if (c->bad || c->left || !name || !version || !hex || strlen(hex) != 64) {
		fm_malformed(p, "bad name record");
	} else {
		i->abi_major = maj;
		i->abi_minor = min;
		free(i->name);
		free(i->version);
		i->name = name;
		i->version = version;
		name = version = NULL;
		snprintf(i->plugin_sha256, sizeof i->plugin_sha256, "%s", hex);
		p->named = 1;
	}
	free(name);
	free(version);
	free(hex);
}

static int fm_printable(const char *s)
{
	return ct_utf8_valid(s, strlen(s));
}

static void fm_on_info(fm_parent *p, fm_cursor *c)
{
	fm_info *i = p->info;
	strbuf inputs = {0};

	i->identity = (int)r_u32(c);
	i->threshold = r_f64(c);
	char **fields[] = {&i->model_name, &i->model_version, &i->similarity, &i->gallery_name,
			   &i->gallery_version, &i->gallery_hash, &i->options};
	for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
		free(*fields[k]);
		*fields[k] = r_dup(c);
		if (*fields[k] && !fm_printable(*fields[k]))
			c->bad = 1;
	}
	uint32_t n = r_u32(c);
	if (n > FM_MAX_INPUTS)
		c->bad = 1;
	for (uint32_t k = 0; !c->bad && k < n; k++) {
		char *path = r_dup(c), *hex = r_dup(c);
		if (!path || !hex || !fm_printable(path))
			c->bad = 1;
		else
			sb_printf(&inputs, "%s%s sha256:%s", k ? "\n" : "", path, hex);
		free(path);
		free(hex);
	}
	if (c->bad || c->left || (i->identity != CRIMETAB_FM_IDENTITY_RUN &&
				  i->identity != CRIMETAB_FM_IDENTITY_PERSISTENT)) {
		sb_release(&inputs);
		fm_malformed(p, "bad run information record");
		return;
	}
	if (!isfinite(i->threshold))
		i->threshold = NAN;
	free(i->inputs);
	i->inputs = inputs.len ? sb_detach(&inputs) : NULL;
	sb_release(&inputs);
	i->has_run_info = 1;
}

static void fm_on_sighting(fm_parent *p, fm_cursor *c)
{
	char key[FM_MAX_FIELD + 2], crime[FM_MAX_FIELD + 2], site[FM_MAX_FIELD + 2];
	int key_null, key_long, crime_null, crime_long, site_null, site_long;
	fm_sighting s;
	size_t nth = p->delivered + 1;

	memset(&s, 0, sizeof s);
	s.time = r_i64(c);
	s.lon = r_f64(c);
	s.lat = r_f64(c);
	s.confidence = r_f64(c);
	s.has_coords = r_u32(c) != 0;
	s.watchlist = r_u32(c) != 0;
	s.confirmed = r_u32(c) != 0;
	r_str(c, key, &key_null, &key_long);
	r_str(c, crime, &crime_null, &crime_long);
	r_str(c, site, &site_null, &site_long);
	if (c->bad || c->left) {
		fm_malformed(p, "bad sighting record");
		return;
	}
	if (key_null || !*key) {
		fm_bad(p, "sighting %zu has no individual key", nth);
		return;
	}
	if (key_long || crime_long || site_long) {
		fm_bad(p, "sighting %zu has a %s longer than %d bytes", nth,
		       key_long ? "key" : crime_long ? "crime id" : "site id", FM_MAX_FIELD);
		return;
	}
	if (s.time < p->req->from || s.time >= p->req->to) {
		fm_bad(p, "sighting at time %lld is outside the requested range [%lld, %lld)", (long long)s.time,
		       (long long)p->req->from, (long long)p->req->to);
		return;
	}
	if (!isfinite(s.confidence) || s.confidence < 0.0 || s.confidence > 1.0) {
		fm_bad(p, "sighting %zu has confidence %g outside 0..1", nth, s.confidence);
		return;
	}
	if (s.has_coords &&
	    !(isfinite(s.lon) && isfinite(s.lat) && fabs(s.lon) <= 180.0 && fabs(s.lat) <= 90.0)) {
		fm_bad(p, "sighting %zu has coordinates (%g, %g) out of range", nth, s.lon, s.lat);
		return;
	}
	if ((!crime_null && !fm_printable(crime)) || (!site_null && !fm_printable(site))) {
		fm_bad(p, "sighting %zu has a %s that is not UTF-8 text", nth,
		       !crime_null && !fm_printable(crime) ? "crime id" : "site id");
		return;
	}
	if (!s.has_coords)
		s.lon = s.lat = 0.0;
	s.individual_key = key;
	s.crime_id = !crime_null && *crime ? crime : NULL;
	s.site_id = !site_null && *site ? site : NULL;
	int rc = p->cb->sighting(p->cb->ctx, &s);
	if (rc) {
		p->cb_rc = rc;
		fm_seterr(p->err, p->errlen, "%s: stopped by the caller after %zu sightings", p->path, p->delivered);
		return;
	}
	p->delivered++;
}

static void fm_on_merge(fm_parent *p, fm_cursor *c)
{
	char from[FM_MAX_FIELD + 2], into[FM_MAX_FIELD + 2];
	int from_null, from_long, into_null, into_long;

	r_str(c, from, &from_null, &from_long);
	r_str(c, into, &into_null, &into_long);
	if (c->bad || c->left) {
		fm_malformed(p, "bad merge record");
		return;
	}
	if (!p->cb->merge) {
		fm_bad(p, "plugin reported a merge, which this host did not offer");
		return;
	}
	if (from_null || into_null || !*from || !*into || from_long || into_long || !strcmp(from, into)) {
		fm_bad(p, "plugin reported a merge of an empty, overlong or identical key");
		return;
	}
	int rc = p->cb->merge(p->cb->ctx, from, into);
	if (rc) {
		p->cb_rc = rc;
		fm_seterr(p->err, p->errlen, "%s: stopped by the caller after %zu sightings", p->path, p->delivered);
	}
}

static void fm_on_end(fm_parent *p, fm_cursor *c)
{
	char msg[FM_MAX_FIELD + 2];
	int is_null, is_long;
	uint32_t status = r_u32(c);

	r_str(c, msg, &is_null, &is_long);
	if (c->bad || c->left) {
		fm_malformed(p, "bad end record");
		return;
	}
	p->ended = 1;
	p->end_status = status == CT_OK ? CT_OK : CT_EPLUGIN;
	/* the child's messages start with the path; anything else gets it */
	if (status != CT_OK && !p->bad && !p->cb_rc) {
		if (!*msg)
			fm_seterr(p->err, p->errlen, "%s: plugin failed", p->path);
		else if (strncmp(msg, p->path, strlen(p->path)) != 0 || msg[strlen(p->path)] != ':')
			fm_seterr(p->err, p->errlen, "%s: %s", p->path, msg);
		else
			fm_seterr(p->err, p->errlen, "%s", msg);
	}
}

/* Handles every complete record at the front of BUF; returns the bytes used. */
static size_t fm_parse(fm_parent *p, const unsigned char *buf, size_t len)
{
	size_t used = 0;

	while (!p->bad && !p->cb_rc && len - used >= FM_HDR) {
		const unsigned char *h = buf + used;
		uint32_t plen;
		int type = h[4];

		memcpy(&plen, h + 8, sizeof plen);
		if (memcmp(h, fm_magic, sizeof fm_magic) != 0 || h[5] || h[6] || h[7] || plen > FM_MAX_PAYLOAD) {
			fm_malformed(p, "bad record header");
			break;
		}
		if (len - used - FM_HDR < plen)
			break;
		fm_cursor c = {h + FM_HDR, plen, 0};
		if (p->ended) {
			fm_malformed(p, "data after the end of the run");
		} else if (type == FM_REC_END) {
			fm_on_end(p, &c);
		} else if (!p->named) {
			if (type == FM_REC_NAME)
				fm_on_name(p, &c);
			else
				fm_malformed(p, "report before the plugin's name");
		} else if (type == FM_REC_INFO && !p->info->has_run_info && p->delivered == 0) {
			fm_on_info(p, &c);
		} else if (type == FM_REC_SIGHTING) {
			fm_on_sighting(p, &c);
		} else if (type == FM_REC_MERGE) {
			fm_on_merge(p, &c);
		} else {
			fm_malformed(p, "unexpected record");
		}
		used += FM_HDR + plen;
	}
	return used;
}

int fm_parse_reports(const unsigned char *buf, size_t len, const fm_request *req, const fm_callbacks *cb,
		     fm_info *info, char *err, size_t errlen)
{
	fm_parent p;

	if (err && errlen)
		err[0] = '\0';
	memset(&p, 0, sizeof p);
	p.path = "reports";
	p.req = req;
	p.cb = cb;
	p.info = info;
	p.err = err;
	p.errlen = errlen;
	info->threshold = NAN;
	size_t used = fm_parse(&p, buf, len);
	if (p.cb_rc)
		return p.cb_rc;
	if (!p.bad && used < len)
		fm_malformed(&p, "truncated record");
	if (!p.bad && !p.ended)
		fm_bad(&p, "no end of the run");
	if (!p.bad && p.end_status != CT_OK)
		p.bad = 1;
	return p.bad ? CT_EPLUGIN : CT_OK;
}

/* Waits for PID until DEADLINE (0: forever), killing it then; *STATUS is
 * its wait status.  Returns 1 if it had to be killed. */
static int fm_reap(pid_t pid, double deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, deadline > 0 ? WNOHANG : 0);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR) {
			*status = 0;
			return 0;
		}
		if (deadline > 0 && ct_now() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return 1;
		}
		if (r == 0) {
			struct timespec ts = {0, 5 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
}

void fm_info_clear(fm_info *i)
{
	if (!i)
		return;
	free(i->name);
	free(i->version);
	free(i->model_name);
	free(i->model_version);
	free(i->similarity);
	free(i->gallery_name);
	free(i->gallery_version);
	free(i->gallery_hash);
	free(i->options);
	free(i->inputs);
	memset(i, 0, sizeof *i);
}

int fm_run(const char *path, const fm_request *req, const fm_callbacks *cb, fm_info *info, char *err,
           size_t errlen)
{
	fm_info local;
	fm_parent p;
	char *real = NULL;
	int fds[2] = {-1, -1}, status = 0, killed = 0, timed_out = 0, eof = 0;
	pid_t pid;
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	double deadline;

	if (err && errlen)
		err[0] = '\0';
	if (!info) {
		memset(&local, 0, sizeof local);
		info = &local;
	}
	info->threshold = NAN;
	if (!path || !req || !cb || !cb->sighting) {
		fm_seterr(err, errlen, "face-match plugin: no %s given", path ? "request or callback" : "path");
		return CT_EUSAGE;
	}
	memset(&p, 0, sizeof p);
	p.path = path;
	p.req = req;
	p.cb = cb;
	p.info = info;
	p.err = err;
	p.errlen = errlen;

	real = fm_resolve_checked(path, err, errlen);
	if (!real)
		goto fail;
	/* a truncated file would be mapped past its end: SIGBUS in the child,
	 * and a message only from here */
	if (fm_elf_check(real, path, err, errlen) != 0)
		goto fail;
	if (pipe(fds) != 0) {
		fm_seterr(err, errlen, "%s: cannot start the plugin: %s", path, strerror(errno));
		goto fail;
	}
	/* Nothing buffered may be written twice, by parent and child. */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fm_seterr(err, errlen, "%s: cannot start the plugin: %s", path, strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		close(fds[0]);
		fm_child_main(fds[1], path, real, req, cb->merge != NULL);
	}
	close(fds[1]);
	fds[1] = -1;
	deadline = req->timeout > 0 ? ct_now() + req->timeout : 0;

	while (!eof && !p.bad && !p.cb_rc) {
		int ms = -1;
		if (deadline > 0) {
			double left = deadline - ct_now();
			if (left <= 0) {
				timed_out = 1;
				break;
			}
			ms = left > 3600 ? 3600 * 1000 : (int)(left * 1000) + 1;
		}
		struct pollfd pfd = {fds[0], POLLIN, 0};
		int r = poll(&pfd, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fm_bad(&p, "cannot read from the plugin: %s", strerror(errno));
			break;
		}
		if (r == 0)
			continue;
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 131072;
			buf = xrealloc(buf, cap);
		}
		ssize_t n = read(fds[0], buf + len, cap - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			fm_bad(&p, "cannot read from the plugin: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			eof = 1;
			continue;
		}
		len += (size_t)n;
		size_t used = fm_parse(&p, buf, len);
		memmove(buf, buf + used, len - used);
		len -= used;
		/* a record can be at most this big; anything more is garbage that
		 * fm_parse has already refused */
		if (len > FM_HDR + FM_MAX_PAYLOAD)
			fm_malformed(&p, "oversized record");
	}
	close(fds[0]);
	fds[0] = -1;
	if (timed_out || p.bad || p.cb_rc) {
		kill(pid, SIGKILL);
		fm_reap(pid, 0, &status);
	} else {
		killed = fm_reap(pid, deadline, &status);
		timed_out = killed;
	}

	if (p.cb_rc) {
		free(buf);
		free(real);
		if (info == &local)
			fm_info_clear(&local);
		return p.cb_rc;
	}
	if (timed_out) {
		fm_seterr(err, errlen, "%s: plugin did not finish within %d s; stopped after %zu sightings", path,
		          req->timeout, p.delivered);
		p.bad = 1;
	} else if (p.bad) {
		/* err says why */
	} else if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		fm_seterr(err, errlen, "%s: plugin crashed (signal %d, %s) after %zu sightings", path, sig,
		          strsignal(sig), p.delivered);
		p.bad = 1;
	} else if (len) {
		fm_malformed(&p, "truncated record");
	} else if (!p.ended) {
		fm_seterr(err, errlen, "%s: plugin process ended without finishing (exit status %d) after %zu sightings",
		          path, WIFEXITED(status) ? WEXITSTATUS(status) : -1, p.delivered);
		p.bad = 1;
	} else if (p.end_status != CT_OK) {
		p.bad = 1; /* err holds the child's message */
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fm_seterr(err, errlen, "%s: plugin process exited with status %d", path,
		          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		p.bad = 1;
	}
	free(buf);
	free(real);
	if (info == &local)
		fm_info_clear(&local);
	return p.bad ? CT_EPLUGIN : CT_OK;
fail:
	free(real);
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (info == &local)
		fm_info_clear(&local);
	return CT_EPLUGIN;
}
