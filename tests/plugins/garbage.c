/* A plugin that emits two good sightings and then garbage of the kind its
 * config names, as a buggy or hostile plugin might:
 *   pipe   bytes written straight into every descriptor past stderr, which
 *          in the host's child is the pipe its reports travel on (default)
 *   nan    a confidence that is not a number
 *   key    no individual key
 *   long   a key of 5000 bytes
 *   utf8   a crime id that is not UTF-8
 *   range  a time outside the requested range
 *   size   a sighting struct that claims to be 8 bytes
 * The host must end the run as a plugin failure and store nothing. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_plugin.h"

struct crimetab_fm_handle {
	char kind[16];
	char longkey[5001];
};

static int garbage_open(const char *config, crimetab_fm_handle **out, char *errbuf, size_t errlen)
{
	(void)errbuf;
	(void)errlen;
	*out = calloc(1, sizeof **out);
	if (!*out)
		return CRIMETAB_FM_ENOMEM;
	strncpy((*out)->kind, *config ? config : "pipe", sizeof (*out)->kind - 1);
	memset((*out)->longkey, 'k', sizeof (*out)->longkey - 1);
	return CRIMETAB_FM_OK;
}

static int garbage_identify(crimetab_fm_handle *h, int64_t from, int64_t to, crimetab_fm_emit_fn emit,
                            void *host_ctx)
{
	static const char junk[] = "CTFM\x53\xff\xff\xff\xff\xff\xff\x7f this is not a report";
	crimetab_fm_sighting s = { 0 };

	s.size = sizeof s;
	s.confidence = 0.5;
	s.individual_key = "ind-a";
	s.time = from > 0 ? from : 1727740800;
	if (emit(host_ctx, &s) != 0 || emit(host_ctx, &s) != 0)
		return CRIMETAB_FM_EABORT;
	if (!strcmp(h->kind, "pipe")) {
		for (int fd = 3; fd < 64; fd++)
			if (write(fd, junk, sizeof junk) < 0)
				continue;
		return CRIMETAB_FM_OK;
	}
	if (!strcmp(h->kind, "nan"))
		s.confidence = strtod("nan", NULL);
	else if (!strcmp(h->kind, "key"))
		s.individual_key = NULL;
	else if (!strcmp(h->kind, "long"))
		s.individual_key = h->longkey;
	else if (!strcmp(h->kind, "utf8"))
		s.crime_id = "CR-\xff\xfe";
	else if (!strcmp(h->kind, "range"))
		s.time = to;
	else if (!strcmp(h->kind, "size"))
		s.size = 8;
	return emit(host_ctx, &s) ? CRIMETAB_FM_EABORT : CRIMETAB_FM_OK;
}

static const char *garbage_last_error(const crimetab_fm_handle *h)
{
	(void)h;
	return "stopped by the host";
}

static const crimetab_fm_descriptor garbage_descriptor = {
	.struct_size = sizeof(crimetab_fm_descriptor),
	.abi_major = CRIMETAB_FM_ABI_MAJOR,
	.abi_minor = CRIMETAB_FM_ABI_MINOR,
	.name = "garbage",
	.version = "0.0.1",
	.open = garbage_open,
	.identify = garbage_identify,
	.close = free_close,
	.last_error = garbage_last_error,
};

TEST_PLUGIN_ENTRY(garbage_descriptor)
