/* The SQLite catalog's schema, one migration per entry (see migrations.h).
 *
 * Model: times are TEXT "YYYY-MM-DDTHH:MM:SSZ" in UTC so that the sqlite3
 * shell shows them readably and they sort as text; durations are INTEGER
 * seconds; enumerations are CHECKed.  backup_health_monitoring is derived
 * state and is kept by the triggers below, never written by callers: a
 * backup that becomes good (completed or verified, from a status that was
 * not good) counts one success; one that becomes bad (failed or corrupt,
 * from a status that was not bad) counts one failure.  Storage usage is the
 * bytes of backups that hold data (completed, verified, corrupt), kept as a
 * running sum so no query ever adds up the history. */
#include "db/migrations.h"

#include <stdlib.h>

#include "db/catalog.h"
#include "db/catalog_status.h"
#include "db/sqlite_int.h"

/* SQL is laid out by hand. */
// clang-format off

/* GOOD and GOOD7 are the SQL migrations 1 and 7 ran with, frozen: they
 * spell CATALOG_BACKUP_GOOD_SQL (db/catalog_status.h) as it was then.  Should
 * the good statuses change, these stay as they are and a new migration
 * rebuilds the triggers that use them; the asserts below say so. */
#define GOOD(r) r ".backup_status IN ('completed', 'verified')"
#define BAD(r) r ".backup_status IN ('failed', 'corrupt')"
#define STORED(r) r ".backup_status IN ('completed', 'verified', 'corrupt')"
#define DEFAULT_TENANT "'00000000-0000-0000-0000-000000000000'"

/* Creates the health row of NEW.service_name if it is missing. */
#define HEALTH_ENSURE \
	"  INSERT OR IGNORE INTO backup_health_monitoring\n" \
	"      (service_name, tenant_id, backup_frequency_s, created_at,\n" \
	"       updated_at)\n" \
	"    SELECT name, tenant_id, backup_frequency_s, NEW.updated_at,\n" \
	"           NEW.updated_at\n" \
	"      FROM services WHERE name = NEW.service_name;\n"

/* The health update for a backup row NEW that is good when `good` and bad
 * when `bad` (SQL expressions).  Right-hand sides see the old values. */
#define HEALTH_COUNT(good, bad) \
	"  UPDATE backup_health_monitoring SET\n" \
	"    last_successful_backup = CASE WHEN " good " AND\n" \
	"        (last_successful_backup IS NULL OR last_successful_backup <\n" \
	"         coalesce(NEW.completed_at, NEW.updated_at))\n" \
	"      THEN coalesce(NEW.completed_at, NEW.updated_at)\n" \
	"      ELSE last_successful_backup END,\n" \
	"    backup_streak = CASE WHEN " good " THEN backup_streak + 1\n" \
	"      WHEN " bad " THEN 0 ELSE backup_streak END,\n" \
	"    failure_count = CASE WHEN " good " THEN 0\n" \
	"      WHEN " bad " THEN failure_count + 1 ELSE failure_count END,\n" \
	"    health_status = CASE WHEN " good " THEN 'healthy'\n" \
	"      WHEN " bad " THEN CASE WHEN failure_count + 1 >= 3 THEN\n" \
	"        'critical' WHEN failure_count + 1 = 2 THEN 'warning'\n" \
	"        ELSE 'degraded' END\n" \
	"      ELSE health_status END,\n" \
	"    updated_at = NEW.updated_at\n" \
	"  WHERE service_name = NEW.service_name AND (" good " OR " bad ");\n"

