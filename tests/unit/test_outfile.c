/* Unit tests for the output writer (core/outfile.c): every kind of target,
 * in a temporary folder.  Devices are made there with mknod; /dev is never
 * touched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "tmpdir.h"

typedef struct fixture {
	char dir[64];
	mode_t umask_was;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof *fx);
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/crimetab-test-outfile-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	fx->umask_was = umask(022);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	umask(fx->umask_was);
	rm_tree(fx->dir);
	free(fx);
	return 0;
}

static char *at(const fixture *fx, const char *name)
{
	static char buf[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", fx->dir, name);
	return buf[k];
}

/* Writes TEXT to PATH through the output writer; 0 or -1 (err set). */
static int put(const char *path, const char *text, char *err, size_t errlen)
{
	ct_outfile *o = ct_out_open(path, err, errlen);
	if (!o)
		return -1;
	fputs(text, ct_out_fp(o));
	return ct_out_commit(o, err, errlen);
}

static void put_ok(const char *path, const char *text)
{
	char err[512] = "";
	if (put(path, text, err, sizeof err) != 0)
		fail_msg("%s", err);
}

static char *slurp(const char *path)
{
	char err[512];
	char *s = ct_read_file(path, err, sizeof err);
	if (!s)
		fail_msg("%s", err);
	return s;
}

static void assert_file_is(const char *path, const char *text)
{
	char *s = slurp(path);
	assert_string_equal(s, text);
	free(s);
}

/* Fails if anything but the names in KEEP (NULL-terminated) is in DIR:
 * no temporary survived. */
static void assert_only(const char *dir, const char *const *keep)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		int known = 0;
		for (const char *const *k = keep; *k; k++)
			known |= strcmp(*k, e->d_name) == 0;
		if (!known)
			fail_msg("%s/%s should not be there", dir, e->d_name);
	}
	closedir(d);
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode;
}

static void test_new_file_mode_follows_umask(void **state)
{
	fixture *fx = *state;
	static const struct { mode_t mask, want; } cases[] = {{077, 0600}, {022, 0644}, {002, 0664}, {027, 0640}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[32];
		snprintf(name, sizeof name, "sub/new%zu.md", i);
		umask(cases[i].mask);
		put_ok(at(fx, name), "hello\n");
		assert_int_equal(mode_of(at(fx, name)) & 07777, cases[i].want);
		assert_file_is(at(fx, name), "hello\n");
	}
	umask(022);
	const char *keep[] = {"new0.md", "new1.md", "new2.md", "new3.md", NULL};
	assert_only(at(fx, "sub"), keep);
}

static void test_existing_file_keeps_mode_and_owner(void **state)
{
	fixture *fx = *state;
	const char *p = at(fx, "r.md");
	put_ok(p, "old\n");
	assert_int_equal(chmod(p, 0600), 0);
	int root = geteuid() == 0;
	if (root)
		assert_int_equal(chown(p, 65534, 65534), 0);
	umask(0);
	put_ok(p, "new\n");
	umask(022);
	struct stat st;
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	if (root) {
		assert_int_equal(st.st_uid, 65534);
		assert_int_equal(st.st_gid, 65534);
	}
	assert_file_is(p, "new\n");
	assert_int_equal(chmod(p, 0640), 0);
	put_ok(p, "newer\n");
	assert_int_equal(mode_of(p) & 07777, 0640);
	const char *keep[] = {"r.md", NULL};
	assert_only(fx->dir, keep);
}

static void test_symlink_followed_and_kept(void **state)
{
	fixture *fx = *state;
	assert_int_equal(mkdir(at(fx, "reports"), 0755), 0);
	put_ok(at(fx, "reports/2024-09.md"), "september\n");
	assert_int_equal(chmod(at(fx, "reports/2024-09.md"), 0640), 0);
	/* two hops, both relative: latest.md -> current -> reports/2024-09.md */
	assert_int_equal(symlink("reports/2024-09.md", at(fx, "current")), 0);
	assert_int_equal(symlink("current", at(fx, "latest.md")), 0);
	put_ok(at(fx, "latest.md"), "through the links\n");
	assert_true(S_ISLNK(mode_of(at(fx, "latest.md"))));
	assert_true(S_ISLNK(mode_of(at(fx, "current"))));
	assert_true(S_ISREG(mode_of(at(fx, "reports/2024-09.md"))));
	assert_int_equal(mode_of(at(fx, "reports/2024-09.md")) & 07777, 0640);
	assert_file_is(at(fx, "reports/2024-09.md"), "through the links\n");
	/* a link to a file not there yet: the file is made, the link stays */
	assert_int_equal(symlink("reports/2024-10.md", at(fx, "next.md")), 0);
	put_ok(at(fx, "next.md"), "october\n");
	assert_true(S_ISLNK(mode_of(at(fx, "next.md"))));
	assert_file_is(at(fx, "reports/2024-10.md"), "october\n");
	const char *keep[] = {"2024-09.md", "2024-10.md", NULL};
	assert_only(at(fx, "reports"), keep);
}

