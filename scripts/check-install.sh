#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install alba into a scratch prefix, build examples/contract.c with
# nothing but `pkg-config --cflags --libs alba`, and with CMake's
# find_package(alba) (examples/CMakeLists.txt), and run it: on Linux, and
# for Windows (mingw-w64) under wine. On Linux also examples/hooks/: cJSON,
# Jansson, Lua and libxml2 given alba's malloc-compatible hooks.
set -u
O=${O:-build}
RUN="scripts/run-ktap.sh"
rc=0

lin=$(pwd)/$O/install/linux
rm -rf "$lin"
make --no-print-directory -s install PREFIX="$lin" >/dev/null || exit 1
$RUN install-linux-exports scripts/api.sh user --ktap "$lin/lib/libalba.so" || rc=1
# shellcheck disable=SC2046
cc -o "$O/contract" examples/contract.c \
	$(PKG_CONFIG_PATH="$lin/lib/pkgconfig" pkg-config --cflags --libs alba) || exit 1
LD_LIBRARY_PATH="$lin/lib" $RUN install-linux-contract "$O/contract" || rc=1
# shellcheck disable=SC2046
cc -o "$O/parser" examples/parser.c \
	$(PKG_CONFIG_PATH="$lin/lib/pkgconfig" pkg-config --cflags --libs alba) || exit 1
LD_LIBRARY_PATH="$lin/lib" $RUN install-linux-parser "$O/parser" || rc=1
# The malloc-compatible hooks under four libraries that take an allocator
# (examples/hooks/): each program's output with alba's hooks is the same
# bytes as with malloc.
scripts/deps.sh clients || exit 1
for ex in cjson:libcjson jansson:jansson lua:lua5.4 libxml2:libxml-2.0; do
	name=${ex%%:*}
	# shellcheck disable=SC2046
	cc -o "$O/hooks-$name" "examples/hooks/$name.c" \
		$(PKG_CONFIG_PATH="$lin/lib/pkgconfig" pkg-config --cflags --libs alba "${ex#*:}") ||
		exit 1
	LD_LIBRARY_PATH="$lin/lib" $RUN "install-linux-hooks-$name" \
		scripts/hooks-check.sh "$O/hooks-$name" || rc=1
done
# And with CMake: find_package(alba), target alba::alba.
rm -rf "$O/cmake-linux"
cmake -S examples -B "$O/cmake-linux" -DCMAKE_PREFIX_PATH="$lin" >/dev/null &&
	cmake --build "$O/cmake-linux" >/dev/null || exit 1
LD_LIBRARY_PATH="$lin/lib" $RUN install-linux-cmake "$O/cmake-linux/contract" || rc=1

win=$(pwd)/$O/install/windows
rm -rf "$win"
make --no-print-directory -s install TARGET=windows PREFIX="$win" >/dev/null || exit 1
$RUN install-windows-exports scripts/api.sh windows --ktap "$win/bin/alba.dll" || rc=1
# shellcheck disable=SC2046
x86_64-w64-mingw32-gcc -o "$O/contract.exe" examples/contract.c \
	$(PKG_CONFIG_LIBDIR="$win/lib/pkgconfig" pkg-config --cflags --libs alba) || exit 1
scripts/wine-init.sh
WINEPATH="$win/bin" $RUN install-windows-contract wine "$O/contract.exe" || rc=1
# shellcheck disable=SC2046
x86_64-w64-mingw32-gcc -o "$O/parser.exe" examples/parser.c \
	$(PKG_CONFIG_LIBDIR="$win/lib/pkgconfig" pkg-config --cflags --libs alba) || exit 1
WINEPATH="$win/bin" $RUN install-windows-parser wine "$O/parser.exe" || rc=1
rm -rf "$O/cmake-windows"
cmake -S examples -B "$O/cmake-windows" -DCMAKE_SYSTEM_NAME=Windows \
	-DCMAKE_C_COMPILER=x86_64-w64-mingw32-gcc -DCMAKE_PREFIX_PATH="$win" \
	-DCMAKE_FIND_ROOT_PATH="$win" >/dev/null &&
	cmake --build "$O/cmake-windows" >/dev/null || exit 1
WINEPATH="$win/bin" $RUN install-windows-cmake wine "$O/cmake-windows/contract.exe" || rc=1
exit $rc
