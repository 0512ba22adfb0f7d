/* crimetab facematch: runs a face-match plugin (in a child process) and
 * stores its sightings, pseudonymised and with their areas and provenance,
 * so reports can count distinct and repeat offenders; lists runs; purges. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "areas/areas.h"
#include "cli/cli.h"
#include "core/util.h"
#include "crimetab/facematch.h"
#include "plugin/fm_host.h"
#include "plugin/fm_privacy.h"

#define DEFAULT_TIMEOUT 600

static const char facematch_help[] =
	"usage: crimetab facematch run --plugin NAME|PATH [--config STRING|@FILE] [--from YYYY-MM]\n"
	"                              [--to YYYY-MM] [--timeout SECONDS] [--retain-months N]\n"
	"       crimetab facematch list\n"
	"       crimetab facematch purge --run N | --before YYYY-MM | --all\n"
	"\n"
	"run loads a face-match plugin: NAME is one installed in crimetab's plugin folder\n"
	"(PREFIX/lib/crimetab/plugins beside the binary, or build/plugins for build/crimetab;\n"
	"see crimetab templates), PATH any other (anything with a '/').  Nothing else is\n"
	"searched, and a plugin file or folder writable by other users is refused.  It runs\n"
	"in a child process, opened with the configuration STRING (or the contents of FILE),\n"
	"and the sightings it returns for the months FROM to TO (default: everything it has)\n"
	"are stored.  Months are those of UK time: a sighting at 23:30 UTC on 30 June counts\n"
	"in July.\n"
	"crimetab assigns each sighting to town centres itself (by the crime it names, or by\n"
	"its coordinates), and reports then gain an \"Offenders (face match)\" section:\n"
	"sightings, distinct offenders, repeat offenders (2 or more separate incidents in the\n"
	"window) and watchlist matches, for all matches and for those a person confirmed.\n"
	"\n"
	"A run covers the months FROM to TO, or without them the months of its first to its\n"
	"last sighting, and replaces what a plugin of the same name stored for those months\n"
	"(whatever its version or path).  Nothing is stored until the plugin has finished;\n"
	"the database is locked only for that one short transaction.  A plugin that fails,\n"
	"crashes, sends malformed data or runs longer than --timeout SECONDS (default 600;\n"
	"0: no limit) stores nothing.\n"
	"\n"
	"Keys are never stored as the plugin gives them, only as HMAC-SHA-256 with a secret\n"
	"kept beside the database in DB.fm-secret (mode 0600, made on first use), or taken\n"
	"from $CRIMETAB_FM_SECRET.  The plugin keeps what it needs to recognise people again\n"
	"from run to run in DB.fm-state/NAME/ (mode 0700).\n"
	"\n"
	"--retain-months N keeps sightings of the last N months (the current one included)\n"
	"and deletes older ones; it is remembered in the database and applied on every run\n"
	"(0 turns it off).  The plugin is told to forget the same faces.\n"
	"\n"
	"list shows the runs stored, with their provenance: plugin, version and file hash,\n"
	"months covered, sightings, the plugin's model, similarity and threshold, its gallery,\n"
	"options and the hashes of its inputs.\n"
	"\n"
	"purge deletes sightings for good (freed space is overwritten): those of run N, those\n"
	"of months before YYYY-MM (the plugin forgets them at its next run), or all of them\n"
	"together with the plugin state folder.  The faces run N came from stay in the\n"
	"plugin's state while other runs of it are stored (--before covering its months, or\n"
	"--all, erases them); with none left, its state folder goes too.\n"
	"\n"
	"The reference plugin, facematch-embeddings, matches face embeddings from a JSON\n"
	"Lines file:  --plugin facematch-embeddings\n"
	"             --config 'sightings=FILE;watchlist=FILE;threshold=0.6'\n"
	"\n"
	"Exit status 3 here is also an unusable secret or state folder, and 8 a plugin that\n"
	"was refused, crashed, hung, sent malformed data or failed.\n";

/* One sighting held in memory until the plugin has finished. */
typedef struct pending {
	long long time;
	int month, has_coords, watchlist, confirmed;
	double lon, lat, confidence;
	char *crime_id, *site;
	unsigned char key[FM_KEY_LEN];
} pending;

