#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/source.h"
#include "core/tar.h"
#include "core/xmalloc.h"

struct tree {
	char root[64];
};

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof *t);
	snprintf(t->root, sizeof t->root, "/tmp/dr-srcdir-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	char *cmd[] = {"rm", "-rf", t->root, NULL};
	pid_t pid = fork();
	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	free(t);
	return 0;
}

static void put_file(const char *root, const char *rel, size_t size)
{
	char *p = xasprintf("%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	for (size_t i = 0; i < size; i++)
		fputc('a' + (int)(i % 26), f);
	fclose(f);
	free(p);
}

static struct source *open_dir(const char *root)
{
	struct source_spec spec = {.kind = "directory", .path = (char *)root};
	struct source *src = NULL;
	char *err = NULL;
	assert_int_equal(source_open(&spec, &src, &err), DR_OK);
	return src;
}

/* Reads everything, cap bytes at a time, into a malloc'd buffer. */
static unsigned char *read_all(struct source *src, size_t cap, size_t *len)
{
	unsigned char *out = NULL;
	size_t n = 0;
	for (;;) {
		out = xrealloc(out, n + cap);
		size_t got = 0;
		char *err = NULL;
		assert_int_equal(source_read(src, out + n, cap, &got, &err),
		                 DR_OK);
		if (got == 0)
			break;
		n += got;
	}
	*len = n;
	return out;
}

/* The names of the archive's entries, in order, one a line. */
static char *names_of(const unsigned char *a, size_t len)
{
	char *out = xstrdup("");
	size_t at = 0;
	while (at + TAR_BLOCK <= len && a[at] != '\0') {
		const unsigned char *h = a + at;
		char sz[13];
		memcpy(sz, h + 124, 12);
		sz[12] = '\0';
		size_t size = (size_t)strtoull(sz, NULL, 8);
		if (h[156] != 'x') {
			char *next = xasprintf("%s%.100s\n", out, (char *)h);
			free(out);
			out = next;
		}
		at += TAR_BLOCK + size + tar_padding(size);
	}
	return out;
}

static void entries_come_sorted_and_the_archive_is_whole_records(void **state)
{
	struct tree *t = *state;
	char *p = xasprintf("%s/b", t->root);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	put_file(t->root, "b/z", 10);
	put_file(t->root, "b/a", 600);
	put_file(t->root, "a", 0);
	put_file(t->root, "c", 1);
	p = xasprintf("%s/fifo", t->root);
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);

	struct source *src = open_dir(t->root);
	/* The data and a block for each of the 7 entries listed. */
	assert_int_equal(source_expected(src), 611 + 7 * TAR_BLOCK);
	size_t len;
	unsigned char *a = read_all(src, 700, &len);
	assert_int_equal(len % TAR_RECORD, 0);
	char *names = names_of(a, len);
	assert_string_equal(names, "./\n./a\n./b/\n./b/a\n./b/z\n./c\n");
	char *notes = source_notes(src);
	assert_non_null(notes);
	assert_string_equal(notes, "./fifo is a fifo, not archived");
	free(notes);
	assert_int_equal(source_close(src, 1, NULL), DR_OK);

	/* The same tree gives the same bytes. */
	src = open_dir(t->root);
	size_t len2;
	unsigned char *b = read_all(src, 4096, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(a, b, len);
	source_close(src, 1, NULL);
	free(a);
	free(b);
	free(names);
}

/* Reads the archive up to the middle of file f, lets change() act on it,
 * and reads the rest: the archive keeps the size the header announced. */
static void read_around(struct tree *t, void (*change)(const char *path),
                        const char *expect_note)
{
	put_file(t->root, "f", 100000);
	struct source *src = open_dir(t->root);
	unsigned char buf[512];
	size_t len = 0, got;
	char *err = NULL;
	/* "./" header, "./f" header, then the first 512 bytes of data. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(source_read(src, buf, sizeof buf, &got, &err),
		                 DR_OK);
		len += got;
	}
	char *path = xasprintf("%s/f", t->root);
	change(path);
	free(path);
	size_t rest;
	unsigned char *tail = read_all(src, 8192, &rest);
	len += rest;
	uint64_t body = 100000 + tar_padding(100000);
	uint64_t before_trailer = 2 * TAR_BLOCK + body;
	assert_int_equal(len, before_trailer + tar_trailer_len(before_trailer));
	char *notes = source_notes(src);
	assert_non_null(notes);
	assert_non_null(strstr(notes, expect_note));
	free(notes);
	free(tail);
	source_close(src, 1, NULL);
}

static void shrink_to_1000(const char *path)
{
	assert_int_equal(truncate(path, 1000), 0);
}

static void grow_by_5000(const char *path)
{
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	for (int i = 0; i < 5000; i++)
		fputc('z', f);
	fclose(f);
}

static void a_file_that_shrinks_is_padded_and_noted(void **state)
{
	read_around(*state, shrink_to_1000,
	            "./f shrank while it was read: the last 99000 of its "
	            "100000 bytes are zeros");
}

static void a_file_that_grows_is_cut_and_noted(void **state)
{
	read_around(*state, grow_by_5000,
	            "./f grew while it was read (100000 bytes, then 105000): "
	            "archived its first 100000");
}

static void check_wants_an_existing_directory(void **state)
{
	struct tree *t = *state;
	char *err = NULL;
	put_file(t->root, "plain", 3);
	char *file = xasprintf("%s/plain", t->root);
	char *gone = xasprintf("%s/gone", t->root);
	struct source_spec spec = {.kind = "directory", .path = t->root};
	assert_int_equal(source_check(&spec, &err), DR_OK);
	spec.path = file;
	assert_int_equal(source_check(&spec, &err), DR_EINVAL);
	assert_non_null(strstr(err, "is not a directory"));
	free(err);
	spec.path = gone;
	assert_int_equal(source_check(&spec, &err), DR_ENOTFOUND);
	assert_non_null(strstr(err, "No such file or directory"));
	free(err);
	struct source *src = NULL;
	assert_int_equal(source_open(&spec, &src, &err), DR_ENOTFOUND);
	free(err);
	free(file);
	free(gone);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        entries_come_sorted_and_the_archive_is_whole_records,
	        tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(
	        a_file_that_shrinks_is_padded_and_noted, tree_setup,
	        tree_teardown),
	    cmocka_unit_test_setup_teardown(a_file_that_grows_is_cut_and_noted,
	                                    tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(check_wants_an_existing_directory,
	                                    tree_setup, tree_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
