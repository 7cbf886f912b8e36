#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Load alba in a real kernel: build alba.ko and the sample against Debian's
# headers of one kernel of the matrix, pack them with busybox into an
# initramfs, boot Debian's image of that kernel in qemu-system-x86_64
# -smp 2 (TCG), and inside: insmod both, read the debugfs files, rmmod
# both, then 50 insmod/rmmod cycles. Fails on any WARNING, BUG or Oops, and
# on pages not given back (alba's live-block counter, and MemFree before
# and after).
#
#   scripts/qemu-test.sh [test|demo|kbench|insns|irqsoff] [SERIES] [rt]
#
# insns boots one CPU with -icount and the instruction-counting plugin
# (scripts/qemu-plugin.sh), whose lines go to $KWORK/qemu/insns.log.
#
# SERIES is a row of scripts/kernels.conf (default: KVER, or the first); "rt"
# boots its -rt-amd64 image (PREEMPT_RT) instead. Results go to
# $O/results/kernel-<series>-qemu[-rt].ktap.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
mode=${1:-test}
series=${2:-${KVER:-$(kernel_default)}}
flavour=${3:-}
# shellcheck source=scripts/kernel-lib.sh
. "$(dirname "$0")/kernel-lib.sh" "$series"
"$top/scripts/deps.sh" kernel
work=$KWORK/qemu${flavour:+-$flavour}
mkdir -p "$work"
vmlinuz=$VMLINUZ
[ "$flavour" = rt ] && vmlinuz=$VMLINUZ_RT

echo "qemu-test: building alba.ko, the sample and kbench for $(basename "$vmlinuz")"
build_modules "$flavour" || { tail -n 40 "$BUILD_LOG"-*.log; exit 1; }

root=$work/initramfs
rm -rf "$root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
cp "$MODDIR/alba.ko" "$MODDIR/samples/alba_sample.ko" \
	"$MODDIR/bench/kbench/alba_kbench.ko" "$MODDIR/tests/qemu/alba_qemu_test.ko" "$root/"
cp "$top/scripts/qemu-init.sh" "$root/init"
echo "$mode" >"$root/mode"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

log=$work/console.log
# Two CPUs on two NUMA nodes; for irqsoff one CPU, with guest time counted
# in guest instructions (-icount: 1 ns each), so that host scheduling
# does not show up as interrupts off.
machine=(-smp 2 -object memory-backend-ram,id=m0,size=512M
	 -object memory-backend-ram,id=m1,size=512M
	 -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1)
[ "$mode" = irqsoff ] && machine=(-smp 1 -icount shift=0)
if [ "$mode" = insns ]; then
	plugin=$("$top/scripts/qemu-plugin.sh")
	rm -f "$work/insns.log"
	machine=(-smp 1 -icount shift=0 -plugin "$plugin" -d plugin -D "$work/insns.log")
fi
echo "qemu-test: booting $vmlinuz (TCG, ${machine[*]:0:2})"
# A boot and insmod take 6 to 20 s under TCG: a guest that has not reached
# /init after 180 s hung in its own boot, before alba was loaded. Its log
# is kept and it is booted once more. A guest that reached /init is never
# booted again; whatever it printed is the result.
boot() {
	timeout 600 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 1024 "${machine[@]}" \
		-kernel "$vmlinuz" -initrd "$work/initramfs.gz" \
		-append "console=ttyS0 loglevel=4 panic=-1 oops=panic" \
		-nographic -no-reboot -monitor none -serial stdio >"$log" 2>&1 &
	local qemu=$! waited=0
	while ! grep -q ALBA-BEGIN "$log" && kill -0 $qemu 2>/dev/null; do
		if [ $((waited += 2)) -gt 180 ]; then
			kill $qemu
			break
		fi
		sleep 2
	done
	wait $qemu || true
	tr -d '\r' <"$log" >"$log.txt"
}
boot
if ! grep -q ALBA-BEGIN "$log.txt"; then
	mv "$log.txt" "$log.noinit.txt"
	echo "qemu-test: the guest did not reach /init in 180 s; its console: $log.noinit.txt"
	tail -5 "$log.noinit.txt"
	echo "qemu-test: booting once more"
	boot
fi

# What the guest printed for the reader (demo) or the results (test).
sed -n '/ALBA-BEGIN/,/^ALBA-END/p' "$log.txt" | sed '1d;$d' || true
if [ "$mode" = demo ] || [ "$mode" = kbench ] || [ "$mode" = insns ]; then
	grep -q '^ALBA-END' "$log.txt"
	exit $?
fi

kind=qemu${flavour:+-$flavour}
[ "$mode" = irqsoff ] && kind=qemu-irqsoff
ktap=$RESULTS/kernel-$SERIES-$kind.ktap
{
	echo "TAP version 13"
	grep -E '^(not )?ok [0-9]+ ' "$log.txt" || true
} >"$ktap"
rc=0
if ! grep -q '^ALBA-END' "$log.txt"; then
	echo "qemu-test: the guest did not finish; console log: $log.txt"
	tail -30 "$log.txt"
	rc=1
fi
reports=$(grep -nE 'WARNING:|BUG:|Oops|Call Trace|Kernel panic|kernel BUG' "$log.txt" || true)
if [ -n "$reports" ]; then
	echo "qemu-test: kernel reports:"
	echo "$reports" | head -20
	echo "not ok 999 the kernel log has no WARNING, BUG or Oops" >>"$ktap"
	rc=1
else
	echo "ok 999 the kernel log has no WARNING, BUG or Oops" >>"$ktap"
fi
grep -q '^not ok' "$ktap" && rc=1
echo "# exit: $rc" >>"$ktap"
echo "qemu-test: $("$top/scripts/ktap-count.sh" "$ktap")"
exit $rc
