/* crimetab face-match plugin ABI: how a face-matching library tells crimetab
 * which sightings belong to the same (pseudonymous) individual.
 *
 * Division of labour: the plugin does face matching and nothing else; crimetab
 * does geography, time bucketing and counting.  This is crimetab's only public
 * header; it is a contract with code built separately, possibly years apart.
 *
 * The shape
 *   A plugin is a shared library that exports one function,
 *   crimetab_facematch_entry() (CRIMETAB_FM_ENTRY_NAME), returning a pointer to
 *   a constant crimetab_fm_descriptor.  Nothing else is looked up by name, and
 *   the plugin must not link against crimetab itself: everything it needs
 *   arrives through the arguments below.
 *
 *   The host loads a plugin only when asked to, by an explicit path, then calls
 *     open_host(host, config) or open(config) -> [run_info] ->
 *     identify(from, to, emit) [-> identify ...] -> close
 *   and dlclose()s the library on every path, success or failure.
 *
 * Versions and compatibility
 *   CRIMETAB_FM_ABI_MAJOR changes only when an existing field changes meaning
 *   or position, which it should never need to.  CRIMETAB_FM_ABI_MINOR
 *   changes when fields are appended.  The rules, for every struct here:
 *   - Fields are only ever appended: nothing is removed, reordered or
 *     retyped within a major version.  The first three descriptor fields
 *     (struct_size, abi_major, abi_minor) are frozen across all majors, so
 *     any host can read them from any plugin.
 *   - Every struct's size is exact: where alignment would leave a gap, a
 *     named reserved member fills it (set it to 0; nobody reads it), and
 *     the static assertions at the end of this file check that no struct
 *     has unnamed padding.  A reserved member never gains a meaning: an
 *     older plugin that did not zero it may hold anything there, and its
 *     size field covers it.  ABI 1.0's sighting was 60 bytes of fields in
 *     64 of struct (LP64); that gap is reserved_1_0, and 1.1 fields start
 *     at 64, past anything a 1.0 plugin's size can cover.
 *   - Every struct that crosses the boundary says its own size in its first
 *     member (struct_size, size).  The reader reads an appended field only
 *     after checking that the size covers it (CRIMETAB_FM_SIZE_THROUGH), so
 *     an older writer's struct is never read past its end; what an older
 *     writer lacks takes the default each field documents.
 *   - The host refuses a plugin whose abi_major differs from its own, or
 *     whose descriptor is smaller than the ABI 1.0 fields.  A larger
 *     descriptor or a higher minor is accepted: the host ignores what it
 *     does not know.  A plugin built for 1.0 loads in a 1.1 host unchanged
 *     (tests/plugins/abi10.c is built against the frozen 1.0 header to prove
 *     it); a 1.1 plugin loads in a 1.0 host, which never calls open_host or
 *     run_info, so such a plugin must also work through open() alone.
 *   - Structs the host fills for the plugin (crimetab_fm_host,
 *     crimetab_fm_run_info) carry the host's size: the plugin reads or
 *     writes only the fields that size covers.
 *
 * Identity across runs (ABI 1.1)
 *   crimetab counts distinct and repeat offenders over windows of months
 *   that usually span several runs (one a month, say), so a key must name
 *   the same individual in every run, not only within one.  Identity lives
 *   in the plugin: the host gives every run the same private state folder
 *   (crimetab_fm_host.state_dir) and the plugin keeps there whatever it
 *   needs to recognise an individual again, e.g. a gallery of the faces
 *   it has keyed so far.  A plugin that does so says
 *   CRIMETAB_FM_IDENTITY_PERSISTENT in its run information.  When a new
 *   sighting shows that two keys the plugin handed out earlier belong to
 *   one individual, the plugin tells the host with crimetab_fm_host.merge,
 *   and the host re-keys what it stored.  The promise is that counts do
 *   not depend on how the sightings were split into runs.  The host never
 *   stores the keys as given, only a keyed hash of them, so nothing but the
 *   plugin's state links a stored sighting to a face.
 *
 *   The state folder is the plugin's alone (one run at a time: crimetab
 *   holds a lock on it for the run) and holds biometric data.  A plugin
 *   writes nothing outside it; replaces its files whole (write beside,
 *   sync, rename), so a crash leaves the state of the last run; saves what a
 *   run learned before it emits anything, so the state always knows every
 *   key the host may have stored; and forgets, at every run, what came from
 *   sightings before crimetab_fm_host.forget_before.  A merge may be
 *   reported at any point of identify(): the host applies it to every
 *   sighting it holds, whenever it arrives.
 *
 * Process
 *   A host may run the plugin in a child process of its own (crimetab
 *   does), so a crash or a hang in the plugin cannot take the host down.
 *   A plugin must therefore not assume it shares memory, descriptors or
 *   a database connection with the host beyond the calls below.
 *
 * Threads and state
 *   Handles are independent: a plugin keeps all state in its handle and needs
 *   no global state, so several handles (in one or several threads) may be
 *   open at once.  The host calls any one handle from one thread at a time.
 *   A plugin may start threads inside a call but must join them before that
 *   call returns, and must not leave anything behind that runs after close()
 *   (atexit handlers, detached threads, signal handlers): the library is
 *   unloaded right after.  A plugin never calls exit(), never writes to
 *   stdout or stderr, and never changes process-wide settings (locale,
 *   working directory, umask).
 *
 * Ownership
 *   Every string the host passes in is owned by the host and valid only for
 *   the duration of the call.  Every string the plugin passes out through a
 *   sighting is owned by the plugin and valid only during that emit callback:
 *   the host copies what it keeps.  The descriptor and its name/version
 *   strings stay valid while the library is loaded.  last_error()'s string
 *   stays valid until the next call on the same handle.
 *
 * Errors
 *   Every int-returning function returns CRIMETAB_FM_OK (0) or one of the
 *   CRIMETAB_FM_E* codes; the host treats any non-zero value as failure, the
 *   code only refining why.  The message is one lowercase line with no full
 *   stop; when it concerns a line of an input file it reads "PATH:LINE: reason"
 *   so a person can go straight to it.
 */
