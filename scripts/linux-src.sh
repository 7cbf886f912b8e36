#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Unpack Debian's linux-source-6.1 into DIR once (checkpatch, kernel-doc,
# kunit.py and the UML build all come from it), and print DIR.
#
#   scripts/linux-src.sh DIR
set -eu
src=$1
"$(dirname "$0")/deps.sh" kernel-source
if [ ! -f "$src/Makefile" ]; then
	echo "linux-src.sh: unpacking linux-source-6.1 into $src" >&2
	mkdir -p "$src"
	tarball=$(ls /usr/src/linux-source-6.1.tar.* | head -1)
	tar -xf "$tarball" -C "$src" --strip-components=1
fi
echo "$src"
