#!/usr/bin/env bash
# Builds the host harness: the kernels of kernels/*.cu compiled for the CPU with the
# CUDA execution model simulated (native/harness/host_sim.h). Warnings are errors; no
# floating-point contraction, so the host arithmetic is IEEE double like Java's.
#
#   native/build-harness.sh [OUTPUT]     default: target/native/morse-harness
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/target/native/morse-harness}
cxx=${CXX:-g++}
mkdir -p "$(dirname "$out")"
"$cxx" -std=c++17 -O2 -ffp-contract=off -fno-fast-math -Wall -Wextra -Werror \
    -Wno-unused-function -I "$root/native/harness" -I "$root/kernels" \
    -o "$out" "$root/native/harness/harness.cpp"
