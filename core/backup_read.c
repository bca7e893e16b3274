/* Reading a backup's object back: the checking reader, the SHA-256 against
 * the catalog, and the sink the plain bytes go to (nowhere for verify, a
 * file or a command for restore and restore test).  The sink's model is in
 * backup_int.h. */
#include "core/backup_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/backup_format.h"
#include "core/cancel.h"
#include "core/crypto.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static void sink_fail(struct backup_reader_sink *c, char *why)
{
	if (c->sink_err == NULL)
		c->sink_err = why;
	else
		free(why);
	c->fd = -1;
}

void backup_sink_start(struct backup_reader_sink *c)
{
	char *e = NULL;
	c->started = 1;
	if (c->def == NULL || c->def->path != NULL)
		return; /* nowhere, or a file that is open already */
	int rc =
	    c->def->pass_output
	        ? spawn_start_passing(c->def->argv, c->def->shell, c->def->env,
	                              STDOUT_FILENO, STDERR_FILENO, &c->sp, &e)
	        : spawn_start(c->def->argv, c->def->shell, c->def->env,
	                      SPAWN_WRITE, &c->sp, &e);
	if (rc != DR_OK) {
		sink_fail(c, e);
		return;
	}
	c->fd = spawn_fd(c->sp);
	c->what = spawn_name(c->sp);
}

/* The command closed its end: what is still in the pipe was never read. */
static void sink_closed(struct backup_reader_sink *c)
{
	int unread = 0;
	c->closed_early = 1;
	c->taken = ioctl(c->fd, FIONREAD, &unread) == 0 && unread >= 0 &&
	                   (uint64_t)unread <= c->delivered
	               ? (int64_t)(c->delivered - (uint64_t)unread)
	               : -1;
	c->fd = -1;
}

static int sink_emit(void *arg, const void *buf, size_t n, char **err)
{
	struct backup_reader_sink *c = arg;
	const char *p = buf;
	(void)err;
	c->plain += n;
	if (c->progress != NULL) {
		struct backup_progress bp = {
		    .plain_bytes = c->plain,
		    .expected_bytes = c->expected,
		    .elapsed_s = time_mono() - c->t0,
		};
		c->progress(c->progress_arg, &bp);
	}
	if (!c->started)
		backup_sink_start(c);
	while (c->fd >= 0 && n > 0) {
		ssize_t w = write(c->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EPIPE) {
			sink_closed(c);
			break;
		}
		if (w < 0) {
			sink_fail(c, xasprintf("writing to %s: %s", c->what,
			                       strerror(errno)));
			break;
		}
		p += w;
		n -= (size_t)w;
		c->delivered += (uint64_t)w;
	}
	return DR_OK;
}

/* Feeds the whole object through the reader into the sink, hashing every
 * stored byte.  A key the reader refuses stops the feeding, not the
 * reading: *key_err keeps why, and only the SHA-256 can say whether the
 * key or the object is at fault. */
static int read_object(struct repo_get *get, struct backup_format_reader *rd,
                       struct sha256_ctx *sha, struct backup_reader_sink *sink,
                       uint64_t *stored, char **key_err, char **err)
{
	uint8_t *buf = xmalloc(BACKUP_IO_BUF);
	int rc;
	for (;;) {
		size_t got = 0;
		/* A stop (core/cancel.h) between chunks: the row is left as
		 * it was. */
		if (cancel_requested()) {
			*err = xstrdup("interrupted: the object was not read "
			               "to its end");
			rc = DR_EIO;
			break;
		}
		rc = repo_get_read(get, buf, BACKUP_IO_BUF, &got, err);
		if (rc != DR_OK || got == 0)
			break;
		*stored += got;
		sha256_update(sha, buf, got);
		if (*key_err != NULL)
			continue; /* only the SHA-256 can tell why */
		rc = backup_format_reader_feed(rd, buf, got, sink_emit, sink,
		                               err);
		if (rc == DR_EKEY) {
			*key_err = *err;
			*err = NULL;
			rc = DR_OK;
		} else if (rc != DR_OK) {
			break;
		}
	}
	if (rc == DR_OK && *key_err == NULL)
		rc = backup_format_reader_finish(rd, NULL, NULL, err);
	free(buf);
	return rc;
}

/* The verdict once the object was read: its SHA-256 against the
 * catalog's, and a refused key told apart from a changed object. */
static int read_verdict(const struct catalog_backup *b, const char *hex,
                        const char *key_err, const struct backup_key *key,
                        int rc, char **err)
{
	if (rc != DR_OK)
		return rc;
	if (b->checksum[0] != '\0' && strcmp(hex, b->checksum) != 0) {
		*err = xasprintf("checksum mismatch: the object's SHA-256 is "
		                 "%s, the catalog recorded %s",
		                 hex, b->checksum);
		return DR_ECORRUPT;
	}
	if (key_err == NULL)
		return DR_OK;
	char *who = key->who != NULL
	                ? xstrdup(key->who)
	                : xasprintf("key file %s does not open", key->path);
	*err = xasprintf("wrong key: %s backup %s (%s)%s%s", who, b->backup_id,
	                 b->checksum[0] != '\0'
	                     ? "the object is intact: its SHA-256 matches "
	                       "the catalog"
	                     : "or its header was changed",
	                 key->note != NULL ? "; " : "",
	                 key->note != NULL ? key->note : "");
	free(who);
	return DR_EKEY;
}

int backup_read_back(const struct config *cfg, const struct catalog_backup *b,
                     const cJSON *m, const struct backup_key *key,
                     struct backup_reader_sink *sink, uint64_t *stored,
                     char **err)
{
	const char *object = backup_meta_str(m, "object");
	struct repo *repo = NULL;
	struct repo_get *get = NULL;
	char hex[65], *key_err = NULL;
	int rc;

	*stored = 0;
	if (object == NULL) {
		*err =
		    xasprintf("backup %s has no object recorded", b->backup_id);
		return DR_ENOTFOUND;
	}
	rc = backup_open_repo_of(cfg, m, &repo, err);
	if (rc != DR_OK)
		return rc;
	rc = repo_get_open(repo, object, &get, err);
	if (rc == DR_ENOTFOUND) {
		free(*err);
		*err = xasprintf("the object %s is missing from the repository",
		                 object);
		rc = DR_ECORRUPT;
	}
	if (rc == DR_OK) {
		struct backup_format_reader *rd = backup_format_reader_new(
		    b->backup_id, key->secret, key->len);
		struct sha256_ctx *sha = sha256_new();
		rc = read_object(get, rd, sha, sink, stored, &key_err, err);
		sha256_final_hex(sha, hex);
		rc = read_verdict(b, hex, key_err, key, rc, err);
		backup_format_reader_free(rd);
	}
	free(key_err);
	repo_get_close(get);
	repo_close(repo);
	return rc;
}