static const char schema_v1[] =
	"CREATE TABLE tiers (\n"
	"  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 31),\n"
	"  rto_s INTEGER NOT NULL CHECK (rto_s >= 0),\n"
	"  rpo_s INTEGER NOT NULL CHECK (rpo_s >= 0)\n"
	");\n"
	"INSERT INTO tiers (name, rto_s, rpo_s) VALUES\n"
	"  ('critical', 900, 300), ('standard', 3600, 1800),\n"
	"  ('low', 14400, 14400);\n"
	"\n"
	"CREATE TABLE services (\n"
	"  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 63),\n"
	"  tenant_id TEXT NOT NULL DEFAULT " DEFAULT_TENANT ",\n"
	"  tier TEXT,\n"
	"  owner TEXT NOT NULL DEFAULT '',\n"
	"  rto_s INTEGER NOT NULL DEFAULT 0 CHECK (rto_s >= 0),\n"
	"  rpo_s INTEGER NOT NULL DEFAULT 0 CHECK (rpo_s >= 0),\n"
	"  backup_frequency_s INTEGER NOT NULL DEFAULT 0\n"
	"    CHECK (backup_frequency_s >= 0),\n"
	"  drill_policy_s INTEGER NOT NULL DEFAULT 0 CHECK (drill_policy_s >= 0),\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX services_updated ON services (updated_at);\n"
	"\n"
	"CREATE TABLE backup_management (\n"
	"  backup_id TEXT PRIMARY KEY CHECK (length(backup_id) BETWEEN 1 AND 39),\n"
	"  tenant_id TEXT NOT NULL DEFAULT " DEFAULT_TENANT ",\n"
	"  backup_type TEXT NOT NULL\n"
	"    CHECK (backup_type IN ('full', 'incremental', 'differential')),\n"
	"  service_name TEXT NOT NULL REFERENCES services (name),\n"
	"  backup_location TEXT,\n"
	"  backup_size INTEGER CHECK (backup_size IS NULL OR backup_size >= 0),\n"
	"  compression_ratio REAL,\n"
	"  backup_status TEXT NOT NULL DEFAULT 'pending'\n"
	"    CHECK (backup_status IN ('pending', 'running', 'completed',\n"
	"      'failed', 'verified', 'expired', 'corrupt')),\n"
	"  started_at TEXT,\n"
	"  completed_at TEXT,\n"
	"  checksum TEXT,\n"
	"  retention_until TEXT,\n"
	"  metadata TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL\n"
	");\n"
	/* Newest good backup of a service: an index range per (service,
	 * status), read from its end. */
	"CREATE INDEX backup_management_service_status_completed\n"
	"  ON backup_management (service_name, backup_status, completed_at);\n"
	/* Newest attempt of a service; also the foreign-key index. */
	"CREATE INDEX backup_management_service_started\n"
	"  ON backup_management (service_name, started_at);\n"
	"CREATE INDEX backup_management_status_started\n"
	"  ON backup_management (backup_status, started_at);\n"
	"CREATE INDEX backup_management_started\n"
	"  ON backup_management (started_at);\n"
	"CREATE INDEX backup_management_updated\n"
	"  ON backup_management (updated_at);\n"
	"\n"
	"CREATE TABLE backup_health_monitoring (\n"
	"  service_name TEXT PRIMARY KEY\n"
	"    REFERENCES services (name) ON DELETE CASCADE,\n"
	"  tenant_id TEXT NOT NULL DEFAULT " DEFAULT_TENANT ",\n"
	"  backup_frequency_s INTEGER NOT NULL DEFAULT 0,\n"
	"  last_successful_backup TEXT,\n"
	"  backup_streak INTEGER NOT NULL DEFAULT 0,\n"
	"  failure_count INTEGER NOT NULL DEFAULT 0,\n"
	"  health_status TEXT NOT NULL DEFAULT 'healthy'\n"
	"    CHECK (health_status IN ('healthy', 'degraded', 'warning',\n"
	"      'critical')),\n"
	"  storage_usage_bytes INTEGER NOT NULL DEFAULT 0,\n"
	"  storage_usage_gb REAL GENERATED ALWAYS AS\n"
	"    (storage_usage_bytes / 1073741824.0) VIRTUAL,\n"
	"  storage_quota_gb REAL NOT NULL DEFAULT 0,\n"
	"  estimated_full_recovery_s INTEGER,\n"
	"  last_recovery_test TEXT,\n"
	"  alerts_enabled INTEGER NOT NULL DEFAULT 1\n"
	"    CHECK (alerts_enabled IN (0, 1)),\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX backup_health_monitoring_status\n"
	"  ON backup_health_monitoring (health_status);\n"
	"\n"
	"CREATE TRIGGER services_health_create AFTER INSERT ON services\n"
	"BEGIN\n"
	"  INSERT OR IGNORE INTO backup_health_monitoring\n"
	"      (service_name, tenant_id, backup_frequency_s, created_at,\n"
	"       updated_at)\n"
	"    VALUES (NEW.name, NEW.tenant_id, NEW.backup_frequency_s,\n"
	"            NEW.created_at, NEW.updated_at);\n"
	"END;\n"
	"CREATE TRIGGER services_health_frequency\n"
	"  AFTER UPDATE OF backup_frequency_s ON services\n"
	"BEGIN\n"
	"  UPDATE backup_health_monitoring\n"
	"    SET backup_frequency_s = NEW.backup_frequency_s,\n"
	"        updated_at = NEW.updated_at\n"
	"    WHERE service_name = NEW.name;\n"
	"END;\n"
	"\n"
	"CREATE TRIGGER backup_management_health_insert\n"
	"  AFTER INSERT ON backup_management\n"
	"BEGIN\n"
	HEALTH_ENSURE
	HEALTH_COUNT(GOOD("NEW"), BAD("NEW"))
	"  UPDATE backup_health_monitoring\n"
	"    SET storage_usage_bytes = storage_usage_bytes +\n"
	"        coalesce(NEW.backup_size, 0)\n"
	"    WHERE service_name = NEW.service_name AND " STORED("NEW") ";\n"
	"END;\n"
	"CREATE TRIGGER backup_management_health_update\n"
	"  AFTER UPDATE ON backup_management\n"
	"BEGIN\n"
	HEALTH_ENSURE
	HEALTH_COUNT("(" GOOD("NEW") " AND NOT " GOOD("OLD") ")",
		     "(" BAD("NEW") " AND NOT " BAD("OLD") ")")
	"  UPDATE backup_health_monitoring\n"
	"    SET storage_usage_bytes = storage_usage_bytes -\n"
	"        coalesce(OLD.backup_size, 0)\n"
	"    WHERE service_name = OLD.service_name AND " STORED("OLD") ";\n"
	"  UPDATE backup_health_monitoring\n"
	"    SET storage_usage_bytes = storage_usage_bytes +\n"
	"        coalesce(NEW.backup_size, 0)\n"
	"    WHERE service_name = NEW.service_name AND " STORED("NEW") ";\n"
	"END;\n"
	"CREATE TRIGGER backup_management_health_delete\n"
	"  AFTER DELETE ON backup_management\n"
	"BEGIN\n"
	"  UPDATE backup_health_monitoring\n"
	"    SET storage_usage_bytes = storage_usage_bytes -\n"
	"        coalesce(OLD.backup_size, 0)\n"
	"    WHERE service_name = OLD.service_name AND " STORED("OLD") ";\n"
	"END;\n"
	"\n"
	"CREATE TABLE disaster_recovery_log (\n"
	"  recovery_id TEXT PRIMARY KEY\n"
	"    CHECK (length(recovery_id) BETWEEN 1 AND 39),\n"
	"  tenant_id TEXT NOT NULL DEFAULT " DEFAULT_TENANT ",\n"
	"  incident_type TEXT NOT NULL CHECK (incident_type <> ''),\n"
	"  affected_services TEXT NOT NULL DEFAULT '',\n"
	"  recovery_procedure TEXT NOT NULL DEFAULT '',\n"
	"  recovery_status TEXT NOT NULL DEFAULT 'initiated'\n"
	"    CHECK (recovery_status IN ('initiated', 'in_progress', 'completed',\n"
	"      'failed', 'aborted', 'rolled_back')),\n"
	"  rto_target_s INTEGER,\n"
	"  rpo_target_s INTEGER,\n"
	"  actual_recovery_s INTEGER,\n"
	"  data_loss_minutes REAL,\n"
	"  initiated_by TEXT NOT NULL DEFAULT '',\n"
	"  incident_started_at TEXT,\n"
	"  initiated_at TEXT NOT NULL,\n"
	"  completed_at TEXT,\n"
	"  recovery_notes TEXT,\n"
	"  lessons_learned TEXT,\n"
	"  is_drill INTEGER NOT NULL DEFAULT 0 CHECK (is_drill IN (0, 1)),\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX disaster_recovery_log_initiated\n"
	"  ON disaster_recovery_log (initiated_at);\n"
	"CREATE INDEX disaster_recovery_log_updated\n"
	"  ON disaster_recovery_log (updated_at);\n"
	"CREATE INDEX disaster_recovery_log_tenant_status\n"
	"  ON disaster_recovery_log (tenant_id, recovery_status);\n"
	"\n"
	"CREATE TABLE recovery_steps (\n"
	"  recovery_id TEXT NOT NULL\n"
	"    REFERENCES disaster_recovery_log (recovery_id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL CHECK (seq >= 1),\n"
	"  step_id TEXT NOT NULL DEFAULT '',\n"
	"  phase TEXT NOT NULL DEFAULT '',\n"
	"  title TEXT NOT NULL DEFAULT '',\n"
	"  status TEXT NOT NULL DEFAULT 'pending'\n"
	"    CHECK (status IN ('pending', 'running', 'completed', 'failed',\n"
	"      'skipped', 'interrupted', 'rolled_back')),\n"
	"  started_at TEXT,\n"
	"  ended_at TEXT,\n"
	"  exit_code INTEGER,\n"
	"  output_tail TEXT,\n"
	"  confirmed_by TEXT NOT NULL DEFAULT '',\n"
	"  notes TEXT,\n"
	"  PRIMARY KEY (recovery_id, seq)\n"
	");\n"
	"\n"
	/* Which services a recovery touched: drill recency per service
	 * without parsing affected_services.  No foreign key to services:
	 * recoveries outlive the services they name. */
	"CREATE TABLE recovery_services (\n"
	"  service_name TEXT NOT NULL,\n"
	"  recovery_id TEXT NOT NULL\n"
	"    REFERENCES disaster_recovery_log (recovery_id) ON DELETE CASCADE,\n"
	"  PRIMARY KEY (service_name, recovery_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX recovery_services_recovery\n"
	"  ON recovery_services (recovery_id);\n"
	"\n"
	"CREATE TABLE audit_log (\n"
	"  seq INTEGER PRIMARY KEY,\n"
	"  at TEXT NOT NULL,\n"
	"  actor TEXT NOT NULL,\n"
	"  origin TEXT NOT NULL DEFAULT '',\n"
	"  action TEXT NOT NULL,\n"
	"  subject TEXT NOT NULL DEFAULT '',\n"
	"  details TEXT,\n"
	"  prev_hash TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX audit_log_at ON audit_log (at);\n"
	"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log\n"
	"BEGIN\n"
	"  SELECT RAISE(ABORT, 'audit_log is append-only');\n"
	"END;\n"
	"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log\n"
	"BEGIN\n"
	"  SELECT RAISE(ABORT, 'audit_log is append-only');\n"
	"END;\n";

/* Probe results and replication samples.  The *_keys tables hold one row
 * per (source, target) pair and per (service, probe), kept by triggers, so
 * "the newest sample of each" is one index probe per key rather than a
 * pass over the history. */
