/* The shared part of imports (the model is in import.h).
 *
 * A parser hands over entries one at a time; each is mapped to a service,
 * given its id and written through db/catalog_import.h at once, so memory
 * stays bounded by the few names seen, not by the listing.  Everything
 * runs in one transaction that ends with one audit row: a malformed
 * document found half-way rolls it all back.  A dry run does the same
 * work and rolls back, so its counts are exact. */
#include "core/import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/import_config.h"
#include "core/json.h"
#include "core/ops.h"
#include "core/uuid.h"
#include "core/xmalloc.h"
#include "db/catalog_import.h"

static const struct import_format *const formats[] = {
    &import_pgbackrest_format, &import_barman_format, &import_walg_format,
    &import_restic_format,     &import_velero_format, NULL,
};

const struct import_format *import_format_find(const char *name)
{
	for (size_t i = 0; formats[i] != NULL; i++)
		if (strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}

const char *import_format_names(void)
{
	return "pgbackrest, barman, walg, restic, velero";
}

void import_backup_id(const char *tool, const char *repository,
                      const char *label, char out[37])
{
	const char *parts[3] = {tool, repository, label};
	uuid_v5(IMPORT_UUID_NAMESPACE, parts, 3, out);
}

void import_result_free(struct import_result *res)
{
	for (size_t i = 0; i < res->n_groups; i++)
		free(res->groups[i].names);
	free(res->groups);
	free(res->conflict_msg);
	for (size_t i = 0; i < res->n_services; i++)
		free(res->services[i]);
	free(res->services);
	memset(res, 0, sizeof(*res));
}

/* ---- mapping ------------------------------------------------------------ */

struct mapped {
	char *key;     /* the names, joined by \x1f */
	char *service; /* NULL: unmapped */
};

struct pair {
	char *service, *repository;
};

struct importer {
	struct catalog *cat;
	struct catalog_import *imp;
	const struct import_format *fmt;
	const struct import_options *opt;
	const struct import_spec **specs; /* the config's, of this format */
	size_t n_specs;
	const char *fixed_service; /* --service or a spec's "service" */
	struct mapped *cache;
	size_t n_cache, last;
	struct pair *pairs; /* (service, repository) to expire in */
	size_t n_pairs, last_pair;
	struct import_result *res;
};

static char *join_names(const char *const *names, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	char *key = xmalloc(len), *p = key;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]);
		memcpy(p, names[i], l);
		p += l;
		*p++ = '\x1f';
	}
	*p = '\0';
	return key;
}

/* The service for these names, or NULL. */
static const char *lookup(struct importer *im, const char *const *names,
                          size_t n, char **err, int *rc)
{
	char *key = join_names(names, n);
	const char *found = NULL;

	*rc = DR_OK;
	if (im->n_cache > 0 && strcmp(im->cache[im->last].key, key) == 0) {
		free(key);
		return im->cache[im->last].service;
	}
	for (size_t i = 0; i < im->n_cache; i++)
		if (strcmp(im->cache[i].key, key) == 0) {
			im->last = i;
			free(key);
			return im->cache[i].service;
		}
	if (im->fixed_service != NULL)
		found = im->fixed_service;
	for (size_t s = 0; found == NULL && s < im->n_specs; s++)
		for (size_t i = 0; found == NULL && i < n; i++)
			for (size_t m = 0; m < im->specs[s]->n_map; m++)
				if (strcmp(im->specs[s]->map[m].from,
				           names[i]) == 0) {
					found = im->specs[s]->map[m].service;
					break;
				}
	char *svc = found ? xstrdup(found) : NULL;
	for (size_t i = 0; svc == NULL && i < n; i++) {
		struct catalog_service cs;
		char *gerr = NULL;
		int g = catalog_service_get(im->cat, names[i], &cs, &gerr);
		free(gerr);
		if (g == DR_OK)
			svc = xstrdup(names[i]);
	}
	if (svc != NULL && found != NULL) {
		/* A mapped name must lead to a service that exists. */
		struct catalog_service cs;
		char *gerr = NULL;
		if (catalog_service_get(im->cat, svc, &cs, &gerr) != DR_OK) {
			*err =
			    xasprintf("the imports map sends %s \"%s\" to "
			              "service \"%s\", which does not exist "
			              "(add it with 'drconsole service add')",
			              im->fmt->names_what, names[0], svc);
			*rc = DR_ENOTFOUND;
			free(gerr);
			free(svc);
			free(key);
			return NULL;
		}
	}
	im->cache =
	    xreallocarray(im->cache, im->n_cache + 1, sizeof(*im->cache));
	im->cache[im->n_cache].key = key;
	im->cache[im->n_cache].service = svc;
	im->last = im->n_cache++;
	return svc;
}