typedef struct merge_rec {
	unsigned char from[FM_KEY_LEN], into[FM_KEY_LEN];
} merge_rec;

typedef struct collect {
	const fm_secret *secret;
	const fm_info *info; /* the plugin's name is known before any sighting */
	pending *p;
	size_t n, cap;
	merge_rec *m;
	size_t nm, capm;
} collect;

static int on_sighting(void *ctx, const fm_sighting *x)
{
	collect *c = ctx;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1024;
		c->p = xrealloc(c->p, c->cap * sizeof *c->p);
	}
	pending *p = &c->p[c->n++];
	memset(p, 0, sizeof *p);
	p->time = x->time;
	p->month = ct_uk_month(x->time); /* the month in Britain, as crimes are */
	p->has_coords = x->has_coords;
	p->lon = x->lon;
	p->lat = x->lat;
	p->confidence = x->confidence;
	p->watchlist = x->watchlist;
	p->confirmed = x->confirmed;
	p->crime_id = x->crime_id ? xstrdup(x->crime_id) : NULL;
	p->site = x->site_id ? xstrdup(x->site_id) : NULL;
	fm_key_hash(c->secret, c->info->name, x->individual_key, p->key);
	if (ct_verbosity >= 0 && c->n % 20000 == 0)
		ct_note("%zu sightings…", c->n);
	return 0;
}

static int on_merge(void *ctx, const char *from, const char *into)
{
	collect *c = ctx;
	if (c->nm == c->capm) {
		c->capm = c->capm ? 2 * c->capm : 64;
		c->m = xrealloc(c->m, c->capm * sizeof *c->m);
	}
	merge_rec *m = &c->m[c->nm++];
	fm_key_hash(c->secret, c->info->name, from, m->from);
	fm_key_hash(c->secret, c->info->name, into, m->into);
	return 0;
}

static void collect_free(collect *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->p[i].crime_id);
		free(c->p[i].site);
	}
	free(c->p);
	free(c->m);
}

static char *read_config(const char *arg)
{
	if (arg[0] != '@')
		return xstrdup(arg);
	char err[1024];
	char *text = ct_read_file(arg + 1, err, sizeof err);
	if (!text)
		ct_error("%s", err);
	return text;
}

/* "YYYY-MM" of the first and last UK months of [from, to); "start"/"end"
 * for an open end. */
static void period_text(long long from, long long to, char a[16], char b[16])
{
	if (from <= 0)
		snprintf(a, 16, "start");
	else
		ct_month_format(ct_uk_month(from), a);
	if (to >= INT64_MAX / 2)
		snprintf(b, 16, "end");
	else if (to <= from)
		snprintf(b, 16, "-");
	else
		ct_month_format(ct_uk_month(to - 1), b);
}

/* The first month retention keeps, or INT_MIN when it keeps every month. */
static int retention_start(int retain)
{
	return retain > 0 ? ct_uk_month((long long)time(NULL)) - retain + 1 : INT_MIN;
}

typedef struct run_opts {
	const char *db, *plugin, *config; /* plugin: a path */
	int from_m, to_m; /* -1 when not given */
	int timeout;
	int retain; /* -1 when not given */
} run_opts;

/* Sightings of months before KEEP_FROM are not stored: retention applies to
 * what arrives as much as to what is kept. */
static size_t drop_expired(collect *c, int keep_from)
{
	size_t kept = 0, dropped = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->p[i].month < keep_from) {
			free(c->p[i].crime_id);
			free(c->p[i].site);
			dropped++;
		} else {
			c->p[kept++] = c->p[i];
		}
	}
	c->n = kept;
	return dropped;
}

/* Stores a finished run in one transaction: the run row (replacing the
 * same plugin's sightings in the period), its sightings and their areas,
 * the merges, retention.  Areas by coordinates are found before it starts. */
