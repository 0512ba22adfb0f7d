/* A plugin that emits two sightings and then dies of a segmentation fault,
 * as a plugin with a memory bug would: the host must survive it, say so and
 * store nothing. */
#include <signal.h>
#include <stdlib.h>

#include "test_plugin.h"

struct crimetab_fm_handle {
	int unused;
};

static int crash_open(const char *config, crimetab_fm_handle **out, char *errbuf, size_t errlen)
{
	(void)config;
	(void)errbuf;
	(void)errlen;
	*out = calloc(1, sizeof **out);
	return *out ? CRIMETAB_FM_OK : CRIMETAB_FM_ENOMEM;
}

static int crash_identify(crimetab_fm_handle *h, int64_t from, int64_t to, crimetab_fm_emit_fn emit,
                          void *host_ctx)
{
	crimetab_fm_sighting s = { 0 };

	(void)h;
	(void)to;
	s.size = sizeof s;
	s.confidence = 0.9;
	s.individual_key = "ind-a";
	for (int i = 0; i < 2; i++) {
		s.time = from + i;
		if (emit(host_ctx, &s) != 0)
			return CRIMETAB_FM_EABORT;
	}
	/* what a stray pointer ends in, without a sanitizer build catching
	 * the bad access first and exiting differently */
	raise(SIGSEGV);
	return CRIMETAB_FM_OK;
}

static const crimetab_fm_descriptor crash_descriptor = {
	.struct_size = sizeof(crimetab_fm_descriptor),
	.abi_major = CRIMETAB_FM_ABI_MAJOR,
	.abi_minor = CRIMETAB_FM_ABI_MINOR,
	.name = "crash",
	.version = "0.0.1",
	.open = crash_open,
	.identify = crash_identify,
	.close = free_close,
	.last_error = no_last_error,
};

TEST_PLUGIN_ENTRY(crash_descriptor)
