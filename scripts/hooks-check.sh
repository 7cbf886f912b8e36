#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run an examples/hooks program with the C library's malloc and with
# alba's hooks, and print KTAP: both runs succeed and write the same bytes.
#
#   scripts/hooks-check.sh BINARY
set -u
bin=$1
name=$(basename "$bin")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "TAP version 13"
echo "1..1"
"$bin" glibc >"$tmp/glibc" 2>"$tmp/glibc.err"
g=$?
"$bin" alba >"$tmp/alba" 2>"$tmp/alba.err"
a=$?
if [ $g -eq 0 ] && [ $a -eq 0 ] && [ -s "$tmp/glibc" ] && cmp -s "$tmp/glibc" "$tmp/alba"; then
	echo "ok 1 $name: alba's hooks write the same $(wc -c <"$tmp/alba") bytes as malloc"
	exit 0
fi
echo "# glibc: exit $g, $(wc -c <"$tmp/glibc") bytes; alba: exit $a, $(wc -c <"$tmp/alba") bytes"
cat "$tmp/glibc.err" "$tmp/alba.err" | head -5 | sed 's/^/# /'
echo "not ok 1 $name: alba's hooks write the same bytes as malloc"
exit 1
