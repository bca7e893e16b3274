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

#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define AUDIT_HASH_TAG "drconsole-audit-v1\n"

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

static const char *origin_override;

void audit_set_origin(const char *origin)
{
	origin_override = origin;
}

void audit_actor(char actor[64], char origin[64])
{
	const struct passwd *pw = getpwuid(geteuid());
	const char *name = pw != NULL ? pw->pw_name : NULL;

	if (name == NULL || name[0] == '\0')
		name = getenv("LOGNAME");
	if (name == NULL || name[0] == '\0')
		name = getenv("USER");
	if (name == NULL || name[0] == '\0')
		name = "unknown";
	strlcpy_dr(actor, name, 64);

	if (origin_override != NULL) {
		strlcpy_dr(origin, origin_override, 64);
		return;
	}
	first_field("SSH_CLIENT", origin, 64);
	if (origin[0] == '\0')
		first_field("SSH_CONNECTION", origin, 64);
}

/* ---- the hash --------------------------------------------------------- */

static void put_field(struct sha256_ctx *ctx, const char *data, size_t len)
{
	char prefix[32];
	int n = snprintf(prefix, sizeof(prefix), "%zu:", len);

	sha256_update(ctx, prefix, (size_t)n);
	sha256_update(ctx, data, len);
	sha256_update(ctx, "\n", 1);
}

static void put_str(struct sha256_ctx *ctx, const char *s)
{
	if (s == NULL)
		s = "";
	put_field(ctx, s, strlen(s));
}

static void put_int(struct sha256_ctx *ctx, int64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);

	put_field(ctx, buf, (size_t)n);
}

void audit_hash(const struct catalog_audit *rec, char hash_hex[72])
{
	struct sha256_ctx *ctx = sha256_new();

	sha256_update(ctx, AUDIT_HASH_TAG, strlen(AUDIT_HASH_TAG));
	put_str(ctx, rec->prev_hash);
	put_int(ctx, rec->seq);
	put_int(ctx, rec->at);
	put_str(ctx, rec->actor);
	put_str(ctx, rec->origin);
	put_str(ctx, rec->action);
	put_str(ctx, rec->subject);
	put_str(ctx, rec->details);
	sha256_final_hex(ctx, hash_hex);
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
	rec.at = time_now();
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
	int broken;
	int64_t first_bad;
	char *msg;
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

static int verify_row(const struct catalog_audit *rec, void *arg)
{
	struct verify_walk *w = arg;
	char hash[72];

	if (w->prev_seq == 0 && rec->seq != 1) {
		w->msg = xasprintf("audit log broken at row %" PRId64
		                   ": it is the first row, expected row 1 "
		                   "(rows deleted?)",
		                   rec->seq);
	} else if (w->prev_seq != 0 && rec->seq != w->prev_seq + 1) {
		w->msg =
		    xasprintf("audit log broken: row %" PRId64
		              " does not follow row %" PRId64 " (row deleted?)",
		              rec->seq, w->prev_seq);
	} else if (w->prev_seq == 0
	               ? !genesis_hash(rec->prev_hash)
	               : strcmp(rec->prev_hash, w->prev_hash) != 0) {
		w->msg = xasprintf("audit log broken at row %" PRId64
		                   ": its link to the previous row does not "
		                   "match",
		                   rec->seq);
	} else {
		audit_hash(rec, hash);
		if (strcmp(hash, rec->hash) != 0)
			w->msg = xasprintf("audit log broken at row %" PRId64
			                   ": hash does not match its contents",
			                   rec->seq);
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

int audit_verify(struct catalog *cat, int64_t *rows, int64_t *first_bad,
                 char **err)
{
	struct verify_walk w;
	char *walk_err = NULL;

	memset(&w, 0, sizeof(w));
	*rows = 0;
	*first_bad = 0;
	int rc = catalog_audit_each(cat, verify_row, &w, &walk_err);
	*rows = w.rows;
	if (w.broken) {
		free(walk_err);
		*first_bad = w.first_bad;
		*err = w.msg;
		return DR_ECORRUPT;
	}
	if (rc != 0) {
		*err = walk_err != NULL
		           ? walk_err
		           : xstrdup("audit: reading the log failed");
		return rc;
	}
	return DR_OK;
}
