/* facematch-embeddings, the reference face-match plugin: what its parts
 * (input, matching, state) share.  Internal: the plugin exports only the
 * entry symbol of include/crimetab/facematch.h. */
#ifndef FME_H
#define FME_H

#include <crimetab/facematch.h>

#include <stddef.h>
#include <stdint.h>

#define FME_NAME "facematch-embeddings"
#ifndef FME_VERSION
#define FME_VERSION "1.1.0"
#endif
#define FME_DEFAULT_THRESHOLD 0.6
#define FME_MAX_DIM 8192
#define FME_MAX_THREADS 8
/* Floats summed side by side in a similarity; rows are padded to a
 * multiple of it. */
#define FME_LANES 16
/* "ind-" + 16 hex digits + NUL. */
#define FME_KEY_LEN 21

/* One line of an input file.  An embedding is kept as IEEE half-precision
 * (dim values) in its set's EMB: a 100,000 x 512 input takes 100 MB, not
 * 200; similarities are computed from those values. */
typedef struct fme_rec {
	char *id;
	char *crime_id; /* or NULL */
	char *site;     /* or NULL */
	int64_t time;
	int has_coords, confirmed;
	double lon, lat;
	long line;
} fme_rec;

typedef struct fme_set {
	const char *path;
	fme_rec *recs;
	size_t n, cap;
	uint16_t *emb; /* cap x dim */
} fme_set;

/* The state kept between runs (see fme_state.c): every sighting keyed so
 * far that the watchlist did not claim, with its key. */
typedef struct fme_gallery {
	size_t n, cap;
	char **id, **key;
	int64_t *time;
	float *conf;
	uint16_t *emb; /* n x dim */
} fme_gallery;

struct crimetab_fm_handle {
	char *sightings_path, *watchlist_path, *model, *model_version;
	double threshold;
	size_t dim, stride; /* stride: dim rounded up to FME_LANES */
	int threads;
	int f16c;       /* the CPU converts half precision itself */
	int exhaustive; /* search=exhaustive: compare every pair, skipping nothing */
	fme_set sight, watch;
	double *scratch; /* one embedding as parsed, FME_MAX_DIM values */

	/* ABI 1.1: what the host offered */
	char *state_dir;
	int64_t forget_before;
	crimetab_fm_merge_fn merge;

	fme_gallery gallery;
	char gallery_hash[72];  /* "sha256:" + hex of the watchlist file, or "" */
	char gallery_version[32];
	char options[256];
	const char *inputs[3];

	int matched;
	const char **key;            /* per sighting: its key (into keybuf, a gallery id or the state) */
	char (*keybuf)[FME_KEY_LEN]; /* per sighting */
	double *conf;                /* per sighting */
	unsigned char *on_watchlist; /* per sighting */
	unsigned char *skip;         /* per sighting: forgotten (retention), not reported */
	char **merge_from, **merge_into; /* keys of earlier runs found to be one individual */
	size_t nmerges;

	char err[512];
};

int fme_seterr(crimetab_fm_handle *h, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
char *fme_strdup(const char *s);
uint64_t fme_fnv1a(const void *p, size_t n, uint64_t seed);
#define FME_FNV_SEED 14695981039346656037ULL

/* ---- fme_input.c ---- */
/* Reads the JSON Lines file PATH into SET (a sighting file when SIGHTINGS);
 * the first embedding fixes h->dim unless the config did.  Every line is
 * checked; the first bad one fails with "PATH:LINE: reason". */
int fme_load(crimetab_fm_handle *h, fme_set *set, const char *path, int sightings);
void fme_set_free(fme_set *set);

/* ---- fme_match.c ---- */
/* Half-precision to single and back (round to nearest, ties to even). */
float fme_h2f(uint16_t h);
uint16_t fme_f2h(float f);
/* Whether this CPU has F16C (and AVX). */
int fme_has_f16c(void);
/* Assigns every sighting a key and a confidence (and fills the merges);
 * runs once per handle. */
int fme_match(crimetab_fm_handle *h);

/* ---- fme_state.c ---- */
/* Loads the gallery from h->state_dir (none yet is an empty gallery),
 * refusing one made with another dimension or threshold. */
int fme_state_load(crimetab_fm_handle *h);
/* Writes h->gallery to h->state_dir, atomically. */
int fme_state_save(crimetab_fm_handle *h);
void fme_gallery_free(fme_gallery *g);
/* Appends an exemplar (copies ID and KEY); 0 or -1 when out of memory. */
int fme_gallery_add(crimetab_fm_handle *h, fme_gallery *g, const char *id, const char *key, int64_t time,
                    float conf, const uint16_t *emb);

#endif
