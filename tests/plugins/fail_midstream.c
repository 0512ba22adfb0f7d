/* A well-formed plugin whose identify() emits three sightings and then
 * fails, as a match service that drops its connection would: the host must
 * report the failure so its caller rolls the three back. */
#include <stdio.h>
#include <stdlib.h>

#include "test_plugin.h"

struct crimetab_fm_handle {
	char err[128];
};

static int mid_open(const char *config, crimetab_fm_handle **out, char *errbuf, size_t errlen)
{
	(void)config;
	*out = calloc(1, sizeof **out);
	if (!*out) {
		snprintf(errbuf, errlen, "out of memory");
		return CRIMETAB_FM_ENOMEM;
	}
	return CRIMETAB_FM_OK;
}

static int mid_identify(crimetab_fm_handle *h, int64_t from, int64_t to,
                        crimetab_fm_emit_fn emit, void *host_ctx)
{
	static const char *const keys[3] = { "ind-a", "ind-b", "ind-a" };
	crimetab_fm_sighting s = { 0 };

	s.size = sizeof s;
	s.confidence = 0.9;
	for (int i = 0; i < 3 && from + i < to; i++) {
		s.time = from + i;
		s.individual_key = keys[i];
		if (emit(host_ctx, &s) != 0) {
			snprintf(h->err, sizeof h->err, "stopped by the host");
			return CRIMETAB_FM_EABORT;
		}
	}
	snprintf(h->err, sizeof h->err, "match service connection lost\nafter 3 sightings");
	return CRIMETAB_FM_EIO;
}

static const char *mid_last_error(const crimetab_fm_handle *h)
{
	return h->err;
}

static const crimetab_fm_descriptor mid_descriptor = {
	.struct_size = sizeof(crimetab_fm_descriptor),
	.abi_major = CRIMETAB_FM_ABI_MAJOR,
	.abi_minor = CRIMETAB_FM_ABI_MINOR,
	.name = "fail-midstream",
	.version = "0.0.1",
	.open = mid_open,
	.identify = mid_identify,
	.close = free_close,
	.last_error = mid_last_error,
};

TEST_PLUGIN_ENTRY(mid_descriptor)