static const char *repository_of(const struct importer *im, const char *own)
{
	if (own != NULL)
		return own;
	if (im->opt->repository != NULL)
		return im->opt->repository;
	for (size_t s = 0; s < im->n_specs; s++)
		if (im->specs[s]->repository != NULL)
			return im->specs[s]->repository;
	return "default";
}

static void add_pair(struct importer *im, const char *service,
                     const char *repository)
{
	if (im->n_pairs > 0 &&
	    strcmp(im->pairs[im->last_pair].service, service) == 0 &&
	    strcmp(im->pairs[im->last_pair].repository, repository) == 0)
		return;
	for (size_t i = 0; i < im->n_pairs; i++)
		if (strcmp(im->pairs[i].service, service) == 0 &&
		    strcmp(im->pairs[i].repository, repository) == 0) {
			im->last_pair = i;
			return;
		}
	im->pairs =
	    xreallocarray(im->pairs, im->n_pairs + 1, sizeof(*im->pairs));
	im->pairs[im->n_pairs].service = xstrdup(service);
	im->pairs[im->n_pairs].repository = xstrdup(repository);
	im->last_pair = im->n_pairs++;
}

static void note_unmapped(struct importer *im, const char *const *names,
                          size_t n, const char *where)
{
	struct import_result *res = im->res;
	char *list = NULL;

	for (size_t i = 0; i < n; i++) {
		char *next = list ? xasprintf("%s, %s", list, names[i])
		                  : xstrdup(names[i]);
		free(list);
		list = next;
	}
	if (list == NULL)
		list = xstrdup("(no name)");
	res->unmapped++;
	for (size_t i = 0; i < res->n_groups; i++)
		if (strcmp(res->groups[i].names, list) == 0) {
			res->groups[i].count++;
			free(list);
			return;
		}
	res->groups =
	    xreallocarray(res->groups, res->n_groups + 1, sizeof(*res->groups));
	res->groups[res->n_groups].names = list;
	res->groups[res->n_groups].count = 1;
	strlcpy_dr(res->groups[res->n_groups].where, where ? where : "",
	           sizeof(res->groups[0].where));
	res->n_groups++;
}

/* ---- the sink ----------------------------------------------------------- */

static char *metadata_of(const char *tool, const char *repository,
                         const char *label, int64_t stored)
{
	cJSON *m = cJSON_CreateObject();
	cJSON *imp = cJSON_AddObjectToObject(m, "import");
	char *text;

	cJSON_AddStringToObject(imp, "tool", tool);
	cJSON_AddStringToObject(imp, "repository", repository);
	cJSON_AddStringToObject(imp, "label", label);
	if (stored >= 0)
		cJSON_AddNumberToObject(imp, "stored_bytes", (double)stored);
	text = json_print_text(m, 0);
	cJSON_Delete(m);
	if (text == NULL) {
		fprintf(stderr, "drconsole: out of memory\n");
		abort();
	}
	return text;
}

static int sink_scope(void *arg, const struct import_scope *s, char **err)
{
	struct importer *im = arg;
	int rc;
	const char *svc = lookup(im, s->names, s->n_names, err, &rc);

	if (rc != DR_OK)
		return rc;
	if (svc != NULL)
		add_pair(im, svc, repository_of(im, s->repository));
	return DR_OK;
}

