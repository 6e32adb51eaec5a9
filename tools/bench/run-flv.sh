#!/usr/bin/env bash
# FLV reader benchmark: Sluice's FlvReader (+ FlvTagDemuxer) beside
# `ffmpeg -i x.flv -c copy -f null -`, on the same file in the same run.
# Sluice runs as plain node on built output: the bench script bundled by esbuild with the
# @sluice/media sources (one CommonJS file, as an application would ship; no tsx at run
# time), node without the machine's NODE_EXTRA_CA_CERTS (tools/bench/measure.sh). Each tool
# runs RUNS times (default 5), interleaved, under /usr/bin/time -v; the median wall time and
# the largest peak RSS are reported as a Markdown table (plus the raw runs on stderr).
#
# Usage: tools/bench/run-flv.sh [FILE.flv]   (default bench-out/bench-300s-5mbps.flv,
#        generated with tools/make-fixtures.sh bench if missing)
set -euo pipefail
# shellcheck source=tools/bench/measure.sh
. "$(dirname "$0")/measure.sh"
file=$(bench_flv "${1:-}")
bytes=$(stat -c %s "$file")

js=bench-out/js
bench_bundle tools/bench/flv-read.ts "$js/flv-read.cjs"

tools=(ffmpeg sluice-packets sluice-tags node-startup)
for ((i = 1; i <= runs; i++)); do
  for t in "${tools[@]}"; do
    case $t in
      ffmpeg) line=$(measure ffmpeg -nostdin -v error -i "$file" -c copy -f null -) ;;
      sluice-packets) line=$(measure "${nodejs[@]}" "$js/flv-read.cjs" "$file") ;;
      sluice-tags) line=$(measure "${nodejs[@]}" "$js/flv-read.cjs" "$file" --tags-only) ;;
      node-startup) line=$(measure "${nodejs[@]}" -e 0) ;;
    esac
    record "$i" "$t" "$line"
  done
done

table_caption "File: \`$file\` ($bytes bytes, $(ffprobe -v error -show_entries format=duration -of csv=p=0 "$file") s)"
table_head tool command 'wall time (s)' 'MB/s (wall)' 'in-process wall / CPU (s)' 'MB/s (in-process)' 'start-up (s)' 'peak RSS (MB)'
declare -A about=(
  [ffmpeg]="ffmpeg -i x.flv -c copy -f null -"
  [sluice-packets]="node flv-read.cjs x.flv (FlvReader + FlvTagDemuxer → MediaPacket)"
  [sluice-tags]="node flv-read.cjs x.flv --tags-only (FlvReader)"
  [node-startup]="node -e 0 (start-up only, for reference)"
)
for t in "${tools[@]}"; do
  input=$bytes
  if [ "$t" = node-startup ]; then input=0; fi
  tool_row "$t" "${about[$t]}" "$input" in-process-rate
done
