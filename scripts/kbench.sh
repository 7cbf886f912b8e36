#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel benchmark in both kernels: UML (through the same graft as
# KUnit) and Debian's image under QEMU, of kernel KVER (default: the
# first row of scripts/kernels.conf). Prints a table of ns per allocation
# and the ratio to kmalloc+kfree_bulk, and writes bench/kbench.md.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
kver=${KVER:-$(kernel_default)}
"$top/scripts/kunit.sh" kbench "$kver" >/dev/null 2>&1 || true
grep -o 'alba_kbench: .*' "$O/results/kernel-$kver-kunit-kbench.log" >"$O/kbench-uml.txt" || true
rm -f "$O/results/kernel-$kver-kunit-kbench".*
"$top/scripts/qemu-test.sh" kbench "$kver" | grep -o 'alba_kbench: .*' >"$O/kbench-qemu.txt" || true

table() {
	awk '$2 ~ /^kmalloc/ { base = $3 }
	     NF == 5 && $2 !~ /^W1/ { name[++n] = $2; med[n] = $3; lo[n] = $4; hi[n] = $5 }
	     END {
		if (!n) { print "| (no results) | | | |"; exit }
		for (i = 1; i <= n; i++)
			printf "| %s | %.2f | %.2f - %.2f | %.2fx |\n", name[i], med[i],
				lo[i], hi[i], base ? med[i] / base : 0
	     }' "$1"
}
# The per-CPU path's targets: at least 3x faster than kmem_cache_alloc and
# kmem_cache_free_bulk, within 1.2x of the kthread's own cursor.
targets() {
	awk '$2 == "alba_pcpu_alloc" { p = $3 } $2 ~ /^kmem_cache/ { k = $3 }
	     $2 == "alba_cursor_alloc" { c = $3 } $2 == "alba_cursor_alloc+irqsave" { i = $3 }
	     END {
		if (!p || !k || !c) { print "Targets: no results"; exit }
		printf "Targets: alba_pcpu_alloc %.2fx faster than kmem_cache (>= 3x): %s; ", k / p, (k / p >= 3) ? "met" : "missed"
		printf "%.2fx the kthread cursor (<= 1.2x): %s\n", p / c, (p / c <= 1.2) ? "met" : "missed"
		if (i)
			printf "\nThe cursor with each call inside local_irq_save(), as a per-CPU set takes it: %.2fx the cursor\n", i / c
	     }' "$1"
}

{
	echo "## In the kernel (\`make kbench\`, $(date -u '+%Y-%m-%d'))"
	echo
	echo "W1 (100,000 objects of 8..64 bytes, alignment 8, one byte touched)"
	echo "and a bulk free, timed with ktime_get_ns(), median of 7 interleaved rounds."
	echo
	for k in uml qemu; do
		if [ $k = uml ]; then
			echo "### UML (Linux $kver from linux-source-$kver, uniprocessor)"
		else
			echo "### Debian $kver kernel in QEMU (TCG: every instruction emulated)"
		fi
		echo
		echo "| allocator | ns/alloc | min - max | vs kmalloc+kfree_bulk |"
		echo "|---|---:|---:|---:|"
		table "$O/kbench-$k.txt"
		echo
		targets "$O/kbench-$k.txt"
		echo
	done
} >"$top/bench/kbench.md"
cat "$top/bench/kbench.md"
