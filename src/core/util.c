/* Shared helpers; see util.h for what each promises. */
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/embedded.h"

int ct_verbosity;

static void oom(void)
{
	fputs("crimetab: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	strbuf sb = {0};
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof tmp) {
		va_end(ap2);
		return xstrndup(tmp, (size_t)n);
	}
	sb.buf = xmalloc((size_t)n + 1);
	vsnprintf(sb.buf, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return sb.buf;
}

static void sb_grow(strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->alloc)
		return;
	size_t want = sb->alloc ? sb->alloc : 64;
	while (want < sb->len + extra + 1)
		want *= 2;
	sb->buf = xrealloc(sb->buf, want);
	sb->alloc = want;
}

void sb_add(strbuf *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_puts(strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_putc(strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_csv_field(strbuf *sb, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		sb_puts(sb, s);
		return;
	}
	sb_putc(sb, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_putc(sb, '"');
		sb_putc(sb, *s);
	}
	sb_putc(sb, '"');
}

void sb_printf(strbuf *sb, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		sb_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap2);
		sb->len += (size_t)n;
	}
	va_end(ap2);
}

void sb_reset(strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void sb_release(strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

char *sb_detach(strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	return p;
}

long ct_line_at(const char *text, const char *at)
{
	long line = 1;
	for (const char *p = text; at && p < at && *p; p++)
		line += *p == '\n';
	return line;
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fputs("crimetab: ", stderr);
	if (prefix)
		fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void ct_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
}

void ct_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void ct_note(const char *fmt, ...)
{
	if (ct_verbosity < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

int ct_month_parse(const char *s, int *out)
{
	if (strlen(s) != 7 || s[4] != '-')
		return -1;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	if (m < 1 || m > 12 || y < 1900)
		return -1;
	*out = CT_MONTH(y, m);
	return 0;
}

/* 01:00 UTC on the last Sunday of month M (1-12) of year Y. */
static long long last_sunday_1am(int y, int m)
{
	/* day 0 of the next month is the last day of this one */
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m, .tm_mday = 0, .tm_hour = 1};
	time_t last = timegm(&tm);
	struct tm d;
	gmtime_r(&last, &d);
	return (long long)last - (long long)d.tm_wday * 86400;
}

static int uk_offset(long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return 0;
	int y = tm.tm_year + 1900;
	return t >= last_sunday_1am(y, 3) && t < last_sunday_1am(y, 10) ? 3600 : 0;
}

int ct_uk_month(long long t)
{
	time_t tt = (time_t)(t + uk_offset(t));
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return 0;
	return CT_MONTH(tm.tm_year + 1900, tm.tm_mon + 1);
}

long long ct_uk_month_start(int month)
{
	struct tm tm = {.tm_year = CT_MONTH_YEAR(month) - 1900, .tm_mon = CT_MONTH_NUM(month) - 1, .tm_mday = 1};
	/* midnight on the 1st is in summer time from April to October */
	int m = CT_MONTH_NUM(month);
	return (long long)timegm(&tm) - (m >= 4 && m <= 10 ? 3600 : 0);
}

void ct_month_format(int month, char *buf)
{
	int y = CT_MONTH_YEAR(month), m = CT_MONTH_NUM(month);
	if (y < 0 || y > 9999 || m < 1 || m > 12)
		y = 0, m = 1;
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '\0';
}

void ct_month_long(int month, char *buf, size_t len)
{
	static const char *const names[] = {"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"};
	snprintf(buf, len, "%s %d", names[CT_MONTH_NUM(month) - 1], CT_MONTH_YEAR(month));
}

int ct_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			k = 1, min = 0x80, c &= 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			k = 2, min = 0x800, c &= 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			k = 3, min = 0x10000, c &= 0x07;
		} else {
			return 0;
		}
		if (i + k >= n)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			c = (c << 6) | (s[i + j] & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* The length of the UTF-8 sequence a byte starts, or 0 for none. */
static size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
}

void ct_escape_text(strbuf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		size_t k = utf8_len(c);
		if (c == '\\') {
			sb_puts(out, "\\\\");
		} else if (c == '\0') {
			sb_puts(out, "\\0");
		} else if (c == '\r') {
			if (i + 1 >= n || u[i + 1] != '\n')
				sb_puts(out, "\\r");
		} else if (c == '\t' || c == '\n' || (c >= 0x20 && c < 0x7f)) {
			sb_putc(out, (char)c);
		} else if (k > 1 && i + k <= n && ct_utf8_valid(s + i, k) && !(c == 0xC2 && u[i + 1] < 0xA0)) {
			sb_add(out, s + i, k);
			i += k;
			continue;
		} else {
			sb_printf(out, "\\x%02X", c);
		}
		i++;
	}
}

const char *ct_file_kind(unsigned m)
{
	return S_ISREG(m) ? "a regular file" : S_ISDIR(m) ? "a folder" : S_ISFIFO(m) ? "a FIFO"
	       : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket"
	       : "a special file";
}

int ct_open_regular(const char *path, struct stat *st, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st) != 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s: %s, not a regular file", path, ct_file_kind(st->st_mode));
		close(fd);
		return -2;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

char *ct_read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	strbuf sb = {0};
	char buf[65536];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&sb, buf, k);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: read error", path);
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

