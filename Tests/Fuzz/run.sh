#!/usr/bin/env bash
# `make fuzz`: builds each harness with libFuzzer and AddressSanitizer
# (swiftc -sanitize=fuzzer,address) against CloseupKit and CloseupCLI compiled
# the same way, and runs each for FUZZ_SECONDS (default 60) from the committed
# seeds in corpus/<target>. A crash, leak, out-of-memory or timeout stops the
# run and leaves its input in .build-fuzz/<target>/; turn it into a regression test.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-60}
out=.build-fuzz
mkdir -p "$out"
flags=(-sanitize=fuzzer,address -enable-testing -O -I Sources/CHiredis -I Sources/CSQLite -I Sources/COpenSSL -I "$out")
echo "fuzz: building CloseupKit and CloseupCLI instrumented" >&2
swiftc "${flags[@]}" -parse-as-library -emit-library -static -emit-module -module-name CloseupKit \
  -emit-module-path "$out/CloseupKit.swiftmodule" -o "$out/libCloseupKit.a" $(find Sources/CloseupKit -name '*.swift')
swiftc "${flags[@]}" -parse-as-library -emit-library -static -emit-module -module-name CloseupCLI \
  -emit-module-path "$out/CloseupCLI.swiftmodule" -o "$out/libCloseupCLI.a" $(find Sources/CloseupCLI -name '*.swift')
for harness in Tests/Fuzz/*.swift; do
  target=$(basename "$harness" .swift)
  echo "fuzz: $target for $seconds s" >&2
  swiftc "${flags[@]}" -parse-as-library -module-name "fuzz_$target" "$harness" -L "$out" -lCloseupCLI -lCloseupKit \
    -lhiredis -lsqlite3 -lssl -lcrypto -o "$out/fuzz-$target" 2> >(grep -v "Cannot export local symbol" >&2)
  mkdir -p "$out/$target"
  rm -f "$out/$target"/crash-* "$out/$target"/leak-* "$out/$target"/oom-* "$out/$target"/timeout-*  # reported by an earlier run
  cp Tests/Fuzz/corpus/"$target"/* "$out/$target/" 2>/dev/null || true
  (cd "$out/$target" && ../fuzz-"$target" -max_total_time="$seconds" -print_final_stats=1 . 2>&1 \
    | grep -E "^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==ERROR|SUMMARY|Done)" || true)
  # libFuzzer names what it found: crash-, leak-, oom- (a single allocation over its limit), timeout-.
  found=$(ls "$out/$target" | grep -E '^(crash|leak|oom|timeout)-' || true)
  if [ -n "$found" ]; then echo "fuzz: $target found: $found (in $out/$target)" >&2; exit 1; fi
done
echo "fuzz: no crashes" >&2
