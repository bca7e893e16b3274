/* Writes a pgBackRest `info --output=json` listing of one stanza ("main")
 * with N backups (a full, then six incrementals, repeated), shaped like
 * pgBackRest 2.45's, or the same rows as CSV in the column order of the
 * catalog's backup_management table, with the ids and metadata drconsole's
 * import gives them, for `sqlite3 .import`:
 *     genpgbackrest N json|csv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/import.h"

static void iso(long long t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[2], "json") && strcmp(argv[2], "csv"))) {
		fprintf(stderr, "usage: genpgbackrest N json|csv\n");
		return 2;
	}
	long n = strtol(argv[1], NULL, 10);
	int json = strcmp(argv[2], "json") == 0;
	long long t0 = 1700000000;
	char full[48] = "", label[112], prior[112] = "";

	if (json)
		printf("[{\"archive\":[{\"database\":{\"id\":1,\"repo-key\":1},"
		       "\"id\":\"15-1\",\"max\":\"0000000100000FFF000000FF\","
		       "\"min\":\"000000010000000000000001\"}],\"backup\":[");
	for (long i = 0; i < n; i++) {
		long long start = t0 + i * 600, stop = start + 120;
		int is_full = i % 7 == 0;
		struct tm tm;
		time_t tt = (time_t)start;
		char stamp[32];
		gmtime_r(&tt, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		if (is_full) {
			snprintf(full, sizeof(full), "%sF", stamp);
			snprintf(label, sizeof(label), "%s", full);
		} else {
			snprintf(label, sizeof(label), "%s_%sI", full, stamp);
		}
		long long size = 30000000 + i % 1000, repo = 4000000 + i % 777;
		if (json) {
			printf(
			    "%s{\"archive\":{\"start\":\"00000001%016lX\","
			    "\"stop\":\"00000001%016lX\"},\"backrest\":{"
			    "\"format\":5,\"version\":\"2.45\"},\"database\":"
			    "{\"id\":1,\"repo-key\":1},\"error\":false,"
			    "\"info\":{\"delta\":%lld,\"repository\":{"
			    "\"delta\":%lld,\"size\":%lld},\"size\":%lld},"
			    "\"label\":\"%s\",\"lsn\":{\"start\":\"0/%lX\","
			    "\"stop\":\"0/%lX\"},\"prior\":%s%s%s,"
			    "\"reference\":%s%s%s,\"timestamp\":{\"start\":"
			    "%lld,\"stop\":%lld},\"type\":\"%s\"}",
			    i ? "," : "", (unsigned long)i + 2,
			    (unsigned long)i + 2, size / 10, repo / 10, repo,
			    size, label, (unsigned long)i * 4096,
			    (unsigned long)i * 4096 + 200, is_full ? "" : "\"",
			    is_full ? "null" : prior, is_full ? "" : "\"",
			    is_full ? "" : "[\"", is_full ? "null" : full,
			    is_full ? "" : "\"]", start, stop,
			    is_full ? "full" : "incr");
		} else {
			char id[37], a[32], b[32], now[32];
			import_backup_id("pgbackrest", "main/repo1", label, id);
			iso(start, a);
			iso(stop, b);
			iso(t0 + n * 600, now);
			printf(
			    "%s,00000000-0000-0000-0000-000000000000,%s,bench,"
			    "pgbackrest:main/repo1,%lld,%.17g,completed,%s,%s,"
			    ",,\"{\"\"import\"\":{\"\"tool\"\":\"\"pgbackrest"
			    "\"\",\"\"repository\"\":\"\"main/repo1\"\","
			    "\"\"label\"\":\"\"%s\"\",\"\"stored_bytes\"\":"
			    "%lld}}\",%s,%s\n",
			    id, is_full ? "full" : "incremental", size,
			    (double)size / (double)repo, a, b, label, repo, now,
			    now);
		}
		snprintf(prior, sizeof(prior), "%s", label);
	}
	if (json)
		printf("],\"cipher\":\"none\",\"db\":[{\"id\":1,\"repo-key\":1,"
		       "\"system-id\":7299988877766655443,\"version\":\"15\"}],"
		       "\"name\":\"main\",\"repo\":[{\"cipher\":\"none\","
		       "\"key\":1,\"status\":{\"code\":0,\"message\":\"ok\"}}],"
		       "\"status\":{\"code\":0,\"lock\":{\"backup\":{\"held\":"
		       "false}},\"message\":\"ok\"}}]\n");
	return 0;
}
