/* facematch-embeddings: who is who.
 *
 * Two sightings are linked when the similarity of their embeddings (a dot
 * product of unit vectors: the cosine) reaches the threshold, and an
 * individual is a connected group of linked sightings (single linkage).
 * The answer is defined pair by pair, by one similarity function
 * (fme_sim), so it does not depend on the order of the input, on how it is
 * split into runs, on threads or on the CPU.
 *
 * Finding the groups without comparing all n^2/2 pairs: the sightings
 * grouped so far form blocks, each with a centre c (a unit vector) and a
 * radius r (no member is further than r from c, as an angle).  A new
 * sighting x at angle a from c is at least a - r from every member
 * (triangle inequality on the sphere), so when a - r exceeds the angle of
 * the threshold, no member can link with x and the block is skipped
 * without looking at its members.  Margins cover the rounding of every
 * number involved, so a skipped block never held a link: the groups are
 * exactly those of the all-pairs comparison.  Otherwise the members are
 * compared with x one by one until one links.
 *
 * Different people's faces are far apart in a good embedding space (near
 * 90 degrees in 512-d), one person's are near each other, so almost every
 * block is skipped on its centre alone: the cost is about one dot product
 * per sighting per individual, done in batches as a matrix product
 * (sightings x centres) with AVX-512 or AVX2 where the CPU has them.
 * Where people are not well apart (a threshold too low for the noise) few
 * blocks can be skipped and the cost tends to all pairs again, still with
 * the same answer. */
#include "fme.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define FME_X86 1
#endif

/* Rounding allowances, as cosines: FME_EPS_DOT for a dot product of
 * half-precision unit vectors computed in single precision (their norms are
 * 1 within 5e-4; sums of 512 products err by under 1e-4), FME_EPS_SIM for
 * the similarity the threshold is compared with. */
#define FME_EPS_DOT 1e-3
#define FME_EPS_SIM 2e-3
/* Sightings per batch, at most: the centres are compared with a batch at
 * once, and the batch with itself (a cost that grows with the batch).
 * Batches start small, so early blocks get centres soon. */
#define FME_BATCH_MAX 512
#define FME_BATCH_MIN 64
/* Rows per block of the batch's products with itself. */
#define FME_TRI_STEP 128
/* Centres per tile of the matrix product: 256 x 512 floats stay in L2. */
#define FME_CTILE 256

/* ---- half precision ---- */

float fme_h2f(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, x;
	float f;

	if (exp == 0) {
		f = (float)mant * (1.0f / 16777216.0f); /* subnormal: exact */
		return sign ? -f : f;
	}
	x = sign | (exp == 31 ? 0x7f800000u | (mant << 13) : ((exp + 112) << 23) | (mant << 13));
	memcpy(&f, &x, sizeof f);
	return f;
}

uint16_t fme_f2h(float f)
{
	uint32_t x, sign, abs, h, rem;

	memcpy(&x, &f, sizeof x);
	sign = (x >> 16) & 0x8000;
	abs = x & 0x7fffffff;
	if (abs >= 0x477ff000) /* rounds to 65536 or more (never for a unit vector) */
		return (uint16_t)(sign | 0x7c00);
	if (abs < 0x38800000) { /* below 2^-14: a subnormal half */
		float v;
		memcpy(&v, &abs, sizeof v);
		return (uint16_t)(sign | (uint32_t)lrintf(v * 16777216.0f));
	}
	h = (abs >> 13) - ((127 - 15) << 10);
	rem = abs & 0x1fff;
	if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
		h++;
	return (uint16_t)(sign | h);
}

#ifdef FME_X86
/* The same conversion by the CPU's F16C instructions: exact, so the same
 * floats, only faster. */
__attribute__((target("avx,f16c"))) static void fme_row_f16c(const uint16_t *row, size_t dim, float *out)
{
	size_t k = 0;

	for (; k + 8 <= dim; k += 8)
		_mm256_storeu_ps(out + k, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + k))));
	for (; k < dim; k++)
		out[k] = fme_h2f(row[k]);
}

#endif

int fme_has_f16c(void)
{
#ifdef FME_X86
	unsigned a, b, c, d;

	__builtin_cpu_init();
	return __builtin_cpu_supports("avx") && __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
#else
	return 0;
#endif
}

/* Row ROW (dim halves) as STRIDE floats, zero-padded. */
static void fme_row(const crimetab_fm_handle *h, const uint16_t *row, float *out)
{
	size_t k = 0;

#ifdef FME_X86
	if (h->f16c) {
		fme_row_f16c(row, h->dim, out);
		k = h->dim;
	}
#endif
	for (; k < h->dim; k++)
		out[k] = fme_h2f(row[k]);
	for (; k < h->stride; k++)
		out[k] = 0.0f;
}

