#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the benchmark (three binaries: the peers that replace malloc run
# in processes of their own), run it, count the cursor fast path's
# instructions with callgrind, and plot.
#
#   scripts/bench.sh [--smoke]
#
# Full run: prints the tables, writes bench/results.md and bench/results.png.
# --smoke: one tiny round of everything, for make check; writes
# $O/results/bench-smoke.ktap and nothing under bench/.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
smoke=${1:-}
"$top/scripts/deps.sh" user windows bench clients
cd "$top"
b=$O/bench
mkdir -p "$b"
CF="-std=gnu11 -O2 -g -Wall -Wextra -Werror -Icore -Iuser -Itests/user $(pkg-config --cflags lua5.4 libxml-2.0 jansson)"
SRC="bench/bench.c $(echo core/*.c) user/prim/prim.c"
CLIENTS="bench/clients.c user/hooks.c $(pkg-config --libs lua5.4 libcjson jansson libxml-2.0)"
gcc $CF $(pkg-config --cflags apr-1) -o "$b/alba-bench" $SRC bench/costs.c $CLIENTS \
	$(pkg-config --libs apr-1 talloc) -pthread
gcc $CF -DBENCH_MIMALLOC -o "$b/alba-bench-mimalloc" $SRC $CLIENTS -lmimalloc -pthread
gcc $CF -DBENCH_JEMALLOC -o "$b/alba-bench-jemalloc" $SRC -ljemalloc -pthread
# musl (static), for the instruction counts only: -DBENCH_JEMALLOC leaves
# out the peers that need glibc's libraries, and no -ljemalloc keeps musl's
# malloc.
musl-gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Icore -Iuser -Itests/user \
	-DBENCH_JEMALLOC -static -o "$b/alba-bench-musl" $SRC -pthread