static const char schema_v2[] =
	"CREATE TABLE replication_history (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  service_name TEXT REFERENCES services (name),\n"
	"  source TEXT NOT NULL,\n"
	"  target TEXT NOT NULL,\n"
	"  state TEXT NOT NULL DEFAULT 'unknown'\n"
	"    CHECK (state IN ('streaming', 'catchup', 'stopped', 'down',\n"
	"      'unknown')),\n"
	"  lag_s REAL,\n"
	"  lag_bytes INTEGER,\n"
	"  sampled_at TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX replication_history_pair\n"
	"  ON replication_history (source, target, sampled_at);\n"
	"CREATE INDEX replication_history_service\n"
	"  ON replication_history (service_name, sampled_at);\n"
	"CREATE INDEX replication_history_sampled\n"
	"  ON replication_history (sampled_at);\n"
	"CREATE TABLE replication_keys (\n"
	"  source TEXT NOT NULL,\n"
	"  target TEXT NOT NULL,\n"
	"  PRIMARY KEY (source, target)\n"
	") WITHOUT ROWID;\n"
	"CREATE TRIGGER replication_history_key\n"
	"  AFTER INSERT ON replication_history\n"
	"BEGIN\n"
	"  INSERT OR IGNORE INTO replication_keys (source, target)\n"
	"    VALUES (NEW.source, NEW.target);\n"
	"END;\n"
	"\n"
	"CREATE TABLE health_history (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  service_name TEXT NOT NULL REFERENCES services (name),\n"
	"  probe TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL\n"
	"    CHECK (kind IN ('http', 'tcp', 'postgres', 'command')),\n"
	"  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),\n"
	"  latency_ms REAL,\n"
	"  value REAL NOT NULL DEFAULT 0,\n"
	"  message TEXT NOT NULL DEFAULT '',\n"
	"  sampled_at TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX health_history_probe\n"
	"  ON health_history (service_name, probe, sampled_at);\n"
	"CREATE INDEX health_history_sampled ON health_history (sampled_at);\n"
	"CREATE TABLE health_keys (\n"
	"  service_name TEXT NOT NULL,\n"
	"  probe TEXT NOT NULL,\n"
	"  PRIMARY KEY (service_name, probe)\n"
	") WITHOUT ROWID;\n"
	"CREATE TRIGGER health_history_key AFTER INSERT ON health_history\n"
	"BEGIN\n"
	"  INSERT OR IGNORE INTO health_keys (service_name, probe)\n"
	"    VALUES (NEW.service_name, NEW.probe);\n"
	"END;\n";

/* Runbook executions (db/sqlite_runbook.c): who holds each, the runbook
 * text it runs, and its variables; at most one open execution per
 * incident_key, kept by a partial unique index. */
static const char schema_v3[] =
	"CREATE TABLE runbook_executions (\n"
	"  recovery_id TEXT PRIMARY KEY\n"
	"    REFERENCES disaster_recovery_log (recovery_id) ON DELETE CASCADE,\n"
	"  runbook TEXT NOT NULL CHECK (runbook <> ''),\n"
	"  incident_key TEXT NOT NULL CHECK (incident_key <> ''),\n"
	"  holder TEXT NOT NULL DEFAULT '',\n"
	"  origin TEXT NOT NULL DEFAULT '',\n"
	"  host TEXT NOT NULL DEFAULT '',\n"
	"  pid INTEGER NOT NULL DEFAULT 0 CHECK (pid >= 0),\n"
	"  held_since TEXT,\n"
	"  is_open INTEGER NOT NULL DEFAULT 1 CHECK (is_open IN (0, 1)),\n"
	"  child_pgid INTEGER NOT NULL DEFAULT 0,\n"
	"  runbook_path TEXT,\n"
	"  runbook_text TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL\n"
	");\n"
	"CREATE UNIQUE INDEX runbook_executions_one_open\n"
	"  ON runbook_executions (incident_key) WHERE is_open = 1;\n"
	"CREATE TABLE runbook_variables (\n"
	"  recovery_id TEXT NOT NULL\n"
	"    REFERENCES runbook_executions (recovery_id) ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL CHECK (name <> ''),\n"
	"  value TEXT NOT NULL,\n"
	"  PRIMARY KEY (recovery_id, name)\n"
	");\n";

/* Migration 5 (issue 6, live signals): the agent's heartbeat, the last run
 * of every scheduled job, each probe's consecutive-failure state, and
 * notifications (the last state of every subject, and the outbox of every
 * message with its delivery).  db/sqlite_agent.c reads and writes them. */
static const char schema_v5[] =
	"CREATE TABLE agent_heartbeat (\n"
	"  host TEXT NOT NULL,\n"
	"  pid INTEGER NOT NULL,\n"
	"  version TEXT NOT NULL DEFAULT '',\n"
	"  started_at TEXT NOT NULL,\n"
	"  beat_at TEXT NOT NULL,\n"
	"  interval_s INTEGER NOT NULL,\n"
	"  state TEXT NOT NULL CHECK (state IN ('running', 'stopping', 'stopped')),\n"
	"  note TEXT NOT NULL DEFAULT '',\n"
	"  PRIMARY KEY (host, pid)\n"
	");\n"
	"CREATE INDEX agent_heartbeat_by_beat ON agent_heartbeat (beat_at);\n"
	"CREATE TABLE agent_jobs (\n"
	"  name TEXT PRIMARY KEY,\n"
	"  last_started_at TEXT,\n"
	"  last_finished_at TEXT,\n"
	"  last_status TEXT NOT NULL DEFAULT '',\n"
	"  last_message TEXT NOT NULL DEFAULT '',\n"
	"  runs INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE TABLE probe_state (\n"
	"  service_name TEXT NOT NULL,\n"
	"  probe TEXT NOT NULL,\n"
	"  consecutive_failures INTEGER NOT NULL DEFAULT 0,\n"
	"  down INTEGER NOT NULL DEFAULT 0 CHECK (down IN (0, 1)),\n"
	"  changed_at TEXT,\n"
	"  last_ok_at TEXT,\n"
	"  last_run_at TEXT,\n"
	"  message TEXT NOT NULL DEFAULT '',\n"
	"  PRIMARY KEY (service_name, probe)\n"
	");\n"
	"CREATE TABLE notify_state (\n"
	"  event_key TEXT PRIMARY KEY,\n"
	"  state TEXT NOT NULL,\n"
	"  changed_at TEXT\n"
	");\n"
	"CREATE TABLE notify_outbox (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  event_key TEXT NOT NULL,\n"
	"  channel TEXT NOT NULL,\n"
	"  service_name TEXT NOT NULL DEFAULT '',\n"
	"  type TEXT NOT NULL,\n"
	"  state TEXT NOT NULL,\n"
	"  title TEXT NOT NULL,\n"
	"  message TEXT NOT NULL,\n"
	"  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed',\n"
	"    'deduplicated', 'rate_limited')),\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  next_attempt_at TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  sent_at TEXT,\n"
	"  last_error TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE INDEX notify_outbox_due ON notify_outbox (status, next_attempt_at);\n"
	"CREATE INDEX notify_outbox_by_key ON notify_outbox (channel, event_key, state, created_at);\n"
	"CREATE INDEX notify_outbox_by_channel ON notify_outbox (channel, created_at);\n";

/* Append new versions here; numbers may leave gaps, never repeat. */
/* The newest good backup and the newest attempt of every service, kept by
 * triggers, so `status` reads one small row per service and nothing of
 * the history, however long it grows.  Each change to a service's backups
 * recomputes its row from the indexes (a few page reads per write).  The
 * newest good backup may lie in the future (clock skew); the reader then
 * looks up the newest one before now itself. */
