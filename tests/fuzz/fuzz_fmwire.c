/* libFuzzer target: arbitrary bytes as what a face-match plugin's child
 * process sends over its pipe (the host's wire format, see
 * src/plugin/fm_host.c), checked as fm_run checks it.  Whatever arrives,
 * every sighting handed on must keep the promises fm_host.h makes, and a
 * refusal must say why in one line. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "core/util.h"
#include "plugin/fm_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_sighting(void *ctx, const fm_sighting *s)
{
	const fm_request *req = ctx;
	if (s->time < req->from || s->time >= req->to || !s->individual_key || !*s->individual_key ||
	    strlen(s->individual_key) > FM_MAX_FIELD || !isfinite(s->confidence) || s->confidence < 0 ||
	    s->confidence > 1 || (s->has_coords && (fabs(s->lon) > 180 || fabs(s->lat) > 90)) ||
	    (s->crime_id && !ct_utf8_valid(s->crime_id, strlen(s->crime_id))) ||
	    (s->site_id && !ct_utf8_valid(s->site_id, strlen(s->site_id))))
		abort();
	return 0;
}

static int check_merge(void *ctx, const char *from, const char *into)
{
	(void)ctx;
	if (!*from || !*into || !strcmp(from, into))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fm_request req = {.from = 0, .to = 2000000000, .forget_before = INT64_MIN};
	fm_callbacks cb = {.sighting = check_sighting, .merge = check_merge, .ctx = &req};
	fm_info info = {0};
	char err[1024];
	int rc = fm_parse_reports(data, size, &req, &cb, &info, err, sizeof err);
	if (rc != CT_OK && (strncmp(err, "reports: ", 9) != 0 || strchr(err, '\n')))
		abort();
	fm_info_clear(&info);
	return 0;
}
