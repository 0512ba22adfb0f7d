/* Which (force, month)s of a dataset have a file, as the store's coverage
 * rows say: what the completeness of report figures and of evaluations is
 * worked out from.  Internal to stats/. */
#ifndef CRIMETAB_STATS_COVERAGE_H
#define CRIMETAB_STATS_COVERAGE_H

#include <stddef.h>

typedef struct stats_force_cov {
	char *force;
	int *months; /* ascending */
	size_t n, cap;
} stats_force_cov;

typedef struct stats_coverage {
	const char *kind;   /* the dataset read: "street", "force", ... */
	char *const *keep;  /* only these forces; NULL: every force */
	size_t nkeep;
	stats_force_cov *f; /* by force, in the store's order */
	size_t n;
} stats_coverage;

/* A store_coverage_each callback (CTX a stats_coverage *): adds a row of
 * C's kind and, with a keep list, of a force on it.  Rows must come sorted
 * by kind, force and month. */
int stats_cov_add(void *ctx, const char *kind, const char *force, int month);
void stats_cov_free(stats_coverage *c);
/* True if force FC has a file for MONTH. */
int stats_cov_has(const stats_force_cov *fc, int month);
/* The latest month every force of C has a file for, or -1. */
int stats_cov_newest(const stats_coverage *c);

#endif
