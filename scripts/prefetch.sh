#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch every kernel of the matrix (headers, images, linux-source, the
# toolchain roots) and make check-deb's clean root, so that make check can
# run this in the background: the downloads and mmdebstrap wait on the
# network while the CPU compiles. Each fetch takes a lock, so a step that
# needs a kernel still being fetched waits for it; a fetch that failed
# here is tried again by the step that needs it.
#
#   scripts/prefetch.sh     (the packages must be installed already:
#                            scripts/deps.sh all; apt is not run twice at once)
set -u
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
rc=0 done=
# check-deb (before check-kernels) needs bookworm's kernel, its root and
# the trixie root first.
first=$(kernel_default)
for series in $first $(kernel_trixie) $(kernels); do
	case " $done " in *" $series "*) continue ;; esac
	done="$done $series"
	"$top/scripts/timed.sh" "fetch $series (background)" \
		"$top/scripts/kernel-fetch.sh" "$series" source || rc=1
	# check-deb's root once bookworm's kernel is there.
	if [ "$series" = "$first" ]; then
		"$top/scripts/timed.sh" "check-deb's bookworm root (background)" \
			"$top/scripts/deb.sh" root || rc=1
	fi
done
exit $rc