#define NEWEST_RECOMPUTE(who) \
	"  INSERT OR REPLACE INTO backup_newest\n" \
	"      (service_name, good_at, good_size, attempt_at, attempt_status)\n" \
	"    SELECT " who ".service_name, g.completed_at, g.backup_size,\n" \
	"           a.started_at, a.backup_status\n" \
	"    FROM (SELECT 1)\n" \
	"    LEFT JOIN (SELECT completed_at, backup_size FROM (\n" \
	"        SELECT * FROM (SELECT completed_at, backup_size\n" \
	"          FROM backup_management WHERE service_name =\n" \
	"          " who ".service_name AND backup_status = 'completed'\n" \
	"          ORDER BY completed_at DESC LIMIT 1)\n" \
	"        UNION ALL\n" \
	"        SELECT * FROM (SELECT completed_at, backup_size\n" \
	"          FROM backup_management WHERE service_name =\n" \
	"          " who ".service_name AND backup_status = 'verified'\n" \
	"          ORDER BY completed_at DESC LIMIT 1))\n" \
	"      ORDER BY completed_at DESC LIMIT 1) g\n" \
	"    LEFT JOIN (SELECT started_at, backup_status\n" \
	"        FROM backup_management WHERE service_name =\n" \
	"        " who ".service_name ORDER BY started_at DESC LIMIT 1) a\n" \
	"    WHERE EXISTS (SELECT 1 FROM services WHERE name =\n" \
	"        " who ".service_name);\n"

static const char schema_v6[] =
	"CREATE TABLE backup_newest (\n"
	"  service_name TEXT PRIMARY KEY\n"
	"    REFERENCES services (name) ON DELETE CASCADE,\n"
	"  good_at TEXT,\n"
	"  good_size INTEGER,\n"
	"  attempt_at TEXT,\n"
	"  attempt_status TEXT\n"
	");\n"
	"CREATE TRIGGER backup_newest_insert AFTER INSERT ON backup_management\n"
	"BEGIN\n" NEWEST_RECOMPUTE("NEW") "END;\n"
	"CREATE TRIGGER backup_newest_update AFTER UPDATE ON backup_management\n"
	"BEGIN\n" NEWEST_RECOMPUTE("NEW") NEWEST_RECOMPUTE("OLD") "END;\n"
	"CREATE TRIGGER backup_newest_delete AFTER DELETE ON backup_management\n"
	"BEGIN\n" NEWEST_RECOMPUTE("OLD") "END;\n"
	"INSERT INTO backup_newest\n"
	"    (service_name, good_at, good_size, attempt_at, attempt_status)\n"
	"  SELECT s.name, g.completed_at, g.backup_size, a.started_at,\n"
	"         a.backup_status\n"
	"  FROM services s\n"
	"  LEFT JOIN backup_management g ON g.rowid = (\n"
	"    SELECT b.rowid FROM backup_management b\n"
	"    WHERE b.service_name = s.name\n"
	"      AND b.backup_status IN ('completed', 'verified')\n"
	"    ORDER BY b.completed_at DESC LIMIT 1)\n"
	"  LEFT JOIN backup_management a ON a.rowid = (\n"
	"    SELECT b.rowid FROM backup_management b\n"
	"    WHERE b.service_name = s.name ORDER BY b.started_at DESC\n"
	"    LIMIT 1);\n";

/* Migration 7 (issue 10, the evidence model, docs/EVIDENCE.md).
 *
 *  - backup_management gains the status 'restore_failed' (a restore of it
 *    failed: not a good backup, a bad attempt).  SQLite cannot change a
 *    CHECK, so the table is rebuilt; its indexes and triggers with it.
 *  - Health follows the attempts' own times, t = started_at, else
 *    completed_at, else created_at, whatever order they were reported in:
 *    failure_count = bad attempts later than every good one, backup_streak
 *    = good attempts later than every bad one.  good_t and bad_t keep the
 *    newest good and bad t.  An insert in time order is counted
 *    incrementally; a backfilled insert, an update that changes what
 *    counts, and a delete recount the service from the indexes.
 *  - restores: every restore and restore test, ok or not, with its backup,
 *    bytes and time; an ok restore test is the service's last recovery
 *    test.  Restore tests recorded before (only in the health row) are
 *    carried over with an unknown backup.
 *  - replication_history.kind: 'replica' or 'copy' (a backup copied to a
 *    second repository, never a recovery point); replication_links holds
 *    the newest sample of every link by service, so a service's links are
 *    one index range. */
#define T7(r) "coalesce(" r ".started_at, " r ".completed_at, " r ".created_at)"
#define GOOD7(r) r ".backup_status IN ('completed', 'verified')"
_Static_assert(CATALOG_BACKUP_GOOD_COUNT == 2 &&
                   sizeof(GOOD("r")) == sizeof(GOOD7("r")) &&
                   sizeof(GOOD("r")) ==
                       sizeof("r.backup_status IN " CATALOG_BACKUP_GOOD_SQL),
               "the good backup statuses changed: past migrations keep their "
               "SQL; add a migration that rebuilds the triggers using them");
#define BAD7(r) r ".backup_status IN ('failed', 'corrupt', 'restore_failed')"
#define STORED7(r) r ".backup_status IN ('completed', 'verified', 'corrupt'," \
	" 'restore_failed')"
/* The newest t of a service's attempts in one status (index lookup). */
#define NEWEST_T7(svc, status) \
	"(SELECT " T7("x") " FROM backup_management x\n" \
	"  WHERE x.service_name = " svc " AND x.backup_status = '" status "'\n" \
	"  ORDER BY " T7("x") " DESC LIMIT 1)"
#define MAX2(a, b) "(SELECT max(v) FROM (SELECT " a " AS v UNION ALL SELECT " b "))"
#define MAX3(a, b, c) "(SELECT max(v) FROM (SELECT " a " AS v UNION ALL SELECT " b \
	" UNION ALL SELECT " c "))"
#define GOOD_T7(svc) MAX2(NEWEST_T7(svc, "completed"), NEWEST_T7(svc, "verified"))
#define BAD_T7(svc) MAX3(NEWEST_T7(svc, "failed"), NEWEST_T7(svc, "corrupt"), \
	NEWEST_T7(svc, "restore_failed"))
/* Attempts of a service later than `after` (NULL: all) that are `what`. */
#define COUNT_AFTER7(svc, after, what) \
	"(SELECT count(*) FROM backup_management y\n" \
	"  WHERE y.service_name = " svc " AND (" after " IS NULL OR\n" \
	"    " T7("y") " > " after ") AND " what("y") ")"
#define HEALTH_OF(n) \
	"CASE WHEN " n " >= 3 THEN 'critical' WHEN " n " = 2 THEN 'warning'\n" \
	"  WHEN " n " = 1 THEN 'degraded' ELSE 'healthy' END"
#define LAST_GOOD7(svc) \
	MAX2("(SELECT completed_at FROM backup_management z WHERE\n" \
	     "  z.service_name = " svc " AND z.backup_status = 'completed'\n" \
	     "  ORDER BY completed_at DESC LIMIT 1)", \
	     "(SELECT completed_at FROM backup_management z WHERE\n" \
	     "  z.service_name = " svc " AND z.backup_status = 'verified'\n" \
	     "  ORDER BY completed_at DESC LIMIT 1)")

/* Recounts the health of one service from its attempts, when `when`. */
#define HEALTH_RECOUNT7(svc, stamp, when) \
	"  UPDATE backup_health_monitoring SET\n" \
	"    good_t = " GOOD_T7(svc) ",\n" \
	"    bad_t = " BAD_T7(svc) "\n" \
	"  WHERE service_name = " svc " AND " when ";\n" \
	"  UPDATE backup_health_monitoring SET\n" \
	"    failure_count = " COUNT_AFTER7(svc, "good_t", BAD7) ",\n" \
	"    backup_streak = " COUNT_AFTER7(svc, "bad_t", GOOD7) ",\n" \
	"    last_successful_backup = " LAST_GOOD7(svc) ",\n" \
	"    updated_at = " stamp "\n" \
	"  WHERE service_name = " svc " AND " when ";\n" \
	"  UPDATE backup_health_monitoring\n" \
	"    SET health_status = " HEALTH_OF("failure_count") "\n" \
	"  WHERE service_name = " svc " AND " when ";\n"

