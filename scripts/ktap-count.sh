#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Count the leaf results of KTAP files: a result line that closes a
# subtest (its predecessor result was nested deeper) is a parent and not
# counted; parameterised cases count once per parameter. A file whose
# "# exit:" line is non-zero but that reports no failure (a crash, a
# sanitizer abort) counts one failure more.
#
#   scripts/ktap-count.sh FILE...   ->   "N passed, N failed, N skipped"
awk '
FNR == 1 { last = -1; nfail_file = 0 }
/^[ \t]*(ok|not ok) [0-9]+/ {
	match($0, /^[ \t]*/); depth = RLENGTH
	if (last > depth) { last = depth; next }
	last = depth
	if ($0 ~ /# SKIP/) skipped++
	else if ($0 ~ /^[ \t]*not ok/) { failed++; nfail_file++ }
	else passed++
	next
}
/^# exit: [0-9]+$/ { if ($3 != 0 && nfail_file == 0) failed++ }
END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }
' "$@"
