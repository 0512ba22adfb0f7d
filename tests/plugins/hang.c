/* A plugin that emits one sighting and then never returns, as one stuck on
 * a dead network service would ("sleep=N" instead sleeps N seconds and then
 * emits a second one, for a slow but sound plugin).  The host must stop it
 * at its timeout and store nothing, and must not hold the database while it
 * waits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_plugin.h"

struct crimetab_fm_handle {
	long sleep_s; /* -1: forever */
};

static int hang_open(const char *config, crimetab_fm_handle **out, char *errbuf, size_t errlen)
{
	*out = calloc(1, sizeof **out);
	if (!*out) {
		snprintf(errbuf, errlen, "out of memory");
		return CRIMETAB_FM_ENOMEM;
	}
	(*out)->sleep_s = strncmp(config, "sleep=", 6) == 0 ? atol(config + 6) : -1;
	return CRIMETAB_FM_OK;
}

static int hang_identify(crimetab_fm_handle *h, int64_t from, int64_t to, crimetab_fm_emit_fn emit,
                         void *host_ctx)
{
	crimetab_fm_sighting s = { 0 };
	struct timespec ts = { 1, 0 };

	(void)to;
	s.size = sizeof s;
	s.confidence = 0.9;
	s.individual_key = "ind-a";
	s.time = from > 0 ? from : 1727740800; /* 2024-10-01 */
	if (emit(host_ctx, &s) != 0)
		return CRIMETAB_FM_EABORT;
	for (long i = 0; h->sleep_s < 0 || i < h->sleep_s; i++)
		nanosleep(&ts, NULL);
	s.individual_key = "ind-b";
	s.time++;
	return emit(host_ctx, &s) ? CRIMETAB_FM_EABORT : CRIMETAB_FM_OK;
}

static const crimetab_fm_descriptor hang_descriptor = {
	.struct_size = sizeof(crimetab_fm_descriptor),
	.abi_major = CRIMETAB_FM_ABI_MAJOR,
	.abi_minor = CRIMETAB_FM_ABI_MINOR,
	.name = "hang",
	.version = "0.0.1",
	.open = hang_open,
	.identify = hang_identify,
	.close = free_close,
	.last_error = no_last_error,
};

TEST_PLUGIN_ENTRY(hang_descriptor)
