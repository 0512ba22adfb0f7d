/* What keeps face-match data pseudonymous: the secret behind the keyed hash
 * the database stores instead of a plugin's keys, and the private folder
 * where a plugin keeps its state between runs.  Both live beside the
 * database, never in it. */
#ifndef CRIMETAB_FM_PRIVACY_H
#define CRIMETAB_FM_PRIVACY_H

#include <stddef.h>

/* The environment variable that, when set, is the secret. */
#define FM_SECRET_ENV "CRIMETAB_FM_SECRET"
/* Shortest secret accepted from the environment, in bytes. */
#define FM_SECRET_MIN 32
/* Bytes of a keyed hash. */
#define FM_KEY_LEN 32

typedef struct fm_secret {
	unsigned char key[256];
	size_t len;
} fm_secret;

/* "DB.fm-secret" and "DB.fm-state" for database path DB (caller frees). */
char *fm_secret_path(const char *db);
char *fm_state_root(const char *db);

/* The secret for database DB: $CRIMETAB_FM_SECRET when set (at least
 * FM_SECRET_MIN bytes), else the file fm_secret_path(DB), which is created
 * on first use when CREATE (mode 0600, 32 random bytes as 64 hex digits).
 * A file that group or others may read, or that someone else owns, is
 * refused.  Returns CT_OK, or CT_EDATA (unusable secret), CT_EIO (cannot
 * read or create) with "PATH: reason" in err. */
int fm_secret_load(const char *db, int create, fm_secret *out, char *err, size_t errlen);
/* Wipes S. */
void fm_secret_clear(fm_secret *s);

/* OUT = HMAC-SHA-256(S, "crimetab-fm-key" NUL PLUGIN NUL KEY): the same key
 * of the same plugin always gives the same value; without the secret it
 * cannot be linked back to the key, and keys of different plugins never
 * meet. */
void fm_key_hash(const fm_secret *s, const char *plugin, const char *key, unsigned char out[FM_KEY_LEN]);

/* Creates the state root folder ROOT (mode 0700) if missing and checks it
 * is a folder of ours that nobody else may enter.  CT_OK, or CT_EIO/CT_EDATA
 * with err set. */
int fm_state_prepare(const char *root, char *err, size_t errlen);
/* Deletes ROOT and everything under it; a missing ROOT is fine.  0, or -1
 * with err set. */
int fm_state_remove(const char *root, char *err, size_t errlen);

#endif
