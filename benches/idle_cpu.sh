#!/usr/bin/env bash
# Idle CPU of the dashboard: run it in a detached tmux at 120x40 on a demo
# book for SECONDS (default 60) without touching it, and read the process's
# utime+stime from /proc/PID/stat before and after.
# Usage: benches/idle_cpu.sh [SECONDS]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
cargo build --release --quiet
dir="$(mktemp -d)"
trap 'tmux kill-session -t coachbook-idle 2>/dev/null || true; rm -rf "$dir"' EXIT
printf '[coach]\ntime_zone = "Europe/Berlin"\n' > "$dir/config.toml"
export COACHBOOK_CONFIG="$dir/config.toml"
./target/release/coachbook demo --db "$dir/book.sqlite" > /dev/null
tmux new-session -d -s coachbook-idle -x 120 -y 40 \
    "COACHBOOK_CONFIG=$dir/config.toml exec ./target/release/coachbook --db $dir/book.sqlite"
sleep 2
pid="$(tmux display -p -t coachbook-idle '#{pane_pid}')"
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz="$(getconf CLK_TCK)"
before="$(ticks)"
sleep "$seconds"
after="$(ticks)"
used=$((after - before))
echo "idle for ${seconds}s: ${used} ticks of CPU (${hz} ticks/s) = $(awk -v u="$used" -v h="$hz" -v s="$seconds" 'BEGIN { printf "%.3f%%", 100 * u / h / s }') of one core"
