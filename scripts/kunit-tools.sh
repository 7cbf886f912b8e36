#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Unpack tools/testing/kunit (kunit.py and its parser) from Debian's
# linux-source-6.1 into DIR/tools/testing/kunit, once. kunit.py insists on
# living under a path that ends in tools/testing/kunit.
#
#   scripts/kunit-tools.sh DIR
set -eu
dir=$1
[ -f "$dir/tools/testing/kunit/kunit.py" ] && exit 0
tarball=$(ls /usr/src/linux-source-6.1.tar.* | head -1)
top=$(basename "$tarball" | sed 's/\.tar\..*//')
mkdir -p "$dir"
tar -xf "$tarball" -C "$dir" --strip-components=1 "$top/tools/testing/kunit"
