# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - what the scripts share; sourced (bash), never run:
#
#   . "$(dirname "$0")/lib.sh"
#
# (Run, it calls one of its kernel functions, for the Makefile:
# bash scripts/lib.sh kernel_steps 6.1 kunit.) Sourced, it sets top (the project), O (the build folder, absolute, made) and
# RESULTS (where every .ktap goes, made), both exported, and defines:
#
#   kernels             the series of scripts/kernels.conf, in order
#   kernel_row S        the row of series S
#   kernel_default      the first series: the default kernel (KVER)
#   kernel_trixie       the newest series whose headers are trixie's
#   kernel_steps S [L]  the steps of series S; with L=kunit or modules,
#                       only that lane's (kunit-* or the others)
#   tap_begin FILE      start a KTAP file; then
#   tap_result RC TEXT [LOG]
#                       one test: "ok" if RC is 0, else "not ok" with the
#                       LOG's last lines; both printed and appended
#   tap_end             "# exit: N" (N: 1 if any test failed); returns N
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ---- the kernel matrix: one reader of scripts/kernels.conf --------------

KERNELS_CONF=$top/scripts/kernels.conf

kernels() {
	awk '!/^#/ && NF { print $1 }' "$KERNELS_CONF"
}

kernel_row() {
	awk -v s="$1" '!/^#/ && $1 == s' "$KERNELS_CONF"
}

kernel_default() {
	kernels | head -n 1
}

kernel_trixie() {
	awk '!/^#/ && $3 ~ /^trixie/ { s = $1 } END { print s }' "$KERNELS_CONF"
}

kernel_steps() {
	awk -v s="$1" -v lane="${2:-}" '!/^#/ && $1 == s {
		for (i = 4; i <= NF; i++)
			if (lane == "" || ($i ~ /^kunit-/) == (lane == "kunit"))
				print $i
	}' "$KERNELS_CONF"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	"$@"
	exit
fi

O=$(cd "$top" && mkdir -p "${O:-build}" && cd "${O:-build}" && pwd)
RESULTS=${RESULTS:-$O/results}
mkdir -p "$RESULTS"
export O RESULTS

# ---- KTAP ----------------------------------------------------------------

tap_begin() {
	TAP_FILE=$1
	TAP_N=0
	TAP_RC=0
	echo "TAP version 13" >"$TAP_FILE"
}

tap_result() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N $2" | tee -a "$TAP_FILE"
	else
		echo "not ok $TAP_N $2" | tee -a "$TAP_FILE"
		[ -n "${3:-}" ] && sed 's/^/    /' "$3" | tail -40
		TAP_RC=1
	fi
	return 0
}

tap_end() {
	echo "# exit: $TAP_RC" >>"$TAP_FILE"
	return "$TAP_RC"
}
