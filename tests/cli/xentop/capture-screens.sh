#!/bin/bash
# Captures the real xentop 4.17 interactive screen (realxentop under tmux) after each key, for
# screen.test.ts. Run by hand: capture-screens.sh COLS ROWS KEY... > fixtures/screen-NAME.txt
# (keys as tmux send-keys names them: S, Down, BSpace, ...)
cols=$1 rows=$2; shift 2
S=xtcap$$
clock=/tmp/xentop-clock$$
echo "$(( 2000 - $(date +%s) ))" > $clock
tmux new-session -d -s $S -x $cols -y $rows "env XENTOP_SHIM_DATA=/work/main/tests/cli/xentop/fixtures/screen.data XENTOP_SHIM_CLOCK=$clock TZ=UTC /work/shared/tools/realxentop/realxentop"
sleep 1.2
echo "=== start"; tmux capture-pane -p -t $S
for k in "$@"; do tmux send-keys -t $S $k; sleep 0.8; echo "=== $k"; tmux capture-pane -p -t $S; done
tmux kill-session -t $S; rm -f $clock
