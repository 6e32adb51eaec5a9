#!/usr/bin/env bash
# `pnpm bench`: issue 15's benchmarks in one bounded run, every figure beside its peer from the
# same run, then tools/bench/write-benchmarks.ts rewrites the marked section of docs/BENCHMARKS.md
# (between `<!-- pnpm bench: begin -->` and `<!-- pnpm bench: end -->`; nothing else is touched).
#
#   pnpm bench              # build, the default set (~10 min on 2 CPUs, printed up front), rewrite the docs
#   pnpm bench --no-write   # the same, docs left alone (the section is still in the run dir)
#   pnpm bench --list       # every benchmark of docs/BENCHMARKS.md and its command
#
# Peers are checked first and named when missing; nothing is installed, except that the shared
# harness installs node-media-server@4.4.3 from npm into $FANOUT_DIR/nms on its first `nms` run
# (said up front when it will). Every step runs under a timeout; a hung peer cannot hang the run.
#
# Steps (BENCH_SET, space-separated; default "fanout latency tsfanout idle chunking profile"):
#   fanout    RTMP fan-out through the shared harness (FANOUT_HARNESS, default ../shared/bench):
#             fanout.sh over FANOUT_SYSTEMS ("project nginx nms") x FANOUT_NS ("20 100"),
#             FANOUT_SECONDS (30) each, FANOUT_REPS (1), in run_matrix.sh's order; after each N,
#             tools/bench/tcp-write-floor.ts (Node's net.Socket floor: the source's messages written to N sockets)
#   latency   the harness at LATENCY_N (20) with tools/bench/fanout-latency-probe.mjs preloaded and
#             the pushes created on the live stream: ingest read -> last push write, startPush -> first media
#   tsfanout  MPEG-TS/UDP: the harness's tsfanout.py project and ffmpeg (tee) at TS_PUSHES (20) for
#             TS_SECONDS (FANOUT_SECONDS), beside tools/bench/udp-send-floor.ts (Node's dgram floor)
#   idle      tools/bench/idle-cost.ts --window IDLE_WINDOW (20) --pushes IDLE_PUSHES (1000) --streams IDLE_STREAMS (100)
#   chunking  tools/bench/rtmp-chunking.ts on the harness's source (CHUNK_FILE; CHUNK_N 100, CHUNK_SINGLE_S 60, CHUNK_FANOUT_S 10)
#   profile   perf: the harness at PROFILE_N (100) for Sluice (node --perf-basic-prof) and nginx-rtmp,
#             `perf record -F 999 -g -p PID -- sleep PROFILE_SECONDS (10)` PROFILE_DELAY (10) s into the
#             window, summarised by tools/bench/perf-summary.ts; skipped with a message without perf
#   capacity  (optional) tools/bench/cluster-fanout.ts --pushes FANOUT_NS --seconds FANOUT_SECONDS (needs redis-server)
# BENCH_STEP_TIMEOUT caps every step's timeout (seconds), to try what a hung step leaves.
# Ports (kept off the harness's defaults so a hand-run harness can run beside): INGEST_PORT 29350,
# SINK_PORT 29351, SINK_HTTP_PORT 29380, PROJECT_API_PORT 28081, NMS_HTTP_PORT 28000, UDP_BASE 29500.
# Output: bench-out/bench-<UTC timestamp>/ (log.txt, the raw machine-readable outputs, section.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export root=$PWD self=$PWD/tools/bench/run-all.sh

