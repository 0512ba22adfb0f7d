/* The evaluation model's lifetime, its verdict in plain words, and its two
 * renderings: Markdown for a committee paper and JSON for pipelines. */
#include "report/evaluation.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "report/model.h"
#include "report/sigfmt.h"

const char *const rep_ev_role_label[REP_EV_ROLES] = {"Treated", "Control", "Buffer around treated",
						     "Buffer around control"};
static const char *const role_key[REP_EV_ROLES] = {"treated", "control", "treated_buffer", "control_buffer"};

static void test_free(rep_ev_test *t)
{
	for (int g = 0; g < REP_EV_ROLES; g++)
		free(t->group[g].name);
	free(t->untested);
}

void rep_eval_free(rep_eval *e)
{
	if (!e)
		return;
	free(e->category);
	free(e->category_path);
	free(e->taxonomy);
	free(e->dataset);
	test_free(&e->crimes);
	test_free(&e->offenders);
	free(e->offenders_source);
	for (size_t i = 0; i < e->nnotes; i++)
		free(e->notes[i]);
	free(e->notes);
	for (size_t i = 0; i < e->nwarnings; i++)
		free(e->warnings[i]);
	free(e->warnings);
	free(e);
}

static void push_line(char ***lines, size_t *n, const char *text)
{
	*lines = xrealloc(*lines, (*n + 1) * sizeof **lines);
	(*lines)[(*n)++] = xstrdup(text);
}

void rep_eval_note(rep_eval *e, const char *text)
{
	push_line(&e->notes, &e->nnotes, text);
}

void rep_eval_warn(rep_eval *e, const char *text)
{
	push_line(&e->warnings, &e->nwarnings, text);
}

void rep_fmt_estimate(double v, char *buf, size_t len)
{
	if (fabs(v - round(v)) < 1e-9)
		snprintf(buf, len, "%.0f", round(v) + 0.0);
	else
		snprintf(buf, len, "%.1f", round(v * 10) / 10 + 0.0);
}

void rep_ev_format(const rep_eval *e, const rep_ev_test *t, rep_ev_text *out)
{
	rep_fmt_estimate(t->local, out->local, sizeof out->local);
	rep_fmt_estimate(t->displace, out->displace, sizeof out->displace);
	rep_fmt_estimate(t->est, out->est, sizeof out->est);
	snprintf(out->se, sizeof out->se, "%.1f", t->se);
	snprintf(out->lo, sizeof out->lo, "%.1f", t->lo);
	snprintf(out->hi, sizeof out->hi, "%.1f", t->hi);
	snprintf(out->z, sizeof out->z, "%.2f", t->z + 0.0);
	rep_fmt_p(t->p, out->p, sizeof out->p);
	out->level = (int)lround((1 - e->alpha) * 100);
}

static int months_between(int from, int to)
{
	return to - from + 1;
}

/* "Shoplifting", or "Recorded crime" for the Total. */
static const char *subject(const rep_eval *e, const char *what)
{
	if (what)
		return what;
	return strcmp(e->category, "Total") == 0 ? "Recorded crime" : e->category;
}

