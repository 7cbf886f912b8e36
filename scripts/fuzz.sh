#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build fuzz/fuzz.c with clang -fsanitize=fuzzer,address,undefined and run
# it for SECONDS (default 600), starting from the seed corpus in
# fuzz/corpus (copied, so that the repository's seeds stay as they are).
# One TAP line in $O/results/fuzz.ktap; a crash input goes to $O/fuzz/.
#
#   scripts/fuzz.sh [SECONDS]
set -u
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
secs=${1:-600}
"$top/scripts/deps.sh" user
d=$O/fuzz
mkdir -p "$d/corpus" "$O/results"
cp -n "$top"/fuzz/corpus/* "$d/corpus/" 2>/dev/null || true
clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$top/core" -I"$top/user" -I"$top/tests/user" \
	-o "$d/alba_fuzz" "$top/fuzz/fuzz.c" "$top"/core/*.c "$top/user/prim/prim.c" || exit 1
k=$O/results/fuzz.ktap
echo "TAP version 13" >"$k"
(cd "$d" && ./alba_fuzz -max_total_time="$secs" -rss_limit_mb=4096 \
	-print_final_stats=1 corpus >"$d/fuzz.log" 2>&1)
rc=$?
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$d/fuzz.log")
ops=$(sed -n 's/^fuzz: .* programs, \([0-9]*\) operations/\1/p' "$d/fuzz.log")
cov=$(grep -o 'cov: [0-9]*' "$d/fuzz.log" | tail -1)
if [ $rc -eq 0 ]; then
	echo "ok 1 libFuzzer, ${secs}s: ${runs:-?} executions, ${ops:-?} operations, $cov, no finding" | tee -a "$k"
else
	echo "not ok 1 libFuzzer, ${secs}s: a finding (see $d/fuzz.log)" | tee -a "$k"
	grep -E 'fuzz:|ERROR|SUMMARY|Test unit' "$d/fuzz.log" | head -10
fi
echo "# exit: $rc" >>"$k"
exit $rc
