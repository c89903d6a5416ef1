#!/bin/bash
# What each autoencoder loss term buys: the same 400-step run (world2, seed 0, one thread) with each loss mix,
# then the judge and PSNR on 160 reconstructed ground-truth clips. About 25 minutes on 2 cores (two runs can go
# side by side, one thread each). Results: README, "Latent diffusion".
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/VidGen.Cli -c Release -v q
V="dotnet src/VidGen.Cli/bin/Release/net10.0/VidGen.Cli.dll"
declare -A MIX=(
  [l2]="--l1 0 --l2 1 --edge 0"
  [l1]="--l1 1 --l2 0 --edge 0"
  [l1-edge]="--l1 1 --l2 0 --edge 1"
  [l1-edge-adv]="--l1 1 --l2 0 --edge 1 --adversarial 0.1 --adversarial-start 200"
)
for name in l2 l1 l1-edge l1-edge-adv; do
  # shellcheck disable=SC2086
  $V train-autoencoder --world world2 --out "runs/abl-$name" --steps 400 --checkpoint-every 400 --validation-clips 32 --threads 1 ${MIX[$name]}
  $V eval --world world2 --ground-truth --autoencoder "runs/abl-$name" --clips 160 --threads 1 --json "runs/abl-$name-eval.json"
done
