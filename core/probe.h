/* Probes: is a service reachable, and how far behind are its replicas?
 *
 * A probe is declared per service in the config (core/probe_config.h) and
 * has a kind; each kind lives in its own file with a const entry table
 * (core/probe_http.c, probe_tcp.c, probe_postgres.c, probe_command.c) that
 * parses its config keys and runs a batch of probes of that kind
 * concurrently.  probe_run() runs every kind's batch at the same time, each
 * in its own thread, so a hung PostgreSQL server cannot hold up the HTTP
 * checks: every probe ends by its own timeout.
 *
 * After `failures_before_down` consecutive failures (3 by default) a
 * service is down; core/probe_state (probe_track) keeps that count in the
 * catalog. */
#ifndef DR_PROBE_H
#define DR_PROBE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "db/catalog.h"
#include "db/catalog_agent.h"

struct probe_kind;

struct probe_spec {
	char service[64];
	char name[64];
	char agent[64]; /* "agent": only the agent of that name runs it; "":
	                   any one agent, each run claimed once */
	const struct probe_kind *kind;
	int64_t interval_s;
	long timeout_ms;
	double latency_max_ms; /* 0: no threshold (http, tcp, postgres) */

	/* http */
	char *url;
	long expect_status; /* default 200 */
	char *body_contains;
	char *ca_file;     /* CAs to trust instead of the system's */
	char *client_cert; /* PEM, for servers that ask for one (mTLS) */
	char *client_key;

	/* tcp */
	char *host;
	char port[16];

	/* postgres: the password comes from passfile (0600) or ~/.pgpass */
	char *conninfo;
	char *passfile;
	double lag_max_s;      /* replication lag threshold; 0: none */
	int64_t lag_max_bytes; /* 0: none */
	char **standbys;       /* application names a primary must stream to */
	size_t n_standbys;
	char *primary;          /* "primary": the check of this standby's
	                           primary; NULL: derived (see link_source) */
	char *application_name; /* "application_name": the standby's name on
	                            its primary; NULL: asked of the standby */
	/* The canonical source of the link this check samples when it finds
	 * a standby: "SERVICE/CHECK" of its primary's check, set once the
	 * service's checks are read; "": none (named by the upstream). */
	char link_source[128];

	/* command: argv (shell when given as one string) */
	char **argv;
	int has_min, has_max;
	double min, max;
};

/* What one run of one probe found. */
struct probe_outcome {
	int ok;
	double latency_ms; /* -1: unknown */
	double value;      /* a command's number; a standby's lag seconds */
	char message[256];
	char role[16]; /* postgres: primary | standby */
	int lag_over;  /* a replica's lag is over the probe's threshold */
	struct catalog_replication *repl; /* replication samples; owned */
	size_t n_repl;
};

struct probe_kind {
	const char *name;
	/* Config keys of this kind, beyond the common ones (name, kind,
	 * interval, timeout); NULL-terminated. */
	const char *const *keys;
	/* Reads the kind's keys from the probe's object; adds errors to
	 * errs with file:line:col. */
	void (*parse)(struct probe_spec *spec, const struct json_doc *doc,
	              const cJSON *obj, struct json_errors *errs);
	/* Optional: called once all of the service's checks are read, so
	 * that a check can refer to its siblings (a standby to its
	 * primary); obj is the check's own object, for errors. */
	void (*resolve)(struct probe_spec *spec,
	                const struct probe_spec *checks, size_t n,
	                const struct json_doc *doc, const cJSON *obj,
	                struct json_errors *errs);
	/* Runs specs[0..n) at once; fills out[i]; returns when every one has
	 * finished or reached its timeout. */
	void (*run)(struct probe_spec *const *specs, struct probe_outcome *out,
	            size_t n);
};

extern const struct probe_kind probe_kind_http;
extern const struct probe_kind probe_kind_tcp;
extern const struct probe_kind probe_kind_postgres;
extern const struct probe_kind probe_kind_command;

/* How a command probe judges what its command printed (a NUL-terminated
 * string), once the command exited 0: a number, within min and max. */
void probe_command_value(const struct probe_spec *s, const char *output,
                         struct probe_outcome *o);
struct http_response;
/* How an HTTP probe judges its answer: the status, body_contains, the
 * latency. */
void probe_http_judge(const struct probe_spec *s, const struct http_response *r,
                      struct probe_outcome *o);

/* NULL when unknown. */
const struct probe_kind *probe_kind_find(const char *name);
/* "http, tcp, postgres, command" */
const char *probe_kind_names(void);

/* Runs every spec once, all concurrently; out has n entries. */
void probe_run(struct probe_spec *const *specs, struct probe_outcome *out,
               size_t n);
void probe_outcome_clear(struct probe_outcome *o);
void probe_spec_clear(struct probe_spec *spec);

/* Stores one outcome: a health row and its replication samples. */
int probe_record(struct catalog *cat, const struct probe_spec *spec,
                 const struct probe_outcome *o, int64_t now, char **err);

/* A time in milliseconds from the config: a number of seconds (0.5), or
 * a string "250ms", "2s", "1m".  Helpers for the kinds' parsers; the
 * return values are json_get_number's. */
int probe_json_ms(struct json_errors *errs, const struct json_doc *doc,
                  const cJSON *obj, const char *key, double *ms);
int probe_json_string(struct json_errors *errs, const struct json_doc *doc,
                      const cJSON *obj, const char *key, int required,
                      char **out);

/* Folds one run into a probe's state: counts consecutive failures, goes
 * down when they reach `failures_before_down`, up again at the first
 * success.  Returns 1 when `down` changed. */
int probe_track(struct catalog_probe_state *st, int ok,
                int failures_before_down, const char *message, int64_t now);

/* Milliseconds on a monotonic clock. */
int64_t probe_now_ms(void);
/* Formats a probe outcome's message (helpers for the kinds). */
void probe_set_message(struct probe_outcome *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
