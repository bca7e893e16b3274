/* Writes a catalog of SERVICES services with BACKUPS backups each, through
 * the catalog interface, for the benchmarks:
 *     gencatalog PATH SERVICES BACKUPS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/crypto.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "core/xmalloc.h"
#include "db/catalog.h"

static int die(const char *what, char *err)
{
	fprintf(stderr, "gencatalog: %s: %s\n", what, err ? err : "failed");
	free(err);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gencatalog PATH SERVICES BACKUPS\n");
		return 2;
	}
	const char *path = argv[1];
	long services = strtol(argv[2], NULL, 10);
	long backups = strtol(argv[3], NULL, 10);
	if (services < 1 || backups < 1) {
		fprintf(stderr, "gencatalog: SERVICES and BACKUPS must be "
		                "positive\n");
		return 2;
	}
	unlink(path);
	struct catalog *cat = NULL;
	char *err = NULL;
	if (catalog_open(path, CATALOG_CREATE, &cat, &err) != DR_OK)
		return die("open", err);
	audit_attach(cat);
	static const struct catalog_tier tiers[] = {{"critical", 900, 300},
	                                            {"standard", 3600, 1800},
	                                            {"low", 14400, 14400}};
	int64_t now = time_now();
	if (catalog_begin(cat, &err) != DR_OK)
		return die("begin", err);
	for (int i = 0; i < 3; i++)
		if (catalog_tier_put(cat, &tiers[i], &err) != DR_OK)
			return die("tier", err);
	for (long s = 0; s < services; s++) {
		struct catalog_service svc = {0};
		snprintf(svc.name, sizeof svc.name, "svc-%03ld", s);
		strlcpy_dr(svc.tier, tiers[s % 3].name, sizeof svc.tier);
		svc.backup_frequency_s = 900;
		svc.created_at = now - 200 * 86400;
		if (catalog_service_add(cat, &svc, &err) != DR_OK)
			return die("service", err);
	}
	if (catalog_commit(cat, &err) != DR_OK)
		return die("commit", err);

	long long written = 0;
	for (long k = backups - 1; k >= 0; k--) {
		if (catalog_begin(cat, &err) != DR_OK)
			return die("begin", err);
		for (long s = 0; s < services; s++) {
			struct catalog_backup b = {0};
			uuid_v4(b.backup_id);
			snprintf(b.service, sizeof b.service, "svc-%03ld", s);
			strlcpy_dr(b.type, k % 96 == 0 ? "full" : "incremental",
			           sizeof b.type);
			int failed = (k * 7 + s) % 53 == 0;
			strlcpy_dr(b.status, failed ? "failed" : "completed",
			           sizeof b.status);
			b.started_at = now - k * 900 - 600;
			b.completed_at = b.started_at + 120;
			b.size_bytes = failed ? -1 : 1000000 + k;
			b.compression_ratio = 2.5;
			if (!failed)
				sha256_hex(b.backup_id, 36, b.checksum);
			if (catalog_backup_insert(cat, &b, &err) != DR_OK)
				return die("backup", err);
			written++;
		}
		if (catalog_commit(cat, &err) != DR_OK)
			return die("commit", err);
	}
	catalog_close(cat);
	printf("%s: %ld services, %lld backups\n", path, services, written);
	return 0;
}
