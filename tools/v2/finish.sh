#!/usr/bin/env bash
# Finishes bundled model v2 (issue #16) from a finished `train --recipe world2` run: the accuracy curve over its
# snapshots, the final EMA exported as fp16, the >= 480-clip evaluations (canonical and free words), the gallery.
# Run it with the machine otherwise idle (each stage is timed; evaluation is about 1 s a clip on 2 cores).
# Usage: tools/v2/finish.sh [RUN] [OUT]   (defaults: runs/v2b, runs/v2-final). It does not touch models/: moving
# the result into models/default (and today's model to models/shapes-32) is a reviewed commit of its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
run=${1:-runs/v2b}
out=${2:-runs/v2-final}
dotnet build src/VidGen.Cli -c Release -v q -nologo
vidgen() { dotnet src/VidGen.Cli/bin/Release/net10.0/VidGen.Cli.dll "$@"; }
stage() { local name=$1; shift; local t0=$SECONDS; "$@"; echo "finish.sh: $name took $((SECONDS - t0)) s"; }

stage curve        vidgen curve "$run" --clips 96 --out docs/world2-curve.md
stage curve-free   vidgen curve "$run" --clips 96 --free-words --out docs/world2-curve-free.md
stage export       vidgen export --model "$run" --out "$out" --dtype f16
stage eval         vidgen eval --world world2 --model "$out" --clips 480 --json docs/world2-eval.json --save-failures "$out/failures"
stage eval-free    vidgen eval --world world2 --model "$out" --clips 480 --free-words --json docs/world2-eval-free.json
stage gallery      vidgen gallery --model "$out" --out docs/gallery
stage generate     /usr/bin/time -v dotnet src/VidGen.Cli/bin/Release/net10.0/VidGen.Cli.dll generate "a red star moving left on the grass" --model "$out" --out "$out/check.gif"
