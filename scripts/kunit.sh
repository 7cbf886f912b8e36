#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the alba KUnit suite with the kernel's own kunit.py, on one kernel of
# the matrix (scripts/kernels.conf).
#
#   scripts/kunit.sh plain|debug|debugmode|smp|rt|kbench [SERIES] [kunit.py args]
#
# Grafts this tree into the row's linux-source at lib/alba (Kconfig
# CONFIG_ALBA, CONFIG_ALBA_KUNIT_TEST) and runs kunit.py with
# kunit/.kunitconfig plus the config's fragment:
#
#   plain      UML
#   debug      the kernel's x86_64 debug kernel (below) under QEMU, one CPU
#   debugmode  the same, with alba built with CONFIG_ALBA_DEBUG (red
#              zones), running the debug-mode suite instead of the main one
#   smp        the debug kernel of a row that runs kunit-smp, two CPUs:
#              kunit/smp.config (PREEMPT, DEBUG_ATOMIC_SLEEP, KFENCE,
#              DEBUG_PAGEALLOC, booted with debug_pagealloc=on)
#   rt         the debug kernel of a row that runs kunit-rt, two CPUs:
#              kunit/rt.config (PREEMPT_RT, DEBUG_PAGEALLOC, on)
#   kbench     plain, with the benchmark module built in (CONFIG_ALBA_KBENCH);
#              its results are in the log
#
# The KTAP goes to $O/results/kernel-<series>-kunit-<config>.ktap; any
# KASAN, lockdep, WARN, BUG or atomic-sleep report in the kernel log fails
# the run. QEMU runs on TCG: KVM opens on these machines but fails at run
# time, and newer kunit.py asks for it first, so a wrapper drops -accel kvm.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cfg=${1:-plain}
series=${2:-${KVER:-$(kernel_default)}}
shift 2 || shift $#
# shellcheck source=scripts/kernel-lib.sh
. "$(dirname "$0")/kernel-lib.sh" "$series" source
src=$SRC

# kunit.py: the tree's own, unless it predates --kunitconfig (5.10): then
# the default kernel's, copied into the tree (kunit.py runs on the tree it
# lives in).
if ! grep -q -- "'--kunitconfig'" "$src/tools/testing/kunit/kunit.py"; then
	def=$(. "$top/scripts/kernel-lib.sh" "$(kernel_default)" source >/dev/null && echo "$SRC")
	rm -rf "$src/tools/testing/kunit"
	cp -r "$def/tools/testing/kunit" "$src/tools/testing/"
fi

