# Directory sources: drconsole writes the tree as a tar stream itself;
# GNU tar lists it without a word and `tar -x` brings back the same tree,
# with its modes and symlinks.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"

tree=$T/tree
long=$(printf 'long-directory-name-%.0s' 1 2 3 4 5 6)
mkdir -p "$tree/etc/app" "$tree/var/lib/data/nested" "$tree/$long/inner" "$tree/var/cache/empty-dir"
echo "listen 8080" >"$tree/etc/app/app.conf"
echo "secret" >"$tree/etc/app/secret.key"
printf '#!/bin/sh\necho hi\n' >"$tree/etc/app/run.sh"
echo "group readable" >"$tree/var/lib/data/shared.txt"
: >"$tree/var/lib/data/empty"
head -c 5242880 /dev/urandom >"$tree/var/lib/data/nested/big.bin"
echo "far down" >"$tree/$long/inner/file-with-a-name-that-makes-the-path-long.txt"
ln -s ../etc/app/app.conf "$tree/var/current.conf"
chmod 600 "$tree/etc/app/secret.key"
chmod 755 "$tree/etc/app/run.sh"
chmod 640 "$tree/var/lib/data/shared.txt"
chmod 750 "$tree/var/lib"
touch -d '2021-03-04 05:06:07' "$tree/etc/app/app.conf"
mkfifo "$tree/var/pipe"
path_len=$(printf '%s' "./$long/inner/file-with-a-name-that-makes-the-path-long.txt" | wc -c)
[ "$path_len" -gt 100 ] && pass "one path is over 100 bytes ($path_len)" || fail "one path is over 100 bytes" "$path_len"

write_config '
  "tree": { "service": "app", "repository": "local", "key_file": "'"$key"'",
            "source": { "kind": "directory", "path": "'"$tree"'" } },
  "plain": { "service": "app", "repository": "local",
             "source": { "kind": "directory", "path": "'"$tree"'/" } }'

expect_rc "config check accepts the directory source" 0 dr config check

# ---- backup, verify, restore through tar -x ----
expect_rc "backup run of a directory succeeds" 0 dr backup run tree
expect_in "and notes the fifo it skipped" "$OUT" "note: ./var/pipe is a fifo, not archived"
id=$(last_id)
expect_eq "the row is completed" "$(status_of "$id")" completed
expect_in "the note is in the metadata" \
	"$(sql "select json_extract(metadata,'\$.note') from backup_management where backup_id='$id'")" "./var/pipe"
expect_rc "backup verify" 0 dr backup verify "$id"
# The same tree, the same archive (compared once restored, below).
expect_rc "an unencrypted backup of the same tree (path with a trailing /)" 0 dr backup run plain
plain_id=$(last_id)
mkdir "$T/out"
expect_rc "restore --to-command 'tar -x -C OUT'" 0 dr restore "$id" --to-command "tar -x -C $T/out"
rm -f "$tree/var/pipe"
if diff -r --no-dereference "$tree" "$T/out" >"$T/diff" 2>&1; then pass "diff -r: the restored tree equals the source"; else fail "diff -r: the restored tree equals the source" "$(head -20 "$T/diff")"; fi
modes() { (cd "$1" && find . -path ./var/pipe -prune -o -print | LC_ALL=C sort | while read -r f; do stat -c '%n %a %F' "$f"; done); }
expect_eq "modes and file types survive (stat -c %a)" "$(modes "$T/out")" "$(modes "$tree")"
expect_eq "0600 stays 0600" "$(stat -c %a "$T/out/etc/app/secret.key")" 600
expect_eq "0755 stays 0755" "$(stat -c %a "$T/out/etc/app/run.sh")" 755
expect_eq "0640 stays 0640" "$(stat -c %a "$T/out/var/lib/data/shared.txt")" 640
expect_eq "the symlink's target survives" "$(readlink "$T/out/var/current.conf")" "../etc/app/app.conf"
expect_eq "the mtime survives" "$(stat -c %Y "$T/out/etc/app/app.conf")" "$(stat -c %Y "$tree/etc/app/app.conf")"
expect_eq "the empty file is empty" "$(stat -c %s "$T/out/var/lib/data/empty")" 0
expect_eq "the empty directory comes back, empty" "$(ls -A "$T/out/var/cache/empty-dir" 2>&1 | wc -l)" 0
[ -d "$T/out/var/cache/empty-dir" ] && pass "the empty directory is a directory" || fail "the empty directory is a directory"
expect_eq "the 5 MiB file is whole" "$(sha256sum <"$T/out/var/lib/data/nested/big.bin")" "$(sha256sum <"$tree/var/lib/data/nested/big.bin")"

