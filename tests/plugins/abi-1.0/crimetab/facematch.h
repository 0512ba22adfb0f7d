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
 *     open(config) -> identify(from, to, emit) [-> identify ...] -> close
 *   and dlclose()s the library on every path, success or failure.
 *
 * Versions
 *   CRIMETAB_FM_ABI_MAJOR changes only when an existing field changes meaning
 *   or position, which it should never need to.  CRIMETAB_FM_ABI_MINOR
 *   changes when fields are appended.  Fields are only ever appended, to the
 *   descriptor and to the sighting alike: nothing is removed, reordered or
 *   retyped within a major version.  The first three descriptor fields
 *   (struct_size, abi_major, abi_minor) are frozen across all majors, so any
 *   host can read them from any plugin.
 *
 *   The host refuses a plugin whose abi_major differs from its own, or whose
 *   struct_size is smaller than the fields that host reads.  A larger
 *   descriptor or a higher minor is accepted: the host ignores what it does
 *   not know.  A newer host reads an appended field only after checking that
 *   struct_size covers it (CRIMETAB_FM_SIZE_THROUGH), so old plugins keep
 *   working.  The same rule applies to crimetab_fm_sighting.size, checked by
 *   the host on every sighting.
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
#define CRIMETAB_FM_ABI_MINOR 0

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
	const char *individual_key; /* pseudonymous, stable for the same input; never NULL or "" */
	double confidence;          /* 0..1: how sure the plugin is of this assignment */
	int32_t watchlist;          /* non-zero when the key names a watchlist identity */
} crimetab_fm_sighting;

#define CRIMETAB_FM_SIGHTING_SIZE_1_0 \
	CRIMETAB_FM_SIZE_THROUGH(crimetab_fm_sighting, watchlist)

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
} crimetab_fm_descriptor;

/* What a host of ABI 1.x reads from a descriptor. */
#define CRIMETAB_FM_DESCRIPTOR_SIZE_1_0 \
	CRIMETAB_FM_SIZE_THROUGH(crimetab_fm_descriptor, last_error)

/* The entry point.  The host passes the ABI it speaks so a plugin able to
 * serve several can pick; it returns its descriptor, or NULL to decline.
 * Must be cheap and free of side effects: the host may call it only to
 * check what a plugin is. */
typedef const crimetab_fm_descriptor *(*crimetab_fm_entry_fn)(uint32_t host_abi_major,
                                                              uint32_t host_abi_minor);

CRIMETAB_FM_EXPORT const crimetab_fm_descriptor *
crimetab_facematch_entry(uint32_t host_abi_major, uint32_t host_abi_minor);

#ifdef __cplusplus
}
#endif

#endif
