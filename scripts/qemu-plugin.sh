#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build bench/qemu-insns.c, the QEMU TCG plugin that counts guest
# instructions between kbench's markers, against the plugin header of the
# QEMU this machine runs: include/qemu/qemu-plugin.h from Debian's source
# package of the installed qemu-system-x86 version, fetched with a private
# apt configuration (deb-src lines of its own, nothing of the machine's
# apt touched). Prints the plugin's path.
#
#   scripts/qemu-plugin.sh
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
"$top/scripts/deps.sh" kernel
d=$O/qemu-plugin
so=$d/insns.so
ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86)
hdr=$d/qemu-$ver/qemu-plugin.h
if [ ! -f "$hdr" ]; then
	a=$d/apt
	mkdir -p "$a/lists" "$a/cache" "$d/src"
	opts=(-o "Dir::Etc::sourcelist=$a/sources.list" -o "Dir::Etc::sourceparts=-"
	      -o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache"
	      -o "Dir::State::status=/dev/null" -o "APT::Sandbox::User=root")
	{
		echo "deb-src http://deb.debian.org/debian bookworm main"
		echo "deb-src http://deb.debian.org/debian bookworm-updates main"
		echo "deb-src http://deb.debian.org/debian-security bookworm-security main"
	} >"$a/sources.list"
	apt-get "${opts[@]}" -qq update >&2
	# The exact version that runs here: the API is checked at load.
	(cd "$d/src" && apt-get "${opts[@]}" -qq source --download-only "qemu=$ver" >&2)
	orig=$(ls "$d/src"/qemu_*.orig.tar.xz)
	tar -xJf "$orig" -C "$d/src" --wildcards '*/include/qemu/qemu-plugin.h'
	mkdir -p "$(dirname "$hdr")"
	mv "$d"/src/qemu-*/include/qemu/qemu-plugin.h "$hdr"
	rm -rf "$d/src"
fi
if [ ! -f "$so" ] || [ "$top/bench/qemu-insns.c" -nt "$so" ] || [ "$hdr" -nt "$so" ]; then
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -shared -fPIC -I"$(dirname "$hdr")" \
		-o "$so" "$top/bench/qemu-insns.c" >&2
fi
echo "$so"