static int store_run(const run_opts *o, collect *c, const fm_info *info, long long from, long long to,
		     int retain, int keep_from, long long forget)
{
	char err[1024];
	int status = CT_OK;
	store *s = cli_open_store(o->db, STORE_WRITE, &status);
	if (!s)
		return status;
	area_set *areas = area_set_from_store(s, err, sizeof err);
	if (!areas) {
		ct_error("%s", err);
		status = store_status(s);
		store_close(s);
		return status;
	}
	size_t na = area_set_count(areas), *first = xcalloc(c->n + 1, sizeof *first);
	long long *ids = xcalloc(c->n * (na ? na : 1) + 1, sizeof *ids);
	for (size_t i = 0; i < c->n; i++) {
		const pending *p = &c->p[i];
		size_t k = p->has_coords && na ? area_set_match(areas, 1, p->lon, p->lat, NULL, NULL, ids + first[i], na)
					       : 0;
		first[i + 1] = first[i] + k;
	}

	char abi[16], a[16], b[16];
	snprintf(abi, sizeof abi, "%u.%u", info->abi_major, info->abi_minor);
	store_fm_run run = {
		.from = from,
		.to = to,
		.plugin = info->name,
		.version = info->version,
		.path = o->plugin,
		.plugin_sha256 = info->plugin_sha256,
		.abi = abi,
		.identity = info->identity == CRIMETAB_FM_IDENTITY_PERSISTENT ? "persistent" : "run",
		.model = info->model_name,
		.model_version = info->model_version,
		.similarity = info->similarity,
		.threshold = info->threshold,
		.gallery_name = info->gallery_name,
		.gallery_version = info->gallery_version,
		.gallery_hash = info->gallery_hash,
		.options = info->options,
		.inputs = info->inputs,
	};
	long long id, total = 0, expired = 0;
	if (store_begin(s) != 0 || (id = store_fm_run_begin(s, &run)) < 0)
		goto db_error;
	for (size_t i = 0; i < c->n; i++) {
		const pending *p = &c->p[i];
		store_sighting st = {
			.time = p->time,
			.month = p->month,
			.has_coords = p->has_coords,
			.lon = p->lon,
			.lat = p->lat,
			.crime_id = p->crime_id,
			.individual = p->key,
			.confidence = p->confidence,
			.watchlist = p->watchlist,
			.confirmed = p->confirmed,
			.site = p->site,
		};
		long long sid = store_fm_sighting_add(s, id, &st);
		if (sid < 0)
			goto db_error;
		for (size_t k = first[i]; k < first[i + 1]; k++)
			if (store_fm_sighting_area_add(s, sid, ids[k]) != 0)
				goto db_error;
	}
	/* In the order the plugin reported them, over this run's sightings and
	 * every earlier one of the same plugin alike. */
	for (size_t i = 0; i < c->nm; i++)
		if (store_fm_merge(s, info->name, c->m[i].from, c->m[i].into) != 0)
			goto db_error;
	if (store_fm_run_finish(s, id, &total) != 0)
		goto db_error;
	if (retain > 0 && store_fm_purge(s, 0, keep_from, &expired) != 0)
		goto db_error;
	if (o->retain >= 0 && store_fm_set_retention(s, o->retain) != 0)
		goto db_error;
	if (forget > INT64_MIN && store_fm_raise_forget(s, forget) != 0)
		goto db_error;
	if (store_commit(s) != 0)
		goto db_error;
	if (expired)
		total -= expired;
	period_text(from, to, a, b);
	ct_note("%s: %zu sightings stored from %s %s (run %lld, %s to %s)%s; %lld sightings in the database", o->plugin,
		c->n, info->name, info->version, id, a, b, c->nm ? ", identities merged" : "", total);
	if (expired)
		ct_note("retention (%d months): %lld sightings from before the limit deleted", retain, expired);
	if (expired && store_checkpoint(s) != 0)
		ct_warn("%s", store_errmsg(s));
	if (info->identity != CRIMETAB_FM_IDENTITY_PERSISTENT)
		ct_warn("%s %s does not promise keys that hold across runs: distinct and repeat counts over "
			"windows spanning several of its runs may count one person more than once",
			info->name, info->version);
	goto out;
db_error:
	store_rollback(s);
	ct_error("%s (nothing stored from this run)", store_errmsg(s));
	status = store_status(s);
out:
	free(first);
	free(ids);
	area_set_free(areas);
	store_close(s);
	return status;
}