/* The similarity the threshold is compared with: per-lane sums in a fixed
 * order, the same on every machine. */
static float fme_sim(const float *a, const float *b, size_t stride)
{
	float acc[FME_LANES] = { 0 }, s = 0.0f;

	for (size_t k = 0; k < stride; k += FME_LANES)
		for (int l = 0; l < FME_LANES; l++)
			acc[l] += a[k + l] * b[k + l];
	for (int l = 0; l < FME_LANES; l++)
		s += acc[l];
	return s;
}

/* ---- the matrix product D = X C^T, only ever used to skip ----
 * NX and NC are multiples of 4 (callers pad with zero rows). */

typedef void (*fme_gemm_fn)(const float *x, size_t nx, const float *c, size_t nc, size_t stride, float *d,
                            size_t ldd);

static void fme_gemm_c(const float *x, size_t nx, const float *c, size_t nc, size_t stride, float *d, size_t ldd)
{
	for (size_t j0 = 0; j0 < nc; j0 += FME_CTILE) {
		size_t j1 = j0 + FME_CTILE < nc ? j0 + FME_CTILE : nc;
		for (size_t i = 0; i < nx; i += 2) {
			const float *a0 = x + i * stride, *a1 = a0 + stride;
			for (size_t j = j0; j < j1; j += 2) {
				const float *b0 = c + j * stride, *b1 = b0 + stride;
				float c00[FME_LANES] = { 0 }, c01[FME_LANES] = { 0 };
				float c10[FME_LANES] = { 0 }, c11[FME_LANES] = { 0 };
				for (size_t k = 0; k < stride; k += FME_LANES)
					for (int l = 0; l < FME_LANES; l++) {
						float x0 = a0[k + l], x1 = a1[k + l], y0 = b0[k + l], y1 = b1[k + l];
						c00[l] += x0 * y0;
						c01[l] += x0 * y1;
						c10[l] += x1 * y0;
						c11[l] += x1 * y1;
					}
				float s00 = 0, s01 = 0, s10 = 0, s11 = 0;
				for (int l = 0; l < FME_LANES; l++) {
					s00 += c00[l];
					s01 += c01[l];
					s10 += c10[l];
					s11 += c11[l];
				}
				d[i * ldd + j] = s00;
				d[i * ldd + j + 1] = s01;
				d[(i + 1) * ldd + j] = s10;
				d[(i + 1) * ldd + j + 1] = s11;
			}
		}
	}
}

#ifdef FME_X86
__attribute__((target("avx2,fma"))) static float fme_hsum256(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
	return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) static void fme_gemm_avx2(const float *x, size_t nx, const float *c, size_t nc,
                                                               size_t stride, float *d, size_t ldd)
{
	for (size_t j0 = 0; j0 < nc; j0 += FME_CTILE) {
		size_t j1 = j0 + FME_CTILE < nc ? j0 + FME_CTILE : nc;
		for (size_t i = 0; i < nx; i += 4) {
			const float *a = x + i * stride;
			for (size_t j = j0; j < j1; j += 2) {
				const float *b = c + j * stride;
				__m256 acc[4][2];
				for (int u = 0; u < 4; u++)
					acc[u][0] = acc[u][1] = _mm256_setzero_ps();
				for (size_t k = 0; k < stride; k += 8) {
					__m256 b0 = _mm256_loadu_ps(b + k), b1 = _mm256_loadu_ps(b + stride + k);
					for (int u = 0; u < 4; u++) {
						__m256 av = _mm256_loadu_ps(a + u * stride + k);
						acc[u][0] = _mm256_fmadd_ps(av, b0, acc[u][0]);
						acc[u][1] = _mm256_fmadd_ps(av, b1, acc[u][1]);
					}
				}
				for (int u = 0; u < 4; u++) {
					d[(i + u) * ldd + j] = fme_hsum256(acc[u][0]);
					d[(i + u) * ldd + j + 1] = fme_hsum256(acc[u][1]);
				}
			}
		}
	}
}

