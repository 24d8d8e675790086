#!/usr/bin/env bash
# Builds the libtorch peer quietly: bench/target/classes and, via maven-dependency-plugin's
# build-classpath (bound in bench/pom.xml), its runtime class path in bench/target/classpath.txt.
# Run the peer with:
#   java -cp bench/target/classes:$(cat bench/target/classpath.txt) dev.morse.bench.torch.TorchPeer ...
# Extra arguments go to Maven (e.g. -o for offline). Tests are skipped here; run them with
#   mvn -q -B -f bench/pom.xml test
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Maven -q still writes colour codes to stdout; keep its output and show it only on failure.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! mvn -q -B -f "$here/pom.xml" -DskipTests "$@" package >"$log" 2>&1; then
  cat "$log" >&2
  echo "bench/build.sh: building the libtorch peer failed" >&2
  exit 1
fi
if [[ ! -s "$here/target/classpath.txt" || ! -f "$here/target/classes/dev/morse/bench/torch/TorchPeer.class" ]]; then
  echo "bench/build.sh: build finished but bench/target/classes or bench/target/classpath.txt is missing" >&2
  exit 1
fi
