/* A plugin claiming ABI major 99: the host must refuse it before calling
 * anything in it. */
#include "test_plugin.h"

static const crimetab_fm_descriptor bad_descriptor = {
	.struct_size = sizeof(crimetab_fm_descriptor),
	.abi_major = 99,
	.abi_minor = 0,
	.name = "bad-abi",
	.version = "0.0.1",
	.open = refuse_open,
	.identify = refuse_identify,
	.close = refuse_close,
	.last_error = refuse_last_error,
};

TEST_PLUGIN_ENTRY(bad_descriptor)
