#include "core/source.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/xmalloc.h"

static const struct source_kind *const kinds[] = {
    &source_command_kind,
    &source_directory_kind,
    &source_file_kind,
    &source_sqlite_kind,
    NULL,
};

struct source {
	const struct source_kind *kind;
	void *impl;
};

static const struct source_kind *kind_named(const char *name)
{
	for (size_t i = 0; name != NULL && kinds[i] != NULL; i++)
		if (strcmp(kinds[i]->name, name) == 0)
			return kinds[i];
	return NULL;
}

int source_kind_known(const char *name)
{
	return kind_named(name) != NULL;
}

int source_open(const struct source_spec *spec, struct source **out, char **err)
{
	const struct source_kind *kind = kind_named(spec->kind);
	void *impl = NULL;
	if (kind == NULL) {
		*err = xasprintf("unknown source kind \"%s\" (expected "
		                 "command, directory, file or sqlite)",
		                 spec->kind ? spec->kind : "");
		return DR_EINVAL;
	}
	int rc = kind->open(spec, &impl, err);
	if (rc != DR_OK)
		return rc;
	struct source *s = xcalloc(1, sizeof *s);
	s->kind = kind;
	s->impl = impl;
	*out = s;
	return DR_OK;
}

int source_read(struct source *src, void *buf, size_t cap, size_t *got,
                char **err)
{
	return src->kind->read(src->impl, buf, cap, got, err);
}

uint64_t source_expected(const struct source *src)
{
	return src->kind->expected ? src->kind->expected(src->impl) : 0;
}

char *source_notes(const struct source *src)
{
	return src->kind->notes ? src->kind->notes(src->impl) : NULL;
}

int source_check(const struct source_spec *spec, char **err)
{
	const struct source_kind *kind = kind_named(spec->kind);
	if (kind == NULL || kind->check == NULL)
		return DR_OK;
	return kind->check(spec, err);
}

int source_close(struct source *src, int ok, char **err)
{
	if (src == NULL)
		return DR_OK;
	int rc = src->kind->close(src->impl, ok, err);
	free(src);
	return rc;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void source_spec_clear(struct source_spec *spec)
{
	free(spec->kind);
	strv_free(spec->argv);
	free(spec->shell);
	strv_free(spec->env);
	free(spec->path);
	memset(spec, 0, sizeof *spec);
}
