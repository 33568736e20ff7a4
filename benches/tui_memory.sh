#!/usr/bin/env bash
# Peak memory (max RSS, from /usr/bin/time -v) of the dashboard driven in a
# detached tmux at 120x40: open the book, wait for the first frame, walk the
# panes (Tab, j x30, G, g, Enter on a request and back), quit. The first
# launch of the day (the daily backup runs) unless TUI_MEMORY_BACKED_UP=1.
# Usage: benches/tui_memory.sh BOOK...   (each BOOK is copied first, so the
# book itself is never touched; the bench books are in
# $CARGO_TARGET_DIR/tmp/bench-books after `cargo bench --bench tui_keys`).
# TUI_MEMORY_BIN=PATH runs that binary instead of building this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
# TUI_MEMORY_BIN=PATH measures another build (a before and after).
if [ -n "${TUI_MEMORY_BIN:-}" ]; then
    bin="$TUI_MEMORY_BIN"
else
    cargo build --release --quiet --bin coachbook
    bin="$target/release/coachbook"
fi
[ -x /usr/bin/time ] || { echo "tui_memory: /usr/bin/time is missing (apt-get install time)"; exit 1; }
command -v tmux > /dev/null || { echo "tui_memory: tmux is missing"; exit 1; }
dir="$(mktemp -d)"
session="coachbook-mem-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$dir"' EXIT
printf '[coach]\ntime_zone = "Europe/Berlin"\n' > "$dir/config.toml"
wait_for() { # text, seconds
    for _ in $(seq 1 $(( $2 * 20 ))); do
        tmux capture-pane -p -t "$session" 2>/dev/null | grep -q "$1" && return 0
        sleep 0.05
    done
    echo "tui_memory: no '$1' on screen"; tmux capture-pane -p -t "$session" || true; return 1
}
for book in "$@"; do
    mkdir -p "$dir/book"
    cp "$book" "$dir/book/book.sqlite"
    # TUI_MEMORY_BACKED_UP=1: today's backup is there already (a later
    # launch of the day); otherwise the daily backup runs during the walk.
    if [ "${TUI_MEMORY_BACKED_UP:-0}" = 1 ]; then
        mkdir -p "$dir/book/backups"
        cp "$book" "$dir/book/backups/book-2026-11-23.sqlite"
    fi
    rm -f "$dir/time.txt"
    tmux new-session -d -s "$session" -x 120 -y 40 \
        "COACHBOOK_NOW=2026-11-23T14:20:00+01:00 COACHBOOK_CONFIG=$dir/config.toml XDG_DATA_HOME=$dir/data \
         /usr/bin/time -v -o $dir/time.txt $bin --db $dir/book/book.sqlite; sleep 30"
    wait_for "Open requests ·" 60
    tmux send-keys -t "$session" Tab
    for _ in $(seq 1 30); do tmux send-keys -t "$session" j; done
    tmux send-keys -t "$session" G g Enter
    sleep 0.5
    tmux send-keys -t "$session" Escape
    sleep 0.5
    tmux send-keys -t "$session" q
    for _ in $(seq 1 1200); do [ -s "$dir/time.txt" ] && grep -q "Exit status" "$dir/time.txt" && break; sleep 0.05; done
    tmux kill-session -t "$session" 2>/dev/null || true
    rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$dir/time.txt")"
    printf '%-60s max RSS %6.1f MB\n' "$book" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
    rm -rf "$dir/book" "$dir/data"
done
