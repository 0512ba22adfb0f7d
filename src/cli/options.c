/* One option parser for every subcommand (getopt_long underneath, its own
 * messages silenced), the global options, and the --help footer. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/util.h"
#include "report/model.h"

cli_globals cli_global;

static const char globals_help[] =
	"\n"
	"global options (before or after the command name):\n"
	"  --db FILE          the database (default: $CRIMETAB_DB, else ./crimetab.db)\n"
	"  -q, --quiet        only errors and warnings on stderr (for cron)\n"
	"  --no-color         no colour in the TUI (as when NO_COLOR is set)\n"
	"  -C, --directory DIR\n"
	"                     run as if started in DIR: relative paths, the default\n"
	"                     database and report outputs are taken from there\n"
	"  --wait SECONDS     how long a command that writes waits while another crimetab\n"
	"                     writes the database (default: $CRIMETAB_LOCK_TIMEOUT, else\n"
	"                     60), then gives up with exit status 7\n"
	"  -h, --help         this text\n";

void cli_list_free(cli_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void cli_print_statuses(FILE *out)
{
	static const struct {
		int code;
		const char *text;
	} rows[] = {
#define CLI_STATUS_ROW(name, code, msg) {code, msg},
		CT_STATUS_LIST(CLI_STATUS_ROW)
#undef CLI_STATUS_ROW
	};
	fputs("exit status:\n", out);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		/* wrapped at 79 columns under the text's first column */
		fprintf(out, "  %d  ", rows[i].code);
		const char *p = rows[i].text;
		int col = 5;
		while (*p) {
			size_t w = strcspn(p, " ");
			if (col > 5 && col + 1 + (int)w > 79) {
				fputs("\n     ", out);
				col = 5;
			} else if (col > 5) {
				fputc(' ', out);
				col++;
			}
			fwrite(p, 1, w, out);
			col += (int)w;
			p += w;
			while (*p == ' ')
				p++;
		}
		fputc('\n', out);
	}
}

int cli_help(const char *text)
{
	fputs(text, stdout);
	fputs(globals_help, stdout);
	fputc('\n', stdout);
	cli_print_statuses(stdout);
	return CT_OK;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[1024];
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (cmd)
		ct_error("%s: %s", cmd, buf);
	else
		ct_error("%s", buf);
	fprintf(stderr, "crimetab: see 'crimetab %s%s--help'\n", cmd ? cmd : "", cmd ? " " : "");
	return CT_EUSAGE;
}

/* The global options, as if every command's table began with them. */
enum { G_DB, G_QUIET, G_NOCOLOR, G_DIR, G_WAIT, G_HELP, G_COUNT };
static const char *g_db, *g_dir, *g_wait;
static int g_quiet, g_nocolor, g_help;

static int takes_value(const cli_opt *o)
{
	return o->kind != CLI_KIND_FLAG;
}

static void free_lists(const cli_opt *opts)
{
	for (const cli_opt *o = opts; o && o->name; o++)
		if (o->kind == CLI_KIND_LIST)
			cli_list_free(o->dest);
}

/* Stores VALUE for O; 0, or -1 after printing a usage error. */
static int set_value(const char *cmd, const cli_opt *o, const char *value)
{
	switch (o->kind) {
	case CLI_KIND_FLAG: *(int *)o->dest = 1; break;
	case CLI_KIND_STRING: *(const char **)o->dest = value; break;
	case CLI_KIND_LIST: {
		cli_list *l = o->dest;
		l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		l->v[l->n++] = value;
		break;
	}
	case CLI_KIND_MONTH:
		if (ct_month_parse(value, o->dest) != 0) {
			cli_usage_error(cmd, "--%s: \"%s\" is not a month (YYYY-MM)", o->name, value);
			return -1;
		}
		break;
	case CLI_KIND_NUMBER: {
		char *end;
		errno = 0;
		long long v = strtoll(value, &end, 10);
		if (!*value || *end || errno || v < 0) {
			cli_usage_error(cmd, "--%s: \"%s\" is not a whole number", o->name, value);
			return -1;
		}
		*(long long *)o->dest = v;
		break;
	}
	}
	return 0;
}

/* The message for an option getopt did not accept: TEXT is what was typed. */
static void unknown_option(const char *cmd, const cli_opt *const *tab, size_t n, const char *text)
{
	if (strncmp(text, "--", 2) != 0) {
		cli_usage_error(cmd, "unknown option '%s'", text);
		return;
	}
	size_t len = strcspn(text + 2, "=");
	strbuf alts = {0};
	int k = 0;
	for (size_t i = 0; i < n && len > 0; i++)
		if (strncmp(tab[i]->name, text + 2, len) == 0) {
			sb_printf(&alts, "%s--%s", k++ ? ", " : "", tab[i]->name);
		}
	if (k > 1)
		cli_usage_error(cmd, "ambiguous option '--%.*s' (could be %s)", (int)len, text + 2, alts.buf);
	else
		cli_usage_error(cmd, "unknown option '--%.*s'", (int)len, text + 2);
	sb_release(&alts);
}

