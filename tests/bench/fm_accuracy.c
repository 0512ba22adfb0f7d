/* Accuracy of the reference face-match plugin against known truth, by how
 * noisy the embeddings are and by threshold: pairwise precision and recall,
 * and distinct and repeat offenders found against the true counts.  Prints
 * the Markdown tables of docs/facematch-accuracy.md.
 *
 * The data are made as tests/tools/gen-sightings.py makes them: 1,000
 * individuals as random unit vectors, each seen once and 60% of them again
 * with a long tail (5,000 sightings), a sighting being normalise(identity +
 * s * gaussian).  s is chosen for the cosine two sightings of one person
 * have on average, 1 / (1 + s^2 d), which is what a threshold is compared
 * with; it is the property of a real model and camera that matters here.
 *
 * Usage: fm_accuracy PLUGIN.so [DIM...]   (default dimensions 128 and 512) */
#include <crimetab/facematch.h>

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PEOPLE 1000
#define SIGHTINGS 5000

static uint64_t acc_rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double acc_unit(uint64_t *s)
{
	return (double)(acc_rng(s) >> 11) / 9007199254740992.0;
}

static double acc_gauss(uint64_t *s)
{
	return sqrt(-2.0 * log(acc_unit(s) + 1e-300)) * cos(6.283185307179586 * acc_unit(s));
}

/* Who each sighting is: everyone once, repeaters again, the rest drawn
 * with weights 1 / (rank + 1)^0.8 among the repeaters. */
static void acc_people(int *who, uint64_t *seed)
{
	int repeaters = PEOPLE * 6 / 10, n = 0;
	double *cum = malloc((size_t)repeaters * sizeof *cum), total = 0.0;

	for (int p = 0; p < PEOPLE; p++)
		who[n++] = p;
	for (int p = 0; p < repeaters; p++)
		who[n++] = p;
	for (int r = 0; r < repeaters; r++)
		cum[r] = total += 1.0 / pow(r + 1.0, 0.8);
	while (n < SIGHTINGS) {
		double x = acc_unit(seed) * total;
		int r = 0;
		while (r < repeaters - 1 && cum[r] < x)
			r++;
		who[n++] = r;
	}
	free(cum);
}

static int acc_write(const char *path, int dim, double cosine, const int *who, uint64_t seed)
{
	FILE *fp = fopen(path, "w");
	double *ident = malloc((size_t)PEOPLE * (size_t)dim * sizeof *ident);
	double sigma = sqrt((1.0 / cosine - 1.0) / dim);

	if (!fp || !ident) {
		free(ident);
		if (fp)
			fclose(fp);
		return -1;
	}
	for (int p = 0; p < PEOPLE; p++) {
		double nn = 0.0;
		for (int k = 0; k < dim; k++) {
			ident[p * dim + k] = acc_gauss(&seed);
			nn += ident[p * dim + k] * ident[p * dim + k];
		}
		for (int k = 0; k < dim; k++)
			ident[p * dim + k] /= sqrt(nn);
	}
	for (int i = 0; i < SIGHTINGS; i++) {
		fprintf(fp, "{\"id\":\"s%05d\",\"time\":\"2024-%02d-%02dT12:00:00Z\",\"embedding\":[", i, 1 + i % 12,
		        1 + i % 28);
		for (int k = 0; k < dim; k++)
			fprintf(fp, k ? ",%.6f" : "%.6f", ident[who[i] * dim + k] + sigma * acc_gauss(&seed));
		fputs("]}\n", fp);
	}
	free(ident);
	return fclose(fp);
}

typedef struct acc_keys {
	char (*key)[32];
	int n;
} acc_keys;

static int acc_emit(void *ctx, const crimetab_fm_sighting *s)
{
	acc_keys *k = ctx;

	if (k->n < SIGHTINGS)
		snprintf(k->key[k->n], sizeof k->key[0], "%s", s->individual_key);
	k->n++;
	return 0;
}

/* Keys as numbers 0..: the same key, the same number. */
static int acc_label(const acc_keys *k, int *label)
{
	int next = 0;

	for (int i = 0; i < k->n; i++) {
		label[i] = -1;
		for (int j = 0; j < i && label[i] < 0; j++)
			if (!strcmp(k->key[i], k->key[j]))
				label[i] = label[j];
		if (label[i] < 0)
			label[i] = next++;
	}
	return next;
}

/* Distinct and repeat (two or more sightings) over LABEL. */
static void acc_counts(const int *label, int n, int nlabels, int *distinct, int *repeat)
{
	int *seen = calloc((size_t)nlabels, sizeof *seen);

	*distinct = *repeat = 0;
	for (int i = 0; i < n; i++) {
		*distinct += ++seen[label[i]] == 1;
		*repeat += seen[label[i]] == 2;
	}
	free(seen);
}

