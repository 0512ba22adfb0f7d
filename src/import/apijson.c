/* police.uk API crimes responses: cJSON checks and parses the whole response
 * (a truncated download is an error, not a short month), and a scan of the
 * text finds where each crime starts, for line numbers and reject text. */
#include "import/apijson.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

const char *const imp_api_fields[API_NFIELDS] = {
	"persistent_id", "month", "category", "location_type", "location.latitude", "location.longitude",
	"location.street.name", "location_subtype", "context", "outcome_status.category", "outcome_status.date",
};

/* /api/crime-categories, and the slugs of months before the 2013 split
 * (police.uk API documentation; data.police.uk/docs/method/crime-categories). */
static const struct {
	const char *slug, *type;
} slugs[] = {
	{"anti-social-behaviour", "Anti-social behaviour"},
	{"bicycle-theft", "Bicycle theft"},
	{"burglary", "Burglary"},
	{"criminal-damage-arson", "Criminal damage and arson"},
	{"drugs", "Drugs"},
	{"other-theft", "Other theft"},
	{"possession-of-weapons", "Possession of weapons"},
	{"public-order", "Public order"},
	{"robbery", "Robbery"},
	{"shoplifting", "Shoplifting"},
	{"theft-from-the-person", "Theft from the person"},
	{"vehicle-crime", "Vehicle crime"},
	/* "Violent crime" until 2013-05, then the same slug for the wider type */
	{"violent-crime", "Violence and sexual offences"},
	{"other-crime", "Other crime"},
	/* before 2013-05: split into public-order and possession-of-weapons */
	{"public-disorder-weapons", "Public disorder and weapons"},
};

const char *imp_api_category(const char *slug)
{
	for (size_t i = 0; i < sizeof slugs / sizeof slugs[0]; i++)
		if (strcmp(slug, slugs[i].slug) == 0)
			return slugs[i].type;
	return NULL;
}

int imp_api_sniff(const char *head, size_t n)
{
	size_t i = 0;
	if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	return i < n && (head[i] == '[' || head[i] == '{');
}

struct imp_api {
	cJSON *doc;
	const cJSON *next;
	const char *text;
	size_t len;
	size_t *starts, *ends; /* each crime's span in text */
	long long *lines;      /* and the line it starts on */
	size_t n, i;
	const char *fields[API_NFIELDS];
	size_t lens[API_NFIELDS];
	char num[2][32];       /* coordinates given as numbers, as text */
	strbuf raw, why;
};