# ---- restore to a file: GNU tar reads it without a warning ----
expect_rc "restore --to FILE writes the tar" 0 dr restore "$id" --to "$T/tree.tar"
tar -tvf "$T/tree.tar" >"$T/list" 2>"$T/list.err"
expect_eq "tar -tvf succeeds" "$?" 0
expect_eq "and says nothing on stderr" "$(cat "$T/list.err")" ""
expect_in "it lists the long path in full" "$(cat "$T/list")" "./$long/inner/file-with-a-name-that-makes-the-path-long.txt"
expect_in "it lists the symlink" "$(cat "$T/list")" "./var/current.conf -> ../etc/app/app.conf"
expect_in "with the numeric owner" "$(cat "$T/list")" "$(id -u)/$(id -g)"
expect_eq "entries come in sorted order, a directory before its contents" \
	"$(tar -tf "$T/tree.tar" | head -4 | tr '\n' ' ')" "./ ./etc/ ./etc/app/ ./etc/app/app.conf "
expect_eq "the archive is whole 10 KiB records" "$(($(stat -c %s "$T/tree.tar") % 10240))" 0
expect_eq "the unencrypted backup, gunzipped, is the same tar byte for byte" \
	"$(gunzip -c <"$(object_of "$plain_id")" | sha256sum)" "$(sha256sum <"$T/tree.tar")"
mkdir "$T/out2"
tar -xf "$T/tree.tar" -C "$T/out2"
if diff -r --no-dereference "$tree" "$T/out2" >/dev/null 2>&1; then pass "tar -xf of the file gives the same tree"; else fail "tar -xf of the file gives the same tree"; fi

# ---- many notes: the line is cut, the metadata keeps them ----
mkdir -p "$T/tree3"
for i in $(seq -w 1 25); do mkfifo "$T/tree3/fifo-$i"; done
echo kept >"$T/tree3/file"
write_config '
  "fifos": { "service": "app", "repository": "local",
             "source": { "kind": "directory", "path": "'"$T"'/tree3" } }'
expect_rc "a tree of 25 fifos and a file backs up" 0 dr backup run fifos
expect_in "the note line is cut and says where the rest is" "$OUT" "... (all in the backup's metadata)"
fid=$(last_id)
meta_note=$(sql "select json_extract(metadata,'\$.note') from backup_management where backup_id='$fid'")
expect_in "the metadata names the 20 first" "$meta_note" "./fifo-20 is a fifo, not archived; and 5 more"

# ---- refusals ----
write_config '
  "gone": { "service": "app", "repository": "local",
            "source": { "kind": "directory", "path": "'"$T"'/no-such-dir" } },
  "file": { "service": "app", "repository": "local",
            "source": { "kind": "directory", "path": "'"$tree"'/etc/app/app.conf" } }'
expect_rc "config check fails on a missing directory" 1 dr config check
expect_in "naming the target and the path" "$ERR" "backup target \"gone\": directory source: $T/no-such-dir: No such file or directory"
expect_in "and one that is not a directory" "$ERR" "backup target \"file\": directory source: $tree/etc/app/app.conf is not a directory"
expect_rc "other commands still load the config (a restore needs no source tree)" 0 dr backup list
expect_rc "backup run of a missing directory fails" 1 dr backup run gone
expect_in "saying why" "$ERR" "No such file or directory"
write_config '
  "bad": { "service": "app", "repository": "local",
           "source": { "kind": "directory", "argv": ["tar", "-c", "."] } }'
expect_rc "a directory source takes only a path" 2 dr config check
expect_in "and says so" "$ERR" "a directory source needs a \"path\""

unreadable_dir=$T/tree2/locked
mkdir -p "$unreadable_dir"
echo x >"$unreadable_dir/f"
chmod 000 "$unreadable_dir"
if [ "$(id -u)" -ne 0 ]; then
	write_config '
  "locked": { "service": "app", "repository": "local",
              "source": { "kind": "directory", "path": "'"$T"'/tree2" } }'
	expect_rc "a directory it cannot read fails the backup" 1 dr backup run locked
	expect_in "naming it" "$ERR" "cannot read $unreadable_dir"
else
	skip "a directory it cannot read fails the backup" "root reads everything"
fi
chmod 755 "$unreadable_dir"
