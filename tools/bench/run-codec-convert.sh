#!/usr/bin/env bash
# Codec framing conversion benchmark: tools/bench/codec-convert.ts (Sluice's Annex B and
# ADTS converters over every packet of an FLV, timed in-process) beside ffmpeg doing the
# same conversions on the same file in the same run (whole process): h264_mp4toannexb,
# the h264 demuxer + FLV muxer (Annex B → AVCC), the ADTS muxer, and `-f null` as the
# demuxing baseline. Sluice runs as plain node on built output (tools/bench/measure.sh);
# a second bundle without Node's Buffer in sight of findStartCode (esbuild
# --define:globalThis.Buffer=undefined) measures its portable JS search loop in the same run.
# Every tool runs RUNS times (default 5), interleaved; medians are reported as Markdown.
#
# Usage: tools/bench/run-codec-convert.sh [FILE.flv]   (default bench-out/bench-300s-5mbps.flv,
#        generated with tools/make-fixtures.sh bench if missing; its Annex B video FILE.h264
#        is made by ffmpeg if missing)
set -euo pipefail
# shellcheck source=tools/bench/measure.sh
. "$(dirname "$0")/measure.sh"
file=$(bench_flv "${1:-}")
h264=${file%.flv}.h264
[ -f "$h264" ] || ffmpeg -nostdin -v error -y -i "$file" -map 0:v -c copy -bsf:v h264_mp4toannexb -f h264 "$h264"

js=bench-out/js
bench_bundle tools/bench/codec-convert.ts "$js/codec-convert.cjs"
bench_bundle tools/bench/codec-convert.ts "$js/codec-convert-js-search.cjs" --define:globalThis.Buffer=undefined
grep -q 'globalThis.Buffer' "$js/codec-convert-js-search.cjs" && { echo "globalThis.Buffer left in the JS-search bundle" >&2; exit 1; }

tools=(sluice sluice-js-search ffmpeg-annexb ffmpeg-null ffmpeg-h264-flv ffmpeg-adts)
declare -A SL
for ((i = 1; i <= runs; i++)); do
  for t in "${tools[@]}"; do
    case $t in
      sluice | sluice-js-search)
        # one JSON line per conversion: "seconds" of each, by tool name
        bundle=$js/codec-convert.cjs
        suffix=
        if [ "$t" = sluice-js-search ]; then bundle=$js/codec-convert-js-search.cjs suffix=" [JS search loop]"; fi
        out=$("${nodejs[@]}" "$bundle" "$file")
        echo "run $i $t:" >&2
        echo "$out" >&2
        while IFS= read -r l; do
          name="$(sed -E 's/.*"tool":"([^"]*)".*/\1/' <<<"$l")$suffix"
          SL[$name]+="$(json_number seconds "$l") "
          SL[$name:bytes]=$(json_number inBytes "$l")
          SL[$name:packets]=$(json_number packets "$l")
        done <<<"$out"
        continue
        ;;
      ffmpeg-annexb) line=$(measure ffmpeg -nostdin -v error -i "$file" -map 0:v -c copy -bsf:v h264_mp4toannexb -f h264 -y /dev/null) ;;
      ffmpeg-null) line=$(measure ffmpeg -nostdin -v error -i "$file" -map 0:v -c copy -f null -) ;;
      ffmpeg-h264-flv) line=$(measure ffmpeg -nostdin -v error -f h264 -i "$h264" -c copy -f flv -y /dev/null) ;;
      ffmpeg-adts) line=$(measure ffmpeg -nostdin -v error -i "$file" -map 0:a -c copy -f adts -y /dev/null) ;;
    esac
    record "$i" "$t" "$line"
  done
done

table_caption "File: \`$file\` ($(stat -c %s "$file") bytes)" medians
table_head conversion packets 'Sluice in-process (s)' 'Sluice MB/s'
for name in "sluice writeAnnexB (AVCC -> Annex B, reused buffer)" "sluice annexBSizeOf + writeAnnexB" \
  "sluice writeLengthPrefixed (Annex B -> AVCC, reused buffer)" "sluice lengthPrefixedSizeOf + writeLengthPrefixed" \
  "sluice writeAdtsHeader + copy (AAC -> ADTS)" \
  "sluice writeLengthPrefixed (Annex B -> AVCC, reused buffer) [JS search loop]" \
  "sluice lengthPrefixedSizeOf + writeLengthPrefixed [JS search loop]"; do
  [ -n "${SL[$name]:-}" ] || continue
  s=$(median_of "${SL[$name]}")
  echo "| $name | ${SL[$name:packets]} | $s | $(mbps "${SL[$name:bytes]}" "$s") |"
done
echo
table_head ffmpeg command 'whole process (s)'
for t in ffmpeg-annexb ffmpeg-null ffmpeg-h264-flv ffmpeg-adts; do
  case $t in
    ffmpeg-annexb) cmd="ffmpeg -i x.flv -map 0:v -c copy -bsf:v h264_mp4toannexb -f h264 -y /dev/null" ;;
    ffmpeg-null) cmd="ffmpeg -i x.flv -map 0:v -c copy -f null -" ;;
    ffmpeg-h264-flv) cmd="ffmpeg -f h264 -i x.h264 -c copy -f flv -y /dev/null" ;;
    ffmpeg-adts) cmd="ffmpeg -i x.flv -map 0:a -c copy -f adts -y /dev/null" ;;
  esac
  echo "| $t | \`$cmd\` | $(median_of "${WALL[$t]}") |"
done