static int fm_cmd_run(const run_opts *o)
{
	char err[1024];
	const char *db = store_default_path(o->db);
	int retain, status;
	long long forget;
	fm_secret secret;
	fm_info info = {0};
	collect c = {0};
	char *root = NULL;

	if (o->from_m >= 0 && o->to_m >= 0 && o->to_m < o->from_m)
		return cli_usage_error("facematch", "--to is before --from");
	char *cfg = read_config(o->config);
	if (!cfg)
		return CT_EIO;
	/* The policy is read, and the database made or migrated, before the
	 * plugin runs; it stays closed while the plugin works. */
	store *s = cli_open_store(o->db, STORE_WRITE, &status);
	if (!s) {
		free(cfg);
		return status;
	}
	if (store_fm_policy(s, &retain, &forget) != 0) {
		ct_error("%s", store_errmsg(s));
		status = store_status(s);
		store_close(s);
		free(cfg);
		return status;
	}
	store_close(s);
	if (o->retain >= 0)
		retain = o->retain;
	int keep_from = retention_start(retain);
	if (retain > 0 && ct_uk_month_start(keep_from) > forget)
		forget = ct_uk_month_start(keep_from);

	status = fm_secret_load(db, 1, &secret, err, sizeof err);
	if (status != CT_OK) {
		ct_error("%s", err);
		free(cfg);
		return status;
	}
	root = fm_state_root(db);
	status = fm_state_prepare(root, err, sizeof err);
	if (status != CT_OK) {
		ct_error("%s", err);
		goto out;
	}

	fm_request req = {
		.config = cfg,
		.from = o->from_m >= 0 ? ct_uk_month_start(o->from_m) : 0,
		.to = o->to_m >= 0 ? ct_uk_month_start(o->to_m + 1) : INT64_MAX / 2,
		.state_dir = root,
		.forget_before = forget,
		.timeout = o->timeout,
	};
	c.secret = &secret;
	c.info = &info;
	fm_callbacks cb = {.sighting = on_sighting, .merge = on_merge, .ctx = &c};
	int r = fm_run(o->plugin, &req, &cb, &info, err, sizeof err);
	if (r != 0) {
		ct_error("%s (nothing stored from this run)", err);
		status = r == CT_EUSAGE ? CT_EUSAGE : CT_EPLUGIN;
		goto out;
	}
	size_t dropped = retain > 0 ? drop_expired(&c, keep_from) : 0;
	if (dropped)
		ct_note("retention (%d months): %zu sightings from before the limit not stored", retain, dropped);

	/* The period the run covers: as asked, or its sightings' months. */
	long long from = req.from, to = req.to;
	if (o->from_m < 0 || o->to_m < 0) {
		int lo = INT_MAX, hi = INT_MIN;
		for (size_t i = 0; i < c.n; i++) {
			lo = c.p[i].month < lo ? c.p[i].month : lo;
			hi = c.p[i].month > hi ? c.p[i].month : hi;
		}
		if (o->from_m < 0)
			from = c.n ? ct_uk_month_start(lo) : 0;
		if (o->to_m < 0)
			to = c.n ? ct_uk_month_start(hi + 1) : from;
		if (to < from)
			to = from;
	}
	status = store_run(o, &c, &info, from, to, retain, keep_from, forget);
out:
	fm_secret_clear(&secret);
	fm_info_clear(&info);
	collect_free(&c);
	free(root);
	free(cfg);
	return status;
}

int cli_fm_retention(store *s, int retain_months)
{
	int keep_from = retention_start(retain_months);
	long long expired = 0;
	if (store_begin(s) != 0 || (retain_months > 0 && store_fm_purge(s, 0, keep_from, &expired) != 0) ||
	    store_fm_set_retention(s, retain_months) != 0 ||
	    (retain_months > 0 && store_fm_raise_forget(s, ct_uk_month_start(keep_from)) != 0) || store_commit(s) != 0) {
		store_rollback(s);
		ct_error("%s", store_errmsg(s));
		return store_status(s);
	}
	if (expired) {
		ct_note("face-match retention (%d months): %lld sightings from before the limit deleted", retain_months,
			expired);
		if (store_checkpoint(s) != 0)
			ct_warn("%s", store_errmsg(s));
	}
	return CT_OK;
}

/* ---- list ---- */

/* A field of the listing: tabs and newlines would break its columns. */
static void put_field(const char *s)
{
	putchar('\t');
	if (!s || !*s) {
		putchar('-');
		return;
	}
	for (; *s; s++)
		putchar(*s == '\t' ? ' ' : *s == '\n' ? ';' : *s);
}

