/* Times the reference face-match plugin on synthetic sightings (default
 * 10,000 x 512-d): parsing in open() and clustering in identify(), apart.
 * A benchmark, not a test: it prints seconds and checks only that it ran.
 * Usage: bench_facematch PLUGIN.so [SIGHTINGS [DIM [INDIVIDUALS [CONFIG-EXTRA]]]] */
#include <crimetab/facematch.h>

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct bench_count {
	long sightings, cap;
	char (*keys)[32];
} bench_count;

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t bench_rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int bench_cmp_key(const void *a, const void *b)
{
	return strcmp(a, b);
}

static long bench_distinct(bench_count *c)
{
	long n = c->sightings < c->cap ? c->sightings : c->cap, distinct = 0;

	qsort(c->keys, (size_t)n, sizeof c->keys[0], bench_cmp_key);
	for (long i = 0; i < n; i++)
		distinct += i == 0 || strcmp(c->keys[i], c->keys[i - 1]) != 0;
	return distinct;
}

static double bench_gauss(uint64_t *s)
{
	double u = (double)(bench_rng(s) >> 11) / 9007199254740992.0;
	double v = (double)(bench_rng(s) >> 11) / 9007199254740992.0;

	return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

static int bench_emit(void *ctx, const crimetab_fm_sighting *s)
{
	bench_count *c = ctx;

	if (c->sightings < c->cap)
		snprintf(c->keys[c->sightings], sizeof c->keys[0], "%s", s->individual_key);
	c->sightings++;
	return 0;
}

/* Sighting i belongs to individual i % individuals; same-person cosine is
 * about 0.8 whatever the dimension. */
static int bench_generate(const char *path, long n, int dim, long individuals)
{
	FILE *fp = fopen(path, "w");
	double *ident = malloc((size_t)individuals * (size_t)dim * sizeof *ident);
	double *v = malloc((size_t)dim * sizeof *v), sigma = 0.5 / sqrt((double)dim);
	uint64_t seed = 42;

	if (!fp || !ident || !v) {
		free(ident);
		free(v);
		if (fp)
			fclose(fp);
		return -1;
	}
	for (long p = 0; p < individuals; p++) {
		double nn = 0.0;
		for (int k = 0; k < dim; k++) {
			ident[p * dim + k] = bench_gauss(&seed);
			nn += ident[p * dim + k] * ident[p * dim + k];
		}
		for (int k = 0; k < dim; k++)
			ident[p * dim + k] /= sqrt(nn);
	}
	for (long i = 0; i < n; i++) {
		const double *base = ident + (i % individuals) * dim;
		fprintf(fp, "{\"id\":\"s%07ld\",\"time\":\"2024-%02ld-%02ldT12:00:00Z\",\"embedding\":[",
		        i, 1 + i % 12, 1 + i % 28);
		for (int k = 0; k < dim; k++) {
			v[k] = base[k] + sigma * bench_gauss(&seed);
			fprintf(fp, k ? ",%.5f" : "%.5f", v[k]);
		}
		fputs("]}\n", fp);
	}
	free(ident);
	free(v);
	return fclose(fp);
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 10000, individuals;
	int dim = argc > 3 ? atoi(argv[3]) : 512;
	char dir[] = "/tmp/crimetab-fmbench-XXXXXX", data[64], config[512], errbuf[512];
	void *lib;
	crimetab_fm_entry_fn entry;
	const crimetab_fm_descriptor *d;
	crimetab_fm_handle *h = NULL;
	bench_count count = { 0, 0, NULL };
	double t0, t1, t2, t3;
	int rc;

	individuals = argc > 4 ? atol(argv[4]) : n / 5;
	if (argc < 2 || n < 1 || dim < 1 || individuals < 1) {
		fprintf(stderr, "usage: %s PLUGIN.so [SIGHTINGS [DIM [INDIVIDUALS [CONFIG-EXTRA]]]]\n", argv[0]);
		return 2;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(data, sizeof data, "%s/sightings.jsonl", dir);
	t0 = bench_now();
	if (bench_generate(data, n, dim, individuals) != 0) {
		perror(data);
		return 1;
	}
	t1 = bench_now();
	printf("generate  %ld sightings x %d-d, %ld individuals: %.2f s\n", n, dim, individuals, t1 - t0);

	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	entry = (crimetab_fm_entry_fn)dlsym(lib, CRIMETAB_FM_ENTRY_NAME);
	d = entry ? entry(CRIMETAB_FM_ABI_MAJOR, CRIMETAB_FM_ABI_MINOR) : NULL;
	if (!d || d->abi_major != CRIMETAB_FM_ABI_MAJOR) {
		fprintf(stderr, "%s: not a usable face-match plugin\n", argv[1]);
		return 1;
	}
	snprintf(config, sizeof config, "sightings=%s;%s", data, argc > 5 ? argv[5] : "");
	count.cap = n;
	count.keys = malloc((size_t)n * sizeof *count.keys);
	if (!count.keys)
		return 1;

	t1 = bench_now();
	rc = d->open(config, &h, errbuf, sizeof errbuf);
	t2 = bench_now();
	if (rc) {
		fprintf(stderr, "open: %s\n", errbuf);
		free(count.keys);
		return 1;
	}
	printf("open      (read + validate + normalise): %.2f s\n", t2 - t1);
	rc = d->identify(h, INT64_MIN, INT64_MAX, bench_emit, &count);
	t3 = bench_now();
	if (rc) {
		fprintf(stderr, "identify: %s\n", d->last_error(h));
		free(count.keys);
		return 1;
	}
	printf("identify  (all-pairs similarity + union-find + emit): %.2f s\n", t3 - t2);
	printf("total     %.2f s for %ld sightings (%s %s)\n", t3 - t1, count.sightings, d->name, d->version);
	printf("found     %ld individuals (generated %ld)\n", bench_distinct(&count), individuals);
	d->close(h);
	dlclose(lib);
	unlink(data);
	rmdir(dir);
	free(count.keys);
	return count.sightings == n ? 0 : 1;
}
