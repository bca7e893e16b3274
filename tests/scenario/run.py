#!/usr/bin/env python3
"""Scenario test: random event histories against drconsole and model.py.

Each scenario starts from a fresh catalog (a copy of one of a few
templates: four services of random tiers and targets), applies 5-15 random
steps (record backup / replication, backup run, copy, probe rounds, drills
and incidents, restore tests, clock moves), and after every step compares
`status --json` with the model of docs/EVIDENCE.md.  The first mismatch
prints the seed, a shell transcript that reproduces it, both sides'
values, and exits 1.  Output is TAP.

  run.py [--scenarios N] [--seed S] [--jobs J] [--budget SECONDS]
         [--ignore FIELD,...] [--without KIND,...] [--keep-going] [--stats]
  SCENARIOS, SEED, JOBS, SCENARIO_BUDGET in the environment do the same;
  the binary is $DR_BIN, else $BUILD/drconsole (BUILD default build).

Every service's figures are compared (FIELDS); --ignore and --without
(step KINDS) narrow a run down while a mismatch is studied.
"""
import argparse
import datetime
import json
import multiprocessing
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as M  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RECORDED = ["alpha", "beta", "gamma"]  # fed by record only
TARGETED = "delta"  # fed by backup run (targets d-good, d-bad, d-broken)
SERVICES = RECORDED + [TARGETED]
TIERS = {"critical": (300, 900), "standard": (1800, 3600), "low": (14400, 14400)}
# (service, probe) -> failures_before_down: per service in the config;
# beta's is the section's default (3).
PROBES = {("alpha", "api"): 1, ("alpha", "db"): 1, ("beta", "web"): 3,
          ("delta", "pg"): 2}
PROBE_FBD = {"alpha": 1, "delta": 2}
THROUGHPUT = 1000000  # "1MB/s"
DEFAULT_POLICY = 30 * 86400
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FIELDS = ["verdict", "rpo.age_s", "rpo.status", "rto.estimate_s", "rto.status",
          "rto.source", "tests.untested", "tests.restore_test_failed",
          "tests.restore_failures", "health.status",
          "health.failure_count", "evidence.rpo", "evidence.rto.kind",
          "evidence.probes_down"]
KINDS = ["backup", "update", "replication", "clock", "probe", "run", "copy",
         "restore-test", "drill", "damage"]


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def dur(s):
    return "%ds" % s


def with_ratio(r, args, size):
    """Some reports carry a compression ratio: with a size, the catalog
    then knows the backup's plain size (size x ratio, docs/EVIDENCE.md);
    without one it knows none.  The ratios are exact in binary, so the
    product is too; the catalog rounds it either way."""
    if r.random() < 0.4:
        ratio = r.choice(["1", "2.5", "3.75", "12.125"])
        args = args + ["--compression-ratio", ratio]
        if size is not None:
            x = size * float(ratio)
            return args, (int(x), M.ceil(x))
    return args, None


# ---------------------------------------------------------------- setup --

def template_spec(k):
    """The services of template k: (name, service add args, rpo, rto, policy)."""
    rng = random.Random(1000 + k)
    out = []
    for name in SERVICES:
        tier = rng.choice(sorted(TIERS))
        rpo, rto = TIERS[tier]
        pol = DEFAULT_POLICY
        args = ["--tier", tier]
        if rng.random() < 0.3:
            rpo = rng.choice([60, 120, 600, 3600, 21600])
            args += ["--rpo", dur(rpo)]
        if rng.random() < 0.3:
            rto = rng.choice([600, 1800, 7200])
            args += ["--rto", dur(rto)]
        if rng.random() < 0.4:
            pol = rng.choice([86400, 3 * 86400, 7 * 86400])
            args += ["--drill-policy", dur(pol)]
        out.append((name, args, rpo, rto, pol))
    return out