# Windows (mingw-w64, as the test build), counted under wine; callgrind's
# client requests from valgrind's own header.
mkdir -p "$b/vginc/valgrind"
cp /usr/include/valgrind/valgrind.h /usr/include/valgrind/callgrind.h "$b/vginc/valgrind/"
x86_64-w64-mingw32-gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-pointer-to-int-cast \
	-D__USE_MINGW_ANSI_STDIO=1 -Icore -Iuser -I"$b/vginc" -static \
	-o "$b/alba-wincount.exe" bench/wincount.c core/*.c user/prim/prim.c

if [ "$smoke" = --smoke ]; then
	mkdir -p "$O/results"
	k=$O/results/bench-smoke.ktap
	echo "TAP version 13" >"$k"
	if "$b/alba-bench" --rounds 1 --scale 0.01 >"$b/smoke.txt" 2>&1 &&
		! grep -q 'not run' "$b/smoke.txt"; then
		echo "ok 1 bench smoke round (every workload, every contender)" >>"$k"
		rc=0
	else
		echo "not ok 1 bench smoke round (every workload, every contender)" >>"$k"
		cat "$b/smoke.txt"
		rc=1
	fi
	# make check runs none of the full benchmark scripts; they must parse.
	scripts="scripts/bench.sh scripts/kbench.sh scripts/qemu-plugin.sh"
	if (for f in $scripts; do bash -n "$f" || exit 1; done); then
		echo "ok 2 the benchmark scripts parse (bash -n $scripts)" >>"$k"
	else
		echo "not ok 2 the benchmark scripts parse (bash -n $scripts)" >>"$k"
		rc=1
	fi
	echo "# exit: $rc" >>"$k"
	tail -n 3 "$k" | head -2
	exit $rc
fi

out=$top/bench
{
	echo "# alba benchmarks"
	echo
	echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs," \
		"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
		"$(uname -r), gcc $(gcc -dumpversion) -O2, with \`make bench\`."
} >"$out/header.md"
"$b/alba-bench" --rounds "${ROUNDS:-7}" --out "$b"

# Instructions per allocation, counted, not timed: glibc, then musl.
valgrind --tool=callgrind --callgrind-out-file="$b/callgrind.out" \
	"$b/alba-bench" --callgrind 100000 >/dev/null 2>&1
valgrind --tool=callgrind --callgrind-out-file="$b/callgrind-musl.out" \
	"$b/alba-bench-musl" --callgrind 100000 >/dev/null 2>&1
# self: the function's own instructions (the inline fast path and the
# return), summed over the source files callgrind splits them between;
# inclusive: with what it calls (the cursor's refills, amortized), from
# the caller's line for the call.
ir() {
	callgrind_annotate --inclusive=no "$b/callgrind${3:-}.out" 2>/dev/null |
		awk -v f="$1" -v incl="$2" '
		incl == "no" && !/=>/ && ($0 ~ ":" f " \\[" || $0 ~ ":" f "$") {
			gsub(",", "", $1); s += $1 }
		incl == "yes" && $0 ~ "=> .*:" f " \\(" && !done {
			gsub(",", "", $1); s = $1; done = 1 }
		END { printf "%.2f", s / 100000 }'
}
{
	echo
	echo "### Instructions per allocation (valgrind --tool=callgrind, W1 sizes, alignment 8, 100000 calls)"
	echo
	echo "| noinline wrapper (call and return included) | fast path | with refills amortized |"
	echo "|---|---:|---:|"
	echo "| alba_cursor_alloc() | $(ir bench_cursor_one no) | $(ir bench_cursor_one yes) |"
	echo "| alba_pcpu_alloc() (per-thread, inline) | $(ir bench_pcpu_one no) | $(ir bench_pcpu_one yes) |"
	echo "| bare bump (floor) | $(ir bench_bump_one no) | $(ir bench_bump_one yes) |"
	echo "| musl (static): alba_cursor_alloc() | $(ir bench_cursor_one no -musl) | $(ir bench_cursor_one yes -musl) |"
	echo "| musl: alba_pcpu_alloc() (per-thread, inline) | $(ir bench_pcpu_one no -musl) | $(ir bench_pcpu_one yes -musl) |"
	echo "| musl: bare bump (floor) | $(ir bench_bump_one no -musl) | $(ir bench_bump_one yes -musl) |"
	echo
	echo "Target: the cursor's fast path at most the floor's + 1: $(ir bench_cursor_one no) vs" \
		"$(ir bench_bump_one no): $(echo "$(ir bench_cursor_one no) $(ir bench_bump_one no)" |
		awk '{ print ($1 > 0 && $1 <= $2 + 1) ? "met" : "missed" }')"
	echo
	echo "Target: the per-thread fast path at most the cursor's + 4: $(ir bench_pcpu_one no) vs" \
		"$(ir bench_cursor_one no): $(echo "$(ir bench_pcpu_one no) $(ir bench_cursor_one no)" |
		awk '{ print ($1 > 0 && $1 <= $2 + 4) ? "met" : "missed" }')"
	echo
	echo "Target, musl: the per-thread fast path at most the cursor's + 4: $(ir bench_pcpu_one no -musl) vs" \
		"$(ir bench_cursor_one no -musl): $(echo "$(ir bench_pcpu_one no -musl) $(ir bench_cursor_one no -musl)" |
		awk '{ print ($1 > 0 && $1 <= $2 + 4) ? "met" : "missed" }')"
} >>"$b/results.md"

# Windows: callgrind inside wine, counting only between the client
# requests around the loop (wine's other processes count nothing).
winir() {
	rm -rf "$b/wincg"
	mkdir -p "$b/wincg"
	valgrind --tool=callgrind --instr-atstart=no --trace-children=yes \
		--callgrind-out-file="$b/wincg/cg.%p" \
		wine "$b/alba-wincount.exe" "$1" 100000 >/dev/null 2>&1
	cat "$b/wincg"/cg.* | awk '/^totals:/ { s += $2 } END { print s + 0 }'
}
scripts/wine-init.sh
w_none=$(winir none)
w_cur=$(winir cursor)
w_pcpu=$(winir pcpu)
per() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", (x - y) / 100000 }'; }
{
	echo
	echo "### Windows: instructions per call (mingw-w64 -O2, static; callgrind under wine, 100000 calls)"
	echo
	echo "Counted between client requests around the loop (callgrind names no function of a PE"
	echo "binary), minus the same loop calling an empty noinline wrapper: what each call costs"
	echo "beyond a call that does nothing. The per-thread set is the library's function (no inline path)."
	echo
	echo "| wrapper | beyond the empty wrapper's |"
	echo "|---|---:|"
	echo "| alba_cursor_alloc() | $(per "$w_cur" "$w_none") |"
	echo "| alba_pcpu_alloc() (per-thread, a call into the library) | $(per "$w_pcpu" "$w_none") |"
	echo
	echo "Target, Windows: the per-thread path at most the cursor's + 4: $(per "$w_pcpu" "$w_none") vs" \
		"$(per "$w_cur" "$w_none"): $(awk -v p="$(per "$w_pcpu" "$w_none")" -v c="$(per "$w_cur" "$w_none")" \
		'BEGIN { print (p > 0 && c > 0 && p <= c + 4) ? "met" : "missed" }')"
} >>"$b/results.md"
tail -n 20 "$b/results.md"
cat "$out/header.md" "$b/results.md" >"$out/results.md"
rm -f "$out/header.md"

gnuplot -e "w1='$b/w1.dat'; w2='$b/w2.dat'; w4='$b/w4.dat'; out='$out/results.png'" \
	bench/plot.gp
echo "bench: wrote bench/results.md and bench/results.png"