static int print_run(void *ctx, const store_fm_run *r)
{
	(void)ctx;
	char a[16], b[16], thr[32] = "";
	period_text(r->from, r->to, a, b);
	if (!isnan(r->threshold))
		snprintf(thr, sizeof thr, "%g", r->threshold);
	printf("%lld", r->id);
	put_field(r->plugin);
	put_field(r->version);
	put_field(a);
	put_field(b);
	printf("\t%lld\t%lld", r->sightings, r->confirmed);
	put_field(r->run_at);
	put_field(r->identity);
	put_field(r->abi);
	strbuf m = {0};
	if (r->model)
		sb_printf(&m, "%s%s%s", r->model, r->model_version ? " " : "", r->model_version ? r->model_version : "");
	put_field(m.buf);
	sb_release(&m);
	put_field(r->similarity);
	put_field(thr);
	strbuf g = {0};
	if (r->gallery_name)
		sb_printf(&g, "%s%s%s%s%s", r->gallery_name, r->gallery_version ? " " : "",
			  r->gallery_version ? r->gallery_version : "", r->gallery_hash ? " " : "",
			  r->gallery_hash ? r->gallery_hash : "");
	put_field(g.buf);
	sb_release(&g);
	put_field(r->options);
	put_field(r->plugin_sha256);
	put_field(r->inputs);
	put_field(r->path);
	putchar('\n');
	return 0;
}

static int fm_cmd_list(const char *db)
{
	int status;
	store *s = cli_open_store(db, STORE_READONLY, &status);
	if (!s)
		return status;
	printf("id\tplugin\tversion\tfrom\tto\tsightings\tconfirmed\trun_at\tidentity\tabi\tmodel\tsimilarity\t"
	       "threshold\tgallery\toptions\tplugin_sha256\tinputs\tpath\n");
	int rc = store_fm_runs_each(s, print_run, NULL);
	if (rc)
		ct_error("%s", store_errmsg(s));
	status = rc ? store_status(s) : CT_OK;
	store_close(s);
	return status;
}

/* ---- purge ---- */

/* The plugin of run WANT (a first pass), then how many other runs of it
 * hold sightings (a second). */
typedef struct run_owner {
	long long want;
	char *plugin; /* of run WANT, or NULL */
	int others;
} run_owner;

static int find_owner(void *ctx, const store_fm_run *r)
{
	run_owner *o = ctx;
	if (r->id == o->want && r->plugin && !o->plugin)
		o->plugin = xstrdup(r->plugin);
	return 0;
}

static int count_others(void *ctx, const store_fm_run *r)
{
	run_owner *o = ctx;
	o->others += r->id != o->want && r->sightings > 0 && r->plugin && strcmp(r->plugin, o->plugin) == 0;
	return 0;
}

/* After run N of PLUGIN was purged: the faces it came from are in the
 * plugin's state.  With no run of the plugin left, the state keys nothing
 * the database holds, so it goes; else it stays, and the person is told
 * what will erase it.  A CT status. */
static int purge_run_state(const char *db, long long run, const char *plugin, int others)
{
	char err[1024];
	char *root = fm_state_root(db);
	int rc = CT_OK;
	if (others) {
		ct_note("the plugin %s keeps the faces of run %lld in its state (%s/%s/) for its other runs: purge "
			"--before YYYY-MM covering the run's months makes it forget them at its next run, and purge "
			"--all erases the state",
			plugin, run, root, plugin);
	} else {
		int gone = fm_state_remove_plugin(root, plugin, err, sizeof err);
		if (gone == 0) {
			ct_note("no run of %s is left: its plugin state (%s/%s/) deleted", plugin, root, plugin);
		} else if (gone > 0) {
			ct_warn("no run of %s is left, but a run of it is under way and will store sightings its state "
				"keys, so the state (%s/%s/) stays", plugin, root, plugin);
		} else {
			ct_error("%s", err);
			rc = CT_EIO;
		}
	}
	free(root);
	return rc;
}

