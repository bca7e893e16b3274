/* The demo estate: a believable company's services with 90 days of
 * history, built through the catalog interface only.  It is deterministic
 * for a given `now` (a fixed-seed generator), so tests can pin the clock
 * with DRCONSOLE_NOW and know what the console will show.
 *
 * What a newcomer should find: 12 services over the three tiers; ledger-db
 * in BREACH (its last three backups failed and its replica is down);
 * search-index AT RISK (its newest good backup is about 26 minutes old against
 * a 30-minute RPO); a replication lag spike on orders-db 25 minutes ago; drills
 * in the recovery log and one real incident with its steps. */
#include "core/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/xmalloc.h"

#define MIN  60
#define HOUR (60 * MIN)
#define DAY  (24 * HOUR)

struct demo_service {
	const char *name;
	const char *tier;
	const char *owner;
	int64_t frequency_s;
	int64_t full_size;  /* bytes of a full backup today */
	int64_t test_age_s; /* last restore test this long ago */
	int64_t test_duration_s;
	const char *replica; /* target name of a streaming replica */
};

static const struct demo_service estate[] = {
    {"payments-db", "critical", "payments", HOUR, 84LL << 30, 5 * DAY,
     8 * MIN + 40, "payments-db-replica"},
    {"orders-db", "critical", "commerce", HOUR, 61LL << 30, 9 * DAY,
     7 * MIN + 5, "orders-db-replica"},
    {"auth-db", "critical", "identity", HOUR, 12LL << 30, 3 * DAY, 4 * MIN + 20,
     "auth-db-replica"},
    {"ledger-db", "critical", "finance", HOUR, 47LL << 30, 12 * DAY,
     9 * MIN + 30, "ledger-db-replica"},
    {"checkout-api", "standard", "commerce", 15 * MIN, 2LL << 30, 6 * DAY,
     14 * MIN, NULL},
    {"catalog-api", "standard", "commerce", 15 * MIN, 5LL << 30, 14 * DAY,
     22 * MIN, NULL},
    {"search-index", "standard", "discovery", 15 * MIN, 38LL << 30, 10 * DAY,
     31 * MIN, NULL},
    {"user-uploads", "standard", "platform", 15 * MIN, 310LL << 30, 17 * DAY,
     36 * MIN, NULL},
    {"notifications", "standard", "platform", 15 * MIN, 1LL << 30, 4 * DAY,
     6 * MIN, NULL},
    {"analytics-warehouse", "low", "data", 2 * HOUR, 920LL << 30, 21 * DAY,
     2 * HOUR + 10 * MIN, NULL},
    {"logs-archive", "low", "platform", 2 * HOUR, 640LL << 30, 11 * DAY,
     95 * MIN, NULL},
    {"reporting", "low", "finance", 2 * HOUR, 18LL << 30, 25 * DAY, 40 * MIN,
     NULL},
};

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: plenty for believable noise, identical everywhere. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static double rng_unit(void)
{
	return rng() / 4294967296.0;
}

/* A fake but well-formed id: UUID-shaped, from the generator. */
static void demo_uuid(char out[40])
{
	uint32_t a = rng(), b = rng(), c = rng(), d = rng();
	snprintf(out, 40, "%08x-%04x-4%03x-%04x-%04x%08x", a, b & 0xffff,
	         (b >> 16) & 0xfff, (c & 0x3fff) | 0x8000, c >> 16, d);
}