/* The newest good backup and attempt of a service, with their ids. */
#define NEWEST_RECOMPUTE7(who) \
	"  INSERT OR REPLACE INTO backup_newest\n" \
	"      (service_name, good_at, good_size, attempt_at, attempt_status,\n" \
	"       good_id, attempt_id)\n" \
	"    SELECT " who ".service_name, g.completed_at, g.backup_size,\n" \
	"           a.started_at, a.backup_status, g.backup_id, a.backup_id\n" \
	"    FROM (SELECT 1)\n" \
	"    LEFT JOIN (SELECT completed_at, backup_size, backup_id FROM (\n" \
	"        SELECT * FROM (SELECT completed_at, backup_size, backup_id\n" \
	"          FROM backup_management WHERE service_name =\n" \
	"          " who ".service_name AND backup_status = 'completed'\n" \
	"          ORDER BY completed_at DESC LIMIT 1)\n" \
	"        UNION ALL\n" \
	"        SELECT * FROM (SELECT completed_at, backup_size, backup_id\n" \
	"          FROM backup_management WHERE service_name =\n" \
	"          " who ".service_name AND backup_status = 'verified'\n" \
	"          ORDER BY completed_at DESC LIMIT 1))\n" \
	"      ORDER BY completed_at DESC LIMIT 1) g\n" \
	"    LEFT JOIN (SELECT started_at, backup_status, backup_id\n" \
	"        FROM backup_management WHERE service_name =\n" \
	"        " who ".service_name ORDER BY started_at DESC LIMIT 1) a\n" \
	"    WHERE EXISTS (SELECT 1 FROM services WHERE name =\n" \
	"        " who ".service_name);\n"

