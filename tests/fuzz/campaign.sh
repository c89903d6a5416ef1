#!/usr/bin/env bash
# Runs tests/fuzz/fuzz.sh on several targets in turn and prints README's per-target table from their fuzzer_stats.
#
#   tests/fuzz/campaign.sh SECONDS [TARGET...]     e.g.  nice -n 5 tests/fuzz/campaign.sh 300 webp png
#
# No targets: every folder of tests/fuzz/corpus. A target that saved crashes does not stop the campaign (triage them
# after it: fuzz.sh prints the files). Only prints the table with SECONDS=0 (the findings of earlier runs).
set -uo pipefail
if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 SECONDS [TARGET...]" >&2
  exit 2
fi
seconds=$1
shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
targets=("$@")
(( ${#targets[@]} > 0 )) || mapfile -t targets < <(ls "$root/tests/fuzz/corpus")

if (( seconds > 0 )); then
  for target in "${targets[@]}"; do
    echo "== $(date -u +%FT%TZ) $target"
    "$root/tests/fuzz/fuzz.sh" "$target" "$seconds"
    rc=$? # before the line below: its $(date) would reset $?
    echo "== $(date -u +%FT%TZ) $target exit $rc"
  done
fi

echo "| target | s | executions | /s | corpus | edges | coverage | crashes / hangs |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for target in "${targets[@]}"; do
  stats=$root/tests/fuzz/findings/$target/default/fuzzer_stats
  [[ -f $stats ]] || { echo "| $target | - | not run | | | | | |"; continue; }
  awk -F' *: *' -v t="$target" '
    function group(n,   s) { n = int(n); s = ""; while (n >= 1000) { s = sprintf(",%03d", n % 1000) s; n = int(n / 1000) } return n s }
    { v[$1] = $2 }
    END {
      printf "| %s | %d | %s | %s | %d | %d | %s | %d / %d |\n", t, v["run_time"], group(v["execs_done"]),
        group(v["execs_per_sec"]), v["corpus_count"], v["edges_found"], v["bitmap_cvg"], v["saved_crashes"], v["saved_hangs"]
    }' "$stats"
done
