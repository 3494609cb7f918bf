#!/usr/bin/env bash
# Runs a command and reports its peak memory, split the way Linux accounts it (issue 7):
#
#   scripts/peak_memory.sh CMD [ARGS...]
#
# The command's stdout and stderr pass through. At its end one line goes to stderr:
#   peak_memory max_rss_mb=N max_anon_mb=A max_file_mb=F samples=S
# max_rss_mb is the kernel's high-water mark (VmHWM: what /usr/bin/time -v calls "Maximum
# resident set size"); max_anon_mb and max_file_mb are the largest RssAnon (heap: what the
# process itself holds) and RssFile (pages of mmap'd files, e.g. tantivy's segments, which the
# kernel can drop) seen by sampling /proc/PID/status every 0.1 s. The exit status is the command's.
set -uo pipefail
[[ $# -ge 1 ]] || { echo "usage: scripts/peak_memory.sh CMD [ARGS...]" >&2; exit 2; }
# (a background command's stdin is /dev/null unless redirected: hand it ours)
"$@" <&0 &
pid=$!
max_anon=0 max_file=0 hwm=0 samples=0
while kill -0 "$pid" 2>/dev/null; do
  if status="$(cat "/proc/$pid/status" 2>/dev/null)"; then
    anon="$(awk '/^RssAnon:/ { print $2 }' <<< "$status")"
    file="$(awk '/^RssFile:/ { print $2 }' <<< "$status")"
    h="$(awk '/^VmHWM:/ { print $2 }' <<< "$status")"
    [[ -n "$anon" && "$anon" -gt "$max_anon" ]] && max_anon="$anon"
    [[ -n "$file" && "$file" -gt "$max_file" ]] && max_file="$file"
    [[ -n "$h" && "$h" -gt "$hwm" ]] && hwm="$h"
    samples=$((samples + 1))
  fi
  sleep 0.1
done
wait "$pid"
rc=$?
echo "peak_memory max_rss_mb=$((hwm / 1024)) max_anon_mb=$((max_anon / 1024)) max_file_mb=$((max_file / 1024)) samples=$samples" >&2
exit "$rc"