static const char schema_v7[] =
	"CREATE TABLE backup_management_v7 (\n"
	"  backup_id TEXT PRIMARY KEY CHECK (length(backup_id) BETWEEN 1 AND 39),\n"
	"  tenant_id TEXT NOT NULL DEFAULT " DEFAULT_TENANT ",\n"
	"  backup_type TEXT NOT NULL\n"
	"    CHECK (backup_type IN ('full', 'incremental', 'differential')),\n"
	"  service_name TEXT NOT NULL REFERENCES services (name),\n"
	"  backup_location TEXT,\n"
	"  backup_size INTEGER CHECK (backup_size IS NULL OR backup_size >= 0),\n"
	"  compression_ratio REAL,\n"
	"  backup_status TEXT NOT NULL DEFAULT 'pending'\n"
	"    CHECK (backup_status IN ('pending', 'running', 'completed',\n"
	"      'failed', 'verified', 'expired', 'corrupt', 'restore_failed')),\n"
	"  started_at TEXT,\n"
	"  completed_at TEXT,\n"
	"  checksum TEXT,\n"
	"  retention_until TEXT,\n"
	"  metadata TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL\n"
	");\n"
	"INSERT INTO backup_management_v7 SELECT * FROM backup_management;\n"
	"DROP TABLE backup_management;\n"
	"ALTER TABLE backup_management_v7 RENAME TO backup_management;\n"
	"CREATE INDEX backup_management_service_status_completed\n"
	"  ON backup_management (service_name, backup_status, completed_at);\n"
	"CREATE INDEX backup_management_service_started\n"
	"  ON backup_management (service_name, started_at);\n"
	"CREATE INDEX backup_management_status_started\n"
	"  ON backup_management (backup_status, started_at);\n"
	"CREATE INDEX backup_management_started\n"
	"  ON backup_management (started_at);\n"
	"CREATE INDEX backup_management_updated\n"
	"  ON backup_management (updated_at);\n"
	"CREATE INDEX backup_management_service_t\n"
	"  ON backup_management (service_name,\n"
	"    coalesce(started_at, completed_at, created_at));\n"
	"CREATE INDEX backup_management_service_status_t\n"
	"  ON backup_management (service_name, backup_status,\n"
	"    coalesce(started_at, completed_at, created_at));\n"
	"\n"
	"ALTER TABLE backup_health_monitoring ADD COLUMN good_t TEXT;\n"
	"ALTER TABLE backup_health_monitoring ADD COLUMN bad_t TEXT;\n"
	"ALTER TABLE backup_newest ADD COLUMN good_id TEXT;\n"
	"ALTER TABLE backup_newest ADD COLUMN attempt_id TEXT;\n"
	"\n"
	"CREATE TRIGGER backup_health_insert AFTER INSERT ON backup_management\n"
	"BEGIN\n"
	HEALTH_ENSURE
	/* A good attempt: one more in the streak when it is later than every
	 * bad one; when it is the newest good one, the failures are those
	 * after it. */
	"  UPDATE backup_health_monitoring SET\n"
	"    backup_streak = CASE WHEN bad_t IS NULL OR " T7("NEW") " > bad_t\n"
	"      THEN backup_streak + 1 ELSE backup_streak END,\n"
	"    failure_count = CASE WHEN good_t IS NULL OR " T7("NEW") " > good_t\n"
	"      THEN " COUNT_AFTER7("NEW.service_name", T7("NEW"), BAD7) "\n"
	"      ELSE failure_count END,\n"
	"    good_t = CASE WHEN good_t IS NULL OR " T7("NEW") " > good_t\n"
	"      THEN " T7("NEW") " ELSE good_t END,\n"
	"    last_successful_backup = CASE WHEN NEW.completed_at IS NOT NULL AND\n"
	"        (last_successful_backup IS NULL OR\n"
	"         last_successful_backup < NEW.completed_at)\n"
	"      THEN NEW.completed_at ELSE last_successful_backup END,\n"
	"    updated_at = NEW.updated_at\n"
	"  WHERE service_name = NEW.service_name AND " GOOD7("NEW") ";\n"
	/* A bad one: one more failure when it is later than every good one;
	 * when it is the newest bad one, the streak is the good ones after. */
	"  UPDATE backup_health_monitoring SET\n"
	"    failure_count = CASE WHEN good_t IS NULL OR " T7("NEW") " > good_t\n"
	"      THEN failure_count + 1 ELSE failure_count END,\n"
	"    backup_streak = CASE WHEN bad_t IS NULL OR " T7("NEW") " > bad_t\n"
	"      THEN " COUNT_AFTER7("NEW.service_name", T7("NEW"), GOOD7) "\n"
	"      ELSE backup_streak END,\n"
	"    bad_t = CASE WHEN bad_t IS NULL OR " T7("NEW") " > bad_t\n"
	"      THEN " T7("NEW") " ELSE bad_t END,\n"
	"    updated_at = NEW.updated_at\n"
	"  WHERE service_name = NEW.service_name AND " BAD7("NEW") ";\n"
	"  UPDATE backup_health_monitoring\n"
	"    SET health_status = " HEALTH_OF("failure_count") "\n"
	"  WHERE service_name = NEW.service_name AND\n"
	"    (" GOOD7("NEW") " OR " BAD7("NEW") ");\n"
	"  UPDATE backup_health_monitoring\n"
	"    SET storage_usage_bytes = storage_usage_bytes +\n"
	"        coalesce(NEW.backup_size, 0)\n"
	"    WHERE service_name = NEW.service_name AND " STORED7("NEW") ";\n"
	"END;\n"
	"CREATE TRIGGER backup_health_update AFTER UPDATE ON backup_management\n"
	"  WHEN (" GOOD7("OLD") ") IS NOT (" GOOD7("NEW") ")\n"
	"    OR (" BAD7("OLD") ") IS NOT (" BAD7("NEW") ")\n"
	"    OR " T7("OLD") " IS NOT " T7("NEW") "\n"
	"    OR OLD.completed_at IS NOT NEW.completed_at\n"
	"    OR OLD.service_name IS NOT NEW.service_name\n"
	"BEGIN\n"
	HEALTH_ENSURE
	HEALTH_RECOUNT7("NEW.service_name", "NEW.updated_at", "1")
	/* A backup moved from one service to another (never by the
	 * program: record refuses it) recounts the old one too. */
	HEALTH_RECOUNT7("OLD.service_name", "NEW.updated_at",
	                "OLD.service_name IS NOT NEW.service_name")
	"END;\n"
	"CREATE TRIGGER backup_storage_update AFTER UPDATE ON backup_management\n"
	"BEGIN\n"
	"  UPDATE backup_health_monitoring\n"
	"    SET storage_usage_bytes = storage_usage_bytes -\n"
	"        coalesce(OLD.backup_size, 0)\n"
	"    WHERE service_name = OLD.service_name AND " STORED7("OLD") ";\n"
	"  UPDATE backup_health_monitoring\n"
	"    SET storage_usage_bytes = storage_usage_bytes +\n"
	"        coalesce(NEW.backup_size, 0)\n"
	"    WHERE service_name = NEW.service_name AND " STORED7("NEW") ";\n"
	"END;\n"
	"CREATE TRIGGER backup_health_delete AFTER DELETE ON backup_management\n"
	"BEGIN\n"
	"  UPDATE backup_health_monitoring\n"
	"    SET storage_usage_bytes = storage_usage_bytes -\n"
	"        coalesce(OLD.backup_size, 0)\n"
	"    WHERE service_name = OLD.service_name AND " STORED7("OLD") ";\n"
	HEALTH_RECOUNT7("OLD.service_name", "OLD.updated_at", "1")
	"END;\n"
	"CREATE TRIGGER backup_newest_insert AFTER INSERT ON backup_management\n"
	"BEGIN\n" NEWEST_RECOMPUTE7("NEW") "END;\n"
	"CREATE TRIGGER backup_newest_update AFTER UPDATE ON backup_management\n"
	"BEGIN\n" NEWEST_RECOMPUTE7("NEW") NEWEST_RECOMPUTE7("OLD") "END;\n"
	"CREATE TRIGGER backup_newest_delete AFTER DELETE ON backup_management\n"
	"BEGIN\n" NEWEST_RECOMPUTE7("OLD") "END;\n"
	"UPDATE backup_newest SET\n"
	"  good_id = (SELECT backup_id FROM backup_management b\n"
	"    WHERE b.service_name = backup_newest.service_name\n"
	"      AND b.backup_status IN ('completed', 'verified')\n"
	"    ORDER BY b.completed_at DESC LIMIT 1),\n"
	"  attempt_id = (SELECT backup_id FROM backup_management b\n"
	"    WHERE b.service_name = backup_newest.service_name\n"
	"    ORDER BY b.started_at DESC LIMIT 1);\n"
	"\n"
	/* Health of every service from its history, the new way. */
	"UPDATE backup_health_monitoring SET\n"
	"  good_t = " GOOD_T7("backup_health_monitoring.service_name") ",\n"
	"  bad_t = " BAD_T7("backup_health_monitoring.service_name") ";\n"
	"UPDATE backup_health_monitoring SET\n"
	"  failure_count = " COUNT_AFTER7("backup_health_monitoring.service_name",
	                                  "good_t", BAD7) ",\n"
	"  backup_streak = " COUNT_AFTER7("backup_health_monitoring.service_name",
	                                  "bad_t", GOOD7) ";\n"
	"UPDATE backup_health_monitoring\n"
	"  SET health_status = " HEALTH_OF("failure_count") ";\n"
	"\n"
	"CREATE TABLE restores (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('restore', 'restore-test')),\n"
	"  service_name TEXT NOT NULL\n"
	"    REFERENCES services (name) ON DELETE CASCADE,\n"
	"  backup_id TEXT NOT NULL DEFAULT '',\n"
	"  target TEXT NOT NULL DEFAULT '',\n"
	"  recovery_id TEXT NOT NULL DEFAULT '',\n"
	"  started_at TEXT,\n"
	"  ended_at TEXT NOT NULL,\n"
	"  duration_s REAL,\n"
	"  bytes INTEGER,\n"
	"  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),\n"
	"  error TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE INDEX restores_service ON restores (service_name, kind, ended_at);\n"
	"CREATE INDEX restores_recovery ON restores (recovery_id, service_name);\n"
	"CREATE TRIGGER restores_test AFTER INSERT ON restores\n"
	"  WHEN NEW.kind = 'restore-test' AND NEW.ok = 1\n"
	"BEGIN\n"
	"  UPDATE backup_health_monitoring SET\n"
	"    last_recovery_test = NEW.ended_at,\n"
	"    estimated_full_recovery_s = CASE WHEN NEW.duration_s IS NULL\n"
	"      THEN estimated_full_recovery_s ELSE max(1,\n"
	"        CAST(NEW.duration_s AS INTEGER) +\n"
	"        (NEW.duration_s > CAST(NEW.duration_s AS INTEGER))) END,\n"
	"    updated_at = NEW.ended_at\n"
	"  WHERE service_name = NEW.service_name AND\n"
	"    (last_recovery_test IS NULL OR last_recovery_test <= NEW.ended_at);\n"
	"END;\n"
	"INSERT INTO restores (kind, service_name, ended_at, duration_s, ok)\n"
	"  SELECT 'restore-test', service_name, last_recovery_test,\n"
	"         estimated_full_recovery_s, 1\n"
	"  FROM backup_health_monitoring\n"
	"  WHERE last_recovery_test IS NOT NULL;\n"
	"\n"
	"ALTER TABLE replication_history ADD COLUMN kind TEXT NOT NULL\n"
	"  DEFAULT 'replica' CHECK (kind IN ('replica', 'copy'));\n"
	"UPDATE replication_history SET kind = 'copy'\n"
	"  WHERE source LIKE 'backup:%' AND target LIKE 'backup:%';\n"
	"CREATE TABLE replication_links (\n"
	"  service_name TEXT NOT NULL,\n"
	"  source TEXT NOT NULL,\n"
	"  target TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL,\n"
	"  last_id INTEGER NOT NULL,\n"
	"  last_at TEXT NOT NULL,\n"
	"  PRIMARY KEY (service_name, source, target)\n"
	") WITHOUT ROWID;\n"
	"CREATE TRIGGER replication_links_insert\n"
	"  AFTER INSERT ON replication_history\n"
	"  WHEN NEW.service_name IS NOT NULL\n"
	"BEGIN\n"
	"  INSERT INTO replication_links\n"
	"      (service_name, source, target, kind, last_id, last_at)\n"
	"    VALUES (NEW.service_name, NEW.source, NEW.target, NEW.kind, NEW.id,\n"
	"            NEW.sampled_at)\n"
	"    ON CONFLICT (service_name, source, target) DO UPDATE SET\n"
	"      kind = excluded.kind, last_id = excluded.last_id,\n"
	"      last_at = excluded.last_at\n"
	"    WHERE excluded.last_at >= replication_links.last_at;\n"
	"END;\n"
	"CREATE TRIGGER replication_links_delete\n"
	"  AFTER DELETE ON replication_history\n"
	"BEGIN\n"
	"  DELETE FROM replication_links WHERE last_id = OLD.id;\n"
	"END;\n"
	"INSERT INTO replication_links\n"
	"    (service_name, source, target, kind, last_id, last_at)\n"
	"  SELECT h.service_name, h.source, h.target, h.kind, h.id, h.sampled_at\n"
	"  FROM replication_history h\n"
	"  WHERE h.service_name IS NOT NULL AND h.id = (\n"
	"    SELECT h2.id FROM replication_history h2\n"
	"    WHERE h2.service_name = h.service_name AND h2.source = h.source\n"
	"      AND h2.target = h.target\n"
	"    ORDER BY h2.sampled_at DESC, h2.id DESC LIMIT 1);\n";