list() {
  cat <<'EOF'
Benchmarks of docs/BENCHMARKS.md (run from the repository root after `pnpm build`):
  pnpm bench (the marked section)     tools/bench/run-all.sh: fanout latency tsfanout idle chunking profile [capacity]
  media FLV reader vs ffmpeg          RUNS=7 tools/bench/run-flv.sh
  push registry memory / operations   node --expose-gc --import tsx tools/bench/push-registry.ts [--pushes N]
  push-redis operations               node --import tsx tools/bench/push-redis-ops.ts [--seconds 60]
  http REST API                       node --import tsx tools/bench/http-api.ts [--seconds 3] [--rounds 3]
  rtmp chunking and fan-out           node --import tsx tools/bench/rtmp-chunking.ts [FILE.flv]
  codec framing conversion            RUNS=7 tools/bench/run-codec-convert.sh
  server RTMP fan-out relay           node --import tsx tools/bench/server-fanout.ts --pushes N --seconds 20
  mpegts remux vs ffmpeg/mediabunny   RUNS=7 tools/bench/run-ts-remux.sh
  srt push vs srt-live-transmit       node --import tsx tools/bench/srt-push.ts --pushes N --seconds 20
  observability cost                  node --import tsx tools/bench/metrics-cost.ts --pushes 100 --window 20 --rounds 4
  shared fan-out harness (RTMP)       ../shared/bench/run_matrix.sh "project nginx nms" "20 100" 30 1   (PROJECT_CMD: see pnpm bench)
  shared harness (MPEG-TS/UDP)        python3 ../shared/bench/tsfanout.py project|ffmpeg 20 30
  fan-out latency probe               node --import ./tools/bench/fanout-latency-probe.mjs packages/server/dist/cli.js --config … (as PROJECT_CMD)
  Node dgram floor (MPEG-TS/UDP)      node --import tsx tools/bench/udp-send-floor.ts --pushes 20 --seconds 30   (beside tsfanout.py)
  Node net.Socket floor (RTMP)        node --import tsx tools/bench/tcp-write-floor.ts --file big.flv --pushes N --seconds 30   (beside fanout.sh)
  one write's cost, Node vs libc      node tools/bench/tcp-send-cost.mjs; python3 tools/bench/tcp-send-cost.py
  wire check of the added delay       tshark on lo | python3 tools/bench/wire-gap.py INGEST_PORT SINK_PORT (usage in the file)
  idle cost vs nginx-rtmp             node --import tsx tools/bench/idle-cost.ts --window 20
  CPU profile (perf)                  perf record -F 999 -g -p PID -- sleep 10 | tools/bench/perf-summary.ts (pnpm bench's profile step)
  one process per core (cluster)      node --import tsx tools/bench/cluster-fanout.ts --pushes "20 100" --seconds 30
EOF
}

# ---------------------------------------------------------------- settings (exported: steps run as `run-all.sh --step NAME`)
# the harness beside the checkout (or beside the main checkout, from a git worktree)
harness=${FANOUT_HARNESS:-$root/../shared/bench}
common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
[[ -n ${FANOUT_HARNESS:-} || -d $harness || -z $common ]] || harness=$(dirname "$(dirname "$common")")/shared/bench
export harness
export systems=${FANOUT_SYSTEMS:-project nginx nms}
export ns=${FANOUT_NS:-20 100}
export seconds=${FANOUT_SECONDS:-30}
export reps=${FANOUT_REPS:-1}
export latency_n=${LATENCY_N:-20}
export ts_n=${TS_PUSHES:-20} ts_seconds=${TS_SECONDS:-$seconds}
export idle_window=${IDLE_WINDOW:-20} idle_pushes=${IDLE_PUSHES:-1000} idle_streams=${IDLE_STREAMS:-100}
export chunk_n=${CHUNK_N:-100} chunk_single=${CHUNK_SINGLE_S:-60} chunk_fanout=${CHUNK_FANOUT_S:-10}
export profile_n=${PROFILE_N:-100} profile_seconds=${PROFILE_SECONDS:-10} profile_delay=${PROFILE_DELAY:-10}
export profile_window=$((seconds > profile_delay + profile_seconds + 5 ? seconds : profile_delay + profile_seconds + 5))
export FANOUT_DIR=${FANOUT_DIR:-$root/bench-out/fanout} # keeps the harness's source (big.flv) and nms between runs
export SRC=${SRC:-$FANOUT_DIR/big.flv}
export NMS_DIR=${NMS_DIR:-$FANOUT_DIR/nms/node_modules/node-media-server}
export INGEST_PORT=${INGEST_PORT:-29350} SINK_PORT=${SINK_PORT:-29351} SINK_HTTP_PORT=${SINK_HTTP_PORT:-29380}
export PROJECT_API_PORT=${PROJECT_API_PORT:-28081} NMS_HTTP_PORT=${NMS_HTTP_PORT:-28000} UDP_BASE=${UDP_BASE:-29500}
export PROJECT_API_TOKEN=${PROJECT_API_TOKEN:-bench-token}
tcp_ports=("$INGEST_PORT" "$SINK_PORT" "$SINK_HTTP_PORT" "$PROJECT_API_PORT" "$NMS_HTTP_PORT")

# the server as the harness starts it: a fresh data dir every run (restored pushes would double them)
project_cmd() {
  echo "bash -c 'rm -rf ${work:?}/data; exec node${*:+ $*} $root/packages/server/dist/cli.js --config $work/Server.xml --data-dir $work/data'"
}
# one line per command actually run, for the docs: the temp dir as $d, the harness as $harness, the root as $PWD
note_cmd() {
  local c="$*"
  c=${c//"$work"/\$d}
  c=${c//"$harness"/\$harness}
  c=${c//"$root"/\$PWD}
  printf '%s\n' "$c" >>"$out/commands.txt"
}
run_dir_of() { sed -n 's/.*run dir: //p' "$1" | head -1; }

# ---------------------------------------------------------------- steps
step_build() {
  note_cmd "pnpm build"
  pnpm build >"$out/build.log" 2>&1 || { tail -n 20 "$out/build.log"; return 1; }
}

step_fanout() {
  local n rep sys rc line
  note_cmd "PROJECT_CMD=\"$(project_cmd)\" $harness/fanout.sh SYSTEM N $seconds  # SYSTEM in $systems, N in $ns, $reps rep(s), in run_matrix.sh's order"
  for n in $ns; do
    for rep in $(seq 1 "$reps"); do
      for sys in $systems; do
        echo "=== $sys N=$n ${seconds}s rep $rep"
        [[ $sys != nms || -f $NMS_DIR/bin/app.js ]] ||
          echo "installing node-media-server@4.4.3 from npm into $FANOUT_DIR/nms (the harness does, once)"
        rc=0
        line=$(PROJECT_CMD=$(project_cmd) timeout -k 15 $((seconds + 90)) "$harness/fanout.sh" "$sys" "$n" "$seconds" \
          2>>"$out/fanout.err") || rc=$?
        [[ -n $line ]] || line="$sys $n $seconds FAILED rc=$rc"
        echo "$line rc=$rc" | tee -a "$out/fanout.txt"
        kill_leftovers
        sleep 2 # let TIME_WAIT sockets and the page cache settle (as run_matrix.sh)
      done
      fanout_floor "$n"
    done
  done
}

# Node's floor beside the systems: N sockets writing the source's messages, nothing else
fanout_floor() {
  local rc=0 line
  [[ ${floor_noted:-} ]] || note_cmd "node --import tsx tools/bench/tcp-write-floor.ts --file $SRC --pushes N --seconds $seconds  # N in $ns, after the systems"
  floor_noted=1
  echo "=== Node write floor N=$1 ${seconds}s"
  line=$(timeout -k 15 $((seconds + 30)) node --import tsx tools/bench/tcp-write-floor.ts --file "$SRC" --pushes "$1" \
    --seconds "$seconds" 2>>"$out/fanout.err") || rc=$?
  echo "${line:-tcp-write-floor pushes=$1 FAILED} rc=$rc" | tee -a "$out/fanout.txt"
  sleep 2
}

step_latency() {
  local rc=0 line run
  note_cmd "PROJECT_CMD=\"$(project_cmd --import "$root/tools/bench/fanout-latency-probe.mjs")\" PROJECT_PUSHES=after $harness/fanout.sh project $latency_n $seconds  # the probe's line lands in the run's sut.log"
  line=$(PROJECT_CMD=$(project_cmd --import "$root/tools/bench/fanout-latency-probe.mjs") PROJECT_PUSHES=after \
    timeout -k 15 $((seconds + 90)) "$harness/fanout.sh" project "$latency_n" "$seconds" 2>"$out/latency.err") || rc=$?
  echo "${line:-project $latency_n $seconds FAILED} rc=$rc" | tee "$out/latency.txt"
  run=$(run_dir_of "$out/latency.err")
  grep -h 'latency-probe' "${run:-/nonexistent}/sut.log" 2>/dev/null | tee -a "$out/latency.txt" ||
    echo "(no latency-probe line; see $out/latency.err)"
}

step_tsfanout() {
  local sys rc line
  for sys in project ffmpeg; do
    note_cmd "PROJECT_CMD=\"$(project_cmd)\" python3 $harness/tsfanout.py $sys $ts_n $ts_seconds"
    rc=0
    line=$(PROJECT_CMD=$(project_cmd) timeout -k 15 $((ts_seconds + 60)) python3 "$harness/tsfanout.py" "$sys" "$ts_n" "$ts_seconds" \
      2>>"$out/tsfanout.err") || rc=$?
    [[ -n $line ]] || line="$sys $ts_n $ts_seconds FAILED"
    echo "$line rc=$rc" | tee -a "$out/tsfanout.txt"
    kill_leftovers
    sleep 2
  done
  note_cmd "node --import tsx tools/bench/udp-send-floor.ts --pushes $ts_n --seconds $ts_seconds"
  rc=0
  line=$(timeout -k 15 $((ts_seconds + 30)) node --import tsx tools/bench/udp-send-floor.ts --pushes "$ts_n" --seconds "$ts_seconds") || rc=$?
  echo "${line:-udp-send-floor FAILED} rc=$rc" | tee -a "$out/tsfanout.txt"
}

step_idle() {
  note_cmd "node --import tsx tools/bench/idle-cost.ts --window $idle_window --pushes $idle_pushes --streams $idle_streams"
  node --import tsx tools/bench/idle-cost.ts --window "$idle_window" --pushes "$idle_pushes" --streams "$idle_streams" |
    tee "$out/idle.txt"
}

step_chunking() {
  local file=${CHUNK_FILE:-$SRC}
  if [[ ! -r $file ]]; then
    file=bench-out/bench-300s-5mbps.flv
    [[ -r $file ]] || { note_cmd "tools/make-fixtures.sh bench $file"; tools/make-fixtures.sh bench "$file" >/dev/null; }
  fi
  note_cmd "FANOUT=$chunk_n SINGLE_S=$chunk_single FANOUT_S=$chunk_fanout node --import tsx tools/bench/rtmp-chunking.ts $file"
  FANOUT=$chunk_n SINGLE_S=$chunk_single FANOUT_S=$chunk_fanout node --import tsx tools/bench/rtmp-chunking.ts "$file" |
    tee "$out/chunking.json"
}

# The pid of the process listening on the ingest port (nginx: its worker, not the master).
ingest_pid() {
  local pid
  for pid in $(ss -ltnpH "sport = :$INGEST_PORT" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    [[ $1 == nginx && $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) != *worker* ]] && continue
    echo "$pid"
    return 0
  done
  return 1
}

profile_one() { # SYSTEM: the harness at PROFILE_N in the background, perf attached PROFILE_DELAY s into its window
  local sys=$1 rc=0 run="" pid="" i harness_pid data=$out/perf-$1.data
  local cmd
  cmd=$(project_cmd --perf-basic-prof)
  PROJECT_CMD=$cmd "$harness/fanout.sh" "$sys" "$profile_n" "$profile_window" >"$out/profile-$sys.txt" 2>"$out/profile-$sys.err" &
  harness_pid=$!
  for ((i = 0; i < 600; i++)); do # the publisher starts once the SUT is up and the pushes are created
    run=$(run_dir_of "$out/profile-$sys.err")
    [[ -n $run && -s $run/pids/publisher.pid ]] && break
    kill -0 "$harness_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -n $run && -s $run/pids/publisher.pid ]]; then
    sleep "$profile_delay"
    pid=$(ingest_pid "$sys") || true
  fi
  if [[ -n $pid ]]; then
    [[ $sys == project ]] && note_cmd "PROJECT_CMD=\"$cmd\" $harness/fanout.sh project $profile_n $profile_window &  # then ${profile_delay} s into its window:"
    [[ $sys == nginx ]] && note_cmd "$harness/fanout.sh nginx $profile_n $profile_window &  # then ${profile_delay} s into its window, PID = the nginx worker on :$INGEST_PORT (ss -ltnpH):"
    note_cmd "perf record -F 999 -g -p PID -- sleep $profile_seconds; perf script -F pid,tid,ip,sym,dso | node --import tsx tools/bench/perf-summary.ts $sys"
    perf record -F 999 -g -o "$data" -p "$pid" -- sleep "$profile_seconds" 2>>"$out/profile-$sys.err" || rc=$?
  else
    echo "profile: $sys: no process on :$INGEST_PORT after the publisher started (see $out/profile-$sys.err)"
    rc=1
  fi
  wait "$harness_pid" || true
  if ((rc == 0)) && [[ -s $data ]]; then
    perf script -i "$data" -F pid,tid,ip,sym,dso >"$out/perf-$sys.script" 2>/dev/null || true
    node --import tsx tools/bench/perf-summary.ts "$sys" <"$out/perf-$sys.script" | tee -a "$out/profile.txt" ||
      echo "{\"system\":\"$sys\",\"error\":\"perf-summary failed\"}" | tee -a "$out/profile.txt"
    gzip -f "$out/perf-$sys.script" # kept beside the summary (JIT symbols resolved)
  else
    echo "{\"system\":\"$sys\",\"error\":\"perf record failed (rc $rc)\"}" | tee -a "$out/profile.txt"
  fi
  [[ $sys != project || ! $pid =~ ^[0-9]+$ ]] || rm -f "/tmp/perf-$pid.map" # --perf-basic-prof's symbol map
  rm -f "$data"
  kill_leftovers
}

step_profile() {
  if ! command -v perf >/dev/null; then
    echo "profile: skipped, perf is not installed (Debian: linux-perf)" | tee "$out/profile.skipped"
    return 0
  fi
  if ! perf record -q -o "$work/perf-check.data" -- true >"$work/perf-check.log" 2>&1; then
    echo "profile: skipped, perf cannot record here: $(head -c 300 "$work/perf-check.log" | tr '\n' ' ')" | tee "$out/profile.skipped"
    return 0
  fi
  profile_one project
  sleep 2
  profile_one nginx
}

step_capacity() {
  note_cmd "node --import tsx tools/bench/cluster-fanout.ts --pushes \"$ns\" --seconds $seconds --file $SRC"
  node --import tsx tools/bench/cluster-fanout.ts --pushes "$ns" --seconds "$seconds" --file "$SRC" | tee "$out/capacity.txt"
}

# A process on one of our ports that a step started and left behind (matched by its command line:
# our temp dir, the harness's run dirs, tsfanout's ffmpeg tee outputs) is stopped by its pid;
# anything else is named and left alone.
kill_leftovers() {
  local p pid cmd parent
  for p in "${tcp_ports[@]}"; do
    for pid in $(ss -Hltnp "sport = :$p" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
      cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
      parent=$(tr '\0' ' ' <"/proc/$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)/cmdline" 2>/dev/null) || parent=""
      if [[ "$cmd $parent" == *"$work/"* || "$cmd $parent" == *"$FANOUT_DIR/runs/"* || $cmd == *"udp://127.0.0.1:$UDP_BASE?"* ]]; then
        echo "pnpm bench: stopping leftover pid $pid on :$p ($cmd)"
        kill -TERM "$pid" 2>/dev/null || true
      else
        echo "pnpm bench: :$p is held by pid $pid ($cmd), not started by this run: left alone"
      fi
    done
  done
}

if [[ ${1:-} == --step ]]; then
  "step_$2"
  exit
fi

# ---------------------------------------------------------------- main
write=1
for a in "$@"; do
  case $a in
    --list) list || true; exit 0 ;;
    --no-write) write=0 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$self" || true; exit 0 ;;
    *) echo "pnpm bench: unknown argument $a (--list, --no-write)" >&2 && exit 2 ;;
  esac
done
set_=${BENCH_SET:-fanout latency tsfanout idle chunking profile}
has() { [[ " $set_ " == *" $1 "* ]]; }
for step in $set_; do
  case $step in fanout | latency | tsfanout | idle | chunking | profile | capacity) ;;
    *) echo "pnpm bench: unknown step $step (fanout latency tsfanout idle chunking profile capacity)" >&2 && exit 2 ;;
  esac