#ifndef CRIMETAB_FACEMATCH_H
#define CRIMETAB_FACEMATCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CRIMETAB_FM_ABI_MAJOR 1
#define CRIMETAB_FM_ABI_MINOR 1

/* The one symbol a plugin exports. */
#define CRIMETAB_FM_ENTRY_NAME "crimetab_facematch_entry"

#if defined(__GNUC__) || defined(__clang__)
#define CRIMETAB_FM_EXPORT __attribute__((visibility("default")))
#else
#define CRIMETAB_FM_EXPORT
#endif

/* Bytes of TYPE up to and including FIELD: what a struct_size must reach
 * before FIELD may be read. */
#define CRIMETAB_FM_SIZE_THROUGH(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

/* Status codes; append only. */
enum crimetab_fm_status {
	CRIMETAB_FM_OK = 0,
	CRIMETAB_FM_ERROR = 1,   /* anything not covered below */
	CRIMETAB_FM_ENOMEM = 2,  /* out of memory */
	CRIMETAB_FM_EIO = 3,     /* a file or service could not be read */
	CRIMETAB_FM_ECONFIG = 4, /* the config string is wrong */
	CRIMETAB_FM_EDATA = 5,   /* the input data is malformed */
	CRIMETAB_FM_EABORT = 6   /* the host's emit callback asked to stop */
};

/* Each plugin defines struct crimetab_fm_handle privately; the host only
 * ever holds a pointer to it. */
typedef struct crimetab_fm_handle crimetab_fm_handle;

/* One sighting of one individual, as the plugin reports it.  Fields only
 * ever appended; the host reads a field only if SIZE covers it. */
typedef struct crimetab_fm_sighting {
	uint32_t size;              /* sizeof(crimetab_fm_sighting) as the plugin was built */
	int32_t has_coords;         /* non-zero when lon and lat are meaningful */
	int64_t time;               /* Unix seconds, UTC, within [from, to) of identify() */
	double lon, lat;            /* WGS84 degrees, when has_coords */
	const char *crime_id;       /* the crime record this sighting came from, or NULL */
	const char *individual_key; /* pseudonymous; never NULL or ""; stable across runs
	                               when the plugin declares CRIMETAB_FM_IDENTITY_PERSISTENT */
	double confidence;          /* 0..1: how sure the plugin is of this assignment */
	int32_t watchlist;          /* non-zero when the key names a watchlist identity */
	uint32_t reserved_1_0;      /* ABI 1.0's tail padding: set to 0; never read, never given a meaning */

	/* ABI 1.1; a 1.0 plugin's sighting is read as confirmed = 0, site_id = NULL. */
	int32_t confirmed;          /* non-zero when a person reviewed this match and confirmed it */
	uint32_t reserved_1_1;      /* set to 0 */
	const char *site_id;        /* the camera or site that made the sighting, or NULL; names a
	                               place or a device, never a person */
} crimetab_fm_sighting;

