/* Times the reference face-match plugin on synthetic sightings (default
 * 100,000 x 512-d of 2,000 people, the budget being under 10 s on 2 cores
 * and under 200 MB): open() (reading and checking the file) and identify()
 * (grouping), each repetition in a child process of its own so its peak
 * memory is its own.  Prints every repetition, then the median and the
 * range, and whether the median and the largest peak are within budget.
 * A benchmark, not a test: it fails only if a run fails, the grouping is
 * wrong, or the budget is exceeded.
 *
 * Usage: bench_facematch PLUGIN.so [SIGHTINGS [DIM [INDIVIDUALS [REPS [CONFIG-EXTRA]]]]] */
#include <crimetab/facematch.h>

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUDGET_SECONDS 10.0
#define BUDGET_MB 200.0
#define MAX_REPS 32

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

static double bench_gauss(uint64_t *s)
{
	double u = (double)(bench_rng(s) >> 11) / 9007199254740992.0;
	double v = (double)(bench_rng(s) >> 11) / 9007199254740992.0;

	return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
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

static int bench_emit(void *ctx, const crimetab_fm_sighting *s)
{
	bench_count *c = ctx;

	if (c->sightings < c->cap)
		snprintf(c->keys[c->sightings], sizeof c->keys[0], "%s", s->individual_key);
	c->sightings++;
	return 0;
}

/* V with 5 decimals, as printf("%.5f") would write it for |v| < 10, at a
 * fraction of the cost: the file has 51 million of them. */
static char *bench_fmt(char *p, double v)
{
	long x = lround(fabs(v) * 1e5);

	if (v < 0 && x)
		*p++ = '-';
	*p++ = (char)('0' + x / 100000);
	*p++ = '.';
	for (long d = 10000; d; d /= 10)
		*p++ = (char)('0' + x / d % 10);
	return p;
}

/* Sighting i belongs to individual i % individuals; the same person's
 * cosine is about 0.8 whatever the dimension. */
static int bench_generate(const char *path, long n, int dim, long individuals)
{
	FILE *fp = fopen(path, "w");
	double *ident = malloc((size_t)individuals * (size_t)dim * sizeof *ident);
	char *line = malloc((size_t)dim * 10 + 128);
	double sigma = 0.5 / sqrt((double)dim);
	uint64_t seed = 42;

	if (!fp || !ident || !line) {
		free(ident);
		free(line);
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
		char *q = line + sprintf(line, "{\"id\":\"s%07ld\",\"time\":\"2024-%02ld-%02ldT12:00:00Z\",\"embedding\":[", i,
		                         1 + i % 12, 1 + i % 28);
		for (int k = 0; k < dim; k++) {
			if (k)
				*q++ = ',';
			q = bench_fmt(q, base[k] + sigma * bench_gauss(&seed));
		}
		memcpy(q, "]}\n", 3);
		fwrite(line, 1, (size_t)(q + 3 - line), fp);
	}
	free(ident);
	free(line);
	return fclose(fp);
}

typedef struct bench_result {
	double open_s, identify_s;
	long sightings, distinct;
} bench_result;

/* One repetition, in the child: load, open, identify, count. */
static int bench_once(const char *plugin, const char *config, long n, bench_result *out)
{
	void *lib = dlopen(plugin, RTLD_NOW | RTLD_LOCAL);
	crimetab_fm_entry_fn entry;
	const crimetab_fm_descriptor *d;
	crimetab_fm_handle *h = NULL;
	bench_count count = { 0, n, NULL };
	char errbuf[512];
	double t1, t2, t3;

	if (!lib) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	entry = (crimetab_fm_entry_fn)dlsym(lib, CRIMETAB_FM_ENTRY_NAME);
	d = entry ? entry(CRIMETAB_FM_ABI_MAJOR, CRIMETAB_FM_ABI_MINOR) : NULL;
	if (!d || d->abi_major != CRIMETAB_FM_ABI_MAJOR) {
		fprintf(stderr, "%s: not a usable face-match plugin\n", plugin);
		return 1;
	}
	count.keys = malloc((size_t)n * sizeof *count.keys);
	if (!count.keys)
		return 1;
	t1 = bench_now();
	if (d->open(config, &h, errbuf, sizeof errbuf)) {
		fprintf(stderr, "open: %s\n", errbuf);
		return 1;
	}
	t2 = bench_now();
	if (d->identify(h, INT64_MIN, INT64_MAX, bench_emit, &count)) {
		fprintf(stderr, "identify: %s\n", d->last_error(h));
		return 1;
	}
	t3 = bench_now();
	out->open_s = t2 - t1;
	out->identify_s = t3 - t2;
	out->sightings = count.sightings;
	out->distinct = bench_distinct(&count);
	d->close(h);
	dlclose(lib);
	free(count.keys);
	return 0;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 100000, individuals;
	int dim = argc > 3 ? atoi(argv[3]) : 512, reps = argc > 5 ? atoi(argv[5]) : 5, bad = 0;
	char dir[] = "/tmp/crimetab-fmbench-XXXXXX", data[64], config[512];
	double t0, total[MAX_REPS], opens[MAX_REPS], idents[MAX_REPS], mb[MAX_REPS], cpu[MAX_REPS], peak = 0.0;

	individuals = argc > 4 ? atol(argv[4]) : 2000;
	if (argc < 2 || n < 1 || dim < 1 || individuals < 1 || reps < 1 || reps > MAX_REPS) {
		fprintf(stderr, "usage: %s PLUGIN.so [SIGHTINGS [DIM [INDIVIDUALS [REPS [CONFIG-EXTRA]]]]]\n", argv[0]);
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
	printf("generated %ld sightings x %d-d of %ld individuals in %.1f s; %ld online CPUs\n", n, dim, individuals,
	       bench_now() - t0, sysconf(_SC_NPROCESSORS_ONLN));
	snprintf(config, sizeof config, "sightings=%s;%s", data, argc > 6 ? argv[6] : "");

	for (int r = 0; r < reps; r++) {
		int fds[2];
		bench_result res = { 0, 0, 0, 0 };
		struct rusage ru;
		int status;
		pid_t pid;

		if (pipe(fds) != 0 || (pid = fork()) < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			close(fds[0]);
			int rc = bench_once(argv[1], config, n, &res);
			if (write(fds[1], &res, sizeof res) != (ssize_t)sizeof res)
				rc = 1;
			_exit(rc);
		}
		close(fds[1]);
		if (read(fds[0], &res, sizeof res) != (ssize_t)sizeof res)
			res.sightings = -1;
		close(fds[0]);
		if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
		    res.sightings != n || res.distinct != individuals) {
			fprintf(stderr, "repetition %d failed: %ld sightings, %ld individuals found (want %ld, %ld)\n", r + 1,
			        res.sightings, res.distinct, n, individuals);
			bad = 1;
			break;
		}
		opens[r] = res.open_s;
		idents[r] = res.identify_s;
		total[r] = res.open_s + res.identify_s;
		mb[r] = (double)ru.ru_maxrss / 1024.0; /* KiB -> MiB */
		/* CPU time (both threads, and loading the plugin): what the run
		 * costs whatever else the machine is doing */
		cpu[r] = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
			 (double)ru.ru_stime.tv_usec / 1e6;
		if (mb[r] > peak)
			peak = mb[r];
		printf("run %d: open %.2f s + identify %.2f s = %.2f s (CPU %.2f s), peak %.0f MiB, %ld individuals found\n",
		       r + 1, res.open_s, res.identify_s, total[r], cpu[r], mb[r], res.distinct);
		fflush(stdout);
	}
	unlink(data);
	rmdir(dir);
	if (bad)
		return 1;
	double lo = total[0], hi = total[0];
	for (int r = 1; r < reps; r++) {
		lo = total[r] < lo ? total[r] : lo;
		hi = total[r] > hi ? total[r] : hi;
	}
	double med = bench_median(total, reps), mo = bench_median(opens, reps), mi = bench_median(idents, reps);
	double mc = bench_median(cpu, reps);
	printf("median of %d: %.2f s (open %.2f s, identify %.2f s), range %.2f to %.2f s; CPU %.2f s; peak memory "
	       "%.0f MiB\n",
	       reps, med, mo, mi, lo, hi, mc, peak);
	printf("budget: %.0f s and %.0f MB: time %s, memory %s\n", BUDGET_SECONDS, BUDGET_MB,
	       med < BUDGET_SECONDS ? "within" : "OVER", peak * 1.048576 < BUDGET_MB ? "within" : "OVER");
	return med < BUDGET_SECONDS && peak * 1.048576 < BUDGET_MB ? 0 : 3;
}
