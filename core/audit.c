/* The audit trail's hash chain.  Each row's hash is SHA-256 over a
 * canonical serialisation of the row that includes the previous row's
 * hash, so editing a row breaks its own hash and deleting one breaks the
 * link (and leaves a gap in seq, which must grow by exactly one).
 *
 * The serialisation is unambiguous: a fixed tag, then every field as
 * "<decimal length>:<bytes>\n" in a fixed order (prev_hash, seq, at,
 * actor, origin, action, subject, details), numbers in decimal.  Length
 * prefixes keep "ab"+"c" apart from "a"+"bc".  details NULL and ""
 * serialise alike, so a backend may store either.  Changing any of this
 * breaks every existing chain: bump the tag instead. */
#include "core/audit.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/notify.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define AUDIT_HASH_TAG "drconsole-audit-v1\n"
/* A keyed row: HMAC-SHA-256 under the chain key of the same fields, with
 * its own tag, stored as "k1:" and 64 hex digits. */
#define AUDIT_HMAC_TAG     "drconsole-audit-hmac-v1\n"
#define AUDIT_KEYED_PREFIX "k1:"

/* ---- who -------------------------------------------------------------- */

/* The first space-separated field of an environment variable, or "". */
static void first_field(const char *var, char *out, size_t size)
{
	const char *v = getenv(var);

	out[0] = '\0';
	if (v == NULL)
		return;
	v += strspn(v, " \t");
	size_t len = strcspn(v, " \t");
	if (len >= size)
		len = size - 1;
	memcpy(out, v, len);
	out[len] = '\0';
}

/* Per thread: the agent's failover runs are "unattended" while its own
 * rows are not. */
static _Thread_local const char *origin_override;

void audit_set_origin(const char *origin)
{
	origin_override = origin;
}

/* Only the characters a login name or an address is made of: the
 * environment is the caller's, and its bytes go into the record. */