static int sink_entry(void *arg, const struct import_entry *e, char **err)
{
	struct importer *im = arg;
	struct catalog_backup b;
	const char *repository = repository_of(im, e->repository);
	char other[64];
	int rc, outcome = 0;
	const char *svc;

	im->res->entries++;
	svc = lookup(im, e->names, e->n_names, err, &rc);
	if (rc != DR_OK)
		return rc;
	if (svc == NULL) {
		note_unmapped(im, e->names, e->n_names, e->where);
		return DR_OK;
	}
	memset(&b, 0, sizeof(b));
	import_backup_id(im->fmt->name, repository, e->label, b.backup_id);
	strlcpy_dr(b.service, svc, sizeof(b.service));
	strlcpy_dr(b.type, e->type, sizeof(b.type));
	strlcpy_dr(b.status, e->status, sizeof(b.status));
	b.size_bytes = e->size_bytes;
	if (e->size_bytes > 0 && e->stored_bytes > 0)
		b.compression_ratio =
		    (double)e->size_bytes / (double)e->stored_bytes;
	b.started_at = e->started_at;
	b.completed_at = e->completed_at;
	b.location = xasprintf("%s:%s", im->fmt->name, repository);
	b.metadata =
	    metadata_of(im->fmt->name, repository, e->label, e->stored_bytes);
	rc = catalog_import_put(im->imp, &b, &outcome, other, err);
	free(b.location);
	free(b.metadata);
	if (rc != DR_OK)
		return rc;
	if (!e->alone)
		add_pair(im, svc, repository);
	if (strcmp(e->status, "failed") == 0)
		im->res->failed++;
	switch (outcome) {
	case CATALOG_IMPORT_INSERTED:
		im->res->inserted++;
		break;
	case CATALOG_IMPORT_UPDATED:
		im->res->updated++;
		break;
	case CATALOG_IMPORT_UNCHANGED:
		im->res->unchanged++;
		break;
	default:
		im->res->conflicts++;
		if (im->res->conflict_msg == NULL)
			im->res->conflict_msg = xasprintf(
			    "%s: backup %s (id %s) was imported for service "
			    "\"%s\", not \"%s\"; left as it was",
			    e->where ? e->where : "", e->label, b.backup_id,
			    other, svc);
		break;
	}
	return DR_OK;
}

/* ---- running ------------------------------------------------------------ */

/* A pipe cannot be read twice: copy it to an unlinked temporary file. */
static FILE *seekable(FILE *in, FILE **tmp, char **err)
{
	char buf[65536];
	size_t n;

	*tmp = NULL;
	if (fseek(in, 0, SEEK_CUR) == 0 && ftell(in) >= 0)
		return in;
	*tmp = tmpfile();
	if (*tmp == NULL) {
		*err = xasprintf("cannot make a temporary file: %s",
		                 strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, *tmp) != n) {
			*err = xasprintf("cannot copy the input: %s",
			                 strerror(errno));
			fclose(*tmp);
			*tmp = NULL;
			return NULL;
		}
	if (ferror(in)) {
		*err = xasprintf("cannot read the input: %s", strerror(errno));
		fclose(*tmp);
		*tmp = NULL;
		return NULL;
	}
	rewind(*tmp);
	return *tmp;
}

static void importer_free(struct importer *im)
{
	for (size_t i = 0; i < im->n_cache; i++) {
		free(im->cache[i].key);
		free(im->cache[i].service);
	}
	free(im->cache);
	for (size_t i = 0; i < im->n_pairs; i++) {
		free(im->pairs[i].service);
		free(im->pairs[i].repository);
	}
	free(im->pairs);
	free(im->specs);
}

static void record_services(struct importer *im)
{
	for (size_t i = 0; i < im->n_pairs; i++) {
		int known = 0;
		for (size_t j = 0; j < im->res->n_services; j++)
			if (strcmp(im->res->services[j],
			           im->pairs[i].service) == 0)
				known = 1;
		if (known)
			continue;
		im->res->services = xreallocarray(
		    im->res->services, im->res->n_services + 1, sizeof(char *));
		im->res->services[im->res->n_services++] =
		    xstrdup(im->pairs[i].service);
	}
}

