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

/* A WAL position (pg_lsn) as a byte offset; -1: unknown (NULL). */
typedef int64_t pg_lsn;

struct pg_status {
	int status; /* CATALOG_OK (0) when the server answered */
	char error[256];
	char server[160]; /* host:port/dbname */
	double connect_ms;
	double total_ms;
	int in_recovery;       /* 1: standby */
	char standby_name[64]; /* cluster_name, or "" */
	/* primary */
	pg_lsn current_lsn; /* pg_current_wal_lsn() */
	struct pg_replica *replicas;
	size_t n_replicas;
	/* standby */
	pg_lsn replay_lsn;  /* pg_last_wal_replay_lsn() */
	pg_lsn receive_lsn; /* pg_last_wal_receive_lsn() */
	/* The newest WAL position the WAL receiver knows its upstream to
	 * have: the greatest of its written, flushed and latest_end LSNs
	 * (latest_end: what the sender last reported as its end of WAL). */
	pg_lsn sender_lsn;
	int replay_paused;
	int receiving;         /* the WAL receiver's status is streaming */
	char upstream[128];    /* sender host:port, or "" */
	char receiver_app[64]; /* application_name (or its fallback) the
	                          WAL receiver connects with, or "" */
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