__attribute__((target("avx512f"))) static void fme_gemm_avx512(const float *x, size_t nx, const float *c, size_t nc,
                                                                size_t stride, float *d, size_t ldd)
{
	for (size_t j0 = 0; j0 < nc; j0 += FME_CTILE) {
		size_t j1 = j0 + FME_CTILE < nc ? j0 + FME_CTILE : nc;
		for (size_t i = 0; i < nx; i += 4) {
			const float *a = x + i * stride;
			for (size_t j = j0; j < j1; j += 4) {
				const float *b = c + j * stride;
				__m512 acc[4][4];
				for (int u = 0; u < 4; u++)
					for (int v = 0; v < 4; v++)
						acc[u][v] = _mm512_setzero_ps();
				for (size_t k = 0; k < stride; k += 16) {
					__m512 bv[4];
					for (int v = 0; v < 4; v++)
						bv[v] = _mm512_loadu_ps(b + v * stride + k);
					for (int u = 0; u < 4; u++) {
						__m512 av = _mm512_loadu_ps(a + u * stride + k);
						for (int v = 0; v < 4; v++)
							acc[u][v] = _mm512_fmadd_ps(av, bv[v], acc[u][v]);
					}
				}
				for (int u = 0; u < 4; u++)
					for (int v = 0; v < 4; v++)
						d[(i + u) * ldd + j + v] = _mm512_reduce_add_ps(acc[u][v]);
			}
		}
	}
}
#endif

static fme_gemm_fn fme_gemm_pick(void)
{
#ifdef FME_X86
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f"))
		return fme_gemm_avx512;
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return fme_gemm_avx2;
#endif
	return fme_gemm_c;
}

typedef struct fme_gemm_job {
	fme_gemm_fn fn;
	const float *x, *c;
	size_t nx, nc, stride, ldd;
	float *d;
} fme_gemm_job;

static void *fme_gemm_thread(void *arg)
{
	fme_gemm_job *j = arg;

	j->fn(j->x, j->nx, j->c, j->nc, j->stride, j->d, j->ldd);
	return NULL;
}

/* D = X C^T on up to THREADS threads, split by rows of X (4 at a time).
 * A thread that cannot start leaves its share to the caller's thread. */
static void fme_gemm(fme_gemm_fn fn, int threads, const float *x, size_t nx, const float *c, size_t nc,
                     size_t stride, float *d, size_t ldd)
{
	fme_gemm_job job[FME_MAX_THREADS];
	pthread_t tid[FME_MAX_THREADS];
	int started[FME_MAX_THREADS] = { 0 };
	size_t groups = nx / 4, per;

	if (threads < 1 || nx * nc < 64 * 1024)
		threads = 1;
	if (threads > FME_MAX_THREADS)
		threads = FME_MAX_THREADS;
	per = (groups + (size_t)threads - 1) / (size_t)threads;
	for (int t = 0; t < threads; t++) {
		size_t g0 = (size_t)t * per, g1 = g0 + per < groups ? g0 + per : groups;
		job[t] = (fme_gemm_job){ fn, x + g0 * 4 * stride, c, g1 > g0 ? (g1 - g0) * 4 : 0, nc, stride,
			                 ldd, d + g0 * 4 * ldd };
		if (t > 0 && job[t].nx && pthread_create(&tid[t], NULL, fme_gemm_thread, &job[t]) == 0)
			started[t] = 1;
	}
	for (int t = 0; t < threads; t++)
		if (!started[t] && job[t].nx)
			fme_gemm_thread(&job[t]);
	for (int t = 1; t < threads; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
}

/* ---- blocks ---- */

typedef struct fme_block {
	uint32_t *m; /* member points */
	size_t n, cap;
	size_t n_at_centre; /* members when the centre was last made; 0: none yet */
	double radius;      /* bound on the angle from the centre to any member */
	int dead;
} fme_block;

/* A point is a sighting of this run or an exemplar of the state. */
typedef struct fme_point {
	const uint16_t *row;
	const char *id;
	const char *gkey; /* the state's key, for an exemplar */
	int64_t time;
	size_t sighting;  /* index in h->sight, or SIZE_MAX for an exemplar */
	float conf;       /* best link found; -1: none */
} fme_point;

typedef struct fme_ctx {
	crimetab_fm_handle *h;
	fme_point *pt;
	size_t npt;
	fme_block *b;
	size_t nb, capb;
	float *centre; /* capb x stride */
	uint32_t *parent;
	double theta; /* the threshold's angle, widened by FME_EPS_SIM */
	float *xrow, *yrow;
} fme_ctx;

static uint32_t fme_find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* The largest angle a computed dot product D of unit vectors may stand for. */
static double fme_angle_max(double d)
{
	d -= FME_EPS_DOT;
	return acos(d < -1.0 ? -1.0 : d > 1.0 ? 1.0 : d);
}

/* Below this dot product with block B's centre, a sighting links with no
 * member of B; -INFINITY when no dot product is low enough. */
static float fme_bound(const fme_ctx *c, const fme_block *b)
{
	double a = c->theta + b->radius;

	return a >= M_PI ? -INFINITY : (float)(cos(a) - FME_EPS_DOT);
}

static int fme_block_push(fme_block *b, uint32_t p)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 4;
		uint32_t *m = realloc(b->m, cap * sizeof *m);
		if (!m)
			return -1;
		b->m = m;
		b->cap = cap;
	}
	b->m[b->n++] = p;
	return 0;
}

