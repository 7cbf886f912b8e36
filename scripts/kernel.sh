#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Every check of one kernel of the matrix: the one recipe that takes any
# row of scripts/kernels.conf.
#
#   scripts/kernel.sh SERIES [STEP...]
#
# STEPs default to the row's list (see kernels.conf): build, lint, dkms,
# qemu, qemu-rt, qemu-irqsoff, kunit-plain, kunit-debug, kunit-debugmode,
# kunit-smp, kunit-rt. build, lint and dkms are here; qemu* is scripts/qemu-test.sh,
# kunit-* is scripts/kunit.sh. Each step writes
# $O/results/kernel-<series>-<step>.ktap.
series=${1:?usage: scripts/kernel.sh SERIES [STEP...]}
shift
# shellcheck source=scripts/kernel-lib.sh
. "$(dirname "$0")/kernel-lib.sh" "$series" source
set +e
steps=${*:-$(kernel_steps "$SERIES")}

# Each step is one KTAP file: begin STEP, then tap_result (lib.sh), then tap_end.
begin() {
	tap_begin "$RESULTS/kernel-$SERIES-$1.ktap"
}

# The compiler the toolchain uses, for the record.
cc_version() {
	in_tool gcc -dumpfullversion 2>/dev/null | sed 's/^/gcc /'
}

# Module hygiene: what alba.ko exports is exactly the functions alba.h
# declares (test hooks go to KUnit tests only, EXPORT_SYMBOL_IF_KUNIT).
exports_are_api() {
	diff <(awk '{ print $2 }' "$1" | sort) <("$top/scripts/api.sh" kernel) \
		>"$KWORK/exports.diff"
}

# build: alba.ko, the sample, kbench and the QEMU test module,
# warning-free, for each flavour.
step_build() {
	local flavour rel mod name log
	begin build
	for flavour in "" ${KREL_RT:+rt}; do
		rel=$KREL
		[ "$flavour" = rt ] && rel=$KREL_RT
		ALBA_REBUILD=1 build_modules "$flavour"
		for mod in alba.ko samples/alba_sample.ko bench/kbench/alba_kbench.ko \
			   tests/qemu/alba_qemu_test.ko; do
			name=$(basename "$mod" .ko)
			log=$BUILD_LOG-$name.log
			[ -f "$MODDIR/$mod" ] && ! grep -qE '(warning|error):' "$log"
			tap_result $? "$name.ko for $rel ($(cc_version)), no warning" "$log"
		done
		[ "$(modinfo -F vermagic "$MODDIR/alba.ko" 2>/dev/null | cut -d' ' -f1)" = "$rel" ]
		tap_result $? "alba.ko's vermagic is $rel"
		exports_are_api "$MODDIR/Module.symvers"
		tap_result $? "alba.ko exports the API of alba.h and nothing else" "$KWORK/exports.diff"
	done
	tap_end
}

