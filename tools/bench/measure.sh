# Shared by the tools/bench/run-*.sh benchmarks (sourced, not run; it changes to the
# repository root): measuring one process under /usr/bin/time -v, collecting and
# summarising runs, and the build and start of Sluice's bench scripts so that every
# benchmark treats Sluice and its peers alike.
#   runs                     → RUNS from the environment, default 5
#   bench_flv [FILE.flv]     → the FLV input (default the 300 s 5 Mb/s file), made if missing
#   measure CMD...           → "wall_seconds peak_rss_kb [the command's JSON line with \"MBps\"]"
#   record RUN TOOL LINE     → adds a measure line to WALL, RSS, INNER, CPU, START[TOOL]
#   median / max             → of numbers on stdin, one per line
#   median_of / max_of LIST  → of a space-separated list (as record keeps them)
#   peak_rss_mb TOOL         → largest peak RSS of TOOL's runs, MB
#   machine                  → "N CPUs, load average …; node …; ffmpeg version …" for a table's caption
#   table_caption TEXT       → a blank line, "TEXT; machine. N runs each, interleaved; …", a blank line
#   table_head COLUMN...     → a Markdown table's head row and its separator
#   tool_row TOOL CMD BYTES [in-process-rate] → TOOL's row of a results table (wall, rates, RSS)
#   bench_bundle SRC OUT [ESBUILD_OPTION...] → esbuild bundle of a bench script (CommonJS if OUT ends .cjs)
#   "${nodejs[@]}" ARGS...   → node as the benchmarks run it

# Runs a command under /usr/bin/time -v; prints "wall_seconds peak_rss_kb [json]", where json
# is the line of the command's stdout holding "MBps", if any. Exits on failure, showing the logs.
measure() {
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" >"$log.out" 2>"$log" || { cat "$log" "$log.out" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
  echo "$wall $rss $(grep -h '"MBps"' "$log.out" || true)"
  rm -f "$log" "$log.out"
}

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# shellcheck disable=SC2034 # used by the scripts that source this file
runs=${RUNS:-5}

# Prints the FLV input: FILE, default bench-out/bench-300s-5mbps.flv, made by
# tools/make-fixtures.sh bench (with the .ts beside it) when missing.
bench_flv() {
  local f=${1:-bench-out/bench-300s-5mbps.flv}
  [ -f "$f" ] || tools/make-fixtures.sh bench "$f" >&2
  echo "$f"
}

# Per tool, space-separated over the runs: wall seconds, peak RSS kB, and from the tool's
# JSON line (Sluice's bench scripts) in-process wall and CPU seconds and start-up seconds.
declare -gA WALL RSS INNER CPU START

# Adds the measure output LINE of run RUN of TOOL to the arrays above; logs it on stderr.
record() {
  local wall rss json
  read -r wall rss json <<<"$3"
  WALL[$2]+="$wall "
  RSS[$2]+="$rss "
  if [ -n "$json" ]; then
    INNER[$2]+="$(json_number seconds "$json") "
    CPU[$2]+="$(json_number cpuSeconds "$json") "
    if grep -q '"startupSeconds"' <<<"$json"; then START[$2]+="$(json_number startupSeconds "$json") "; fi
  fi
  echo "run $1 $2: wall ${wall}s rss ${rss}kB $json" >&2
}

# The number of field NAME in the one-line JSON object JSON.
json_number() { sed -E "s/.*\"$1\":([0-9.]+).*/\1/" <<<"$2"; }

# Median (the lower middle one of an even count) of numbers on stdin.
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Largest of numbers on stdin.
max() { sort -n | tail -1; }

# Median and largest of a space-separated list.
median_of() { tr ' ' '\n' <<<"$1" | grep . | median; }
max_of() { tr ' ' '\n' <<<"$1" | grep . | max; }

# Largest peak RSS of the recorded runs of TOOL, in MB.
peak_rss_mb() { awk -v k="$(max_of "${RSS[$1]}")" 'BEGIN { printf "%.0f", k / 1024 }'; }

# Throughput in MB/s, rounded: mbps BYTES SECONDS.
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1e6 / s }'; }

# What the figures were measured on, for a table's caption.
machine() { echo "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); node $(node --version); $(ffmpeg -version | head -1 | cut -d' ' -f1-3)"; }

# Bundles the bench script SRC into OUT with esbuild (root dev dependency) for plain node:
# Sluice runs as built output, one file as an application would ship, no tsx at run time.
# --tsconfig makes every file (the packages' own sources too) resolve @sluice/* to src
# through the root paths, never to a stale dist/. An OUT ending in .cjs is CommonJS: Node
# starts it without loading its ESM loader (~8 ms). Further arguments go to esbuild.
bench_bundle() {
  local format=esm
  case $2 in *.cjs) format=cjs ;; esac
  mkdir -p "$(dirname "$2")"
  node_modules/.bin/esbuild "$1" --bundle --format="$format" --platform=node --log-level=warning --tsconfig=tsconfig.json --outfile="$2" "${@:3}"
}

# Node without NODE_EXTRA_CA_CERTS: when this machine's environment sets it, every Node
# process parses that CA bundle before running anything (~50 ms); no bench uses TLS.
# shellcheck disable=SC2034 # used by the scripts that source this file
nodejs=(env -u NODE_EXTRA_CA_CERTS node)

# A results table's caption: what was measured (TEXT), on what (machine) and how, between blank lines.
# TEXT's "; medians." style ending is the caller's: table_caption TEXT [HOW], HOW by default
# "median wall time, largest peak RSS".
table_caption() {
  echo
  echo "$1; $(machine). $runs runs each, interleaved; ${2:-median wall time, largest peak RSS}."
  echo
}

# A Markdown table's head row ("| a | b |") and separator ("|---|---|").
table_head() {
  printf '| %s ' "$@"
  echo '|'
  printf '|---%.0s' "$@"
  echo '|'
}

# TOOL's row of a results table, from its recorded runs over BYTES of input, CMD the command
# shown for it:
#   | TOOL | `CMD` | wall s | MB/s (wall) | in-process wall / CPU s | [MB/s (in-process) |] start-up s | peak RSS MB |
# medians (RSS: the largest), "–" where the tool printed no JSON line; the MB/s (in-process)
# column only with a fourth argument `in-process-rate`. BYTES 0 is the start-up reference
# (node -e 0): no rates, its whole wall time as its start-up.
tool_row() {
  local t=$1 w rate=– inner=– inrate=– st=– in
  w=$(median_of "${WALL[$t]}")
  if [ "$3" = 0 ]; then st=$w; else rate=$(mbps "$3" "$w"); fi
  if [ -n "${INNER[$t]:-}" ]; then
    in=$(median_of "${INNER[$t]}")
    inner="$in / $(median_of "${CPU[$t]}")"
    inrate=$(mbps "$3" "$in")
  fi
  if [ -n "${START[$t]:-}" ]; then st=$(median_of "${START[$t]}"); fi
  if [ "${4:-}" = in-process-rate ]; then inner+=" | $inrate"; fi
  echo "| $t | \`$2\` | $w | $rate | $inner | $st | $(peak_rss_mb "$t") |"
}
