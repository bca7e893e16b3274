#!/usr/bin/env bash
# Actions from the console: B on the Dashboard backs the selected service
# up now (after a y/N question), v on the Backups view verifies the
# selected backup and c copies its target's backups to the copy
# repository.  Each runs the operation (core/ops_backup.h) on a
# thread of the console's own, on a screen of its own that shows its
# progress and says how it ended (the line command's words), and the views
# then show the new state from the catalog.  No second drconsole runs.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"
# The default catalog: made by config apply at its path; a server's is
# made by init.
CAT=${DRCONSOLE_CATALOG:-$XDG_DATA_HOME/drconsole/catalog.db}
[ "$CATALOG_BACKEND" = sqlite ] || "$DR" init >/dev/null
mkdir -p "$XDG_CONFIG_HOME/drconsole" "$T/repo"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"services": [{"name": "files", "tier": "standard"}, {"name": "bare", "tier": "low"},
              {"name": "slow", "tier": "low"}],
 "repositories": {"local": {"url": "file://$T/repo"}, "copy": {"url": "file://$T/copyrepo"}},
 "backups": {"files-nightly": {"service": "files", "repository": "local", "copy_repository": "copy",
   "source": {"kind": "command", "shell": "echo payload; sleep 1; echo more"}},
   "slow-nightly": {"service": "slow", "repository": "local",
   "source": {"kind": "command", "shell": "head -c 8000000 /dev/zero; echo start; sleep 30; echo end"}}}}
JSON
expect_rc "config apply" 0 "$DR" config apply
sq() { catq "$CAT" "$1" 2>/dev/null; }

tui_start -- --catalog "$CAT"
expect_screen "the console opens" "files"
# files sorts first (never backed up, standard tier); say no first.
tui_keys / ; tui_text files; tui_keys Enter
tui_keys B
expect_screen "B asks first" "Back up files now (1 target)?  [y/N]"
tui_keys n
expect_screen "n: back on the dashboard" "SERVICE      TIER"
expect_eq "and nothing was backed up" "$(sq "select count(*) from backup_management")" 0
tui_keys B
expect_screen "asked again" "Back up files now"
tui_keys y
expect_screen "y: the job screen names the target" "Back up files: target files-nightly (1/1)"
expect_screen "and says it is done" "done in 0:0" 15
expect_screen "with the command's summary line" "completed files-nightly "
tui_keys x
expect_screen "x: back, with the outcome in the footer" "Back up files: target files-nightly (1/1): done in 0:0"
expect_eq "one completed backup in the catalog" \
	"$(sq "select count(*) from backup_management where service_name='files' and backup_status='completed'")" 1

# A service without a backup target: said, nothing started.
tui_keys Escape / ; tui_text bare; tui_keys Enter
tui_keys B
expect_screen "a service with no target says so" "bare has no backup target in the config"

# A stop in the middle: the row fails as interrupted, no object is left.
tui_keys Escape / ; tui_text slow; tui_keys Enter
tui_keys B
expect_screen "slow: asked" "Back up slow now"
tui_keys y
expect_screen "slow: running" "running: back up slow-nightly"
expect_screen "the job screen counts the time while it runs" "0:02 elapsed)" 5
expect_screen "and the bytes read so far, with the rate" "MiB read, "
console=$(pgrep -x drconsole -P "$(tui_pid)")
expect_eq "the console did not start a second drconsole" \
	"$(pgrep -c -x drconsole -P "${console:-1}" || true)" 0
tui_keys a
expect_screen "a stops it" "stopped in 0:" 10
expect_eq "the silent source was stopped with it" "$(pgrep -c -f 'sleep 30; echo end' || true)" 0
tui_keys x
expect_eq "the stopped backup's row failed" \
	"$(sq "select backup_status from backup_management where service_name='slow'")" failed
expect_in "as interrupted" "$(sq "select metadata from backup_management where service_name='slow'")" "interrupted"
expect_eq "and only the files object is in the repository" "$(find "$T/repo" -type f | wc -l)" 1
tui_keys Escape / ; tui_text files; tui_keys Enter

# v on the Backups view: the object is read back and marked verified.
tui_keys Escape 2
tui_text ":backups files"; tui_keys Enter
expect_screen "the Backups view lists it" "completed"
tui_keys v
expect_screen "v: a job screen for the verify" "Verify backup"
expect_screen "that ends done" "done in 0:" 15
tui_keys Enter
expect_screen "back in Backups, the row is verified" "verified" 5
expect_eq "verified in the catalog" \
	"$(sq "select backup_status from backup_management where service_name='files'")" verified

# c: the target's backups go to its copy repository (their bytes are the
# job's progress while it runs, as a backup's are).
tui_keys c
expect_screen "c: a job screen for the copy" "Copy the backups of files-nightly"
expect_screen "that ends done" "done in 0:" 15
expect_screen "and the outcome" "1 of 1 backups of files-nightly copied"
tui_keys Enter
expect_eq "the copy is in the copy repository" "$(find "$T/copyrepo" -type f | wc -l)" 1

# A corrupt object: v says FAILED and the row turns corrupt.
obj=$(find "$T/repo" -type f | head -1)
printf 'X' | dd of="$obj" bs=1 seek=40 conv=notrunc 2>/dev/null
tui_keys v
expect_screen "a damaged object: FAILED" "FAILED in 0:" 15
tui_keys Escape
expect_screen "the row is corrupt" "corrupt" 5
tui_keys q
expect_eq "the console exits cleanly" "$(tui_exit_status)" 0

# A hang-up in the middle of a backup: the console waits for the work to
# leave its row failed, stops the source, and leaves no object behind.
objects=$(find "$T/repo" -type f | wc -l)
tui_start -- --catalog "$CAT"
expect_screen "console again" "SERVICE"
tui_keys / ; tui_text slow; tui_keys Enter
tui_keys B y
expect_screen "slow again: running" "running: back up slow-nightly"
expect_screen "it has read something" "MiB read, " 5
console=$(pgrep -x drconsole -P "$(tui_pid)")
kill -HUP "$console"
for _ in $(seq 50); do kill -0 "$console" 2>/dev/null || break; sleep 0.1; done
expect_eq "the console ended on the hang-up" "$(kill -0 "$console" 2>/dev/null && echo alive || echo gone)" gone
expect_eq "the second slow row failed too, none is left running" \
	"$(sq "select count(*) from backup_management where service_name='slow' and backup_status='running'")" 0
expect_eq "both slow rows failed" \
	"$(sq "select count(*) from backup_management where service_name='slow' and backup_status='failed'")" 2
expect_eq "its source went with it" "$(pgrep -c -f 'sleep 30; echo end' || true)" 0
expect_eq "no object was left for it" "$(find "$T/repo" -type f | wc -l)" "$objects"

# Read-only: both refused, nothing runs.
n=$(sq "select count(*) from backup_management")
tui_start -- --catalog "$CAT" --read-only
expect_screen "read-only console" "READ-ONLY"
tui_keys B
expect_screen "B refused under --read-only" "back up now refused"
tui_keys 2 v
expect_screen "v refused too" "verify backup refused"
tui_keys c
expect_screen "c refused too" "copy backups refused"
tui_keys q
expect_eq "nothing was added" "$(sq "select count(*) from backup_management")" "$n"
