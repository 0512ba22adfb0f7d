/* facematch-embeddings: the state kept between runs in the folder the host
 * gives (crimetab_fm_host.state_dir): every sighting keyed so far that the
 * watchlist did not claim, with its key, time and embedding, so a later run
 * groups new sightings with the same individuals and reports merges.  It is
 * the only place that links a key to a face: it holds biometric data, and
 * the host keeps its folder private (mode 0700) and deletes it on request.
 *
 * The file, gallery.bin, in host byte order:
 *   "CTFMGAL1", u32 format 1, u32 dim, f64 threshold, u16 + bytes model,
 *   u64 count, then per exemplar: u16 + bytes id, u16 + bytes key,
 *   i64 time, f32 confidence, dim x u16 half-precision embedding;
 *   u64 FNV-1a of everything before it.
 * It is replaced whole (written beside, synced, renamed), so a crash
 * leaves the old one. */
#include "fme.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FME_MAGIC "CTFMGAL1"
#define FME_FORMAT 1u
#define FME_FILE "gallery.bin"

void fme_gallery_free(fme_gallery *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->id[i]);
		free(g->key[i]);
	}
	free(g->id);
	free(g->key);
	free(g->time);
	free(g->conf);
	free(g->emb);
	memset(g, 0, sizeof *g);
}

int fme_gallery_add(crimetab_fm_handle *h, fme_gallery *g, const char *id, const char *key, int64_t time,
                    float conf, const uint16_t *emb)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 256;
		char **ids = realloc(g->id, cap * sizeof *ids);
		if (ids)
			g->id = ids;
		char **keys = realloc(g->key, cap * sizeof *keys);
		if (keys)
			g->key = keys;
		int64_t *times = realloc(g->time, cap * sizeof *times);
		if (times)
			g->time = times;
		float *confs = realloc(g->conf, cap * sizeof *confs);
		if (confs)
			g->conf = confs;
		uint16_t *embs = realloc(g->emb, cap * h->dim * sizeof *embs);
		if (embs)
			g->emb = embs;
		if (!ids || !keys || !times || !confs || !embs)
			return -1;
		g->cap = cap;
	}
	g->id[g->n] = fme_strdup(id);
	g->key[g->n] = fme_strdup(key);
	if (!g->id[g->n] || !g->key[g->n]) {
		free(g->id[g->n]);
		free(g->key[g->n]);
		return -1;
	}
	g->time[g->n] = time;
	g->conf[g->n] = conf;
	memcpy(g->emb + g->n * h->dim, emb, h->dim * sizeof *emb);
	g->n++;
	return 0;
}

/* Reading and writing with a running checksum. */
typedef struct fme_io {
	FILE *fp;
	uint64_t sum;
	int bad;
} fme_io;

static void io_get(fme_io *io, void *p, size_t n)
{
	if (io->bad || fread(p, 1, n, io->fp) != n) {
		io->bad = 1;
		memset(p, 0, n);
		return;
	}
	io->sum = fme_fnv1a(p, n, io->sum);
}

static void io_put(fme_io *io, const void *p, size_t n)
{
	if (io->bad || fwrite(p, 1, n, io->fp) != n) {
		io->bad = 1;
		return;
	}
	io->sum = fme_fnv1a(p, n, io->sum);
}

/* A u16-length string; NULL when unreadable. */
static char *io_get_str(fme_io *io)
{
	uint16_t n;
	char *s;

	io_get(io, &n, sizeof n);
	if (io->bad || !(s = malloc((size_t)n + 1)))
		return NULL;
	io_get(io, s, n);
	s[n] = '\0';
	if (io->bad || strlen(s) != n) {
		free(s);
		io->bad = 1;
		return NULL;
	}
	return s;
}

static void io_put_str(fme_io *io, const char *s)
{
	size_t n = strlen(s);
	uint16_t len = (uint16_t)(n > 65535 ? 65535 : n);

	io_put(io, &len, sizeof len);
	io_put(io, s, len);
}

static const char *fme_model_tag(const crimetab_fm_handle *h)
{
	return h->model ? h->model : "";
}

