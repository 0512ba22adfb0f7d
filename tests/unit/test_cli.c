/* Unit tests for the one option parser every subcommand uses (cli/options.c)
 * and for when stderr may carry escape sequences (core/util.c). */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 600 /* posix_openpt */
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/util.h"

/* Runs cli_parse on ARGS (NULL-terminated, the command name first) with
 * stderr captured into ERR; returns its result. */
static int parse_capture(const cli_opt *opts, char **args, int *first, char *err, size_t errlen)
{
	int argc = 0;
	while (args[argc])
		argc++;
	char path[] = "/tmp/crimetab-test-cli-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	int rc = cli_parse("report", "usage: crimetab report\n", opts, argc, args, first);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	ssize_t k = pread(fd, err, errlen - 1, 0);
	err[k > 0 ? k : 0] = '\0';
	close(fd);
	unlink(path);
	return rc;
}

static int lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_values_and_operands(void **state)
{
	(void)state;
	const char *str = NULL;
	int flag = 0, month = -1;
	long long num = -1;
	cli_list list = {0};
	const cli_opt opts[] = {
		CLI_STRING("taxonomy", 't', &str),
		CLI_FLAG("all-data", 0, &flag),
		CLI_MONTH("month", 0, &month),
		CLI_NUMBER("source", 's', &num),
		CLI_LIST("area", 0, &list),
		CLI_END,
	};
	char a0[] = "report", a1[] = "one", a2[] = "--taxonomy=police-uk", a3[] = "--area", a4[] = "A b",
	     a5[] = "--all-data", a6[] = "two", a7[] = "--month", a8[] = "2024-09", a9[] = "-s7",
	     a10[] = "--area=C", a11[] = "--", a12[] = "--not-an-option";
	char *args[] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, NULL};
	char err[1024];
	int first = 0;
	assert_int_equal(parse_capture(opts, args, &first, err, sizeof err), CLI_CONTINUE);
	assert_string_equal(err, "");
	assert_string_equal(str, "police-uk");
	assert_int_equal(flag, 1);
	assert_int_equal(month, CT_MONTH(2024, 9));
	assert_int_equal(num, 7);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.v[0], "A b");
	assert_string_equal(list.v[1], "C");
	/* operands after the options, in their order; "--" ends the options */
	assert_int_equal(first, 10);
	assert_string_equal(args[first], "one");
	assert_string_equal(args[first + 1], "two");
	assert_string_equal(args[first + 2], "--not-an-option");
	cli_list_free(&list);
}

/* Each way of getting an option wrong: one error line naming it, one line
 * pointing at --help, status 2. */
static void test_usage_errors(void **state)
{
	(void)state;
	const char *str = NULL;
	int month = -1;
	long long num = -1;
	cli_list list = {0};
	const cli_opt opts[] = {
		CLI_STRING("md", 0, &str),
		CLI_MONTH("month", 0, &month),
		CLI_NUMBER("source", 0, &num),
		CLI_LIST("area", 0, &list),
		CLI_END,
	};
	static const struct {
		const char *arg, *want;
	} cases[] = {
		{"--frob", "crimetab: error: report: unknown option '--frob'\n"},
		{"-x", "crimetab: error: report: unknown option '-x'\n"},
		{"--month", "crimetab: error: report: option '--month' needs a value\n"},
		{"--quiet=yes", "crimetab: error: report: option '--quiet' takes no value\n"},
		{"--m=1", "crimetab: error: report: ambiguous option '--m' (could be --md, --month)\n"},
		{"--month=2024-13", "crimetab: error: report: --month: \"2024-13\" is not a month (YYYY-MM)\n"},
		{"--source=-1", "crimetab: error: report: --source: \"-1\" is not a whole number\n"},
		{"--source=12x", "crimetab: error: report: --source: \"12x\" is not a whole number\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char a0[] = "report", a1[] = "--area=X", a2[64];
		snprintf(a2, sizeof a2, "%s", cases[i].arg);
		char *args[] = {a0, a1, a2, NULL};
		char err[1024], want[512];
		int first;
		assert_int_equal(parse_capture(opts, args, &first, err, sizeof err), CT_EUSAGE);
		snprintf(want, sizeof want, "%scrimetab: see 'crimetab report --help'\n", cases[i].want);
		assert_string_equal(err, want);
		assert_int_equal(lines(err), 2);
		/* the parser freed what it had collected */
		assert_null(list.v);
	}
}

static void test_help_and_globals(void **state)
{
	(void)state;
	const cli_opt opts[] = {CLI_END};
	char a0[] = "report", a1[] = "--db", a2[] = "x.db", a3[] = "-q", a4[] = "--no-color";
	char *args[] = {a0, a1, a2, a3, a4, NULL};
	char err[256];
	int first;
	unsetenv("NO_COLOR");
	ct_verbosity = 0;
	cli_global.db = NULL;
	assert_int_equal(parse_capture(opts, args, &first, err, sizeof err), CLI_CONTINUE);
	assert_string_equal(cli_global.db, "x.db");
	assert_int_equal(ct_verbosity, -1);
	assert_non_null(getenv("NO_COLOR"));
	assert_int_equal(first, 5);
	ct_verbosity = 0;
	cli_global.db = NULL;
	unsetenv("NO_COLOR");

	/* --help prints the command's text, the global options and the status table */
	char h0[] = "report", h1[] = "--help";
	char *hargs[] = {h0, h1, NULL};
	char path[] = "/tmp/crimetab-test-cli-XXXXXX";
	int fd = mkstemp(path);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	int rc = parse_capture(opts, hargs, &first, err, sizeof err);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	char out[8192];
	ssize_t k = pread(fd, out, sizeof out - 1, 0);
	out[k > 0 ? k : 0] = '\0';
	close(fd);
	unlink(path);
	assert_int_equal(rc, CT_OK);
	assert_string_equal(err, "");
	assert_non_null(strstr(out, "usage: crimetab report\n"));
	assert_non_null(strstr(out, "  --db FILE"));
	assert_non_null(strstr(out, "  9  done with problems"));
}

/* Escape sequences only for a terminal that understands them. */
static void test_stderr_can_redraw(void **state)
{
	(void)state;
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	char *term = getenv("TERM") ? xstrdup(getenv("TERM")) : NULL;
	int saved = dup(STDERR_FILENO);
	dup2(slave, STDERR_FILENO);
	setenv("TERM", "xterm", 1);
	int xterm = ct_stderr_can_redraw();
	setenv("TERM", "dumb", 1);
	int dumb = ct_stderr_can_redraw();
	setenv("TERM", "", 1);
	int empty = ct_stderr_can_redraw();
	unsetenv("TERM");
	int unset = ct_stderr_can_redraw();
	setenv("TERM", "xterm", 1);
	char path[] = "/tmp/crimetab-test-cli-XXXXXX";
	int file = mkstemp(path);
	dup2(file, STDERR_FILENO);
	int not_tty = ct_stderr_can_redraw();
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(file);
	unlink(path);
	close(slave);
	close(master);
	if (term)
		setenv("TERM", term, 1);
	else
		unsetenv("TERM");
	free(term);
	assert_int_equal(xterm, 1);
	assert_int_equal(dumb, 0);
	assert_int_equal(empty, 0);
	assert_int_equal(unset, 0);
	assert_int_equal(not_tty, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_and_operands),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_help_and_globals),
		cmocka_unit_test(test_stderr_can_redraw),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
