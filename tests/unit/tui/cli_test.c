/* The option parser (tui/cli.c): cli_prepare takes the global options out
 * of a command line wherever they stand and checks the rest against the
 * command's tables; cli_parse reports the options in order and the
 * operands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "tui/cmd.h"

static int no_exec(const struct cmd_globals *g, int argc, char **argv)
{
	(void)g;
	(void)argc;
	(void)argv;
	return 0;
}

static const struct cmd_option add_options[] = {
    {"tier", 't', 0, CMD_OPT_VALUE},
    {"key-file", 'k', 'k', CMD_OPT_FILE},
    {"var", 'v', 0, CMD_OPT_VALUE},
    {"force", 'f', 'f', 0},
    {NULL, 0, 0, 0},
};
static const struct cmd_sub subs[] = {
    {"add", add_options},
    {"list", NULL},
    {NULL, NULL},
};
static const struct cmd_entry entry = {
    .name = "thing",
    .usage = "add NAME [--tier T]",
    .summary = "a command for the test",
    .exec = no_exec,
    .subs = subs,
};

/* cli_prepare of words, then cli_parse of what it left. */
static const struct cli_args *parse(struct cmd_globals *g, char **words, int n,
                                    char ***kept, int *n_kept)
{
	if (cli_prepare(&entry, n, words, g, n_kept, kept) != DR_EXIT_OK)
		return NULL;
	assert_true(*n_kept >= 2);
	assert_string_equal((*kept)[1], "add");
	return cli_parse(&entry, "add", *n_kept - 1, *kept + 1);
}

static void test_both_forms_and_order(void **state)
{
	(void)state;
	char *w[] = {"thing", "add",   "--tier=gold", "web",    "--var",
	             "A=B=C", "-kkey", "--var",       "D=E",    "-f",
	             "-k",    "k2",    "--tier",      "silver", NULL};
	struct cmd_globals g = {0};
	char **kept;
	int n_kept;
	const struct cli_args *a = parse(&g, w, 14, &kept, &n_kept);

	assert_non_null(a);
	assert_int_equal(a->n_opts, 7);
	assert_int_equal(a->opts[0].id, 't');
	assert_string_equal(a->opts[0].value, "gold");
	assert_int_equal(a->opts[1].id, 'v');
	assert_string_equal(a->opts[1].value, "A=B=C");
	assert_int_equal(a->opts[2].id, 'k');
	assert_string_equal(a->opts[2].value, "key");
	assert_string_equal(a->opts[3].value, "D=E");
	assert_int_equal(a->opts[4].id, 'f');
	assert_null(a->opts[4].value);
	assert_string_equal(a->opts[5].value, "k2");
	assert_string_equal(a->opts[6].value, "silver");
	assert_int_equal(a->n_operands, 1);
	assert_string_equal(a->operands[0], "web");
	assert_int_equal(a->argc, 2);
	assert_string_equal(a->argv[0], "add");
	assert_string_equal(a->argv[1], "web");
	assert_null(a->argv[2]);
	free(kept);
}

static void test_globals_anywhere(void **state)
{
	(void)state;
	char *w[] = {
	    "thing",       "--catalog",       "c.db",          "add", "web",
	    "--read-only", "--config=f.json", "--stale-after", "5m",  NULL};
	struct cmd_globals g = {.stale_after_s = 600};
	char **kept;
	int n_kept;
	const struct cli_args *a = parse(&g, w, 9, &kept, &n_kept);

	assert_non_null(a);
	assert_string_equal(g.catalog, "c.db");
	assert_string_equal(g.config, "f.json");
	assert_int_equal(g.read_only, 1);
	assert_int_equal(g.stale_after_s, 300);
	assert_int_equal(n_kept, 3); /* thing add web */
	assert_int_equal(a->n_opts, 0);
	assert_int_equal(a->n_operands, 1);
	free(kept);
}

static void test_double_dash(void **state)
{
	(void)state;
	char *w[] = {"thing",  "add",       "--force", "--",
	             "--tier", "--catalog", "-x",      NULL};
	struct cmd_globals g = {0};
	char **kept;
	int n_kept;
	const struct cli_args *a = parse(&g, w, 7, &kept, &n_kept);

	assert_non_null(a);
	assert_null(g.catalog);
	assert_int_equal(a->n_opts, 1);
	assert_int_equal(a->n_operands, 3);
	assert_string_equal(a->operands[0], "--tier");
	assert_string_equal(a->operands[1], "--catalog");
	assert_string_equal(a->operands[2], "-x");
	free(kept);
}

static void test_refusals(void **state)
{
	(void)state;
	char *unknown[] = {"thing", "add", "web", "--bogus", NULL};
	char *missing[] = {"thing", "add", "web", "--tier", NULL};
	char *flag_value[] = {"thing", "add", "--force=yes", NULL};
	char *short_unknown[] = {"thing", "add", "-z", NULL};
	char *global_missing[] = {"thing", "add", "--catalog", NULL};
	char *other_sub[] = {"thing", "list", "--tier", "x", NULL};
	char *bad_cycle[] = {"thing", "list", "--cycle", "2h", NULL};
	struct cmd_globals g = {0};
	char **kept = NULL;
	int n_kept = 0;

	assert_int_equal(cli_prepare(&entry, 4, unknown, &g, &n_kept, &kept),
	                 DR_EXIT_USAGE);
	assert_int_equal(cli_prepare(&entry, 4, missing, &g, &n_kept, &kept),
	                 DR_EXIT_USAGE);
	assert_int_equal(cli_prepare(&entry, 3, flag_value, &g, &n_kept, &kept),
	                 DR_EXIT_USAGE);
	assert_int_equal(
	    cli_prepare(&entry, 3, short_unknown, &g, &n_kept, &kept),
	    DR_EXIT_USAGE);
	assert_int_equal(
	    cli_prepare(&entry, 3, global_missing, &g, &n_kept, &kept),
	    DR_EXIT_USAGE);
	assert_null(g.catalog);
	assert_int_equal(cli_prepare(&entry, 4, other_sub, &g, &n_kept, &kept),
	                 DR_EXIT_USAGE);
	assert_int_equal(cli_prepare(&entry, 4, bad_cycle, &g, &n_kept, &kept),
	                 DR_EXIT_USAGE);
	assert_null(cli_parse(&entry, "add", 3, unknown + 1));
	assert_null(cli_parse(&entry, "add", 3, missing + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_both_forms_and_order),
	    cmocka_unit_test(test_globals_anywhere),
	    cmocka_unit_test(test_double_dash),
	    cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