/* Migration 8: a runbook holder is known by pid and process start time
 * (core/procid.h), so a reused pid holds nothing. */
static const char schema_v8[] =
	"ALTER TABLE runbook_executions ADD COLUMN pid_start INTEGER NOT NULL\n"
	"  DEFAULT 0;\n";

/* Migration 9 (issue 17, reports): when each service entered OK, AT RISK
 * or BREACH, as seen by the evaluations that can write (the agent's loop,
 * status, check); one row per change, never per evaluation.  No foreign
 * key to services: the history outlives a removed service, as recoveries
 * do.  db/sqlite_report.c reads and writes it. */
static const char schema_v9[] =
	"CREATE TABLE verdict_transitions (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  service_name TEXT NOT NULL CHECK (service_name <> ''),\n"
	"  verdict TEXT NOT NULL CHECK (verdict IN ('OK', 'AT RISK', 'BREACH')),\n"
	"  reason TEXT NOT NULL DEFAULT '',\n"
	"  at TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX verdict_transitions_service_at\n"
	"  ON verdict_transitions (service_name, at, id);\n";

/* Migration 10 (issue 12, notifications that never hide bad news): the
 * outbox learns a message's severity, whether it came from a drill (drills
 * have their own label and budget), which digest summarised a message the
 * rate limit held back, and a 'silenced' status; SQLite cannot widen a
 * CHECK, so the table is rebuilt with its rows.  alarm_marks holds the
 * operators' acknowledgements (of one episode of a bad state: episode_at is
 * the state's changed_at) and silences (until `until`), by subject. */
static const char schema_v10[] =
	"CREATE TABLE notify_outbox_v10 (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  event_key TEXT NOT NULL,\n"
	"  channel TEXT NOT NULL,\n"
	"  service_name TEXT NOT NULL DEFAULT '',\n"
	"  type TEXT NOT NULL,\n"
	"  state TEXT NOT NULL,\n"
	"  title TEXT NOT NULL,\n"
	"  message TEXT NOT NULL,\n"
	"  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed',\n"
	"    'deduplicated', 'rate_limited', 'silenced')),\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  next_attempt_at TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  sent_at TEXT,\n"
	"  last_error TEXT NOT NULL DEFAULT '',\n"
	"  severity TEXT NOT NULL DEFAULT 'info'\n"
	"    CHECK (severity IN ('info', 'warning', 'critical')),\n"
	"  drill INTEGER NOT NULL DEFAULT 0 CHECK (drill IN (0, 1)),\n"
	"  digest_id INTEGER\n"
	");\n"
	"INSERT INTO notify_outbox_v10 (id, event_key, channel, service_name,\n"
	"  type, state, title, message, status, attempts, next_attempt_at,\n"
	"  created_at, sent_at, last_error, severity)\n"
	"  SELECT id, event_key, channel, service_name, type, state, title,\n"
	"    message, status, attempts, next_attempt_at, created_at, sent_at,\n"
	"    last_error, CASE WHEN state IN ('down', 'BREACH', 'failed',\n"
	"      'corrupt', 'over') THEN 'critical' ELSE 'info' END\n"
	"  FROM notify_outbox;\n"
	"DROP TABLE notify_outbox;\n"
	"ALTER TABLE notify_outbox_v10 RENAME TO notify_outbox;\n"
	"CREATE INDEX notify_outbox_due ON notify_outbox (status, next_attempt_at);\n"
	"CREATE INDEX notify_outbox_by_key ON notify_outbox (event_key, channel, created_at);\n"
	"CREATE INDEX notify_outbox_by_channel ON notify_outbox (channel, created_at);\n"
	"CREATE TABLE alarm_marks (\n"
	"  event_key TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('ack', 'silence')),\n"
	"  state TEXT NOT NULL DEFAULT '',\n"
	"  episode_at TEXT,\n"
	"  until TEXT,\n"
	"  actor TEXT NOT NULL,\n"
	"  at TEXT NOT NULL,\n"
	"  reason TEXT NOT NULL CHECK (reason <> ''),\n"
	"  PRIMARY KEY (event_key, kind)\n"
	");\n";

/* Migration 11 (the same-second tie): two attempts of a service that start
 * in the same second are ordered by the order they were recorded (rowid),
 * so a failure recorded right after a good backup of the same second is
 * counted, not hidden behind it, and a good retry recorded right after a
 * failure clears it.  An attempt's place is (t, rowid); a new row has the
 * largest rowid, so the insert trigger compares t with >=; a recount finds
 * the newest good (bad) attempt's rowid at good_t (bad_t) afresh, so no
 * rowid is ever stored (a VACUUM may renumber them, in the same order). */
#define SEQ_AT11(svc, at, what) \
	"(SELECT max(s.rowid) FROM backup_management s\n" \
	"  WHERE s.service_name = " svc " AND " T7("s") " = " at " AND\n" \
	"    " what("s") ")"
/* Attempts of a service after (at, seq) (at NULL: all) that are `what`. */
#define COUNT_AFTER11(svc, at, seq, what) \
	"(SELECT count(*) FROM backup_management y\n" \
	"  WHERE y.service_name = " svc " AND (" at " IS NULL OR\n" \
	"    (" T7("y") " >= " at " AND (" T7("y") " > " at " OR\n" \
	"     y.rowid > " seq "))) AND " what("y") ")"
#define HEALTH_RECOUNT11(svc, stamp, when) \
	"  UPDATE backup_health_monitoring SET\n" \
	"    good_t = " GOOD_T7(svc) ",\n" \
	"    bad_t = " BAD_T7(svc) "\n" \
	"  WHERE service_name = " svc " AND " when ";\n" \
	"  UPDATE backup_health_monitoring SET\n" \
	"    failure_count = " COUNT_AFTER11(svc, "good_t", \
	    SEQ_AT11(svc, "good_t", GOOD7), BAD7) ",\n" \
	"    backup_streak = " COUNT_AFTER11(svc, "bad_t", \
	    SEQ_AT11(svc, "bad_t", BAD7), GOOD7) ",\n" \
	"    last_successful_backup = " LAST_GOOD7(svc) ",\n" \
	"    updated_at = " stamp "\n" \
	"  WHERE service_name = " svc " AND " when ";\n" \
	"  UPDATE backup_health_monitoring\n" \
	"    SET health_status = " HEALTH_OF("failure_count") "\n" \
	"  WHERE service_name = " svc " AND " when ";\n"

