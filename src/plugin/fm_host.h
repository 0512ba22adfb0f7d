/* Host side of the face-match plugin ABI (include/crimetab/facematch.h):
 * loads one plugin by explicit path, checks it, and streams its sightings. */
#ifndef CRIMETAB_FM_HOST_H
#define CRIMETAB_FM_HOST_H

#include <stddef.h>
#include <stdint.h>

/* One sighting, copied out of the plugin's ABI struct.  Strings are valid
 * only during the sink call: copy what you keep. */
typedef struct fm_sighting {
	int64_t time;               /* Unix seconds, UTC, within [from, to) */
	int has_coords;
	double lon, lat;            /* WGS84 degrees, when has_coords */
	const char *crime_id;       /* or NULL */
	const char *individual_key; /* pseudonymous; never NULL or "" */
	double confidence;          /* 0..1 */
	int watchlist;              /* the key names a watchlist identity */
} fm_sighting;

/* Receives each sighting; a non-zero return stops the run. */
typedef int (*fm_sink)(void *ctx, const fm_sighting *s);

/* Loads the plugin at PATH and runs open(CONFIG) -> identify(FROM, TO) ->
 * close, handing every sighting to SINK with CTX.
 *
 * PATH must contain a '/' (so the dynamic loader never searches for it), and
 * is refused if it is not a regular file, if it or its directory is writable
 * by group or others or owned by someone other than the caller or root, if
 * it lacks the entry symbol, declines the host's ABI, has a different ABI
 * major or a descriptor smaller than the host reads.  Sightings that break
 * the ABI's promises (outside [FROM, TO), no key, confidence outside 0..1,
 * coordinates out of range) stop the run as a plugin failure.  The library
 * is dlclose()d on every path.  CONFIG may be NULL (passed on as "").
 *
 * Returns 0 when every sighting was delivered.  Otherwise err holds one
 * lowercase line starting with PATH, and the return is: the sink's own
 * non-zero value if the sink stopped the run, CT_EUSAGE for bad arguments,
 * CT_EPLUGIN for everything else.  Sightings may have reached SINK before
 * a failure: the caller rolls back.
 *
 * NAME_OUT (NAME_LEN bytes; may be NULL) receives "plugin-name version" as
 * soon as the descriptor is accepted, for recording the run.  Prints
 * nothing. */
int fm_run(const char *path, const char *config, int64_t from, int64_t to,
           fm_sink sink, void *ctx, char *name_out, size_t name_len,
           char *err, size_t errlen);

#endif