static int fme_block_new(fme_ctx *c)
{
	if (c->nb == c->capb) {
		size_t cap = c->capb ? 2 * c->capb : 256;
		fme_block *b = realloc(c->b, cap * sizeof *b);
		if (!b)
			return -1;
		c->b = b;
		float *ce = realloc(c->centre, (cap + 4) * c->h->stride * sizeof *ce);
		uint32_t *pa = realloc(c->parent, cap * sizeof *pa);
		if (ce)
			c->centre = ce;
		if (pa)
			c->parent = pa;
		if (!ce || !pa)
			return -1;
		c->capb = cap;
	}
	memset(&c->b[c->nb], 0, sizeof c->b[c->nb]);
	c->parent[c->nb] = (uint32_t)c->nb;
	return (int)c->nb++;
}

/* The centre of block J (its members' normalised mean) and a radius that
 * bounds every member's angle from it. */
static void fme_recentre(fme_ctx *c, size_t j)
{
	crimetab_fm_handle *h = c->h;
	fme_block *b = &c->b[j];
	float *ce = c->centre + j * h->stride;
	double *sum = h->scratch, norm = 0.0, r = 0.0;

	for (size_t k = 0; k < h->stride; k++)
		sum[k] = 0.0;
	for (size_t i = 0; i < b->n; i++) {
		const uint16_t *row = c->pt[b->m[i]].row;
		for (size_t k = 0; k < h->dim; k++)
			sum[k] += fme_h2f(row[k]);
	}
	for (size_t k = 0; k < h->dim; k++)
		norm += sum[k] * sum[k];
	norm = sqrt(norm);
	for (size_t k = 0; k < h->stride; k++)
		ce[k] = norm > 0.0 ? (float)(sum[k] / norm) : 0.0f;
	for (size_t i = 0; i < b->n; i++) {
		fme_row(h, c->pt[b->m[i]].row, c->yrow);
		double a = fme_angle_max(fme_sim(ce, c->yrow, h->stride));
		if (a > r)
			r = a;
	}
	/* a centre of nothing (members summing to zero) bounds nothing */
	b->radius = norm > 0.0 ? r : M_PI;
	b->n_at_centre = b->n;
}

/* Whether point P (its row in c->xrow) links with one of the first N
 * members of block J; the first link found updates both ends' confidence. */
static int fme_scan(fme_ctx *c, size_t j, size_t n, uint32_t p)
{
	const fme_block *b = &c->b[j];

	for (size_t i = 0; i < n; i++) {
		uint32_t q = b->m[i];
		fme_row(c->h, c->pt[q].row, c->yrow);
		float s = fme_sim(c->xrow, c->yrow, c->h->stride);
		if ((double)s >= c->h->threshold) {
			if (s > c->pt[p].conf)
				c->pt[p].conf = s;
			if (s > c->pt[q].conf)
				c->pt[q].conf = s;
			return 1;
		}
	}
	return 0;
}

/* After a batch: each group of linked blocks becomes one block, new and
 * grown blocks get (new) centres, and dead blocks are dropped. */
static int fme_consolidate(fme_ctx *c)
{
	size_t keep = 0;

	for (size_t j = 0; j < c->nb; j++) {
		uint32_t r = fme_find(c->parent, (uint32_t)j);
		if (r == j)
			continue;
		fme_block *to = &c->b[r], *from = &c->b[j];
		for (size_t i = 0; i < from->n; i++)
			if (fme_block_push(to, from->m[i]) != 0)
				return -1;
		to->n_at_centre = 0;
		free(from->m);
		memset(from, 0, sizeof *from);
		from->dead = 1;
	}
	for (size_t j = 0; j < c->nb; j++) {
		if (c->b[j].dead)
			continue;
		/* a centre made of more members is nearer all of them, which
		 * is what lets blocks be skipped; growing by a quarter between
		 * centres keeps the work linear */
		if (c->b[j].n_at_centre == 0 || 4 * c->b[j].n >= 5 * c->b[j].n_at_centre)
			fme_recentre(c, j);
		if (keep != j) {
			c->b[keep] = c->b[j];
			memcpy(c->centre + keep * c->h->stride, c->centre + j * c->h->stride,
			       c->h->stride * sizeof *c->centre);
		}
		keep++;
	}
	c->nb = keep;
	for (size_t j = 0; j < c->nb; j++)
		c->parent[j] = (uint32_t)j;
	/* zero rows to pad the centres to a multiple of 4 */
	memset(c->centre + c->nb * c->h->stride, 0, 4 * c->h->stride * sizeof *c->centre);
	return 0;
}

