/* Taxonomy templates (JSON) and category classification by sorted lookup. */
#include "taxonomy/taxonomy.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/embedded.h"
#include "core/util.h"

typedef struct tax_key {
	char *key; /* trimmed */
	size_t leaf;
} tax_key;

struct taxonomy {
	char *name, *dataset;
	int fixed;
	tax_node *nodes;
	size_t n, cap;
	tax_key *keys;
	size_t nkeys, keycap;
	char **strings; /* owned labels and notes */
	size_t nstrings;
};

static const char *own(taxonomy *t, const char *s)
{
	t->strings = xrealloc(t->strings, (t->nstrings + 1) * sizeof *t->strings);
	return t->strings[t->nstrings++] = xstrdup(s);
}

void tax_free(taxonomy *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nstrings; i++)
		free(t->strings[i]);
	for (size_t i = 0; i < t->nkeys; i++)
		free(t->keys[i].key);
	free(t->strings);
	free(t->keys);
	free(t->nodes);
	free(t->name);
	free(t->dataset);
	free(t);
}

static char *trimmed(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcasecmp(((const tax_key *)a)->key, ((const tax_key *)b)->key);
}

static size_t add_node(taxonomy *t, const char *label, int parent, int depth)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->nodes = xrealloc(t->nodes, t->cap * sizeof *t->nodes);
	}
	tax_node *nd = &t->nodes[t->n];
	memset(nd, 0, sizeof *nd);
	nd->label = own(t, label);
	nd->parent = parent;
	nd->depth = depth;
	nd->leaf = 1;
	return t->n++;
}

/* Adds ROWS (a JSON array) under PARENT, recursively. */
static int add_rows(taxonomy *t, const cJSON *rows, int parent, int depth, const char *path, char *err, size_t errlen)
{
	const cJSON *row;
	cJSON_ArrayForEach(row, rows)
	{
		const cJSON *label = cJSON_GetObjectItemCaseSensitive(row, "label");
		const cJSON *children = cJSON_GetObjectItemCaseSensitive(row, "children");
		const cJSON *match = cJSON_GetObjectItemCaseSensitive(row, "match");
		const cJSON *note = cJSON_GetObjectItemCaseSensitive(row, "approximation");
		const cJSON *outside = cJSON_GetObjectItemCaseSensitive(row, "outside_total");
		if (!cJSON_IsString(label) || !*label->valuestring) {
			snprintf(err, errlen, "%s: a row has no \"label\"", path);
			return -1;
		}
		if (!children == !match) {
			snprintf(err, errlen, "%s: row \"%s\" needs exactly one of \"children\" or \"match\"", path,
				 label->valuestring);
			return -1;
		}
		if (outside && depth != 0) {
			snprintf(err, errlen, "%s: row \"%s\": only top-level rows can be \"outside_total\"", path,
				 label->valuestring);
			return -1;
		}
		size_t idx = add_node(t, label->valuestring, parent, depth);
		t->nodes[idx].outside_total = cJSON_IsTrue(outside);
		if (cJSON_IsString(note))
			t->nodes[idx].note = own(t, note->valuestring);
		if (parent >= 0)
			t->nodes[parent].leaf = 0;
		if (children) {
			if (!cJSON_IsArray(children) || cJSON_GetArraySize(children) == 0) {
				snprintf(err, errlen, "%s: row \"%s\": \"children\" must be a non-empty array", path,
					 label->valuestring);
				return -1;
			}
			if (add_rows(t, children, (int)idx, depth + 1, path, err, errlen) != 0)
				return -1;
			continue;
		}
		if (!cJSON_IsArray(match)) {
			snprintf(err, errlen, "%s: row \"%s\": \"match\" must be an array of category names", path,
				 label->valuestring);
			return -1;
		}
		const cJSON *m;
		cJSON_ArrayForEach(m, match)
		{
			if (!cJSON_IsString(m)) {
				snprintf(err, errlen, "%s: row \"%s\": \"match\" items must be strings", path,
					 label->valuestring);
				return -1;
			}
			if (t->nkeys == t->keycap) {
				t->keycap = t->keycap ? 2 * t->keycap : 64;
				t->keys = xrealloc(t->keys, t->keycap * sizeof *t->keys);
			}
			t->keys[t->nkeys].key = trimmed(m->valuestring);
			t->keys[t->nkeys++].leaf = idx;
		}
	}
	return 0;
}