static void test_symlink_loop_is_an_error(void **state)
{
	fixture *fx = *state;
	assert_int_equal(symlink("b", at(fx, "a")), 0);
	assert_int_equal(symlink("a", at(fx, "b")), 0);
	char err[512] = "";
	assert_int_equal(put(at(fx, "a"), "x", err, sizeof err), -1);
	assert_non_null(strstr(err, "symbolic links"));
	assert_true(S_ISLNK(mode_of(at(fx, "a"))));
	const char *keep[] = {"a", "b", NULL};
	assert_only(fx->dir, keep);
}

/* A FIFO with a reader already waiting: written through, still a FIFO. */
static void check_fifo(fixture *fx, int by_path)
{
	const char *p = at(fx, "pipe");
	assert_int_equal(mkfifo(p, 0600), 0);
	int rd = open(p, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	char err[512] = "";
	ct_outfile *o = by_path ? ct_out_open_path(p, err, sizeof err) : ct_out_open(p, err, sizeof err);
	if (!o)
		fail_msg("%s", err);
	if (by_path) {
		FILE *f = fopen(ct_out_tmppath(o), "w");
		assert_non_null(f);
		fputs("through the pipe\n", f);
		fclose(f);
	} else {
		fputs("through the pipe\n", ct_out_fp(o));
	}
	if (ct_out_commit(o, err, sizeof err) != 0)
		fail_msg("%s", err);
	char buf[64] = "";
	assert_int_equal(read(rd, buf, sizeof buf - 1), 17);
	assert_string_equal(buf, "through the pipe\n");
	close(rd);
	assert_true(S_ISFIFO(mode_of(p)));
	assert_int_equal(unlink(p), 0);
}

static void test_fifo_written_through(void **state)
{
	fixture *fx = *state;
	/* ct_out_open_path's scratch file lives in $TMPDIR: point it here */
	assert_int_equal(mkdir(at(fx, "tmp"), 0700), 0);
	char *was = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	setenv("TMPDIR", at(fx, "tmp"), 1);
	check_fifo(fx, 0);
	check_fifo(fx, 1);
	if (was) {
		setenv("TMPDIR", was, 1);
		free(was);
	} else {
		unsetenv("TMPDIR");
	}
	const char *keep[] = {NULL};
	assert_only(at(fx, "tmp"), keep);
}

static void test_character_device_written_through(void **state)
{
	fixture *fx = *state;
	const char *p = at(fx, "null");
	/* the null device (1, 3), made here: never /dev itself */
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) != 0) {
		print_message("mknod: %s: skipped (needs root)\n", strerror(errno));
		skip();
	}
	put_ok(p, "into the device\n");
	char err[512];
	ct_outfile *o = ct_out_open_path(p, err, sizeof err);
	assert_non_null(o);
	assert_int_equal(ct_out_commit(o, err, sizeof err), 0);
	struct stat st;
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(major(st.st_rdev), 1);
	assert_int_equal(minor(st.st_rdev), 3);
	const char *keep[] = {"null", NULL};
	assert_only(fx->dir, keep);
}

static void test_socket_written_through(void **state)
{
	fixture *fx = *state;
	const char *p = at(fx, "sock");
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(ls >= 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof a.sun_path, "%s", p);
	assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(ls, 1), 0);
	put_ok(p, "into the socket\n");
	/* a writer that replaced the socket never connects: do not wait for it */
	struct pollfd pf = {.fd = ls, .events = POLLIN};
	assert_int_equal(poll(&pf, 1, 2000), 1);
	int c = accept(ls, NULL, NULL);
	assert_true(c >= 0);
	char buf[64] = "";
	assert_int_equal(read(c, buf, sizeof buf - 1), 16);
	assert_string_equal(buf, "into the socket\n");
	close(c);
	close(ls);
	assert_true(S_ISSOCK(mode_of(p)));
}

