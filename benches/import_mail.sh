#!/usr/bin/env bash
# Mail import speed (issue 14): COUNT messages (default 10,000) of a year of
# realistic mail (`coachbook demo --mbox`: clients and a third unknown
# senders, multipart/alternative, RFC 2047 subjects, auto-replies, the
# coach's own replies) imported into the ten-year book (`coachbook demo
# --years 10`), timed with hyperfine (each run on a fresh copy of the book),
# in rounds alternating with the SQL floor: the rows that import wrote,
# inserted again into the same book in one transaction
# (benches/import_mail_sql.rs says exactly what "the same rows" means). Prints min/median/max, messages per second and the
# ratio of the medians. Target: at least 6,000 messages/s, within 1.5x.
# Usage: benches/import_mail.sh [COUNT] [RUNS]   (builds the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-10000}"
runs="${2:-10}"
if ! command -v hyperfine >/dev/null 2>&1; then
    echo "benches/import_mail.sh needs hyperfine (apt-get install hyperfine)" >&2
    exit 1
fi
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/coachbook"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
printf '[coach]\nname = "Sam Rivera"\ntime_zone = "Europe/Berlin"\naddresses = ["sam@coach.example"]\n' \
    > "$dir/config.toml"
export COACHBOOK_CONFIG="$dir/config.toml" XDG_DATA_HOME="$dir/data" \
    COACHBOOK_NOW="2026-11-23T14:20:00+01:00"
"$bin" demo --years 10 --db "$dir/base.sqlite" > /dev/null
"$bin" demo --mbox "$count" --out "$dir/year.mbox" --db "$dir/base.sqlite"
# One import before the timed runs: it takes today's backup of the book (the
# first change of a day copies it, whatever the change) and gives the rows
# for the floor.
cp "$dir/base.sqlite" "$dir/result.sqlite"
"$bin" import mail "$dir/year.mbox" --db "$dir/result.sqlite"
"$bin" check --db "$dir/result.sqlite" > /dev/null
reset="cp '$dir/base.sqlite' '$dir/book.sqlite' && rm -f '$dir/book.sqlite-wal' '$dir/book.sqlite-shm'"
eval "$reset"
"$bin" import mail "$dir/year.mbox" --db "$dir/book.sqlite" > /dev/null
# The import and the floor in alternating rounds (one import, one floor
# round, RUNS times): the machine is shared and its noise comes in bursts,
# which would move one side of the ratio alone if each ran as one block.
cargo bench --quiet --no-run --bench import_mail_sql 2>/dev/null
: > "$dir/floor.txt"
for round in $(seq 1 "$runs"); do
    hyperfine --style none --runs 1 --prepare "$reset" \
        --export-json "$dir/import-$round.json" \
        "'$bin' import mail '$dir/year.mbox' --db '$dir/book.sqlite'" > /dev/null
    IMPORT_BASE="$dir/base.sqlite" IMPORT_RESULT="$dir/result.sqlite" ROUNDS=1 \
        cargo bench --quiet --bench import_mail_sql >> "$dir/floor.txt"
done
grep -m1 "the same rows" "$dir/floor.txt"
python3 - "$dir" "$runs" "$count" <<'PY'
import json, re, statistics, sys
folder, runs, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
results = [json.load(open(f"{folder}/import-{n}.json"))["results"][0] for n in range(1, runs + 1)]
times = sorted(t for r in results for t in r["times"])
cpu = statistics.mean(r["user"] + r["system"] for r in results)
floors = sorted(float(m) / 1000 for m in re.findall(r"median ([0-9.]+) ms", open(f"{folder}/floor.txt").read()))
median, floor = statistics.median(times), statistics.median(floors)
print(f"SQL floor, one transaction ({len(floors)} rounds): min {floors[0]*1000:.1f} ms, median {floor*1000:.1f} ms, max {floors[-1]*1000:.1f} ms")
print(f"import mail, {count} messages ({runs} runs, alternating with the floor): min {times[0]*1000:.0f} ms, median {median*1000:.0f} ms, "
      f"max {times[-1]*1000:.0f} ms wall; CPU (user+sys) mean {cpu*1000:.0f} ms")
print(f"  {count/median:,.0f} messages/s (median wall), {count/cpu:,.0f} messages/s of CPU")
print(f"  ratio to the SQL floor (medians): {median/floor:.2f}x")
PY
