#!/usr/bin/env bash
# Generates Sluice's media fixtures with ffmpeg (lavfi testsrc2 + sine) and, beside each,
# NAME.packets.json = `ffprobe -v error -show_packets -show_streams -of json NAME`.
#
# Usage:
#   tools/make-fixtures.sh                 # (re)write test-fixtures/ (committed; ~1 MB)
#   tools/make-fixtures.sh fixtures DIR    # write the fixtures into DIR instead
#   tools/make-fixtures.sh bench OUT.flv   # 300 s, 5 Mbps H.264 720p30 + AAC benchmark file
#                                          # (not committed), plus OUT.ts (same streams, remuxed)
#
# Output is deterministic for a given ffmpeg build: bitexact muxing/encoding, one
# encoder thread, no wall-clock metadata, fixed sources (testsrc2 and sine are pure
# functions of time; no random sources are used).
set -euo pipefail

FFMPEG=${FFMPEG:-ffmpeg}
FFPROBE=${FFPROBE:-ffprobe}
here=$(cd "$(dirname "$0")" && pwd)

# Common inputs: 320x240 @ 30 fps test pattern and a 440 Hz / 880 Hz stereo sine.
video_in() { # $1 = seconds
  echo -f lavfi -i "testsrc2=size=320x240:rate=30:duration=$1"
}
audio_in() { # $1 = seconds, $2 = sample rate
  echo -f lavfi -i "sine=frequency=440:beep_factor=2:sample_rate=$2:duration=$1"
}
# Deterministic flags for every output.
BITEXACT=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1 -threads 1)
# H.264: 1 s GOPs (30 frames), no scene-cut keyframes, low bitrate.
H264_COMMON=(-c:v libx264 -preset veryfast -b:v 250k -maxrate 300k -bufsize 300k -g 30 -keyint_min 30 -sc_threshold 0
  -x264-params "threads=1:lookahead-threads=1:sliced-threads=0" -pix_fmt yuv420p)
AAC=(-c:a aac -b:a 64k -ac 2)

run_ffmpeg() {
  "$FFMPEG" -nostdin -hide_banner -loglevel error -y "$@"
}

probe() { # $1 = media file → $1.packets.json
  "$FFPROBE" -v error -show_packets -show_streams -of json "$1" >"$1.packets.json"
}

make_fixtures() {
  local out=$1
  mkdir -p "$out"
  local d=3

  # H.264 High with B-frames + AAC-LC, FLV and TS.
  # shellcheck disable=SC2046
  run_ffmpeg $(video_in $d) $(audio_in $d 44100) "${H264_COMMON[@]}" -profile:v high -bf 2 \
    "${AAC[@]}" "${BITEXACT[@]}" -f flv "$out/h264-high-aac.flv"
  # shellcheck disable=SC2046
  run_ffmpeg $(video_in $d) $(audio_in $d 48000) "${H264_COMMON[@]}" -profile:v high -bf 2 \
    "${AAC[@]}" "${BITEXACT[@]}" -mpegts_flags +resend_headers -f mpegts "$out/h264-high-aac.ts"

  # H.264 Baseline (no B-frames) + AAC-LC, FLV.
  # shellcheck disable=SC2046
  run_ffmpeg $(video_in $d) $(audio_in $d 44100) "${H264_COMMON[@]}" -profile:v baseline -bf 0 \
    "${AAC[@]}" "${BITEXACT[@]}" -f flv "$out/h264-baseline-aac.flv"

  # H.265 + AAC-LC, TS.
  # shellcheck disable=SC2046
  run_ffmpeg $(video_in $d) $(audio_in $d 48000) -c:v libx265 -preset veryfast -b:v 250k -pix_fmt yuv420p \
    -x265-params "log-level=error:keyint=30:min-keyint=30:scenecut=0:bframes=2:pools=1:frame-threads=1:wpp=0" \
    "${AAC[@]}" "${BITEXACT[@]}" -f mpegts "$out/h265-aac.ts"

  # Opus audio only, TS.
  # shellcheck disable=SC2046
  run_ffmpeg $(audio_in $d 48000) -c:a libopus -b:a 64k -ac 2 "${BITEXACT[@]}" -f mpegts "$out/opus.ts"

  # MP3 audio only, TS.
  # shellcheck disable=SC2046
  run_ffmpeg $(audio_in $d 44100) -c:a libmp3lame -b:a 64k -ac 2 "${BITEXACT[@]}" -f mpegts "$out/mp3.ts"

  # Video-only and audio-only FLV.
  # shellcheck disable=SC2046
  run_ffmpeg $(video_in $d) "${H264_COMMON[@]}" -profile:v high -bf 2 "${BITEXACT[@]}" -f flv "$out/video-only.flv"
  # shellcheck disable=SC2046
  run_ffmpeg $(audio_in $d 44100) "${AAC[@]}" "${BITEXACT[@]}" -f flv "$out/audio-only.flv"

  # MP3 in FLV (legacy SoundFormat 2), audio only.
  # shellcheck disable=SC2046
  run_ffmpeg $(audio_in $d 44100) -c:a libmp3lame -b:a 64k -ac 2 "${BITEXACT[@]}" -f flv "$out/mp3-audio-only.flv"

  local f
  for f in "$out"/*.flv "$out"/*.ts; do probe "$f"; done
  du -sh "$out"
}

make_bench() {
  local flv=$1
  local ts=${flv%.flv}.ts
  mkdir -p "$(dirname "$flv")"
  # 300 s of 1280x720 @ 30 fps H.264 at a constant 5 Mbps (CBR with filler) + 128 kb/s AAC.
  run_ffmpeg -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=300" \
    -f lavfi -i "sine=frequency=440:beep_factor=2:sample_rate=48000:duration=300" \
    -c:v libx264 -preset ultrafast -profile:v high -pix_fmt yuv420p -g 60 -keyint_min 60 -sc_threshold 0 \
    -b:v 5M -minrate 5M -maxrate 5M -bufsize 5M -x264-params "nal-hrd=cbr:force-cfr=1" \
    -c:a aac -b:a 128k -ac 2 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1 \
    -f flv "$flv"
  run_ffmpeg -i "$flv" -c copy -bsf:v h264_mp4toannexb -f mpegts "$ts"
  ls -l "$flv" "$ts"
}

case "${1:-fixtures}" in
  fixtures) make_fixtures "${2:-$here/../test-fixtures}" ;;
  bench)
    [ $# -ge 2 ] || { echo "usage: $0 bench OUT.flv" >&2; exit 2; }
    make_bench "$2"
    ;;
  *)
    echo "usage: $0 [fixtures [DIR] | bench OUT.flv]" >&2
    exit 2
    ;;
esac
