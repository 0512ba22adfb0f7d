/* The store's connection: opening and migrating the database, transactions,
 * and the checkpoints of a bulk import; the statements every part prepares
 * once per handle, and the helpers every query uses.  The parts are listed
 * in store_int.h. */
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/embedded.h"
#include "core/util.h"
#include "store/store_int.h"

typedef struct checkpointer checkpointer;

/* A prepared statement and the static SQL it was made from (its key). */
typedef struct prepared {
	const char *sql;
	sqlite3_stmt *st;
} prepared;

struct store {
	sqlite3 *db;
	prepared *prep;    /* open addressing on the SQL's address */
	size_t nprep, prep_cap;
	int version;
	store_rec *rec;    /* texts and the crime IDs being added: crimes.c */
	int mode;          /* STORE_READONLY, STORE_WRITE or STORE_CREATE */
	double busy_since; /* when the current wait for a lock began */
	int waited;        /* a lock wait is being shown on the terminal */
	int gave_up;       /* a lock wait ran out: the last failure was that */
	char *path;
	char msg[512];
	int bulk;          /* between store_bulk_begin and store_bulk_end */
	checkpointer *ck;  /* the same, when checkpoints run on their own thread */
};

/* How long a writer waits for another one's lock, in seconds. */
static double lock_wait = STORE_LOCK_WAIT;

void store_set_lock_wait(double seconds)
{
	lock_wait = seconds >= 0 ? seconds : STORE_LOCK_WAIT;
}

const char *store_default_path(const char *explicit_path)
{
	if (explicit_path && *explicit_path)
		return explicit_path;
	const char *env = getenv("CRIMETAB_DB");
	if (env && *env)
		return env;
	return "crimetab.db";
}

const char *store_errmsg(store *s)
{
	if (s->gave_up) {
		snprintf(s->msg, sizeof s->msg, "another crimetab held the database's write lock for more than %g s "
			 "(wait longer with --wait SECONDS or CRIMETAB_LOCK_TIMEOUT)", lock_wait);
		return s->msg;
	}
	/* "disk I/O error" alone does not say that a disk is full */
	int code = sqlite3_extended_errcode(s->db), sys = sqlite3_system_errno(s->db);
	const char *why = sys ? strerror(sys)
			  : code == SQLITE_IOERR_WRITE || code == SQLITE_IOERR_TRUNCATE || code == SQLITE_IOERR_FSYNC
			  ? "a write failed: is the disk full?" : NULL;
	if (why && ((code & 0xff) == SQLITE_IOERR || (code & 0xff) == SQLITE_CANTOPEN)) {
		snprintf(s->msg, sizeof s->msg, "%s (%s)", sqlite3_errmsg(s->db), why);
		return s->msg;
	}
	return sqlite3_errmsg(s->db);
}

int store_busy(const store *s)
{
	return s->gave_up;
}

ct_status store_status(const store *s)
{
	return s->gave_up ? CT_EBUSY : CT_EDB;
}

sqlite3 *store_sqlite(const store *s)
{
	return s->db;
}

store_rec *store_rec_of(const store *s)
{
	return s->rec;
}

/* ---- statements ---- */

static size_t prep_slot(const prepared *p, size_t cap, const char *sql)
{
	size_t j = ((uintptr_t)sql >> 3) * 0x9e3779b97f4a7c15ULL >> 20 & (cap - 1);
	while (p[j].sql && p[j].sql != sql)
		j = (j + 1) & (cap - 1);
	return j;
}

