/* A plugin of the right major whose descriptor stops before close and
 * last_error, as if built against an older, shorter layout: the host must
 * refuse it rather than read past its end. */
#include <crimetab/facematch.h>

static int short_open(const char *config, crimetab_fm_handle **out, char *errbuf, size_t errlen)
{
	(void)config;
	(void)errbuf;
	(void)errlen;
	*out = NULL;
	return CRIMETAB_FM_ERROR;
}

static int short_identify(crimetab_fm_handle *h, int64_t from, int64_t to,
                          crimetab_fm_emit_fn emit, void *host_ctx)
{
	(void)h;
	(void)from;
	(void)to;
	(void)emit;
	(void)host_ctx;
	return CRIMETAB_FM_ERROR;
}

static const crimetab_fm_descriptor short_descriptor = {
	.struct_size = offsetof(crimetab_fm_descriptor, close),
	.abi_major = CRIMETAB_FM_ABI_MAJOR,
	.abi_minor = CRIMETAB_FM_ABI_MINOR,
	.name = "short-desc",
	.version = "0.0.1",
	.open = short_open,
	.identify = short_identify,
};

CRIMETAB_FM_EXPORT const crimetab_fm_descriptor *
crimetab_facematch_entry(uint32_t host_abi_major, uint32_t host_abi_minor)
{
	(void)host_abi_major;
	(void)host_abi_minor;
	return &short_descriptor;
}