static int add_backups(struct catalog *cat, const struct demo_service *d,
                       int64_t now, char **err)
{
	int is_ledger = strcmp(d->name, "ledger-db") == 0;
	int is_search = strcmp(d->name, "search-index") == 0;
	int64_t period = d->frequency_s;
	/* The newest slot: aligned to the schedule, a few minutes after. */
	int64_t newest = now - now % period;
	if (is_search)
		newest = now - 12 * MIN;
	else if (newest > now - 3 * MIN)
		newest -= period;
	int64_t count = 90 * DAY / period;
	struct catalog_backup b;

	for (int64_t k = count - 1; k >= 0; k--) {
		int64_t start = newest - k * period;
		memset(&b, 0, sizeof b);
		demo_uuid(b.backup_id);
		strlcpy_dr(b.service, d->name, sizeof b.service);
		int full = (start % DAY) < period;
		strlcpy_dr(b.type,
		           full                     ? "full"
		           : d->frequency_s >= HOUR ? "differential"
		                                    : "incremental",
		           sizeof b.type);
		/* Size grows about 10 % over 90 days. */
		double growth = 1.0 - 0.1 * (double)(k * period) / (90 * DAY);
		double size = (double)d->full_size * growth;
		if (!full)
			size *= 0.02 + 0.03 * rng_unit();
		int64_t duration = 60 + (int64_t)(size / (180 << 20));
		/* Random failures only in the past, so that the newest
		 * backups say exactly what the comment at the top says. */
		int failed = k >= 3 && rng_unit() < 0.02;
		if (is_ledger && k < 3)
			failed = 1;
		if (is_search && k == 0)
			failed = 1;
		b.started_at = start;
		b.size_bytes = failed ? -1 : (int64_t)size;
		b.compression_ratio = failed ? 0 : 2.2 + rng_unit();
		if (failed) {
			strlcpy_dr(b.status, "failed", sizeof b.status);
			b.completed_at = start + duration / 3;
			b.metadata = xstrdup(
			    "{\"error\":\"upload to s3 timed out after 3 "
			    "retries\"}");
		} else {
			int64_t age = now - start;
			const char *status = "completed";
			if (full && age < 30 * DAY)
				status = "verified";
			else if (!full && age > 30 * DAY)
				status = "expired";
			strlcpy_dr(b.status, status, sizeof b.status);
			b.completed_at = start + duration;
			if (b.completed_at > now)
				b.completed_at = now - 30;
			sha256_hex(b.backup_id, strlen(b.backup_id),
			           b.checksum);
			b.retention_until = start + (full ? 90 : 30) * DAY;
			char when[32];
			time_t t = (time_t)start;
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
			b.location = xasprintf(
			    "s3://acme-dr-backups/prod-eu/%s/%s-%s.drc",
			    d->name, when, b.type);
		}
		int st = catalog_backup_insert(cat, &b, err);
		catalog_backup_clear(&b);
		if (st != DR_OK)
			return st;
	}
	return DR_OK;
}

static int add_replication(struct catalog *cat, const struct demo_service *d,
                           int64_t now, char **err)
{
	struct catalog_replication r;
	int is_ledger = strcmp(d->name, "ledger-db") == 0;
	int is_orders = strcmp(d->name, "orders-db") == 0;

	/* A sample a minute for the last two hours. */
	for (int m = 120; m >= 0; m--) {
		memset(&r, 0, sizeof r);
		strlcpy_dr(r.service, d->name, sizeof r.service);
		snprintf(r.source, sizeof r.source, "%s-primary", d->name);
		strlcpy_dr(r.target, d->replica, sizeof r.target);
		r.sampled_at = now - m * MIN - 30;
		double lag = 0.2 + 1.1 * rng_unit();
		if (is_orders && m >= 22 && m <= 28)
			lag = 12 + 36 * (1.0 - (m - 25) * (m - 25) / 9.0);
		strlcpy_dr(r.state, "streaming", sizeof r.state);
		if (is_ledger) {
			/* Down for two hours: its WAL receiver stopped. */
			strlcpy_dr(r.state, m <= 118 ? "down" : "catchup",
			           sizeof r.state);
			lag = -1;
		}
		r.lag_s = lag;
		r.lag_bytes = lag < 0 ? -1 : (int64_t)(lag * 2.3 * (1 << 20));
		int st = catalog_replication_record(cat, &r, err);
		if (st != DR_OK)
			return st;
	}
	return DR_OK;
}

struct demo_step {
	const char *phase, *id, *title;
	int64_t duration_s;
};

/* The service's restore test: of the newest good backup completed before
 * it, so the demo's RTO evidence names a real backup. */
