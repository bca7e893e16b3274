/* The audit trail: who did what, when, chained by SHA-256 so that an edit
 * or a deleted row shows. */
#ifndef DR_AUDIT_H
#define DR_AUDIT_H

#include <stdint.h>

#include "db/catalog.h"

/* The login name, and the SSH client address from $SSH_CLIENT (or ""),
 * unless audit_set_origin() named another origin. */
void audit_actor(char actor[64], char origin[64]);
/* For the rest of the process, the origin recorded with the login name in
 * place of the SSH address: "unattended" for the agent's automatic
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
/* Walks the chain.  DR_OK with *rows set when intact; DR_ECORRUPT with
 * *first_bad the seq of the first row that does not match, and a message
 * saying what is wrong. */
int audit_verify(struct catalog *cat, int64_t *rows, int64_t *first_bad,
                 char **err);

#endif