# lint: the kernel's checks of this version on the kernel code.
step_lint() {
	local files log=$KWORK/lint name dir
	begin lint
	mkdir -p "$log"
	files=$(cd "$top" && ls core/*.c core/alba.h core/alba_plat.h core/alba_internal.h kmod/*.[ch] kunit/*.[ch] kunit/world/kernel.c kunit/world/world.h tests/qemu/*.c samples/*.c bench/kbench/*.[ch] |
		grep -v '\.mod\.c$')
	# shellcheck disable=SC2086
	(cd "$top" && perl "$SRC/scripts/checkpatch.pl" --no-tree --strict --terse \
		--show-types -f $files) >"$log/checkpatch" 2>&1
	tap_result $? "checkpatch.pl --strict ($SERIES) on core/ kmod/ kunit/ tests/qemu/ samples/ bench/kbench/" \
		"$log/checkpatch"
	# shellcheck disable=SC2086
	(cd "$top" && "$SRC/scripts/kernel-doc" -none -Werror $files) >"$log/kernel-doc" 2>&1
	st=$?
	[ -s "$log/kernel-doc" ] && st=1
	tap_result $st "kernel-doc -none -Werror ($SERIES)" "$log/kernel-doc"
	# sparse checks every file of each module (C=2), in the toolchain.
	# Debian's 7.x headers lack the script that vets sparse: take it
	# from the same kernel's source.
	common=$(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$HOST_KDIR/Makefile")
	common=${TOOLROOT}${common#"$TOOLROOT"}
	if grep -q checker-valid.sh "$common/Makefile" 2>/dev/null &&
		[ ! -e "$common/scripts/checker-valid.sh" ]; then
		cp "$SRC/scripts/checker-valid.sh" "$common/scripts/"
	fi
	build_modules >/dev/null 2>&1
	for name in alba alba_sample alba_kbench alba_qemu_test; do
		case $name in
		alba) dir=$STAGE ;;
		alba_sample) dir=$STAGE/samples ;;
		alba_kbench) dir=$STAGE/bench/kbench ;;
		alba_qemu_test) dir=$STAGE/tests/qemu ;;
		esac
		in_tool make -C "$KDIR" M="$dir" C=2 \
			KBUILD_EXTRA_SYMBOLS="$STAGE/Module.symvers" modules >"$log/sparse-$name" 2>&1
		st=$?
		grep -E '\.(c|h):[0-9]+:[0-9]+: (warning|error)' "$log/sparse-$name" |
			grep -v '^/usr/src' >"$log/sparse-$name.found"
		[ -s "$log/sparse-$name.found" ] && st=1
		grep -q 'CHECK' "$log/sparse-$name" || st=1
		tap_result $st "sparse (make C=2) on $name.ko against $KREL" "$log/sparse-$name.found"
	done
	tap_end
}

# dkms: `dkms build` against the headers, in a private DKMS tree.
step_dkms() {
	local ver d hd
	begin dkms
	ver=$(cat "$top/VERSION")
	stage_dirs dkms
	d=$STAGE hd=$HOST_STAGE
	rm -rf "$hd"
	mkdir -p "$hd/src/alba-$ver" "$hd/tree"
	make -s -C "$top" module-src DEST="$hd/src/alba-$ver" >/dev/null
	in_tool dkms add -m alba -v "$ver" --sourcetree "$d/src" \
		--dkmstree "$d/tree" >"$KWORK/dkms.log" 2>&1
	# The headers are Debian's, ready as they are: with a source dir
	# given, older dkms would otherwise "prepare" them (make mrproper).
	in_tool dkms build -m alba -v "$ver" -k "$KREL" --kernelsourcedir "$KDIR" \
		--no-prepare-kernel --no-clean-kernel \
		--sourcetree "$d/src" --dkmstree "$d/tree" >>"$KWORK/dkms.log" 2>&1 &&
		ls "$hd/tree/alba/$ver/$KREL"/*/module/alba.ko* >/dev/null 2>&1
	tap_result $? "dkms build alba/$ver for $KREL ($(in_tool dkms --version 2>&1 | head -1))" \
		"$KWORK/dkms.log"
	tap_end
}

# One step, named as the table of make check's steps shows it.
run_step() {
	case $1 in
	build) step_build ;;
	lint) step_lint ;;
	dkms) step_dkms ;;
	qemu) "$top/scripts/qemu-test.sh" test "$SERIES" ;;
	qemu-rt) "$top/scripts/qemu-test.sh" test "$SERIES" rt ;;
	qemu-irqsoff) "$top/scripts/qemu-test.sh" irqsoff "$SERIES" ;;
	kunit-*) "$top/scripts/kunit.sh" "${1#kunit-}" "$SERIES" ;;
	*) echo "kernel.sh: unknown step $1" >&2; false ;;
	esac
}

# Each step timed for make check's table, one level below this script.
depth=${ALBA_STEP_DEPTH:-0}
rc=0
for step in $steps; do
	echo "== kernel $SERIES: $step"
	start=$(date +%s%N)
	ALBA_STEP_DEPTH=$((depth + 1)) run_step "$step"
	st=$?
	"$top/scripts/timed.sh" --since "$start" "$st" "kernel $SERIES $step"
	[ $st -eq 0 ] || rc=1
done
exit $rc
