#!/usr/bin/env bash
# Compiles every kernels/*.cu with the nvcc on the PATH into a fatbin holding SASS for
# sm_80 and sm_90 plus compute_80 PTX (JIT fallback for newer GPUs), warnings as errors,
# and writes them with a manifest (kernels.properties: sources.sha256, nvcc, archs) where
# the Java side loads them as classpath resources (dev/morse/backend/cuda/kernels/).
#
#   native/build-kernels.sh [OUTDIR]     default: target/classes/dev/morse/backend/cuda/kernels
#
# Without nvcc it prints why and exits 0 (the CUDA backend then compiles the kernels at run
# time with NVRTC), unless MORSE_REQUIRE_NVCC=1, or CI=true (CI machines have nvcc) and
# MORSE_REQUIRE_NVCC is not 0: then a missing nvcc fails.
# A kernel that does not compile (or warns) always fails the build. Up-to-date outputs
# (same source hash, same nvcc) are kept.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/target/classes/dev/morse/backend/cuda/kernels}
nvcc=${NVCC:-nvcc}
archs="sm_80 sm_90"
ptx_arch=compute_80

# Same hash as dev.morse.backend.cuda.KernelSources.sha256(): the sources' bytes
# concatenated in byte order of their file names.
hash=$(cd "$root/kernels" && ls -1 -- *.cu *.cuh | LC_ALL=C sort | xargs cat | sha256sum | cut -d' ' -f1)
manifest="$out/kernels.properties"

if ! command -v "$nvcc" >/dev/null 2>&1; then
    if [ -f "$manifest" ] && ! grep -qxF "sources.sha256=$hash" "$manifest"; then
        # fatbins of older sources must not survive a build that cannot replace them
        rm -f "$out"/*.fatbin "$manifest"
        echo "[morse] removed stale prebuilt kernels from $out" >&2
    fi
    require=${MORSE_REQUIRE_NVCC:-}
    if [ -z "$require" ] && [ "${CI:-}" = true ]; then
        require=1
    fi
    if [ "$require" = 1 ]; then
        echo "[morse] error: nvcc not found on PATH, and it is required here (MORSE_REQUIRE_NVCC=1 or CI=true)" >&2
        exit 1
    fi
    echo "[morse] nvcc not found on PATH: CUDA kernels not prebuilt; the CUDA backend will compile them at run time with NVRTC" >&2
    exit 0
fi

nvcc_version=$("$nvcc" --version | grep -E '^Cuda compilation tools' | sed 's/^Cuda compilation tools, //')
if [ -f "$manifest" ] && grep -qxF "sources.sha256=$hash" "$manifest" \
        && grep -qxF "nvcc=$nvcc_version" "$manifest"; then
    echo "[morse] CUDA kernels up to date ($out)"
    exit 0
fi

gencode=()
for a in $archs; do
    gencode+=(-gencode "arch=compute_${a#sm_},code=$a")
done
gencode+=(-gencode "arch=$ptx_arch,code=$ptx_arch")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
modules=()
for src in "$root"/kernels/*.cu; do
    name=$(basename "$src" .cu)
    modules+=("$name")
    echo "[morse] nvcc $name.cu -> $name.fatbin ($archs + $ptx_arch PTX)"
    "$nvcc" -fatbin -std=c++17 -Werror all-warnings -Xptxas -Werror \
        "${gencode[@]}" -I "$root/kernels" -o "$tmp/$name.fatbin" "$src"
done

{
    echo "# written by native/build-kernels.sh"
    echo "sources.sha256=$hash"
    echo "nvcc=$nvcc_version"
    echo "archs=$archs"
    echo "ptx=$ptx_arch"
    echo "modules=${modules[*]}"
} > "$tmp/kernels.properties"

mkdir -p "$out"
for name in "${modules[@]}"; do
    mv -f "$tmp/$name.fatbin" "$out/$name.fatbin"
done
mv -f "$tmp/kernels.properties" "$manifest"
echo "[morse] CUDA kernels built into $out"
