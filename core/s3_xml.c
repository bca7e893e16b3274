/* See core/s3_xml.h. */
#include <stdio.h>
#include <string.h>

#include "core/s3_xml.h"
#include "core/xmalloc.h"

char *s3_xml_value(const char *xml, const char *tag)
{
	char open[64], close[64];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *a = xml ? strstr(xml, open) : NULL, *b;
	if (a == NULL)
		return NULL;
	a += strlen(open);
	if ((b = strstr(a, close)) == NULL)
		return NULL;
	return xstrndup(a, (size_t)(b - a));
}

char *s3_xml_message(const char *body)
{
	static const char *const tags[] = {"Message", "Code"};
	for (size_t i = 0; i < 2; i++) {
		char *v = s3_xml_value(body, tags[i]);
		if (v != NULL)
			return v;
	}
	return xstrdup("");
}
