#!/usr/bin/env python3
"""Runs one random workload on an SQLite catalog and on a PostgreSQL one
(db/pg_schema.c) and compares them, for tests/integration/
catalog_pg_triggers.sh.

    catalog_twin.py --seed N --sqlite CATALOG --psql 'COMMAND' --dir DIR
                    [--statements 300] [--batch 25]

The statements are plain INSERT, UPDATE and DELETE with literal values, one
a line, in the SQL both dialects read alike; each batch goes to the sqlite3
shell and to psql as one file (each statement its own transaction, an
error ending only its own), and the lines either one refused must be the
same.  After every batch every table of the catalog, with every column
SQLite has (the generated one too), is read from both and must hold the
same rows; rid, the PostgreSQL stand-in for rowid, is not compared.
Numbers are compared as numbers (3 and 3.0 alike; reals to 12 significant
digits).  Explicit ids are given where SQLite would reuse a deleted one
and PostgreSQL would not.  Exit 0 when all is equal; 1 with the first
difference on stderr, naming the batch's file in DIR (the same seed makes
the same statements again).
"""
import argparse
import datetime
import json
import random
import re
import shlex
import subprocess
import sys

RID_TABLES = {"backup_management", "disaster_recovery_log",
              "agent_heartbeat", "runbook_executions", "runbook_variables"}
STATUSES = ["pending", "running", "completed", "failed", "verified",
            "expired", "corrupt", "restore_failed"]
STATUS_WEIGHTS = [1, 1, 5, 4, 3, 1, 2, 2]
SERVICES = ["s%d" % i for i in range(6)]
BASE = datetime.datetime(2024, 5, 1, 10, 0, 0)


