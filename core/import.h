/* Imports of other tools' backup listings (pgBackRest, Barman, WAL-G,
 * restic, Velero) into the catalog, so compliance covers backups that
 * drconsole did not take.
 *
 * A format is one file, core/import_<name>.c, exporting a const
 * import_format: its parse function reads the tool's JSON from a stream
 * and hands every backup to a sink in the catalog's terms (import_entry).
 * It knows nothing of services or the catalog; core/import.c does the
 * rest: maps the tool's names to services (--service, the config's
 * "imports" map, or a service of the same name; never a guess), gives each
 * backup a stable id (UUIDv5 of tool, repository and the tool's label) so
 * a second import updates instead of duplicating, marks backups the tool
 * no longer lists as expired, and writes everything in one transaction
 * with one audit row. */
#ifndef DR_IMPORT_H
#define DR_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/json.h"
#include "db/catalog.h"

/* One backup as the tool lists it.  Strings belong to the parser and live
 * until the sink returns. */
struct import_entry {
	/* The tool's names for what was backed up, in the order they are
	 * tried against the map: a stanza, a server; a restic snapshot's
	 * tags, then its host name, then its paths. */
	const char *const *names;
	size_t n_names;
	const char *repository; /* the tool's repository, as the parser
	                           knows it; NULL: the import's own */
	const char *label;      /* the tool's backup label: unique in it */
	const char *type;       /* full | incremental | differential */
	const char *status;     /* completed | failed | running | pending |
	                           expired */
	int64_t started_at;     /* 0: unknown */
	int64_t completed_at;   /* 0: unknown or not finished */
	int64_t size_bytes;     /* the data backed up; -1: unknown */
	int64_t stored_bytes;   /* what it takes in the repository; -1 */
	const char *where;      /* "file:line:col" of the entry */
	int alone;              /* shown by itself (Barman show-backup):
	                           says nothing of the backups it does not
	                           list, which are not expired */
};

/* A part of the listing the tool lists whole (a pgBackRest stanza, a
 * Barman server): backups of it that were imported before and are no
 * longer listed were expired by the tool, even when none is left. */
struct import_scope {
	const char *const *names;
	size_t n_names;
	const char *repository;
};

struct import_sink {
	int (*entry)(void *arg, const struct import_entry *e, char **err);
	int (*scope)(void *arg, const struct import_scope *s, char **err);
	void *arg;
};

struct import_format {
	const char *name;       /* as on the command line */
	const char *names_what; /* "stanza", "server", ... for messages */
	/* DR_EINVAL with "file:line:col: ..." for a document that is not
	 * the tool's listing; the sink's own status otherwise. */
	int (*parse)(struct json_stream *in, const struct import_sink *sink,
	             char **err);
};

extern const struct import_format import_pgbackrest_format;
extern const struct import_format import_barman_format;
extern const struct import_format import_walg_format;
extern const struct import_format import_restic_format;
extern const struct import_format import_velero_format;

const struct import_format *import_format_find(const char *name);
/* "pgbackrest, barman, walg, restic, velero" */
const char *import_format_names(void);

/* The namespace of import ids (RFC 9562 UUIDv5): the id of a backup is
 * uuid_v5(IMPORT_UUID_NAMESPACE, {tool, repository, label}). */
#define IMPORT_UUID_NAMESPACE "1b8f3e52-6a0e-4d5c-9b1f-7c2d4e6a8f01"
void import_backup_id(const char *tool, const char *repository,
                      const char *label, char out[37]);

struct import_options {
	const char *format;
	const char *source;     /* the file's name in messages, "-" stdin */
	const char *service;    /* --service: every entry goes there */
	const char *repository; /* --repository: overrides the config's */
	const char *spec;       /* the config import by name; NULL: every
	                           import of the format lends its map */
	int dry_run;            /* do it all, then roll back */
	const char *actor_note; /* "agent" in the audit details, or NULL */
};

struct import_unmapped {
	char *names; /* "main" or "web, host1, /srv" */
	size_t count;
	char where[160];
};

struct import_result {
	size_t entries, inserted, updated, unchanged, expired, failed;
	size_t unmapped, conflicts;
	struct import_unmapped *groups; /* the unmapped, by names */
	size_t n_groups;
	char *conflict_msg; /* the first conflict, or NULL */
	char **services;    /* the services written to */
	size_t n_services;
};
void import_result_free(struct import_result *res);

/* Reads the listing from in (not closed; a pipe is copied to a temporary
 * file first: a pgBackRest listing is read twice), maps, writes.  Returns
 * DR_EINVAL for a document that is not the tool's listing (nothing
 * changed), DR_ENOTFOUND for an unknown format or --service. */
int import_run(struct catalog *cat, const struct config *cfg,
               const struct import_options *opt, FILE *in,
               struct import_result *res, char **err);

#endif
