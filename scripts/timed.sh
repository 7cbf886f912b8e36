#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one step of make check and record how long it took:
#
#   scripts/timed.sh NAME CMD...      run CMD; exits with its status
#   scripts/timed.sh --table          print the table of every step so far
#   scripts/timed.sh --add NAME SECS  record a step timed by someone else
#                                     (kunit.py's own build and run times)
#   scripts/timed.sh --since START RC NAME
#                                     record a step of the calling script
#                                     that began at START (date +%s%N)
#
# Steps nest (a kernel's steps inside make check-kernels): the table
# indents them. Rows live in $O/results/steps.tsv: start (ns), depth, seconds,
# status, name.
set -u
out=${RESULTS:-${O:-build}/results}
mkdir -p "$out"
tsv=$out/steps.tsv
depth=${ALBA_STEP_DEPTH:-0}

case ${1:-} in
--table)
	[ -f "$tsv" ] || exit 0
	sort -s -n -k1,1 "$tsv" | awk -F'\t' '
	{ pad = sprintf("%" (2 * $2) "s", "")
	  printf "  %-52s %6d s%s\n", pad $5, $3, ($4 == "0" || $4 == "-") ? "" : "  (exit " $4 ")" }'
	exit 0
	;;
--add)
	secs=$(printf '%.0f' "$3")
	printf '%s\t%s\t%s\t-\t%s\n' "$(($(date +%s%N) - secs * 1000000000))" \
		"$depth" "$secs" "$2" >>"$tsv"
	exit 0
	;;
--since)
	printf '%s\t%s\t%s\t%s\t%s\n' "$2" "$depth" \
		"$((($(date +%s%N) - $2 + 500000000) / 1000000000))" "$3" "$4" >>"$tsv"
	exit 0
	;;
esac

name=$1
shift
start=$(date +%s%N)
ALBA_STEP_DEPTH=$((depth + 1)) "$@"
rc=$?
printf '%s\t%s\t%s\t%s\t%s\n' "$start" "$depth" \
	"$((($(date +%s%N) - start + 500000000) / 1000000000))" "$rc" "$name" >>"$tsv"
exit $rc
