#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install alba into a scratch prefix, build examples/contract.c with
# nothing but `pkg-config --cflags --libs alba`, and run it: on Linux, and
# for Windows (mingw-w64) under wine.
set -u
O=${O:-build}
RUN="scripts/run-ktap.sh"
rc=0

lin=$(pwd)/$O/install/linux
rm -rf "$lin"
make --no-print-directory -s install PREFIX="$lin" >/dev/null || exit 1
# shellcheck disable=SC2046
cc -o "$O/contract" examples/contract.c \
	$(PKG_CONFIG_PATH="$lin/lib/pkgconfig" pkg-config --cflags --libs alba) || exit 1
LD_LIBRARY_PATH="$lin/lib" $RUN install-linux-contract "$O/contract" || rc=1

win=$(pwd)/$O/install/windows
rm -rf "$win"
make --no-print-directory -s install TARGET=windows PREFIX="$win" >/dev/null || exit 1
# shellcheck disable=SC2046
x86_64-w64-mingw32-gcc -o "$O/contract.exe" examples/contract.c \
	$(PKG_CONFIG_LIBDIR="$win/lib/pkgconfig" pkg-config --cflags --libs alba) || exit 1
scripts/wine-init.sh
WINEPATH="$win/bin" $RUN install-windows-contract wine "$O/contract.exe" || rc=1
exit $rc
