/* The environment a child command gets: an allowlist, never the whole of
 * the operator's.  AWS_SECRET_ACCESS_KEY, a token in the shell, anything
 * else reaches a runbook step, backup source, restore command, probe or
 * import command only when it asks for the name.  Documented in
 * drconsole(1) ENVIRONMENT. */
#ifndef DR_CHILDENV_H
#define DR_CHILDENV_H

#include <stddef.h>

/* 1 when the variable NAME (up to '=' or the end) passes by default:
 * PATH, HOME, USER, LOGNAME, SHELL, TERM, TZ, TMPDIR, LANG, LC_*, XDG_*,
 * DRCONSOLE_* and PostgreSQL's PG* settings but PGPASSWORD. */
int childenv_allowed(const char *name);

/* A NULL-terminated copy of the allowed variables of `from` (environ when
 * NULL), plus the named `extra` ones from `from` (n_extra of them; may be
 * NULL), without any variable whose name starts with `drop_prefix` (NULL:
 * none), with `set` (NAME=VALUE strings, n_set) appended.  Free with
 * childenv_free(). */
char **childenv_build(char *const *from, char *const *extra, size_t n_extra,
                      const char *drop_prefix, char *const *set, size_t n_set);
void childenv_free(char **env);

/* The config's child_env names, for every child of this process. */
void childenv_set_config(char *const *names, size_t n);
/* A NULL-terminated copy of the config's names followed by `more`. */
char **childenv_with_config(char *const *more, size_t n_more);
/* childenv_build(NULL, the config's names, 0, NULL, set, n_set). */
char **childenv_default(char *const *set, size_t n_set);

#endif
