# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the scripts that work on one kernel of the matrix:
#
#   . scripts/kernel-lib.sh SERIES [source]
#
# fetches the row (scripts/kernel-fetch.sh), loads its variables (KREL,
# KDIR, VMLINUZ, TOOLROOT, SRC, ... see there) and defines:
#
#   in_tool CMD...     run CMD with the toolchain the row's headers want:
#                      on the host, or chrooted into TOOLROOT
#   build_modules [rt] stage the module sources for the toolchain and build
#                      alba.ko, the sample, kbench and the QEMU test module
#                      against the headers, unless these sources were built
#                      against them already (ALBA_REBUILD=1: always)
#                      (of the -rt-amd64 flavour with "rt"); sets MODDIR to
#                      where the .ko files are (host path); the logs are
#                      $BUILD_LOG-<module>.log
#
# Every result file is $RESULTS/kernel-<series>-<kind>.ktap.
set -eu
SERIES=$1
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# The row file is at a fixed place: a script's stdout is no data channel
# (an install message once polluted it).
"$top/scripts/kernel-fetch.sh" "$SERIES" "${2:-}" >&2
# shellcheck disable=SC1090
. "$O/kernels/$SERIES/row.env"
KWORK=$O/kernels/$SERIES

in_tool() {
	if [ -n "$TOOLROOT" ]; then
		# A private mount namespace: /proc (objtool reads it) is
		# mounted for this command only and goes away with it.
		unshare --mount --fork sh -c 'mount -t proc proc "$0/proc" &&
			exec chroot "$0" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"' \
			"$TOOLROOT" "$@"
	else
		"$@"
	fi
}

# Where a staged copy of the module sources lives: for the toolchain
# (STAGE) and for the host (HOST_STAGE). One copy per kernel and flavour,
# so kernels never share object files.
stage_dirs() {
	local name=alba-$SERIES${1:+-$1}
	if [ -n "$TOOLROOT" ]; then
		STAGE=/build/$name
		HOST_STAGE=$TOOLROOT$STAGE
	else
		STAGE=$KWORK/$name
		HOST_STAGE=$STAGE
	fi
}

build_modules() {
	local flavour=${1:-} kdir=$KDIR stamp
	[ "$flavour" = rt ] && kdir=$KDIR_RT
	stage_dirs "$flavour"
	MODDIR=$HOST_STAGE
	BUILD_LOG=$KWORK/build${flavour:+-$flavour}
	# The same sources against the same headers were built already (by
	# the build step; lint and the QEMU runs only need the modules).
	stamp=$(cd "$top" && { echo "$kdir"; cat Kbuild VERSION core/* kmod/* samples/* \
		bench/kbench/* tests/qemu/*; } 2>/dev/null | sha256sum)
	if [ "${ALBA_REBUILD:-}" != 1 ] && [ -f "$HOST_STAGE/.alba-built" ] &&
		[ "$(cat "$HOST_STAGE/.alba-built")" = "$stamp" ]; then
		return 0
	fi
	rm -rf "$HOST_STAGE"
	mkdir -p "$HOST_STAGE/bench" "$HOST_STAGE/tests"
	make -s -C "$top" module-src DEST="$HOST_STAGE" >/dev/null
	cp -r "$top/samples" "$HOST_STAGE/"
	cp -r "$top/bench/kbench" "$HOST_STAGE/bench/"
	cp -r "$top/tests/qemu" "$HOST_STAGE/tests/"
	in_tool make -C "$kdir" M="$STAGE" modules >"$BUILD_LOG-alba.log" 2>&1 &&
	in_tool make -C "$kdir" M="$STAGE/samples" \
		KBUILD_EXTRA_SYMBOLS="$STAGE/Module.symvers" modules \
		>"$BUILD_LOG-alba_sample.log" 2>&1 &&
	in_tool make -C "$kdir" M="$STAGE/bench/kbench" \
		KBUILD_EXTRA_SYMBOLS="$STAGE/Module.symvers" modules \
		>"$BUILD_LOG-alba_kbench.log" 2>&1 &&
	in_tool make -C "$kdir" M="$STAGE/tests/qemu" \
		KBUILD_EXTRA_SYMBOLS="$STAGE/Module.symvers" modules \
		>"$BUILD_LOG-alba_qemu_test.log" 2>&1 &&
	echo "$stamp" >"$HOST_STAGE/.alba-built"
}
