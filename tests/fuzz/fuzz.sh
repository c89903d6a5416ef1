#!/usr/bin/env bash
# Fuzzes one VidGen parser with afl-fuzz and SharpFuzz for a fixed time, then prints what it found.
#
#   tests/fuzz/fuzz.sh TARGET SECONDS        e.g.  nice -n 19 tests/fuzz/fuzz.sh gif 600
#
# Needs (installs nothing itself):
#   afl-fuzz    Debian/Ubuntu: apt-get install afl++
#   sharpfuzz   dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path tests/fuzz/.tools
#   dotnet      the SDK of global.json
# Targets: dotnet tests/fuzz/.tools/publish/VidGen.Fuzz.dll --list (or the folders of tests/fuzz/corpus).
# Environment: FUZZ_INSTRUMENT  assemblies to instrument (default "VidGen.dll"; add SixLabors.ImageSharp.dll to
#              steer by the decoders' coverage too). Findings go to tests/fuzz/findings/TARGET (kept between runs:
#              a rerun resumes). Exit status 1 when afl-fuzz saved a crash.
set -euo pipefail

if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 TARGET SECONDS" >&2
  exit 2
fi
target=$1
seconds=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
corpus=$root/tests/fuzz/corpus/$target
findings=$root/tests/fuzz/findings/$target
tools=$root/tests/fuzz/.tools
publish=$tools/publish
instrument=${FUZZ_INSTRUMENT:-VidGen.dll}

if [[ ! -d $corpus ]]; then
  echo "no corpus for '$target' ($corpus); targets: $(ls "$root/tests/fuzz/corpus" | tr '\n' ' ')" >&2
  exit 2
fi
missing=0
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; missing=1; }
[[ -x $tools/sharpfuzz ]] || { echo "sharpfuzz not found: dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path tests/fuzz/.tools" >&2; missing=1; }
command -v dotnet >/dev/null || { echo "dotnet not found: install the .NET SDK of global.json" >&2; missing=1; }
(( missing == 0 )) || exit 2

# Publish, then instrument. An instrumented copy cannot be instrumented again, so the assemblies to instrument
# are removed first and publish copies them fresh.
for dll in $instrument; do rm -f "$publish/$dll"; done
echo "== publishing tests/VidGen.Fuzz to $publish"
dotnet publish "$root/tests/VidGen.Fuzz/VidGen.Fuzz.csproj" -c Release -o "$publish" --nologo -v quiet
for dll in $instrument; do
  echo "== instrumenting $dll"
  "$tools/sharpfuzz" "$publish/$dll"
done

# dotnet is not an AFL-instrumented binary (SharpFuzz reports the coverage): skip afl-fuzz's binary check. The CPU
# governor and core_pattern checks are for native targets; a machine busy with other work has no free core to bind.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export AFL_AUTORESUME=1 AFL_NO_UI=1
mkdir -p "$findings"
echo "== afl-fuzz $target for $seconds s (findings in $findings)"
set +e
afl-fuzz -i "$corpus" -o "$findings" -t 5000 -m none -V "$seconds" -- dotnet "$publish/VidGen.Fuzz.dll" "$target" > "$findings/afl-fuzz.log" 2>&1
status=$?
set -e
# The harness's input folders of killed children (one per process id) are left behind; remove those whose process is gone.
for d in "${TMPDIR:-/tmp}"/vidgen-fuzz-*; do
  [[ -d $d ]] || continue
  pid=${d##*-}
  [[ $pid =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null && rm -rf "$d"
done

stats=$findings/default/fuzzer_stats
if [[ ! -f $stats ]]; then
  echo "afl-fuzz wrote no fuzzer_stats (exit $status); the end of its log:" >&2
  tail -n 30 "$findings/afl-fuzz.log" >&2
  exit 2
fi
stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
echo "== results for $target"
for key in run_time execs_done execs_per_sec corpus_count bitmap_cvg saved_crashes saved_hangs; do
  printf '%-14s %s\n' "$key" "$(stat "$key")"
done
crashes=$(find "$findings/default/crashes" -type f -name 'id:*' 2>/dev/null | sort)
hangs=$(find "$findings/default/hangs" -type f -name 'id:*' 2>/dev/null | sort)
if [[ -n $crashes ]]; then
  echo "== crash inputs (triage: dotnet $publish/VidGen.Fuzz.dll $target --replay FILE)"
  echo "$crashes"
fi
if [[ -n $hangs ]]; then
  echo "== hang inputs (over 5 s)"
  echo "$hangs"
fi
[[ -z $crashes ]]