taxonomy *tax_parse(const char *path, const char *text, char *err, size_t errlen)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithOpts(text, &end, 0);
	if (!j) {
		snprintf(err, errlen, "%s:%ld: not valid JSON", path, ct_line_at(text, end));
		return NULL;
	}
	taxonomy *t = xcalloc(1, sizeof *t);
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "taxonomy_version");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(j, "rows");
	const cJSON *order = cJSON_GetObjectItemCaseSensitive(j, "order");
	const cJSON *unknown = cJSON_GetObjectItemCaseSensitive(j, "unknown_label");
	const cJSON *dataset = cJSON_GetObjectItemCaseSensitive(j, "dataset");
	if (!cJSON_IsNumber(ver) || ver->valueint != 1) {
		snprintf(err, errlen, "%s: \"taxonomy_version\" must be 1", path);
		goto fail;
	}
	if (!cJSON_IsArray(rows) || cJSON_GetArraySize(rows) == 0) {
		snprintf(err, errlen, "%s: \"rows\" must be a non-empty array", path);
		goto fail;
	}
	if (order && (!cJSON_IsString(order) ||
		      (strcmp(order->valuestring, "count") != 0 && strcmp(order->valuestring, "fixed") != 0))) {
		snprintf(err, errlen, "%s: \"order\" must be \"count\" or \"fixed\"", path);
		goto fail;
	}
	if (dataset && (!cJSON_IsString(dataset) ||
			(strcmp(dataset->valuestring, "force") != 0 && strcmp(dataset->valuestring, "street") != 0))) {
		snprintf(err, errlen, "%s: \"dataset\" must be \"force\" or \"street\"", path);
		goto fail;
	}
	t->name = xstrdup(cJSON_IsString(name) ? name->valuestring : path);
	t->dataset = dataset ? xstrdup(dataset->valuestring) : NULL;
	t->fixed = order && strcmp(order->valuestring, "fixed") == 0;
	if (add_rows(t, rows, -1, 0, path, err, errlen) != 0)
		goto fail;
	size_t u = add_node(t, cJSON_IsString(unknown) ? unknown->valuestring : "Unknown", -1, 0);
	t->nodes[u].unknown = 1;
	qsort(t->keys, t->nkeys, sizeof *t->keys, cmp_keys);
	for (size_t i = 1; i < t->nkeys; i++)
		if (strcasecmp(t->keys[i - 1].key, t->keys[i].key) == 0) {
			snprintf(err, errlen, "%s: category \"%s\" is matched by two rows (\"%s\" and \"%s\")", path,
				 t->keys[i].key, t->nodes[t->keys[i - 1].leaf].label, t->nodes[t->keys[i].leaf].label);
			goto fail;
		}
	cJSON_Delete(j);
	return t;
fail:
	cJSON_Delete(j);
	tax_free(t);
	return NULL;
}

taxonomy *tax_load(const char *name_or_path, char *err, size_t errlen)
{
	char *text = ct_template_text("taxonomy", name_or_path, err, errlen);
	if (!text)
		return NULL;
	taxonomy *t = tax_parse(name_or_path, text, err, errlen);
	free(text);
	return t;
}

const char *tax_name(const taxonomy *t)
{
	return t->name;
}

const char *tax_dataset(const taxonomy *t)
{
	return t->dataset;
}

int tax_fixed_order(const taxonomy *t)
{
	return t->fixed;
}

size_t tax_count(const taxonomy *t)
{
	return t->n;
}

const tax_node *tax_node_at(const taxonomy *t, size_t i)
{
	return i < t->n ? &t->nodes[i] : NULL;
}

size_t tax_classify(const taxonomy *t, const char *category)
{
	char *k = trimmed(category ? category : "");
	tax_key probe = {k, 0};
	const tax_key *hit = bsearch(&probe, t->keys, t->nkeys, sizeof *t->keys, cmp_keys);
	free(k);
	return hit ? hit->leaf : t->n - 1;
}
