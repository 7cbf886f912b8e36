#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run an i386 (-m32) test binary: natively where the kernel executes i386
# code, else under qemu-i386 (Debian's qemu-user). Some kernels of one
# machine kind run 64-bit user code only (execve of an i386 binary fails
# with ENOEXEC, "Exec format error", even with CONFIG_IA32_EMULATION), so
# the suite never depends on it. Which way it ran is the first line of
# the output, a KTAP comment.
#
#   scripts/run-m32.sh PROBE BINARY [ARGS...]
#
# PROBE is an i386 program that exits 0 (built with the binary).
probe=${1:?usage: scripts/run-m32.sh PROBE BINARY [ARGS...]}
shift
if "$probe" 2>/dev/null; then
	echo "# i386: native (this kernel executes i386 binaries)"
	exec "$@"
fi
if ! command -v qemu-i386 >/dev/null; then
	echo "# i386: this kernel runs no i386 binaries and qemu-i386 is missing" \
		"(scripts/deps.sh user installs qemu-user)"
	exit 1
fi
echo "# i386: qemu-i386 $(qemu-i386 --version | sed -n '1s/.*version //p')" \
	"(this kernel runs no i386 binaries)"
exec qemu-i386 -L / "$@"