def q(v):
    """A literal of the common subset."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def qi(name):
    return '"' + name + '"'


def norm(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        f = float(v)
        if f.is_integer() and abs(f) < 2 ** 53:
            return int(f)
        return "%.12g" % f
    return v


def errors(stderr, pattern):
    """{line: message} of the statements refused; a message may go on
    over several lines (an SQLite CHECK, a PostgreSQL DETAIL).  Anything
    before the first is kept as line 0."""
    errs, last = {}, 0
    for line in stderr.splitlines():
        m = re.match(pattern, line)
        if m:
            last = int(m.group(1))
            errs[last] = m.group(2)
        elif last:
            errs[last] += "\n" + line
        elif line.strip():
            errs[0] = errs.get(0, "") + line
    return errs


class Engines:
    def __init__(self, args):
        self.sqlite = args.sqlite
        self.psql = shlex.split(args.psql)
        self.dir = args.dir

    def run_sqlite(self, path):
        with open(path) as f:
            p = subprocess.run(["sqlite3", "-batch", self.sqlite], stdin=f,
                               capture_output=True, text=True)
        return errors(p.stderr,
                      r"(?:Runtime|Parse) error near line (\d+): (.*)")

    def run_psql(self, path):
        p = subprocess.run(self.psql + ["-X", "-q", "-f", path],
                           capture_output=True, text=True)
        return errors(p.stderr, r"psql:[^:]*:(\d+): ERROR:\s+(.*)")

    def query_sqlite(self, sql):
        p = subprocess.run(["sqlite3", "-batch", self.sqlite, sql],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit("sqlite3: %s: %s" % (sql, p.stderr))
        return p.stdout

    def query_psql(self, sql):
        p = subprocess.run(self.psql + ["-X", "-A", "-t", "-q",
                                        "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit("psql: %s: %s" % (sql, p.stderr))
        return p.stdout


def sqlite_columns(eng):
    """Every table's columns in SQLite's order, generated ones included."""
    tables = eng.query_sqlite(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND "
        "name NOT LIKE 'sqlite%' ORDER BY name").split()
    cols = {}
    for t in tables:
        out = eng.query_sqlite("SELECT name FROM pragma_table_xinfo('%s') "
                               "ORDER BY cid" % t)
        cols[t] = out.split()
    return cols


PG_ONLY = {"catalog_changes"}


def pg_columns(eng):
    out = eng.query_psql(
        "SELECT table_name || ' ' || string_agg(column_name::text, ' ' "
        "ORDER BY ordinal_position) FROM information_schema.columns "
        "WHERE table_schema = 'public' GROUP BY table_name")
    cols = {}
    for line in out.splitlines():
        parts = line.split()
        # PostgreSQL's own change counter (db/pg.c's data_version).
        if parts[0] in PG_ONLY:
            continue
        cols[parts[0]] = parts[1:]
    return cols


def check_shape(eng):
    """Same tables and columns in the same order; rid where SQLite code
    uses rowid, last."""
    lite, pg = sqlite_columns(eng), pg_columns(eng)
    problems = []
    if sorted(lite) != sorted(pg):
        problems.append("tables: sqlite %s, postgres %s"
                        % (sorted(set(lite) - set(pg)),
                           sorted(set(pg) - set(lite))))
    for t in sorted(set(lite) & set(pg)):
        want = lite[t] + (["rid"] if t in RID_TABLES else [])
        if pg[t] != want:
            problems.append("%s: sqlite %s, postgres %s" % (t, want, pg[t]))
    return lite, problems


def dump(eng, cols):
    """{table: sorted rows} from both engines, one process each."""
    lite_sql, pg_sql = [], []
    tables = sorted(cols)
    for t in tables:
        c = ", ".join(qi(x) for x in cols[t])
        lite_sql.append("SELECT json_group_array(json_array(%s)) FROM %s;"
                        % (c, qi(t)))
        pg_sql.append("SELECT coalesce(json_agg(json_build_array(%s)), "
                      "'[]') FROM %s;" % (c, qi(t)))
    out = []
    for text in (eng.query_sqlite("\n".join(lite_sql)),
                 eng.query_psql("\n".join(pg_sql))):
        lines = text.splitlines()
        if len(lines) != len(tables):
            raise SystemExit("dump: %d lines for %d tables" %
                             (len(lines), len(tables)))
        d = {}
        for t, line in zip(tables, lines):
            rows = [[norm(v) for v in r] for r in json.loads(line)]
            d[t] = sorted(rows, key=json.dumps)
        out.append(d)
    return out


class Workload:
    """Statements over the tables with triggers (and the ones they need),
    drawn from the state last read back, so most are valid; some are
    refused on purpose (a CHECK, a foreign key, a duplicate, the audit
    log)."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.n = 0
        self.state = {}
        self.no_health = set()

    def t(self, null=0.0, span=40):
        """A time of a short window, so that many fall in one second."""
        if self.r.random() < null:
            return None
        s = BASE + datetime.timedelta(seconds=self.r.randint(0, span))
        return s.strftime("%Y-%m-%dT%H:%M:%SZ")

    def next_id(self):
        self.n += 1
        return self.n

    def rows(self, table):
        return self.state.get(table, [])

    def column(self, table, i):
        return [row[i] for row in self.rows(table)]

    def pick(self, seq, default=None):
        return self.r.choice(seq) if seq else default

    def services(self):
        return self.column("services", 0)

    def service(self, ghost=0.0):
        if self.r.random() < ghost:
            return "ghost"
        return self.pick(self.services(), "s0")

    def backups(self):
        return self.rows("backup_management")

    def status(self):
        return self.r.choices(STATUSES, STATUS_WEIGHTS)[0]

    def size(self):
        return None if self.r.random() < 0.15 else \
            self.r.randint(0, 5 * 10 ** 9)

    def backup_values(self, bid, svc):
        return "(%s, %s, %s, %s, %s, %s, %s, %s, %s)" % (
            q(bid), q(self.r.choice(["full", "incremental", "differential"])),
            q(svc), q(self.status()), q(self.t(0.2)), q(self.t(0.3)),
            q(self.size()), q(self.t()), q(self.t()))

    BACKUP_COLS = ("INSERT INTO backup_management (backup_id, backup_type, "
                   "service_name, backup_status, started_at, completed_at, "
                   "backup_size, created_at, updated_at) VALUES ")

    # One generator per kind of statement, with its weight.
    def svc_insert(self):
        name = self.r.choice(SERVICES)
        return ("INSERT INTO services (name, backup_frequency_s, created_at, "
                "updated_at) VALUES (%s, %d, %s, %s);"
                % (q(name), self.r.choice([0, 3600, 86400]), q(self.t()),
                   q(self.t())))

    def svc_frequency(self):
        return ("UPDATE services SET backup_frequency_s = %d, updated_at = %s"
                " WHERE name = %s;" % (self.r.randint(0, 9) * 600,
                                       q(self.t()), q(self.service())))

    def svc_owner(self):
        return ("UPDATE services SET owner = %s, updated_at = %s WHERE "
                "name = %s;" % (q(self.r.choice(["ops", "dba"])), q(self.t()),
                                q(self.service())))

    def svc_delete(self):
        return "DELETE FROM services WHERE name = %s;" % q(self.service())

    def health_delete(self):
        # Derived rows are never written by callers; this one makes the
        # triggers create a missing health row.
        svc = self.service()
        self.no_health.add(svc)
        return ("DELETE FROM backup_health_monitoring WHERE service_name = "
                "%s;" % q(svc))

    def health_rebuild(self):
        # The update's own triggers create the missing row, then count the
        # backup's bytes into it (SQLite's trigger order).
        b = self.pick(self.backups())
        if b is None:
            return self.bk_insert()
        self.no_health.add(b[3])
        return ["DELETE FROM backup_health_monitoring WHERE service_name = "
                "%s;" % q(b[3]),
                "UPDATE backup_management SET backup_status = %s, "
                "updated_at = %s WHERE backup_id = %s;"
                % (q(self.r.choice(["corrupt", "restore_failed", "failed",
                                    "completed"])), q(self.t()), q(b[0]))]

    def bk_insert(self):
        bid = "b%d" % self.next_id()
        if self.r.random() < 0.03 and self.backups():
            bid = self.pick(self.backups())[0]
        return self.BACKUP_COLS + self.backup_values(
            bid, self.service(0.03)) + ";"

    def bk_insert_many(self):
        svc = self.service()
        vals = [self.backup_values("b%d" % self.next_id(),
                                   svc if self.r.random() < 0.8
                                   else self.service())
                for _ in range(self.r.randint(2, 4))]
        return self.BACKUP_COLS + ", ".join(vals) + ";"

    def some_backup(self):
        b = self.pick(self.backups())
        return q(b[0]) if b else q("b1")

    def bk_status(self):
        extra = ""
        if self.r.random() < 0.4:
            extra = ", completed_at = %s" % q(self.t(0.2))
        return ("UPDATE backup_management SET backup_status = %s, "
                "updated_at = %s%s WHERE backup_id = %s;"
                % (q(self.status()), q(self.t()), extra, self.some_backup()))

    def bk_times(self):
        col = self.r.choice(["started_at", "completed_at", "created_at"])
        v = self.t(0.0 if col == "created_at" else 0.3)
        return ("UPDATE backup_management SET %s = %s, updated_at = %s "
                "WHERE backup_id = %s;" % (col, q(v), q(self.t()),
                                           self.some_backup()))

    def bk_move(self):
        return ("UPDATE backup_management SET service_name = %s, "
                "updated_at = %s WHERE backup_id = %s;"
                % (q(self.service(0.05)), q(self.t()), self.some_backup()))

    def bk_size(self):
        return ("UPDATE backup_management SET backup_size = %s WHERE "
                "backup_id = %s;" % (q(self.size()), self.some_backup()))

    def bk_noop(self):
        return ("UPDATE backup_management SET metadata = %s, updated_at = %s"
                " WHERE backup_id = %s;" % (q("m%d" % self.r.randint(0, 9)),
                                            q(self.t()), self.some_backup()))

    def bk_update_many(self):
        # Several rows in one statement, all stamped alike: the order the
        # rows are visited in is the engine's, and must not matter.
        svc = self.service()
        if svc in self.no_health:
            return self.bk_status()
        return ("UPDATE backup_management SET backup_status = %s, "
                "updated_at = %s WHERE service_name = %s AND "
                "coalesce(started_at, completed_at, created_at) < %s;"
                % (q(self.r.choice(["expired", "verified", "corrupt"])),
                   q(self.t()), q(svc), q(self.t())))

    def bk_delete(self):
        return ("DELETE FROM backup_management WHERE backup_id = %s;"
                % self.some_backup())

    def invalid(self):
        return self.r.choice([
            "INSERT INTO services (name, created_at, updated_at) VALUES "
            "('', 'a', 'b');",
            self.BACKUP_COLS + "('bad1', 'full', %s, 'bogus', NULL, NULL, "
            "1, 'a', 'b');" % q(self.service()),
            self.BACKUP_COLS + "('bad2', 'full', %s, 'completed', NULL, "
            "NULL, -1, 'a', 'b');" % q(self.service()),
            "INSERT INTO health_history (id, service_name, probe, kind, ok, "
            "sampled_at) VALUES (%d, %s, 'p', 'icmp', 1, 'a');"
            % (self.next_id(), q(self.service())),
            "UPDATE backup_management SET backup_status = 'lost' WHERE "
            "backup_id = %s;" % self.some_backup(),
        ])

    def restore(self):
        d = self.r.choice([None, self.r.randint(0, 600),
                           round(self.r.uniform(0, 900), self.r.randint(1, 3)),
                           0.0, 0.4, 7.0, -2.5])
        return ("INSERT INTO restores (id, kind, service_name, backup_id, "
                "started_at, ended_at, duration_s, bytes, ok) VALUES (%d, %s,"
                " %s, %s, %s, %s, %s, %s, %d);"
                % (self.next_id(),
                   q(self.r.choice(["restore", "restore-test",
                                    "restore-test"])),
                   q(self.service(0.03)), self.some_backup(), q(self.t(0.5)),
                   q(self.t(span=12)), q(d), q(self.size()),
                   self.r.choice([0, 1, 1])))

    def repl_insert(self):
        svc = None if self.r.random() < 0.25 else self.service(0.03)
        return ("INSERT INTO replication_history (id, service_name, source, "
                "target, state, lag_s, lag_bytes, sampled_at, kind) VALUES "
                "(%d, %s, %s, %s, %s, %s, %s, %s, %s);"
                % (self.next_id(), q(svc),
                   q(self.r.choice(["db1", "db2", "backup:a"])),
                   q(self.r.choice(["db2", "db3", "backup:b"])),
                   q(self.r.choice(["streaming", "catchup", "down"])),
                   q(self.r.choice([None, 0.5, 12.25, 3.0])),
                   q(self.r.choice([None, 0, 4096])), q(self.t(span=12)),
                   q(self.r.choice(["replica", "copy"]))))

    def repl_delete(self):
        ids = self.column("replication_history", 0)
        return ("DELETE FROM replication_history WHERE id = %s;"
                % q(self.pick(ids, 0)))

    def probe_insert(self):
        return ("INSERT INTO health_history (id, service_name, probe, kind, "
                "ok, latency_ms, value, message, sampled_at) VALUES (%d, %s,"
                " %s, %s, %d, %s, %s, %s, %s);"
                % (self.next_id(), q(self.service(0.03)),
                   q(self.r.choice(["web", "tcp", "db"])),
                   q(self.r.choice(["http", "tcp", "postgres", "command"])),
                   self.r.choice([0, 1]), q(self.r.choice([None, 1.5, 20.0])),
                   q(self.r.choice([0, 1.25])), q("m"), q(self.t())))

    def probe_delete(self):
        ids = self.column("health_history", 0)
        return "DELETE FROM health_history WHERE id = %s;" % q(
            self.pick(ids, 0))

    def recovery(self):
        return ("INSERT INTO disaster_recovery_log (recovery_id, "
                "incident_type, initiated_at, is_drill, created_at, "
                "updated_at) VALUES (%s, 'outage', %s, %d, %s, %s);"
                % (q("r%d" % self.next_id()), q(self.t()),
                   self.r.choice([0, 1]), q(self.t()), q(self.t())))

    def recovery_delete(self):
        return ("DELETE FROM disaster_recovery_log WHERE recovery_id = %s;"
                % q(self.pick(self.column("disaster_recovery_log", 0), "r0")))

    def run_insert(self):
        rid = self.pick(self.column("disaster_recovery_log", 0), "r0")
        return ("INSERT INTO runbook_executions (recovery_id, runbook, "
                "incident_key, is_open, runbook_text, updated_at) VALUES "
                "(%s, 'failover', %s, %d, 'text', %s);"
                % (q(rid), q(self.r.choice(["k1", "k2", "k3"])),
                   self.r.choice([0, 1, 1]), q(self.t())))

    def run_open(self):
        rid = self.pick(self.column("runbook_executions", 0), "r0")
        return ("UPDATE runbook_executions SET is_open = %d, updated_at = %s"
                " WHERE recovery_id = %s;" % (self.r.choice([0, 1]),
                                              q(self.t()), q(rid)))

    def run_variable(self):
        rid = self.pick(self.column("runbook_executions", 0), "r0")
        return ("INSERT INTO runbook_variables (recovery_id, name, value) "
                "VALUES (%s, %s, 'v');" % (q(rid),
                                           q(self.r.choice(["a", "b"]))))

    def audit_insert(self):
        return ("INSERT INTO audit_log (seq, at, actor, action, subject, "
                "prev_hash, hash) VALUES (%d, %s, 'op', 'backup.record', "
                "'x', 'h0', 'h1');" % (self.next_id(), q(self.t())))

    def audit_change(self):
        seq = self.pick(self.column("audit_log", 0), 1)
        return self.r.choice([
            "UPDATE audit_log SET actor = 'mallory' WHERE seq = %d;" % seq,
            "DELETE FROM audit_log WHERE seq = %d;" % seq])

    KINDS = [
        ("svc_insert", 4), ("svc_frequency", 3), ("svc_owner", 1),
        ("svc_delete", 1), ("health_delete", 0.5), ("health_rebuild", 1),
        ("bk_insert", 16), ("bk_insert_many", 3), ("bk_status", 12),
        ("bk_times", 5), ("bk_move", 2), ("bk_size", 2), ("bk_noop", 2),
        ("bk_update_many", 2), ("bk_delete", 3), ("invalid", 1),
        ("restore", 5), ("repl_insert", 5), ("repl_delete", 2),
        ("probe_insert", 4), ("probe_delete", 1), ("recovery", 2),
        ("recovery_delete", 0.5), ("run_insert", 3), ("run_open", 2),
        ("run_variable", 2), ("audit_insert", 2), ("audit_change", 1),
    ]

    def batch(self, n):
        names = [k for k, _ in self.KINDS]
        weights = [w for _, w in self.KINDS]
        out = []
        while len(out) < n:
            s = getattr(self, self.r.choices(names, weights)[0])()
            out += s if isinstance(s, list) else [s]
        return out


