# Shared by the backup tests (tests/integration/backup_*.sh): a catalog, a
# service, a config with file repositories, and helpers.  Source after
# tests/lib.sh.
db=$(cat_url catalog)
cfg=$T/config.json
repo=$T/repo
copyrepo=$T/copyrepo
key=$T/backup.key
head -c 32 /dev/urandom >"$key"
chmod 600 "$key"
"$DR" --catalog "$db" init >/dev/null
"$DR" --catalog "$db" service add orders --tier standard >/dev/null
"$DR" --catalog "$db" service add app --tier critical >/dev/null

# dr ARGS...: drconsole on this test's catalog and config.
dr() { "$DR" --catalog "$db" --config "$cfg" "$@"; }

# sql QUERY: on the catalog.
sql() { catq "$db" "$1"; }

# write_config EXTRA_TARGETS_JSON: repositories local and copy, plus the
# given targets (a JSON object body).
write_config() {
	cat >"$cfg" <<JSON
{
  "repositories": {
    "local": { "url": "file://$repo" },
    "copy": { "url": "file://$copyrepo" }${EXTRA_REPOS:-}
  },
  "backups": { $1 }
}
JSON
}

# object_of ID: the object's path in the local repository.
object_of() {
	local name
	name=$(sql "select $(cat_json metadata object) from backup_management where backup_id='$1'")
	echo "$repo/$name"
}

# last_id: the newest backup's id.
last_id() { sql "select backup_id from backup_management order by created_at desc, rowid desc limit 1"; }

status_of() { sql "select backup_status from backup_management where backup_id='$1'"; }
