#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the alba KUnit suite under UML with the kernel's own kunit.py.
#
# Unpacks Debian's linux-source-6.1 once into $O/linux, grafts this tree
# into it at lib/alba (Kconfig CONFIG_ALBA, CONFIG_ALBA_KUNIT_TEST), and
# runs kunit.py with kunit/.kunitconfig, plus kunit/debug.config for the
# debug run (KASAN, lockdep, spinlock debugging, fault injection). The
# KTAP goes to $O/results/kunit-<config>.ktap; any KASAN, lockdep, WARN or
# BUG report in the kernel log fails the run.
#
#   scripts/kunit.sh plain|debug|smp|debugmode|kbench [extra kunit.py args]
#
# debugmode: alba built with CONFIG_ALBA_DEBUG (red zones), running the
# debug-mode suite instead of the main one (whose layouts assume none).
#
# smp: x86_64 in QEMU with -smp 2 instead of UML, with kunit/smp.config
# (PREEMPT, DEBUG_ATOMIC_SLEEP, PROVE_LOCKING, KASAN, KFENCE).
# kbench: the plain config with the benchmark module built in
# (CONFIG_ALBA_KBENCH); its results are in $O/results/kunit-kbench.log.
set -eu
cfg=${1:-plain}
shift || true
top=$(cd "$(dirname "$0")/.." && pwd)
O=$(cd "$top" && mkdir -p "${O:-build}" && cd "${O:-build}" && pwd)
src=$O/linux
results=$O/results
mkdir -p "$results"

"$top/scripts/deps.sh" kernel
"$top/scripts/linux-src.sh" "$src" >/dev/null

# The graft: a copy of the sources the kernel build needs, refreshed
# every run, and one line each in lib/Kconfig and lib/Makefile.
graft=$src/lib/alba
rm -rf "$graft"
mkdir -p "$graft/kmod" "$graft/kunit"
cp "$top/Kbuild" "$graft/"
cp "$top"/kmod/*.[ch] "$top/kmod/Kconfig" "$graft/kmod/"
cp "$top"/kunit/*.c "$graft/kunit/"
mkdir -p "$graft/bench/kbench"
cp "$top"/bench/kbench/Kbuild "$top"/bench/kbench/*.c "$graft/bench/kbench/"
grep -q 'lib/alba/kmod/Kconfig' "$src/lib/Kconfig" ||
	echo 'source "lib/alba/kmod/Kconfig"' >>"$src/lib/Kconfig"
grep -q 'alba/' "$src/lib/Makefile" ||
	echo 'obj-y += alba/' >>"$src/lib/Makefile"

kconf=$O/kunit-$cfg.kunitconfig
cp "$top/kunit/.kunitconfig" "$kconf"
arch=()
case "$cfg" in
debug) cat "$top/kunit/debug.config" >>"$kconf" ;;
smp)
	cat "$top/kunit/smp.config" >>"$kconf"
	arch=(--arch=x86_64 "--qemu_args=-smp 2 -m 1024")
	;;
debugmode)
	cat "$top/kunit/debug.config" >>"$kconf"
	printf '%s\n' CONFIG_ALBA_DEBUG=y CONFIG_ALBA_DEBUG_KUNIT_TEST=y \
		'# CONFIG_ALBA_KUNIT_TEST is not set' >>"$kconf"
	;;
kbench) echo CONFIG_ALBA_KBENCH=y >>"$kconf" ;;
esac

raw=$results/kunit-$cfg.log
echo "kunit.sh: building and running UML ($cfg config); log in $raw"
cd "$src"
set +e
python3 tools/testing/kunit/kunit.py run --kunitconfig="$kconf" \
	--build_dir="$O/kunit-$cfg" --jobs="$(nproc)" --timeout=1800 \
	"${arch[@]}" --raw_output=all "$@" >"$raw" 2>&1
rc=$?
set -e

# The KTAP part of the log, as kunit.py itself extracts it.
PYTHONPATH=tools/testing/kunit python3 - "$raw" "$results/kunit-$cfg.ktap" <<'PY'
import sys
import kunit_parser
with open(sys.argv[1], errors='replace') as f:
    lines = kunit_parser.extract_tap_lines(f.readlines())
with open(sys.argv[2], 'w') as out:
    while lines:
        out.write(lines.pop() + '\n')
PY
python3 tools/testing/kunit/kunit.py parse "$raw" >"$results/kunit-$cfg.parsed" 2>&1 || rc=1
tail -n 3 "$results/kunit-$cfg.parsed"

# lockdep, KASAN, KFENCE, WARN, BUG and atomic-sleep reports; not their
# banners ("RCU lockdep checking is enabled").
reports=$(grep -nE 'BUG: |WARNING:|Oops|KFENCE: |possible (recursive|circular) locking|inconsistent lock state|DEBUG_LOCKS_WARN_ON|lockdep is turned off|Kernel panic|sleeping function called from invalid context' "$raw" || true)
if [ -n "$reports" ]; then
	echo "kunit.sh: kernel reports in the $cfg run:"
	echo "$reports" | head -20
	rc=1
fi
echo "# exit: $rc" >>"$results/kunit-$cfg.ktap"
exit $rc
