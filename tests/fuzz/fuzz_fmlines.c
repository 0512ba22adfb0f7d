/* libFuzzer target: arbitrary bytes as the reference face-match plugin's
 * sightings file (JSON Lines), read through its open() as crimetab would,
 * then grouped and reported.  A refusal must name the file (and the line);
 * an accepted file must give every sighting a key. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <crimetab/facematch.h>
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *ctx, const crimetab_fm_sighting *s)
{
	if (!s->individual_key || !*s->individual_key)
		abort();
	++*(long *)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char config[128], err[512];
	if (!*path) {
		snprintf(path, sizeof path, "/tmp/crimetab-fuzz-fmlines-%ld.jsonl", (long)getpid());
	}
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	snprintf(config, sizeof config, "sightings=%s;threads=1", path);
	const crimetab_fm_descriptor *d = crimetab_facematch_entry(CRIMETAB_FM_ABI_MAJOR, CRIMETAB_FM_ABI_MINOR);
	crimetab_fm_handle *h = NULL;
	if (d->open(config, &h, err, sizeof err) != CRIMETAB_FM_OK) {
		fuzz_refusal_names(err, path);
	} else {
		long n = 0;
		if (d->identify(h, INT64_MIN, INT64_MAX, count, &n) != CRIMETAB_FM_OK)
			abort();
		d->close(h);
	}
	unlink(path);
	return 0;
}