static const char schema_v11[] =
	"DROP TRIGGER backup_health_insert;\n"
	"DROP TRIGGER backup_health_update;\n"
	"DROP TRIGGER backup_health_delete;\n"
	"CREATE TRIGGER backup_health_insert AFTER INSERT ON backup_management\n"
	"BEGIN\n"
	HEALTH_ENSURE
	/* A good attempt: one more in the streak when it is after every bad
	 * one (a bad one of the same second was recorded before it); when it
	 * is the newest good one, the failures are those after it. */
	"  UPDATE backup_health_monitoring SET\n"
	"    backup_streak = CASE WHEN bad_t IS NULL OR " T7("NEW") " >= bad_t\n"
	"      THEN backup_streak + 1 ELSE backup_streak END,\n"
	"    failure_count = CASE WHEN good_t IS NULL OR " T7("NEW") " >= good_t\n"
	"      THEN " COUNT_AFTER7("NEW.service_name", T7("NEW"), BAD7) "\n"
	"      ELSE failure_count END,\n"
	"    good_t = CASE WHEN good_t IS NULL OR " T7("NEW") " >= good_t\n"
	"      THEN " T7("NEW") " ELSE good_t END,\n"
	"    last_successful_backup = CASE WHEN NEW.completed_at IS NOT NULL AND\n"
	"        (last_successful_backup IS NULL OR\n"
	"         last_successful_backup < NEW.completed_at)\n"
	"      THEN NEW.completed_at ELSE last_successful_backup END,\n"
	"    updated_at = NEW.updated_at\n"
	"  WHERE service_name = NEW.service_name AND " GOOD7("NEW") ";\n"
	/* A bad one: one more failure when it is after every good one. */
	"  UPDATE backup_health_monitoring SET\n"
	"    failure_count = CASE WHEN good_t IS NULL OR " T7("NEW") " >= good_t\n"
	"      THEN failure_count + 1 ELSE failure_count END,\n"
	"    backup_streak = CASE WHEN bad_t IS NULL OR " T7("NEW") " >= bad_t\n"
	"      THEN " COUNT_AFTER7("NEW.service_name", T7("NEW"), GOOD7) "\n"
	"      ELSE backup_streak END,\n"
	"    bad_t = CASE WHEN bad_t IS NULL OR " T7("NEW") " >= bad_t\n"
	"      THEN " T7("NEW") " ELSE bad_t END,\n"
	"    updated_at = NEW.updated_at\n"
	"  WHERE service_name = NEW.service_name AND " BAD7("NEW") ";\n"
	"  UPDATE backup_health_monitoring\n"
	"    SET health_status = " HEALTH_OF("failure_count") "\n"
	"  WHERE service_name = NEW.service_name AND\n"
	"    (" GOOD7("NEW") " OR " BAD7("NEW") ");\n"
	"  UPDATE backup_health_monitoring\n"
	"    SET storage_usage_bytes = storage_usage_bytes +\n"
	"        coalesce(NEW.backup_size, 0)\n"
	"    WHERE service_name = NEW.service_name AND " STORED7("NEW") ";\n"
	"END;\n"
	"CREATE TRIGGER backup_health_update AFTER UPDATE ON backup_management\n"
	"  WHEN (" GOOD7("OLD") ") IS NOT (" GOOD7("NEW") ")\n"
	"    OR (" BAD7("OLD") ") IS NOT (" BAD7("NEW") ")\n"
	"    OR " T7("OLD") " IS NOT " T7("NEW") "\n"
	"    OR OLD.completed_at IS NOT NEW.completed_at\n"
	"    OR OLD.service_name IS NOT NEW.service_name\n"
	"BEGIN\n"
	HEALTH_ENSURE
	HEALTH_RECOUNT11("NEW.service_name", "NEW.updated_at", "1")
	HEALTH_RECOUNT11("OLD.service_name", "NEW.updated_at",
	                 "OLD.service_name IS NOT NEW.service_name")
	"END;\n"
	"CREATE TRIGGER backup_health_delete AFTER DELETE ON backup_management\n"
	"BEGIN\n"
	"  UPDATE backup_health_monitoring\n"
	"    SET storage_usage_bytes = storage_usage_bytes -\n"
	"        coalesce(OLD.backup_size, 0)\n"
	"    WHERE service_name = OLD.service_name AND " STORED7("OLD") ";\n"
	HEALTH_RECOUNT11("OLD.service_name", "OLD.updated_at", "1")
	"END;\n"
	/* Every service recounted the new way; updated_at stays. */
	HEALTH_RECOUNT11("backup_health_monitoring.service_name",
	                 "backup_health_monitoring.updated_at", "1");

/* Migration 12 (issue 18, the post-test record): the follow-ups written on
 * a test run afterwards (`drconsole tests note`), by run: a restore test's
 * id as text or a drill's recovery id.  No foreign key: the two kinds of
 * run live in two tables, and a note outlives neither. */
static const char schema_v12[] =
	"CREATE TABLE test_notes (\n"
	"  run_id TEXT PRIMARY KEY CHECK (run_id <> ''),\n"
	"  text TEXT NOT NULL CHECK (text <> ''),\n"
	"  actor TEXT NOT NULL,\n"
	"  at TEXT NOT NULL\n"
	");\n";

/* PostgreSQL's migration 13 adds indexes in the order its triggers read
 * the newest attempts (DESC NULLS LAST); SQLite's DESC already puts NULLs
 * last and walks the indexes of migration 1 backwards: nothing to add,
 * and the versions of both backends stay one. */
static const char schema_v13[] = "SELECT 1";

static const struct migration migrations[] = {
	{1, "services, tiers, backups, health, recoveries, audit", schema_v1},
	{2, "replication and probe history", schema_v2},
	{3, "runbook executions and their variables", schema_v3},
	{5, "agent, jobs, probe state, notifications", schema_v5},
	{6, "newest backup of every service", schema_v6},
	{7, "evidence: restores, health by backup time, copy links",
	 schema_v7},
	{8, "runbook holders' process start time", schema_v8},
	{9, "verdict history", schema_v9},
	{10, "notification severity, drills, digests; alarm marks",
	 schema_v10},
	{11, "attempts of the same second in the order recorded", schema_v11},
	{12, "follow-ups on test runs", schema_v12},
	{13, "PostgreSQL's newest-attempt indexes (none here)", schema_v13},
};

// clang-format on

const struct migration *migrations_table(size_t *n)
{
	*n = sizeof(migrations) / sizeof(migrations[0]);
	return migrations;
}

int migrations_latest(void)
{
	size_t n, i;
	const struct migration *m = migrations_table(&n);
	int latest = 0;

	for (i = 0; i < n; i++)
		if (m[i].version > latest)
			latest = m[i].version;
	return latest;
}

static int by_version(const void *a, const void *b)
{
	const struct migration *const *x = a, *const *y = b;

	return ((*x)->version > (*y)->version) -
	       ((*x)->version < (*y)->version);
}

static int user_version(sqlite3 *db, int *version, char **err)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*version = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return sqlite_status(db, rc, "reading the schema version", err);
	return CATALOG_OK;
}

/* One migration, in its own write transaction.  The version is read again
 * under the write lock: another process may have migrated meanwhile. */
static int apply_one(sqlite3 *db, const struct migration *m, char **err)
{
	int rc, version;
	char *sql;

	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sqlite_status(db, rc, "starting a migration", err);
	rc = user_version(db, &version, err);
	if (rc != CATALOG_OK || version >= m->version) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	sql = xasprintf("%s;\nPRAGMA user_version = %d;", m->sql, m->version);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	free(sql);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		char *what = xasprintf("applying migration %d (%s)", m->version,
		                       m->name);
		int status = sqlite_status(db, rc, what, err);

		free(what);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return status;
	}
	return CATALOG_OK;
}

int migrations_apply_table(sqlite3 *db, const struct migration *table, size_t n,
                           int upto, char **err)
{
	size_t i;
	const struct migration **order;
	int rc, version;

	rc = user_version(db, &version, err);
	if (rc != CATALOG_OK)
		return rc;
	order = xcalloc(n, sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = &table[i];
	qsort(order, n, sizeof(*order), by_version);
	for (i = 1; i < n; i++) {
		if (order[i]->version == order[i - 1]->version) {
			sqlite_seterr(err, "two migrations claim version %d",
			              order[i]->version);
			free(order);
			return CATALOG_EDB;
		}
	}
	for (i = 0; i < n && rc == CATALOG_OK; i++) {
		if (order[i]->version <= version)
			continue;
		if (upto > 0 && order[i]->version > upto)
			break;
		rc = apply_one(db, order[i], err);
	}
	free(order);
	return rc;
}

int migrations_apply(sqlite3 *db, int upto, char **err)
{
	size_t n;
	const struct migration *table = migrations_table(&n);

	return migrations_apply_table(db, table, n, upto, err);
}