char *rep_eval_verdict(const rep_eval *e, const rep_ev_test *t, const char *what)
{
	what = subject(e, what);
	if (!t->tested)
		return xasprintf("Not tested: %s.", t->untested ? t->untested : "no test could be made");
	const char *ta = strstr(t->group[REP_EV_TREATED].name, " + ") ? "the treated areas" : "the treated area";
	const char *ca = strstr(t->group[REP_EV_CONTROL].name, " + ") ? "the control areas'" : "the control area's";
	char est[32], lo[32], hi[32], p[32];
	int level = (int)lround((1 - e->alpha) * 100);
	int post = months_between(e->post_from, e->post_to);
	const char *way = t->est < 0 ? "lower" : "higher";
	rep_fmt_p_stmt(t->p, p, sizeof p);
	rep_fmt_estimate(fabs(t->est), est, sizeof est);
	if (!t->significant) {
		snprintf(lo, sizeof lo, "%.1f", t->lo);
		snprintf(hi, sizeof hi, "%.1f", t->hi);
		char *head = t->est == 0 ? xasprintf("%s in %s was in line with %s trend over the %d months after", what,
						     ta, ca, post)
					 : xasprintf("%s in %s was %s %s than %s trend predicts over the %d months after",
						     what, ta, est, way, ca, post);
		char *v = xasprintf("%s (WDD %s%s; %d%% interval %s to %s; %s). A difference this size is within "
				    "normal variation: these figures give no evidence that the intervention changed it.",
				    head, t->est < 0 ? "-" : "", est, level, lo, hi, p);
		free(head);
		return v;
	}
	/* the interval as a range of the same direction: "40.4 to 195.6 lower" */
	snprintf(lo, sizeof lo, "%.1f", fmin(fabs(t->lo), fabs(t->hi)));
	snprintf(hi, sizeof hi, "%.1f", fmax(fabs(t->lo), fabs(t->hi)));
	return xasprintf("%s in %s was about %s %s than %s trend predicts over the %d months after (%d%% interval "
			 "%s to %s %s). A difference this large would arise by chance less than %g%% of the time "
			 "(%s). It shows that %s changed differently from the control, not by itself that the "
			 "intervention caused it.",
			 what, ta, est, way, ca, post, level, lo, hi, way, e->alpha * 100, p, ta);
}

/* ---- Markdown ---- */

static void md_period(FILE *out, const char *label, int from, int to)
{
	char a[16], b[16];
	ct_month_long(from, a, sizeof a);
	ct_month_long(to, b, sizeof b);
	int n = months_between(from, to);
	if (from == to)
		fprintf(out, "- %s: %s (1 month)\n", label, a);
	else
		fprintf(out, "- %s: %s to %s (%d months)\n", label, a, b, n);
}

static void md_test(const rep_eval *e, const rep_ev_test *t, const char *what, FILE *out)
{
	int pre = months_between(e->pre_from, e->pre_to), post = months_between(e->post_from, e->post_to);
	int scaled = pre != post;
	fprintf(out, "| Group | Areas | Before |%s After | Change |\n", scaled ? " Before, per post period |" : "");
	fprintf(out, "|:---|:---|---:|%s---:|---:|\n", scaled ? "---:|" : "");
	for (int g = 0; g < REP_EV_ROLES; g++) {
		const rep_ev_group *gr = &t->group[g];
		if (!gr->present)
			continue;
		char sc[32], ch[32];
		rep_fmt_estimate(gr->pre_scaled, sc, sizeof sc);
		rep_fmt_estimate(gr->change, ch, sizeof ch);
		fprintf(out, "| %s | %s | %lld |", rep_ev_role_label[g], gr->name, gr->pre);
		if (scaled)
			fprintf(out, " %s |", sc);
		fprintf(out, " %lld | %s |\n", gr->post, ch);
	}
	fprintf(out, "\n");
	if (t->tested) {
		rep_ev_text x;
		rep_ev_format(e, t, &x);
		int buffers = t->group[REP_EV_TREATED_BUFFER].present;
		fprintf(out, "| Figure | Value |\n|:---|---:|\n");
		fprintf(out, "| Local difference: treated change minus control change | %s |\n", x.local);
		if (buffers)
			fprintf(out, "| Displacement: change around treated minus change around control | %s |\n", x.displace);
		fprintf(out, "| **WDD**%s | **%s** |\n", buffers ? " (local + displacement)" : "", x.est);
		fprintf(out, "| Standard error | %s |\n", x.se);
		fprintf(out, "| %d%% interval | %s to %s |\n", x.level, x.lo, x.hi);
		fprintf(out, "| z | %s |\n", x.z);
		fprintf(out, "| p (two-sided) | %s |\n\n", x.p);
	}
	char *verdict = rep_eval_verdict(e, t, what);
	fprintf(out, "**Verdict.** %s\n\n", verdict);
	free(verdict);
}

