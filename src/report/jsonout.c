/* The JSON renderings' building blocks: one out-of-memory flag, months and
 * optional strings written one way, and the document's printing. */
#include "report/jsonout.h"

#include "core/util.h"

void rep_json_add(rep_json *j, cJSON *parent, const char *key, cJSON *item)
{
	if (!item || !cJSON_AddItemToObject(parent, key, item)) {
		cJSON_Delete(item);
		j->oom = 1;
	}
}

void rep_json_push(rep_json *j, cJSON *array, cJSON *item)
{
	if (!item || !cJSON_AddItemToArray(array, item)) {
		cJSON_Delete(item);
		j->oom = 1;
	}
}

cJSON *rep_json_str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

cJSON *rep_json_month(int month)
{
	char m[8];
	ct_month_format(month, m);
	return cJSON_CreateString(m);
}

cJSON *rep_json_lines(rep_json *j, char *const *lines, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < n; i++)
		rep_json_push(j, arr, cJSON_CreateString(lines[i]));
	return arr;
}

int rep_json_write(rep_json *j, cJSON *doc, FILE *out)
{
	char *text = doc && !j->oom ? cJSON_Print(doc) : NULL;
	cJSON_Delete(doc);
	if (!text)
		return -1;
	fputs(text, out);
	fputc('\n', out);
	cJSON_free(text);
	return ferror(out) ? -1 : 0;
}
