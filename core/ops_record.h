/* Reports from existing scripts (core/ops.h): `record backup` and `record
 * replication`.  Every field is checked before anything is written; a bad
 * one is DR_EINVAL with a message naming the flag, and no change. */
#ifndef DR_OPS_RECORD_H
#define DR_OPS_RECORD_H

#include "core/ops.h"

/* A backup as a script reports it.  Strings may be NULL where the flag
 * is optional; times are Unix seconds, 0 for "not given". */
struct ops_backup_report {
	const char *service;  /* required */
	const char *type;     /* full, incremental, differential */
	const char *status;   /* pending ... corrupt */
	const char *checksum; /* "" or 64 hex digits */
	const char *location;
	const char *id;       /* NULL: a new UUID */
	const char *metadata; /* a JSON object */
	int64_t size;         /* -1: unknown */
	int64_t started, completed, retention_until;
	double compression_ratio; /* 0: unknown */
};

/* Inserts the backup, or updates the one with r->id (of the same
 * service).  backup_id gets its ID.  DR_ENOTFOUND for an unknown
 * service. */
int ops_record_backup(const struct ops_session *s,
                      const struct ops_backup_report *r, char backup_id[40],
                      char **err);

/* A replication sample.  r->service "" or a known service
 * (DR_ENOTFOUND). */
int ops_record_replication(const struct ops_session *s,
                           const struct catalog_replication *r, char **err);

#endif
