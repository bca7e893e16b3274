/* Drives a repository through core/repo.h from a shell test, so listing and
 * the other operations are tested against real servers:
 *     repotool URL ENDPOINT put NAME <data
 *     repotool URL ENDPOINT get NAME >data
 *     repotool URL ENDPOINT list PREFIX      (one "NAME SIZE" a line)
 *     repotool URL ENDPOINT rm NAME
 * ENDPOINT is "-" for file:// URLs; S3 credentials come from the
 * environment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/repo.h"

static int die(const char *what, char *err)
{
	fprintf(stderr, "repotool: %s: %s\n", what, err ? err : "failed");
	free(err);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: repotool URL ENDPOINT put|get|list|rm "
		                "NAME\n");
		return 2;
	}
	struct repo_options opt = {.path_style = 1, .retries = 2};
	struct repo *repo = NULL;
	char *err = NULL, buf[65536];
	if (strcmp(argv[2], "-") != 0)
		opt.endpoint = argv[2];
	if (repo_open(argv[1], &opt, &repo, &err) != DR_OK)
		return die("open", err);
	const char *op = argv[3], *name = argv[4];
	int rc = 0;
	if (strcmp(op, "put") == 0) {
		struct repo_put *put = NULL;
		ssize_t n;
		if (repo_put_begin(repo, name, &put, &err) != DR_OK)
			return die("put", err);
		while ((n = read(0, buf, sizeof buf)) > 0)
			if (repo_put_write(put, buf, (size_t)n, &err) !=
			    DR_OK) {
				repo_put_abort(put);
				return die("write", err);
			}
		if (repo_put_commit(put, &err) != DR_OK)
			return die("commit", err);
	} else if (strcmp(op, "get") == 0) {
		struct repo_get *get = NULL;
		size_t got;
		if (repo_get_open(repo, name, &get, &err) != DR_OK)
			return die("get", err);
		do {
			if (repo_get_read(get, buf, sizeof buf, &got, &err) !=
			    DR_OK)
				return die("read", err);
			if (fwrite(buf, 1, got, stdout) != got)
				return 1;
		} while (got > 0);
		repo_get_close(get);
	} else if (strcmp(op, "list") == 0) {
		struct repo_object *list = NULL;
		size_t n = 0;
		if (repo_list(repo, name, &list, &n, &err) != DR_OK)
			return die("list", err);
		for (size_t i = 0; i < n; i++)
			printf("%s %lld\n", list[i].name,
			       (long long)list[i].size);
		repo_objects_free(list, n);
	} else if (strcmp(op, "rm") == 0) {
		if (repo_remove(repo, name, &err) != DR_OK)
			return die("rm", err);
	} else {
		fprintf(stderr, "repotool: unknown operation %s\n", op);
		rc = 2;
	}
	repo_close(repo);
	return rc;
}