/* Groups points [FIRST, NPT) with the blocks already made, a batch at a
 * time.  Within a batch the blocks' centres and radii stay as they were:
 * the members a block had when the batch began are ruled out through them,
 * and the batch's own points through their dot products with each other
 * (D2), which are checked exactly where they come near the threshold. */
static int fme_cluster(fme_ctx *c, size_t first)
{
	crimetab_fm_handle *h = c->h;
	fme_gemm_fn gemm = fme_gemm_pick();
	size_t batch;
	float *x = malloc((FME_BATCH_MAX + 4) * h->stride * sizeof *x), *d = NULL, *bound = NULL;
	float *d2 = malloc((FME_BATCH_MAX + 4) * (FME_BATCH_MAX + 4) * sizeof *d2);
	uint32_t *links = NULL, *inb = malloc((FME_BATCH_MAX + 4) * sizeof *inb);
	size_t *nold = NULL;
	int rc = -1;

	if (!x || !d2 || !inb)
		goto out;
	for (size_t i0 = first; i0 < c->npt; i0 += batch) {
		size_t k = c->nb, kpad = (k + 3) / 4 * 4, ldd = kpad ? kpad : 4, nx, npad;

		batch = k > FME_BATCH_MAX ? FME_BATCH_MAX : k < FME_BATCH_MIN ? FME_BATCH_MIN : k;
		nx = c->npt - i0 < batch ? c->npt - i0 : batch;
		npad = (nx + 3) / 4 * 4;
		for (size_t i = 0; i < nx; i++)
			fme_row(h, c->pt[i0 + i].row, x + i * h->stride);
		memset(x + nx * h->stride, 0, (npad - nx) * h->stride * sizeof *x);
		free(d);
		free(bound);
		free(links);
		free(nold);
		d = malloc((npad + 4) * ldd * sizeof *d);
		bound = malloc(ldd * sizeof *bound);
		links = malloc((k + nx + 1) * sizeof *links);
		nold = malloc(ldd * sizeof *nold);
		if (!d || !bound || !links || !nold)
			goto out;
		if (k)
			fme_gemm(gemm, h->threads, x, npad, c->centre, kpad, h->stride, d, ldd);
		/* only pairs q < i are looked at: the lower triangle, by blocks */
		for (size_t a = 0; a < npad; a += FME_TRI_STEP) {
			size_t rows = npad - a < FME_TRI_STEP ? npad - a : FME_TRI_STEP;
			fme_gemm(gemm, h->threads, x + a * h->stride, rows, x, a + rows, h->stride, d2 + a * npad, npad);
		}
		for (size_t j = 0; j < k; j++) {
			bound[j] = h->exhaustive ? -INFINITY : fme_bound(c, &c->b[j]);
			nold[j] = c->b[j].n;
		}

		for (size_t i = 0; i < nx; i++) {
			uint32_t p = (uint32_t)(i0 + i);
			const float *di = d + i * ldd, *d2i = d2 + i * npad;
			size_t nlinks = 0;
			int join = -1;

			memcpy(c->xrow, x + i * h->stride, h->stride * sizeof *c->xrow);
			for (size_t j = 0; j < k; j++) {
				if (di[j] < bound[j])
					continue;
				uint32_t r = fme_find(c->parent, (uint32_t)j);
				size_t l;
				for (l = 0; l < nlinks && links[l] != r; l++)
					;
				if (l < nlinks || !fme_scan(c, j, nold[j], p))
					continue;
				links[nlinks++] = r;
				if (join < 0)
					join = (int)j;
			}
			for (size_t q = 0; q < i; q++) {
				if (!h->exhaustive && (double)d2i[q] < h->threshold - FME_EPS_SIM)
					continue;
				uint32_t r = fme_find(c->parent, inb[q]);
				size_t l;
				for (l = 0; l < nlinks && links[l] != r; l++)
					;
				if (l < nlinks)
					continue;
				float s = fme_sim(c->xrow, x + q * h->stride, h->stride);
				if ((double)s < h->threshold)
					continue;
				if (s > c->pt[p].conf)
					c->pt[p].conf = s;
				if (s > c->pt[i0 + q].conf)
					c->pt[i0 + q].conf = s;
				links[nlinks++] = r;
				if (join < 0)
					join = (int)inb[q];
			}
			if (join < 0 && (join = fme_block_new(c)) < 0)
				goto out;
			if (fme_block_push(&c->b[join], p) != 0)
				goto out;
			inb[i] = (uint32_t)join;
			for (size_t l = 1; l < nlinks; l++) {
				uint32_t a = fme_find(c->parent, links[0]), b = fme_find(c->parent, links[l]);
				if (a != b)
					c->parent[a > b ? a : b] = a < b ? a : b;
			}
		}
		if (fme_consolidate(c) != 0)
			goto out;
	}
	rc = 0;
out:
	free(x);
	free(d2);
	free(inb);
	free(d);
	free(bound);
	free(links);
	free(nold);
	return rc;
}