static int fm_cmd_purge(const char *dbarg, long long run, int before, int all)
{
	char err[1024];
	const char *db = store_default_path(dbarg);
	int status;
	store *s = cli_open_store(dbarg, STORE_WRITE, &status);
	if (!s)
		return status;
	long long deleted = 0;
	run_owner owner = {.want = run};
	if (store_begin(s) != 0 || (run > 0 && store_fm_runs_each(s, find_owner, &owner) != 0) ||
	    (owner.plugin && store_fm_runs_each(s, count_others, &owner) != 0) ||
	    store_fm_purge(s, run, all ? -1 : before, &deleted) != 0 ||
	    (before >= 0 && store_fm_raise_forget(s, ct_uk_month_start(before)) != 0) || store_commit(s) != 0) {
		store_rollback(s);
		ct_error("%s", store_errmsg(s));
		status = store_status(s);
		store_close(s);
		free(owner.plugin);
		return status;
	}
	if (store_checkpoint(s) != 0)
		ct_warn("%s: %s", db, store_errmsg(s));
	store_close(s);
	if (run > 0 && deleted == 0)
		ct_note("run %lld: nothing stored (see crimetab facematch list)", run);
	ct_note("%lld sightings deleted", deleted);
	if (owner.plugin) {
		int rc = purge_run_state(db, run, owner.plugin, owner.others);
		free(owner.plugin);
		if (rc != CT_OK)
			return rc;
	}
	if (all) {
		char *root = fm_state_root(db);
		int rc = fm_state_remove(root, err, sizeof err);
		free(root);
		if (rc != 0) {
			ct_error("%s", err);
			return CT_EIO;
		}
		ct_note("plugin state deleted");
	}
	return CT_OK;
}

int cmd_facematch(int argc, char **argv)
{
	const char *plugin = NULL, *config = "";
	int from_m = -1, to_m = -1, purge_before = -1, purge_all = 0;
	long long timeout = DEFAULT_TIMEOUT, retain = -1, purge_run = -1;
	const cli_opt opts[] = {
		CLI_STRING("plugin", 'p', &plugin),
		CLI_STRING("config", 'c', &config),
		CLI_MONTH("from", 'f', &from_m),
		CLI_MONTH("to", 't', &to_m),
		CLI_NUMBER("timeout", 0, &timeout),
		CLI_NUMBER("retain-months", 0, &retain),
		CLI_NUMBER("run", 0, &purge_run),
		CLI_MONTH("before", 0, &purge_before),
		CLI_FLAG("all", 0, &purge_all),
		CLI_END,
	};
	int first, prc = cli_parse("facematch", facematch_help, opts, argc, argv, &first);
	if (prc != CLI_CONTINUE)
		return prc;
	/* options may come before or after the verb */
	const char *verb = first < argc ? argv[first++] : NULL;
	if (!verb || (strcmp(verb, "run") != 0 && strcmp(verb, "list") != 0 && strcmp(verb, "purge") != 0))
		return cli_usage_error("facematch", "give run, list or purge");
	if (first < argc)
		return cli_usage_error("facematch", "unexpected argument \"%s\"", argv[first]);
	if (strcmp(verb, "list") == 0)
		return fm_cmd_list(cli_global.db);
	if (strcmp(verb, "purge") == 0) {
		if ((purge_run >= 0) + (purge_before >= 0) + purge_all != 1)
			return cli_usage_error("facematch", "purge needs exactly one of --run N, --before YYYY-MM, --all");
		if (purge_run == 0)
			return cli_usage_error("facematch", "--run: runs are numbered from 1 (see crimetab facematch list)");
		return fm_cmd_purge(cli_global.db, purge_run > 0 ? purge_run : 0, purge_before, purge_all);
	}
	if (purge_run >= 0 || purge_before >= 0 || purge_all)
		return cli_usage_error("facematch", "--run, --before and --all are for purge");
	if (!plugin)
		return cli_usage_error("facematch", "run needs --plugin NAME or --plugin PATH");
	if (timeout > 7 * 24 * 3600)
		return cli_usage_error("facematch", "--timeout: at most a week (%d seconds)", 7 * 24 * 3600);
	if (retain > 1200)
		return cli_usage_error("facematch", "--retain-months: at most 1200");
	char *path = cli_plugin_path(plugin);
	if (!path)
		return CT_EPLUGIN;
	run_opts o = {.db = cli_global.db, .plugin = path, .config = config, .from_m = from_m, .to_m = to_m,
		      .timeout = (int)timeout, .retain = (int)retain};
	int rc = fm_cmd_run(&o);
	free(path);
	return rc;
}
