"""An independent model of docs/EVIDENCE.md, for the scenario test.

Written from the page alone (not from core/compliance.c), so that the
binary and this file are two implementations of one text.  The driver
(run.py) tells the model the facts it created, in the order it created
them; evaluate(now) says what `status --json` must show for each service.

Where the page leaves a question open, the reading taken is marked
"READING:" below.

Times are Unix seconds.  A figure that depends on real elapsed time (the
duration of a restore test) is a closed range (lo, hi); evaluate() then
gives, per field, the set of values the binary may show.
"""

GOOD = ("completed", "verified")
BAD = ("failed", "corrupt", "restore_failed")
USABLE_STATES = ("streaming", "catchup")
SKEW_TOLERANCE = 60  # policy.clock_skew_tolerance default
LIVE_WINDOW = 90  # 3 x probes.interval (30 s): no PostgreSQL probe, no replica_max_age
AT_RISK = (4, 5)  # policy.at_risk_fraction 0.8, as an exact fraction


class Backup:
    def __init__(self, bid, service, status, started, completed, created,
                 plain, target=None):
        self.id = bid
        self.service = service
        self.status = status
        self.started = started
        self.completed = completed
        self.created = created
        # Its plain (uncompressed) size, (lo, hi) bytes, or None when the
        # catalog has none (a recorded size without a compression ratio:
        # that is the stored size, and no estimate stands on it).
        self.plain = plain
        self.target = target

    def t(self):
        """Its own time for health: started, else completed, else created."""
        for v in (self.started, self.completed, self.created):
            if v is not None:
                return v
        return None


class Service:
    def __init__(self, name, rpo_s, rto_s, policy_s):
        self.name = name
        self.rpo_s = rpo_s
        self.rto_s = rto_s
        self.policy_s = policy_s