int rep_write_eval_markdown(const rep_eval *e, FILE *out)
{
	const rep_ev_test *t = &e->crimes;
	char start[16];
	ct_month_long(e->start, start, sizeof start);
	fprintf(out, "# Did it work? %s: %s against %s\n\n", subject(e, NULL), t->group[REP_EV_TREATED].name,
		t->group[REP_EV_CONTROL].name);
	fprintf(out, "Weighted Displacement Difference test (Wheeler and Ratcliffe 2018) on the %s, %s "
		     "categories (%s).\n\n",
		rep_dataset_label(e->dataset), e->taxonomy,
		e->category_path);
	fprintf(out, "- Intervention from: %s\n", start);
	md_period(out, "Before", e->pre_from, e->pre_to);
	md_period(out, "After", e->post_from, e->post_to);
	if (e->post_from > e->start)
		md_period(out, "Left out (settling in)", e->start, e->post_from - 1);
	if (e->buffer_m > 0)
		fprintf(out, "- Displacement buffers: %g m around each area\n", e->buffer_m);
	fprintf(out, "\n");
	md_test(e, t, NULL, out);
	if (e->has_offenders) {
		fprintf(out, "## Distinct offenders (face match)\n\n");
		if (e->offenders_source)
			fprintf(out, "Individuals seen by %s, whatever the crime.\n\n", e->offenders_source);
		md_test(e, &e->offenders, "The number of distinct offenders", out);
	}
	if (e->nnotes) {
		fprintf(out, "Notes:\n\n");
		for (size_t i = 0; i < e->nnotes; i++)
			fprintf(out, "- %s\n", e->notes[i]);
		fprintf(out, "\n");
	}
	for (size_t i = 0; i < e->nwarnings; i++)
		fprintf(out, "> **Warning:** %s\n\n", e->warnings[i]);
	fprintf(out, "The test compares the change in the treated area with the change in the control area over "
		     "the same months, counts as Poisson variation, and cannot tell the intervention from anything "
		     "else that changed there at the same time. A place chosen because its crime was unusually high "
		     "tends to fall back anyway (regression to the mean), and the answer is only as good as the "
		     "control is alike. docs/statistics.md explains each figure.\n");
	return ferror(out) ? -1 : 0;
}

/* ---- JSON ---- */

typedef struct jctx {
	int oom;
} jctx;

static void add(jctx *j, cJSON *parent, const char *key, cJSON *item)
{
	if (!item || !cJSON_AddItemToObject(parent, key, item)) {
		cJSON_Delete(item);
		j->oom = 1;
	}
}

static void push(jctx *j, cJSON *array, cJSON *item)
{
	if (!item || !cJSON_AddItemToArray(array, item)) {
		cJSON_Delete(item);
		j->oom = 1;
	}
}

