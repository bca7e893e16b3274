#include "core/service.h"

#include <ctype.h>
#include <string.h>

#include "core/error.h"
#include "core/xmalloc.h"

int service_name_check(const char *name, char **err)
{
	size_t len = strlen(name);
	if (len == 0) {
		*err = xstrdup("a service name cannot be empty");
		return DR_EINVAL;
	}
	if (len > 63) {
		*err = xasprintf("service name '%.20s...' is %zu characters "
		                 "long; the limit is 63",
		                 name, len);
		return DR_EINVAL;
	}
	if (!isalnum((unsigned char)name[0])) {
		*err = xasprintf("service name '%s' must start with a letter "
		                 "or digit",
		                 name);
		return DR_EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (isalnum(ch) || ch == '.' || ch == '_' || ch == '-')
			continue;
		*err = xasprintf("service name '%s' has '%c' at position %zu; "
		                 "use letters, digits, '.', '_' and '-'",
		                 name, isprint(ch) ? ch : '?', i + 1);
		return DR_EINVAL;
	}
	return DR_OK;
}

char *service_tier_list(const struct catalog_tier *tiers, size_t n)
{
	size_t size = 1;
	for (size_t i = 0; i < n; i++)
		size += strlen(tiers[i].name) + 2;
	char *out = xmalloc(size);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strncat(out, ", ", size - strlen(out) - 1);
		strncat(out, tiers[i].name, size - strlen(out) - 1);
	}
	return out;
}
