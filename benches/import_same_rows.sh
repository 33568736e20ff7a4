#!/usr/bin/env bash
# Same rows, byte for byte: imports the same mail with two coachbook binaries
# (say, the one before a speed-up and the one after) and compares what they
# wrote. A ten-year book (`demo --years 10`) gets a year of mail
# (`demo --mbox COUNT`) imported twice (the second run is all duplicates);
# a demo book gets every mail fixture of tests/fixtures (and, when
# COACHBOOK_REAL_FIXTURES names the real-world fixtures folder, its eml and
# mbox files) imported one by one. Compared: the full `sqlite3 .dump` of
# both books (ids, change log and undo log included) and every summary the
# imports printed. Exit 0 when all is identical.
# Usage: benches/import_same_rows.sh BIN_BEFORE BIN_AFTER [COUNT]
set -uo pipefail
cd "$(dirname "$0")/.."
before="$(realpath "$1")"; after="$(realpath "$2")"; count="${3:-10000}"
command -v sqlite3 >/dev/null || { echo "import_same_rows.sh needs sqlite3" >&2; exit 1; }
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
printf '[coach]\nname = "Sam Rivera"\ntime_zone = "Europe/Berlin"\naddresses = ["sam@coach.example"]\n' \
    > "$dir/config.toml"
export COACHBOOK_CONFIG="$dir/config.toml" COACHBOOK_NOW="2026-11-23T14:20:00+01:00"
XDG_DATA_HOME="$dir/data" "$before" demo --years 10 --db "$dir/base.sqlite" > /dev/null
XDG_DATA_HOME="$dir/data" "$before" demo --mbox "$count" --out "$dir/year.mbox" --db "$dir/base.sqlite" > /dev/null
fixtures=(tests/fixtures/mail/* tests/fixtures/mail_quirks/* tests/fixtures/import/*.eml
    tests/fixtures/import/*.mbox tests/fixtures/import/inbox)
if [ -n "${COACHBOOK_REAL_FIXTURES:-}" ]; then
    fixtures+=("$COACHBOOK_REAL_FIXTURES"/eml/*.eml "$COACHBOOK_REAL_FIXTURES"/mbox/*.mbox)
fi
run() { # NAME BIN
    local d="$dir/$1"; mkdir -p "$d"; export XDG_DATA_HOME="$d/data"
    cp "$dir/base.sqlite" "$d/ten.sqlite"
    for round in 1 2; do
        "$2" import mail "$dir/year.mbox" --db "$d/ten.sqlite" --json >> "$d/out" 2>&1
        echo "rc $?" >> "$d/out"
    done
    "$2" demo --db "$d/demo.sqlite" > /dev/null 2>&1
    for f in "${fixtures[@]}"; do
        echo "== $f" >> "$d/out"
        "$2" import mail "$f" --db "$d/demo.sqlite" --json >> "$d/out" 2>&1
        echo "rc $?" >> "$d/out"
    done
    sqlite3 "$d/ten.sqlite" .dump > "$d/ten.dump"
    sqlite3 "$d/demo.sqlite" .dump > "$d/demo.dump"
}
run before "$before"; run after "$after"
same=0
for f in out ten.dump demo.dump; do
    if cmp -s "$dir/before/$f" "$dir/after/$f"; then
        echo "same: $f ($(wc -c < "$dir/before/$f") bytes)"
    else
        echo "DIFFERENT: $f"; diff "$dir/before/$f" "$dir/after/$f" | head -20; same=1
    fi
done
[ "$same" = 0 ] && echo "all identical"
exit "$same"
