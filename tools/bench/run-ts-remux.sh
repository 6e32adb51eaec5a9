#!/usr/bin/env bash
# MPEG-TS remux benchmark: Sluice (FlvReader/TsDemuxer → TsMuxer → file) beside
# `ffmpeg -c copy -f mpegts` on the same inputs in the same run: FLV → TS and TS → TS.
# Sluice runs as plain node on built output: the bench script bundled by esbuild with the
# @sluice/media and @sluice/mpegts sources (one file, as an application would ship; no
# tsx at run time). Each tool runs RUNS times (default 5), interleaved, under
# /usr/bin/time -v; median wall time and largest peak RSS are reported as Markdown.
#
# Usage: tools/bench/run-ts-remux.sh [BASE]   (default bench-out/bench-300s-5mbps: uses
#        BASE.flv and BASE.ts, generated with tools/make-fixtures.sh bench if missing)
set -euo pipefail
# shellcheck source=tools/bench/measure.sh
. "$(dirname "$0")/measure.sh"
base=${1:-bench-out/bench-300s-5mbps}
[ -f "$base.flv" ] && [ -f "$base.ts" ] || tools/make-fixtures.sh bench "$base.flv"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# build: Sluice's bench as a CommonJS bundle of the @sluice/* sources (measure.sh)
js=bench-out/js
bench_bundle tools/bench/ts-remux.ts "$js/ts-remux.cjs"
tools=(ffmpeg-flv sluice-flv ffmpeg-ts sluice-ts sluice-ts-owned node-startup)
# mediabunny's MPEG-TS output (root dev dependency), when installed
if [ -d node_modules/mediabunny ]; then
  bench_bundle tools/bench/ts-remux-mediabunny.ts "$js/ts-remux-mediabunny.mjs"
  tools+=(mediabunny-flv mediabunny-ts)
fi

for ((i = 1; i <= runs; i++)); do
  for t in "${tools[@]}"; do
    # every tool writes a new file: truncating the last run's 200 MB (ext4 frees its blocks,
    # and flushes the rewritten file on close) would be timed as part of the next tool
    rm -f "$out"/*.ts
    sync -f "$out" 2>/dev/null || true
    case $t in
      ffmpeg-flv) line=$(measure ffmpeg -nostdin -v error -y -i "$base.flv" -c copy -f mpegts "$out/ff.ts") ;;
      sluice-flv) line=$(measure "${nodejs[@]}" "$js/ts-remux.cjs" "$base.flv" "$out/sl.ts") ;;
      ffmpeg-ts) line=$(measure ffmpeg -nostdin -v error -y -i "$base.ts" -c copy -f mpegts "$out/ff.ts") ;;
      sluice-ts) line=$(measure "${nodejs[@]}" "$js/ts-remux.cjs" "$base.ts" "$out/sl.ts") ;;
      sluice-ts-owned) line=$(measure env SLUICE_PACKET_DATA=owned "${nodejs[@]}" "$js/ts-remux.cjs" "$base.ts" "$out/sl.ts") ;;
      node-startup) line=$(measure "${nodejs[@]}" -e 0) ;;
      mediabunny-flv) line=$(measure "${nodejs[@]}" "$js/ts-remux-mediabunny.mjs" "$base.flv" "$out/mb.ts") ;;
      mediabunny-ts) line=$(measure "${nodejs[@]}" "$js/ts-remux-mediabunny.mjs" "$base.ts" "$out/mb.ts") ;;
    esac
    record "$i" "$t" "$line"
  done
done

size_of() { case $1 in *-flv) stat -c %s "$base.flv" ;; *-ts | *-ts-owned) stat -c %s "$base.ts" ;; *) echo 0 ;; esac; }
table_caption "Inputs: \`$base.flv\` ($(stat -c %s "$base.flv") bytes) and \`$base.ts\` ($(stat -c %s "$base.ts") bytes), $(ffprobe -v error -show_entries format=duration -of csv=p=0 "$base.flv") s"
table_head tool command 'wall time (s)' 'MB/s (wall)' 'in-process wall / CPU (s)' 'start-up (s)' 'peak RSS (MB)'
declare -A about=(
  [ffmpeg-flv]="ffmpeg -i x.flv -c copy -f mpegts out.ts"
  [sluice-flv]="node ts-remux.cjs x.flv out.ts"
  [ffmpeg-ts]="ffmpeg -i x.ts -c copy -f mpegts out.ts"
  [sluice-ts]="node ts-remux.cjs x.ts out.ts"
  [sluice-ts-owned]="SLUICE_PACKET_DATA=owned node ts-remux.cjs x.ts out.ts (demuxer packetData 'owned')"
  [node-startup]="node -e 0 (startup only, for reference)"
  [mediabunny-flv]="node ts-remux-mediabunny.mjs x.flv out.ts (Sluice FLV reader → mediabunny MpegTsOutputFormat)"
  [mediabunny-ts]="node ts-remux-mediabunny.mjs x.ts out.ts (mediabunny MPEG_TS input → Conversion → MpegTsOutputFormat)"
)
for t in "${tools[@]}"; do tool_row "$t" "${about[$t]}" "$(size_of "$t")"; done
