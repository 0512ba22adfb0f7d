/* A plugin exactly as one built for ABI 1.0 was: compiled against the frozen
 * 1.0 header in tests/plugins/abi-1.0/ (mk/facematch.mk puts it first on
 * the include path), so its descriptor ends at last_error and its sighting
 * says 64 bytes.  Each sighting sits in a buffer of 0xAB bytes that runs on
 * past the 1.0 struct, where a 1.1 host would find its 1.1 fields: a host
 * that read them would see confirmed sightings and a wild site pointer.
 * A 1.1 host must load it and read confirmed = 0 and no site. */
#include <stdlib.h>
#include <string.h>

#include "test_plugin.h"

#if CRIMETAB_FM_ABI_MINOR != 0
#error "abi10.c must be built against the ABI 1.0 header"
#endif

struct crimetab_fm_handle {
	int unused;
};

static int abi10_open(const char *config, crimetab_fm_handle **out, char *errbuf, size_t errlen)
{
	(void)config;
	(void)errbuf;
	(void)errlen;
	*out = calloc(1, sizeof **out);
	return *out ? CRIMETAB_FM_OK : CRIMETAB_FM_ENOMEM;
}

static int abi10_identify(crimetab_fm_handle *h, int64_t from, int64_t to, crimetab_fm_emit_fn emit,
                          void *host_ctx)
{
	static const char *const keys[3] = { "W-0001", "ind-b", "W-0001" };
	union {
		crimetab_fm_sighting s;
		unsigned char bytes[128];
	} buf;
	int64_t t0 = from > 0 ? from : 1727740800;

	(void)h;
	for (int i = 0; i < 3 && t0 + i < to; i++) {
		memset(&buf, 0xab, sizeof buf);
		buf.s.size = sizeof buf.s;
		buf.s.has_coords = 1;
		buf.s.time = t0 + 3600 * i;
		buf.s.lon = -1.3125;
		buf.s.lat = 54.5655;
		buf.s.crime_id = NULL;
		buf.s.individual_key = keys[i];
		buf.s.confidence = 0.75;
		buf.s.watchlist = keys[i][0] == 'W';
		if (emit(host_ctx, &buf.s) != 0)
			return CRIMETAB_FM_EABORT;
	}
	return CRIMETAB_FM_OK;
}

static const crimetab_fm_descriptor abi10_descriptor = {
	.struct_size = sizeof(crimetab_fm_descriptor),
	.abi_major = CRIMETAB_FM_ABI_MAJOR,
	.abi_minor = CRIMETAB_FM_ABI_MINOR,
	.name = "abi10",
	.version = "1.0.0",
	.open = abi10_open,
	.identify = abi10_identify,
	.close = free_close,
	.last_error = no_last_error,
};

TEST_PLUGIN_ENTRY(abi10_descriptor)
