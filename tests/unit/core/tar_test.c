#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/tar.h"

/* The checksum as POSIX defines it, computed here independently: every
 * byte of the header with the checksum field counted as spaces. */
static unsigned checksum_of(const unsigned char *h)
{
	unsigned sum = 0;
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum;
}

static unsigned long long octal_field(const unsigned char *f, size_t width)
{
	char buf[24];
	memcpy(buf, f, width);
	buf[width] = '\0';
	return strtoull(buf, NULL, 8);
}

static void octal_fields_are_zero_padded_and_bounded(void **state)
{
	(void)state;
	char f[12];
	assert_int_equal(tar_octal(f, 8, 0644), 0);
	assert_memory_equal(f, "0000644", 8);
	assert_int_equal(tar_octal(f, 12, 5000000), 0);
	assert_memory_equal(f, "00023045500", 12);
	/* 11 octal digits hold up to 8 GiB - 1. */
	assert_int_equal(tar_octal(f, 12, 077777777777ULL), 0);
	assert_memory_equal(f, "77777777777", 12);
	memcpy(f, "untouched!!", 12);
	assert_int_equal(tar_octal(f, 12, 0100000000000ULL), -1);
	assert_memory_equal(f, "untouched!!", 12);
	assert_int_equal(tar_octal(f, 8, 07777777), 0);
	assert_int_equal(tar_octal(f, 8, 010000000), -1);
}

static void a_plain_file_header(void **state)
{
	(void)state;
	struct tar_entry e = {.name = "./etc/app.conf",
	                      .type = TAR_REGULAR,
	                      .mode = 0640,
	                      .uid = 1000,
	                      .gid = 33,
	                      .size = 1234,
	                      .mtime = 1700000000};
	size_t len;
	unsigned char *h = tar_header_encode(&e, &len);
	assert_int_equal(len, TAR_BLOCK);
	assert_string_equal((char *)h, "./etc/app.conf");
	assert_memory_equal(h + 100, "0000640", 8);
	assert_int_equal(octal_field(h + 108, 7), 1000);
	assert_int_equal(octal_field(h + 116, 7), 33);
	assert_int_equal(octal_field(h + 124, 11), 1234);
	assert_int_equal(octal_field(h + 136, 11), 1700000000);
	assert_int_equal(h[156], '0');
	assert_memory_equal(h + 257,
	                    "ustar\0"
	                    "00",
	                    8);
	/* Six digits, NUL, space. */
	assert_int_equal(octal_field(h + 148, 6), checksum_of(h));
	assert_int_equal(h[154], '\0');
	assert_int_equal(h[155], ' ');
	free(h);
}

static void directories_and_symlinks(void **state)
{
	(void)state;
	struct tar_entry d = {.name = "./var/lib/",
	                      .type = TAR_DIRECTORY,
	                      .mode = 0755,
	                      .mtime = 1};
	size_t len;
	unsigned char *h = tar_header_encode(&d, &len);
	assert_int_equal(len, TAR_BLOCK);
	assert_int_equal(h[156], '5');
	assert_int_equal(octal_field(h + 124, 11), 0);
	assert_int_equal(octal_field(h + 148, 6), checksum_of(h));
	free(h);

	struct tar_entry l = {.name = "./current",
	                      .type = TAR_SYMLINK,
	                      .mode = 0777,
	                      .linkname = "releases/42"};
	h = tar_header_encode(&l, &len);
	assert_int_equal(len, TAR_BLOCK);
	assert_int_equal(h[156], '2');
	assert_string_equal((char *)h + 157, "releases/42");
	assert_int_equal(octal_field(h + 148, 6), checksum_of(h));
	free(h);
}

static void pax_record_lengths_count_themselves(void **state)
{
	(void)state;
	size_t len;
	char *r = tar_pax_record("path", "a", &len);
	assert_string_equal(r, "9 path=a\n");
	assert_int_equal(len, 9);
	free(r);

	/* 4 + v + 3 bytes and the length's digits: a value of 90 bytes
	 * gives 99, one of 91 carries the length to three digits. */
	char v[128];
	memset(v, 'v', sizeof v);
	v[90] = '\0';
	r = tar_pax_record("path", v, &len);
	assert_int_equal(len, 99);
	assert_int_equal(strlen(r), 99);
	assert_memory_equal(r, "99 path=", 8);
	free(r);
	v[90] = 'v';
	v[91] = '\0';
	r = tar_pax_record("path", v, &len);
	assert_int_equal(len, 101);
	assert_int_equal(strlen(r), 101);
	assert_memory_equal(r, "101 path=", 9);
	free(r);
}

