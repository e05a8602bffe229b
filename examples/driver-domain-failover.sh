#!/bin/sh
# Fail a driver domain's devices over to a standby driver domain.
#
#   examples/driver-domain-failover.sh PRIMARY STANDBY [POLL_SECONDS]
#
# Watches PRIMARY (a driver_domain=1 guest serving other guests' vifs and vbds) every
# POLL_SECONDS (default 1). While it runs, it notes which devices it serves; their keys are
# read back from the copy libxl keeps under /libxl/<domid>/device. When PRIMARY is gone or
# crashed (a crashed one kept by on_crash=preserve is destroyed: its backends are dead), or a
# frontend it served has closed, the frontends are waited for to see their backends go
# (Closing or Closed, 5 or 6), and each device is unplugged (xl network-detach / block-detach: with the backend gone, libxl only cleans up the
# frontend) and plugged again with backend=STANDBY; the frontends reconnect to STANDBY's
# netback and blkback. It prints the guests' outage: from the last poll that found them
# connected to the moment all were connected again.
#
# Time is the host's: on a xenlab host with the virtual clock, the script moves the clock on by
# POLL_SECONDS between polls (nothing else would), and reads it with `xenlabd clock`.
set -eu

primary=${1:?usage: $0 PRIMARY STANDBY [POLL_SECONDS]}
standby=${2:?usage: $0 PRIMARY STANDBY [POLL_SECONDS]}
poll=${3:-1}

virtual() { command -v xenlabd >/dev/null 2>&1 && [ "$(xenlabd clock | cut -d' ' -f1)" = virtual ]; }
if virtual; then
  now() { xenlabd clock | awk '{ print $NF }'; }
  pause() { xenlabd clock advance "${poll}s" >/dev/null; }
else
  now() { date +%s.%N; }
  pause() { sleep "$poll"; }
fi

pd=$(xl domid "$primary")
xl domid "$standby" >/dev/null
devices=$(mktemp)
trap 'rm -f "$devices"' EXIT

# One line per device PRIMARY serves: KIND DOMID DEVID.
inventory() {
  for kind in vif vbd; do
    for domid in $(xenstore-list "/local/domain/$pd/backend/$kind" 2>/dev/null); do
      for devid in $(xenstore-list "/local/domain/$pd/backend/$kind/$domid" 2>/dev/null); do
        echo "$kind $domid $devid"
      done
    done
  done
}

# Whether PRIMARY still runs (not crashed, not gone) and every frontend it serves is up.
healthy() {
  state=$(xl list "$primary" 2>/dev/null | awk 'NR == 2 { print $5 }') || return 1
  case $state in ''|*c*|*s*|*d*) return 1 ;; esac
  while read -r kind domid devid; do
    case $(xenstore-read "/local/domain/$domid/device/$kind/$devid/state" 2>/dev/null) in 5|6) return 1 ;; esac
  done < "$devices"
}

inventory > "$devices"
healthy || { echo "failover: $primary is not serving its devices now" >&2; exit 1; }
ok_at=$(now)
echo "failover: watching $primary (domid $pd) serving $(wc -l < "$devices") device(s), standby $standby, every ${poll}s"
while :; do
  pause
  healthy || break
  ok_at=$(now)
  # Devices plugged since the last poll, while PRIMARY is still there to ask.
  # (An empty answer is the primary dying under the look: the last list stands.)
  fresh=$(inventory)
  if [ -n "$fresh" ]; then echo "$fresh" > "$devices"; fi
done
lost_at=$(now)
echo "failover: $primary lost at ${lost_at}s; moving $(wc -l < "$devices") device(s) to $standby"
case $(xl list "$primary" 2>/dev/null | awk 'NR == 2 { print $5 }') in *c*) xl destroy "$primary" ;; esac

# The frontends let go of their rings once their backends are gone.
while read -r kind domid devid; do
  while :; do
    state=$(xenstore-read "/local/domain/$domid/device/$kind/$devid/state" 2>/dev/null) || state=gone
    case $state in 5|6|gone) break ;; esac
    pause
  done
  echo "failover: $kind $devid of domain $domid: frontend state $state"
done < "$devices"

# Unplug and plug again from libxl's copy of the backend keys, then wait for each to connect.
moved=$(mktemp)
trap 'rm -f "$devices" "$moved"' EXIT
while read -r kind domid devid; do
  lx=/libxl/$domid/device/$kind/$devid
  if [ "$kind" = vif ]; then
    mac=$(xenstore-read "$lx/mac")
    bridge=$(xenstore-read "$lx/bridge")
    xl network-detach "$domid" "$devid"
    xl network-attach "$domid" "mac=$mac" "bridge=$bridge" "backend=$standby"
    # The nic keeps its MAC: find its new devid by it.
    new=$(xl network-list "$domid" | awk -v mac="$mac" '$3 == mac { print $1 }')
  else
    vdev=$(xenstore-read "$lx/dev")
    mode=$(xenstore-read "$lx/mode")
    target=$(xenstore-read "$lx/params")
    [ "$mode" = w ] && access=rw || access=ro
    xl block-detach "$domid" "$vdev"
    xl block-attach "$domid" "format=raw, vdev=$vdev, access=$access, backend=$standby, target=$target"
    new=$devid
  fi
  echo "$kind $domid $new" >> "$moved"
  echo "failover: $kind $devid of domain $domid now served by $standby"
done < "$devices"

while :; do
  waiting=0
  while read -r kind domid devid; do
    [ "$(xenstore-read "/local/domain/$domid/device/$kind/$devid/state" 2>/dev/null)" = 4 ] || waiting=1
  done < "$moved"
  [ "$waiting" = 0 ] && break
  pause
done
up_at=$(now)
awk -v ok="$ok_at" -v lost="$lost_at" -v up="$up_at" 'BEGIN {
  printf "failover: outage %.3f s (connected at %.3f, lost by %.3f, back at %.3f)\n", up - ok, ok, lost, up }'
