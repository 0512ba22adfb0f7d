/* Host side of the face-match plugin ABI (include/crimetab/facematch.h):
 * runs one plugin, loaded by explicit path, in a child process of its own,
 * and relays what it reports over a pipe. */
#ifndef CRIMETAB_FM_HOST_H
#define CRIMETAB_FM_HOST_H

#include <stddef.h>
#include <stdint.h>

/* Longest key, crime id or site id the host accepts from a plugin. */
#define FM_MAX_FIELD 1024

/* One sighting, as the plugin reported it and the host checked it: time in
 * the requested range, a key, confidence 0..1, coordinates in range, crime
 * and site ids valid UTF-8.  Strings are valid only during the callback:
 * copy what you keep. */
typedef struct fm_sighting {
	int64_t time;               /* Unix seconds, UTC, within [from, to) */
	int has_coords;
	double lon, lat;            /* WGS84 degrees, when has_coords */
	const char *crime_id;       /* or NULL */
	const char *individual_key; /* pseudonymous; never NULL or "" */
	double confidence;          /* 0..1 */
	int watchlist;              /* the key names a watchlist identity */
	int confirmed;              /* a person confirmed the match (ABI 1.1; 0 from a 1.0 plugin) */
	const char *site_id;        /* camera or site, or NULL (ABI 1.1) */
} fm_sighting;

/* What to ask of the plugin. */
typedef struct fm_request {
	const char *config;    /* the plugin's configuration; NULL is "" */
	int64_t from, to;      /* the sightings wanted: [from, to), Unix seconds */
	const char *state_dir; /* the plugin's state folder (must exist), or NULL for none */
	int64_t forget_before; /* retention, passed on: INT64_MIN keeps everything */
	int timeout;           /* seconds the whole run may take; 0 for no limit */
} fm_request;

/* Where the plugin's reports go, in the order it made them.  A non-zero
 * return stops the run.  MERGE may be NULL: the plugin is then told the
 * host takes no merges. */
typedef struct fm_callbacks {
	int (*sighting)(void *ctx, const fm_sighting *s);
	int (*merge)(void *ctx, const char *from_key, const char *into_key);
	void *ctx;
} fm_callbacks;

/* What the host learned about the plugin and its run: the provenance a run
 * is recorded with.  Strings are owned (fm_info_clear frees them); NULL
 * where the plugin did not say.  Zero-initialise before fm_run. */
typedef struct fm_info {
	char *name, *version;         /* from the descriptor */
	unsigned abi_major, abi_minor;
	char plugin_sha256[65];       /* of the file loaded, hex; "" if unknown */
	int has_run_info;             /* the plugin answered run_info (ABI 1.1) */
	int identity;                 /* CRIMETAB_FM_IDENTITY_*; RUN when not said */
	char *model_name, *model_version, *similarity;
	double threshold;             /* NaN when none */
	char *gallery_name, *gallery_version, *gallery_hash, *options;
	char *inputs;                 /* "PATH sha256:HEX" per input, joined by "\n" */
} fm_info;

void fm_info_clear(fm_info *info);

/* Runs the plugin at PATH: open (open_host with REQ's state folder,
 * retention and merges, when the plugin has it) -> run_info -> identify ->
 * close, in a forked child that holds nothing of the caller's but the pipe
 * it writes to (no database handle, no other descriptor).  Calls CB for
 * every sighting and merge as they arrive.
 *
 * PATH must contain a '/' (so the dynamic loader never searches for it), and
 * is refused if it is not a regular file, if it or its directory is writable
 * by group or others or owned by someone other than the caller or root, if
 * it lacks the entry symbol, declines the host's ABI, has a different ABI
 * major or a descriptor smaller than ABI 1.0's.  A sighting that breaks the
 * ABI's promises, data on the pipe that is not a well-formed report, a
 * plugin that crashes, or one still running after REQ->timeout seconds
 * (it is killed) all end the run as a plugin failure.
 *
 * Returns 0 when the plugin finished and everything was delivered.
 * Otherwise err holds one lowercase line starting with PATH, and the return
 * is: the callback's own non-zero value if a callback stopped the run,
 * CT_EUSAGE for bad arguments, CT_EPLUGIN for everything else.  Callbacks
 * may have run before a failure: the caller keeps what it got apart until
 * fm_run returns 0.  INFO (may be NULL) is filled as far as the run got.
 * Prints nothing itself (the plugin's own stderr is the child's). */
int fm_run(const char *path, const fm_request *req, const fm_callbacks *cb, fm_info *info, char *err,
           size_t errlen);

/* Checks BUF (LEN bytes) as the reports a plugin's child process sent over
 * the pipe and hands them to CB, exactly as fm_run does (for fuzzing and
 * tests: the wire is input from outside).  The same returns as fm_run. */
int fm_parse_reports(const unsigned char *buf, size_t len, const fm_request *req, const fm_callbacks *cb,
		     fm_info *info, char *err, size_t errlen);

/* SHA-256 of the file at PATH as 64 hex digits in HEX; 0, or -1 with err
 * set to "PATH: reason". */
int fm_sha256_file(const char *path, char hex[65], char *err, size_t errlen);

#endif