static int add_restore_test(struct catalog *cat, const struct demo_service *d,
                            int64_t now, char **err)
{
	struct catalog_backup_filter f = {
	    .service = d->name, .status = "completed", .limit = 64};
	struct catalog_restore r = {0};
	int64_t at = now - d->test_age_s;
	int st = DR_OK;

	strlcpy_dr(r.kind, "restore-test", sizeof r.kind);
	strlcpy_dr(r.service, d->name, sizeof r.service);
	/* Newest first, a page at a time: the backups after the test come
	 * first, and a long history is never read whole. */
	for (int found = 0; !found && st == DR_OK; f.offset += f.limit) {
		struct catalog_backup *list = NULL;
		size_t n = 0;
		st = catalog_backup_list(cat, &f, &list, &n, err);
		for (size_t i = 0; st == DR_OK && i < n && !found; i++) {
			const struct catalog_backup *b = &list[i];
			if (b->completed_at > 0 && b->completed_at < at) {
				strlcpy_dr(r.backup_id, b->backup_id,
				           sizeof r.backup_id);
				r.bytes = b->size_bytes;
				found = 1;
			}
		}
		catalog_backups_free(list, n);
		if (n < f.limit)
			break;
	}
	if (st != DR_OK)
		return st;
	r.duration_s = (double)d->test_duration_s;
	r.started_at = at - d->test_duration_s;
	r.ended_at = at;
	r.ok = 1;
	return catalog_restore_record(cat, &r, err);
}

static int add_recovery(struct catalog *cat, int64_t started,
                        const char *procedure, const char *incident,
                        const char *services, int is_drill, int64_t rto,
                        int64_t rpo, const struct demo_step *steps,
                        size_t n_steps, double data_loss, const char *notes,
                        const char *lessons, char **err)
{
	struct catalog_recovery r = {0};
	int64_t total = 0;
	for (size_t i = 0; i < n_steps; i++)
		total += steps[i].duration_s;

	demo_uuid(r.recovery_id);
	strlcpy_dr(r.incident_type, incident, sizeof r.incident_type);
	r.affected_services = xstrdup(services);
	strlcpy_dr(r.recovery_procedure, procedure,
	           sizeof r.recovery_procedure);
	strlcpy_dr(r.recovery_status, "completed", sizeof r.recovery_status);
	r.rto_target_s = rto;
	r.rpo_target_s = rpo;
	r.actual_recovery_s = total;
	r.data_loss_minutes = data_loss;
	strlcpy_dr(r.initiated_by, is_drill ? "mfernandes" : "oncall-jsilva",
	           sizeof r.initiated_by);
	r.incident_started_at = started - 4 * MIN;
	r.initiated_at = started;
	r.completed_at = started + total;
	r.recovery_notes = notes ? xstrdup(notes) : NULL;
	r.lessons_learned = lessons ? xstrdup(lessons) : NULL;
	r.is_drill = is_drill;
	int st = catalog_recovery_insert(cat, &r, err);

	int64_t at = started;
	for (size_t i = 0; st == DR_OK && i < n_steps; i++) {
		struct catalog_recovery_step s = {0};
		strlcpy_dr(s.recovery_id, r.recovery_id, sizeof s.recovery_id);
		s.seq = (int)i + 1;
		strlcpy_dr(s.step_id, steps[i].id, sizeof s.step_id);
		strlcpy_dr(s.phase, steps[i].phase, sizeof s.phase);
		strlcpy_dr(s.title, steps[i].title, sizeof s.title);
		strlcpy_dr(s.status, "completed", sizeof s.status);
		s.started_at = at;
		s.ended_at = at + steps[i].duration_s;
		s.exit_code = 0;
		strlcpy_dr(s.confirmed_by, r.initiated_by,
		           sizeof s.confirmed_by);
		at = s.ended_at;
		st = catalog_recovery_step_put(cat, &s, err);
	}
	catalog_recovery_clear(&r);
	return st;
}

static const struct demo_step partial_steps[] = {
    {"identify-and-isolate", "assess", "Confirm the failure and its scope",
     2 * MIN},
    {"identify-and-isolate", "isolate", "Take orders-db out of the pool", MIN},
    {"recover-data", "pick-backup", "Pick the newest verified backup", 40},
    {"recover-data", "restore", "Restore orders-db from backup", 6 * MIN + 30},
    {"recover-data", "verify", "Check row counts and checksums", 90},
    {"recover-services", "repoint", "Repoint the orders service", 70},
    {"recover-services", "smoke", "Smoke-test checkout end to end", 70},
};

