#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a test program that prints KTAP, keep its output as
# build/results/NAME.ktap (with a trailing "# exit: N" line), and print a
# one-line summary. Exits with the program's status.
#
#   scripts/run-ktap.sh NAME command [args...]
set -u
name=$1
shift
out=${RESULTS:-build/results}
mkdir -p "$out"
file=$out/$name.ktap
"$@" >"$file" 2>&1
rc=$?
echo "# exit: $rc" >>"$file"
summary=$("$(dirname "$0")/ktap-count.sh" "$file")
if [ "$rc" -ne 0 ]; then
	echo "FAIL $name: $summary (exit $rc); output in $file:"
	grep -E 'not ok|FAILED|ERROR|WARNING|Expected|==[0-9]+==' "$file" | head -40
else
	echo "ok   $name: $summary"
fi
exit "$rc"