const char *ct_template_noun(const char *dir)
{
	static const char *const nouns[][2] = {
		{"taxonomy", "taxonomy"},
		{"mappings", "column mapping"},
		{"areas", "areas file"},
		{"reports", "report config"},
		{"highlights", "Highlights wording"},
	};
	for (size_t i = 0; i < sizeof nouns / sizeof nouns[0]; i++)
		if (strcmp(dir, nouns[i][0]) == 0)
			return nouns[i][1];
	return "template";
}

const char *ct_template_builtin(const char *dir, const char *name, size_t *len)
{
	static const char *const exts[] = {".json", ".geojson"};
	if (!*name || strchr(name, '/'))
		return NULL;
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		char *key = xasprintf("templates/%s/%s%s", dir, name, exts[i]);
		const struct embedded_file *ef = embedded_find(key);
		free(key);
		if (ef) {
			if (len)
				*len = ef->len;
			return ef->data;
		}
	}
	return NULL;
}

char *ct_template_text(const char *dir, const char *name_or_path, char *err, size_t errlen)
{
	struct stat st;
	/* a file of that name wins (or says why it cannot be read) */
	if (stat(name_or_path, &st) == 0 || errno != ENOENT)
		return ct_read_file(name_or_path, err, errlen);
	size_t len;
	const char *text = ct_template_builtin(dir, name_or_path, &len);
	if (text)
		return xstrndup(text, len);
	if (strchr(name_or_path, '/'))
		return ct_read_file(name_or_path, err, errlen);
	char prefix[64];
	size_t n = (size_t)snprintf(prefix, sizeof prefix, "templates/%s/", dir);
	strbuf names = {0};
	for (const struct embedded_file *f = embedded_files; f->name; f++) {
		if (strncmp(f->name, prefix, n) != 0)
			continue;
		const char *base = f->name + n;
		sb_printf(&names, "%s%.*s", names.len ? ", " : "", (int)strcspn(base, "."), base);
	}
	snprintf(err, errlen, "%s: no such file, and not a built-in %s (built-in: %s)", name_or_path,
		 ct_template_noun(dir), names.len ? names.buf : "none");
	sb_release(&names);
	return NULL;
}

struct ct_progress {
	char *label;
	long long total;
	double start, last;
	int active;
};

double ct_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ct_stderr_can_redraw(void)
{
	const char *term = getenv("TERM");
	return isatty(STDERR_FILENO) && term && *term && strcmp(term, "dumb") != 0;
}

ct_progress *ct_progress_new(const char *label, long long total_bytes)
{
	ct_progress *p = xcalloc(1, sizeof *p);
	p->label = xstrdup(label);
	p->total = total_bytes;
	p->start = p->last = ct_now();
	p->active = ct_verbosity >= 0 && ct_stderr_can_redraw();
	return p;
}

void ct_progress_update(ct_progress *p, long long rows, long long bytes)
{
	if (!p || !p->active)
		return;
	double now = ct_now();
	if (now - p->last < 0.1)
		return;
	p->last = now;
	double secs = now - p->start;
	double mbs = secs > 0 ? (double)bytes / 1e6 / secs : 0;
	int pct = p->total > 0 ? (int)(100.0 * (double)bytes / (double)p->total) : 0;
	char bar[21];
	int fill = pct / 5;
	for (int i = 0; i < 20; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[20] = '\0';
	fprintf(stderr, "\r\033[K%s [%s] %3d%% %lld rows %.1f MB/s", p->label, bar, pct, rows, mbs);
}

void ct_transient(const char *fmt, ...)
{
	static int shown;
	if (ct_verbosity < 0 || !isatty(STDERR_FILENO))
		return;
	if (!fmt) {
		if (shown)
			fputs("\r\033[K", stderr);
		shown = 0;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	fputs("\r\033[Kcrimetab: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	shown = 1;
}

void ct_progress_free(ct_progress *p)
{
	if (!p)
		return;
	if (p->active && p->last > p->start)
		fputs("\r\033[K", stderr);
	free(p->label);
	free(p);
}

const struct embedded_file *embedded_find(const char *name)
{
	for (const struct embedded_file *f = embedded_files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}