static const struct demo_step regional_steps[] = {
    {"cross-region-failover", "freeze", "Freeze writes in eu-west-1", 3 * MIN},
    {"cross-region-failover", "promote", "Promote eu-central-1 replicas",
     9 * MIN},
    {"sync-data", "sync", "Sync object storage", 14 * MIN},
    {"update-dns", "dns", "Point api.acme.example at eu-central-1", 7 * MIN},
    {"update-dns", "verify", "Verify traffic and error rates", 5 * MIN},
};

static const struct demo_step corruption_steps[] = {
    {"isolate", "fence", "Fence the corrupted primary", 2 * MIN},
    {"promote", "promote", "Promote the most current replica", 3 * MIN},
    {"repoint", "repoint", "Repoint payments at the new primary", 2 * MIN},
    {"verify", "verify", "Verify data with the ledger checksums", 3 * MIN + 20},
    {"forensics", "copy", "Restore a copy for forensics (drill form)", 45},
};

int demo_build(struct catalog *cat, int64_t now, char **err)
{
	struct catalog_tier tiers[] = {
	    {"critical", 15 * MIN, 5 * MIN},
	    {"standard", HOUR, 30 * MIN},
	    {"low", 4 * HOUR, 4 * HOUR},
	};
	int st = DR_OK;
	rng_state = 0x9E3779B97F4A7C15ULL;

	for (size_t i = 0; st == DR_OK && i < 3; i++)
		st = catalog_tier_put(cat, &tiers[i], err);
	for (size_t i = 0; st == DR_OK && i < sizeof estate / sizeof *estate;
	     i++) {
		const struct demo_service *d = &estate[i];
		struct catalog_service s = {0};
		strlcpy_dr(s.name, d->name, sizeof s.name);
		strlcpy_dr(s.tier, d->tier, sizeof s.tier);
		strlcpy_dr(s.owner, d->owner, sizeof s.owner);
		s.backup_frequency_s = d->frequency_s;
		s.created_at = now - 120 * DAY;
		st = catalog_service_add(cat, &s, err);
		if (st == DR_OK)
			st = add_backups(cat, d, now, err);
		if (st == DR_OK && d->replica != NULL)
			st = add_replication(cat, d, now, err);
		if (st == DR_OK)
			st = add_restore_test(cat, d, now, err);
	}
	if (st == DR_OK)
		st = add_recovery(
		    cat, now - 60 * DAY - 5 * HOUR, "partial-recovery",
		    "drill: storage failure", "orders-db", 1, 15 * MIN, 5 * MIN,
		    partial_steps, 7, 0, "Quarterly partial-recovery drill.",
		    NULL, err);
	if (st == DR_OK)
		st = add_recovery(cat, now - 41 * DAY - 2 * HOUR,
		                  "partial-recovery", "storage-failure",
		                  "orders-db", 0, 15 * MIN, 5 * MIN,
		                  partial_steps, 7, 2.5,
		                  "EBS volume of orders-db-primary failed at "
		                  "02:11; restored from the 02:00 backup.",
		                  "Alert on volume I/O errors fired 9 minutes "
		                  "late; restore throughput was the long pole.",
		                  err);
	if (st == DR_OK)
		st = add_recovery(
		    cat, now - 20 * DAY - 3 * HOUR, "regional-failover",
		    "drill: region outage", "checkout-api,catalog-api", 1, HOUR,
		    30 * MIN, regional_steps, 5, 0,
		    "Game day: eu-west-1 declared lost.", NULL, err);
	if (st == DR_OK)
		st = add_recovery(
		    cat, now - 8 * DAY - 6 * HOUR, "database-corruption",
		    "drill: data corruption", "payments-db", 1, 15 * MIN,
		    5 * MIN, corruption_steps, 5, 0, NULL, NULL, err);
	return st;
}
