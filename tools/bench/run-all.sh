#!/usr/bin/env bash
# `pnpm bench`: the benchmarks of docs/BENCHMARKS.md in a bounded default set, every figure
# beside its peer from the same run. Installs nothing: the peers (nginx + libnginx-mod-rtmp,
# ffmpeg) are checked first and named when missing; node-media-server is only used when
# FANOUT_SYSTEMS names `nms` (the shared harness then installs it into its own temp dir).
#
#   pnpm bench            # build, then the default set (~10 min on 2 CPUs)
#   pnpm bench --list     # every benchmark of docs/BENCHMARKS.md and its command
#
# Default set (BENCH_SET, space-separated, in this order):
#   fanout    RTMP fan-out, Sluice vs nginx-rtmp `push`, one 5 Mbit/s ingest -> N pushes, through
#             the shared harness (FANOUT_HARNESS, default ../shared/bench: run_matrix.sh);
#             FANOUT_SYSTEMS ("project nginx"), FANOUT_NS ("20 100"), FANOUT_SECONDS (30), FANOUT_REPS (1)
#   latency   the same harness at N=20 with tools/bench/fanout-latency-probe.mjs preloaded and the
#             pushes created on the live stream: ingest read -> last push write, startPush -> first media
#   chunking  tools/bench/rtmp-chunking.ts (chunking/parsing throughput, 1 and 100 destinations vs
#             ffmpeg and nginx-rtmp; needs bench-out/bench-300s-5mbps.flv, made if missing)
# Output: bench-out/bench-<UTC timestamp>.txt (everything printed here), tables on stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD

list() {
  cat <<'EOF'
Benchmarks of docs/BENCHMARKS.md (run from the repository root after `pnpm build`):
  media FLV reader vs ffmpeg          RUNS=7 tools/bench/run-flv.sh
  push registry memory / operations   node --expose-gc --import tsx tools/bench/push-registry.ts [--pushes N]
  push-redis operations               node --import tsx tools/bench/push-redis-ops.ts [--seconds 60]
  http REST API                       node --import tsx tools/bench/http-api.ts [--seconds 3] [--rounds 3]
  rtmp chunking and fan-out           node --import tsx tools/bench/rtmp-chunking.ts
  codec framing conversion            RUNS=7 tools/bench/run-codec-convert.sh
  server RTMP fan-out relay           node --import tsx tools/bench/server-fanout.ts --pushes N --seconds 20
  mpegts remux vs ffmpeg/mediabunny   RUNS=7 tools/bench/run-ts-remux.sh
  srt push vs srt-live-transmit       node --import tsx tools/bench/srt-push.ts --pushes N --seconds 20
  observability cost                  node --import tsx tools/bench/metrics-cost.ts --pushes 100 --window 20 --rounds 4
  shared fan-out harness (RTMP)       ../shared/bench/run_matrix.sh "project nginx nms" "20 100" 30 2   (PROJECT_CMD: see pnpm bench)
  shared harness (MPEG-TS/UDP)        python3 ../shared/bench/tsfanout.py project|ffmpeg 20 30
  fan-out latency probe               node --import ./tools/bench/fanout-latency-probe.mjs packages/server/dist/cli.js --config … (as PROJECT_CMD)
  Node dgram floor (MPEG-TS/UDP)      node --import tsx tools/bench/udp-send-floor.ts --pushes 20 --seconds 30   (beside tsfanout.py)
  idle cost vs nginx-rtmp             node --import tsx tools/bench/idle-cost.ts --window 20
  one process per core (cluster)      node --import tsx tools/bench/cluster-fanout.ts --pushes "20 100" --seconds 30
EOF
}
[[ ${1:-} == --list ]] && { list; exit 0; }

set_=${BENCH_SET:-fanout latency chunking}
harness=${FANOUT_HARNESS:-$root/../shared/bench}
systems=${FANOUT_SYSTEMS:-project nginx}
ns=${FANOUT_NS:-20 100}
seconds=${FANOUT_SECONDS:-30}
reps=${FANOUT_REPS:-1}

missing=()
for tool in node ffmpeg ffprobe nginx curl jq python3 ss; do command -v "$tool" >/dev/null || missing+=("$tool"); done
dpkg -L libnginx-mod-rtmp 2>/dev/null | grep -q 'ngx_rtmp_module.so$' || [[ -n ${RTMP_MODULE:-} ]] || missing+=(libnginx-mod-rtmp)
if ((${#missing[@]} > 0)); then
  echo "pnpm bench: missing ${missing[*]} (Debian: apt-get install nginx libnginx-mod-rtmp ffmpeg curl jq python3 iproute2); nothing was installed" >&2
  exit 1
fi
if [[ " $set_ " == *" fanout "* || " $set_ " == *" latency "* ]] && [[ ! -x $harness/run_matrix.sh ]]; then
  echo "pnpm bench: the shared fan-out harness is not at $harness (set FANOUT_HARNESS); or run BENCH_SET=chunking pnpm bench" >&2
  exit 1
fi

mkdir -p bench-out
out=$root/bench-out/bench-$(date -u +%Y%m%dT%H%M%SZ).txt
exec > >(tee "$out") 2>&1
echo "# pnpm bench $(date -u +%FT%TZ): $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); node $(node --version);" \
  "$(ffmpeg -version | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
pnpm build >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# the harness's Server.xml (API 18081, RTMP 19350), moved to PROJECT_API_PORT / INGEST_PORT when set
sed -e "s/18081/${PROJECT_API_PORT:-18081}/" -e "s/19350/${INGEST_PORT:-19350}/" "$harness/Server.xml" >"$work/Server.xml" 2>/dev/null || true
export FANOUT_DIR=${FANOUT_DIR:-$root/bench-out/fanout} # keeps the harness source file (big.flv) between runs
export PROJECT_API_TOKEN=${PROJECT_API_TOKEN:-bench-token}
# a fresh data dir for every run (pushes restored from an earlier run would double them)
project_cmd() {
  echo "bash -c 'rm -rf $work/data; exec node $* $root/packages/server/dist/cli.js --config $work/Server.xml --data-dir $work/data'"
}

for step in $set_; do
  case $step in
    fanout)
      echo "## RTMP fan-out: $systems, N = $ns, ${seconds} s, $reps repetition(s)"
      PROJECT_CMD=$(project_cmd) "$harness/run_matrix.sh" "$systems" "$ns" "$seconds" "$reps" 2>/dev/null
      ;;
    latency)
      echo "## latency, N = 20, pushes created on the live stream (PROJECT_PUSHES=after)"
      PROJECT_CMD=$(project_cmd --import "$root/tools/bench/fanout-latency-probe.mjs") PROJECT_PUSHES=after \
        "$harness/fanout.sh" project 20 "$seconds" 2>"$work/latency.err" || true
      run=$(sed -n 's/.*run_dir=\([^ ]*\).*/\1/p' "$work/latency.err" | tail -1)
      grep -h 'latency-probe' "$run/sut.log" 2>/dev/null || echo "(no probe line; see $work/latency.err)"
      ;;
    chunking)
      echo "## rtmp chunking and fan-out (tools/bench/rtmp-chunking.ts)"
      [[ -f bench-out/bench-300s-5mbps.flv ]] || tools/make-fixtures.sh bench bench-out/bench-300s-5mbps.flv >/dev/null
      node --import tsx tools/bench/rtmp-chunking.ts
      ;;
    *) echo "pnpm bench: unknown step $step (fanout, latency, chunking)" >&2; exit 2 ;;
  esac
done
echo "results: $out"
