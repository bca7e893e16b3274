#include "core/backup_stream.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/xmalloc.h"

enum slot_state { SLOT_FREE, SLOT_READY, SLOT_BUSY, SLOT_DONE };

struct slot {
	enum slot_state state;
	uint64_t index;
	int final;
	uint8_t *plain;
	size_t plain_len;
	uint8_t *scratch;
	uint8_t *out;
	size_t out_len;
};

struct pipe {
	const struct backup_format_params *params;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot *slots;
	size_t nslots;
	uint64_t next_encode; /* lowest index not yet taken by a worker */
	uint64_t next_write;
	uint64_t published; /* slots [0, published) are READY or later */
	int input_done;     /* every chunk has been published */
	uint64_t total_chunks;
	int failed;
	int fail_rc;
	char *fail_msg;
	backup_stream_write_fn write_fn;
	void *write_arg;
	backup_stream_progress_fn progress;
	void *progress_arg;
	struct backup_stream_result *res;
	struct sha256_ctx *sha;
};

static void pipe_fail(struct pipe *p, int rc, char *msg)
{
	/* Called with p->mu held. */
	if (!p->failed) {
		p->failed = 1;
		p->fail_rc = rc;
		p->fail_msg = msg;
	} else {
		free(msg);
	}
	pthread_cond_broadcast(&p->cv);
}

static void *worker_main(void *arg)
{
	struct pipe *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->failed && p->next_encode >= p->published &&
		       !(p->input_done && p->next_encode >= p->total_chunks))
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->failed ||
		    (p->input_done && p->next_encode >= p->total_chunks))
			break;
		struct slot *s = &p->slots[p->next_encode % p->nslots];
		p->next_encode++;
		s->state = SLOT_BUSY;
		pthread_mutex_unlock(&p->mu);

		char *err = NULL;
		int rc = backup_format_chunk(p->params, s->index, s->final,
		                             s->plain, s->plain_len, s->scratch,
		                             s->out, &s->out_len, &err);
		pthread_mutex_lock(&p->mu);
		if (rc != DR_OK) {
			pipe_fail(p, rc, err);
			break;
		}
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static int emit(struct pipe *p, const void *buf, size_t n, char **err)
{
	if (n == 0)
		return DR_OK;
	int rc = p->write_fn(p->write_arg, buf, n, err);
	if (rc == DR_OK) {
		sha256_update(p->sha, buf, n);
		p->res->stored_bytes += n;
	}
	return rc;
}

static void *writer_main(void *arg)
{
	struct pipe *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct slot *s = &p->slots[p->next_write % p->nslots];
		while (!p->failed && s->state != SLOT_DONE &&
		       !(p->input_done && p->next_write >= p->total_chunks))
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->failed ||
		    (p->input_done && p->next_write >= p->total_chunks))
			break;
		pthread_mutex_unlock(&p->mu);

		char *err = NULL;
		int rc = emit(p, s->out, s->out_len, &err);
		if (rc == DR_OK) {
			p->res->plain_bytes += s->plain_len;
			p->res->chunks++;
			if (p->progress != NULL)
				p->progress(p->progress_arg,
				            p->res->plain_bytes,
				            p->res->stored_bytes);
		}
		pthread_mutex_lock(&p->mu);
		if (rc != DR_OK) {
			pipe_fail(p, rc, err);
			break;
		}
		s->state = SLOT_FREE;
		p->next_write++;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int backup_stream_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/* Reads until cap bytes or end of input, so chunks are full-sized. */
static int read_full(backup_stream_read_fn read_fn, void *arg, uint8_t *buf,
                     size_t cap, size_t *got, char **err)
{
	*got = 0;
	while (*got < cap) {
		size_t n = 0;
		int rc = read_fn(arg, buf + *got, cap - *got, &n, err);
		if (rc != DR_OK)
			return rc;
		if (n == 0)
			break;
		*got += n;
	}
	return DR_OK;
}