struct import_change {
	struct importer *im;
	struct json_stream *js;
};

/* The entries and the expiry of what the listing no longer holds, in the
 * transaction of the import's audit row. */
static int import_change(struct catalog *cat, void *arg, char **details,
                         char **err)
{
	struct import_change *ch = arg;
	struct importer *im = ch->im;
	const struct import_options *opt = im->opt;
	struct import_result *res = im->res;
	struct import_sink sink = {sink_entry, sink_scope, im};
	int rc = im->fmt->parse(ch->js, &sink, err);

	(void)cat;
	for (size_t i = 0; rc == DR_OK && i < im->n_pairs; i++) {
		int64_t n = 0;
		rc = catalog_import_expire(im->imp, im->pairs[i].service,
		                           im->fmt->name,
		                           im->pairs[i].repository, &n, err);
		res->expired += (size_t)n;
	}
	if (rc == DR_OK)
		*details = xasprintf(
		    "source=%s%s%s entries=%zu inserted=%zu updated=%zu "
		    "unchanged=%zu expired=%zu failed=%zu unmapped=%zu "
		    "conflicts=%zu",
		    opt->source, opt->actor_note ? " by=" : "",
		    opt->actor_note ? opt->actor_note : "", res->entries,
		    res->inserted, res->updated, res->unchanged, res->expired,
		    res->failed, res->unmapped, res->conflicts);
	return rc;
}

int import_run(struct catalog *cat, const struct config *cfg,
               const struct import_options *opt, FILE *in,
               struct import_result *res, char **err)
{
	struct importer im;
	struct json_stream *js = NULL;
	FILE *tmp = NULL, *src;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&im, 0, sizeof(im));
	im.cat = cat;
	im.opt = opt;
	im.res = res;
	im.fmt = import_format_find(opt->format);
	if (im.fmt == NULL) {
		*err = xasprintf("unknown import format \"%s\" (expected one "
		                 "of: %s)",
		                 opt->format, import_format_names());
		return DR_ENOTFOUND;
	}
	if (cfg != NULL && cfg->imports != NULL) {
		const struct import_config *ic = cfg->imports;
		im.specs = xcalloc(ic->n_specs + 1, sizeof(*im.specs));
		for (size_t i = 0; i < ic->n_specs; i++) {
			const struct import_spec *sp = &ic->specs[i];
			if (strcmp(sp->format, im.fmt->name) != 0)
				continue;
			if (opt->spec != NULL && strcmp(sp->name, opt->spec))
				continue;
			im.specs[im.n_specs++] = sp;
			if (im.fixed_service == NULL)
				im.fixed_service = sp->service;
		}
	}
	if (opt->service != NULL)
		im.fixed_service = opt->service;
	if (im.fixed_service != NULL) {
		struct catalog_service cs;
		char *gerr = NULL;
		if (catalog_service_get(cat, im.fixed_service, &cs, &gerr) !=
		    DR_OK) {
			free(gerr);
			*err = xasprintf("unknown service \"%s\" (add it with "
			                 "'drconsole service add')",
			                 im.fixed_service);
			importer_free(&im);
			return DR_ENOTFOUND;
		}
	}
	src = seekable(in, &tmp, err);
	if (src == NULL) {
		importer_free(&im);
		return DR_EIO;
	}
	js = json_stream_new(opt->source, src);
	rc = catalog_import_begin(cat, &im.imp, err);
	if (rc == DR_OK) {
		struct import_change ch = {&im, js};
		/* A dry run does it all, its audit row too, and keeps
		 * nothing. */
		if (opt->dry_run)
			rc = ops_trial(cat, "backup.import", im.fmt->name,
			               import_change, &ch, err);
		else
			/* Once: its stream is read as it goes, and its
			 * scratch tables live in this connection. */
			rc =
			    ops_audited_once(cat, "backup.import", im.fmt->name,
			                     import_change, &ch, err);
	}
	record_services(&im);
	catalog_import_end(im.imp);
	json_stream_free(js);
	if (tmp != NULL)
		fclose(tmp);
	importer_free(&im);
	return rc;
}