done

# peers: checked first, named when missing, never installed
missing=()
for tool in node pnpm ffmpeg ffprobe nginx curl jq python3 ss timeout git awk; do command -v "$tool" >/dev/null || missing+=("$tool"); done
dpkg -L libnginx-mod-rtmp 2>/dev/null | grep -q 'ngx_rtmp_module.so$' || [[ -n ${RTMP_MODULE:-} ]] || missing+=(libnginx-mod-rtmp)
nms_install=0
if has fanout && [[ " $systems " == *" nms "* && ! -f $NMS_DIR/bin/app.js ]]; then
  nms_install=1
  command -v npm >/dev/null || missing+=("npm (the harness installs node-media-server with it)")
fi
has capacity && ! command -v redis-server >/dev/null && missing+=("redis-server (capacity step)")
if ((${#missing[@]} > 0)); then
  echo "pnpm bench: missing ${missing[*]} (Debian: apt-get install nginx libnginx-mod-rtmp ffmpeg curl jq python3 iproute2 coreutils); nothing was installed" >&2
  exit 1
fi
if ! [[ -x $harness/fanout.sh && -r $harness/tsfanout.py && -r $harness/Server.xml ]]; then
  echo "pnpm bench: the shared fan-out harness is not at $harness (set FANOUT_HARNESS)" >&2
  exit 1
fi
busy=()
for p in "${tcp_ports[@]}"; do
  [[ -z $(ss -Hltn "sport = :$p") ]] || busy+=("tcp :$p ($(ss -Hltnp "sport = :$p" | grep -o 'users:.*' | head -1))")
done
[[ -z $(ss -Hlun "( sport >= :$UDP_BASE and sport < :$((UDP_BASE + ts_n)) )") ]] || busy+=("udp :$UDP_BASE-$((UDP_BASE + ts_n - 1))")
if ((${#busy[@]} > 0)); then
  echo "pnpm bench: ports in use: ${busy[*]}; stop those or move them (INGEST_PORT SINK_PORT SINK_HTTP_PORT PROJECT_API_PORT NMS_HTTP_PORT UDP_BASE)" >&2
  exit 1
fi

# plan: expected time and the bound (every step's timeout), printed before anything runs
count() { wc -w <<<"$1"; }
fanout_runs=$(($(count "$systems") * $(count "$ns") * reps))
declare -A expect=(
  [build]=60 [fanout]=$((fanout_runs * (seconds + 6) + $(count "$ns") * reps * (seconds + 4) + nms_install * 40)) [latency]=$((seconds + 12))
  [tsfanout]=$((3 * ts_seconds + 15)) [idle]=$((5 * (idle_window + 3) + 15)) [chunking]=$((40 + 3 * chunk_fanout))
  [profile]=$((2 * (profile_window + 8))) [capacity]=$(($(count "$ns") * 3 * (seconds + 15)))
)
declare -A limit=(
  [build]=600 [fanout]=$((fanout_runs * (seconds + 95) + $(count "$ns") * reps * (seconds + 50) + 120)) [latency]=$((seconds + 100))
  [tsfanout]=$((3 * ts_seconds + 200)) [idle]=$((5 * (idle_window + 3) + 180)) [chunking]=$((300 + 6 * chunk_fanout))
  [profile]=$((2 * (profile_window + 150))) [capacity]=$((2 * ${expect[capacity]} + 120))
)
steps=(build $set_)
if [[ -n ${BENCH_STEP_TIMEOUT:-} ]]; then # caps every step's timeout (to try the timeout path)
  for s in "${steps[@]}"; do ((limit[$s] < BENCH_STEP_TIMEOUT)) || limit[$s]=$BENCH_STEP_TIMEOUT; done
fi
total_expect=0 total_limit=0
for s in "${steps[@]}"; do
  total_expect=$((total_expect + ${expect[$s]})) total_limit=$((total_limit + ${limit[$s]}))
done

mkdir -p bench-out "$FANOUT_DIR"
export out=$root/bench-out/bench-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
exec > >(tee "$out/log.txt") 2>&1
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")
export work
step_pid=""
cleanup() {
  [[ -z $step_pid ]] || kill -TERM "$step_pid" 2>/dev/null || true
  [[ -z ${work:-} ]] || rm -rf "${work:?}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# the harness's Server.xml with our ports
sed -e "s/18081/$PROJECT_API_PORT/" -e "s/19350/$INGEST_PORT/" "$harness/Server.xml" >"$work/Server.xml"

echo "pnpm bench: ${steps[*]}; expected ~$(((total_expect + 59) / 60)) min, at most $(((total_limit + 59) / 60)) min (each step under a timeout)"
echo "  fanout: $systems x N=$ns, ${seconds} s x $reps; ports tcp ${tcp_ports[*]}, udp $UDP_BASE+; raw outputs in $out"
((nms_install == 0)) || echo "  node-media-server@4.4.3 is not in $FANOUT_DIR/nms: the harness installs it there from npm on its first nms run (the only install of this run)"
has profile && ! command -v perf >/dev/null && echo "  profile: perf is not installed (Debian: linux-perf): that step will be skipped"
[[ -r $SRC ]] || echo "  the harness makes its 300 s source $SRC first (ffmpeg, ~1-2 min)"

{
  echo "date=$(date -u +%FT%TZ)"
  echo "root=$root"
  echo "steps=${steps[*]}"
  echo "nproc=$(nproc)"
  echo "cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
  echo "mem_mb=$(awk '/MemTotal/ { printf "%.0f", $2 / 1024 }' /proc/meminfo)"
  echo "kernel=$(uname -sr)"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "node=$(node --version)"
  echo "ffmpeg=$(ffmpeg -version | head -1 | cut -d' ' -f3)"
  echo "nginx=$(nginx -v 2>&1 | sed 's/.*nginx\///')"
  echo "nginx_rtmp=$(dpkg-query -W -f='${Version}' libnginx-mod-rtmp 2>/dev/null || echo '?')"
  echo "python=$(python3 --version | cut -d' ' -f2)"
  echo "perf=$(perf --version 2>/dev/null | cut -d' ' -f3 || true)"
  echo "commit=$(git rev-parse --short HEAD)"
  echo "commit_subject=$(git log -1 --format=%s)"
  echo "dirty=$(git status --porcelain --untracked-files=no | wc -l)"
  echo "systems=$systems"
  echo "ns=$ns"
  echo "seconds=$seconds"
  echo "reps=$reps"
  echo "latency_n=$latency_n"
  echo "ts_n=$ts_n"
  echo "ts_seconds=$ts_seconds"
  echo "idle_window=$idle_window"
  echo "idle_pushes=$idle_pushes"
  echo "idle_streams=$idle_streams"
  echo "profile_n=$profile_n"
  echo "profile_seconds=$profile_seconds"
  echo "profile_delay=$profile_delay"
  echo "profile_window=$profile_window"
  echo "expected_s=$total_expect"
  echo "limit_s=$total_limit"
} >"$out/machine.txt"
{
  echo "harness=$harness  # the shared fan-out harness"
  echo "d=\$(mktemp -d); sed -e s/18081/$PROJECT_API_PORT/ -e s/19350/$INGEST_PORT/ \$harness/Server.xml >\$d/Server.xml"
  echo "export FANOUT_DIR=${FANOUT_DIR//"$root"/\$PWD} PROJECT_API_TOKEN=$PROJECT_API_TOKEN INGEST_PORT=$INGEST_PORT SINK_PORT=$SINK_PORT SINK_HTTP_PORT=$SINK_HTTP_PORT PROJECT_API_PORT=$PROJECT_API_PORT NMS_HTTP_PORT=$NMS_HTTP_PORT UDP_BASE=$UDP_BASE"
} >"$out/commands.txt"
printf 'step\tstatus\trc\tseconds\tlimit_s\n' >"$out/steps.tsv"

t_run=$SECONDS
for s in "${steps[@]}"; do
  echo
  echo "## $s (expected ~${expect[$s]} s, at most ${limit[$s]} s) $(date -u +%T)"
  t0=$SECONDS rc=0
  timeout -k 20 "${limit[$s]}" "$self" --step "$s" &
  step_pid=$!
  wait "$step_pid" || rc=$?
  step_pid=""
  status=ok
  ((rc == 0)) || status=failed
  ((rc != 124 && rc != 137)) || status=timeout
  [[ ! -e $out/$s.skipped ]] || status=skipped
  printf '%s\t%s\t%s\t%s\t%s\n' "$s" "$status" "$rc" "$((SECONDS - t0))" "${limit[$s]}" >>"$out/steps.tsv"
  echo "## $s: $status after $((SECONDS - t0)) s"
  kill_leftovers
  if [[ $s == build && $status != ok ]]; then
    echo "pnpm bench: the build failed; nothing measured"
    exit 1
  fi
done
{
  echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "duration_s=$((SECONDS - t_run))"
  echo "nms=$(jq -r .version "$NMS_DIR/package.json" 2>/dev/null || echo '')"
} >>"$out/machine.txt"

echo
args=("$out")
((write == 1)) || args+=(--no-write)
node --import tsx tools/bench/write-benchmarks.ts "${args[@]}"
echo "pnpm bench: done in $(((SECONDS - t_run + 30) / 60)) min; raw outputs and section.md in $out"
