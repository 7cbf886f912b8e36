#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-kernels: every step of every row of scripts/kernels.conf, in
# two lanes that run at once:
#
#   kunit    the kunit-* steps, kernel after kernel: kernel builds that
#            keep both CPUs busy (make -j$(nproc)) for most of the run
#   modules  build, lint, dkms and the qemu* steps: module builds,
#            checkpatch and sparse, and QEMU boots of Debian's images,
#            which leave a CPU idle for much of their time
#
# Run one after the other, the modules lane's idle CPU was wall time
# (scripts/kernel.sh SERIES runs one row's steps in order, as before).
# The modules lane prints as it goes; the kunit lane's output is kept in
# $O/kunit-lane.log and printed when both are done.
#
#   scripts/check-kernels.sh [SERIES...]   (default: every row)
#   scripts/check-kernels.sh --start-kunit [SERIES...]
#            start the kunit lane in the background and return (make check
#            does, before the userspace checks); the next plain call runs
#            the modules lane and waits for it
#   scripts/check-kernels.sh --lane kunit|modules [SERIES...]
set -u
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
mode=both
case ${1:-} in
--lane)
	mode=$2
	shift 2
	;;
--start-kunit)
	mode=start
	shift
	;;
esac
rows=${*:-$(kernels)}
log=$O/kunit-lane.log
started=$RESULTS/kunit-lane.started
lock=$O/kunit-lane.lock


lane() {
	local rc=0 series s
	for series in $rows; do
		s=$(kernel_steps "$series" "$1")
		[ -n "$s" ] || continue
		# shellcheck disable=SC2086
		"$top/scripts/kernel.sh" "$series" $s || rc=1
	done
	return $rc
}

case $mode in
kunit | modules)
	lane "$mode"
	exit
	;;
esac

# Both lanes check the packages they need; installing them here first
# means no two apt-get runs at once.
"$top/scripts/deps.sh" kernel >&2 || exit 1
# shellcheck disable=SC2086
set -- $rows

# The kunit lane in the background, holding $lock until it ends; its
# status goes to $started.rc.
start_kunit() {
	rm -f "$started.rc"
	exec 9>"$lock"
	flock 9
	(
		"$top/scripts/timed.sh" "kunit lane (every kernel)" \
			"$0" --lane kunit "$@" >"$log" 2>&1 9>&-
		echo $? >"$started.rc"
	) &
	echo $! >"$started"
	exec 9>&-
}

if [ "$mode" = start ]; then
	start_kunit "$@"
	exit 0
fi
# Started by make check (and still running, or done): wait for it.
# Anything else (none, or one a killed run left behind): start it now.
if ! [ -f "$started" ] ||
	{ ! [ -f "$started.rc" ] && ! kill -0 "$(cat "$started")" 2>/dev/null; }; then
	start_kunit "$@"
fi
"$top/scripts/timed.sh" "modules lane (every kernel)" "$0" --lane modules "$@"
rc=$?
flock "$lock" true
[ "$(cat "$started.rc" 2>/dev/null)" = 0 ] || rc=1
rm -f "$started" "$started.rc"
echo "== the kunit lane ($log)"
cat "$log"
exit $rc