/* Line and column (from 1) of byte OFF of TEXT. */
static void line_col(const char *text, size_t off, long long *line, long long *col)
{
	*line = 1;
	size_t bol = 0;
	for (size_t i = 0; i < off; i++)
		if (text[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	*col = (long long)(off - bol) + 1;
}

static size_t skip_ws(const char *t, size_t i, size_t len)
{
	while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
		i++;
	return i;
}

/* The end of the JSON value at I (valid JSON, as cJSON has checked). */
static size_t value_end(const char *t, size_t i, size_t len)
{
	int depth = 0;
	for (; i < len; i++) {
		char c = t[i];
		if (c == '"') {
			for (i++; i < len && t[i] != '"'; i++)
				if (t[i] == '\\')
					i++;
			if (depth == 0)
				return i + 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return i; /* a scalar just before its array's end */
			if (--depth == 0)
				return i + 1;
		} else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
			return i;
		}
	}
	return len;
}

/* True if TEXT stops inside a string or before its brackets close: the
 * mark of a download cut short, wherever the parser noticed it. */
static int ends_early(const char *t, size_t len)
{
	long depth = 0;
	int in_string = 0;
	for (size_t i = 0; i < len; i++) {
		if (in_string) {
			if (t[i] == '\\')
				i++;
			else if (t[i] == '"')
				in_string = 0;
		} else if (t[i] == '"') {
			in_string = 1;
		} else if (t[i] == '[' || t[i] == '{') {
			depth++;
		} else if (t[i] == ']' || t[i] == '}') {
			depth--;
		}
	}
	return in_string || depth > 0;
}

imp_api *imp_api_parse(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	const char *end = NULL;
	size_t start = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	cJSON *doc = cJSON_ParseWithOpts(text + start, &end, 1);
	long long line, col;
	if (!doc) {
		size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
		int early = ends_early(text, len);
		line_col(text, early ? len : off, &line, &col);
		if (early || skip_ws(text, off, len) >= len)
			snprintf(err, errlen, "%s:%lld: not valid JSON: it ends early (a truncated or unfinished download?)",
				 name, line);
		else
			snprintf(err, errlen, "%s:%lld: not valid JSON at column %lld (near \"%.20s\")", name, line, col,
				 text + off);
		return NULL;
	}
	if (strlen(text) != len) {
		cJSON_Delete(doc);
		snprintf(err, errlen, "%s: contains a NUL byte: not a police.uk API response", name);
		return NULL;
	}
	size_t i = skip_ws(text, start, len);
	line_col(text, i, &line, &col);
	if (!cJSON_IsArray(doc)) {
		snprintf(err, errlen, "%s:%lld: not a police.uk API crimes response: the top level is %s, not an array "
				      "of crimes", name, line, cJSON_IsObject(doc) ? "an object" : "a single value");
		cJSON_Delete(doc);
		return NULL;
	}
	int n = cJSON_GetArraySize(doc);
	if (n == 0) {
		snprintf(err, errlen, "%s:%lld: an empty response ([]): no crimes, and no month to record its coverage "
				      "for", name, line);
		cJSON_Delete(doc);
		return NULL;
	}
	imp_api *a = xcalloc(1, sizeof *a);
	a->doc = doc;
	a->next = doc->child;
	a->text = text;
	a->len = len;
	a->n = (size_t)n;
	a->starts = xcalloc(a->n, sizeof *a->starts);
	a->ends = xcalloc(a->n, sizeof *a->ends);
	a->lines = xcalloc(a->n, sizeof *a->lines);
	/* the text is valid JSON: after '[' come values separated by commas */
	i++;
	long long ln = line;
	size_t at = i;
	for (size_t k = 0; k < a->n; k++) {
		i = skip_ws(text, i, len);
		for (; at < i; at++)
			ln += text[at] == '\n';
		a->starts[k] = i;
		a->lines[k] = ln;
		i = value_end(text, i, len);
		a->ends[k] = i;
		i = skip_ws(text, i, len);
		if (i < len && text[i] == ',')
			i++;
	}
	return a;
}

void imp_api_free(imp_api *a)
{
	if (!a)
		return;
	cJSON_Delete(a->doc);
	free(a->starts);
	free(a->ends);
	free(a->lines);
	sb_release(&a->raw);
	sb_release(&a->why);
	free(a);
}

long long imp_api_bytes(const imp_api *a)
{
	return a->i < a->n ? (long long)a->starts[a->i] : (long long)a->len;
}

/* Sets field K from the member NAME of OBJ (NULL: absent): a string, or
 * when NUM is given a number as text; null and absent are "".  -1 with
 * a->why set if it has another type. */
static int take(imp_api *a, int k, const cJSON *obj, const char *name, char *num)
{
	const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
	const char *s = "";
	if (!v || cJSON_IsNull(v)) {
		s = "";
	} else if (cJSON_IsString(v)) {
		s = v->valuestring;
	} else if (num && cJSON_IsNumber(v)) {
		snprintf(num, 32, "%.17g", v->valuedouble);
		s = num;
	} else {
		sb_reset(&a->why);
		sb_printf(&a->why, "field '%s': expected a string%s, found %s", imp_api_fields[k], num ? " or a number" : "",
			  cJSON_IsObject(v) ? "an object" : cJSON_IsArray(v) ? "an array" : cJSON_IsNumber(v) ? "a number"
			  : "true or false");
		return -1;
	}
	a->fields[k] = s;
	a->lens[k] = strlen(s);
	return 0;
}

/* An object member that must be an object or null: NULL for null or
 * absent, and *bad when it is something else. */
static const cJSON *member_object(imp_api *a, const cJSON *obj, const char *name, const char *path, int *bad)
{
	const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
	if (!v || cJSON_IsNull(v) || cJSON_IsObject(v))
		return cJSON_IsObject(v) ? v : NULL;
	sb_reset(&a->why);
	sb_printf(&a->why, "field '%s': expected an object or null, found %s", path,
		  cJSON_IsString(v) ? "a string" : cJSON_IsArray(v) ? "an array" : "a number or true/false");
	*bad = 1;
	return NULL;
}

int imp_api_next(imp_api *a, imp_row *row)
{
	if (a->i >= a->n || !a->next)
		return 0;
	const cJSON *c = a->next;
	size_t k = a->i++;
	a->next = c->next;
	size_t rawlen = a->ends[k] - a->starts[k];
	sb_reset(&a->raw);
	sb_add(&a->raw, a->text + a->starts[k], rawlen > IMP_MAX_ROW_BYTES ? IMP_MAX_ROW_BYTES : rawlen);
	row->line = a->lines[k];
	row->raw = a->raw.buf;
	row->raw_len = a->raw.len;
	row->fields = a->fields;
	row->lens = a->lens;
	row->nfields = API_NFIELDS;
	row->error = NULL;
	/* the response is kept whole, not row by row: a row's span is its text */
	row->span = a->raw.buf;
	row->span_len = a->raw.len;
	row->plain = 0;
	int bad = 0;
	if (!cJSON_IsObject(c)) {
		sb_reset(&a->why);
		sb_puts(&a->why, "not a JSON object (a crime)");
		bad = 1;
	}
	const cJSON *loc = bad ? NULL : member_object(a, c, "location", "location", &bad);
	const cJSON *street = bad ? NULL : member_object(a, loc, "street", "location.street", &bad);
	const cJSON *out = bad ? NULL : member_object(a, c, "outcome_status", "outcome_status", &bad);
	if (!bad)
		bad = take(a, API_PERSISTENT_ID, c, "persistent_id", NULL) || take(a, API_MONTH, c, "month", NULL) ||
		      take(a, API_CATEGORY, c, "category", NULL) || take(a, API_LOCATION_TYPE, c, "location_type", NULL) ||
		      take(a, API_LATITUDE, loc, "latitude", a->num[0]) ||
		      take(a, API_LONGITUDE, loc, "longitude", a->num[1]) || take(a, API_STREET, street, "name", NULL) ||
		      take(a, API_LOCATION_SUBTYPE, c, "location_subtype", NULL) ||
		      take(a, API_CONTEXT, c, "context", NULL) || take(a, API_OUTCOME, out, "category", NULL) ||
		      take(a, API_OUTCOME_DATE, out, "date", NULL);
	if (bad) {
		row->nfields = 0;
		row->error = a->why.buf;
	}
	return 1;
}
