#!/usr/bin/env bash
# CPU profile of one bench scenario with Linux perf: the bench process and its private PostgreSQL, sampled together
# over a window inside the timed part, then grouped by area (perf-areas.py). Needs `perf` and root (or a low
# kernel.perf_event_paranoid). Usage: bench/profiling/perf-scenario.sh [hot|spread] [requests] [delay-s] [window-s]
# The delay is how long after the scenario's header line sampling starts: it must cover the scenario's set-up
# (about 3 s for hot; 20-30 s for spread, which creates and activates 1,000 events first).
set -euo pipefail
scenario=${1:-hot}
requests=${2:-40000}
delay=${3:-8}
window=${4:-8}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${PROFILE_OUT:-$(mktemp -d /tmp/enrollment-profile.XXXXXX)}

dotnet build -c Release "$root/bench/Enrollment.Bench" -v q --nologo >/dev/null
# PerfMapEnabled names JIT-compiled frames; without W^X the code is not double-mapped, so perf can use those names.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \
  dotnet run -c Release --no-build --project "$root/bench/Enrollment.Bench" -- --scenarios "$scenario" --requests "$requests" \
  > "$out/bench.txt" 2>&1 &
runner=$!
until grep -q "^$scenario:" "$out/bench.txt" 2>/dev/null; do sleep 0.5; done
sleep "$delay"

bench=$(pgrep -f "$root/bench/Enrollment.Bench/bin/Release/net10.0/Orleans.Enrollment.Bench" | head -1)
datadir=$(head -1 "$out/bench.txt" | grep -o "/tmp/orleans-enrollment-bench/[^ ]*/pg")
postmaster=$(head -1 "$datadir/postmaster.pid")
pids="$bench,$postmaster,$(pgrep -P "$postmaster" | paste -sd,)"
perf record -F 499 -g -p "$pids" -o "$out/perf.data" -- sleep "$window" > "$out/perf.log" 2>&1
wait "$runner" || true

perf script -i "$out/perf.data" 2>/dev/null > "$out/perf.script"
grep -A1 "^Summary" "$out/bench.txt" | tail -1
python3 "$(dirname "$0")/perf-areas.py" "$out/perf.script" "$window"
echo "raw data in $out (perf report -i $out/perf.data)"