static cJSON *num_if(int have, double v)
{
	return have && isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static cJSON *period_json(jctx *j, int from, int to)
{
	cJSON *o = cJSON_CreateObject();
	char a[8], b[8];
	ct_month_format(from, a);
	ct_month_format(to, b);
	add(j, o, "from", cJSON_CreateString(a));
	add(j, o, "to", cJSON_CreateString(b));
	add(j, o, "months", cJSON_CreateNumber(months_between(from, to)));
	return o;
}

static cJSON *test_json(jctx *j, const rep_eval *e, const rep_ev_test *t, const char *what)
{
	cJSON *o = cJSON_CreateObject(), *groups = cJSON_CreateArray();
	for (int g = 0; groups && g < REP_EV_ROLES; g++) {
		const rep_ev_group *gr = &t->group[g];
		if (!gr->present)
			continue;
		cJSON *go = cJSON_CreateObject();
		add(j, go, "role", cJSON_CreateString(role_key[g]));
		add(j, go, "areas", cJSON_CreateString(gr->name));
		add(j, go, "before", cJSON_CreateNumber((double)gr->pre));
		add(j, go, "after", cJSON_CreateNumber((double)gr->post));
		add(j, go, "before_per_post_period", cJSON_CreateNumber(gr->pre_scaled));
		add(j, go, "change", cJSON_CreateNumber(gr->change));
		push(j, groups, go);
	}
	add(j, o, "groups", groups);
	add(j, o, "tested", cJSON_CreateBool(t->tested));
	add(j, o, "untested", t->tested || !t->untested ? cJSON_CreateNull() : cJSON_CreateString(t->untested));
	add(j, o, "local", num_if(t->tested, t->local));
	add(j, o, "local_se", num_if(t->tested, t->local_se));
	add(j, o, "displacement", num_if(t->tested && t->group[REP_EV_TREATED_BUFFER].present, t->displace));
	add(j, o, "displacement_se", num_if(t->tested && t->group[REP_EV_TREATED_BUFFER].present, t->displace_se));
	add(j, o, "wdd", num_if(t->tested, t->est));
	add(j, o, "se", num_if(t->tested, t->se));
	add(j, o, "ci_low", num_if(t->tested, t->lo));
	add(j, o, "ci_high", num_if(t->tested, t->hi));
	add(j, o, "z", num_if(t->tested, t->z));
	add(j, o, "p", num_if(t->tested, t->p));
	add(j, o, "significant", cJSON_CreateBool(t->tested && t->significant));
	char *verdict = rep_eval_verdict(e, t, what);
	add(j, o, "verdict", cJSON_CreateString(verdict));
	free(verdict);
	return o;
}

static cJSON *lines_json(jctx *j, char *const *lines, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < n; i++)
		push(j, arr, cJSON_CreateString(lines[i]));
	return arr;
}

int rep_write_eval_json(const rep_eval *e, FILE *out)
{
	jctx j = {0};
	cJSON *root = cJSON_CreateObject();
	char start[8];
	ct_month_format(e->start, start);
	add(&j, root, "evaluate_version", cJSON_CreateNumber(1));
	add(&j, root, "test", cJSON_CreateString("weighted displacement difference"));
	add(&j, root, "category", cJSON_CreateString(e->category));
	add(&j, root, "category_path", cJSON_CreateString(e->category_path));
	add(&j, root, "taxonomy", cJSON_CreateString(e->taxonomy));
	add(&j, root, "dataset", cJSON_CreateString(e->dataset));
	add(&j, root, "start", cJSON_CreateString(start));
	add(&j, root, "before", period_json(&j, e->pre_from, e->pre_to));
	add(&j, root, "after", period_json(&j, e->post_from, e->post_to));
	add(&j, root, "buffer_m", num_if(e->buffer_m > 0, e->buffer_m));
	add(&j, root, "alpha", cJSON_CreateNumber(e->alpha));
	add(&j, root, "ci_level", cJSON_CreateNumber(1 - e->alpha));
	add(&j, root, "crimes", test_json(&j, e, &e->crimes, NULL));
	add(&j, root, "offenders",
	    e->has_offenders ? test_json(&j, e, &e->offenders, "The number of distinct offenders") : cJSON_CreateNull());
	add(&j, root, "offenders_source",
	    e->offenders_source ? cJSON_CreateString(e->offenders_source) : cJSON_CreateNull());
	add(&j, root, "notes", lines_json(&j, e->notes, e->nnotes));
	add(&j, root, "warnings", lines_json(&j, e->warnings, e->nwarnings));
	char *text = j.oom || !root ? NULL : cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return -1;
	fputs(text, out);
	fputc('\n', out);
	free(text);
	return ferror(out) ? -1 : 0;
}
