/* Which (force, month)s of a dataset have a file (see coverage.h). */
#include "stats/coverage.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static int kept(const stats_coverage *c, const char *force)
{
	if (!c->keep)
		return 1;
	for (size_t k = 0; k < c->nkeep; k++)
		if (strcmp(c->keep[k], force) == 0)
			return 1;
	return 0;
}

int stats_cov_add(void *ctx, const char *kind, const char *force, int month)
{
	stats_coverage *c = ctx;
	if (strcmp(kind, c->kind) != 0 || !kept(c, force))
		return 0;
	stats_force_cov *fc = c->n ? &c->f[c->n - 1] : NULL;
	if (!fc || strcmp(fc->force, force) != 0) {
		c->f = xrealloc(c->f, (c->n + 1) * sizeof *c->f);
		fc = &c->f[c->n++];
		memset(fc, 0, sizeof *fc);
		fc->force = xstrdup(force);
	}
	if (fc->n == fc->cap) {
		fc->cap = fc->cap ? 2 * fc->cap : 32;
		fc->months = xrealloc(fc->months, fc->cap * sizeof *fc->months);
	}
	fc->months[fc->n++] = month; /* rows arrive sorted by kind, force, month */
	return 0;
}

void stats_cov_free(stats_coverage *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->f[i].force);
		free(c->f[i].months);
	}
	free(c->f);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int stats_cov_has(const stats_force_cov *fc, int month)
{
	return bsearch(&month, fc->months, fc->n, sizeof *fc->months, cmp_int) != NULL;
}

int stats_cov_newest(const stats_coverage *c)
{
	int latest = -1;
	for (size_t i = 0; i < c->n; i++) {
		int last = c->f[i].months[c->f[i].n - 1];
		if (latest < 0 || last < latest)
			latest = last;
	}
	return latest;
}