int main(int argc, char **argv)
{
	static const double cosines[] = { 0.85, 0.70, 0.55, 0.45 };
	static const double thresholds[] = { 0.3, 0.4, 0.5, 0.6, 0.7, 0.8 };
	int dims[8] = { 128, 512 }, ndims = 2;
	char dir[] = "/tmp/crimetab-fmacc-XXXXXX", data[64], config[256], err[512];
	int *who = malloc(SIGHTINGS * sizeof *who), *label = malloc(SIGHTINGS * sizeof *label);
	acc_keys keys = { malloc(SIGHTINGS * sizeof *keys.key), 0 };
	uint64_t seed = 7;
	void *lib;
	const crimetab_fm_descriptor *d;
	crimetab_fm_entry_fn entry;

	if (argc < 2 || !who || !label || !keys.key) {
		fprintf(stderr, "usage: %s PLUGIN.so [DIM...]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		for (ndims = 0; ndims < 8 && ndims + 2 < argc; ndims++)
			dims[ndims] = atoi(argv[ndims + 2]);
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	entry = lib ? (crimetab_fm_entry_fn)dlsym(lib, CRIMETAB_FM_ENTRY_NAME) : NULL;
	d = entry ? entry(CRIMETAB_FM_ABI_MAJOR, CRIMETAB_FM_ABI_MINOR) : NULL;
	if (!d || !mkdtemp(dir)) {
		fprintf(stderr, "%s: cannot load the plugin or make a folder\n", argv[1]);
		return 1;
	}
	acc_people(who, &seed);
	int truth_distinct, truth_repeat;
	acc_counts(who, SIGHTINGS, PEOPLE, &truth_distinct, &truth_repeat);
	snprintf(data, sizeof data, "%s/s.jsonl", dir);
	printf("%d sightings of %d individuals (%d seen twice or more).\n", SIGHTINGS, truth_distinct, truth_repeat);
	for (int di = 0; di < ndims; di++) {
		printf("\n%d-d embeddings.  P = pairwise precision (pairs put together that are one person), R = pairwise\n"
		       "recall (pairs of one person put together), then distinct and repeat offenders found (truth %d and "
		       "%d).\n\n",
		       dims[di], truth_distinct, truth_repeat);
		printf("| same-person cosine (noise per value) |");
		for (size_t t = 0; t < sizeof thresholds / sizeof thresholds[0]; t++)
			printf(" threshold %.1f |", thresholds[t]);
		printf("\n|---|");
		for (size_t t = 0; t < sizeof thresholds / sizeof thresholds[0]; t++)
			printf("---|");
		printf("\n");
		for (size_t c = 0; c < sizeof cosines / sizeof cosines[0]; c++) {
			if (acc_write(data, dims[di], cosines[c], who, seed + 1000 * (uint64_t)di + c) != 0) {
				perror(data);
				return 1;
			}
			printf("| %.2f (%.3f) |", cosines[c], sqrt((1.0 / cosines[c] - 1.0) / dims[di]));
			for (size_t t = 0; t < sizeof thresholds / sizeof thresholds[0]; t++) {
				crimetab_fm_handle *h = NULL;
				snprintf(config, sizeof config, "sightings=%s;threshold=%.2f", data, thresholds[t]);
				keys.n = 0;
				if (d->open(config, &h, err, sizeof err) ||
				    d->identify(h, INT64_MIN, INT64_MAX, acc_emit, &keys) || keys.n != SIGHTINGS) {
					fprintf(stderr, "run failed: %s\n", h ? d->last_error(h) : err);
					return 1;
				}
				d->close(h);
				int nl = acc_label(&keys, label), found_d, found_r;
				long tp = 0, fp = 0, fn = 0;
				for (int i = 0; i < SIGHTINGS; i++)
					for (int j = i + 1; j < SIGHTINGS; j++) {
						int same = who[i] == who[j], put = label[i] == label[j];
						tp += same && put;
						fp += !same && put;
						fn += same && !put;
					}
				acc_counts(label, SIGHTINGS, nl, &found_d, &found_r);
				printf(" P %.3f R %.3f; %d / %d |", tp + fp ? (double)tp / (double)(tp + fp) : 1.0,
				       tp + fn ? (double)tp / (double)(tp + fn) : 1.0, found_d, found_r);
				fflush(stdout);
			}
			printf("\n");
		}
	}
	unlink(data);
	rmdir(dir);
	dlclose(lib);
	free(who);
	free(label);
	free(keys.key);
	return 0;
}