def config_text(w):
    p = lambda *a: os.path.join(w, *a)  # noqa: E731
    cfg = {
        "runbook_dir": p("rb"),
        "policy": {"restore_throughput": "1MB/s"},
        "repositories": {"local": {"url": "file://" + p("repo")},
                         "copy": {"url": "file://" + p("copyrepo")}},
        "backups": {
            "d-good": {"service": TARGETED, "repository": "local",
                       "copy_repository": "copy",
                       "source": {"kind": "file", "path": p("src.txt")},
                       "restore_test": {"argv": ["sh", "-c", "cat >/dev/null"]}},
            "d-bad": {"service": TARGETED, "repository": "local",
                      "copy_repository": "copy",
                      "source": {"kind": "file", "path": p("src.txt")},
                      "restore_test": {"argv": ["sh", "-c", "cat >/dev/null; exit 1"]}},
            "d-broken": {"service": TARGETED, "repository": "local",
                         "source": {"kind": "command", "argv": ["false"]}},
        },
        "probes": {"services": {}},
    }
    for (svc, name), fbd in sorted(PROBES.items()):
        ps = cfg["probes"]["services"].setdefault(svc, {"checks": []})
        ps["checks"].append({"name": name, "kind": "command",
                             "command": ["cat", p("probes", "%s-%s" % (svc, name))]})
        if svc in PROBE_FBD:
            ps["failures_before_down"] = PROBE_FBD[svc]
    return json.dumps(cfg) + "\n"


def runbook_texts(w, dr):
    restore = ("%s --catalog %s --config %s restore latest:\"$DR_VAR_SERVICE\""
               " --to-command 'cat >/dev/null'"
               % (dr, os.path.join(w, "c.db"), os.path.join(w, "cfg.json")))

    def rb(name, step):
        return json.dumps({
            "name": name, "title": name + " ${SERVICE}", "scenario": "partial",
            "rto": "15m", "rpo": "5m", "services": ["${SERVICE}"],
            "variables": [{"name": "SERVICE", "prompt": "service",
                           "pattern": "[a-z]+"}],
            "phases": [{"name": "restore", "steps": [dict(
                {"id": "restore", "title": "restore", "confirm": "none"},
                **step)]}]}) + "\n"
    return {
        "real": rb("real", {"command": restore, "drill": restore}),
        "echo": rb("echo", {"command": "echo restoring \"$DR_VAR_SERVICE\"",
                            "drill": "echo would restore \"$DR_VAR_SERVICE\""}),
        "skip": rb("skip", {"command": "echo restoring \"$DR_VAR_SERVICE\""}),
    }


class Mismatch(Exception):
    pass


