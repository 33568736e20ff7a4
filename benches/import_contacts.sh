#!/usr/bin/env bash
# Importing a big address book: COUNT (default 10,000) vCards into a fresh
# book, then the same file again (every card a duplicate), with the release
# binary; prints the wall time of each. Target: under 2 s for 10,000.
# Usage: benches/import_contacts.sh [COUNT]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-10000}"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/coachbook"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
printf '[coach]\ntime_zone = "Europe/Berlin"\n' > "$dir/config.toml"
export COACHBOOK_CONFIG="$dir/config.toml" XDG_DATA_HOME="$dir/data"
awk -v n="$count" 'BEGIN { for (i = 0; i < n; i++)
    printf "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Client %d\r\nEMAIL:client%d@example.org\r\nTEL:+49 30 %d\r\nEND:VCARD\r\n", i, i, i }' \
    > "$dir/contacts.vcf"
"$bin" client add "Amara Okafor" --db "$dir/book.sqlite" > /dev/null
# Wall time, and CPU time (user + sys), which a busy machine does not inflate.
TIMEFORMAT="%R s wall, %U s user + %S s sys"
for round in new again; do
    echo "import contacts, $count cards ($round):"
    time "$bin" import contacts "$dir/contacts.vcf" --db "$dir/book.sqlite" > "$dir/out.txt"
    head -1 "$dir/out.txt"
done
