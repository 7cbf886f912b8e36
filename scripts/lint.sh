#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own checks on the kernel code: checkpatch.pl --strict,
# sparse (a C=2 build, which checks every file, not only rebuilt ones) and
# kernel-doc with warnings as errors. Each is one TAP line.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=$(cd "$top" && mkdir -p "${O:-build}" && cd "${O:-build}" && pwd)
"$top/scripts/deps.sh" kernel
src=$("$top/scripts/linux-src.sh" "$O/linux") || exit 1
kdir=$(ls -d /usr/src/linux-headers-*-amd64 | sort -V | tail -1)
cd "$top"
files=$(ls kmod/*.[ch] kunit/*.c samples/*.c bench/kbench/*.c | grep -v '\.mod\.c$')
out=$O/results
mkdir -p "$out"
ktap=$out/lint.ktap
echo "TAP version 13" >"$ktap"
rc=0 n=0

result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2" | tee -a "$ktap"
	else
		echo "not ok $n $2" | tee -a "$ktap"
		sed 's/^/    /' "$3" | head -40
		rc=1
	fi
}

# shellcheck disable=SC2086
perl "$src/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	-f $files >"$O/checkpatch.log" 2>&1
result $? "checkpatch.pl --strict on kmod/ kunit/ samples/ bench/kbench/" "$O/checkpatch.log"

# shellcheck disable=SC2086
perl "$src/scripts/kernel-doc" -none -Werror $files >"$O/kernel-doc.log" 2>&1
st=$?
[ -s "$O/kernel-doc.log" ] && st=1
result $st "kernel-doc -none -Werror" "$O/kernel-doc.log"

# sparse over every file of a module: NAME DIR [make args]
sparse() {
	local name=$1 dir=$2 st
	shift 2
	make -C "$kdir" M="$dir" C=2 "$@" modules >"$O/sparse-$name.log" 2>&1
	st=$?
	grep -E '\.(c|h):[0-9]+:[0-9]+: (warning|error)' "$O/sparse-$name.log" |
		grep -v '^/usr/src' >"$O/sparse-$name.found"
	[ -s "$O/sparse-$name.found" ] && st=1
	grep -q 'CHECK' "$O/sparse-$name.log" || st=1
	result $st "sparse (make C=2) on $name.ko" "$O/sparse-$name.found"
}

sparse alba "$top"
sparse alba_sample "$top/samples" KBUILD_EXTRA_SYMBOLS="$top/Module.symvers"
sparse alba_kbench "$top/bench/kbench" KBUILD_EXTRA_SYMBOLS="$top/Module.symvers"

echo "# exit: $rc" >>"$ktap"
exit $rc