static void pipe_init(struct pipe *p, const struct backup_format_params *params,
                      int threads, backup_stream_write_fn write_fn,
                      void *write_arg, backup_stream_progress_fn progress,
                      void *progress_arg, struct backup_stream_result *res)
{
	size_t bound = backup_format_chunk_bound(params, params->chunk_size);

	memset(res, 0, sizeof *res);
	memset(p, 0, sizeof *p);
	p->params = params;
	p->write_fn = write_fn;
	p->write_arg = write_arg;
	p->progress = progress;
	p->progress_arg = progress_arg;
	p->res = res;
	p->sha = sha256_new();
	p->nslots = (size_t)threads * 2 + 2;
	p->slots = xcalloc(p->nslots, sizeof *p->slots);
	for (size_t i = 0; i < p->nslots; i++) {
		p->slots[i].plain = xmalloc(params->chunk_size);
		p->slots[i].out = xmalloc(bound);
		if (params->encrypted)
			p->slots[i].scratch = xmalloc(bound);
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
}

/* The digest is finished either way: its context is freed with it. */
static void pipe_destroy(struct pipe *p, int rc)
{
	if (rc == DR_OK) {
		sha256_final_hex(p->sha, p->res->sha256);
	} else {
		char discard[65];
		sha256_final_hex(p->sha, discard);
	}
	for (size_t i = 0; i < p->nslots; i++) {
		free(p->slots[i].plain);
		free(p->slots[i].out);
		free(p->slots[i].scratch);
	}
	free(p->slots);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
}

/* The reader: slot `idx` is filled, and published as soon as the next
 * read shows whether it was the last.  Returns when the input ended or the
 * pipe failed. */
static void read_chunks(struct pipe *p, backup_stream_read_fn read_fn,
                        void *read_arg)
{
	uint64_t idx = 0;
	for (;;) {
		struct slot *s = &p->slots[idx % p->nslots];
		pthread_mutex_lock(&p->mu);
		/* Keep one slot of distance so the slot being filled is never
		 * one a worker or the writer still owns. */
		while (!p->failed && s->state != SLOT_FREE)
			pthread_cond_wait(&p->cv, &p->mu);
		int failed = p->failed;
		pthread_mutex_unlock(&p->mu);
		if (failed)
			break;
		size_t got = 0;
		char *rerr = NULL;
		int rrc = read_full(read_fn, read_arg, s->plain,
		                    p->params->chunk_size, &got, &rerr);
		pthread_mutex_lock(&p->mu);
		if (rrc != DR_OK) {
			pipe_fail(p, rrc, rerr);
			pthread_mutex_unlock(&p->mu);
			break;
		}
		s->plain_len = got;
		s->index = idx;
		if (got == 0 && idx > 0) {
			/* End of input: the previous chunk was the last. */
			struct slot *prev = &p->slots[(idx - 1) % p->nslots];
			prev->final = 1;
			p->published = idx;
			p->total_chunks = idx;
			p->input_done = 1;
			pthread_cond_broadcast(&p->cv);
			pthread_mutex_unlock(&p->mu);
			break;
		}
		if (got == 0) {
			/* Empty input: one empty final chunk. */
			s->final = 1;
			s->state = SLOT_READY;
			p->published = 1;
			p->total_chunks = 1;
			p->input_done = 1;
			pthread_cond_broadcast(&p->cv);
			pthread_mutex_unlock(&p->mu);
			break;
		}
		s->final = 0;
		s->state = SLOT_READY;
		if (idx > 0) {
			p->published = idx; /* the previous one is now known */
			pthread_cond_broadcast(&p->cv);
		}
		pthread_mutex_unlock(&p->mu);
		idx++;
	}
}

int backup_stream_encode(const struct backup_format_params *params, int threads,
                         backup_stream_read_fn read_fn, void *read_arg,
                         backup_stream_write_fn write_fn, void *write_arg,
                         backup_stream_progress_fn progress, void *progress_arg,
                         struct backup_stream_result *res, char **err)
{
	struct pipe p;
	uint8_t edge[BACKUP_FORMAT_HEADER_LEN + BACKUP_FORMAT_TRAILER_LEN];
	int rc;

	if (threads <= 0)
		threads = backup_stream_cpus();
	pipe_init(&p, params, threads, write_fn, write_arg, progress,
	          progress_arg, res);
	size_t hlen = backup_format_header(params, edge);
	rc = emit(&p, edge, hlen, err);
	if (rc != DR_OK)
		goto out;

	pthread_t *tids = xcalloc((size_t)threads, sizeof *tids);
	pthread_t wtid;
	for (int i = 0; i < threads; i++)
		pthread_create(&tids[i], NULL, worker_main, &p);
	pthread_create(&wtid, NULL, writer_main, &p);
	read_chunks(&p, read_fn, read_arg);
	for (int i = 0; i < threads; i++)
		pthread_join(tids[i], NULL);
	pthread_join(wtid, NULL);
	free(tids);
	if (p.failed) {
		rc = p.fail_rc;
		*err = p.fail_msg;
		goto out;
	}
	size_t tlen =
	    backup_format_trailer(params, res->chunks, res->plain_bytes, edge);
	rc = emit(&p, edge, tlen, err);
out:
	pipe_destroy(&p, rc);
	return rc;
}
