/* A plugin of the right major whose descriptor stops before close and
 * last_error, as if built against an older, shorter layout: the host must
 * refuse it rather than read past its end. */
#include "test_plugin.h"

static const crimetab_fm_descriptor short_descriptor = {
	.struct_size = offsetof(crimetab_fm_descriptor, close),
	.abi_major = CRIMETAB_FM_ABI_MAJOR,
	.abi_minor = CRIMETAB_FM_ABI_MINOR,
	.name = "short-desc",
	.version = "0.0.1",
	.open = refuse_open,
	.identify = refuse_identify,
};

TEST_PLUGIN_ENTRY(short_descriptor)
