#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages a make target needs. Idempotent: packages
# already installed are skipped, and apt is only asked when something is
# missing.
#
#   scripts/deps.sh user|windows|kernel|bench|clients|deb|all...
set -eu

# qemu-user: -m32 binaries run under qemu-i386 on kernels that run no i386
# code (scripts/run-m32.sh).
pkgs_user="build-essential gcc clang libclang-rt-14-dev gcc-multilib musl-tools valgrind pkg-config cmake python3 qemu-user"
pkgs_windows="mingw-w64 wine64 wine"
# Kernels, their headers and sources never come from here: scripts/kernel-fetch.sh
# takes them from Debian's archive with a private apt configuration.
pkgs_kernel="qemu-system-x86 busybox-static sparse bc flex bison libelf-dev libssl-dev dkms python3 cpio kmod xz-utils dwarves mmdebstrap"
pkgs_deb="debhelper dh-dkms lintian dkms dpkg-dev mmdebstrap cmake python3"
pkgs_bench="libtalloc-dev libapr1-dev libmimalloc-dev libjemalloc-dev gnuplot-nox libcjson-dev liblua5.4-dev strace"
# The libraries examples/hooks/ gives alba's hooks to (make check-install).
pkgs_clients="libcjson-dev libjansson-dev liblua5.4-dev libxml2-dev pkg-config"

want=""
for set in "${@:-user}"; do
	case "$set" in
	user)    want="$want $pkgs_user" ;;
	windows) want="$want $pkgs_windows" ;;
	kernel)  want="$want $pkgs_kernel" ;;
	bench)   want="$want $pkgs_bench" ;;
	clients) want="$want $pkgs_clients" ;;
	deb)     want="$want $pkgs_deb" ;;
	all)     want="$want $pkgs_user $pkgs_windows $pkgs_kernel $pkgs_bench $pkgs_clients $pkgs_deb" ;;
	*) echo "deps.sh: unknown set '$set' (user|windows|kernel|bench|clients|deb|all)" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
# Messages go to stderr: callers may read a script's stdout.
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
