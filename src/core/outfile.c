/* Output files that never damage what they write to: a regular file is
 * replaced atomically, a link is followed, a device, FIFO or socket is
 * written through.  Temporaries are registered so that exit and fatal
 * signals remove them (see util.h for the promises). */
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ---- temporaries removed at exit and on a fatal signal ---- */

#define MAX_TEMPS 32
static char *volatile temps[MAX_TEMPS];
static int ntemps;
static pid_t temps_owner; /* a forked child's exit must not remove its parent's */
static const int fatal_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
#define NSIGS (sizeof fatal_signals / sizeof fatal_signals[0])
static struct sigaction saved_action[NSIGS];
static volatile sig_atomic_t installed[NSIGS];

static void remove_temps(void)
{
	for (int i = 0; i < MAX_TEMPS; i++) {
		char *p = temps[i];
		if (p)
			unlink(p);
	}
}

static void remove_temps_at_exit(void)
{
	if (getpid() == temps_owner)
		remove_temps();
}

/* Removes the temporaries, then lets the signal do what it would have done
 * without us (terminate, or the handler that was there before). */
static void on_fatal_signal(int sig)
{
	int saved_errno = errno;
	remove_temps();
	for (size_t i = 0; i < NSIGS; i++)
		if (fatal_signals[i] == sig && installed[i]) {
			installed[i] = 0;
			sigaction(sig, &saved_action[i], NULL);
		}
	raise(sig); /* delivered when this handler returns */
	errno = saved_errno;
}