static void test_fd_path_written_through(void **state)
{
	(void)state;
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	char path[32];
	snprintf(path, sizeof path, "/dev/fd/%d", pfd[1]);
	put_ok(path, "by descriptor\n");
	char buf[64] = "";
	assert_int_equal(read(pfd[0], buf, sizeof buf - 1), 14);
	assert_string_equal(buf, "by descriptor\n");
	close(pfd[0]);
	close(pfd[1]);
	char err[512] = "";
	assert_int_equal(put("/dev/fd/987", "x", err, sizeof err), -1);
	assert_non_null(strstr(err, "not open"));
}

static void test_folder_and_block_device_refused(void **state)
{
	fixture *fx = *state;
	char err[512] = "";
	assert_int_equal(mkdir(at(fx, "d"), 0755), 0);
	assert_int_equal(put(at(fx, "d"), "x", err, sizeof err), -1);
	assert_non_null(strstr(err, "is a folder"));
	/* a loop device number nothing is attached to; refused before any open */
	if (mknod(at(fx, "blk"), S_IFBLK | 0600, makedev(7, 250)) == 0) {
		assert_int_equal(put(at(fx, "blk"), "x", err, sizeof err), -1);
		assert_non_null(strstr(err, "block device"));
		assert_true(S_ISBLK(mode_of(at(fx, "blk"))));
	}
	const char *keep[] = {"d", "blk", NULL};
	assert_only(fx->dir, keep);
	assert_only(at(fx, "d"), keep + 2);
}

static void test_no_temporary_survives_a_failure(void **state)
{
	fixture *fx = *state;
	char err[512] = "";
	/* abandoned */
	ct_outfile *o = ct_out_open(at(fx, "a.md"), err, sizeof err);
	assert_non_null(o);
	fputs("half", ct_out_fp(o));
	ct_out_abort(o);
	/* the rename fails: a folder took the name meanwhile */
	o = ct_out_open(at(fx, "b.md"), err, sizeof err);
	assert_non_null(o);
	fputs("half", ct_out_fp(o));
	assert_int_equal(mkdir(at(fx, "b.md"), 0755), 0);
	assert_int_equal(mkdir(at(fx, "b.md/x"), 0755), 0);
	assert_int_equal(ct_out_commit(o, err, sizeof err), -1);
	assert_non_null(strstr(err, "b.md: cannot rename into place"));
	/* an existing file we may not write is left alone */
	put_ok(at(fx, "ro.md"), "keep\n");
	assert_int_equal(chmod(at(fx, "ro.md"), 0444), 0);
	if (geteuid() != 0) {
		assert_int_equal(put(at(fx, "ro.md"), "x", err, sizeof err), -1);
		assert_file_is(at(fx, "ro.md"), "keep\n");
	}
	const char *keep[] = {"b.md", "ro.md", NULL};
	assert_only(fx->dir, keep);
}

/* The child's output, reachable at its exit (no leak for LeakSanitizer). */
static ct_outfile *volatile child_out;

/* A child opens an output, says so, and waits to be killed by SIG (or, with
 * SIG 0, exits without committing). */
static void check_killed(fixture *fx, int sig, int by_path)
{
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[512];
		ct_outfile *o = by_path ? ct_out_open_path(at(fx, "k.xlsx"), err, sizeof err)
				       : ct_out_open(at(fx, "k.md"), err, sizeof err);
		child_out = o;
		if (!o)
			_exit(10);
		if (!by_path)
			fputs("partial", ct_out_fp(o));
		if (write(ready[1], "r", 1) != 1)
			_exit(11);
		if (sig == 0)
			exit(0); /* atexit removes it */
		for (;;)
			pause();
	}
	close(ready[1]);
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	/* the temporary is there while the child runs */
	DIR *d = opendir(fx->dir);
	struct dirent *e;
	int temps = 0;
	while ((e = readdir(d)) != NULL)
		temps += strstr(e->d_name, ".tmp") != NULL;
	closedir(d);
	if (sig) {
		assert_int_equal(temps, 1);
		kill(pid, sig);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (sig) {
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), sig);
	} else {
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	const char *keep[] = {NULL};
	assert_only(fx->dir, keep);
}

static void test_signals_remove_the_temporary(void **state)
{
	fixture *fx = *state;
	check_killed(fx, SIGTERM, 0);
	check_killed(fx, SIGINT, 0);
	check_killed(fx, SIGHUP, 0);
	check_killed(fx, SIGTERM, 1);
	check_killed(fx, 0, 0);
	/* and the handlers are gone again once nothing is pending */
	struct sigaction sa;
	assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
	assert_true(sa.sa_handler == SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_file_mode_follows_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_file_keeps_mode_and_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_followed_and_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_loop_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_written_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_character_device_written_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_written_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_path_written_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folder_and_block_device_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_temporary_survives_a_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals_remove_the_temporary, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
