/* The face-match secret (a file beside the database, or the environment),
 * the keyed hash made with it (nettle's HMAC-SHA-256), and the plugin state
 * folder. */
#define _GNU_SOURCE /* explicit_bzero, nftw's FTW_DEPTH */
#include "plugin/fm_privacy.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <nettle/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/status.h"
#include "core/util.h"

#define FM_SECRET_BYTES 32

char *fm_secret_path(const char *db)
{
	return xasprintf("%s.fm-secret", db);
}

char *fm_state_root(const char *db)
{
	return xasprintf("%s.fm-state", db);
}

void fm_secret_clear(fm_secret *s)
{
	explicit_bzero(s, sizeof *s);
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reads an existing secret file: 64 lowercase hex digits and a newline. */
static int read_secret(const char *path, fm_secret *out, char *err, size_t errlen)
{
	char text[2 * FM_SECRET_BYTES + 2];
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot read the face-match secret: %s", path, strerror(errno));
		return errno == ENOENT ? -2 : CT_EIO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: the face-match secret is not a regular file", path);
		close(fd);
		return CT_EDATA;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, "%s: the face-match secret may be read by group or others (mode %04o); "
			 "run chmod 600 on it", path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return CT_EDATA;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: the face-match secret is owned by uid %u, not you", path, (unsigned)st.st_uid);
		close(fd);
		return CT_EDATA;
	}
	ssize_t n = read(fd, text, sizeof text);
	close(fd);
	if (n == 2 * FM_SECRET_BYTES + 1 && text[2 * FM_SECRET_BYTES] == '\n') {
		for (int i = 0; i < FM_SECRET_BYTES; i++) {
			int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
			if (hi < 0 || lo < 0)
				goto bad;
			out->key[i] = (unsigned char)(hi * 16 + lo);
		}
		out->len = FM_SECRET_BYTES;
		explicit_bzero(text, sizeof text);
		return CT_OK;
	}
bad:
	explicit_bzero(text, sizeof text);
	snprintf(err, errlen, "%s: not a face-match secret (expected 64 hex digits and a newline)", path);
	return n >= 0 && n < 2 * FM_SECRET_BYTES + 1 ? -3 : CT_EDATA;
}

static int create_secret(const char *path, char *err, size_t errlen)
{
	unsigned char raw[FM_SECRET_BYTES];
	char text[2 * FM_SECRET_BYTES + 2];
	size_t got = 0;

	while (got < sizeof raw) {
		ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: no random bytes for the face-match secret: %s", path, strerror(errno));
			return CT_EIO;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(text + 2 * i, 3, "%02x", raw[i]);
	text[2 * FM_SECRET_BYTES] = '\n';
	explicit_bzero(raw, sizeof raw);
	/* O_EXCL: of two crimetabs creating it at once, one writes it and the
	 * other reads what the first wrote. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		explicit_bzero(text, sizeof text);
		if (errno == EEXIST)
			return -2;
		snprintf(err, errlen, "%s: cannot create the face-match secret: %s", path, strerror(errno));
		return CT_EIO;
	}
	ssize_t w = write(fd, text, 2 * FM_SECRET_BYTES + 1);
	explicit_bzero(text, sizeof text);
	if (w != 2 * FM_SECRET_BYTES + 1 || fsync(fd) != 0 || close(fd) != 0) {
		snprintf(err, errlen, "%s: cannot write the face-match secret: %s", path, strerror(errno));
		unlink(path);
		return CT_EIO;
	}
	return CT_OK;
}

int fm_secret_load(const char *db, int create, fm_secret *out, char *err, size_t errlen)
{
	const char *env = getenv(FM_SECRET_ENV);

	memset(out, 0, sizeof *out);
	if (env && *env) {
		size_t n = strlen(env);
		if (n < FM_SECRET_MIN || n > sizeof out->key) {
			snprintf(err, errlen, "%s: the face-match secret must be %d to %zu bytes, not %zu", FM_SECRET_ENV,
				 FM_SECRET_MIN, sizeof out->key, n);
			return CT_EDATA;
		}
		memcpy(out->key, env, n);
		out->len = n;
		return CT_OK;
	}
	char *path = fm_secret_path(db);
	int rc = read_secret(path, out, err, errlen);
	if (rc == -2 && create) {
		rc = create_secret(path, err, errlen);
		if (rc == CT_OK || rc == -2)
			rc = read_secret(path, out, err, errlen);
	}
	/* Another crimetab may be writing it this instant. */
	for (int tries = 0; rc == -3 && tries < 40; tries++) {
		struct timespec ts = {0, 25 * 1000 * 1000};
		nanosleep(&ts, NULL);
		rc = read_secret(path, out, err, errlen);
	}
	if (rc == -2 || rc == -3)
		rc = rc == -2 ? CT_EIO : CT_EDATA;
	free(path);
	if (rc != CT_OK)
		fm_secret_clear(out);
	return rc;
}

void fm_key_hash(const fm_secret *s, const char *plugin, const char *key, unsigned char out[FM_KEY_LEN])
{
	static const char domain[] = "crimetab-fm-key";
	struct hmac_sha256_ctx ctx;

	hmac_sha256_set_key(&ctx, s->len, s->key);
	hmac_sha256_update(&ctx, sizeof domain, (const uint8_t *)domain); /* with its NUL */
	hmac_sha256_update(&ctx, strlen(plugin) + 1, (const uint8_t *)plugin);
	hmac_sha256_update(&ctx, strlen(key), (const uint8_t *)key);
	hmac_sha256_digest(&ctx, FM_KEY_LEN, out);
	explicit_bzero(&ctx, sizeof ctx);
}

int fm_state_prepare(const char *root, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(root, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create the face-match state folder: %s", root, strerror(errno));
		return CT_EIO;
	}
	if (lstat(root, &st) != 0) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return CT_EIO;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
		snprintf(err, errlen, "%s: the face-match state folder must be a folder of yours that nobody else "
			 "may enter (it is %s, mode %04o); run chmod 700 on it", root,
			 S_ISDIR(st.st_mode) ? "a folder" : "not a folder", (unsigned)(st.st_mode & 07777));
		return CT_EDATA;
	}
	return CT_OK;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 && errno != ENOENT ? -1 : 0;
}

int fm_state_remove(const char *root, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(root, &st) != 0 && errno == ENOENT)
		return 0;
	if (nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
		snprintf(err, errlen, "%s: cannot delete the face-match state: %s", root, strerror(errno));
		return -1;
	}
	return 0;
}