int fme_state_load(crimetab_fm_handle *h)
{
	char path[4096], magic[8], *model = NULL;
	uint32_t format, dim;
	double threshold;
	uint64_t count, sum;
	fme_io io = { NULL, FME_FNV_SEED, 0 };
	int rc = CRIMETAB_FM_OK;

	snprintf(path, sizeof path, "%s/%s", h->state_dir, FME_FILE);
	io.fp = fopen(path, "rb");
	if (!io.fp)
		return errno == ENOENT ? CRIMETAB_FM_OK
		                       : fme_seterr(h, CRIMETAB_FM_EIO, "%s: %s", path, strerror(errno));
	io_get(&io, magic, sizeof magic);
	io_get(&io, &format, sizeof format);
	io_get(&io, &dim, sizeof dim);
	io_get(&io, &threshold, sizeof threshold);
	model = io_get_str(&io);
	io_get(&io, &count, sizeof count);
	if (io.bad || memcmp(magic, FME_MAGIC, sizeof magic) || format != FME_FORMAT || dim == 0 ||
	    dim > FME_MAX_DIM || !model) {
		rc = fme_seterr(h, CRIMETAB_FM_EDATA, "%s: not a facematch-embeddings state file of format %u", path,
		                FME_FORMAT);
		goto out;
	}
	if (threshold != h->threshold) {
		rc = fme_seterr(h, CRIMETAB_FM_ECONFIG,
		                "%s: the individuals known so far were matched with threshold %g, this run asks for "
		                "%g; keys would not mean the same: run with threshold=%g, or start again without "
		                "the state (crimetab facematch purge --all)",
		                path, threshold, h->threshold, threshold);
		goto out;
	}
	if (strcmp(model, fme_model_tag(h))) {
		rc = fme_seterr(h, CRIMETAB_FM_ECONFIG,
		                "%s: the individuals known so far come from model \"%s\", this run's from \"%s\"; "
		                "embeddings of different models cannot be compared",
		                path, model, fme_model_tag(h));
		goto out;
	}
	if (h->dim && h->dim != dim) {
		rc = fme_seterr(h, CRIMETAB_FM_EDATA,
		                "%s: the individuals known so far have %u-value embeddings, this run's have %zu", path,
		                dim, h->dim);
		goto out;
	}
	h->dim = dim;
	h->stride = (dim + FME_LANES - 1) / FME_LANES * FME_LANES;
	uint16_t *row = malloc(dim * sizeof *row);
	if (!row) {
		rc = fme_seterr(h, CRIMETAB_FM_ENOMEM, "out of memory");
		goto out;
	}
	for (uint64_t i = 0; i < count && !io.bad; i++) {
		char *id = io_get_str(&io), *key = io_get_str(&io);
		int64_t time;
		float conf;

		io_get(&io, &time, sizeof time);
		io_get(&io, &conf, sizeof conf);
		io_get(&io, row, dim * sizeof *row);
		if (!io.bad && (!id || !key || !*key || fme_gallery_add(h, &h->gallery, id, key, time, conf, row) != 0))
			io.bad = 1;
		free(id);
		free(key);
	}
	free(row);
	sum = io.sum;
	uint64_t stored;
	io_get(&io, &stored, sizeof stored);
	if (io.bad || stored != sum || fgetc(io.fp) != EOF) {
		fme_gallery_free(&h->gallery);
		rc = fme_seterr(h, CRIMETAB_FM_EDATA,
		                "%s: state file damaged (checksum or length); start again without it "
		                "(crimetab facematch purge --all)",
		                path);
	}
out:
	free(model);
	fclose(io.fp);
	return rc;
}

int fme_state_save(crimetab_fm_handle *h)
{
	char path[4096], tmp[4200];
	const fme_gallery *g = &h->gallery;
	uint32_t format = FME_FORMAT, dim = (uint32_t)h->dim;
	uint64_t count = g->n;
	fme_io io = { NULL, FME_FNV_SEED, 0 };
	int fd;

	snprintf(path, sizeof path, "%s/%s", h->state_dir, FME_FILE);
	snprintf(tmp, sizeof tmp, "%s/%s.new", h->state_dir, FME_FILE);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(io.fp = fdopen(fd, "wb"))) {
		if (fd >= 0)
			close(fd);
		return fme_seterr(h, CRIMETAB_FM_EIO, "%s: %s", tmp, strerror(errno));
	}
	io_put(&io, FME_MAGIC, 8);
	io_put(&io, &format, sizeof format);
	io_put(&io, &dim, sizeof dim);
	io_put(&io, &h->threshold, sizeof h->threshold);
	io_put_str(&io, fme_model_tag(h));
	io_put(&io, &count, sizeof count);
	for (size_t i = 0; i < g->n; i++) {
		io_put_str(&io, g->id[i]);
		io_put_str(&io, g->key[i]);
		io_put(&io, &g->time[i], sizeof g->time[i]);
		io_put(&io, &g->conf[i], sizeof g->conf[i]);
		io_put(&io, g->emb + i * h->dim, h->dim * sizeof *g->emb);
	}
	uint64_t sum = io.sum;
	io_put(&io, &sum, sizeof sum);
	if (io.bad || fflush(io.fp) != 0 || fsync(fileno(io.fp)) != 0) {
		fclose(io.fp);
		unlink(tmp);
		return fme_seterr(h, CRIMETAB_FM_EIO, "%s: cannot write the state: %s", tmp, strerror(errno));
	}
	if (fclose(io.fp) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return fme_seterr(h, CRIMETAB_FM_EIO, "%s: cannot write the state: %s", path, strerror(errno));
	}
	fd = open(h->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return CRIMETAB_FM_OK;
}
