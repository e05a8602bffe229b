#!/bin/sh
# Follow one domain in a live trace: print, as they happen, the scheduler events of DOMAIN's
# vCPUs (wakes, blocks, context switches, runstate changes) as text.
#
#   examples/trace-follow-domain.sh DOMAIN [SECONDS]
#
# xentrace cannot filter by domain (Xen's buffers filter by event class and CPU only), so the
# records are selected afterwards: xentrace writes to a pipe, xentrace_format turns each record
# into a line, and awk keeps those whose dom:vcpu field names the domain.
set -eu

dom=${1:?usage: $0 DOMAIN [SECONDS]}
secs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
formats=${XENTRACE_FORMATS:-$here/share/xentrace/formats}
domid=$(xl domid "$dom")
hex=$(printf '%04x' "$domid")

# The dom:vcpu word of runstate records is 0xDDDDVVVV; switch records give the domid alone.
xentrace -e sched -T "$secs" /dev/stdout | xentrace_format "$formats" |
  awk -v w="0x$hex" -v d="$(printf '0x%08x' "$domid")" '
    index($0, "dom:vcpu = " w) ||
    index($0, "dom = " d) || index($0, "domid = " d) ||
    index($0, "<dom:vcpu> = " w) { print; fflush() }' &
pipeline=$!

if command -v xenlabd >/dev/null 2>&1 && [ "$(xenlabd clock | cut -d' ' -f1)" = virtual ]; then
  while kill -0 "$pipeline" 2>/dev/null; do xenlabd clock advance 100ms >/dev/null || { kill "$pipeline" 2>/dev/null; exit 1; }; done
fi
wait "$pipeline"