static void a_long_path_splits_into_prefix_and_name(void **state)
{
	(void)state;
	char name[256];
	memset(name, 0, sizeof name);
	memcpy(name, "./", 2);
	memset(name + 2, 'd', 120);
	memcpy(name + 122, "/file.txt", 9);
	struct tar_entry e = {.name = name, .type = TAR_REGULAR, .mode = 0600};
	size_t len;
	unsigned char *h = tar_header_encode(&e, &len);
	assert_int_equal(len, TAR_BLOCK); /* ustar holds it: no pax header */
	assert_string_equal((char *)h, "file.txt");
	assert_int_equal(strlen((char *)h + 345), 122);
	assert_memory_equal(h + 345, name, 122);
	free(h);
}

/* The pax header in front: its records, and the ustar header after it. */
static char *pax_records(const unsigned char *h, size_t len)
{
	assert_true(len >= 3 * TAR_BLOCK);
	assert_int_equal(h[156], 'x');
	assert_int_equal(octal_field(h + 148, 6), checksum_of(h));
	size_t n = (size_t)octal_field(h + 124, 11);
	assert_true(n <= len - 2 * TAR_BLOCK);
	char *out = calloc(1, n + 1);
	memcpy(out, h + TAR_BLOCK, n);
	return out;
}

static void what_ustar_cannot_hold_goes_into_pax_records(void **state)
{
	(void)state;
	char name[400], link[200];
	memset(name, 0, sizeof name);
	memcpy(name, "./", 2);
	memset(name + 2, 'n', 300); /* no slash to split at */
	memset(link, 0, sizeof link);
	memset(link, 'l', 150);
	struct tar_entry e = {.name = name,
	                      .type = TAR_SYMLINK,
	                      .mode = 0777,
	                      .uid = 3000000,
	                      .gid = 7,
	                      .size = 0,
	                      .mtime = -86400,
	                      .linkname = link};
	size_t len;
	unsigned char *h = tar_header_encode(&e, &len);
	assert_int_equal(len % TAR_BLOCK, 0);
	char *rec = pax_records(h, len);
	char want[512];
	size_t n;
	char *r = tar_pax_record("path", name, &n);
	assert_non_null(strstr(rec, r));
	free(r);
	r = tar_pax_record("linkpath", link, &n);
	assert_non_null(strstr(rec, r));
	free(r);
	assert_non_null(strstr(rec, "mtime=-86400\n"));
	assert_non_null(strstr(rec, " uid=3000000\n"));
	assert_null(strstr(rec, "gid="));
	assert_null(strstr(rec, "size="));
	free(rec);
	const unsigned char *u = h + len - TAR_BLOCK;
	assert_int_equal(u[156], '2');
	assert_int_equal(octal_field(u + 148, 6), checksum_of(u));
	memcpy(want, name, 100);
	assert_memory_equal(u, want, 100);
	free(h);

	struct tar_entry big = {.name = "./disk.img",
	                        .type = TAR_REGULAR,
	                        .mode = 0600,
	                        .size = 10ULL << 30,
	                        .mtime = 1};
	h = tar_header_encode(&big, &len);
	assert_int_equal(len, 3 * TAR_BLOCK);
	rec = pax_records(h, len);
	assert_string_equal(rec, "20 size=10737418240\n");
	free(rec);
	free(h);
}

static void padding_and_trailer(void **state)
{
	(void)state;
	assert_int_equal(tar_padding(0), 0);
	assert_int_equal(tar_padding(1), 511);
	assert_int_equal(tar_padding(512), 0);
	assert_int_equal(tar_padding(5000000), 5000192 - 5000000);
	/* Two zero blocks at least, then to the end of the 10 KiB record. */
	assert_int_equal(tar_trailer_len(0), TAR_RECORD);
	assert_int_equal(tar_trailer_len(512), TAR_RECORD - 512);
	assert_int_equal(tar_trailer_len(TAR_RECORD - 1024), 1024);
	assert_int_equal(tar_trailer_len(TAR_RECORD - 512), TAR_RECORD + 512);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(octal_fields_are_zero_padded_and_bounded),
	    cmocka_unit_test(a_plain_file_header),
	    cmocka_unit_test(directories_and_symlinks),
	    cmocka_unit_test(pax_record_lengths_count_themselves),
	    cmocka_unit_test(a_long_path_splits_into_prefix_and_name),
	    cmocka_unit_test(what_ustar_cannot_hold_goes_into_pax_records),
	    cmocka_unit_test(padding_and_trailer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
