/* A plugin claiming ABI major 99: the host must refuse it before calling
 * anything in it. */
#include <crimetab/facematch.h>

static int bad_open(const char *config, crimetab_fm_handle **out, char *errbuf, size_t errlen)
{
	(void)config;
	(void)errbuf;
	(void)errlen;
	*out = NULL;
	return CRIMETAB_FM_ERROR;
}

static int bad_identify(crimetab_fm_handle *h, int64_t from, int64_t to,
                        crimetab_fm_emit_fn emit, void *host_ctx)
{
	(void)h;
	(void)from;
	(void)to;
	(void)emit;
	(void)host_ctx;
	return CRIMETAB_FM_ERROR;
}

static void bad_close(crimetab_fm_handle *h)
{
	(void)h;
}

static const char *bad_last_error(const crimetab_fm_handle *h)
{
	(void)h;
	return "should never be called";
}

static const crimetab_fm_descriptor bad_descriptor = {
	.struct_size = sizeof(crimetab_fm_descriptor),
	.abi_major = 99,
	.abi_minor = 0,
	.name = "bad-abi",
	.version = "0.0.1",
	.open = bad_open,
	.identify = bad_identify,
	.close = bad_close,
	.last_error = bad_last_error,
};

CRIMETAB_FM_EXPORT const crimetab_fm_descriptor *
crimetab_facematch_entry(uint32_t host_abi_major, uint32_t host_abi_minor)
{
	(void)host_abi_major;
	(void)host_abi_minor;
	return &bad_descriptor;
}