/* ---- the watchlist ---- */

/* Each sighting not yet keyed (KEYED[i] == 0) is compared with every
 * gallery entry; the best at or above the threshold names it (on a tie
 * the earlier entry). */
static int fme_watchlist(crimetab_fm_handle *h, const unsigned char *keyed, float *xrow, float *yrow)
{
	size_t nw = h->watch.n, wpad = (nw + 3) / 4 * 4, n = h->sight.n;
	float *w = calloc((wpad + 4) * h->stride, sizeof *w);
	float *x = malloc((FME_BATCH_MAX + 4) * h->stride * sizeof *x);
	float *d = malloc((FME_BATCH_MAX + 4) * wpad * sizeof *d);
	fme_gemm_fn gemm = fme_gemm_pick();
	int rc = -1;

	if (!w || !x || !d)
		goto out;
	for (size_t j = 0; j < nw; j++)
		fme_row(h, h->watch.emb + j * h->dim, w + j * h->stride);
	for (size_t i0 = 0; i0 < n; i0 += FME_BATCH_MAX) {
		size_t nx = n - i0 < FME_BATCH_MAX ? n - i0 : FME_BATCH_MAX, npad = (nx + 3) / 4 * 4;
		for (size_t i = 0; i < nx; i++)
			fme_row(h, h->sight.emb + (i0 + i) * h->dim, x + i * h->stride);
		memset(x + nx * h->stride, 0, (npad - nx) * h->stride * sizeof *x);
		fme_gemm(gemm, h->threads, x, npad, w, wpad, h->stride, d, wpad);
		for (size_t i = 0; i < nx; i++) {
			float best = -2.0f;
			size_t bj = SIZE_MAX;
			if (keyed[i0 + i])
				continue;
			for (size_t j = 0; j < nw; j++) {
				if ((double)d[i * wpad + j] < h->threshold - FME_EPS_SIM)
					continue;
				memcpy(xrow, x + i * h->stride, h->stride * sizeof *xrow);
				memcpy(yrow, w + j * h->stride, h->stride * sizeof *yrow);
				float s = fme_sim(xrow, yrow, h->stride);
				/* strictly greater: on a tie the earlier entry stays */
				if ((double)s >= h->threshold && s > best) {
					best = s;
					bj = j;
				}
			}
			if (bj != SIZE_MAX) {
				h->key[i0 + i] = h->watch.recs[bj].id;
				h->conf[i0 + i] = best > 1.0f ? 1.0 : best;
				h->on_watchlist[i0 + i] = 1;
			}
		}
	}
	rc = 0;
out:
	free(w);
	free(x);
	free(d);
	return rc;
}

/* ---- keys ---- */

/* A string set with a number for each string (open addressing). */
typedef struct fme_strset {
	const char **slot;
	size_t *val;
	size_t cap;
} fme_strset;

static int fme_strset_init(fme_strset *s, size_t n)
{
	for (s->cap = 64; s->cap < 2 * n + 2; s->cap *= 2)
		;
	s->slot = calloc(s->cap, sizeof *s->slot);
	s->val = calloc(s->cap, sizeof *s->val);
	return s->slot && s->val ? 0 : -1;
}

static void fme_strset_free(fme_strset *s)
{
	free(s->slot);
	free(s->val);
}

/* The slot of STR, or the empty one where it would go. */
static size_t fme_strset_find(const fme_strset *s, const char *str)
{
	size_t i = (size_t)fme_fnv1a(str, strlen(str), FME_FNV_SEED) & (s->cap - 1);

	while (s->slot[i] && strcmp(s->slot[i], str))
		i = (i + 1) & (s->cap - 1);
	return i;
}