# The graft: a copy of the sources the kernel build needs, refreshed
# every run, and one line each in lib/Kconfig and lib/Makefile.
graft=$src/lib/alba
rm -rf "$graft"
make -s -C "$top" module-src DEST="$graft" >/dev/null
mkdir -p "$graft/kunit/world" "$graft/bench/kbench"
cp "$top"/kunit/*.[ch] "$graft/kunit/"
cp "$top"/kunit/world/kernel.c "$top"/kunit/world/world.h "$graft/kunit/world/"
cp "$top"/bench/kbench/Kbuild "$top"/bench/kbench/*.[ch] "$graft/bench/kbench/"
grep -q 'lib/alba/kmod/Kconfig' "$src/lib/Kconfig" ||
	echo 'source "lib/alba/kmod/Kconfig"' >>"$src/lib/Kconfig"
grep -q 'alba/' "$src/lib/Makefile" ||
	echo 'obj-y += alba/' >>"$src/lib/Makefile"

# QEMU on TCG only.
tcg=$O/kernels/qemu-tcg
mkdir -p "$tcg"
cat >"$tcg/qemu-system-x86_64" <<'EOF'
#!/bin/sh
# kunit.py's QEMU, without the accelerators that fail here (TCG remains).
n=$#
while [ "$n" -gt 0 ]; do
	a=$1
	shift
	n=$((n - 1))
	if [ "$a" = -accel ] && [ "$n" -gt 0 ]; then
		b=$1
		shift
		n=$((n - 1))
		case $b in kvm | hvf) continue ;; esac
		set -- "$@" "$a" "$b"
	else
		set -- "$@" "$a"
	fi
done
exec /usr/bin/qemu-system-x86_64 "$@"
EOF
chmod +x "$tcg/qemu-system-x86_64"
export PATH="$tcg:$PATH"

# The x86_64 debug kernel: one build per kernel serves every run that
# can share it. KASAN, lockdep with its raw-lock nesting check,
# DEBUG_ATOMIC_SLEEP, kmemleak, spinlock debugging and fault injection
# (debug.config), plus PREEMPT, KFENCE, CPU hotplug and DEBUG_PAGEALLOC
# (smp.config) where the row runs kunit-smp, or PREEMPT_RT and
# DEBUG_PAGEALLOC (rt.config) where it runs kunit-rt, and memory allocation profiling
# (profiling.config) where the kernel has it (6.10 and later). debug
# boots it on one CPU, smp and rt on two, debugmode rebuilds alba in it
# with CONFIG_ALBA_DEBUG.
runs=$(kernel_steps "$SERIES")
x86_fragments() {
	echo "$top/kunit/debug.config"
	case " $(echo $runs) " in
	*" kunit-rt "*) echo "$top/kunit/rt.config" ;;
	*" kunit-smp "*) echo "$top/kunit/smp.config" ;;
	esac
	# lib/Kconfig.debug in 6.10-6.x, mm/Kconfig.debug later.
	if grep -qs '^config MEM_ALLOC_PROFILING$' "$src/lib/Kconfig.debug" \
		"$src/mm/Kconfig.debug"; then
		echo "$top/kunit/profiling.config"
	fi
}

# panic=-1: a panic ends the run (QEMU -no-reboot), not a 30-minute wait.
x86() { arch=(--arch=x86_64 "--qemu_args=-smp $1 -m 1024" --kernel_args=panic=-1); }
kconf=$KWORK/kunit-$cfg.kunitconfig
cat "$top/kunit/.kunitconfig" "$top/kunit/lean.config" >"$kconf"
arch=()
build=$KWORK/kunit-$cfg
case "$cfg" in
plain) ;;
debug | debugmode | smp | rt)
	# The options an older kernel of the matrix does not have yet
	# (KFENCE came in 5.12) are left out there, with a note; any other
	# option the kernel lacks is a mistake in the fragments and fails.
	may_lack=" KFENCE "
	cat $(x86_fragments) | while read -r line; do
		sym=${line#CONFIG_}
		sym=${sym%%=*}
		if [ "$sym" != "$line" ] &&
			! grep -rqsE --include='Kconfig*' "^(menu)?config $sym\$" "$src"; then
			case "$may_lack" in
			*" $sym "*) ;;
			*) echo "kunit.sh: $SERIES has no CONFIG_$sym (kunit/*.config)" >&2
			   exit 1 ;;
			esac
			echo "kunit.sh: $SERIES has no CONFIG_$sym; left out" >&2
			continue
		fi
		echo "$line"
	done >>"$kconf" || exit 1
	build=$KWORK/kunit-x86
	# smp and rt boot with debug_pagealloc on: freed pages unmapped.
	case $cfg in
	debug | debugmode) x86 1 ;;
	*) x86 2; arch+=(--kernel_args=debug_pagealloc=on) ;;
	esac
	# debugmode rebuilds only what CONFIG_ALBA_DEBUG touches.
	if [ "$cfg" = debugmode ]; then
		printf '%s\n' CONFIG_ALBA_DEBUG=y CONFIG_ALBA_DEBUG_KUNIT_TEST=y \
			'# CONFIG_ALBA_KUNIT_TEST is not set' >>"$kconf"
	fi
	;;
kbench) echo CONFIG_ALBA_KBENCH=y >>"$kconf" ;;
*) echo "kunit.sh: unknown config $cfg" >&2; exit 2 ;;
esac

# Every KASAN report printed, not only the first (alba_kasan expects some).
grep -q '^CONFIG_KASAN=y' "$kconf" && arch+=(--kernel_args=kasan_multi_shot)

name=kernel-$SERIES-kunit-$cfg
raw=$RESULTS/$name.log
echo "kunit.sh: $cfg on $SERIES ($KREL's linux-source," \
	"${arch[0]:-UML}); log in $raw"
cd "$src"
# A kernel built from the same config and sources is booted as it is
# (kunit.py exec): debug and then smp or rt share one build, and make's
# relink of an unchanged kernel costs most of a minute.
stamp=$(cat "$kconf" $(find "$graft" -type f | sort) | sha256sum)
mode=(run --jobs="$(nproc)")
[ "$(cat "$build/alba.stamp" 2>/dev/null)" = "$stamp" ] && mode=(exec)
rm -f "$build/alba.stamp"
set +e
python3 tools/testing/kunit/kunit.py "${mode[@]}" --kunitconfig="$kconf" \
	--build_dir="$build" --timeout=1800 \
	"${arch[@]}" --raw_output=all "$@" >"$raw" 2>&1
rc=$?
set -e
[ $rc -eq 0 ] && echo "$stamp" >"$build/alba.stamp"
# kunit.py's own split of the time, for make check's table of steps.
sed -n 's/.*Elapsed time: [0-9.]*s total, \([0-9.]*\)s configuring, \([0-9.]*\)s building, \([0-9.]*\)s running.*/\1 \2 \3/p' \
	"$raw" | tail -1 | while read -r c b r; do
	"$top/scripts/timed.sh" --add "kunit.py: configure + build ($SERIES $cfg)" "$(awk -v c="$c" -v b="$b" 'BEGIN { print c + b }')"
	"$top/scripts/timed.sh" --add "kunit.py: run ($SERIES $cfg)" "$r"
