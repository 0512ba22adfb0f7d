/* Shared by the test plugins: entry points that refuse everything (for the
 * plugins the host must turn away before calling any), the close and
 * last_error most of them have, and the entry symbol. */
#ifndef CRIMETAB_TEST_PLUGIN_H
#define CRIMETAB_TEST_PLUGIN_H

#include <stdlib.h>

#include <crimetab/facematch.h>

#define TEST_PLUGIN_UNUSED __attribute__((unused))

static TEST_PLUGIN_UNUSED int refuse_open(const char *config, crimetab_fm_handle **out, char *errbuf, size_t errlen)
{
	(void)config;
	(void)errbuf;
	(void)errlen;
	*out = NULL;
	return CRIMETAB_FM_ERROR;
}

static TEST_PLUGIN_UNUSED int refuse_identify(crimetab_fm_handle *h, int64_t from, int64_t to,
					      crimetab_fm_emit_fn emit, void *host_ctx)
{
	(void)h;
	(void)from;
	(void)to;
	(void)emit;
	(void)host_ctx;
	return CRIMETAB_FM_ERROR;
}

static TEST_PLUGIN_UNUSED void refuse_close(crimetab_fm_handle *h)
{
	(void)h;
}

static TEST_PLUGIN_UNUSED const char *refuse_last_error(const crimetab_fm_handle *h)
{
	(void)h;
	return "should never be called";
}

/* close for a plugin whose handle is one malloc'd block. */
static TEST_PLUGIN_UNUSED void free_close(crimetab_fm_handle *h)
{
	free(h);
}

/* last_error for a plugin with nothing to add to its error codes. */
static TEST_PLUGIN_UNUSED const char *no_last_error(const crimetab_fm_handle *h)
{
	(void)h;
	return "";
}

/* The plugin's one exported symbol, handing the host DESCRIPTOR. */
#define TEST_PLUGIN_ENTRY(descriptor)                                                                           \
	CRIMETAB_FM_EXPORT const crimetab_fm_descriptor *crimetab_facematch_entry(uint32_t host_abi_major,      \
										   uint32_t host_abi_minor)      \
	{                                                                                                         \
		(void)host_abi_major;                                                                             \
		(void)host_abi_minor;                                                                             \
		return &(descriptor);                                                                             \
	}

#endif
