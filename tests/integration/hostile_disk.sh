#!/usr/bin/env bash
# The dashboard on a full disk and on a read-only file system: read paths
# keep showing the last data with a warning that says why, writes fail
# cleanly and say what to free, and nothing is lost.  A reader who may
# only read the catalog (no -shm of its own) still sees it.  Needs a
# tmpfs mount (root); skipped where none can be made.
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
m=$T/mnt
mkdir -p "$m"
if ! mount -t tmpfs -o size=4m tmpfs "$m" 2>/dev/null; then
	skip "full and read-only disks" "cannot mount a tmpfs here (not root?)"
	exit 0
fi
at_exit "umount '$m' 2>/dev/null"
db=$m/c.db
dr() { "$DR" --catalog "$db" "$@"; }
dr init >/dev/null
dr service add ledger --tier critical >/dev/null
dr record backup --service ledger --size 1000 >/dev/null
run dr status
want=$OUT

# ---- a full disk ----
dd if=/dev/zero of="$m/fill" bs=64k >/dev/null 2>&1
run dr status
expect_eq "full disk: status exits 0" "$RC" 0
expect_eq "and shows the same figures" "$OUT" "$want"
expect_in "with a warning that says why" "$ERR" "No space left on device"
expect_in "and what to do" "$ERR" "Free space on"
run dr --read-only status
expect_eq "full disk: --read-only status exits 0" "$RC" 0
expect_in "and shows the service" "$OUT" "ledger"
expect_rc "full disk: check still answers (AT RISK, not UNKNOWN)" 1 dr check
expect_in "with its plugin line" "$OUT" "DRCONSOLE AT RISK"
expect_rc "full disk: audit verify still verifies" 0 dr audit verify
run dr service add other --tier low
expect_eq "full disk: a write fails" "$RC" 1
expect_in "saying the disk is full and what to free" "$ERR" "is full: free space there"
rm -f "$m/fill"
run dr service list
expect_not_in "space back: the refused write left nothing behind" "$OUT" "other"
expect_rc "space back: the audit chain is intact" 0 dr audit verify

# ---- a read-only file system ----
mount -o remount,ro "$m"
run dr status
expect_eq "read-only fs: status exits 0" "$RC" 0
expect_eq "and shows the same figures" "$OUT" "$want"
expect_in "with a warning naming the read-only file system" "$ERR" "Read-only file system"
run dr --read-only status
expect_eq "read-only fs: --read-only status exits 0" "$RC" 0
expect_in "opened immutable, and says so" "$ERR" "opened immutable"
expect_rc "read-only fs: audit verify still verifies" 0 dr audit verify
run dr service add other --tier low
expect_eq "read-only fs: a write fails" "$RC" 1
expect_in "saying the catalog cannot be written and why" "$ERR" "cannot be written: Read-only file system"
mount -o remount,rw "$m"

# ---- a reader with read access only (0640 with a group, no -shm) ----
if command -v setpriv >/dev/null 2>&1; then
	# The binary beside the test's files, not on the 4 MiB tmpfs (the
	# sanitizer build would not fit, and ran truncated).
	cp "$DR" "$T/drconsole-ro" && chmod 755 "$T/drconsole-ro" "$m"
	chmod 711 "$T"
	chmod 644 "$db"
	run setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp "$T/drconsole-ro" --catalog "$db" status
	expect_eq "a read-only user: status exits 0" "$RC" 0
	# (Its RTO estimate differs: the example config init wrote is the
	# operator's, not this user's.)
	expect_eq "and shows the same backup figures" "$(awk '/^ledger/ {print $1, $2, $3, $4, $5}' <<<"$OUT")" \
		"$(awk '/^ledger/ {print $1, $2, $3, $4, $5}' <<<"$want")"
	expect_in "saying it is shown read-only" "$ERR" "showing it read-only"
	chmod 600 "$db"
else
	skip "a read-only user sees the catalog" "no setpriv"
fi
run dr status
expect_eq "after all of it, the catalog shows what it did" "$OUT" "$want"
