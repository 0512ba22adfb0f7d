/* What the files of src/store/ share and nothing else sees: the handle's
 * connection, and each part's hooks into opening, transactions and closing. */
#ifndef CRIMETAB_STORE_INT_H
#define CRIMETAB_STORE_INT_H

#include <sqlite3.h>

#include "store/store.h"

sqlite3 *store_sqlite(const store *s);

/* records.c: stored rows, texts, crime-ID runs (see store.h) */
typedef struct store_rec store_rec;
store_rec *store_rec_of(const store *s);
store_rec *store_rec_new(sqlite3 *db);
void store_rec_free(store_rec *r);
/* Defines the SQL functions sql/020_compact.sql converts old rows with. */
int store_rec_functions(sqlite3 *db);
/* A transaction began: the texts copy catches up with the table. */
int store_rec_begin(store_rec *r);
/* Before COMMIT: the crime-ID runs of the rows added are written. */
int store_rec_flush(store_rec *r);
/* After COMMIT / ROLLBACK: what was added is kept / forgotten. */
void store_rec_committed(store_rec *r);
void store_rec_rolled_back(store_rec *r);

#endif