class Model:
    def __init__(self, services, probes, throughput):
        """services: [(name, rpo_s, rto_s, drill_policy_s)];
        probes: {(service, probe): failures_before_down};
        throughput: restore_throughput in bytes/s, or None."""
        self.services = {n: Service(n, rpo, rto, pol)
                         for n, rpo, rto, pol in services}
        self.order = [s[0] for s in services]
        self.throughput = throughput
        self.backups = {}  # id -> Backup
        self.samples = []  # (service, source, target, state, lag_s, bytes, at)
        self.probe_fbd = dict(probes)
        self.probe_fails = {k: 0 for k in probes}
        self.probe_down = {k: False for k in probes}
        # (service, at, ok, (lo, hi) duration)
        self.restore_tests = []
        self.damaged = set()  # ids of backups whose object is damaged
        # (service, at, kind, (lo, hi) recovery time): completed recoveries
        # during which a restore of the service succeeded
        self.recoveries = []

    # ---- facts ----

    def backup(self, bid, service, status, started, completed, created,
               plain=None, target=None):
        """A new backup row, or (same id) an update of one.  An update
        reports size and ratio again, so its plain size replaces the old
        one, unknown included."""
        old = self.backups.get(bid)
        if old is not None:
            old.status = status
            if started is not None:
                old.started = started
            if completed is not None:
                old.completed = completed
            old.plain = plain
            return
        # A report without a start is dated by its completion, else by when
        # it was reported (docs/EVIDENCE.md): a backup reported running has
        # started by then; later reports of it keep that start.
        if started is None:
            started = completed if completed is not None else created
        self.backups[bid] = Backup(bid, service, status, started, completed,
                                   created, plain, target)

    def replication(self, service, source, target, state, lag_s, lag_bytes,
                    at):
        self.samples.append((service, source, target, state, lag_s,
                             lag_bytes, at))

    def probe_round(self, results):
        """results: {(service, probe): True (passed) | False}"""
        for key, ok in results.items():
            if ok:
                self.probe_fails[key] = 0
                self.probe_down[key] = False
            else:
                self.probe_fails[key] += 1
                if self.probe_fails[key] >= self.probe_fbd[key]:
                    self.probe_down[key] = True

    def newest_good(self, service, now, target=None):
        """The newest completed/verified backup by completed_at (of one
        target when given), ignoring clock-skewed ones; a list of the tied."""
        cands = [b for b in self.backups.values()
                 if b.service == service and b.status in GOOD
                 and b.completed is not None
                 and b.completed <= now + SKEW_TOLERANCE
                 and (target is None or b.target == target)]
        if not cands:
            return []
        top = max(b.completed for b in cands)
        return [b for b in cands if b.completed == top]

    def damage(self, bid):
        """The backup's object no longer reads back whole (bit rot)."""
        self.damaged.add(bid)

    def latest(self, service, now):
        """What restore latest:SERVICE restores, or None."""
        tied = self.newest_good(service, now)
        return tied[0] if tied else None

    def pick_restore_test(self, service, target, now):
        """What restore-test TARGET restores, or None.  READING (drconsole(1),
        not the page): the target's newest verified backup, else its newest
        completed one; never another target's."""
        good = [b for b in self.backups.values()
                if b.service == service and b.target == target
                and b.status in GOOD and b.completed is not None
                and b.completed <= now + SKEW_TOLERANCE]
        ver = [b for b in good if b.status == "verified"]
        pool = ver or good
        return max(pool, key=lambda b: b.completed) if pool else None

    def restore(self, b, consumer_ok, copied=False):
        """A restore of backup b into a command; True when it succeeded.
        A backup that does not read back whole becomes restore_failed (no
        good backup, a failure in health); a command that read it all and
        failed leaves it as it was; a success verifies it.  A damaged
        backup with a copy (copied: the copy is whole) is restored from
        the copy, and a restore from a copy leaves the row as it was."""
        if b.id in self.damaged:
            if copied:
                return consumer_ok
            b.status = "restore_failed"
            return False
        if not consumer_ok:
            return False
        b.status = "verified"
        return True

    def restore_test(self, service, now, ok, duration):
        """A restore test of SERVICE ended now; ok or not."""
        self.restore_tests.append((service, now, ok, duration))

    def recovery(self, service, now, kind, restored, rtime):
        """A completed recovery of SERVICE (kind "drill" or "recovery");
        restored: whether a restore of the service succeeded in it."""
        if restored:
            self.recoveries.append((service, now, kind, rtime))

    # ---- what status --json must say ----

    def _replica(self, service, now):
        """(age, [link ids]) of the replica recovery point, or None."""
        newest = {}
        for (svc, src, tgt, state, lag_s, lag_b, at) in self.samples:
            if svc != service:
                continue
            key = (src, tgt)
            # READING: two samples of one link at the same sampled_at do
            # not happen in the driver; the later-reported one would win.
            if key not in newest or at >= newest[key][3]:
                newest[key] = (state, lag_s, lag_b, at)
        live = {k: v for k, v in newest.items() if now - v[3] <= LIVE_WINDOW}
        if not live:
            return None
        ages = {}
        for k, (state, lag_s, lag_b, at) in live.items():
            if state not in USABLE_STATES or lag_s is None:
                return None  # the worst live link is unusable
            ages[k] = now - at + ceil(lag_s)
        worst = max(ages.values())
        return worst, ["%s -> %s" % k for k, a in ages.items() if a == worst]

    def _status(self, value, target):
        if value > target:
            return "breach"
        if value * AT_RISK[1] > target * AT_RISK[0]:  # "past 80 %", exactly
            return "at risk"
        return "ok"

    def evaluate(self, now, end):
        """One reading of every service; end picks the lo (0) or hi (1)
        end of each uncertain duration."""
        out = {}
        for name in self.order:
            svc = self.services[name]
            r = {}
            # -- recovery point --
            tied = self.newest_good(name, now)
            skew = any(b.service == name and b.status in GOOD
                       and b.completed is not None
                       and b.completed > now + SKEW_TOLERANCE
                       for b in self.backups.values())
            cands = []  # (age, kind, id)
            if tied:
                # READING: a backup completed up to 60 s ahead is not
                # flagged; its age counts as 0, never negative.
                age = max(0, now - tied[0].completed)
                cands += [(age, "backup", b.id) for b in tied]
            rep = self._replica(name, now)
            if rep is not None:
                cands += [(rep[0], "replica", i) for i in rep[1]]
            if cands:
                best = min(c[0] for c in cands)
                # READING: a backup and a replica of the same age are
                # both "the newer"; either may be named.
                r["evidence.rpo"] = {(c[1], c[2]) for c in cands
                                     if c[0] == best}
                r["rpo.age_s"] = best
                r["rpo.status"] = self._status(best, svc.rpo_s)
            else:
                r["evidence.rpo"] = {(None, None)}
                r["rpo.age_s"] = None
                r["rpo.status"] = "breach"  # "no good backup ever"
            # -- recovery time --
            ev = []  # (at, tie-break, kind, estimate)
            for (s, at, ok, dur) in self.restore_tests:
                if s == name and ok:
                    ev.append((at, 1, "restore test", dur[end]))
            for (s, at, kind, rt) in self.recoveries:
                if s == name:
                    ev.append((at, 0, kind, rt[end]))
            if ev:
                at, _, kind, est = max(ev)
                r["rto.source"] = kind
                r["rto.estimate_s"] = est
                last_test = at
            else:
                last_test = None
                # The newest good backup's plain size (docs/EVIDENCE.md:
                # never its stored size).
                plain = tied[0].plain if tied else None
                if plain is not None and self.throughput:
                    # READING: whole seconds, rounded either way.
                    v = plain[end] / self.throughput
                    r["rto.source"] = "size estimate"
                    r["rto.estimate_s"] = int(v) if end == 0 else ceil(v)
                else:
                    r["rto.source"] = "none"
                    r["rto.estimate_s"] = None
            if r["rto.estimate_s"] is None:
                r["rto.status"] = "unknown"
            else:
                r["rto.status"] = self._status(r["rto.estimate_s"], svc.rto_s)
            r["evidence.rto.kind"] = (None if r["rto.source"] == "none"
                                      else r["rto.source"])
            r["tests.untested"] = (last_test is None
                                   or now - last_test > svc.policy_s)
            # READING: "the newest restore test failed" looks at restore
            # tests only; a later drill or recovery does not clear it.
            # At the same second the one recorded later is the newer.
            rts = [(at, i, ok) for i, (s, at, ok, _)
                   in enumerate(self.restore_tests) if s == name]
            test_failed = bool(rts) and not max(rts)[2]
            last_ok = max(((at, i) for at, i, ok in rts if ok), default=None)
            r["tests.restore_test_failed"] = test_failed
            r["tests.restore_failures"] = sum(
                1 for at, i, ok in rts
                if not ok and (last_ok is None or (at, i) > last_ok))
            # -- backup health --
            # At the same second the attempt recorded later is the later
            # one: an attempt's place is (t, order recorded).
            goods = [(b.t(), i) for i, b in enumerate(self.backups.values())
                     if b.service == name and b.status in GOOD]
            bads = [(b.t(), i) for i, b in enumerate(self.backups.values())
                    if b.service == name and b.status in BAD]
            if goods:
                last = max(goods)
                fc = sum(1 for t in bads if t > last)
            else:
                fc = len(bads)
            r["health.failure_count"] = fc
            r["health.status"] = ("healthy", "degraded", "warning",
                                  "critical")[min(fc, 3)]
            # -- probes --
            down = sorted(p for (s, p), d in self.probe_down.items()
                          if s == name and d)
            r["evidence.probes_down"] = down
            # -- verdict --
            if r["rpo.status"] == "breach" or r["rto.status"] == "breach":
                v = "BREACH"
            elif (r["rpo.status"] in ("at risk", "unknown")
                  or r["rto.status"] in ("at risk", "unknown")
                  or r["tests.untested"]
                  or r["health.status"] in ("warning", "critical")
                  or skew or down or test_failed):
                v = "AT RISK"
            else:
                v = "OK"
            r["verdict"] = v
            out[name] = r
        return out

    def expect(self, now):
        """{service: {field: set of acceptable values}} and the set of
        acceptable overall verdicts."""
        a, b = self.evaluate(now, 0), self.evaluate(now, 1)
        res = {}
        for name in self.order:
            f = {}
            for k in a[name]:
                va, vb = a[name][k], b[name][k]
                if k == "evidence.rpo":
                    f[k] = va | vb
                elif k == "rto.estimate_s" and va is not None and vb is not None:
                    f[k] = set(range(va, vb + 1))
                elif k == "evidence.probes_down":
                    f[k] = {tuple(va), tuple(vb)}
                else:
                    f[k] = {va, vb}
            res[name] = f
        rank = {"OK": 0, "AT RISK": 1, "BREACH": 2}
        worst = set()
        for m in (a, b):
            worst.add(max((m[n]["verdict"] for n in self.order),
                          key=lambda v: rank[v], default="OK"))
        return res, worst


def ceil(x):
    i = int(x)
    return i if i == x or x < 0 else i + 1