done

# The KTAP part of the log, as kunit.py itself extracts it.
PYTHONPATH=tools/testing/kunit python3 - "$raw" "$RESULTS/$name.ktap" <<'PY'
import sys
import kunit_parser
with open(sys.argv[1], errors='replace') as f:
    lines = kunit_parser.extract_tap_lines(f.readlines())
with open(sys.argv[2], 'w') as out:
    while lines:
        out.write(lines.pop() + '\n')
PY
python3 tools/testing/kunit/kunit.py parse "$raw" >"$RESULTS/$name.parsed" 2>&1 || rc=1
# KUnit before 5.12 has no skipped state: a case that logged
# kunit_compat.h's skip marker (read from there) and passed is written
# as skipped.
mark=$(sed -n 's/^#define ALBA_KUNIT_SKIP_MARK[[:space:]]*"\(.*\)"$/\1/p' \
	"$top/kunit/kunit_compat.h")
[ -n "$mark" ] || { echo "kunit.sh: no ALBA_KUNIT_SKIP_MARK in kunit_compat.h" >&2; exit 1; }
awk -v mark="$mark" '
match($0, "# [^ :]+: " mark) {
	split(substr($0, RSTART + 2), f, ": ")
	why[f[1]] = substr($0, RSTART + RLENGTH)
}
/^[ \t]*ok [0-9]+ - / && ($NF in why) && !/# SKIP/ {
	$0 = $0 " # SKIP " why[$NF]
}
{ print }' "$RESULTS/$name.ktap" >"$RESULTS/$name.ktap.tmp"
mv "$RESULTS/$name.ktap.tmp" "$RESULTS/$name.ktap"
tail -n 3 "$RESULTS/$name.parsed"
# What CI's log should show of a failure: the failing cases and where
# the kernel's output stopped.
if [ $rc -ne 0 ]; then
	grep -E '\[(FAILED|CRASHED)\]' "$RESULTS/$name.parsed" | head -10 || true
	echo "kunit.sh: the kernel log's last lines ($raw):"
	grep -v '^\[[0-9:]*\] ' "$raw" | tail -n 12 | cut -c1-160
fi

# lockdep, KASAN, KFENCE, WARN, BUG and atomic-sleep reports; not their
# banners ("RCU lockdep checking is enabled"), and not the KASAN reports
# the alba_kasan suite asks for, which it marks in the log.
# Before kunit_shutdown (5.11), a UML run ends when the kernel, done with
# the tests, finds no root to mount (or, built without CONFIG_BLOCK as the
# lean configs are, no init to run) and panics: that panic is the end.
reports=$(awk '/alba_kunit: expecting a KASAN report/ { skip = 1 }
	       /alba_kunit: end of the expected KASAN report/ { skip = 0 }
	       !skip || !/BUG: KASAN: / { print NR ": " $0 }' "$raw" |
	grep -E 'BUG: |WARNING:|Oops|KFENCE: |possible (recursive|circular) locking|inconsistent lock state|DEBUG_LOCKS_WARN_ON|lockdep is turned off|Kernel panic|sleeping function called from invalid context' || true)
if ! grep -rq kunit_shutdown "$src/lib/kunit"; then
	reports=$(echo "$reports" | grep -Ev 'Kernel panic - not syncing: (VFS: Unable to mount root fs|No working init found)' || true)
fi
# smp and rt are about two CPUs: a kernel that brought up one fails.
case $cfg in
smp | rt)
	grep -q ' 2 CPUs online' "$raw" ||
		reports="${reports:+$reports
}the kernel did not bring up 2 CPUs"
	;;
esac
if [ -n "$reports" ]; then
	echo "kunit.sh: kernel reports in the $cfg run on $SERIES:"
	echo "$reports" | head -20
	rc=1
fi
echo "# exit: $rc" >>"$RESULTS/$name.ktap"
exit $rc
