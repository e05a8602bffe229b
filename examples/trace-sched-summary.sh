#!/bin/sh
# Capture SECONDS of scheduler events with xentrace, then summarise them: how long each domain
# ran (xenalyze's runstate accounting) and how often each scheduler event happened
# (xentrace_format with xenlab's formats file).
#
#   examples/trace-sched-summary.sh [SECONDS] [TRACE-FILE]
#
# Works on a real Xen host as on xenlab. Under xenlab's virtual clock it advances the clock
# itself until xentrace has seen SECONDS of simulated time.
set -eu

secs=${1:-10}
out=${2:-sched.trace}
here=$(cd "$(dirname "$0")/.." && pwd)
formats=${XENTRACE_FORMATS:-$here/share/xentrace/formats}

# Scheduler class only, starting from empty buffers.
xentrace -D -e sched -T "$secs" "$out" &
pid=$!
if command -v xenlabd >/dev/null 2>&1 && [ "$(xenlabd clock | cut -d' ' -f1)" = virtual ]; then
  # Nothing happens until simulated time moves; xentrace's -T counts simulated seconds.
  while kill -0 "$pid" 2>/dev/null; do xenlabd clock advance 100ms >/dev/null || { kill "$pid" 2>/dev/null; exit 1; }; done
fi
wait "$pid"

# The TSC runs at the host's clock rate; tell xenalyze so that its seconds are right.
mhz=$(xl info | awk -F: '/^cpu_mhz/ { gsub(/ /, "", $2); print $2 }')

echo "== running time per domain over ${secs}s (xenalyze)"
xenalyze --summary --cpu-hz="${mhz}M" "$out" 2>/dev/null | awk '
  /^\|-- Domain [0-9]+ --\|/ { dom = $3; invcpu = 0; next }
  /^-- v[0-9]+ --/          { invcpu = 1; next }
  invcpu && $1 == "running:" { sub(/s$/, "", $3); run[dom] += $3 }
  END {
    for (d in run) {
      name = (d == 32767) ? "(idle)" : "d" d
      printf "%-8s %8.2f s\n", name, run[d]
    }
  }' | sort -k1,1V

echo "== scheduler events (xentrace_format)"
xentrace_format "$formats" < "$out" |
  sed -E 's/^CPU[0-9]+ +[0-9.]+ \(\+ *[0-9]+\) +([^ ]+).*/\1/' |
  sort | uniq -c | sort -rn | head -15