/* SQL's statement, prepared the first time; NULL on an error. */
static sqlite3_stmt *prepared_stmt(store *s, const char *sql, int *fresh)
{
	*fresh = 0;
	if (s->prep_cap) {
		prepared *p = &s->prep[prep_slot(s->prep, s->prep_cap, sql)];
		if (p->sql)
			return p->st;
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	if (2 * (s->nprep + 1) > s->prep_cap) {
		size_t cap = s->prep_cap ? 2 * s->prep_cap : 128;
		prepared *p = xcalloc(cap, sizeof *p);
		for (size_t i = 0; i < s->prep_cap; i++)
			if (s->prep[i].sql)
				p[prep_slot(p, cap, s->prep[i].sql)] = s->prep[i];
		free(s->prep);
		s->prep = p;
		s->prep_cap = cap;
	}
	s->prep[prep_slot(s->prep, s->prep_cap, sql)] = (prepared){sql, st};
	s->nprep++;
	*fresh = 1;
	return st;
}

sqlite3_stmt *store_stmt(store *s, const char *sql)
{
	int fresh;
	sqlite3_stmt *st = prepared_stmt(s, sql, &fresh);
	if (st && !fresh) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	return st;
}

sqlite3_stmt *store_stmt_rows(store *s, const char *sql)
{
	int fresh;
	sqlite3_stmt *st = prepared_stmt(s, sql, &fresh);
	if (st && !fresh)
		sqlite3_reset(st);
	return st;
}

void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

void store_bind_real(sqlite3_stmt *st, int i, int has, double v)
{
	if (has)
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

void store_bind_bytes(sqlite3_stmt *st, int i, store_bytes b)
{
	if (b.p)
		sqlite3_bind_blob(st, i, b.n ? b.p : "", (int)b.n, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

const char *store_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

store_bytes store_col_bytes(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return (store_bytes){NULL, 0};
	const char *p = sqlite3_column_blob(st, i);
	return (store_bytes){p ? p : "", (size_t)sqlite3_column_bytes(st, i)};
}

int store_step_done(sqlite3_stmt *st)
{
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

long long store_step_insert(store *s, sqlite3_stmt *st)
{
	return store_step_done(st) == 0 ? sqlite3_last_insert_rowid(store_sqlite(s)) : -1;
}

int store_step_value(sqlite3_stmt *st, long long *v)
{
	*v = 0;
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int store_rows_end(sqlite3_stmt *st, int rc)
{
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int store_exec(store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int store_run_int(store *s, const char *sql, long long v)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, v);
	return store_step_done(st);
}

/* ---- the connection ---- */

/* The value of PRAGMA NAME on DB as an integer, or DFLT. */
static int pragma_int(sqlite3 *db, const char *name, int dflt)
{
	char sql[64];
	sqlite3_stmt *st;
	snprintf(sql, sizeof sql, "PRAGMA %s", name);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return dflt;
	int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : dflt;
	sqlite3_finalize(st);
	return v;
}

/* The number of an embedded sql/NNN_*.sql file, or -1 for another file. */
static int migration_number(const struct embedded_file *f)
{
	int n;
	return strncmp(f->name, "sql/", 4) == 0 && sscanf(f->name + 4, "%d_", &n) == 1 ? n : -1;
}

int store_latest_version(void)
{
	int latest = 0;
	for (const struct embedded_file *f = embedded_files; f->name; f++)
		if (migration_number(f) > latest)
			latest = migration_number(f);
	return latest;
}

/* Applies embedded sql/NNN_*.sql files numbered above the current version. */
static int migrate(store *s, char *err, size_t errlen)
{
	for (const struct embedded_file *f = embedded_files; f->name; f++) {
		int n = migration_number(f);
		if (n <= s->version)
			continue;
		if (store_exec(s, "BEGIN IMMEDIATE") != 0)
			goto db_error;
		/* another crimetab may have migrated while this one waited */
		int now = pragma_int(s->db, "user_version", -1);
		if (now >= n) {
			store_exec(s, "ROLLBACK");
			s->version = now;
			continue;
		}
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", n);
		if (store_exec(s, f->data) != 0 || store_exec(s, pragma) != 0) {
			snprintf(err, errlen, "migration %s failed: %.400s", f->name, store_errmsg(s));
			store_exec(s, "ROLLBACK");
			return -1;
		}
		if (store_exec(s, "COMMIT") != 0)
			goto db_error;
		s->version = n;
	}
	return 0;
db_error:
	snprintf(err, errlen, "%s", store_errmsg(s));
	return -1;
}

/* Waits for another connection's lock, up to lock_wait seconds, saying so
 * on a terminal; gives up (SQLITE_BUSY) after that. */
static int on_busy(void *arg, int count)
{
	store *s = arg;
	double now = ct_now();
	if (count == 0)
		s->busy_since = now;
	double waited = now - s->busy_since;
	if (waited >= lock_wait) {
		s->gave_up = 1;
		if (s->waited)
			ct_transient(NULL);
		s->waited = 0;
		return 0;
	}
	if (waited >= 1) {
		ct_transient("waiting for another crimetab to finish writing %s (%.0f s; gives up after %g s)", s->path,
			     waited, lock_wait);
		s->waited = 1;
	}
	/* 1 ms at first, then up to 100 ms: a short lock is taken at once */
	double nap = count < 10 ? 0.001 : count < 30 ? 0.01 : 0.1;
	if (nap > lock_wait - waited)
		nap = lock_wait - waited;
	sqlite3_sleep((int)(nap * 1000) + 1);
	return 1;
}

/* Runs SQL, waiting like on_busy while another connection holds a lock:
 * SQLite calls no busy handler for the exclusive lock that changing the
 * journal mode takes, so a reader's short read would fail it at once. */
static int exec_waiting(store *s, const char *sql)
{
	for (int count = 0;; count++) {
		int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY || !on_busy(s, count))
			return -1;
	}
}

/* After the wait for a lock: the waiting line goes. */
static void busy_done(store *s)
{
	if (s->waited)
		ct_transient(NULL);
	s->waited = 0;
}

/* True if the database has tables (it is somebody's database). */
static int has_tables(sqlite3 *db)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return 1;
	int any = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return any;
}

/* Checks PATH before SQLite opens it: it must be a regular file, and exist
 * unless it may be created.  0, or the status with err set. */
static ct_status check_path(const char *path, int mode, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT && mode == STORE_CREATE)
			return CT_OK;
		if (errno == ENOENT)
			snprintf(err, errlen, "no database at %s (import something first, or give --db)", path);
		else
			snprintf(err, errlen, "%s: cannot open database: %s", path, strerror(errno));
		return CT_EDB;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a database file (it is %s)", path, ct_file_kind(st.st_mode));
		return CT_EDB;
	}
	return CT_OK;
}

static store *open_once(const char *path, int mode, ct_status *why, char *err, size_t errlen);

store *store_open(const char *path, int mode, char *err, size_t errlen)
{
	ct_status why;
	return store_open_status(path, mode, &why, err, errlen);
}

store *store_open_status(const char *path, int mode, ct_status *why, char *err, size_t errlen)
{
	*why = check_path(path, mode, err, errlen);
	if (*why != CT_OK)
		return NULL;
	store *s = open_once(path, mode, why, err, errlen);
	if (s && mode == STORE_READONLY && s->version < store_latest_version()) {
		/* made by an older crimetab: upgraded once, by whoever may write it */
		store_close(s);
		s = open_once(path, STORE_WRITE, why, err, errlen);
		if (!s) {
			char why_not[512];
			snprintf(why_not, sizeof why_not, "%s", err);
			snprintf(err, errlen, "%s: the database is from an older crimetab and must be upgraded once by "
					      "someone who may write it (any crimetab import does it): %s", path, why_not);
			return NULL;
		}
		store_close(s);
		s = open_once(path, mode, why, err, errlen);
	}
	return s;
}

static store *open_once(const char *path, int mode, ct_status *why, char *err, size_t errlen)
{
	/* no global allocation statistics: they take a lock on every allocation
	 * (refused, harmlessly, once SQLite is initialised) */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	store *s = xcalloc(1, sizeof *s);
	s->mode = mode;
	s->path = xstrdup(path);
	*why = CT_EDB;
	int flags = (mode == STORE_READONLY ? SQLITE_OPEN_READONLY
		     : SQLITE_OPEN_READWRITE | (mode == STORE_CREATE ? SQLITE_OPEN_CREATE : 0)) | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open database: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_handler(s->db, on_busy, s);
	s->rec = store_rec_new();
	if (store_rec_functions(s->db) != 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	/* the schema version is read before anything is written: a database
	 * from a newer crimetab is left exactly as it is */
	s->version = pragma_int(s->db, "user_version", -1);
	busy_done(s);
	if (s->version < 0) {
		int code = sqlite3_errcode(s->db);
		if (s->gave_up)
			snprintf(err, errlen, "%s: %s", path, store_errmsg(s));
		else if (code == SQLITE_NOTADB)
			snprintf(err, errlen, "%s: not a crimetab database (not an SQLite file)", path);
		else if (mode == STORE_READONLY && (code == SQLITE_CANTOPEN || code == SQLITE_READONLY))
			/* WAL mode: a reader must be able to create PATH-shm */
			snprintf(err, errlen, "%s: the database is in WAL mode (an import is running, or one stopped "
					      "before its end), and reading it then needs its folder to be writable by you "
					      "(%s): try again after the import, or run crimetab import on it once",
				 path, sqlite3_errmsg(s->db));
		else
			snprintf(err, errlen, "%s: cannot read the database: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	if (s->version > store_latest_version()) {
		snprintf(err, errlen, "%s: the database is from a newer crimetab (schema version %d; this crimetab "
				      "knows versions up to %d): use that crimetab, or upgrade this one", path, s->version,
			 store_latest_version());
		goto fail;
	}
	if (s->version == 0 && mode != STORE_CREATE) {
		snprintf(err, errlen, "%s: not a crimetab database (%s)", path,
			 has_tables(s->db) ? "it holds other tables" : "it is empty; import something first");
		goto fail;
	}
	if (s->version == 0 && has_tables(s->db)) {
		snprintf(err, errlen, "%s: not a crimetab database (it holds other tables): give another --db", path);
		goto fail;
	}
	/* An import writes a whole file's rows in one transaction: large pages
	 * (for a new database; an existing one keeps its own) take a quarter of
	 * the system calls of 16 KiB ones.  A 16 MiB cache holds what an import
	 * comes back to (the right edge of each B-tree, the cube, the sources)
	 * and most files' whole transaction; rows are appended and written once,
	 * so a larger cache only fills with fresh memory (64 MiB was 15% slower,
	 * 2 MiB spilled every file to the WAL and read it back).  A writer uses
	 * WAL, so that readers (the TUI) go on while it writes; store_close
	 * leaves the database in rollback mode again. */
	if (store_exec(s, "PRAGMA foreign_keys = ON") != 0 ||
	    (mode != STORE_READONLY &&
	     (store_exec(s, "PRAGMA page_size = 65536") != 0 || exec_waiting(s, "PRAGMA journal_mode = WAL") != 0 ||
	      store_exec(s, "PRAGMA synchronous = NORMAL") != 0 || store_exec(s, "PRAGMA cache_size = -16384") != 0))) {
		snprintf(err, errlen, "%s: %s", path, store_errmsg(s));
		busy_done(s);
		goto fail;
	}
	busy_done(s);
	char merr[512] = "";
	if (mode != STORE_READONLY && migrate(s, merr, sizeof merr) != 0) {
		busy_done(s);
		snprintf(err, errlen, "%s: %s", path, merr);
		goto fail;
	}
	busy_done(s);
	*why = CT_OK;
	return s;
fail:
	if (s->gave_up)
		*why = CT_EBUSY;
	if (s->mode != STORE_READONLY)
		s->mode = STORE_READONLY; /* nothing to leave as it was */
	store_close(s);
	return NULL;
}

void store_close(store *s)
{
	if (!s)
		return;
	store_bulk_end(s, NULL, 0);
	for (size_t i = 0; i < s->prep_cap; i++)
		sqlite3_finalize(s->prep[i].st);
	free(s->prep);
	store_rec_free(s->rec);
	/* Back to a rollback journal when no one else has the database open: a
	 * WAL database can only be read by someone who may create its -shm file
	 * beside it, a rollback one by anyone who may read it. */
	if (s->mode != STORE_READONLY && s->db && sqlite3_db_readonly(s->db, "main") == 0) {
		sqlite3_busy_handler(s->db, NULL, NULL);
		store_exec(s, "PRAGMA journal_mode = DELETE");
	}
	busy_done(s);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int store_begin(store *s)
{
	if (store_exec(s, "BEGIN IMMEDIATE") != 0)
		return -1;
	if (store_rec_begin(s) != 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

static void checkpoint_after_commit(store *s);

int store_commit(store *s)
{
	if (store_rec_flush(s) != 0 || store_exec(s, "COMMIT") != 0)
		return -1;
	store_rec_committed(s);
	if (s->ck)
		checkpoint_after_commit(s);
	return 0;
}

/* ---- checkpoints in the background during bulk imports ----
 *
 * In WAL mode a commit appends pages to the WAL, and a checkpoint later
 * copies them into the database file and syncs both: left to SQLite, the
 * committing thread does that itself every 1,000 pages and waits for the
 * disk, nearly a third of an import's time.  Between store_bulk_begin and
 * store_bulk_end a second connection, on its own thread, checkpoints (PASSIVE:
 * it never waits for, or blocks, the writer or any reader) after each commit
 * while the next file is stored.  What is durable, and when, is unchanged:
 * the same commits, the same synchronous = NORMAL.
 *
 * The WAL only starts again from its beginning when a write transaction
 * starts after everything in it was copied, which a writer that never pauses
 * would never see.  So when the WAL passes WAL_LIMIT bytes, the commit waits
 * for the running checkpoint and one more, and the next file starts a fresh
 * WAL: it stays under about WAL_LIMIT plus one file's transaction.  (Larger
 * limits, or checkpoints only every so many megabytes, were slower: what is
 * left to copy, sync and delete at the end grows with them.) */
#define WAL_LIMIT (64LL << 20)

struct checkpointer {
	sqlite3 *db; /* the checkpointing thread's own connection */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int wanted, running, quit;
	int frames;          /* frames in the WAL after the last commit */
	int page_size;
	long long wal_limit; /* bytes */
	int autocheckpoint;  /* the writer's own, restored at the end */
	int failed;          /* a checkpoint failed other than SQLITE_BUSY */
	char errmsg[256];
};

static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)db;
	(void)name;
	checkpointer *ck = arg;
	ck->frames = frames; /* the writer's thread only */
	return SQLITE_OK;
}

static void *checkpoint_thread(void *arg)
{
	checkpointer *ck = arg;
	pthread_mutex_lock(&ck->mu);
	for (;;) {
		while (!ck->wanted && !ck->quit)
			pthread_cond_wait(&ck->cv, &ck->mu);
		if (!ck->wanted)
			break;
		ck->wanted = 0;
		ck->running = 1;
		pthread_mutex_unlock(&ck->mu);
		int rc = sqlite3_wal_checkpoint_v2(ck->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&ck->mu);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY && !ck->failed) {
			ck->failed = 1;
			snprintf(ck->errmsg, sizeof ck->errmsg, "%s", sqlite3_errmsg(ck->db));
		}
		ck->running = 0;
		pthread_cond_broadcast(&ck->cv);
	}
	pthread_mutex_unlock(&ck->mu);
	return NULL;
}

/* Asks for a checkpoint; with WAIT, waits for the running one and this one. */
static void checkpoint_ask(checkpointer *ck, int wait)
{
	pthread_mutex_lock(&ck->mu);
	if (wait)
		while (ck->running || ck->wanted)
			pthread_cond_wait(&ck->cv, &ck->mu);
	ck->wanted = 1;
	pthread_cond_broadcast(&ck->cv);
	if (wait)
		while (ck->running || ck->wanted)
			pthread_cond_wait(&ck->cv, &ck->mu);
	pthread_mutex_unlock(&ck->mu);
}

/* After each commit: a checkpoint, now or when the running one ends. */
static void checkpoint_after_commit(store *s)
{
	checkpointer *ck = s->ck;
	checkpoint_ask(ck, (long long)ck->frames * ck->page_size >= ck->wal_limit);
}

/* True if DB is a WAL database (a connection finds out when it first reads). */
static int is_wal(sqlite3 *db)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
		return 0;
	int wal = sqlite3_step(st) == SQLITE_ROW && strcmp(store_col_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	return wal;
}

void store_bulk_begin(store *s, long long wal_limit)
{
	if (s->bulk)
		return;
	s->bulk = 1;
	/* An import inserts only rows whose parents it has just written or read
	 * (its source, its crimes, areas read at the start) and deletes the
	 * areas of the crimes it supersedes itself: checking each row's parents
	 * cost 7-8% of an import. */
	store_exec(s, "PRAGMA foreign_keys = OFF");
	const char *path = sqlite3_db_filename(s->db, "main");
	int page_size = pragma_int(s->db, "page_size", 0);
	/* two connections on two threads need a thread-safe SQLite; nothing to
	 * gain without a WAL: SQLite's own checkpoints stay */
	if (!sqlite3_threadsafe() || !is_wal(s->db) || !path || !*path || page_size <= 0 ||
	    sqlite3_db_readonly(s->db, "main") != 0)
		return;
	checkpointer *ck = xcalloc(1, sizeof *ck);
	ck->page_size = page_size;
	ck->autocheckpoint = pragma_int(s->db, "wal_autocheckpoint", 1000);
	ck->wal_limit = wal_limit > 0 ? wal_limit : WAL_LIMIT;
	if (sqlite3_open_v2(path, &ck->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(ck->db, 5000);
	if (!is_wal(ck->db))
		goto fail;
	pthread_mutex_init(&ck->mu, NULL);
	pthread_cond_init(&ck->cv, NULL);
	if (pthread_create(&ck->thread, NULL, checkpoint_thread, ck) != 0) {
		pthread_cond_destroy(&ck->cv);
		pthread_mutex_destroy(&ck->mu);
		goto fail;
	}
	/* replaces SQLite's automatic checkpoints for this connection */
	sqlite3_wal_hook(s->db, on_wal_commit, ck);
	s->ck = ck;
	return;
fail:
	sqlite3_close(ck->db);
	free(ck);
}

int store_bulk_end(store *s, char *err, size_t errlen)
{
	if (!s->bulk)
		return 0;
	s->bulk = 0;
	store_exec(s, "PRAGMA foreign_keys = ON");
	checkpointer *ck = s->ck;
	if (!ck)
		return 0;
	pthread_mutex_lock(&ck->mu);
	ck->quit = 1;
	pthread_cond_broadcast(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	pthread_join(ck->thread, NULL);
	pthread_cond_destroy(&ck->cv);
	pthread_mutex_destroy(&ck->mu);
	sqlite3_close(ck->db);
	s->ck = NULL;
	sqlite3_wal_autocheckpoint(s->db, ck->autocheckpoint);
	int failed = ck->failed;
	if (failed && err)
		snprintf(err, errlen, "background checkpoint: %s", ck->errmsg);
	free(ck);
	return failed ? -1 : 0;
}

void store_rollback(store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		store_exec(s, "ROLLBACK");
	store_rec_rolled_back(s);
}


int store_checkpoint(store *s)
{
	return sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) == SQLITE_OK ? 0 : -1;
}
