#include "core/childenv.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

extern char **environ;

static size_t name_len(const char *s)
{
	return strcspn(s, "=");
}

static int name_is(const char *var, const char *name)
{
	size_t n = strlen(name);
	return name_len(var) == n && strncmp(var, name, n) == 0;
}

static int has_prefix(const char *var, const char *prefix)
{
	return strncmp(var, prefix, strlen(prefix)) == 0;
}

int childenv_allowed(const char *name)
{
	static const char *const exact[] = {
	    "PATH", "HOME",   "USER", "LOGNAME",  "SHELL", "TERM",
	    "TZ",   "TMPDIR", "LANG", "LANGUAGE", NULL};
	for (size_t i = 0; exact[i] != NULL; i++)
		if (name_is(name, exact[i]))
			return 1;
	if (has_prefix(name, "LC_") || has_prefix(name, "XDG_") ||
	    has_prefix(name, "DRCONSOLE_"))
		return 1;
	/* libpq's settings; the password belongs in a .pgpass file. */
	if (has_prefix(name, "PG") && !name_is(name, "PGPASSWORD"))
		return 1;
	return 0;
}

static int named(const char *var, char *const *extra, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (extra[i] != NULL && name_is(var, extra[i]))
			return 1;
	return 0;
}

char **childenv_build(char *const *from, char *const *extra, size_t n_extra,
                      const char *drop_prefix, char *const *set, size_t n_set)
{
	size_t n = 0, cap = n_set + 1;

	if (from == NULL)
		from = environ;
	for (char *const *e = from; e != NULL && *e != NULL; e++)
		cap++;
	char **env = xcalloc(cap, sizeof *env);
	for (char *const *e = from; e != NULL && *e != NULL; e++) {
		if (drop_prefix != NULL && has_prefix(*e, drop_prefix))
			continue;
		if (childenv_allowed(*e) || named(*e, extra, n_extra))
			env[n++] = xstrdup(*e);
	}
	for (size_t i = 0; i < n_set; i++)
		env[n++] = xstrdup(set[i]);
	env[n] = NULL;
	return env;
}

void childenv_free(char **env)
{
	for (char **e = env; e != NULL && *e != NULL; e++)
		free(*e);
	free(env);
}

/* The agent reloads its config (and so these names) on its main thread
 * while its job threads start children: the lock keeps a reader from
 * seeing the list freed under it. */
static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static char **config_names;
static size_t n_config_names;

void childenv_set_config(char *const *names, size_t n)
{
	char **fresh = xcalloc(n + 1, sizeof *fresh);

	for (size_t i = 0; i < n; i++)
		fresh[i] = xstrdup(names[i]);
	pthread_mutex_lock(&config_lock);
	childenv_free(config_names);
	config_names = fresh;
	n_config_names = n;
	pthread_mutex_unlock(&config_lock);
}

char **childenv_with_config(char *const *more, size_t n_more)
{
	char **out;
	size_t n = 0;

	pthread_mutex_lock(&config_lock);
	out = xcalloc(n_config_names + n_more + 1, sizeof *out);
	for (size_t i = 0; i < n_config_names; i++)
		out[n++] = xstrdup(config_names[i]);
	pthread_mutex_unlock(&config_lock);
	for (size_t i = 0; i < n_more; i++)
		out[n++] = xstrdup(more[i]);
	return out;
}

char **childenv_default(char *const *set, size_t n_set)
{
	char **names = childenv_with_config(NULL, 0), **env;
	size_t n = 0;

	while (names[n] != NULL)
		n++;
	env = childenv_build(NULL, names, n, NULL, set, n_set);
	childenv_free(names);
	return env;
}
