/* Matching quality of the reference face-match plugin, run through the host
 * on synthetic individuals made here with a fixed-seed generator, and its
 * refusal of malformed input lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/status.h"
#include "fm_test.h"
#include "plugin/fm_host.h"

/* 2023-10-01T00:00:00Z and 2024-11-01T00:00:00Z: thirteen months. */
#define T_FROM 1696118400LL
#define T_TO 1730419200LL
/* 2022-10-01T00:00:00Z: where the shipped sample starts. */
#define SAMPLE_FROM 1664582400LL
#define MAX_SIGHTINGS 4000

/* splitmix64: tiny, seedable, identical on every platform. */
typedef struct rng {
	uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_unit(rng *r)
{
	return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

static double rng_gauss(rng *r)
{
	double u = rng_unit(r), v = rng_unit(r);

	return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

typedef struct gen {
	int individuals, sightings, dim, watchlisted;
	double noise;    /* per-dimension standard deviation of sighting noise */
	double wl_noise; /* the same for gallery images */
	double lookalike; /* cosine between the identities of pairs 2k, 2k+1 */
	uint64_t seed;
	/* out */
	int truth[MAX_SIGHTINGS];
	int64_t time[MAX_SIGHTINGS];
	char sight_path[512], watch_path[512];
} gen;

static void unit_noisy(rng *r, const double *base, int dim, double noise, double *out)
{
	double n = 0.0;

	for (int k = 0; k < dim; k++) {
		out[k] = base[k] + noise * rng_gauss(r);
		n += out[k] * out[k];
	}
	n = sqrt(n);
	for (int k = 0; k < dim; k++)
		out[k] /= n;
}

static void write_vec(FILE *fp, const double *v, int dim)
{
	fputc('[', fp);
	for (int k = 0; k < dim; k++)
		fprintf(fp, k ? ",%.6f" : "%.6f", v[k]);
	fputc(']', fp);
}

/* Writes sightings.jsonl and watchlist.jsonl under DIR.  Every individual
 * is seen once; the extra sightings go to the first 60%, so the rest stay
 * one-off and the repeat count is not simply everyone.  The crime id of
 * sighting i is "c<i>", which lets results be matched back to truth. */
static void generate(gen *g, const char *dir)
{
	rng r = { g->seed };
	double *ident = malloc((size_t)g->individuals * (size_t)g->dim * sizeof *ident);
	double *v = malloc((size_t)g->dim * sizeof *v);
	FILE *fp;
	int repeaters = g->individuals * 6 / 10;

	assert_non_null(ident);
	assert_non_null(v);
	assert_true(g->sightings <= MAX_SIGHTINGS && g->sightings >= g->individuals);
	for (int p = 0; p < g->individuals; p++) {
		double n = 0.0;
		for (int k = 0; k < g->dim; k++) {
			ident[p * g->dim + k] = rng_gauss(&r);
			n += ident[p * g->dim + k] * ident[p * g->dim + k];
		}
		for (int k = 0; k < g->dim; k++)
			ident[p * g->dim + k] /= sqrt(n);
		if (g->lookalike > 0.0 && (p & 1)) {
			/* Nearly orthogonal in high dimension, so this mix has about
			 * the requested cosine with the sibling. */
			double a = g->lookalike, b = sqrt(1.0 - a * a);
			n = 0.0;
			for (int k = 0; k < g->dim; k++) {
				double x = a * ident[(p - 1) * g->dim + k] + b * ident[p * g->dim + k];
				ident[p * g->dim + k] = x;
				n += x * x;
			}
			for (int k = 0; k < g->dim; k++)
				ident[p * g->dim + k] /= sqrt(n);
		}
	}

	snprintf(g->sight_path, sizeof g->sight_path, "%s/sightings.jsonl", dir);
	fp = fopen(g->sight_path, "w");
	assert_non_null(fp);
	for (int i = 0; i < g->sightings; i++) {
		time_t t;
		struct tm tm;
		char when[32];

		g->truth[i] = i < g->individuals ? i : (int)(rng_next(&r) % (uint64_t)repeaters);
		g->time[i] = T_FROM + (int64_t)(rng_unit(&r) * (double)(T_TO - T_FROM));
		t = (time_t)g->time[i];
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		unit_noisy(&r, ident + g->truth[i] * g->dim, g->dim, g->noise, v);
		fprintf(fp, "{\"id\":\"s%05d\",\"time\":\"%s\",\"lon\":%.4f,\"lat\":%.4f,\"crime_id\":\"c%d\",\"embedding\":",
		        i, when, -1.3125 + 0.002 * (rng_unit(&r) - 0.5), 54.5655 + 0.002 * (rng_unit(&r) - 0.5), i);
		write_vec(fp, v, g->dim);
		fputs("}\n", fp);
	}
	assert_int_equal(fclose(fp), 0);

	snprintf(g->watch_path, sizeof g->watch_path, "%s/watchlist.jsonl", dir);
	fp = fopen(g->watch_path, "w");
	assert_non_null(fp);
	for (int p = 0; p < g->watchlisted; p++) {
		unit_noisy(&r, ident + p * g->dim, g->dim, g->wl_noise, v);
		fprintf(fp, "{\"id\":\"W-%04d\",\"embedding\":", p + 1);
		write_vec(fp, v, g->dim);
		fputs("}\n", fp);
	}
	assert_int_equal(fclose(fp), 0);
	free(ident);
	free(v);
}

typedef struct result {
	int n;
	int index[MAX_SIGHTINGS]; /* input sighting of each result */
	char key[MAX_SIGHTINGS][32];
	int watchlist[MAX_SIGHTINGS];
} result;

static int result_sink(void *ctx, const fm_sighting *s)
{
	result *res = ctx;

	assert_true(res->n < MAX_SIGHTINGS);
	/* Generated here: "c<i>"; other inputs are matched up by position. */
	res->index[res->n] = s->crime_id && s->crime_id[0] == 'c' ? atoi(s->crime_id + 1) : res->n;
	snprintf(res->key[res->n], sizeof res->key[0], "%s", s->individual_key);
	res->watchlist[res->n] = s->watchlist;
	res->n++;
	return 0;
}

static const char *build_dir(void)
{
	const char *b = getenv("BUILD");

	return b && *b ? b : "build";
}

static void make_tmpdir(char *buf, size_t len)
{
	const char *t = getenv("TMPDIR");

	snprintf(buf, len, "%s/crimetab-fmmatch-XXXXXX", t && *t ? t : "/tmp");
	assert_non_null(mkdtemp(buf));
}

static int run_plugin_with(const gen *g, const char *extra, int64_t from, int64_t to, result *res,
                           char *err, size_t errlen)
{
	char plugin[512], config[1200];

	snprintf(plugin, sizeof plugin, "%s/plugins/facematch-embeddings.so", build_dir());
	snprintf(config, sizeof config, "sightings=%s;watchlist=%s;threshold=0.6;%s", g->sight_path,
	         g->watch_path, extra);
	res->n = 0;
	return run_fm(plugin, config, from, to, result_sink, res, NULL, 0, err, errlen);
}

static int run_plugin(const gen *g, int64_t from, int64_t to, result *res, char *err, size_t errlen)
{
	return run_plugin_with(g, "", from, to, res, err, errlen);
}

/* Distinct and repeat (seen at least twice) counts over labels[0..n). */
static void count_labels(const int *labels, int n, int *distinct, int *repeat)
{
	int *seen = calloc((size_t)MAX_SIGHTINGS, sizeof *seen);

	assert_non_null(seen);
	*distinct = *repeat = 0;
	for (int i = 0; i < n; i++) {
		int c = ++seen[labels[i]];
		if (c == 1)
			++*distinct;
		if (c == 2)
			++*repeat;
	}
	free(seen);
}

/* Keys as small integers, in order of first appearance. */
static void label_keys(const result *res, int *labels)
{
	int next = 0;

	for (int i = 0; i < res->n; i++) {
		labels[i] = -1;
		for (int j = 0; j < i; j++)
			if (!strcmp(res->key[i], res->key[j])) {
				labels[i] = labels[j];
				break;
			}
		if (labels[i] < 0)
			labels[i] = next++;
	}
}

static void pairwise(const gen *g, const result *res, double *precision, double *recall)
{
	long tp = 0, fp = 0, fn = 0;

	for (int i = 0; i < res->n; i++)
		for (int j = i + 1; j < res->n; j++) {
			int same_true = g->truth[res->index[i]] == g->truth[res->index[j]];
			int same_pred = !strcmp(res->key[i], res->key[j]);
			tp += same_true && same_pred;
			fp += !same_true && same_pred;
			fn += same_true && !same_pred;
		}
	*precision = tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
	*recall = tp + fn ? (double)tp / (double)(tp + fn) : 1.0;
}

static void check_counts(const gen *g, const result *res)
{
	static int truth[MAX_SIGHTINGS], labels[MAX_SIGHTINGS];
	int td, tr, pd, pr;

	for (int i = 0; i < res->n; i++)
		truth[i] = g->truth[res->index[i]];
	label_keys(res, labels);
	count_labels(truth, res->n, &td, &tr);
	count_labels(labels, res->n, &pd, &pr);
	print_message("%d sightings: distinct %d (truth %d), repeat %d (truth %d)\n", res->n, pd, td, pr, tr);
	assert_int_equal(pd, td);
	assert_int_equal(pr, tr);
}

static void cleanup(const gen *g, const char *dir)
{
	unlink(g->sight_path);
	unlink(g->watch_path);
	rmdir(dir);
}

static void well_separated(int dim, double noise)
{
	static gen g;
	static result res;
	char dir[256], err[1024];
	double p, r;

	memset(&g, 0, sizeof g);
	g.individuals = 60;
	g.sightings = 300;
	g.dim = dim;
	g.watchlisted = 8;
	g.noise = noise;
	g.wl_noise = noise / 2;
	g.seed = 20241003;
	make_tmpdir(dir, sizeof dir);
	generate(&g, dir);

	assert_int_equal(run_plugin(&g, T_FROM, T_TO, &res, err, sizeof err), CT_OK);
	assert_int_equal(res.n, g.sightings);
	check_counts(&g, &res);
	pairwise(&g, &res, &p, &r);
	assert_true(p == 1.0 && r == 1.0);
	/* Gallery individuals are the first eight, and are named by it. */
	for (int i = 0; i < res.n; i++)
		assert_int_equal(res.watchlist[i], g.truth[res.index[i]] < g.watchlisted);

	/* A quarter of the period: only its sightings are reported, and they
	 * still carry the keys matching over the whole file gave them. */
	{
		static result part;
		int64_t from = 1711929600LL, to = 1719792000LL; /* 2024-04-01 .. 2024-07-01 */
		int expect = 0;

		for (int i = 0; i < g.sightings; i++)
			expect += g.time[i] >= from && g.time[i] < to;
		assert_int_equal(run_plugin(&g, from, to, &part, err, sizeof err), CT_OK);
		assert_int_equal(part.n, expect);
		assert_true(expect > 0);
		check_counts(&g, &part);
		for (int i = 0; i < part.n; i++)
			for (int j = 0; j < res.n; j++)
				if (res.index[j] == part.index[i])
					assert_string_equal(res.key[j], part.key[i]);
	}
	cleanup(&g, dir);
}

static void test_well_separated_128(void **state)
{
	(void)state;
	/* Same-person cosine about 1 / (1 + 128 * 0.04^2) = 0.83. */
	well_separated(128, 0.04);
}

static void test_well_separated_512(void **state)
{
	(void)state;
	well_separated(512, 0.02);
}

static void test_heavy_noise_floor(void **state)
{
	static gen g;
	static result res;
	char dir[256], err[1024];
	double p, r;

	(void)state;
	memset(&g, 0, sizeof g);
	g.individuals = 150;
	g.sightings = 900;
	g.dim = 128;
	g.watchlisted = 0;
	/* Same-person cosine about 1 / (1 + 128 * 0.065^2) = 0.65: many true
	 * pairs fall below the threshold, and recall rests on chaining.  Pairs
	 * of look-alikes (identity cosine 0.6) make the same chaining merge
	 * some siblings, which is what costs precision. */
	g.noise = 0.065;
	g.lookalike = 0.6;
	g.seed = 8;
	make_tmpdir(dir, sizeof dir);
	generate(&g, dir);
	assert_int_equal(run_plugin(&g, T_FROM, T_TO, &res, err, sizeof err), CT_OK);
	assert_int_equal(res.n, g.sightings);
	pairwise(&g, &res, &p, &r);
	print_message("heavy noise: pairwise precision %.4f recall %.4f\n", p, r);
	assert_true(p >= 0.9);
	assert_true(r >= 0.9);

	/* Keys must not depend on how the work was split among threads, nor
	 * on the pruned search: comparing every pair gives the same groups. */
	{
		static result other;
		const char *splits[] = { "threads=1", "threads=3", "search=exhaustive", "threads=1;search=exhaustive" };

		for (size_t k = 0; k < sizeof splits / sizeof splits[0]; k++) {
			assert_int_equal(run_plugin_with(&g, splits[k], T_FROM, T_TO, &other, err, sizeof err), CT_OK);
			assert_int_equal(other.n, res.n);
			for (int i = 0; i < res.n; i++)
				assert_string_equal(other.key[i], res.key[i]);
		}
	}
	cleanup(&g, dir);
}

/* Each case: lines 1-2 are good 4-d sightings, line 3 is bad. */
static const struct bad_case {
	const char *line;
	const char *reason;
} bad_cases[] = {
	{ "{\"id\":\"s3\",\"time\":\"2024-01-01T00:00:00Z\",\"embedding\":[1,2,3]}", "embedding has 3 values, expected 4" },
	{ "{\"id\":\"s3\",\"time\":\"2024-01-01T00:00:00Z\",\"embedding\":[1,NaN,3,4]}", "bad JSON" },
	{ "{\"id\":\"s3\",\"time\":\"2024-01-01T00:00:00Z\",\"embedding\":[1,2,1e999,4]}", "embedding[2] is not finite" },
	{ "{\"id\":\"s3\",\"time\":\"2024-01-01T00:00:00Z\",\"embedding\":[1,\"2\",3,4]}", "embedding[1] is not a number" },
	{ "{\"id\":\"s3\",\"time\":\"2024-01-01T00:00:00Z\"}", "missing \"embedding\"" },
	{ "{\"id\":\"s3\",\"embedding\":[1,2,3,4]}", "missing \"time\"" },
	{ "{\"time\":\"2024-01-01T00:00:00Z\",\"embedding\":[1,2,3,4]}", "missing \"id\"" },
	{ "{\"id\":\"s3\",\"time\":\"2024-02-30T00:00:00Z\",\"embedding\":[1,2,3,4]}", "bad time \"2024-02-30T00:00:00Z\"" },
	{ "{\"id\":\"s3\",\"time\":\"2024-01-01 00:00:00\",\"embedding\":[1,2,3,4]}", "bad time" },
	{ "{\"id\":\"s3\",\"time\":\"2024-01-01T00:00:00Z\",\"embedding\":[0,0,0,0]}", "embedding is a zero vector" },
	{ "{\"id\":\"s1\",\"time\":\"2024-01-01T00:00:00Z\",\"embedding\":[1,2,3,4]}", "id \"s1\" already used on line 1" },
	{ "{\"id\":\"s3\",\"time\":\"2024-01-01T00:00:00Z\",\"lon\":-1.3,\"embedding\":[1,2,3,4]}", "\"lon\" without \"lat\"" },
	{ "{\"id\":\"s3\",\"time\":\"2024-01-01T00:00:00Z\",\"lon\":-1.3,\"lat\":95,\"embedding\":[1,2,3,4]}", "\"lat\" is not a number" },
	{ "{\"id\":\"s3\",\"time\":\"2024-01-01T00:00:00Z\",\"embedding\":[1,2,3,4]} {}", "bad JSON: text after the object" },
	{ "[1,2,3]", "not a JSON object" },
};

/* A file big enough to be read by several threads: the same keys as one
 * thread reading it, and of two bad lines the first is named, wherever the
 * threads' shares begin. */
static void test_parallel_reading(void **state)
{
	char dir[256], sp[512], plugin[512], config[1200], err[1024], want[600];
	result *one = calloc(1, sizeof *one), *many = calloc(1, sizeof *many);
	rng r = { 99 };
	const int lines = 3000, bad[2] = { 2200, 2900 };

	(void)state;
	assert_non_null(one);
	assert_non_null(many);
	make_tmpdir(dir, sizeof dir);
	snprintf(sp, sizeof sp, "%s/big.jsonl", dir);
	snprintf(plugin, sizeof plugin, "%s/plugins/facematch-embeddings.so", build_dir());
	for (int pass = 0; pass < 2; pass++) {
		FILE *fp = fopen(sp, "w");
		assert_non_null(fp);
		for (int i = 1; i <= lines; i++) {
			if (pass && (i == bad[0] || i == bad[1])) {
				fprintf(fp, "{\"id\":\"s%d\",\"time\":\"2024-01-01T00:00:00Z\",\"embedding\":[1,2]}\n", i);
				continue;
			}
			if (i % 500 == 0)
				fputc('\n', fp); /* blank lines count as lines */
			fprintf(fp, "{\"id\":\"s%d\",\"time\":\"2024-%02d-01T00:00:00Z\",\"crime_id\":\"c%d\",\"embedding\":[", i,
			        1 + i % 10, i);
			for (int k = 0; k < 128; k++)
				fprintf(fp, k ? ",%.6f" : "%.6f", (double)(i % 200) / 50.0 + rng_gauss(&r) * 0.05 + k % 7);
			fputs("]}\n", fp);
		}
		assert_int_equal(fclose(fp), 0);
		if (!pass) {
			snprintf(config, sizeof config, "sightings=%s;threads=1", sp);
			assert_int_equal(run_fm(plugin, config, T_FROM, T_TO, result_sink, one, NULL, 0, err, sizeof err), CT_OK);
			snprintf(config, sizeof config, "sightings=%s;threads=4", sp);
			assert_int_equal(run_fm(plugin, config, T_FROM, T_TO, result_sink, many, NULL, 0, err, sizeof err), CT_OK);
			assert_int_equal(one->n, lines);
			assert_int_equal(many->n, lines);
			for (int i = 0; i < lines; i++)
				assert_string_equal(one->key[i], many->key[i]);
		} else {
			snprintf(config, sizeof config, "sightings=%s;threads=4", sp);
			assert_int_not_equal(run_fm(plugin, config, T_FROM, T_TO, result_sink, many, NULL, 0, err, sizeof err),
			                     CT_OK);
			/* blank lines before it: one every 500 */
			snprintf(want, sizeof want, "%s:%d: embedding has 2 values, expected 128", sp, bad[0] + bad[0] / 500);
			if (!strstr(err, want))
				fail_msg("expected \"%s\" in \"%s\"", want, err);
		}
	}
	unlink(sp);
	rmdir(dir);
	free(one);
	free(many);
}

static void test_malformed_lines_refused(void **state)
{
	char dir[256], sp[512], plugin[512], config[1200], err[1024], want[600];
	result *res = calloc(1, sizeof *res);

	(void)state;
	assert_non_null(res);
	make_tmpdir(dir, sizeof dir);
	snprintf(sp, sizeof sp, "%s/bad.jsonl", dir);
	snprintf(plugin, sizeof plugin, "%s/plugins/facematch-embeddings.so", build_dir());
	snprintf(config, sizeof config, "sightings=%s", sp);
	for (size_t c = 0; c < sizeof bad_cases / sizeof bad_cases[0]; c++) {
		FILE *fp = fopen(sp, "w");
		assert_non_null(fp);
		fprintf(fp, "{\"id\":\"s1\",\"time\":\"2024-01-01T00:00:00Z\",\"embedding\":[1,0,0,0]}\n"
		            "{\"id\":\"s2\",\"time\":\"2024-01-02T00:00:00Z\",\"embedding\":[0,1,0,0]}\n"
		            "%s\n"
		            "{\"id\":\"s4\",\"time\":\"2024-01-03T00:00:00Z\",\"embedding\":[0,0,1,0]}\n",
		        bad_cases[c].line);
		assert_int_equal(fclose(fp), 0);
		res->n = 0;
		assert_int_not_equal(run_fm(plugin, config, T_FROM, T_TO, result_sink, res, NULL, 0, err, sizeof err),
		                     CT_OK);
		/* Nothing reaches the caller from a file that is refused. */
		assert_int_equal(res->n, 0);
		snprintf(want, sizeof want, "%s:3: %s", sp, bad_cases[c].reason);
		if (!strstr(err, want))
			fail_msg("case %zu: expected \"%s\" in \"%s\"", c, want, err);
	}

	/* A configured dimension is checked from the first line on. */
	snprintf(config, sizeof config, "sightings=%s;dim=512", sp);
	assert_int_not_equal(run_fm(plugin, config, T_FROM, T_TO, result_sink, res, NULL, 0, err, sizeof err), CT_OK);
	snprintf(want, sizeof want, "%s:1: embedding has 4 values, expected 512", sp);
	assert_non_null(strstr(err, want));
	unlink(sp);
	rmdir(dir);
	free(res);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long len;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	assert_true(len > 0);
	rewind(fp);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	buf[len] = '\0';
	fclose(fp);
	return buf;
}

/* The shipped sample must give exactly the counts its generator recorded.
 * The reference plugin reports in file order, so result i is line i. */
static void test_sample_data_matches_truth(void **state)
{
	static gen g;
	static result res;
	char err[1024], *text;
	cJSON *truth;
	const cJSON *sightings, *s;
	double p, r;
	int n = 0;

	(void)state;
	memset(&g, 0, sizeof g);
	snprintf(g.sight_path, sizeof g.sight_path, "sample-data/facematch/sightings.jsonl");
	snprintf(g.watch_path, sizeof g.watch_path, "sample-data/facematch/watchlist.jsonl");
	text = slurp("sample-data/facematch/truth.json");
	truth = cJSON_Parse(text);
	assert_non_null(truth);
	sightings = cJSON_GetObjectItemCaseSensitive(truth, "sightings");
	cJSON_ArrayForEach(s, sightings) {
		const cJSON *who = cJSON_GetObjectItemCaseSensitive(s, "individual");
		assert_true(cJSON_IsString(who) && n < MAX_SIGHTINGS);
		g.truth[n++] = atoi(who->valuestring + 2); /* "P-0042" */
	}
	/* the sample spans 2022-10 to 2024-10 */
	assert_int_equal(run_plugin(&g, SAMPLE_FROM, T_TO, &res, err, sizeof err), CT_OK);
	assert_int_equal(res.n, n);
	for (int i = 0; i < n; i++)
		res.index[i] = i;
	check_counts(&g, &res);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(truth, "distinct_individuals")->valueint, 80);
	pairwise(&g, &res, &p, &r);
	assert_true(p == 1.0 && r == 1.0);
	cJSON_Delete(truth);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_separated_128),
		cmocka_unit_test(test_well_separated_512),
		cmocka_unit_test(test_heavy_noise_floor),
		cmocka_unit_test(test_malformed_lines_refused),
		cmocka_unit_test(test_parallel_reading),
		cmocka_unit_test(test_sample_data_matches_truth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
