# Shared by the tools/bench/run-*.sh benchmarks (sourced, not run): measuring one process
# under /usr/bin/time -v, medians and maxima of runs, and the build and start of Sluice's
# bench scripts so that every benchmark treats Sluice and its peers alike.
#   measure CMD...           → "wall_seconds peak_rss_kb [the command's JSON line with \"MBps\"]"
#   median / max             → of numbers on stdin, one per line
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

# Median (the lower middle one of an even count) of numbers on stdin.
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Largest of numbers on stdin.
max() { sort -n | tail -1; }

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
