/* PostgreSQL for probes: libpq and the probes' SQL live here in db/, the
 * one place that speaks SQL; core/probe_postgres.c asks and interprets.
 * A batch of servers is probed at once with asynchronous libpq
 * (PQconnectStartParams/PQconnectPoll, PQsendQuery) under one poll() loop; each
 * server has its own deadline, so a hung one times out alone.
 *
 * Passwords come only from a passfile (mode 0600, checked) or ~/.pgpass; a
 * connection string holding a password is refused, and messages name the
 * server as host:port/dbname, never the connection string. */
#ifndef DR_DB_PG_PROBE_H
#define DR_DB_PG_PROBE_H

#include <stddef.h>
#include <stdint.h>

struct pg_target {
	const char *conninfo; /* "host=… port=… dbname=… user=…" or a URI */
	const char *passfile; /* NULL: libpq's default (~/.pgpass) */
	long timeout_ms;
};

struct pg_replica {
	char name[64];     /* application_name, or the client address */
	char client[64];   /* client address, or "local" */
	char state[16];    /* pg_stat_replication.state */
	int64_t lag_bytes; /* current WAL position - replay position; -1 */
	double lag_s;      /* replay_lag; -1: unknown */
};

struct pg_status {
	int status; /* CATALOG_OK (0) when the server answered */
	char error[256];
	char server[160]; /* host:port/dbname */
	double connect_ms;
	double total_ms;
	int in_recovery; /* 1: standby */
	/* standby */
	double replay_age_s;  /* now - pg_last_xact_replay_timestamp(); -1 */
	int64_t replay_bytes; /* received - replayed WAL; -1: unknown */
	int replay_paused;
	int receiving;         /* a WAL receiver is streaming */
	char upstream[128];    /* sender host:port, or "" */
	char standby_name[64]; /* cluster_name, or "" */
	/* primary */
	struct pg_replica *replicas;
	size_t n_replicas;
};

/* CATALOG_EINVAL when the string does not parse or carries a
 * password. */
int pg_conninfo_check(const char *conninfo, char **err);
/* host:port/dbname of a connection string, without secrets. */
void pg_conninfo_describe(const char *conninfo, char *buf, size_t size);
/* CATALOG_EINVAL when the file is readable or writable by group or
 * others, CATALOG_EIO when it cannot be read. */
int pg_passfile_check(const char *path, char **err);

void pg_probe_batch(const struct pg_target *targets, size_t n,
                    struct pg_status *out);
void pg_status_clear(struct pg_status *s);

#endif
