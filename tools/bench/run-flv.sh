#!/usr/bin/env bash
# FLV reader benchmark: Sluice's FlvReader (+ FlvTagDemuxer) beside
# `ffmpeg -i x.flv -c copy -f null -`, on the same file in the same run.
# Each tool runs RUNS times (default 5) under /usr/bin/time -v; the median wall time and
# the largest peak RSS are reported as a Markdown table (plus the raw runs).
#
# Usage: tools/bench/run-flv.sh [FILE.flv]   (default bench-out/bench-300s-5mbps.flv,
#        generated with tools/make-fixtures.sh bench if missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
file=${1:-bench-out/bench-300s-5mbps.flv}
runs=${RUNS:-5}
[ -f "$file" ] || tools/make-fixtures.sh bench "$file"
bytes=$(stat -c %s "$file")
# tsx as a loader: one node process, so /usr/bin/time sees it alone

# Runs a command under /usr/bin/time -v; prints "wall_seconds peak_rss_kb".
measure() {
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" >"$log.out" 2>"$log" || { cat "$log" "$log.out" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
  if grep -q '"MBps"' "$log.out"; then cp "$log.out" "$log.json"; echo "$wall $rss $(cat "$log.json")"; else echo "$wall $rss"; fi
  rm -f "$log" "$log.out" "$log.json"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
max() { sort -n | tail -1; }

declare -A WALL RSS INNER
tools=(ffmpeg sluice-packets sluice-tags node-startup)
for ((i = 1; i <= runs; i++)); do
  for t in "${tools[@]}"; do
    case $t in
      ffmpeg) line=$(measure ffmpeg -nostdin -v error -i "$file" -c copy -f null -) ;;
      sluice-packets) line=$(measure node --import tsx tools/bench/flv-read.ts "$file") ;;
      sluice-tags) line=$(measure node --import tsx tools/bench/flv-read.ts "$file" --tags-only) ;;
      node-startup) line=$(measure node --import tsx -e 0) ;;
    esac
    read -r wall rss json <<<"$line"
    WALL[$t]+="$wall "
    RSS[$t]+="$rss "
    if [ -n "${json:-}" ]; then INNER[$t]+="$(sed -E 's/.*"seconds":([0-9.]+).*/\1/' <<<"$json") "; fi
    echo "run $i $t: wall ${wall}s rss ${rss}kB ${json:-}" >&2
    json=
  done
done

fmt() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f", b / 1e6 / s }'; }
echo
echo "File: \`$file\` ($bytes bytes, $(ffprobe -v error -show_entries format=duration -of csv=p=0 "$file") s; $(nproc) CPUs; node $(node --version); $(ffmpeg -version | head -1 | cut -d' ' -f1-3)). $runs runs each, median wall time, largest peak RSS."
echo
echo "| tool | command | wall time (s) | MB/s (wall) | parse time in-process (s) | MB/s (in-process) | peak RSS (MB) |"
echo "|---|---|---|---|---|---|---|"
for t in "${tools[@]}"; do
  w=$(tr ' ' '\n' <<<"${WALL[$t]}" | grep . | median)
  r=$(tr ' ' '\n' <<<"${RSS[$t]}" | grep . | max)
  case $t in
    ffmpeg) cmd="ffmpeg -i x.flv -c copy -f null -" ;;
    sluice-packets) cmd="tsx tools/bench/flv-read.ts x.flv (FlvReader + FlvTagDemuxer → MediaPacket)" ;;
    sluice-tags) cmd="tsx tools/bench/flv-read.ts x.flv --tags-only (FlvReader)" ;;
    node-startup) cmd="node --import tsx -e 0 (startup only, for reference)" ;;
  esac
  if [ "$t" = node-startup ]; then
    echo "| $t | \`$cmd\` | $w | – | – | – | $(awk -v k="$r" 'BEGIN { printf "%.0f", k / 1024 }') |"
    continue
  fi
  if [ -n "${INNER[$t]:-}" ]; then
    in=$(tr ' ' '\n' <<<"${INNER[$t]}" | grep . | median)
    inner="$in | $(fmt "$in")"
  else
    inner="– | –"
  fi
  echo "| $t | \`$cmd\` | $w | $(fmt "$w") | $inner | $(awk -v k="$r" 'BEGIN { printf "%.0f", k / 1024 }') |"
done
