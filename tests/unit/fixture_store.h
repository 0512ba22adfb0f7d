/* Test helper for the stats and evaluate tests: a store in a temporary
 * folder with a taxonomy, areas and force exports loaded into it.  Include
 * it after <cmocka.h>.  A setup step that fails prints "setup: reason" and
 * returns -1, as cmocka's setups do. */
#ifndef CRIMETAB_FIXTURE_STORE_H
#define CRIMETAB_FIXTURE_STORE_H

#include <stdio.h>
#include <stdlib.h>

#include "areas/areas.h"
#include "import/import.h"
#include "store/store.h"
#include "taxonomy/taxonomy.h"
#include "tmpdir.h"

typedef struct store_fixture {
	char dir[64];
	store *s;
	taxonomy *t;
	imp_result r; /* what the last sfx_import did */
} store_fixture;

/* Writes TEXT to the file NAME in FX's folder; PATH receives its path. */
static inline void sfx_write(const store_fixture *fx, const char *name, const char *text, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", fx->dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* Loads AREAS (JSON), written to the file NAME, into FX's store. */
static inline int sfx_load_areas(store_fixture *fx, const char *name, const char *areas)
{
	char path[256], err[512] = "";
	size_t loaded;
	sfx_write(fx, name, areas, path, sizeof path);
	if (area_load_file(fx->s, path, &loaded, err, sizeof err) != 0) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	return 0;
}

/* Imports TEXT, a force export read with MAPPING (JSON), as the file NAME;
 * FX->r says what it did. */
static inline int sfx_import(store_fixture *fx, const char *mapping, const char *text, const char *name)
{
	char path[256], err[512] = "";
	sfx_write(fx, name, text, path, sizeof path);
	imp_mapping *m = imp_mapping_parse("mapping.json", mapping, err, sizeof err);
	area_set *set = area_set_from_store(fx->s, err, sizeof err);
	ct_status st = m && set ? imp_file(fx->s, set, path, m, &fx->r, err, sizeof err) : CT_EDATA;
	imp_mapping_free(m);
	area_set_free(set);
	if (st != CT_OK) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	return 0;
}

/* A cmocka setup's first step: *STATE becomes a fixture whose store is
 * test.db in a new folder /tmp/crimetab-test-NAME-XXXXXX, with the
 * taxonomy TAX_JSON and the areas AREAS (JSON) loaded. */
static inline int sfx_setup(void **state, const char *name, const char *tax_json, const char *areas)
{
	store_fixture *fx = calloc(1, sizeof *fx);
	char db[128], err[512] = "";
	if (!fx)
		return -1;
	*state = fx;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/crimetab-test-%s-XXXXXX", name);
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(db, sizeof db, "%s/test.db", fx->dir);
	fx->s = store_open(db, 0, err, sizeof err);
	fx->t = tax_parse("mini.json", tax_json, err, sizeof err);
	if (!fx->s || !fx->t) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	return sfx_load_areas(fx, "areas.json", areas);
}

/* The cmocka teardown: the store, the taxonomy and the folder go. */
static inline int sfx_teardown(void **state)
{
	store_fixture *fx = *state;
	if (!fx)
		return 0;
	tax_free(fx->t);
	store_close(fx->s);
	if (fx->dir[0])
		rm_tree(fx->dir);
	free(fx);
	return 0;
}

#endif
