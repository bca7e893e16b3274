/* The repositories and backups sections: what a person writes comes back
 * as targets, and mistakes are reported at their line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/backup_config.h"
#include "core/config.h"
#include "core/error.h"

static char dir[] = "/tmp/backup_config_test_XXXXXX";
static char path[256];

static int setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/config.json", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static int load(const char *text, struct config **cfg, char **err)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	*cfg = NULL;
	*err = NULL;
	return config_load(path, cfg, err);
}

static void test_targets(void **state)
{
	(void)state;
	struct config *cfg;
	char *err;
	int rc =
	    load("{\n"
	         " \"repositories\": {\n"
	         "  \"local\": {\"url\": \"file:///var/backups\"},\n"
	         "  \"offsite\": {\"url\": \"s3://bk/dr\", \"endpoint\":\n"
	         "    \"http://127.0.0.1:9000\", \"retries\": 3}\n"
	         " },\n"
	         " \"backups\": {\n"
	         "  \"orders-db\": {\"service\": \"orders\",\n"
	         "   \"source\": {\"kind\": \"command\", \"argv\": "
	         "[\"pg_dump\", \"-Fc\"],\n"
	         "     \"env\": {\"PGDATABASE\": \"orders\"}},\n"
	         "   \"repository\": \"local\", \"copy_repository\": "
	         "\"offsite\",\n"
	         "   \"retention\": {\"daily\": 14}, \"key_file\": "
	         "\"/etc/k\"},\n"
	         "  \"app-db\": {\"service\": \"app\", \"source\": "
	         "{\"kind\": \"sqlite\", \"path\": \"/srv/app.db\"},\n"
	         "   \"repository\": \"local\", \"compression_level\": 6}\n"
	         " }\n"
	         "}\n",
	         &cfg, &err);
	if (rc != DR_OK)
		fail_msg("%s", err);
	const struct backup_target *t = backup_config_target(cfg, "orders-db");
	assert_non_null(t);
	assert_string_equal(t->service, "orders");
	assert_string_equal(t->source.kind, "command");
	assert_string_equal(t->source.argv[0], "pg_dump");
	assert_string_equal(t->source.env[0], "PGDATABASE=orders");
	assert_string_equal(t->copy_repository, "offsite");
	assert_int_equal(t->retention.hourly, 24);
	assert_int_equal(t->retention.daily, 14);
	assert_int_equal(t->retention.monthly, 12);
	assert_int_equal(t->level, 1);
	assert_int_equal(t->n_key_files, 1); /* key_file: a list of one */
	assert_string_equal(t->key_files[0], "/etc/k");
	t = backup_config_target(cfg, "app-db");
	assert_non_null(t);
	assert_string_equal(t->source.path, "/srv/app.db");
	assert_int_equal(t->level, 6);
	assert_int_equal(t->n_key_files, 0);
	assert_null(t->key_files);
	const struct backup_repository *r =
	    backup_config_repository(cfg, "offsite");
	assert_non_null(r);
	assert_string_equal(r->endpoint, "http://127.0.0.1:9000");
	assert_int_equal(r->retries, 3);
	config_free(cfg);
}

static void test_errors(void **state)
{
	(void)state;
	struct config *cfg;
	char *err;
	int rc = load("{\n"
	              " \"repositories\": {\"x\": {\"url\": \"ftp://a\"}},\n"
	              " \"backups\": {\n"
	              "  \"a\": {\"service\": \"s\", \"repository\": \"x\",\n"
	              "   \"source\": {\"kind\": \"tape\"}},\n"
	              "  \"b\": {\"service\": \"s\", \"repository\": \"x\",\n"
	              "   \"source\": {\"kind\": \"command\"},\n"
	              "   \"compression_level\": 12, \"colour\": 1}\n"
	              " }\n"
	              "}\n",
	              &cfg, &err);
	assert_int_equal(rc, DR_EINVAL);
	assert_null(cfg);
	assert_non_null(strstr(err, ":2:25: expected file:///PATH"));
	assert_non_null(strstr(err, ":5:15: expected command, directory, "
	                            "file or sqlite for \"kind\", found "
	                            "\"tape\""));
	assert_non_null(strstr(err, "exactly one of \"argv\""));
	assert_non_null(strstr(err, "from 0 to 9 for \"compression_level\""));
	assert_non_null(strstr(err, ":8:29: unknown key \"colour\""));
	free(err);
}

static void test_key_files(void **state)
{
	(void)state;
	struct config *cfg;
	char *err;
	int rc = load("{\"repositories\": {\"r\": {\"url\": \"file:///b\"}},\n"
	              " \"backups\": {\"t\": {\"service\": \"s\", "
	              "\"repository\": \"r\",\n"
	              "  \"source\": {\"kind\": \"file\", \"path\": \"/x\"},\n"
	              "  \"key_files\": [\"/k/new\", \"/k/old\"]}}}\n",
	              &cfg, &err);
	if (rc != DR_OK)
		fail_msg("%s", err);
	const struct backup_target *t = backup_config_target(cfg, "t");
	assert_non_null(t);
	assert_int_equal(t->n_key_files, 2);
	assert_string_equal(t->key_files[0], "/k/new"); /* newest first */
	assert_string_equal(t->key_files[1], "/k/old");
	assert_null(t->key_files[2]);
	config_free(cfg);

	rc = load("{\"repositories\": {\"r\": {\"url\": \"file:///b\"}},\n"
	          " \"backups\": {\"t\": {\"service\": \"s\", "
	          "\"repository\": \"r\",\n"
	          "  \"source\": {\"kind\": \"file\", \"path\": \"/x\"},\n"
	          "  \"key_file\": \"/k/a\", \"key_files\": [\"/k/b\"]},\n"
	          "  \"u\": {\"service\": \"s\", \"repository\": \"r\",\n"
	          "  \"source\": {\"kind\": \"file\", \"path\": \"/x\"},\n"
	          "  \"key_files\": []},\n"
	          "  \"v\": {\"service\": \"s\", \"repository\": \"r\",\n"
	          "  \"source\": {\"kind\": \"file\", \"path\": \"/x\"},\n"
	          "  \"key_files\": [\"/k/a\", \"\", \"/k/a\", 3]}}}\n",
	          &cfg, &err);
	assert_int_equal(rc, DR_EINVAL);
	assert_null(cfg);
	assert_non_null(strstr(err, ":4:23: backup target \"t\" has both "
	                            "\"key_file\" and \"key_files\""));
	assert_non_null(strstr(err, ":7:3: expected a non-empty array of "
	                            "strings for \"key_files\""));
	assert_non_null(strstr(err, "expected a string in \"key_files\""));
	free(err);

	rc = load("{\"repositories\": {\"r\": {\"url\": \"file:///b\"}},\n"
	          " \"backups\": {\"v\": {\"service\": \"s\", "
	          "\"repository\": \"r\",\n"
	          "  \"source\": {\"kind\": \"file\", \"path\": \"/x\"},\n"
	          "  \"key_files\": [\"/k/a\", \"\", \"/k/a\"]}}}\n",
	          &cfg, &err);
	assert_int_equal(rc, DR_EINVAL);
	assert_non_null(strstr(err, "found an empty string"));
	assert_non_null(strstr(err, "\"key_files\" lists /k/a twice"));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_targets),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_key_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
