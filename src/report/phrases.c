/* Sentence templates: parsing, checking every placeholder when the template
 * is read (so a typo fails the run, not a committee paper), and filling. */
#include "report/phrases.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

const char *const rep_phrase_key[REP_PH_COUNT] = {
	"heading", "significant_rise", "significant_fall", "rise", "fall", "unchanged", "untested", "summary",
	"none_flagged",
};

const char *const rep_phrase_var_name[REP_PV_COUNT] = {
	"row",  "area", "period", "basis", "current", "comparison", "diff",    "pct",     "p",
	"z",    "alpha", "test",  "examined", "flagged", "rises",   "falls", "expected",
};

struct rep_phrases {
	char *name;
	char *text[REP_PH_COUNT];
};

void rep_phrases_free(rep_phrases *ph)
{
	if (!ph)
		return;
	for (int i = 0; i < REP_PH_COUNT; i++)
		free(ph->text[i]);
	free(ph->name);
	free(ph);
}

const char *rep_phrases_name(const rep_phrases *ph)
{
	return ph->name;
}

/* The placeholder at P (just after '{'), whose name ends at '}': its index,
 * or -1. */
static int var_at(const char *p, size_t len)
{
	for (int v = 0; v < REP_PV_COUNT; v++)
		if (strlen(rep_phrase_var_name[v]) == len && strncmp(p, rep_phrase_var_name[v], len) == 0)
			return v;
	return -1;
}

/* True if the text of S before P ends with '=' (spaces aside): "p = {p}"
 * would read "p = p < 0.001". */
static int ends_with_equals(const char *s, const char *p)
{
	while (p > s && p[-1] == ' ')
		p--;
	return p > s && p[-1] == '=';
}

/* Walks sentence S: with OUT, writes it filled from VALUES; without, only
 * checks it.  0, or -1 with the reason in err. */
static int walk(const char *s, const char *const *values, strbuf *out, char *err, size_t errlen)
{
	for (const char *p = s; *p;) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			if (out)
				sb_putc(out, *p);
			p += 2;
			continue;
		}
		if (*p == '}') {
			snprintf(err, errlen, "a '}' with no '{' (write \"}}\" for a brace)");
			return -1;
		}
		if (*p != '{') {
			if (out)
				sb_putc(out, *p);
			p++;
			continue;
		}
		const char *end = strchr(p + 1, '}');
		if (!end) {
			snprintf(err, errlen, "a '{' with no '}' (write \"{{\" for a brace)");
			return -1;
		}
		int v = var_at(p + 1, (size_t)(end - p - 1));
		if (v < 0) {
			strbuf known = {0};
			for (int k = 0; k < REP_PV_COUNT; k++)
				sb_printf(&known, "%s{%s}", k ? ", " : "", rep_phrase_var_name[k]);
			snprintf(err, errlen, "unknown placeholder \"%.*s\" (known: %s)", (int)(end - p + 1), p, known.buf);
			sb_release(&known);
			return -1;
		}
		if (v == REP_PV_P && !out && ends_with_equals(s, p)) {
			snprintf(err, errlen, "\"= {p}\": {p} says \"p = 0.24\" or \"p < 0.001\" by itself; write \"({p})\", "
					      "not \"(p = {p})\"");
			return -1;
		}
		if (out && values[v])
			sb_puts(out, values[v]);
		p = end + 1;
	}
	return 0;
}

rep_phrases *rep_phrases_parse(const char *path, const char *text, char *err, size_t errlen)
{
	cJSON *j = cJSON_Parse(text);
	if (!j) {
		snprintf(err, errlen, "%s: not valid JSON", path);
		return NULL;
	}
	rep_phrases *ph = xcalloc(1, sizeof *ph);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t blen = strlen(base);
	ph->name = xstrndup(base, blen > 5 && strcmp(base + blen - 5, ".json") == 0 ? blen - 5 : blen);
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "highlights_version");
	const cJSON *sentences = cJSON_GetObjectItemCaseSensitive(j, "sentences"), *it;
	if (!cJSON_IsNumber(ver) || ver->valueint != 1) {
		snprintf(err, errlen, "%s: \"highlights_version\" must be 1", path);
		goto fail;
	}
	if (!cJSON_IsObject(sentences)) {
		snprintf(err, errlen, "%s: \"sentences\" must be an object of sentence templates", path);
		goto fail;
	}
	cJSON_ArrayForEach(it, sentences)
	{
		int k = 0;
		while (k < REP_PH_COUNT && strcmp(rep_phrase_key[k], it->string) != 0)
			k++;
		if (k == REP_PH_COUNT) {
			snprintf(err, errlen, "%s: \"sentences\": unknown sentence \"%s\"", path, it->string);
			goto fail;
		}
		char why[768];
		if (!cJSON_IsString(it) || walk(it->valuestring, NULL, NULL, why, sizeof why) != 0) {
			if (!cJSON_IsString(it))
				snprintf(why, sizeof why, "must be a string");
			snprintf(err, errlen, "%s: \"sentences\".\"%s\": %s", path, it->string, why);
			goto fail;
		}
		free(ph->text[k]);
		ph->text[k] = xstrdup(it->valuestring);
	}
	for (int k = 0; k < REP_PH_COUNT; k++)
		if (!ph->text[k]) {
			snprintf(err, errlen, "%s: \"sentences\": \"%s\" is missing", path, rep_phrase_key[k]);
			goto fail;
		}
	cJSON_Delete(j);
	return ph;
fail:
	cJSON_Delete(j);
	rep_phrases_free(ph);
	return NULL;
}

rep_phrases *rep_phrases_load(const char *name_or_path, char *err, size_t errlen)
{
	char *text = ct_template_text("highlights", name_or_path, err, errlen);
	if (!text)
		return NULL;
	size_t n = strlen(name_or_path);
	int file = strchr(name_or_path, '/') || (n > 5 && strcmp(name_or_path + n - 5, ".json") == 0);
	char *path = file ? xstrdup(name_or_path) : xasprintf("templates/highlights/%s.json", name_or_path);
	rep_phrases *ph = rep_phrases_parse(path, text, err, errlen);
	free(path);
	free(text);
	return ph;
}

char *rep_phrase_fill(const rep_phrases *ph, rep_phrase which, const char *const values[REP_PV_COUNT])
{
	strbuf sb = {0};
	char err[8];
	sb_puts(&sb, ""); /* an empty sentence is "", not NULL */
	walk(ph->text[which], values, &sb, err, sizeof err); /* checked when parsed */
	return sb_detach(&sb);
}