static int plain_word(const char *s, const char *extra)
{
	if (s[0] == '\0')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

/* sudo's caller, when sudo changed the user: $SUDO_USER, believed only
 * with a $SUDO_UID that is not the current one (a plain shell that sets
 * SUDO_USER names nobody); "" otherwise. */
static void sudo_caller(char out[33])
{
	const char *user = getenv("SUDO_USER"), *uid = getenv("SUDO_UID");
	char *end = NULL;

	out[0] = '\0';
	if (user == NULL || uid == NULL || strlen(user) > 32 ||
	    !plain_word(user, "._-"))
		return;
	errno = 0;
	unsigned long u = strtoul(uid, &end, 10);
	if (errno != 0 || end == uid || *end != '\0' ||
	    u == (unsigned long)geteuid())
		return;
	strlcpy_dr(out, user, 33);
}

void audit_actor(char actor[64], char origin[64])
{
	struct passwd pwbuf, *pw = NULL;
	char buf[1024];
	const char *name = NULL;

	/* The reentrant form: the agent's threads ask at the same time. */
	if (getpwuid_r(geteuid(), &pwbuf, buf, sizeof buf, &pw) == 0 &&
	    pw != NULL)
		name = pw->pw_name;

	if (name == NULL || name[0] == '\0')
		name = getenv("LOGNAME");
	if (name == NULL || name[0] == '\0')
		name = getenv("USER");
	if (name == NULL || name[0] == '\0')
		name = "unknown";
	char caller[33];
	sudo_caller(caller);
	if (caller[0] != '\0' && strcmp(caller, name) != 0)
		snprintf(actor, 64, "%s as %s", caller, name);
	else
		strlcpy_dr(actor, name, 64);

	if (origin_override != NULL) {
		strlcpy_dr(origin, origin_override, 64);
		return;
	}
	first_field("SSH_CLIENT", origin, 64);
	if (origin[0] == '\0')
		first_field("SSH_CONNECTION", origin, 64);
	if (origin[0] != '\0' && !plain_word(origin, ".:%-"))
		origin[0] = '\0';
}

/* ---- the hash --------------------------------------------------------- */

/* The serialisation, built whole so that it can be hashed or keyed. */
struct ser {
	char *buf;
	size_t len, cap;
};

static void ser_add(struct ser *s, const void *data, size_t len)
{
	if (s->len + len + 1 > s->cap) {
		s->cap = (s->len + len + 1) * 2;
		s->buf = xrealloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
}

static void put_field(struct ser *s, const char *data, size_t len)
{
	char prefix[32];
	int n = snprintf(prefix, sizeof(prefix), "%zu:", len);

	ser_add(s, prefix, (size_t)n);
	ser_add(s, data, len);
	ser_add(s, "\n", 1);
}

static void put_str(struct ser *s, const char *v)
{
	if (v == NULL)
		v = "";
	put_field(s, v, strlen(v));
}

static void put_int(struct ser *s, int64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);

	put_field(s, buf, (size_t)n);
}

static void serialise(const struct catalog_audit *rec, const char *tag,
                      struct ser *s)
{
	ser_add(s, tag, strlen(tag));
	put_str(s, rec->prev_hash);
	put_int(s, rec->seq);
	put_int(s, rec->at);
	put_str(s, rec->actor);
	put_str(s, rec->origin);
	put_str(s, rec->action);
	put_str(s, rec->subject);
	put_str(s, rec->details);
}

/* The chain key (audit_key_file), for the rest of the process. */
static uint8_t *chain_key;
static size_t chain_key_len;

int audit_use_key_file(const char *path, char **err)
{
	uint8_t *secret = NULL;
	size_t len = 0;
	int rc = crypto_key_file_read(path, &secret, &len, err);

	if (rc != DR_OK) {
		char *msg = xasprintf("audit_key_file: %s", *err);
		free(*err);
		*err = msg;
		return rc;
	}
	audit_forget_key();
	chain_key = secret;
	chain_key_len = len;
	return DR_OK;
}

void audit_forget_key(void)
{
	if (chain_key != NULL)
		crypto_secret_free(chain_key, chain_key_len);
	chain_key = NULL;
	chain_key_len = 0;
}

int audit_keyed(void)
{
	return chain_key != NULL;
}

static int is_keyed_hash(const char *h)
{
	return strncmp(h, AUDIT_KEYED_PREFIX, strlen(AUDIT_KEYED_PREFIX)) == 0;
}

static void hash_plain(const struct catalog_audit *rec, char hash_hex[72])
{
	struct ser s = {0};

	serialise(rec, AUDIT_HASH_TAG, &s);
	sha256_hex(s.buf, s.len, hash_hex);
	free(s.buf);
}

static void hash_keyed(const struct catalog_audit *rec, char hash_hex[72])
{
	struct ser s = {0};
	char mac[65];

	serialise(rec, AUDIT_HMAC_TAG, &s);
	crypto_hmac_sha256_hex(chain_key, chain_key_len, s.buf, s.len, mac);
	snprintf(hash_hex, 72, "%s%s", AUDIT_KEYED_PREFIX, mac);
	free(s.buf);
}

void audit_hash(const struct catalog_audit *rec, char hash_hex[72])
{
	if (chain_key != NULL)
		hash_keyed(rec, hash_hex);
	else
		hash_plain(rec, hash_hex);
}

void audit_attach(struct catalog *cat)
{
	catalog_set_audit_hasher(cat, audit_hash);
}

/* ---- writing ---------------------------------------------------------- */

int audit_record(struct catalog *cat, const char *action, const char *subject,
                 const char *details, char **err)
{
	struct catalog_audit rec;

	if (action == NULL || action[0] == '\0') {
		*err = xstrdup("audit: an action is required");
		return DR_EINVAL;
	}
	memset(&rec, 0, sizeof(rec));
	/* The real time, always: DRCONSOLE_NOW moves the evidence clock,
	 * never the trail of who did what when. */
	rec.at = time_real_now();
	audit_actor(rec.actor, rec.origin);
	strlcpy_dr(rec.action, action, sizeof(rec.action));
	strlcpy_dr(rec.subject, subject != NULL ? subject : "",
	           sizeof(rec.subject));
	rec.details = details != NULL ? xstrdup(details) : NULL;

	/* Cheap, and makes sure no row is ever written without a hash. */
	audit_attach(cat);
	int rc = catalog_audit_append(cat, &rec, err);
	free(rec.details);
	return rc;
}

/* ---- checking --------------------------------------------------------- */

struct verify_walk {
	int64_t rows;
	int64_t prev_seq; /* 0 before the first row */
	char prev_hash[72];
	int64_t first_keyed; /* 0: none yet */
	int broken;
	int64_t first_bad;
	char *msg;
	const struct audit_anchor *anchors;
	size_t n_anchors;
	int *anchor_seen;
};

/* The first row links to nothing: an empty or all-zero previous hash. */
static int genesis_hash(const char *h)
{
	if (h[0] == '\0')
		return 1;
	if (strlen(h) != 64)
		return 0;
	return strspn(h, "0") == 64;
}

static char *check_row(struct verify_walk *w, const struct catalog_audit *rec)
{
	char hash[72];

	if (w->prev_seq == 0 && rec->seq != 1)
		return xasprintf("audit log broken at row %" PRId64
		                 ": it is the first row, expected row 1 "
		                 "(rows deleted?)",
		                 rec->seq);
	if (w->prev_seq != 0 && rec->seq != w->prev_seq + 1)
		return xasprintf("audit log broken: row %" PRId64
		                 " does not follow row %" PRId64
		                 " (row deleted?)",
		                 rec->seq, w->prev_seq);
	if (w->prev_seq == 0 ? !genesis_hash(rec->prev_hash)
	                     : strcmp(rec->prev_hash, w->prev_hash) != 0)
		return xasprintf("audit log broken at row %" PRId64
		                 ": its link to the previous row does not "
		                 "match",
		                 rec->seq);
	if (is_keyed_hash(rec->hash)) {
		if (chain_key == NULL)
			return xasprintf("audit log row %" PRId64
			                 " is keyed: give the key it was "
			                 "written with (audit_key_file in the "
			                 "config, or --key-file)",
			                 rec->seq);
		hash_keyed(rec, hash);
		if (strcmp(hash, rec->hash) != 0)
			return xasprintf("audit log broken at row %" PRId64
			                 ": its keyed hash does not match its "
			                 "contents (changed, or another key)",
			                 rec->seq);
		if (w->first_keyed == 0)
			w->first_keyed = rec->seq;
		return NULL;
	}
	if (w->first_keyed != 0)
		return xasprintf("audit log broken at row %" PRId64
		                 ": it is not keyed but follows keyed row "
		                 "%" PRId64 " (rewritten without the key?)",
		                 rec->seq, w->first_keyed);
	hash_plain(rec, hash);
	if (strcmp(hash, rec->hash) != 0)
		return xasprintf("audit log broken at row %" PRId64
		                 ": hash does not match its contents",
		                 rec->seq);
	return NULL;
}

static int verify_row(const struct catalog_audit *rec, void *arg)
{
	struct verify_walk *w = arg;

	w->msg = check_row(w, rec);
	for (size_t i = 0; w->msg == NULL && i < w->n_anchors; i++) {
		if (w->anchors[i].seq != rec->seq)
			continue;
		w->anchor_seen[i] = 1;
		if (strcmp(w->anchors[i].hash, rec->hash) != 0)
			w->msg = xasprintf(
			    "audit log broken at row %" PRId64
			    ": its hash is %.16s..., the anchor %" PRId64
			    ":%.16s... says otherwise (the log was rewritten)",
			    rec->seq, rec->hash, w->anchors[i].seq,
			    w->anchors[i].hash);
	}
	if (w->msg != NULL) {
		w->broken = 1;
		w->first_bad = rec->seq;
		return 1;
	}
	w->rows++;
	w->prev_seq = rec->seq;
	strlcpy_dr(w->prev_hash, rec->hash, sizeof(w->prev_hash));
	return 0;
}

int audit_verify_anchored(struct catalog *cat,
                          const struct audit_anchor *anchors, size_t n,
                          struct audit_verify_result *res, char **err)
{
	struct verify_walk w;
	char *walk_err = NULL;

	memset(&w, 0, sizeof(w));
	memset(res, 0, sizeof(*res));
	w.anchors = anchors;
	w.n_anchors = n;
	w.anchor_seen = xcalloc(n > 0 ? n : 1, sizeof(int));
	int rc = catalog_audit_each(cat, verify_row, &w, &walk_err);
	res->rows = w.rows;
	res->first_keyed = w.first_keyed;
	res->head_seq = w.prev_seq;
	strlcpy_dr(res->head_hash, w.prev_hash, sizeof(res->head_hash));
	if (w.broken) {
		free(walk_err);
		free(w.anchor_seen);
		res->first_bad = w.first_bad;
		*err = w.msg;
		return DR_ECORRUPT;
	}
	if (rc != 0) {
		free(w.anchor_seen);
		*err = walk_err != NULL
		           ? walk_err
		           : xstrdup("audit: reading the log failed");
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		if (w.anchor_seen[i])
			continue;
		*err = xasprintf("audit log broken: it ends at row %" PRId64
		                 " but the anchor %" PRId64
		                 ":%.16s... names a later "
		                 "row (rows deleted from its end?)",
		                 w.prev_seq, anchors[i].seq, anchors[i].hash);
		res->first_bad = w.prev_seq + 1;
		free(w.anchor_seen);
		return DR_ECORRUPT;
	}
	free(w.anchor_seen);
	/* With a key configured, a newest row without one means rows
	 * written since the key was set were rewritten without it. */
	if (chain_key != NULL && w.rows > 0 && w.first_keyed == 0) {
		*err = xasprintf(
		    "audit log: no row is keyed although audit_key_file is "
		    "set (rewritten without the key, or nothing written "
		    "since the key was set: 'drconsole audit seal' adds a "
		    "keyed row)");
		res->first_bad = w.prev_seq;
		return DR_ECORRUPT;
	}
	return DR_OK;
}

int audit_verify(struct catalog *cat, int64_t *rows, int64_t *first_bad,
                 char **err)
{
	struct audit_verify_result res;
	int rc = audit_verify_anchored(cat, NULL, 0, &res, err);

	*rows = res.rows;
	*first_bad = res.first_bad;
	return rc;
}

int audit_anchor_parse(const char *text, struct audit_anchor *out, char **err)
{
	char *end;
	const char *colon = strchr(text, ':');

	memset(out, 0, sizeof(*out));
	errno = 0;
	long long seq = colon != NULL ? strtoll(text, &end, 10) : 0;
	if (colon == NULL || end != colon || seq <= 0 || errno != 0) {
		*err = xasprintf("anchor \"%s\": expected SEQ:HASH, as "
		                 "'drconsole audit head' prints it",
		                 text);
		return DR_EINVAL;
	}
	const char *h = colon + 1;
	int keyed =
	    strncmp(h, AUDIT_KEYED_PREFIX, strlen(AUDIT_KEYED_PREFIX)) == 0;
	if (!sha256_hex_valid(keyed ? h + strlen(AUDIT_KEYED_PREFIX) : h)) {
		*err = xasprintf("anchor \"%s\": the hash is not 64 hex "
		                 "digits%s",
		                 text, keyed ? " after k1:" : "");
		return DR_EINVAL;
	}
	out->seq = seq;
	strlcpy_dr(out->hash, h, sizeof(out->hash));
	return DR_OK;
}

int audit_publish_head(struct catalog *cat, const struct notify_config *nc,
                       const char *environment, char **message)
{
	struct catalog_audit *list = NULL;
	size_t n = 0;
	char *err = NULL;

	if (catalog_audit_list(cat, 1, &list, &n, &err) != DR_OK) {
		*message = xasprintf("cannot read the audit head: %s",
		                     err ? err : "?");
		free(err);
		return DR_EDB;
	}
	if (n == 0) {
		*message = xstrdup("the audit log is empty");
		return DR_OK;
	}
	char head[128];
	snprintf(head, sizeof head, "%lld:%s", (long long)list[0].seq,
	         list[0].hash);
	catalog_audits_free(list, n);
	/* Syslog keeps it beyond the catalog's reach (and its host's, when
	 * syslog forwards); the channels keep it with people. */
	openlog("drconsole-agent", LOG_PID | LOG_NDELAY, LOG_AUTH);
	syslog(LOG_NOTICE, "audit head %s catalog %s", head,
	       catalog_where(cat));
	closelog();
	char *text = xasprintf("audit head %s (keep it: drconsole audit verify "
	                       "--anchor %s)",
	                       head, head);
	struct notify_event ev = {
	    .type = "audit",
	    .subject = "audit-head",
	    .state = head,
	    .message = text,
	    .severity = "info",
	};
	if (nc != NULL && notify_event(cat, nc, environment, &ev, time_now(), 0,
	                               NULL, &err) != DR_OK) {
		*message =
		    xasprintf("audit head %s sent to syslog; the channels "
		              "failed: %s",
		              head, err ? err : "?");
		free(err);
		free(text);
		return DR_EIO;
	}
	free(text);
	*message = xasprintf("audit head %s published", head);
	return DR_OK;
}
