/* Test helper for the face-match tests: the host's run with only what those
 * tests vary. */
#ifndef CRIMETAB_TEST_FM_H
#define CRIMETAB_TEST_FM_H

#include <stdint.h>
#include <stdio.h>

#include "plugin/fm_host.h"

/* Runs the plugin at PATH with CONFIG over [FROM, TO), no state folder and
 * a minute to finish, handing sightings to SINK; NAME (may be NULL)
 * receives "plugin-name version". */
static inline int run_fm(const char *path, const char *config, int64_t from, int64_t to,
                         int (*sink)(void *, const fm_sighting *), void *ctx, char *name, size_t name_len, char *err,
                         size_t errlen)
{
	fm_request req = { .config = config, .from = from, .to = to, .forget_before = INT64_MIN, .timeout = 60 };
	fm_callbacks cb = { .sighting = sink, .ctx = ctx };
	fm_info info = { 0 };
	int rc = fm_run(path, &req, &cb, &info, err, errlen);

	if (name && name_len)
		snprintf(name, name_len, "%s%s%s", info.name ? info.name : "", info.name ? " " : "",
		         info.version ? info.version : "");
	fm_info_clear(&info);
	return rc;
}

#endif
