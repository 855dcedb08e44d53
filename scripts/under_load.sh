#!/usr/bin/env bash
# Runs a command while CPU hogs keep every core busy, to show the tests do not depend on a quiet machine:
#   scripts/under_load.sh make test              the suite once, under load
#   REPEAT=2 scripts/under_load.sh make test     twice in a row (stops at the first failure)
# HOGS (default: the number of cores) busy loops run at normal priority beside the command. Each hog
# ends by itself once this script is gone, whatever ended it. Prints each run's duration and status.
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: [REPEAT=n] [HOGS=n] $0 command [args…]" >&2; exit 2; }
hogs=${HOGS:-$(nproc)}
repeat=${REPEAT:-1}
me=$$

hog() { while kill -0 "$me" 2>/dev/null; do :; done; }
pids=()
for _ in $(seq 1 "$hogs"); do hog & pids+=($!); done
stop_hogs() { kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null; }
trap stop_hogs EXIT
trap 'exit 130' INT TERM
echo "under_load: $hogs CPU hog(s) on $(nproc) core(s); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

status=0
for run in $(seq 1 "$repeat"); do
  started=$(date +%s)
  "$@"
  status=$?
  echo "under_load: run $run of $repeat: exit $status in $(( $(date +%s) - started )) s;" \
       "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$status" = 0 ] || break
done
exit "$status"