def diff_tables(lite, pg):
    out = []
    for t in sorted(lite):
        if lite[t] == pg[t]:
            continue
        only_l = [r for r in lite[t] if r not in pg[t]]
        only_p = [r for r in pg[t] if r not in lite[t]]
        out.append("table %s differs (%d rows in sqlite, %d in postgres)"
                   % (t, len(lite[t]), len(pg[t])))
        out += ["  sqlite only:   %s" % json.dumps(r) for r in only_l[:8]]
        out += ["  postgres only: %s" % json.dumps(r) for r in only_p[:8]]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--sqlite", required=True)
    ap.add_argument("--psql", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--statements", type=int, default=300)
    ap.add_argument("--batch", type=int, default=25)
    args = ap.parse_args()
    eng = Engines(args)

    cols, problems = check_shape(eng)
    if problems:
        print("schema differs:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1

    # The rows `drconsole init` wrote (its audit entry) are the common start.
    lite, _ = dump(eng, cols)
    start = ["INSERT INTO audit_log (%s) VALUES (%s);"
             % (", ".join(cols["audit_log"]), ", ".join(q(v) for v in row))
             for row in lite["audit_log"]]
    if start:
        eng.query_psql("\n".join(start))

    w = Workload(args.seed)
    done = refused = batches = audit_refusals = 0
    while done < args.statements:
        lite, pg = dump(eng, cols)
        d = diff_tables(lite, pg)
        if d:
            print("seed %d, after %d statements (batch %s):\n%s"
                  % (args.seed, done,
                     "%s/batch%d.sql" % (args.dir, batches - 1)
                     if batches else "none", "\n".join(d)), file=sys.stderr)
            return 1
        w.state = lite
        w.no_health = set(w.services()) - set(
            r[0] for r in lite["backup_health_monitoring"])
        stmts = w.batch(min(args.batch, args.statements - done))
        lite_path = "%s/batch%d.sqlite.sql" % (args.dir, batches)
        pg_path = "%s/batch%d.sql" % (args.dir, batches)
        with open(lite_path, "w") as f:
            f.write("PRAGMA foreign_keys = ON;\n" + "\n".join(stmts) + "\n")
        with open(pg_path, "w") as f:
            f.write("SET client_min_messages = warning;\n" +
                    "\n".join(stmts) + "\n")
        le, pe = eng.run_sqlite(lite_path), eng.run_psql(pg_path)
        if 0 in le or 0 in pe:
            print("unexpected output: sqlite %r, postgres %r"
                  % (le.get(0), pe.get(0)), file=sys.stderr)
            return 1
        if sorted(le) != sorted(pe):
            bad = sorted(set(le) ^ set(pe))
            print("seed %d, %s: refused by one engine only:" %
                  (args.seed, pg_path), file=sys.stderr)
            for n in bad[:8]:
                print("  line %d: %s\n    sqlite:   %s\n    postgres: %s"
                      % (n, stmts[n - 2], le.get(n, "ok"), pe.get(n, "ok")),
                      file=sys.stderr)
            return 1
        for n, msg in pe.items():
            if stmts[n - 2].startswith(("UPDATE audit_log", "DELETE FROM "
                                        "audit_log")):
                if "audit_log is append-only" not in msg or \
                        "audit_log is append-only" not in le[n]:
                    print("audit_log refused otherwise: sqlite %r, "
                          "postgres %r" % (le[n], msg), file=sys.stderr)
                    return 1
                audit_refusals += 1
        refused += len(pe)
        done += len(stmts)
        batches += 1
    lite, pg = dump(eng, cols)
    d = diff_tables(lite, pg)
    if d:
        print("seed %d, at the end (batch %s/batch%d.sql):\n%s"
              % (args.seed, args.dir, batches - 1, "\n".join(d)),
              file=sys.stderr)
        return 1
    print("seed %d: %d statements in %d batches (%d refused by both, %d of "
          "them changes to audit_log), %d tables equal after each batch; "
          "%d backups, %d restores, %d replication samples at the end"
          % (args.seed, done, batches, refused, audit_refusals, len(lite),
             len(lite["backup_management"]), len(lite["restores"]),
             len(lite["replication_history"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