/* What a host needs of a sighting: the 1.0 fields (60 bytes on LP64; a 1.0
 * plugin says 64, its struct's size), and the 1.1 ones. */
#define CRIMETAB_FM_SIGHTING_SIZE_1_0 \
	CRIMETAB_FM_SIZE_THROUGH(crimetab_fm_sighting, watchlist)
#define CRIMETAB_FM_SIGHTING_SIZE_1_1 \
	CRIMETAB_FM_SIZE_THROUGH(crimetab_fm_sighting, site_id)

/* How far a plugin's keys can be trusted to name the same individual. */
enum crimetab_fm_identity {
	/* Keys are stable only within one run (and for the same input): a
	 * host must not count one key across runs as one individual. */
	CRIMETAB_FM_IDENTITY_RUN = 0,
	/* Keys are stable across runs that share the state folder, and merges
	 * are reported: counts do not depend on how the input was split. */
	CRIMETAB_FM_IDENTITY_PERSISTENT = 1
};

/* Called only from inside identify(), with the HOST_CTX identify() was
 * given: from now on, everything the host holds under key FROM_KEY (from
 * this run or earlier ones) belongs to the individual keyed INTO_KEY.  A
 * non-zero return asks the plugin to stop, as for emit. */
typedef int (*crimetab_fm_merge_fn)(void *host_ctx, const char *from_key, const char *into_key);

/* What the host tells the plugin when it opens it (ABI 1.1, open_host).
 * Owned by the host, valid for the duration of open_host(); copy what you
 * keep. */
typedef struct crimetab_fm_host {
	uint32_t size;          /* sizeof(crimetab_fm_host) as the host was built */
	uint16_t abi_major;     /* the ABI the host speaks */
	uint16_t abi_minor;
	/* A folder that exists, is private to this plugin (by name) and this
	 * database, mode 0700, and is handed to every run: the place for state
	 * that must outlive a run, such as the gallery behind persistent keys.
	 * NULL when the host keeps none; keys then need only be stable within
	 * the run.  The host deletes it when asked to forget everything. */
	const char *state_dir;
	/* Retention: forget from the state everything learned from sightings
	 * before this instant (Unix seconds, UTC), and do not keep such
	 * sightings either; INT64_MIN keeps everything. */
	int64_t forget_before;
	/* How to report that two keys are one individual; NULL when the host
	 * cannot take merges (keys must then never need one). */
	crimetab_fm_merge_fn merge;
} crimetab_fm_host;

/* Provenance of a run (ABI 1.1, run_info): how the plugin decides who is
 * who.  The host allocates it, zeroes it and sets SIZE; the plugin fills
 * the fields SIZE covers.  Strings are owned by the plugin and stay valid
 * until close(); a NULL string means "not known". */
typedef struct crimetab_fm_run_info {
	uint32_t size;               /* set by the host: the bytes of this struct it provides */
	int32_t identity;            /* enum crimetab_fm_identity */
	const char *model_name;      /* the face model behind the embeddings or matches */
	const char *model_version;
	const char *similarity;      /* the measure compared with the threshold, e.g. "cosine" */
	double threshold;            /* at or above it two faces are one individual; NaN if none */
	const char *gallery_name;    /* the watchlist gallery, or NULL when none */
	const char *gallery_version;
	const char *gallery_hash;    /* e.g. "sha256:" and 64 hex digits */
	const char *options;         /* the plugin's effective options, "key=value;...", no secrets */
	const char *const *inputs;   /* NULL-terminated paths of the files the run reads, which
	                                the host hashes for the record; or NULL */
} crimetab_fm_run_info;

/* The host's callback.  HOST_CTX is what the host passed to identify().
 * A non-zero return asks the plugin to stop: identify() must then return
 * promptly with CRIMETAB_FM_EABORT and emit nothing more. */
typedef int (*crimetab_fm_emit_fn)(void *host_ctx, const crimetab_fm_sighting *s);

