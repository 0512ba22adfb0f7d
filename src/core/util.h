/* Small shared helpers: allocation, strings, diagnostics, month arithmetic,
 * atomic output files and the progress line. */
#ifndef CRIMETAB_UTIL_H
#define CRIMETAB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "core/status.h"

/* Allocation that aborts on exhaustion: crimetab has no useful way to go on. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable NUL-terminated byte buffer; zero-initialise, sb_release frees. */
typedef struct strbuf {
	char *buf;
	size_t len, alloc;
} strbuf;
void sb_add(strbuf *sb, const char *s, size_t n);
void sb_puts(strbuf *sb, const char *s);
void sb_putc(strbuf *sb, char c);
/* Appends S as one CSV field: in double quotes (its quotes doubled) when it
 * holds a comma, a quote or a line break, as police.uk writes them. */
void sb_csv_field(strbuf *sb, const char *s);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_reset(strbuf *sb);
void sb_release(strbuf *sb);
/* Hands the buffer to the caller (who frees it) and empties SB. */
char *sb_detach(strbuf *sb);

/* The line (from 1) that AT lies on in TEXT; 1 when AT is NULL.  For
 * "file:line: reason" where a parser stopped (cJSON_ParseWithOpts). */
long ct_line_at(const char *text, const char *at);

/* Diagnostics go to stderr as "crimetab: message" (one line each).
 * ct_verbosity < 0 silences notes and progress (--quiet); warnings and
 * errors always print. */
extern int ct_verbosity;
void ct_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ct_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ct_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Months are integers: year * 12 + (month - 1). */
#define CT_MONTH(y, m) ((y) * 12 + (m) - 1)
#define CT_MONTH_YEAR(mi) ((mi) / 12)
#define CT_MONTH_NUM(mi) ((mi) % 12 + 1)
/* Parses exactly "YYYY-MM"; returns 0 and stores the month index, or -1. */
int ct_month_parse(const char *s, int *out);
/* Writes "YYYY-MM" into buf (at least 8 bytes). */
void ct_month_format(int month, char *buf);
/* Writes "October 2024" into buf (at least 16 bytes). */
void ct_month_long(int month, char *buf, size_t len);
/* UK civil time, for instants (Unix seconds, UTC) such as face-match
 * sightings: the month T falls in, in Britain (British Summer Time runs from
 * 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
 * October, the rule since 1996), and the instant MONTH begins there. */
int ct_uk_month(long long t);
long long ct_uk_month_start(int month);

/* What a file of mode M is, for messages: "a regular file", "a folder",
 * "a FIFO", "a character device", "a block device", "a socket". */
const char *ct_file_kind(unsigned m);
/* Opens PATH for reading if it is a regular file, never waiting on a FIFO
 * (it is opened without blocking, then checked): the descriptor, with its
 * stat in *ST.  -1 with err "PATH: cannot open: reason", or -2 with err
 * "PATH: KIND, not a regular file" (ST filled) for anything else. */
struct stat;
int ct_open_regular(const char *path, struct stat *st, char *err, size_t errlen);

/* The contents of PATH, NUL-terminated (caller frees); NULL with
 * "PATH: cannot open: reason" in err. */
char *ct_read_file(const char *path, char *err, size_t errlen);
/* The one way a template named on the command line or in a config is found,
 * from any folder: NAME_OR_PATH is read as a file when something exists at
 * that path; otherwise, when it names a built-in template of kind DIR
 * ("taxonomy", "mappings", "areas", "reports": templates/DIR/NAME.json or
 * .geojson, compiled in), that text.  Returns the text (caller frees), or
 * NULL with err set ("NAME: no such file, and not a built-in taxonomy
 * (built-in: home-office, police-uk)", or the file's own read error): NULL
 * always means nothing could be read (exit status CT_EIO). */
char *ct_template_text(const char *dir, const char *name_or_path, char *err, size_t errlen);
/* The built-in template of kind DIR called NAME (its text and length are
 * compiled in), or NULL. */
const char *ct_template_builtin(const char *dir, const char *name, size_t *len);
/* What a template of kind DIR is called in messages ("taxonomy", "column
 * mapping", "areas file", "report config"). */
const char *ct_template_noun(const char *dir);

/* True if s (length n) is valid UTF-8. */
int ct_utf8_valid(const char *s, size_t n);
/* Appends the N bytes at S to OUT with everything that could cut the text
 * short or act on a terminal escaped: backslash as \\, NUL as \0, CR as \r
 * (a CR before a LF is dropped: it only ends the line), other control
 * characters (C0, DEL, C1) and bytes that are not UTF-8 as \xHH.  Tab and
 * LF are kept, and so is every other UTF-8 character. */
void ct_escape_text(strbuf *out, const char *s, size_t n);

/* An output file (core/outfile.c), written so that nothing already there is
 * damaged:
 * - a regular file, or a path where nothing is, is written to a temporary in
 *   the same folder, synced and renamed into place, and the folder synced:
 *   a failure, a kill or a crash never leaves a partial file.  A new file
 *   gets mode 0666 less the umask; a file replaced keeps its mode (and, when
 *   run as root, its owner and group).  Missing parent folders are created;
 * - a symbolic link is followed to its final target, which is replaced as
 *   above: the link stays a link;
 * - a character device, a FIFO or a socket is written into directly and
 *   never replaced; so are "-" (standard output), /dev/stdout, /dev/stderr
 *   and /dev/fd/N;
 * - a folder, a block device or a loop of links is an error.
 * The temporary is removed by ct_out_abort, by a failed ct_out_commit, at
 * exit, and on SIGINT, SIGTERM, SIGHUP or SIGPIPE (the signal then does
 * what it would have done).  Errors read "PATH: reason". */
typedef struct ct_outfile ct_outfile;
ct_outfile *ct_out_open(const char *path, char *err, size_t errlen);
/* Like ct_out_open, for a library that writes its own file (libxlsxwriter)
 * at ct_out_tmppath: a device, FIFO or socket target is opened only at
 * commit, once that file is complete, and the file copied into it. */
ct_outfile *ct_out_open_path(const char *path, char *err, size_t errlen);
/* The stream to write (ct_out_open only). */
FILE *ct_out_fp(ct_outfile *o);
/* The file to write (ct_out_open_path only): the temporary beside the
 * target, or for a target written directly a scratch file in $TMPDIR. */
const char *ct_out_tmppath(const ct_outfile *o);
/* Flushes, syncs and renames (or copies into a direct target); frees O.
 * Returns 0, or -1 with err set and nothing left behind. */
int ct_out_commit(ct_outfile *o, char *err, size_t errlen);
/* Removes the temporary and frees O; accepts NULL. */
void ct_out_abort(ct_outfile *o);

/* True when stderr is a terminal that understands escape sequences (TERM set
 * and not "dumb"), so a line can be redrawn in place. */
int ct_stderr_can_redraw(void);

/* A progress line on stderr, drawn only when ct_stderr_can_redraw() and not
 * quiet: no escape sequence ever reaches a log, a pipe or a dumb terminal. */
typedef struct ct_progress ct_progress;
ct_progress *ct_progress_new(const char *label, long long total_bytes);
void ct_progress_update(ct_progress *p, long long rows, long long bytes);
void ct_progress_free(ct_progress *p);

/* A one-line note on stderr, redrawn in place ("waiting for ..."), drawn only
 * when stderr is a TTY and not quiet; NULL clears it. */
void ct_transient(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Monotonic seconds, for progress rates and timings. */
double ct_now(void);

#endif
