/* The audit trail: who did what, when, chained by SHA-256 so that an edit
 * or a deleted row shows. */
#ifndef DR_AUDIT_H
#define DR_AUDIT_H

#include <stdint.h>

#include "db/catalog.h"

/* The login name ("alice as root" when sudo changed the user: $SUDO_USER
 * with a $SUDO_UID other than ours), and the SSH client address from
 * $SSH_CLIENT (or ""; only an address's characters are kept),
 * unless audit_set_origin() named another origin. */
void audit_actor(char actor[64], char origin[64]);
/* For the rest of the calling thread, the origin recorded with the login
 * name in place of the SSH address: "unattended" for the agent's automatic
 * failover.  NULL goes back to the SSH address. */
void audit_set_origin(const char *origin);
/* The hasher: hex SHA-256 of rec's canonical serialisation (prev_hash,
 * seq, at, actor, origin, action, subject, details; each length-prefixed).
 * rec->hash is not read. */
void audit_hash(const struct catalog_audit *rec, char hash_hex[72]);
/* Installs the hasher on an open catalog (done by every opener). */
void audit_attach(struct catalog *cat);
/* Appends one row for the current actor.  Call inside the transaction of
 * the change.  details may be NULL. */
int audit_record(struct catalog *cat, const char *action, const char *subject,
                 const char *details, char **err);
/* Keys the chain for the rest of the process: rows written from now on
 * carry HMAC-SHA-256 under the key file's secret ("k1:" + hex), so a
 * rewrite needs the key; keyed rows verify only with it.  The file must be
 * 0600, as key files are.  audit_forget_key() wipes it. */
int audit_use_key_file(const char *path, char **err);
void audit_forget_key(void);
int audit_keyed(void);

/* A head seen earlier, kept outside the catalog: the chain must still hold
 * row `seq` with exactly this hash. */
struct audit_anchor {
	int64_t seq;
	char hash[72];
};
/* "SEQ:HASH" as `audit head` prints it.  DR_EINVAL naming the text. */
int audit_anchor_parse(const char *text, struct audit_anchor *out, char **err);

struct audit_verify_result {
	int64_t rows;
	int64_t first_bad;   /* 0 when intact */
	int64_t first_keyed; /* 0 when no row is keyed */
	int64_t head_seq;    /* the newest row checked */
	char head_hash[72];
};
/* Walks the chain and checks every anchor against it: an anchor whose
 * row is gone (truncation) or whose hash differs (rewrite) breaks it, as
 * does an unkeyed row after a keyed one, or no keyed row at all while a
 * key is in use.  DR_OK, or DR_ECORRUPT with res->first_bad and *err. */
int audit_verify_anchored(struct catalog *cat,
                          const struct audit_anchor *anchors, size_t n,
                          struct audit_verify_result *res, char **err);
/* Walks the chain.  DR_OK with *rows set when intact; DR_ECORRUPT with
 * *first_bad the seq of the first row that does not match, and a message
 * saying what is wrong. */
int audit_verify(struct catalog *cat, int64_t *rows, int64_t *first_bad,
                 char **err);

struct notify_config;
/* Publishes the chain's head (SEQ:HASH) to syslog (LOG_AUTH, notice) and,
 * when it moved, to the notification channels (event "audit", subject
 * "audit-head", severity info): the agent does it every hour, so an anchor
 * exists outside the catalog.  *message (malloc'd) says what was done. */
int audit_publish_head(struct catalog *cat, const struct notify_config *nc,
                       const char *environment, char **message);

#endif