typedef struct crimetab_fm_descriptor {
	/* Frozen across every major version. */
	uint32_t struct_size; /* sizeof(crimetab_fm_descriptor) as the plugin was built */
	uint16_t abi_major;   /* CRIMETAB_FM_ABI_MAJOR the plugin was built with */
	uint16_t abi_minor;   /* CRIMETAB_FM_ABI_MINOR the plugin was built with */

	/* ABI 1.0 */
	const char *name;    /* short, e.g. "facematch-embeddings"; no spaces */
	const char *version; /* the plugin's own version, e.g. "1.0.0" */

	/* Reads CONFIG (plugin-defined syntax, never NULL, may be "") and sets
	 * *OUT to a new handle.  On failure returns non-zero, leaves *OUT NULL
	 * and writes a NUL-terminated message into ERRBUF (ERRLEN bytes) — there
	 * is no handle for last_error() yet.  A plugin that reads input files
	 * validates them here, so bad input is refused before anything is
	 * emitted. */
	int (*open)(const char *config, crimetab_fm_handle **out, char *errbuf, size_t errlen);

	/* Streams every sighting whose time lies in [FROM, TO) (Unix seconds,
	 * UTC) to EMIT, one call each, in an order stable for the same input.
	 * Matching may use sightings outside the range; only reporting is
	 * limited to it.  May be called more than once on one handle.  On
	 * failure returns non-zero with the reason in last_error(); sightings
	 * already emitted stay emitted, so the host must be able to roll back. */
	int (*identify)(crimetab_fm_handle *h, int64_t from, int64_t to,
	                crimetab_fm_emit_fn emit, void *host_ctx);

	/* Frees H and everything it owns; accepts NULL. */
	void (*close)(crimetab_fm_handle *h);

	/* The message for the last failure on H; never NULL. */
	const char *(*last_error)(const crimetab_fm_handle *h);

	/* ABI 1.1.  Each may be NULL; a 1.1 host then uses open() and records
	 * no run information. */

	/* As open(), with what the host offers (state folder, retention,
	 * merges).  When present the host calls it instead of open(). */
	int (*open_host)(const crimetab_fm_host *host, const char *config, crimetab_fm_handle **out,
	                 char *errbuf, size_t errlen);

	/* Fills INFO (see crimetab_fm_run_info) once, after open and before
	 * identify.  Returns CRIMETAB_FM_OK or a failure with last_error(). */
	int (*run_info)(crimetab_fm_handle *h, crimetab_fm_run_info *info);
} crimetab_fm_descriptor;

/* What a host of ABI 1.x reads from a descriptor. */
#define CRIMETAB_FM_DESCRIPTOR_SIZE_1_0 \
	CRIMETAB_FM_SIZE_THROUGH(crimetab_fm_descriptor, last_error)
#define CRIMETAB_FM_DESCRIPTOR_SIZE_1_1 \
	CRIMETAB_FM_SIZE_THROUGH(crimetab_fm_descriptor, run_info)

/* The entry point.  The host passes the ABI it speaks so a plugin able to
 * serve several can pick; it returns its descriptor, or NULL to decline.
 * Must be cheap and free of side effects: the host may call it only to
 * check what a plugin is. */
typedef const crimetab_fm_descriptor *(*crimetab_fm_entry_fn)(uint32_t host_abi_major,
                                                              uint32_t host_abi_minor);

CRIMETAB_FM_EXPORT const crimetab_fm_descriptor *
crimetab_facematch_entry(uint32_t host_abi_major, uint32_t host_abi_minor);

/* No struct has unnamed padding: its last field ends where the struct does,
 * and (checked in crimetab's unit tests, field by field) each field begins
 * where the one before it ends. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define CRIMETAB_FM_STATIC_ASSERT(c, m) static_assert(c, m)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define CRIMETAB_FM_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif
#ifdef CRIMETAB_FM_STATIC_ASSERT
CRIMETAB_FM_STATIC_ASSERT(sizeof(crimetab_fm_sighting) == CRIMETAB_FM_SIGHTING_SIZE_1_1,
                          "crimetab_fm_sighting has tail padding");
CRIMETAB_FM_STATIC_ASSERT(sizeof(crimetab_fm_descriptor) == CRIMETAB_FM_DESCRIPTOR_SIZE_1_1,
                          "crimetab_fm_descriptor has tail padding");
CRIMETAB_FM_STATIC_ASSERT(sizeof(crimetab_fm_host) == CRIMETAB_FM_SIZE_THROUGH(crimetab_fm_host, merge),
                          "crimetab_fm_host has tail padding");
CRIMETAB_FM_STATIC_ASSERT(sizeof(crimetab_fm_run_info) ==
                          CRIMETAB_FM_SIZE_THROUGH(crimetab_fm_run_info, inputs),
                          "crimetab_fm_run_info has tail padding");
#endif

#ifdef __cplusplus
}
#endif

#endif