class Scenario:
    def __init__(self, seed, w, dr, tpldir, opts):
        self.seed = seed
        self.rng = random.Random(seed)
        self.w = w
        self.dr = dr
        self.opts = opts
        self.lines = []
        self.k = self.rng.randrange(opts.templates)
        self.spec = template_spec(self.k)
        for f in ("c.db", "c.db-wal", "c.db-shm"):
            try:
                os.unlink(os.path.join(w, f))
            except FileNotFoundError:
                pass
        for d in ("repo", "copyrepo", "probes"):
            shutil.rmtree(os.path.join(w, d), ignore_errors=True)
            os.makedirs(os.path.join(w, d))
        for f in ("c.db", "c.db-wal", "c.db-shm"):
            src = os.path.join(tpldir, str(self.k), f)
            if os.path.exists(src):
                shutil.copy(src, os.path.join(w, f))
        self.now = 1790000000 + self.rng.randrange(0, 86400 * 30)
        self.model = M.Model([(n, rpo, rto, pol) for n, _, rpo, rto, pol in self.spec],
                             PROBES, THROUGHPUT)
        self.probe_ok = {k: True for k in PROBES}
        self.link_times = {}  # (svc, src, tgt) -> set of sampled_at
        self.completed_times = {}  # svc -> completed_at of its good backups
        self.copied = set()
        self.n = 0
        self.stats = {}
        # Most events go to one service, so that its history gets long
        # enough to matter (failure streaks, several links, evidence).
        self.focus = self.rng.choice(SERVICES + [TARGETED, TARGETED])

    # -- running the binary --

    def run(self, args, expect_rc=(0,), what=None):
        env = dict(os.environ, DRCONSOLE_NOW=iso(self.now))
        cmd = [self.dr, "--catalog", os.path.join(self.w, "c.db"),
               "--config", os.path.join(self.w, "cfg.json")] + args
        self.lines.append("DRCONSOLE_NOW=%s \"$DR\" %s </dev/null"
                          % (iso(self.now), " ".join(shlex.quote(a) for a in cmd[1:])))
        t0 = time.monotonic()
        p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        self.wall = time.monotonic() - t0
        if expect_rc is not None and p.returncode not in expect_rc:
            raise Mismatch("%s: exit status %d, model expects %s\n# stdout: %s\n# stderr: %s"
                           % (what or args[0], p.returncode,
                              "/".join(map(str, expect_rc)),
                              p.stdout[-800:].replace("\n", "\n#   "),
                              p.stderr[-800:].replace("\n", "\n#   ")))
        return p

    def note(self, text):
        self.lines.append("# step %d: %s" % (self.n, text))

    # -- the steps --

    def rpo_of(self, svc):
        return self.spec[SERVICES.index(svc)][2]

    def pick(self):
        return self.focus if self.rng.random() < 0.7 else self.rng.choice(SERVICES)

    def step_backup(self):
        r = self.rng
        svc = self.pick()
        if svc == TARGETED:  # no recorded good backup: restores must work
            status = r.choice(["failed", "failed", "running", "pending",
                               "expired", "corrupt"])
        else:
            status = r.choices(["completed", "verified", "failed", "corrupt",
                                "running", "pending", "expired"],
                               [40, 10, 30, 5, 5, 5, 5])[0]
        now = self.now
        mode = r.choices(["now", "backfill", "boundary", "skew"],
                         [50, 35, 10, 5 if status in M.GOOD else 0])[0]
        if mode == "now":
            completed = now - r.randint(0, 120)
        elif mode == "backfill":
            completed = now - r.randint(600, 5 * 86400)
        elif mode == "boundary":
            tgt = self.rpo_of(svc)
            completed = now - (r.choice([tgt * 4 // 5, tgt]) + r.randint(-1, 1))
        else:
            completed = now + r.randint(120, 3600)
        # Two good backups of a service completed in the same second:
        # which is "the newest" is not said; the driver avoids the tie.
        while completed in self.completed_times.get(svc, ()):
            completed -= 1
        if status in M.GOOD:
            self.completed_times.setdefault(svc, set()).add(completed)
        started = completed - r.randint(1, 3600)
        # Now and then an attempt starts in the same second as an earlier
        # one of the service (a fast retry): the one recorded later is the
        # later one.
        ties = sorted(b.t() for b in self.model.backups.values()
                      if b.service == svc and b.t() is not None
                      and b.t() < completed)
        if ties and r.random() < 0.4:
            started = r.choice(ties)
        args = ["record", "backup", "--service", svc, "--status", status,
                "--type", r.choice(["full", "incremental", "differential"])]
        if status in ("running", "pending"):
            completed = None
        elif status == "failed" and r.random() < 0.4:
            completed = None
        if r.random() < 0.15:
            started = None
        size = None
        if status in M.GOOD or r.random() < 0.5:
            size = r.choice([r.randint(1, 10 ** 6), r.randint(1, 3 * 10 ** 9),
                             r.randint(1, 20 * 10 ** 9)])
            args += ["--size", str(size)]
        args, plain = with_ratio(r, args, size)
        if started is not None:
            args += ["--started", iso(started)]
        if completed is not None:
            args += ["--completed", iso(completed)]
        self.note("record %s backup of %s (%s)" % (status, svc, mode))
        p = self.run(args)
        m = UUID.search(p.stdout)
        if not m:
            raise Mismatch("record backup printed no id: %r" % p.stdout)
        self.model.backup(m.group(0), svc, status, started, completed, now,
                          plain)

    def step_update(self):
        r = self.rng
        open_ = [b for b in self.model.backups.values()
                 if b.status in ("running", "pending") and b.target is None]
        if not open_:
            return self.step_backup()
        b = r.choice(sorted(open_, key=lambda b: b.created))
        if b.service == TARGETED:
            status = "failed"
        else:
            status = r.choice(["completed", "completed", "failed", "verified"])
        completed = self.now - r.randint(0, 60)
        # A completion never lies before the start recorded first (without
        # --started that was the time of the report): the binary refuses it.
        floor = b.started if b.started is not None else b.created
        if floor is not None and completed < floor:
            completed = floor
        while status in M.GOOD and completed in self.completed_times.get(b.service, ()):
            completed += 1
        if status in M.GOOD:
            self.completed_times.setdefault(b.service, set()).add(completed)
        args = ["record", "backup", "--service", b.service, "--id", b.id,
                "--status", status, "--completed", iso(completed)]
        # A script may report its start again, or only the end: the start
        # recorded first stands either way.
        if b.started is not None and r.random() < 0.5:
            args += ["--started", iso(b.started)]
        size = None
        if status in M.GOOD:
            size = r.randint(1, 3 * 10 ** 9)
            args += ["--size", str(size)]
        args, plain = with_ratio(r, args, size)
        self.note("backup %s of %s finishes %s" % (b.id, b.service, status))
        self.run(args)
        self.model.backup(b.id, b.service, status, None, completed, None,
                          plain)

    def step_replication(self):
        r = self.rng
        svc = self.pick()
        src, tgt = r.choice([(svc + "-p", svc + "-r1"), (svc + "-p", svc + "-r2"),
                             (svc + "-r1", svc + "-r3")])
        state = r.choices(["streaming", "catchup", "down", "stopped", "unknown"],
                          [65, 15, 10, 5, 5])[0]
        kind = r.choices(["secs", "both", "bytes", "none"], [45, 25, 20, 10])[0]
        lag_s = None
        lag_b = None
        args = ["record", "replication", "--service", svc, "--source", src,
                "--target", tgt, "--state", state]
        if kind in ("secs", "both"):
            lag_s = r.choice([0, r.randint(0, 30), r.randint(0, 400),
                              r.randint(0, 20000)])
            args += ["--lag", dur(lag_s)]
        if kind in ("bytes", "both"):
            lag_b = r.randint(0, 10 ** 9)
            args += ["--lag-bytes", str(lag_b)]
        used = self.link_times.setdefault((svc, src, tgt), set())
        now = self.now
        for _ in range(20):
            mode = r.choices(["fresh", "stale", "edge", "backfill"], [60, 15, 10, 15])[0]
            if mode == "fresh":
                at = now - r.randint(0, 30)
            elif mode == "stale":
                at = now - r.randint(91, 5000)
            elif mode == "edge":
                at = now - r.choice([89, 90, 91])
            else:
                at = (min(used) if used else now) - r.randint(1, 600)
            if at not in used:
                break
        used.add(at)
        args += ["--at", iso(at)]
        self.note("replication sample %s -> %s of %s (%s)" % (src, tgt, svc, mode))
        self.run(args)
        self.model.replication(svc, src, tgt, state, lag_s, lag_b, at)

    def step_clock(self):
        r = self.rng
        d = r.choices([r.randint(1, 30), r.randint(30, 600), r.randint(600, 7200),
                       r.randint(86400, 40 * 86400)], [30, 30, 28, 12])[0]
        self.now += d
        self.note("clock moves %ds to %s" % (d, iso(self.now)))

    def step_probe(self):
        r = self.rng
        keys = sorted(PROBES)
        one = None
        if r.random() < 0.3:
            one = r.choice(sorted({s for s, _ in keys}))
            keys = [k for k in keys if k[0] == one]
        res = {}
        for k in keys:
            ok = self.probe_ok[k] if r.random() < 0.6 else r.random() < 0.5
            self.probe_ok[k] = ok
            res[k] = ok
        for k in sorted(PROBES):
            path = os.path.join(self.w, "probes", "%s-%s" % k)
            if self.probe_ok[k]:
                with open(path, "w") as f:
                    f.write("1\n")
                self.lines.append("echo 1 >%s" % path)
            else:
                if os.path.exists(path):
                    os.unlink(path)
                self.lines.append("rm -f %s" % path)
        self.note("probe round%s: %s" % (
            " of " + one if one else "",
            ", ".join("%s/%s %s" % (k[0], k[1], "ok" if v else "FAIL")
                      for k, v in sorted(res.items()))))
        args = ["probe", "run"] + (["--service", one] if one else [])
        self.run(args, (0,) if all(res.values()) else (1,))
        self.model.probe_round(res)

    def step_run(self):
        r = self.rng
        target = r.choices(["d-good", "d-bad", "d-broken"], [45, 30, 25])[0]
        self.note("backup run %s" % target)
        p = self.run(["backup", "run", target], (1,) if target == "d-broken" else (0,))
        m = UUID.search(p.stdout + p.stderr)
        bid = m.group(0) if m else "run-%d" % self.n
        self.model.backup(bid, TARGETED,
                          "failed" if target == "d-broken" else "completed",
                          self.now, None if target == "d-broken" else self.now,
                          self.now, (0, 1000), target)  # plain: src.txt is small

    def step_copy(self):
        """Copies change no recovery point.  Each backup is copied once (the
        model keeps no other trace of it)."""
        todo = [b for b in self.model.backups.values()
                if b.target in ("d-good", "d-bad") and b.status in M.GOOD
                and b.id not in self.copied]
        if any(i not in self.copied for i in self.model.damaged):
            return self.step_clock()  # what copy does with bit rot is not the question here
        self.note("copy")
        self.run(["copy"])
        self.copied.update(b.id for b in todo)

    def step_restore_test(self):
        r = self.rng
        target = r.choices(["d-good", "d-bad", "d-broken"], [60, 30, 10])[0]
        b = self.model.pick_restore_test(TARGETED, target, self.now)
        if b is None:
            rc = (2,)
        elif (b.id in self.model.damaged and b.id not in self.copied) \
                or target != "d-good":
            rc = (1,)
        else:
            rc = (0,)
        self.note("restore-test %s (%s)" % (target, b.id if b else "nothing to test"))
        self.run(["restore-test", target], rc)
        if b is not None:
            ok = self.model.restore(b, target == "d-good", b.id in self.copied)
            self.model.restore_test(TARGETED, self.now, ok, (0, M.ceil(self.wall) + 1))

    def step_damage(self):
        """Bit rot: one byte of a backup's object flips."""
        objs = [b for b in self.model.backups.values()
                if b.target in ("d-good", "d-bad") and b.id not in self.model.damaged
                and b.status in M.GOOD]
        if not objs:
            return self.step_run()
        b = self.rng.choice(sorted(objs, key=lambda b: b.completed))
        path = os.path.join(self.w, "repo", TARGETED, b.target, b.id + ".gz")
        with open(path, "r+b") as f:
            data = bytearray(f.read())
            data[-5] ^= 0xff  # in the gzip trailer: CRC-32 / length
            f.seek(0)
            f.write(data)
        self.note("the object of %s (%s) is damaged" % (b.id, b.target))
        self.lines.append("python3 -c 'import sys; p=sys.argv[1]; d=bytearray(open(p,\"rb\").read()); "
                          "d[-5]^=255; open(p,\"wb\").write(d)' %s" % path)
        self.model.damage(b.id)

    def step_drill(self):
        r = self.rng
        svc = self.pick()
        book = r.choice(["real", "real", "echo", "skip"] if svc == TARGETED
                        else ["echo", "skip"])
        drill = r.random() < 0.7
        args = ["runbook", "run", book, "--var", "SERVICE=" + svc,
                "--incident", "%s-%d" % ("d" if drill else "i", self.n)]
        start = 0
        if drill:
            args.append("--drill")
        else:
            rto = self.spec[SERVICES.index(svc)][3]
            start = r.choice([0, r.randint(1, 600), r.randint(1, 3 * rto),
                              rto * 4 // 5 + r.randint(-1, 1) * 5,
                              rto + r.randint(-1, 1) * 5])
            start = max(start, 0)
            args += ["--incident-start", iso(self.now - start)]
        restored = False
        rc = (0,)
        if book == "real":
            b = self.model.latest(svc, self.now)
            restored = b is not None and self.model.restore(b, True, b.id in self.copied)
            if not restored:
                rc = (1,)  # nothing (whole) to restore: the step fails, the run pauses
        self.note("%s of runbook %s for %s" % ("drill" if drill else "incident",
                                               book, svc))
        self.run(args, rc)
        self.model.recovery(svc, self.now, "drill" if drill else "recovery",
                            restored, (start, start + M.ceil(self.wall) + 1))

    # -- checking --

    def check(self):
        p = self.run(["status", "--json"], (0,))
        self.lines.pop()  # the check is not part of the transcript
        got = json.loads(p.stdout)
        exp, verdicts = self.model.expect(self.now)
        by = {s["name"]: s for s in got["services"]}
        ignore = set(self.opts.ignore)
        bad = []
        for name in SERVICES:
            s = by.get(name)
            if s is None:
                bad.append((name, "service", "present", "absent"))
                continue
            g = binary_fields(s)
            for f in FIELDS:
                if f in ignore:
                    continue
                if g[f] not in exp[name][f]:
                    bad.append((name, f, exp[name][f], g[f]))
        if "verdict" not in ignore and got.get("verdict") not in verdicts:
            bad.append(("overall", "verdict", verdicts, got.get("verdict")))
        if self.opts.stats:
            for name in SERVICES:
                for f in ("verdict", "rpo.status", "rto.status", "rto.source",
                          "health.status", "tests.untested"):
                    for v in exp[name][f]:
                        self.stats[(f, repr(v))] = self.stats.get((f, repr(v)), 0) + 1
                kind = {k for k, _ in exp[name]["evidence.rpo"]}
                self.stats[("evidence.rpo.kind", repr(sorted(kind, key=repr)))] = \
                    self.stats.get(("evidence.rpo.kind", repr(sorted(kind, key=repr))), 0) + 1
                self.stats[("probes down", repr(bool(exp[name]["evidence.probes_down"] - {()})))] = \
                    self.stats.get(("probes down", repr(bool(exp[name]["evidence.probes_down"] - {()}))), 0) + 1
        if bad:
            self.got = got
            self.exp = exp
            raise Mismatch("; ".join("%s %s: model %s, binary %r"
                                     % (n, f, fmt_set(e), v) for n, f, e, v in bad))

    def play(self):
        r = self.rng
        kinds = [k for k in KINDS if k not in self.opts.without]
        weights = {"backup": 30, "update": 5, "replication": 24, "clock": 16,
                   "probe": 8, "run": 6, "copy": 3, "restore-test": 4, "drill": 7,
                   "damage": 1}
        if self.focus == TARGETED:
            weights.update(backup=15, replication=16, run=14, copy=5, damage=3,
                           **{"restore-test": 8})
        steps = r.randint(self.opts.min_steps, self.opts.max_steps)
        for self.n in range(1, steps + 1):
            self.now += r.randint(1, 20)
            kind = r.choices(kinds, [weights[k] for k in kinds])[0]
            getattr(self, "step_" + kind.replace("-", "_"))()
            self.check()
        return steps

    def transcript(self, reprodir):
        w = self.w
        out = ["#!/bin/sh", "# scenario seed %d (template %d)" % (self.seed, self.k),
               "W=%s" % reprodir, "DR=%s" % self.dr,
               'rm -rf "$W" && mkdir -p "$W/rb" "$W/repo" "$W/copyrepo" "$W/probes" "$W/home"',
               'export HOME="$W/home" XDG_DATA_HOME="$W/data" XDG_CONFIG_HOME="$W/xdg"',
               "cat >\"$W/cfg.json\" <<'EOF'", config_text(w).rstrip("\n"), "EOF"]
        for name, text in sorted(runbook_texts(w, self.dr).items()):
            out += ["cat >\"$W/rb/%s.json\" <<'EOF'" % name, text.rstrip("\n"), "EOF"]
        out.append("echo hello >\"$W/src.txt\"")
        out += template_lines("$W", self.spec)
        out += self.lines
        out.append("DRCONSOLE_NOW=%s \"$DR\" --catalog %s --config %s status --json"
                   % (iso(self.now), os.path.join(w, "c.db"), os.path.join(w, "cfg.json")))
        return "\n".join(out).replace(w, reprodir)


def template_lines(w, spec):
    base = "DRCONSOLE_NOW=%s \"$DR\" --catalog %s/c.db --config %s/cfg.json" % (
        iso(1790000000), w, w)
    lines = [base + " init >/dev/null"]
    for name, args, _, _, _ in spec:
        lines.append(base + " service add %s %s >/dev/null" % (name, " ".join(args)))
    return lines


def binary_fields(s):
    def get(path):
        v = s
        for p in path.split("."):
            if not isinstance(v, dict) or p not in v:
                return "<absent>"
            v = v[p]
        return v
    g = {f: get(f) for f in FIELDS if not f.startswith("evidence.")}
    ev = s.get("evidence")
    if not isinstance(ev, dict):
        g["evidence.rpo"] = g["evidence.rto.kind"] = g["evidence.probes_down"] = "<absent>"
    else:
        rpo = ev.get("rpo") or {}
        g["evidence.rpo"] = (rpo.get("kind"), rpo.get("id"))
        g["evidence.rto.kind"] = (ev.get("rto") or {}).get("kind")
        pd = ev.get("probes_down")
        g["evidence.probes_down"] = tuple(sorted(pd)) if isinstance(pd, list) else pd
    return g


def fmt_set(e):
    if isinstance(e, set):
        e = sorted(e, key=repr)
        return repr(e[0]) if len(e) == 1 else "one of " + repr(e)
    return repr(e)


# ---------------------------------------------------------------- main --

_worker = {}


def worker_init(base, dr, tpldir, opts):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # pool.terminate() ends us
    w = tempfile.mkdtemp(prefix="w", dir=base)
    for d in ("rb", "home"):
        os.makedirs(os.path.join(w, d), exist_ok=True)
    with open(os.path.join(w, "cfg.json"), "w") as f:
        f.write(config_text(w))
    for name, text in runbook_texts(w, dr).items():
        with open(os.path.join(w, "rb", name + ".json"), "w") as f:
            f.write(text)
    with open(os.path.join(w, "src.txt"), "w") as f:
        f.write("hello\n")
    os.environ.update(HOME=os.path.join(w, "home"), XDG_DATA_HOME=os.path.join(w, "data"),
                      XDG_CONFIG_HOME=os.path.join(w, "xdg"))
    _worker.update(w=w, dr=dr, tpldir=tpldir, opts=opts)


def play(seed):
    dl = _worker["opts"].deadline
    if dl is not None and time.time() > dl:
        return (seed, None, 0, None)
    sc = Scenario(seed, _worker["w"], _worker["dr"], _worker["tpldir"], _worker["opts"])
    try:
        steps = sc.play()
        return (seed, True, steps, sc.stats)
    except Mismatch as e:
        rep = ["scenario seed %d, step %d: %s" % (seed, sc.n, e)]
        o = _worker["opts"]
        extra = "".join(" --%s %s" % (k, ",".join(getattr(o, k)))
                        for k in ("ignore", "without") if getattr(o, k))
        extra += "".join(" --%s %d" % (k.replace("_", "-"), getattr(o, k))
                         for k, d in (("min_steps", 5), ("max_steps", 15), ("templates", 12))
                         if getattr(o, k) != d)
        rep.append("reproduce: tests/scenario/run.py --seed %d --scenarios 1%s" % (seed, extra))
        rep.append("transcript:")
        rep += ["  " + l for l in sc.transcript("/tmp/drscenario.%d" % seed).split("\n")]
        if getattr(sc, "exp", None):
            rep.append("model (acceptable values) vs binary, every service:")
            for name in SERVICES:
                s = next((x for x in sc.got["services"] if x["name"] == name), {})
                g = binary_fields(s)
                for f in FIELDS:
                    mark = "" if g[f] in sc.exp[name][f] else "   <-- differs"
                    rep.append("  %-6s %-21s model %-40s binary %r%s"
                               % (name, f, fmt_set(sc.exp[name][f]), g[f], mark))
        return (seed, False, sc.n, rep)


def make_templates(tpldir, dr, n):
    env = dict(os.environ, DRCONSOLE_NOW=iso(1790000000))
    os.makedirs(tpldir)
    empty = os.path.join(tpldir, "empty.json")
    with open(empty, "w") as f:
        f.write("{}\n")
    for k in range(n):
        d = os.path.join(tpldir, str(k))
        os.makedirs(d)
        cat = os.path.join(d, "c.db")
        base = [dr, "--catalog", cat, "--config", empty]
        subprocess.run(base + ["init"], env=env, check=True, stdout=subprocess.DEVNULL)
        for name, args, _, _, _ in template_spec(k):
            subprocess.run(base + ["service", "add", name] + args, env=env,
                           check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenarios", type=int, default=int(os.environ.get("SCENARIOS", 200)))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SEED", 0)) or None)
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS", 2)))
    ap.add_argument("--min-steps", type=int, default=5)
    ap.add_argument("--max-steps", type=int, default=15)
    ap.add_argument("--templates", type=int, default=12)
    ap.add_argument("--ignore", default="", help="fields not compared")
    ap.add_argument("--without", default="", help="step kinds left out")
    ap.add_argument("--keep-going", action="store_true",
                    help="report every failing scenario, not only the first")
    ap.add_argument("--budget", type=float, default=float(os.environ.get("SCENARIO_BUDGET", 0)),
                    help="seconds after which no new scenario starts (0: none)")
    ap.add_argument("--stats", action="store_true",
                    help="print how often the model saw each value")
    ap.add_argument("--block", type=int, default=100, help="scenarios per TAP line")
    opts = ap.parse_args()
    opts.ignore = [x for x in opts.ignore.split(",") if x]
    opts.without = [x for x in opts.without.split(",") if x]
    seed = opts.seed if opts.seed is not None else int(time.time()) % 1000000 * 1000
    dr = os.environ.get("DR_BIN") or os.path.join(TOP, os.environ.get("BUILD", "build"),
                                                  "drconsole")
    base = tempfile.mkdtemp(prefix="drscenario.", dir=os.environ.get("SCENARIO_TMP")
                            or ("/dev/shm" if os.path.isdir("/dev/shm") else None))
    print("# scenario test: %d scenarios from seed %d, %s" % (opts.scenarios, seed, dr))
    sys.stdout.flush()
    t0 = time.monotonic()
    fails = 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        tpldir = os.path.join(base, "tpl")
        make_templates(tpldir, dr, opts.templates)
        # The pool reads all seeds at once: the workers watch the clock.
        opts.deadline = time.time() + opts.budget if opts.budget > 0 else None
        done = steps = tapn = skipped = 0
        block = []  # seeds agreeing since the last TAP line
        stats = {}

        def flush_block():
            nonlocal tapn
            if block:
                tapn += 1
                print("ok %d - %d scenarios agree with the model (seeds %d..%d)"
                      % (tapn, len(block), block[0], block[-1]))
                sys.stdout.flush()
                block.clear()
        with multiprocessing.Pool(opts.jobs, worker_init, (base, dr, tpldir, opts)) as pool:
            for s, ok, n, rep in pool.imap(play, range(seed, seed + opts.scenarios)):
                if ok is None:
                    skipped += 1
                    continue
                done += 1
                steps += n
                if ok:
                    block.append(s)
                    for k, v in (rep or {}).items():
                        stats[k] = stats.get(k, 0) + v
                    if len(block) == opts.block:
                        flush_block()
                    continue
                fails += 1
                flush_block()
                tapn += 1
                print("not ok %d - %s" % (tapn, rep[0]))
                for line in rep[1:]:
                    print("#   " + line)
                sys.stdout.flush()
                if not opts.keep_going:
                    pool.terminate()
                    break
        flush_block()
        for k in sorted(stats):
            print("# %-20s %-28s %d" % (k[0], k[1], stats[k]))
        if skipped:
            print("# time budget of %gs reached: %d of %d scenarios run"
                  % (opts.budget, done, opts.scenarios))
        print("# %d scenarios, %d steps, %d failed, %.1fs" % (done, steps, fails,
                                                              time.monotonic() - t0))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
