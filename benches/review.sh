#!/usr/bin/env bash
# `coachbook review` over the last year and the last ten years, in every
# format: hyperfine's min/median/max, and the peak memory (max RSS from
# /usr/bin/time -v). Output goes to /dev/null.
# Usage: benches/review.sh BOOK...   (each book is copied first and the copy
# measured: opening an older book migrates it, and the first run of the day
# backs it up; the bench books are in $CARGO_TARGET_DIR/tmp/bench-books after
# `cargo bench --bench tui_keys`, or made by `coachbook demo --years N`).
# The same one-year range on the ten- and hundred-year books shows the cost
# follows the range, not the book. REVIEW_RUNS sets hyperfine's runs.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet --bin coachbook
bin="$target/release/coachbook"
command -v hyperfine > /dev/null || { echo "review.sh: hyperfine is missing (apt-get install hyperfine)"; exit 1; }
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
printf '[coach]\ntime_zone = "Europe/Berlin"\n' > "$dir/config.toml"
export COACHBOOK_CONFIG="$dir/config.toml" COACHBOOK_NOW=2026-11-23T14:20:00+01:00 XDG_DATA_HOME="$dir/data"
for original in "$@"; do
    book="$dir/$(basename "$original")"
    cp "$original" "$book"
    # Migrate and back up once, outside the measurement.
    "$bin" --db "$book" review --date 2026-11-23 > /dev/null
    for range in "2025-11-24 1y" "2016-11-25 10y"; do
        set -- $range
        for format in text json csv md; do
            cmd="$bin --db $book review --from $1 --to 2026-11-23 --format $format"
            hyperfine -N --warmup 2 --runs "${REVIEW_RUNS:-10}" --export-json "$dir/h.json" "$cmd" > /dev/null
            /usr/bin/time -v -o "$dir/t.txt" $cmd > /dev/null
            python3 - "$dir/h.json" "$dir/t.txt" "$(basename "$book") $2 $format" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
rss = [l.split(":")[1].strip() for l in open(sys.argv[2]) if "Maximum resident" in l][0]
ms = lambda s: s * 1000
print(f"{sys.argv[3]:<28} min {ms(r['min']):7.1f} ms  median {ms(r['median']):7.1f} ms  max {ms(r['max']):7.1f} ms  max RSS {int(rss)/1024:6.1f} MB")
PY
        done
    done
    rm -f "$book" "$book-wal" "$book-shm"
done
