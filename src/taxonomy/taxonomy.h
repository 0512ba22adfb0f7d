/* Report hierarchies: a template maps source categories (police.uk crime
 * types, force offence names or codes) onto rows; unmapped ones go to Unknown. */
#ifndef CRIMETAB_TAXONOMY_H
#define CRIMETAB_TAXONOMY_H

#include <stddef.h>

typedef struct taxonomy taxonomy;

typedef struct tax_node {
	const char *label;
	int parent;        /* index of the parent, -1 at the top */
	int depth;         /* 0 at the top */
	int leaf;          /* has no children */
	int outside_total; /* a top-level row not added into Total (anti-social behaviour) */
	int unknown;       /* the Unknown row */
	const char *note;  /* what an approximate row stands for, or NULL */
} tax_node;

/* Loads a template: a built-in name ("home-office", "police-uk") or a file. */
taxonomy *tax_load(const char *name_or_path, char *err, size_t errlen);
/* Parses template TEXT read from PATH (for messages). */
taxonomy *tax_parse(const char *path, const char *text, char *err, size_t errlen);
void tax_free(taxonomy *t);

const char *tax_name(const taxonomy *t);
/* The dataset the template is written for ("force", "street"), or NULL. */
const char *tax_dataset(const taxonomy *t);
/* True when the template fixes the row order (no sorting by count). */
int tax_fixed_order(const taxonomy *t);
/* Nodes in pre-order (parents before children); the last is Unknown. */
size_t tax_count(const taxonomy *t);
const tax_node *tax_node_at(const taxonomy *t, size_t i);
/* The leaf a source category maps to (trimmed, case-insensitive), else Unknown. */
size_t tax_classify(const taxonomy *t, const char *category);

#endif
