/* Where a backup's bytes come from.  A source kind is one file,
 * core/source_<kind>.c, exporting a const source_kind:
 *  - command: the standard output of a command (pg_dump -Fc, tar -cf -);
 *    argv runs directly, a "shell" string under /bin/sh -c; "env" adds
 *    environment variables.  A non-zero exit fails the backup.
 *  - directory: a tree as a tar stream that drconsole writes itself
 *    (core/source_directory.c, core/tar.h).
 *  - file: one file, read as it is.
 *  - sqlite: a consistent copy of a live SQLite database taken with the
 *    online backup API (db/sqlite_snapshot.h), then read. */
#ifndef DR_SOURCE_H
#define DR_SOURCE_H

#include <stddef.h>
#include <stdint.h>

struct source_spec {
	char *kind;  /* "command", "directory", "file", "sqlite" */
	char **argv; /* command: NULL-terminated, or NULL */
	char *shell; /* command: a shell string, or NULL */
	char **env;  /* command: "KEY=VALUE", NULL-terminated, or NULL */
	char *path;  /* directory, file, sqlite */
};

struct source_kind {
	const char *name;
	/* Optional: whether spec can be opened here and now (`config
	 * check`); the config parser checks only its form. */
	int (*check)(const struct source_spec *spec, char **err);
	int (*open)(const struct source_spec *spec, void **impl, char **err);
	int (*read)(void *impl, void *buf, size_t cap, size_t *got, char **err);
	/* Frees impl.  ok=0: the backup is being abandoned. */
	int (*close)(void *impl, int ok, char **err);
	/* Optional: how many bytes it will give, roughly (0: unknown). */
	uint64_t (*expected)(void *impl);
	/* Optional: what the operator should know about the bytes given so
	 * far (files skipped or changed while read), malloc'd, or NULL. */
	char *(*notes)(void *impl);
};

struct source;

int source_open(const struct source_spec *spec, struct source **out,
                char **err);
/* *got 0 at end of input. */
int source_read(struct source *src, void *buf, size_t cap, size_t *got,
                char **err);
/* Ends the source: for a command, waits and reports its failure. */
int source_close(struct source *src, int ok, char **err);
/* source_kind's expected and notes, for any kind (0 and NULL when it
 * has none). */
uint64_t source_expected(const struct source *src);
char *source_notes(const struct source *src);
/* The kind's check of spec: DR_OK when it has none. */
int source_check(const struct source_spec *spec, char **err);
/* 1 when name is a known kind. */
int source_kind_known(const char *name);
void source_spec_clear(struct source_spec *spec);

extern const struct source_kind source_command_kind;
extern const struct source_kind source_directory_kind;
extern const struct source_kind source_file_kind;
extern const struct source_kind source_sqlite_kind;

#endif
