#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run .ci/run as CI runs it on a new machine: a fresh clone of this
# repository's HEAD in a Debian bookworm root that has nothing installed
# but Debian's required and important packages and git, make, gcc and
# python3 (less than the machine image has), so every install step of
# the project is exercised. Inside: /proc, /sys, /dev (with a tmpfs
# /dev/shm, which UML maps its memory from) and the host's DNS
# configuration; the run is `CI=true bash .ci/run`, as CI calls it.
#
#   scripts/fresh.sh            FRESH_ROOT=/var/tmp/alba-fresh by default
#
# The log is $FRESH_ROOT.log; the last line is .ci/run's summary, and the
# line before it the whole run's time.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
root=${FRESH_ROOT:-/var/tmp/alba-fresh}
log=$root.log
"$top/scripts/deps.sh" kernel >&2

# Everything of an earlier run goes, mounts first.
if [ -d "$root" ]; then
	grep -o " $root/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l
	rm -rf "$root"
fi
echo "fresh: a bookworm root in $root (mmdebstrap)"
mmdebstrap --mode=root --variant=important --quiet \
	--include=git,make,gcc,libc6-dev,python3,ca-certificates \
	bookworm "$root" "deb http://deb.debian.org/debian bookworm main"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/work"
git clone --quiet --no-local "$top" "$root/work/alba"
echo "fresh: $(git -C "$root/work/alba" log -1 --format='%h %s' | cut -c1-70)"
echo "fresh: CI=true bash .ci/run in the root; log in $log"

start=$(date +%s)
set +e
unshare --mount --fork sh -c '
	r=$0
	# The root is a mount point of its own, as / is on a machine
	# (unshare --mount inside needs that).
	mount --bind "$r" "$r" &&
	mount -t proc proc "$r/proc" && mount -t sysfs sys "$r/sys" &&
	mount --rbind /dev "$r/dev" && mount -t tmpfs shm "$r/dev/shm" || exit 1
	exec chroot "$r" /usr/bin/env -i HOME=/root LANG=C.UTF-8 CI=true TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		sh -c "cd /work/alba && exec bash .ci/run </dev/null"' "$root" >"$log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
echo "fresh: .ci/run exited $rc after $secs s ($((secs / 60)) min $((secs % 60)) s)" | tee -a "$log.time"
tail -n 60 "$log"
echo "fresh: .ci/run exited $rc after $secs s"
tail -n 1 "$log"
exit $rc
