#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel benchmark. First what does not lie: guest instructions per
# object, counted by a QEMU TCG plugin (bench/qemu-insns.c, built by
# scripts/qemu-plugin.sh) between kbench's markers in Debian's images of
# the kernels INSNS_KERNELS (default: 6.1 and 7.3), one CPU, -icount; then
# nanoseconds in UML (through the same graft as KUnit) and in Debian's
# image under QEMU, of kernel KVER (default: the first row of
# scripts/kernels.conf), which UML's out-of-line per-CPU operations and
# TCG's emulation distort. Writes bench/kbench.md and prints it.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
kver=${KVER:-$(kernel_default)}
insns_kernels=${INSNS_KERNELS:-6.1 7.3}
for k in $insns_kernels; do
	"$top/scripts/qemu-test.sh" insns "$k" | grep -o 'alba_kbench: insns .*' >"$O/kbench-insns-$k.names" || true
	cp "$O/kernels/$k/qemu/insns.log" "$O/kbench-insns-$k.log" 2>/dev/null || : >"$O/kbench-insns-$k.log"
done
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
			printf "\nThe cursor with each call inside local_irq_save() (what the local_lock_irqsave() of a per-CPU set added until this round): %.2fx the cursor\n", i / c
	     }' "$1"
}

# Instructions per object: the plugin's lines (phase, instructions since
# the last marker; 0 and 2 open the allocations and the release, 1 and 3
# close them) matched in order with the runs kbench names.
insns_table() {
	awk -v n=100000 '
	FNR == NR { sub(/^alba_kbench: insns /, ""); name[++nn] = $0; next }
	$1 == "alba_insns:" && $2 == 0 { a = -1 }
	$1 == "alba_insns:" && $2 == 1 { a = $3 }
	$1 == "alba_insns:" && $2 == 3 && a >= 0 { cal[++nr] = a / n; crel[nr] = $3 / n; a = -1 }
		END {
		if (!nn || nn != nr) { printf "| (no results: %d runs named, %d counted) | | | | | | |\n", nn, nr; exit }
		# Each run is repeated: the least count of its rounds.
		m = 0
		for (j = 1; j <= nr; j++) {
			if (!(name[j] in at)) { at[name[j]] = ++m; nm[m] = name[j]; al[m] = cal[j]; rel[m] = crel[j]; continue }
			i = at[name[j]]
			if (cal[j] + crel[j] < al[i] + rel[i]) { al[i] = cal[j]; rel[i] = crel[j] }
		}
		nr = m
		for (i = 1; i <= nr; i++)
			name[i] = nm[i]
		for (i = 1; i <= nr; i++) {
			if (name[i] ~ /^floor/) f = al[i]
			if (name[i] == "alba_cursor_alloc") c = al[i]
			if (name[i] == "alba_cursor_alloc(kept)") ck = al[i]
			if (name[i] ~ /^kmem_cache/) k = al[i] + rel[i]
		}
		# Runs from kept blocks are compared with the cursor from kept blocks.
		for (i = 1; i <= nr; i++) {
			ref[i] = name[i] ~ /kept/ ? ck : c
			printf "| %s | %.1f | %.1f | %.1f | %.1f |", name[i], al[i], al[i] - f, rel[i], al[i] + rel[i]
			if (name[i] !~ /^floor/ && ref[i] > f)
				printf " %.2fx |", (al[i] - f) / (ref[i] - f)
			else
				printf " |"
			if (k > f && name[i] !~ /^floor/)
				printf " %.2f |\n", (al[i] + rel[i] - f) / (k - f)
			else
				printf " |\n"
		}
		printf "\nTargets (instructions above the floor; runs from kept blocks against the cursor from kept blocks):\n"
		for (i = 1; i <= nr; i++) {
			if (name[i] !~ /^alba_pcpu_alloc/)
				continue
			r = (al[i] - f) / (ref[i] - f)
			q = (al[i] + rel[i] - f) / (k - f)
			printf "- %s: %.2fx the cursor (<= 1.3x): %s; %.2f of kmem_cache alloc+free (<= 0.33): %s\n", name[i], r, r <= 1.3 ? "met" : "missed", q, q <= 1 / 3 ? "met" : "missed"
		}
	}' "$1" "$2"
}

{
	echo "## In the kernel (\`make kbench\`, $(date -u '+%Y-%m-%d'))"
	echo
	echo "### Guest instructions per object"
	echo
	echo "W1 as below, each run between marker instructions; a QEMU TCG"
	echo "plugin (bench/qemu-insns.c) counts the guest instructions executed"
	echo "between them in Debian's image, one CPU, -icount (deterministic: the"
	echo "same count every run; the least of three rounds, as whatever else runs"
	echo "between two markers only adds). Per object: the allocations (with the loop's"
	echo "own work: obj_size(), the store, objs[i]), the same above the floor"
	echo "(the loop alone, bumping a buffer of the module's), and its share of"
	echo "the release (reset for alba, the bulk free for slab, page_frag_free)."
	echo "\"kept\": from blocks kept by alba_reset_keep(), so no new page: TCG"
	echo "counts each iteration of a rep stosb, and Debian's kernels zero every"
	echo "new page (init_on_alloc), 4,096 counted instructions a page. softirq"
	echo "is a soft hrtimer, hardirq a hard one."
	for k in $insns_kernels; do
		echo
		echo "#### $k ($(sed -n 's/^# \([^,]*\),.*/\1/p' "$O/kernels/$k/qemu/console.log.txt" 2>/dev/null | head -1))"
		echo
		echo "| run | alloc | above floor | release | alloc + release | above floor vs cursor | above floor vs kmem_cache |"
		echo "|---|---:|---:|---:|---:|---:|---:|"
		insns_table "$O/kbench-insns-$k.names" "$O/kbench-insns-$k.log"
	done
	echo
	echo "### Nanoseconds"
	echo
	echo "W1 (100,000 objects of 8..64 bytes, alignment 8, one byte touched)"
	echo "and a bulk free, timed with ktime_get_ns(), median of 7 interleaved rounds."
	echo
	for k in uml qemu; do
		if [ $k = uml ]; then
			echo "#### UML (Linux $kver from linux-source-$kver, uniprocessor)"
		else
			echo "#### Debian $kver kernel in QEMU (TCG: every instruction emulated)"
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
