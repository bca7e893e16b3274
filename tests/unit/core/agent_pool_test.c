/* core/agent_pool.c: the config box the agent's threads share.  A config
 * replaced by a reload stays valid for a thread that still holds it and is
 * freed when the last one lets go (the sanitizer build catches a use after
 * free or a leak); the box hands back the current one at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/agent_config.h"
#include "core/agent_pool.h"
#include "core/error.h"

static struct config *load(int parallel)
{
	char path[] = "/tmp/agent_pool_test.XXXXXX";
	int fd = mkstemp(path);
	struct config *cfg = NULL;
	char *err = NULL;
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "{\"agent\": {\"parallel_jobs\": %d}}\n", parallel);
	fclose(f);
	if (config_load(path, &cfg, &err) != DR_OK)
		fail_msg("config_load: %s", err);
	unlink(path);
	return cfg;
}

static void test_reload_while_held(void **state)
{
	struct config *first = load(1), *second = load(3), *held, *now;
	struct agent_cfgbox *box = agent_cfgbox_new(first);

	(void)state;
	held = agent_cfgbox_get(box); /* a job running on the old config */
	assert_ptr_equal(held, first);
	agent_cfgbox_set(box, second);
	now = agent_cfgbox_get(box);
	assert_ptr_equal(now, second);
	/* The job still reads its own config after the reload. */
	assert_int_equal(held->agent->parallel_jobs, 1);
	assert_int_equal(now->agent->parallel_jobs, 3);
	agent_cfgbox_put(box, held); /* the old one goes now */
	agent_cfgbox_put(box, now);
	assert_ptr_equal(agent_cfgbox_free(box), second);
	config_free(second);
}

static void test_reloads_nobody_holds(void **state)
{
	struct agent_cfgbox *box = agent_cfgbox_new(load(2));
	struct config *last;

	(void)state;
	for (int i = 1; i <= 5; i++)
		agent_cfgbox_set(box, load(i));
	last = agent_cfgbox_get(box);
	assert_int_equal(last->agent->parallel_jobs, 5);
	agent_cfgbox_put(box, last);
	last = agent_cfgbox_free(box);
	assert_int_equal(last->agent->parallel_jobs, 5);
	config_free(last);
}

static void test_default_parallel_jobs(void **state)
{
	char path[] = "/tmp/agent_pool_test.XXXXXX";
	int fd = mkstemp(path);
	struct config *cfg = NULL;
	char *err = NULL;

	(void)state;
	assert_true(write(fd, "{\"agent\": {}}\n", 14) == 14);
	close(fd);
	assert_int_equal(config_load(path, &cfg, &err), DR_OK);
	unlink(path);
	assert_int_equal(cfg->agent->parallel_jobs, 2);
	assert_null(cfg->agent->heartbeat_url);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reload_while_held),
	    cmocka_unit_test(test_reloads_nobody_holds),
	    cmocka_unit_test(test_default_parallel_jobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