static void block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < NSIGS; i++)
		sigaddset(&set, fatal_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

/* Registers PATH (owned by the caller until temp_forget); -1 if the table is full. */
static int temp_register(char *path)
{
	static int at_exit;
	sigset_t old;
	block_signals(&old);
	int slot = -1;
	for (int i = 0; i < MAX_TEMPS && slot < 0; i++)
		if (!temps[i])
			slot = i;
	if (slot >= 0) {
		temps[slot] = path;
		temps_owner = getpid();
		if (ntemps++ == 0)
			/* only while a temporary exists, and never over an ignored signal */
			for (size_t i = 0; i < NSIGS; i++) {
				struct sigaction sa = {.sa_handler = on_fatal_signal};
				sigemptyset(&sa.sa_mask);
				if (sigaction(fatal_signals[i], NULL, &saved_action[i]) == 0 &&
				    saved_action[i].sa_handler != SIG_IGN && sigaction(fatal_signals[i], &sa, NULL) == 0)
					installed[i] = 1;
			}
		if (!at_exit)
			at_exit = atexit(remove_temps_at_exit) == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return slot;
}

static void temp_forget(int slot)
{
	if (slot < 0)
		return;
	sigset_t old;
	block_signals(&old);
	temps[slot] = NULL;
	if (--ntemps == 0)
		for (size_t i = 0; i < NSIGS; i++)
			if (installed[i]) {
				installed[i] = 0;
				sigaction(fatal_signals[i], &saved_action[i], NULL);
			}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- outputs ---- */

struct ct_outfile {
	char *path;      /* as given, for messages */
	char *target;    /* what is written or replaced: links followed */
	char *tmp;       /* atomic: the temporary beside target; direct: the scratch file for by_path */
	int slot;        /* tmp's registry slot, or -1 */
	FILE *fp;
	int direct;      /* written through, never replaced */
	int by_path;     /* ct_out_open_path: the caller writes tmp itself */
	int is_stdout;   /* direct to this process's stdout stream */
	int fdnum;       /* direct to this descriptor (/dev/fd/N), or -1 */
	struct stat st;  /* direct: the target as found */
};

/* Creates the folders above PATH that do not exist yet (mkdir -p). */
static int make_parents(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = strchr(p + 1, '/'); s && rc == 0; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	free(p);
	return rc;
}

/* Follows PATH's symbolic links to where they end: *target (caller frees)
 * with its lstat in *st.  1 if nothing is there, 0 if something is, -1 with
 * err set. */
static int resolve(const char *path, char **target, struct stat *st, char *err, size_t errlen)
{
	char *cur = xstrdup(path);
	for (int hops = 0;; hops++) {
		if (lstat(cur, st) != 0) {
			if (errno == ENOENT) {
				*target = cur;
				return 1;
			}
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			break;
		}
		if (!S_ISLNK(st->st_mode)) {
			*target = cur;
			return 0;
		}
		if (hops == 40) {
			snprintf(err, errlen, "%s: too many levels of symbolic links (a loop?)", path);
			break;
		}
		char link[PATH_MAX];
		ssize_t n = readlink(cur, link, sizeof link - 1);
		if (n < 0) {
			snprintf(err, errlen, "%s: cannot read the link: %s", path, strerror(errno));
			break;
		}
		link[n] = '\0';
		const char *slash = strrchr(cur, '/');
		char *next = link[0] == '/' || !slash ? xstrdup(link) : xasprintf("%.*s/%s", (int)(slash - cur), cur, link);
		free(cur);
		cur = next;
	}
	free(cur);
	return -1;
}

/* The descriptor that /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N
 * names, or -1: such a path is written through that descriptor, whatever it
 * is open on (a pipe or a socket has no path to open again). */
static int fd_path(const char *path)
{
	if (strcmp(path, "/dev/stdout") == 0)
		return STDOUT_FILENO;
	if (strcmp(path, "/dev/stderr") == 0)
		return STDERR_FILENO;
	const char *n = strncmp(path, "/dev/fd/", 8) == 0 ? path + 8
			: strncmp(path, "/proc/self/fd/", 14) == 0 ? path + 14 : NULL;
	if (!n || *n < '0' || *n > '9')
		return -1;
	char *end;
	long v = strtol(n, &end, 10);
	return *end || v > INT_MAX ? -1 : (int)v;
}

/* Creates a new file named after PREFIX (PREFIX + 6 random characters) with
 * MODE (less the umask); its descriptor, or -1 with errno set.  *name gets
 * the path (caller frees). */
static int create_unique(const char *prefix, mode_t mode, char **name)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned long long counter;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned long long x = ((unsigned long long)ts.tv_nsec << 20) ^ (unsigned long long)ts.tv_sec ^
			       ((unsigned long long)getpid() << 40);
	for (int tries = 0; tries < 100; tries++) {
		x += 0x9e3779b97f4a7c15ULL * ++counter;
		unsigned long long r = x ^ (x >> 31);
		char suffix[7];
		for (int i = 0; i < 6; i++, r /= 62)
			suffix[i] = chars[r % 62];
		suffix[6] = '\0';
		char *p = xasprintf("%s%s", prefix, suffix);
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0) {
			*name = p;
			return fd;
		}
		free(p);
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* Gives the temporary FD the owner and mode of the file it replaces. */
static int keep_owner_mode(int fd, const struct stat *st)
{
	if (geteuid() == 0) {
		if (fchown(fd, st->st_uid, st->st_gid) != 0)
			return -1;
	} else if (st->st_gid != getegid() && fchown(fd, (uid_t)-1, st->st_gid) != 0) {
		/* a group we are not in: the file gets ours, as cp would give it */
		errno = 0;
	}
	return fchmod(fd, st->st_mode & 07777);
}

/* A temporary beside o->target (".NAME.tmpXXXXXX"), registered, open in o->fp. */
static int open_atomic(ct_outfile *o, int exists, const struct stat *st, char *err, size_t errlen)
{
	if (exists && access(o->target, W_OK) != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", o->path, strerror(errno));
		return -1;
	}
	if (!exists && make_parents(o->target) != 0) {
		snprintf(err, errlen, "%s: cannot create its folder: %s", o->path, strerror(errno));
		return -1;
	}
	const char *slash = strrchr(o->target, '/');
	const char *base = slash ? slash + 1 : o->target;
	char *prefix = xasprintf("%.*s.%s.tmp", (int)(base - o->target), o->target, base);
	int fd = create_unique(prefix, 0666, &o->tmp);
	free(prefix);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file beside it: %s", o->path, strerror(errno));
		return -1;
	}
	o->slot = temp_register(o->tmp);
	if (exists && keep_owner_mode(fd, st) != 0) {
		snprintf(err, errlen, "%s: cannot keep its owner and mode: %s", o->path, strerror(errno));
		close(fd);
		return -1;
	}
	o->fp = fdopen(fd, "w");
	if (!o->fp) {
		snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

/* Opens the direct target for writing; its descriptor, or -1 with err set. */
static int open_direct(ct_outfile *o, char *err, size_t errlen)
{
	if (o->fdnum >= 0) {
		int fd = fcntl(o->fdnum, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		return fd;
	}
	int fd;
	if (S_ISSOCK(o->st.st_mode)) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		if (strlen(o->target) >= sizeof a.sun_path) {
			snprintf(err, errlen, "%s: socket path too long", o->path);
			return -1;
		}
		memcpy(a.sun_path, o->target, strlen(o->target) + 1);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (const struct sockaddr *)&a, sizeof a) != 0) {
			snprintf(err, errlen, "%s: cannot connect to the socket: %s", o->path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		return fd;
	}
	/* a FIFO waits here for its reader, as a shell redirection does */
	fd = open(o->target, O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", o->path, strerror(errno));
		return -1;
	}
	struct stat now;
	if (fstat(fd, &now) != 0 || now.st_dev != o->st.st_dev || now.st_ino != o->st.st_ino) {
		snprintf(err, errlen, "%s: replaced by something else while being opened", o->path);
		close(fd);
		return -1;
	}
	return fd;
}

static ct_outfile *out_open(const char *path, int by_path, char *err, size_t errlen)
{
	if (!*path) {
		snprintf(err, errlen, "an output path is empty");
		return NULL;
	}
	ct_outfile *o = xcalloc(1, sizeof *o);
	o->path = xstrdup(path);
	o->slot = -1;
	o->by_path = by_path;
	o->fdnum = strcmp(path, "-") == 0 ? STDOUT_FILENO : fd_path(path);
	if (o->fdnum >= 0) {
		o->direct = 1;
		o->is_stdout = o->fdnum == STDOUT_FILENO;
		if (fcntl(o->fdnum, F_GETFD) < 0) {
			snprintf(err, errlen, "%s: descriptor %d is not open", path, o->fdnum);
			goto fail;
		}
	} else {
		int missing = resolve(path, &o->target, &o->st, err, errlen);
		if (missing < 0)
			goto fail;
		if (!missing && S_ISDIR(o->st.st_mode)) {
			snprintf(err, errlen, "%s: is a folder, not a file", path);
			goto fail;
		}
		if (!missing && !S_ISREG(o->st.st_mode) && !S_ISCHR(o->st.st_mode) && !S_ISFIFO(o->st.st_mode) &&
		    !S_ISSOCK(o->st.st_mode)) {
			snprintf(err, errlen, "%s: is a %s; crimetab writes to regular files, character devices, "
					      "FIFOs and sockets", path, S_ISBLK(o->st.st_mode) ? "block device" : "special file");
			goto fail;
		}
		o->direct = !missing && !S_ISREG(o->st.st_mode);
		if (!o->direct) {
			if (open_atomic(o, !missing, &o->st, err, errlen) != 0)
				goto fail;
			if (by_path) {
				/* the library opens the file itself; o->fp only keeps it for the sync */
				fflush(o->fp);
			}
			return o;
		}
	}
	if (by_path) {
		/* the device or FIFO is opened when the file is complete */
		const char *dir = getenv("TMPDIR");
		const char *base = strrchr(path, '/');
		char *prefix = xasprintf("%s/crimetab-%s.", dir && *dir ? dir : "/tmp", base ? base + 1 : path);
		int fd = create_unique(prefix, 0600, &o->tmp);
		free(prefix);
		if (fd < 0) {
			snprintf(err, errlen, "%s: cannot create a scratch file in %s: %s", path,
				 dir && *dir ? dir : "/tmp", strerror(errno));
			goto fail;
		}
		o->slot = temp_register(o->tmp);
		close(fd);
		return o;
	}
	if (o->is_stdout) {
		o->fp = stdout;
		return o;
	}
	int fd = open_direct(o, err, errlen);
	if (fd < 0)
		goto fail;
	o->fp = fdopen(fd, "w");
	if (!o->fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		goto fail;
	}
	return o;
fail:
	ct_out_abort(o);
	return NULL;
}

ct_outfile *ct_out_open(const char *path, char *err, size_t errlen)
{
	return out_open(path, 0, err, errlen);
}

ct_outfile *ct_out_open_path(const char *path, char *err, size_t errlen)
{
	return out_open(path, 1, err, errlen);
}

FILE *ct_out_fp(ct_outfile *o)
{
	return o->by_path ? NULL : o->fp;
}

const char *ct_out_tmppath(const ct_outfile *o)
{
	return o->tmp;
}

/* Writes all N bytes of BUF to FD; -1 with errno set. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t k = write(fd, buf, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		buf += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Copies the scratch file into the direct target, opened now. */
static int copy_scratch(ct_outfile *o, char *err, size_t errlen)
{
	int in = open(o->tmp, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		snprintf(err, errlen, "%s: cannot read back %s: %s", o->path, o->tmp, strerror(errno));
		return -1;
	}
	if (o->is_stdout)
		fflush(stdout);
	int out = open_direct(o, err, errlen);
	int rc = out < 0 ? -1 : 0;
	char buf[65536];
	ssize_t k;
	while (rc == 0 && (k = read(in, buf, sizeof buf)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 || write_all(out, buf, (size_t)k) != 0) {
			snprintf(err, errlen, "%s: %s error: %s", o->path, k < 0 ? "read" : "write", strerror(errno));
			rc = -1;
		}
	}
	if (out >= 0 && close(out) != 0 && rc == 0) {
		snprintf(err, errlen, "%s: write error: %s", o->path, strerror(errno));
		rc = -1;
	}
	close(in);
	return rc;
}

static int commit_direct(ct_outfile *o, char *err, size_t errlen)
{
	if (o->by_path)
		return copy_scratch(o, err, errlen);
	FILE *fp = o->fp;
	o->fp = NULL;
	if (fflush(fp) != 0 || ferror(fp)) {
		snprintf(err, errlen, "%s: write error: %s", o->is_stdout ? "standard output" : o->path, strerror(errno));
		if (!o->is_stdout)
			fclose(fp);
		return -1;
	}
	if (!o->is_stdout && fclose(fp) != 0) {
		snprintf(err, errlen, "%s: write error: %s", o->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Syncs the folder holding PATH, so that a rename into it survives a crash. */
static int sync_folder(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	/* some file systems cannot sync a folder: nothing more can be done there */
	if (rc != 0 && (errno == EINVAL || errno == ENOTSUP || errno == EROFS))
		rc = 0;
	close(fd);
	return rc;
}

static int commit_atomic(ct_outfile *o, char *err, size_t errlen)
{
	FILE *fp = o->fp;
	o->fp = NULL;
	int bad = fflush(fp) != 0 || ferror(fp);
	if (!bad && o->by_path) {
		/* the library wrote the file through its own descriptor */
		int fd = open(o->tmp, O_RDONLY | O_CLOEXEC);
		bad = fd < 0 || fsync(fd) != 0;
		if (fd >= 0)
			close(fd);
	} else if (!bad) {
		bad = fsync(fileno(fp)) != 0;
	}
	if (fclose(fp) != 0 || bad) {
		snprintf(err, errlen, "%s: write error: %s", o->path, strerror(errno));
		return -1;
	}
	if (rename(o->tmp, o->target) != 0) {
		snprintf(err, errlen, "%s: cannot rename into place: %s", o->path, strerror(errno));
		return -1;
	}
	temp_forget(o->slot);
	o->slot = -1;
	free(o->tmp);
	o->tmp = NULL;
	if (sync_folder(o->target) != 0) {
		snprintf(err, errlen, "%s: written, but its folder could not be synced: %s", o->path, strerror(errno));
		return -1;
	}
	return 0;
}

int ct_out_commit(ct_outfile *o, char *err, size_t errlen)
{
	int rc = o->direct ? commit_direct(o, err, errlen) : commit_atomic(o, err, errlen);
	ct_out_abort(o);
	return rc;
}

void ct_out_abort(ct_outfile *o)
{
	if (!o)
		return;
	if (o->fp && !o->is_stdout)
		fclose(o->fp);
	if (o->tmp)
		unlink(o->tmp);
	temp_forget(o->slot);
	free(o->tmp);
	free(o->target);
	free(o->path);
	free(o);
}
