#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The symbols alba.h declares for one world, one per line, sorted: what
# alba.ko (kernel), libalba.so (user) and alba.dll (windows) export, and
# nothing else. Inline functions are not exported; a declaration under
# #ifdef __KERNEL__ is the kernel's only. The one variable, the per-thread
# entry of the inline alba_pcpu_alloc() (extern __thread), exists on ELF
# systems only: the user list has it, the windows list does not.
#
#   scripts/api.sh kernel|user|windows  the list
#   scripts/api.sh user|windows --ktap LIB
#                                       KTAP: LIB (libalba.so or alba.dll)
#                                       exports exactly that list
set -eu
world=${1:?usage: api.sh kernel|user|windows [--ktap LIB]}
if [ "${2:-}" = --ktap ]; then
	lib=$3
	case $lib in
	*.dll)
		exports() {
			x86_64-w64-mingw32-objdump -p "$lib" |
				sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' |
				grep -oE '\[ *[0-9]+\] [A-Za-z_0-9]+$' | sed 's/.* //' | sort
		}
		;;
	*) exports() { nm -D --defined-only "$lib" | awk '{ print $3 }' | sort; } ;;
	esac
	echo "1..1"
	if d=$(diff <(exports) <("$0" "$world")); then
		echo "ok 1 $(basename "$lib") exports alba.h's $("$0" "$world" | wc -l) functions and nothing else"
	else
		echo "$d" | sed 's/^/# /'
		echo "not ok 1 $(basename "$lib") exports alba.h's functions and nothing else"
		exit 1
	fi
	exit 0
fi
awk -v world="$world" '
	# A stack of conditionals: k (kernel only), u (userspace only), - (other).
	/^#if/ {
		c = "-"
		if ($0 ~ /^#ifdef __KERNEL__/) c = "k"
		if ($0 ~ /^#ifndef __KERNEL__/) c = "u"
		st[++n] = c
		next
	}
	/^#else/ { st[n] = st[n] == "k" ? "u" : st[n] == "u" ? "k" : "-"; next }
	/^#endif/ { n--; next }
	{
		for (i = 1; i <= n; i++)
			if (st[i] == (world == "kernel" ? "u" : "k"))
				next
		if ($0 ~ /^extern __thread /) {
			if (world == "user") {
				sub(/.* /, "")
				print $0 "("
			}
			next
		}
		if ($0 ~ /^[a-z]/ && $0 !~ /^static/)
			print
	}' "$(dirname "$0")/../core/alba.h" |
	grep -oE '\balba_[a-z_0-9]+\(' | tr -d '(' | sort -u
