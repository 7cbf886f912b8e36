#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run tests/user/asan.c (an ASan build) once per mode: ASan must report a
# use of poisoned memory for every bad access, and nothing for the
# in-bounds control. Prints TAP.
#
#   scripts/asan-check.sh BINARY
set -u
bin=$1
n=0 rc=0
echo "TAP version 13"
modes="in-bounds overflow after-reset after-rewind after-destroy cursor-overflow cursor-gap pcpu-overflow"
echo "1..$(echo $modes | wc -w)"
for mode in $modes; do
	n=$((n + 1))
	out=$(ASAN_OPTIONS=detect_leaks=0 "$bin" "$mode" 2>&1)
	st=$?
	if [ $mode = in-bounds ]; then
		if [ $st -eq 0 ] && [ -z "$out" ]; then
			echo "ok $n $mode: no report"
		else
			echo "not ok $n $mode: exit $st"; echo "$out" | head -5 | sed 's/^/# /'; rc=1
		fi
	elif [ $st -ne 0 ] && echo "$out" | grep -q 'ERROR: AddressSanitizer: use-after-poison'; then
		echo "ok $n $mode: ASan reports $(echo "$out" | grep -o '\(READ\|WRITE\) of size [0-9]*' | head -1)"
	else
		echo "not ok $n $mode: no ASan report (exit $st)"; echo "$out" | head -5 | sed 's/^/# /'; rc=1
	fi
done
exit $rc