/* Keys from the state, merges, new keys for new individuals, and the
 * state as it will be saved: every exemplar kept and every new point. */
static int fme_keys(fme_ctx *c, size_t nold)
{
	crimetab_fm_handle *h = c->h;
	fme_gallery next = { 0 };
	fme_strset used = { 0 };
	const char **bkey = calloc(c->nb ? c->nb : 1, sizeof *bkey);
	uint32_t *blk = malloc((c->npt ? c->npt : 1) * sizeof *blk);
	char (*fresh)[FME_KEY_LEN] = calloc(c->nb ? c->nb : 1, sizeof *fresh);
	int rc = -1;

	if (!bkey || !blk || !fresh || fme_strset_init(&used, nold + c->nb) != 0)
		goto out;
	for (size_t i = 0; i < nold; i++) {
		size_t s = fme_strset_find(&used, c->pt[i].gkey);
		used.slot[s] = c->pt[i].gkey;
	}
	for (size_t j = 0; j < c->nb; j++) {
		const fme_block *b = &c->b[j];
		const char *minid = NULL;
		for (size_t i = 0; i < b->n; i++) {
			const fme_point *p = &c->pt[b->m[i]];
			blk[b->m[i]] = (uint32_t)j;
			if (p->gkey && (!bkey[j] || strcmp(p->gkey, bkey[j]) < 0))
				bkey[j] = p->gkey;
			if (!p->gkey && (!minid || strcmp(p->id, minid) < 0))
				minid = p->id;
		}
		if (bkey[j] || !minid)
			continue;
		/* a new individual: named after its smallest sighting id, stable
		 * for the same input and carrying nothing about the face */
		uint64_t v = fme_fnv1a(minid, strlen(minid), FME_FNV_SEED);
		for (;;) {
			snprintf(fresh[j], FME_KEY_LEN, "ind-%016" PRIx64, v);
			size_t s = fme_strset_find(&used, fresh[j]);
			if (!used.slot[s]) {
				used.slot[s] = fresh[j];
				break;
			}
			v = fme_fnv1a(&v, sizeof v, v); /* taken: another, still from the same input */
		}
		bkey[j] = fresh[j];
	}
	/* merges: every other state key in a block goes into the block's key */
	for (size_t i = 0; i < nold; i++) {
		const char *into = bkey[blk[i]], *from = c->pt[i].gkey;
		size_t m;
		if (!strcmp(from, into))
			continue;
		for (m = 0; m < h->nmerges && strcmp(h->merge_from[m], from); m++)
			;
		if (m < h->nmerges)
			continue;
		char **mf = realloc(h->merge_from, (h->nmerges + 1) * sizeof *mf);
		if (mf)
			h->merge_from = mf;
		char **mi = realloc(h->merge_into, (h->nmerges + 1) * sizeof *mi);
		if (mi)
			h->merge_into = mi;
		if (!mf || !mi)
			goto out;
		h->merge_from[h->nmerges] = fme_strdup(from);
		h->merge_into[h->nmerges] = fme_strdup(into);
		h->nmerges++;
		if (!h->merge_from[h->nmerges - 1] || !h->merge_into[h->nmerges - 1])
			goto out;
	}
	/* the state to save, and each sighting's key pointing into it */
	for (size_t i = 0; i < c->npt; i++) {
		const fme_point *p = &c->pt[i];
		if (h->state_dir && fme_gallery_add(h, &next, p->id, bkey[blk[i]], p->time,
		                                    p->conf < 0.0f ? 1.0f : p->conf, p->row) != 0)
			goto out;
	}
	for (size_t i = 0; i < c->npt; i++) {
		const fme_point *p = &c->pt[i];
		size_t s = p->sighting;
		if (s == SIZE_MAX)
			continue;
		if (h->state_dir) {
			h->key[s] = next.key[i];
		} else {
			snprintf(h->keybuf[s], FME_KEY_LEN, "%s", bkey[blk[i]]);
			h->key[s] = h->keybuf[s];
		}
		h->conf[s] = p->conf < 0.0f ? 1.0 : p->conf > 1.0f ? 1.0 : p->conf;
	}
	fme_gallery_free(&h->gallery);
	h->gallery = next;
	memset(&next, 0, sizeof next);
	rc = 0;
out:
	fme_gallery_free(&next);
	fme_strset_free(&used);
	free(bkey);
	free(blk);
	free(fresh);
	return rc;
}

