/* The evaluation model's lifetime, its verdict in plain words, and its two
 * renderings: Markdown for a committee paper and JSON for pipelines. */
#include "report/evaluation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "report/jsonout.h"
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
	rep_lines_free(e->notes, e->nnotes);
	rep_lines_free(e->warnings, e->nwarnings);
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

const char *rep_ev_mark(const rep_eval *e, const rep_ev_group *g, int part, char *buf, size_t len)
{
	/* the scaled count is made from the count before, the change from both */
	int sup = part == REP_EV_PART_PRE || part == REP_EV_PART_SCALED ? g->sup_pre
		  : part == REP_EV_PART_POST				? g->sup_post
									: g->sup_pre | g->sup_post;
	if (!sup)
		return NULL;
	if (part == REP_EV_PART_PRE || part == REP_EV_PART_POST)
		snprintf(buf, len, "<%d", e->suppress_below);
	else
		snprintf(buf, len, "[c]");
	return buf;
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
	char span[64];
	rep_fmt_months_long(from, to, span, sizeof span);
	int n = months_between(from, to);
	fprintf(out, "- %s: %s (%d month%s)\n", label, span, n, n == 1 ? "" : "s");
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
		char pr[32], po[32], sc[32], ch[32];
		snprintf(pr, sizeof pr, "%lld", gr->pre);
		snprintf(po, sizeof po, "%lld", gr->post);
		rep_fmt_estimate(gr->pre_scaled, sc, sizeof sc);
		rep_fmt_estimate(gr->change, ch, sizeof ch);
		rep_ev_mark(e, gr, REP_EV_PART_PRE, pr, sizeof pr);
		rep_ev_mark(e, gr, REP_EV_PART_POST, po, sizeof po);
		rep_ev_mark(e, gr, REP_EV_PART_SCALED, sc, sizeof sc);
		rep_ev_mark(e, gr, REP_EV_PART_CHANGE, ch, sizeof ch);
		fprintf(out, "| %s | %s | %s |", rep_ev_role_label[g], gr->name, pr);
		if (scaled)
			fprintf(out, " %s |", sc);
		fprintf(out, " %s | %s |\n", po, ch);
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
		int withheld = 0;
		for (int g = 0; g < REP_EV_ROLES; g++)
			withheld |= e->offenders.group[g].sup_pre || e->offenders.group[g].sup_post;
		if (withheld)
			fprintf(out, "Counts from 1 to %d show as <%d, and [c] hides a figure made from one (disclosure "
				     "control).\n\n",
				e->suppress_below - 1, e->suppress_below);
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

static cJSON *num_if(int have, double v)
{
	return have && isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static cJSON *period_json(rep_json *j, int from, int to)
{
	cJSON *o = cJSON_CreateObject();
	rep_json_add(j, o, "from", rep_json_month(from));
	rep_json_add(j, o, "to", rep_json_month(to));
	rep_json_add(j, o, "months", cJSON_CreateNumber(months_between(from, to)));
	return o;
}

static cJSON *test_json(rep_json *j, const rep_eval *e, const rep_ev_test *t, const char *what)
{
	cJSON *o = cJSON_CreateObject(), *groups = cJSON_CreateArray();
	for (int g = 0; groups && g < REP_EV_ROLES; g++) {
		const rep_ev_group *gr = &t->group[g];
		if (!gr->present)
			continue;
		cJSON *go = cJSON_CreateObject();
		rep_json_add(j, go, "role", cJSON_CreateString(role_key[g]));
		rep_json_add(j, go, "areas", cJSON_CreateString(gr->name));
		/* a withheld figure is null, with its mark beside it */
		static const char *const keys[] = {"before", "after", "before_per_post_period", "change"};
		const double v[] = {(double)gr->pre, (double)gr->post, gr->pre_scaled, gr->change};
		for (int k = 0; k < 4; k++) {
			char mark[16], key[64];
			if (rep_ev_mark(e, gr, k, mark, sizeof mark)) {
				rep_json_add(j, go, keys[k], cJSON_CreateNull());
				snprintf(key, sizeof key, "%s_text", keys[k]);
				rep_json_add(j, go, key, cJSON_CreateString(mark));
			} else {
				rep_json_add(j, go, keys[k], cJSON_CreateNumber(v[k]));
			}
		}
		rep_json_push(j, groups, go);
	}
	rep_json_add(j, o, "groups", groups);
	rep_json_add(j, o, "tested", cJSON_CreateBool(t->tested));
	rep_json_add(j, o, "untested", rep_json_str_or_null(t->tested ? NULL : t->untested));
	rep_json_add(j, o, "local", num_if(t->tested, t->local));
	rep_json_add(j, o, "local_se", num_if(t->tested, t->local_se));
	int displaced = t->tested && t->group[REP_EV_TREATED_BUFFER].present;
	rep_json_add(j, o, "displacement", num_if(displaced, t->displace));
	rep_json_add(j, o, "displacement_se", num_if(displaced, t->displace_se));
	rep_json_add(j, o, "wdd", num_if(t->tested, t->est));
	rep_json_add(j, o, "se", num_if(t->tested, t->se));
	rep_json_add(j, o, "ci_low", num_if(t->tested, t->lo));
	rep_json_add(j, o, "ci_high", num_if(t->tested, t->hi));
	rep_json_add(j, o, "z", num_if(t->tested, t->z));
	rep_json_add(j, o, "p", num_if(t->tested, t->p));
	rep_json_add(j, o, "significant", cJSON_CreateBool(t->tested && t->significant));
	char *verdict = rep_eval_verdict(e, t, what);
	rep_json_add(j, o, "verdict", cJSON_CreateString(verdict));
	free(verdict);
	return o;
}

int rep_write_eval_json(const rep_eval *e, FILE *out)
{
	rep_json j = {0};
	cJSON *root = cJSON_CreateObject();
	rep_json_add(&j, root, "evaluate_version", cJSON_CreateNumber(1));
	rep_json_add(&j, root, "test", cJSON_CreateString("weighted displacement difference"));
	rep_json_add(&j, root, "category", cJSON_CreateString(e->category));
	rep_json_add(&j, root, "category_path", cJSON_CreateString(e->category_path));
	rep_json_add(&j, root, "taxonomy", cJSON_CreateString(e->taxonomy));
	rep_json_add(&j, root, "dataset", cJSON_CreateString(e->dataset));
	rep_json_add(&j, root, "start", rep_json_month(e->start));
	rep_json_add(&j, root, "before", period_json(&j, e->pre_from, e->pre_to));
	rep_json_add(&j, root, "after", period_json(&j, e->post_from, e->post_to));
	rep_json_add(&j, root, "buffer_m", num_if(e->buffer_m > 0, e->buffer_m));
	rep_json_add(&j, root, "alpha", cJSON_CreateNumber(e->alpha));
	rep_json_add(&j, root, "ci_level", cJSON_CreateNumber(1 - e->alpha));
	rep_json_add(&j, root, "crimes", test_json(&j, e, &e->crimes, NULL));
	rep_json_add(&j, root, "offenders",
		     e->has_offenders ? test_json(&j, e, &e->offenders, "The number of distinct offenders")
				      : cJSON_CreateNull());
	rep_json_add(&j, root, "offenders_source", rep_json_str_or_null(e->offenders_source));
	rep_json_add(&j, root, "suppress_below",
		     e->has_offenders ? cJSON_CreateNumber(e->suppress_below) : cJSON_CreateNull());
	rep_json_add(&j, root, "notes", rep_json_lines(&j, e->notes, e->nnotes));
	rep_json_add(&j, root, "warnings", rep_json_lines(&j, e->warnings, e->nwarnings));
	return rep_json_write(&j, root, out);
}