static int parse(const char *cmd, const char *help, const cli_opt *opts, int argc, char **argv, int *first,
		 int stop_at_operand)
{
	const cli_opt globals[G_COUNT] = {
		[G_DB] = CLI_STRING("db", 0, &g_db),
		[G_QUIET] = CLI_FLAG("quiet", 'q', &g_quiet),
		[G_NOCOLOR] = CLI_FLAG("no-color", 0, &g_nocolor),
		[G_DIR] = CLI_STRING("directory", 'C', &g_dir),
		[G_WAIT] = CLI_STRING("wait", 0, &g_wait),
		[G_HELP] = CLI_FLAG("help", 'h', &g_help),
	};
	size_t n = G_COUNT;
	for (const cli_opt *o = opts; o && o->name; o++)
		n++;
	const cli_opt **tab = xcalloc(n, sizeof(const cli_opt *));
	struct option *lo = xcalloc(n + 1, sizeof *lo);
	strbuf shorts = {0};
	sb_puts(&shorts, stop_at_operand ? "+:" : ":");
	for (size_t i = 0; i < n; i++) {
		tab[i] = i < G_COUNT ? &globals[i] : &opts[i - G_COUNT];
		lo[i] = (struct option){tab[i]->name, takes_value(tab[i]) ? required_argument : no_argument, NULL,
					256 + (int)i};
		if (tab[i]->letter) {
			sb_putc(&shorts, (char)tab[i]->letter);
			if (takes_value(tab[i]))
				sb_putc(&shorts, ':');
		}
	}
	int rc = CLI_CONTINUE, c;
	g_db = g_dir = g_wait = NULL;
	g_quiet = g_nocolor = g_help = 0;
	opterr = 0;
	optind = 0; /* glibc: start afresh, whatever was parsed before */
	while (rc == CLI_CONTINUE && (c = getopt_long(argc, argv, shorts.buf, lo, NULL)) != -1) {
		const cli_opt *o = NULL;
		if (c >= 256) {
			o = tab[c - 256];
		} else if (c == ':') {
			const cli_opt *m = optopt >= 256 ? tab[optopt - 256] : NULL;
			if (m)
				cli_usage_error(cmd, "option '--%s' needs a value", m->name);
			else
				cli_usage_error(cmd, "option '-%c' needs a value", optopt);
			rc = CT_EUSAGE;
		} else if (c == '?') {
			if (optopt >= 256) {
				cli_usage_error(cmd, "option '--%s' takes no value", tab[optopt - 256]->name);
			} else if (optopt) {
				char text[3] = {'-', (char)optopt, 0};
				unknown_option(cmd, tab, n, text);
			} else {
				unknown_option(cmd, tab, n, argv[optind - 1]);
			}
			rc = CT_EUSAGE;
		} else {
			for (size_t i = 0; i < n && !o; i++)
				if (tab[i]->letter == c)
					o = tab[i];
		}
		if (!o)
			continue;
		if (set_value(cmd, o, optarg) != 0) {
			rc = CT_EUSAGE;
		} else if (o == &globals[G_HELP]) {
			rc = cli_help(help);
		} else if (o == &globals[G_DB]) {
			cli_global.db = g_db;
		} else if (o == &globals[G_QUIET]) {
			ct_verbosity = -1;
		} else if (o == &globals[G_WAIT]) {
			rc = cli_set_wait(cmd ? cmd : "crimetab", g_wait) == CT_OK ? CLI_CONTINUE : CT_EUSAGE;
		} else if (o == &globals[G_NOCOLOR]) {
			setenv("NO_COLOR", "1", 1);
		} else if (o == &globals[G_DIR] && chdir(g_dir) != 0) {
			ct_error("-C %s: cannot change to that folder: %s", g_dir, strerror(errno));
			rc = CT_EIO;
		}
	}
	*first = optind;
	if (rc != CLI_CONTINUE)
		free_lists(opts);
	free(tab);
	free(lo);
	sb_release(&shorts);
	return rc;
}

int cli_parse(const char *cmd, const char *help, const cli_opt *opts, int argc, char **argv, int *first)
{
	return parse(cmd, help, opts, argc, argv, first, 0);
}

int cli_parse_global(const char *help, const cli_opt *opts, int argc, char **argv, int *first)
{
	return parse(NULL, help, opts, argc, argv, first, 1);
}

int cli_month_or_latest(const char *cmd, const char *arg, int *month)
{
	*month = -1;
	if (strcmp(arg, "latest") != 0 && ct_month_parse(arg, month) != 0)
		return cli_usage_error(cmd, "--month: \"%s\" is not a month (YYYY-MM) or 'latest'", arg);
	return CT_OK;
}

int cli_compare(const char *cmd, const char *arg, int *compare)
{
	if (strcmp(arg, "previous") == 0)
		*compare = REP_COMPARE_PREVIOUS;
	else if (strcmp(arg, "yoy") == 0)
		*compare = REP_COMPARE_YOY;
	else
		return cli_usage_error(cmd, "--compare: \"%s\" is not yoy or previous", arg);
	return CT_OK;
}

int cli_dataset(const char *cmd, const char *arg)
{
	if (strcmp(arg, "force") != 0 && strcmp(arg, "street") != 0)
		return cli_usage_error(cmd, "--dataset: \"%s\" is not force or street", arg);
	return CT_OK;
}

int cli_number(const char *arg, double lo, double hi, double *v)
{
	char *end;
	errno = 0;
	double x = strtod(arg, &end);
	if (errno || end == arg || *end || !(x >= lo && x <= hi))
		return -1;
	*v = x;
	return 0;
}

int cli_alpha(const char *cmd, const char *arg, double *alpha)
{
	double v;
	if (cli_number(arg, 0, 0.5, &v) != 0 || v == 0)
		return cli_usage_error(cmd, "--alpha: \"%s\" is not a level between 0 and 0.5, such as 0.05", arg);
	*alpha = v;
	return CT_OK;
}

int cli_check_suppress_below(const char *cmd, long long n)
{
	if (n > 1000000)
		return cli_usage_error(cmd, "--suppress-below: at most 1000000");
	return CT_OK;
}