int fme_match(crimetab_fm_handle *h)
{
	size_t n = h->sight.n, ng = h->gallery.n, npt = 0, nold;
	fme_ctx c;
	fme_strset ids = { 0 };
	unsigned char *keyed = calloc(n ? n : 1, 1);
	int rc = CRIMETAB_FM_ENOMEM;

	memset(&c, 0, sizeof c);
	c.h = h;
	h->key = calloc(n ? n : 1, sizeof *h->key);
	h->keybuf = calloc(n ? n : 1, sizeof *h->keybuf);
	h->conf = calloc(n ? n : 1, sizeof *h->conf);
	h->on_watchlist = calloc(n ? n : 1, 1);
	h->skip = calloc(n ? n : 1, 1);
	c.pt = malloc((n + ng + 1) * sizeof *c.pt);
	c.xrow = malloc(h->stride * sizeof *c.xrow);
	c.yrow = malloc(h->stride * sizeof *c.yrow);
	if (!keyed || !h->key || !h->keybuf || !h->conf || !h->on_watchlist || !h->skip || !c.pt ||
	    !c.xrow || !c.yrow || fme_strset_init(&ids, ng) != 0)
		goto out;
	c.theta = h->threshold - FME_EPS_SIM <= -1.0 ? M_PI : acos(h->threshold - FME_EPS_SIM);

	/* the state's exemplars first (those retention keeps), then this run's
	 * sightings that are neither known to the state nor forgotten */
	for (size_t i = 0; i < ng; i++) {
		if (h->gallery.time[i] < h->forget_before)
			continue;
		c.pt[npt] = (fme_point){ h->gallery.emb + i * h->dim, h->gallery.id[i], h->gallery.key[i],
			                 h->gallery.time[i], SIZE_MAX, h->gallery.conf[i] };
		size_t s = fme_strset_find(&ids, h->gallery.id[i]);
		ids.slot[s] = h->gallery.id[i];
		ids.val[s] = npt;
		npt++;
	}
	nold = npt;
	for (size_t i = 0; i < n; i++) {
		const fme_rec *r = &h->sight.recs[i];
		const uint16_t *row = h->sight.emb + i * h->dim;
		if (r->time < h->forget_before) {
			h->skip[i] = keyed[i] = 1;
			continue;
		}
		if (!ng)
			continue;
		size_t s = fme_strset_find(&ids, r->id);
		if (!ids.slot[s])
			continue;
		size_t p = ids.val[s];
		if (memcmp(c.pt[p].row, row, h->dim * sizeof *row)) {
			rc = fme_seterr(h, CRIMETAB_FM_EDATA,
			                "%s:%ld: sighting \"%s\" was keyed in an earlier run with another embedding; "
			                "an id must name one sighting for good",
			                h->sight.path, r->line, r->id);
			goto out;
		}
		c.pt[p].sighting = i;
		keyed[i] = 1;
	}
	if (h->watch.n && fme_watchlist(h, keyed, c.xrow, c.yrow) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!keyed[i] && !h->on_watchlist[i])
			c.pt[npt++] = (fme_point){ h->sight.emb + i * h->dim, h->sight.recs[i].id, NULL,
				                   h->sight.recs[i].time, i, -1.0f };
	c.npt = npt;

	/* blocks for the state's individuals, one per key */
	if (nold) {
		fme_strset keys = { 0 };
		int bad = fme_strset_init(&keys, nold) != 0;
		for (size_t i = 0; !bad && i < nold; i++) {
			size_t s = fme_strset_find(&keys, c.pt[i].gkey);
			int j;
			if (!keys.slot[s]) {
				if ((j = fme_block_new(&c)) < 0) {
					bad = 1;
					break;
				}
				keys.slot[s] = c.pt[i].gkey;
				keys.val[s] = (size_t)j;
			}
			bad = fme_block_push(&c.b[keys.val[s]], (uint32_t)i) != 0;
		}
		fme_strset_free(&keys);
		if (bad || fme_consolidate(&c) != 0)
			goto out;
	}
	if (fme_cluster(&c, nold) != 0 || fme_keys(&c, nold) != 0)
		goto out;
	h->matched = 1;
	rc = CRIMETAB_FM_OK;
out:
	if (rc == CRIMETAB_FM_ENOMEM)
		fme_seterr(h, rc, "out of memory");
	for (size_t j = 0; j < c.nb; j++)
		free(c.b[j].m);
	free(c.b);
	free(c.centre);
	free(c.parent);
	free(c.pt);
	free(c.xrow);
	free(c.yrow);
	fme_strset_free(&ids);
	free(keyed);
	return rc;
}

