#!/usr/bin/env bash
# The dashboard's figures as whole processes: `coachbook today --json`
# against `sqlite3` answering the three pane queries (today's sessions with
# client names; waiting requests in reply-by order; due follow-ups) on the
# same file, on the ten-year book, the hundred-year book and the messy book
# (the ten-year book after `import mail` of a year of mail: 10,000
# messages, a third from unknown senders; old mail is history, 389 wait)
# and the flood book (the same mail imported with `--since` a year back:
# about 9,500 wait). hyperfine runs each pair in one
# go, in rounds (below); the table gives min / median / max and the
# ratios of medians.
#
#   benches/whole_process.sh            the four books (the hundred-year one
#                                        takes minutes to build)
#   benches/whole_process.sh --quick    the ten-year book and a messy book
#                                        from 2,000 messages, fewer runs
#   BOOKS=/some/dir benches/whole_process.sh   keep the books there (reused)
#
# Needs hyperfine and sqlite3 (installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1

for tool in hyperfine sqlite3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "== installing $tool"
        (apt-get update -qq && apt-get install -y -qq "$tool") >/dev/null 2>&1 || true
        command -v "$tool" >/dev/null 2>&1 || { echo "whole_process.sh: $tool is missing" >&2; exit 1; }
    fi
done

cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/coachbook"
books="${BOOKS:-$(mktemp -d)}"
mkdir -p "$books"
export COACHBOOK_NOW="2026-11-23T14:20:00+01:00"
export COACHBOOK_CONFIG="$books/config.toml"
cat >"$COACHBOOK_CONFIG" <<'EOF'
[coach]
name = "Sam Coach"
time_zone = "Europe/Berlin"
addresses = ["sam@coach.example"]
EOF

# The three pane queries, as the dashboard asks them (Europe/Berlin day of
# 2026-11-23, now 13:20 UTC).
cat >"$books/panes.sql" <<'EOF'
SELECT s.id, c.name, s.start_at, s.minutes, s.status FROM sessions s JOIN clients c ON c.id = s.client_id WHERE s.start_at >= '2026-11-22T23:00:00Z' AND s.start_at < '2026-11-23T23:00:00Z' ORDER BY s.start_at, s.id;
SELECT r.id, coalesce(c.name, r.unknown_sender), r.received_at, r.urgency, r.status, r.reply_by FROM requests r LEFT JOIN clients c ON c.id = r.client_id WHERE r.status IN ('open', 'snoozed', 'waiting') AND (r.status = 'open' OR (r.status = 'snoozed' AND (r.snoozed_until <= '2026-11-23T13:20:00Z' OR r.reply_by <= '2026-11-23T13:20:00Z'))) ORDER BY r.reply_by, r.id;
SELECT f.id, c.name, f.due_at, f.text, f.owner, f.kind FROM followups f JOIN clients c ON c.id = f.client_id WHERE f.done_at IS NULL AND f.due_at < '2026-11-23T23:00:00Z' AND c.status != 'ended' ORDER BY f.due_at, f.id;
EOF

build() { # NAME YEARS
    if [ ! -s "$books/$1.sqlite" ]; then
        echo "== building the $2-year book"
        /usr/bin/time -f "   built in %e s (%U s user)" "$bin" demo --years "$2" --db "$books/$1.sqlite"
    fi
}
build ten 10
messages=10000
[ $quick = 1 ] && messages=2000
if [ ! -s "$books/messy.sqlite" ]; then
    echo "== the messy book: ten-year book + a year of mail ($messages messages)"
    "$bin" demo --mbox "$messages" --out "$books/year.mbox" --db "$books/ten.sqlite" --force
    cp "$books/ten.sqlite" "$books/messy.sqlite"
    /usr/bin/time -f "   imported in %e s" "$bin" import mail "$books/year.mbox" --db "$books/messy.sqlite" >/dev/null
fi
names="ten messy"
if [ $quick = 0 ]; then
    build hundred 100
    # The flood: the same year of mail imported as if all of it were recent
    # (`--since` a year back), so about 9,500 requests wait on the dashboard
    # (the messy book of issue 14 before old mail became history).
    if [ ! -s "$books/flood.sqlite" ]; then
        echo "== the flood book: ten-year book + the same mail, all of it waiting"
        cp "$books/ten.sqlite" "$books/flood.sqlite"
        "$bin" import mail "$books/year.mbox" --since 2025-11-01 --db "$books/flood.sqlite" >/dev/null
    fi
    names="ten hundred messy flood"
fi
# The first `today` of a book makes what is due (a write); the runs measure
# the read that follows, as on every later launch.
for name in $names; do "$bin" today --json --db "$books/$name.sqlite" >/dev/null 2>&1; done

runs=40
[ $quick = 1 ] && runs=15
# ROUNDS hyperfine runs of every command, RUNS/ROUNDS each (default 5 of
# 40 runs: 8 per command per round): the machine is shared and its noise
# comes in bursts, and a burst inside one command's consecutive runs would
# move that command's median alone. Rounds spread each command's runs over
# the whole measurement, so both sides of a ratio see the same machine; the
# medians are taken over every run of every round.
rounds="${ROUNDS:-5}"
per_round=$(( (runs + rounds - 1) / rounds ))
commands=()
for name in $names; do
    db="$books/$name.sqlite"
    commands+=("$bin today --json --db $db" "sqlite3 -json $db '.read $books/panes.sql'")
done
for round in $(seq 1 "$rounds"); do
    hyperfine -N --warmup 3 --runs "$per_round" --export-json "$books/results-$round.json" "${commands[@]}" >/dev/null
done
python3 - "$books" "$rounds" $names <<'EOF'
import json, statistics, sys
books, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
times = {}
for round in range(1, rounds + 1):
    results = json.load(open(f"{books}/results-{round}.json"))["results"]
    for i, r in enumerate(results):
        times.setdefault(i, []).extend(r["times"])
ms = lambda s: f"{s * 1000:.1f}"
print(f"{'what (ms)':<30} {'min':>8} {'median':>8} {'max':>8}   ({rounds} rounds, {len(times[0])} runs each)")
med = {}
for i, name in enumerate(names):
    for j, what in enumerate(["today --json", "sqlite3 panes"]):
        t = times[2 * i + j]
        med[(name, j)] = statistics.median(t)
        print(f"{what + ', ' + name:<30} {ms(min(t)):>8} {ms(med[(name, j)]):>8} {ms(max(t)):>8}")
print()
for name in names:
    print(f"today --json / sqlite3 panes, {name} book: {med[(name, 0)] / med[(name, 1)]:.2f}x")
if "hundred" in names:
    print(f"today --json, hundred-year / ten-year book: {med[('hundred', 0)] / med[('ten', 0)]:.2f}x")
EOF
echo "(books in $books)"
