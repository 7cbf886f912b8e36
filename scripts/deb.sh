#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian packages, built with Debian's own tooling (debhelper, dh-dkms)
# from debian/, and tested for real.
#
#   scripts/deb.sh build   alba-dkms, libalba0, libalba-dev in $O/deb
#   scripts/deb.sh root    only make the clean bookworm root (below)
#   scripts/deb.sh check   build, lintian, then install them in a clean
#                          bookworm root (mmdebstrap, used as a chroot) with
#                          the headers of bookworm's kernel: DKMS builds
#                          alba.ko for it, a program builds with pkg-config
#                          and with CMake and runs, man alba_alloc works,
#                          removing alba-dkms removes the module; and
#                          alba-dkms in the trixie root with 7.x headers.
#                          Results: $O/results/deb.ktap.
#
# Nothing is installed on the host but the build tools (scripts/deps.sh).
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
ver=$(cat "$top/VERSION")
d=$O/deb
"$top/scripts/deps.sh" deb

build() {
	local src=$d/alba-$ver epoch
	rm -rf "$d"
	mkdir -p "$d"
	make -s -C "$top" dist O="$O" >/dev/null
	tar -xzf "$O/alba-$ver.tar.gz" -C "$d"
	epoch=$(cd "$top" && git log -1 --format=%ct 2>/dev/null || date +%s)
	cat >"$src/debian/changelog" <<EOF
alba ($ver) unstable; urgency=medium

  * alba $ver, packaged from its sources by make deb.

 -- The alba authors <alba@lists.invalid>  $(date -u -R -d "@$epoch")
EOF
	(cd "$src" && dpkg-buildpackage -b -us -uc) >"$d/build.log" 2>&1 ||
		{ tail -30 "$d/build.log"; return 1; }
	ls "$d"/*.deb
}

# The clean bookworm root the packages are installed into, made once
# (make check makes it in the background while it builds: one maker at
# a time).
pristine=$O/kernels/root-bookworm-pkg
pristine_root() {
	mkdir -p "$O/kernels"
	exec 8>"$O/kernels/.root-bookworm-pkg.lock"
	flock 8
	if [ ! -f "$pristine/.complete" ]; then
		rm -rf "$pristine"
		mmdebstrap --mode=root --variant=apt --quiet \
			--include=dkms,build-essential,pkg-config,cmake,kmod,man-db,linux-compiler-gcc-12-x86,libelf1,libssl3,zlib1g \
			bookworm "$pristine" "deb http://deb.debian.org/debian bookworm main" >&2
		touch "$pristine/.complete"
	fi
	exec 8>&-
}

case ${1:-build} in
build) build; exit ;;
root) pristine_root; exit ;;
esac

# ---- check ------------------------------------------------------------------
tap_begin "$RESULTS/deb.ktap"
# Whatever ends the script, the file says how (a step that dies counts).
trap 'echo "# exit: $?" >>"$TAP_FILE"' EXIT

# Run a command as root in ROOT, with /proc, in a mount namespace of its own.
in_root() {
	local root=$1
	shift
	unshare --mount --fork sh -c 'mount -t proc proc "$0/proc" &&
		exec chroot "$0" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"' \
		"$root" "$@"
}

build >/dev/null 2>&1
debs=$(ls "$d"/alba-dkms_"$ver"_all.deb "$d"/libalba0_"$ver"_*.deb \
	"$d"/libalba-dev_"$ver"_*.deb 2>/dev/null | wc -l)
tap_result $([ "$debs" = 3 ] && echo 0 || echo 1) \
	"make deb: alba-dkms, libalba0, libalba-dev $ver" "$d/build.log"
for deb in "$d"/*.deb; do
	lintian --tag-display-limit 0 "$deb" >"$deb.lintian" 2>&1 || true
	! grep -q '^E:' "$deb.lintian"
	tap_result $? "lintian $(basename "$deb"): no error ($(grep -c '^W:' "$deb.lintian") warnings)" \
		"$deb.lintian"
done

# The clean bookworm root, copied for each test.
. "$top/scripts/kernel-lib.sh" "$(kernel_default)"
pristine_root
root=$d/root-bookworm
rm -rf "$root"
cp -a "$pristine" "$root"
mkdir -p "$root/tmp/pkg"
cp "$d"/*.deb "$top/examples/contract.c" "$top/examples/CMakeLists.txt" "$root/tmp/pkg/"
for p in "linux-headers-$KREL" "linux-headers-${KREL%-amd64}-common" "linux-kbuild-$SERIES"; do
	cp "$(ls "$O"/kernels/debs/"${p}"_*.deb | sort -V | tail -1)" "$root/tmp/pkg/"
done
log=$d/bookworm.log
set +e
in_root "$root" sh -c 'dpkg -i /tmp/pkg/linux-*.deb &&
	dpkg -i /tmp/pkg/libalba0_*.deb /tmp/pkg/libalba-dev_*.deb /tmp/pkg/alba-dkms_*.deb' >"$log" 2>&1
tap_result $? "bookworm: dpkg -i the headers of $KREL and the three packages" "$log"
in_root "$root" dkms status >"$d/dkms-status" 2>&1
echo "# dkms status: $(cat "$d/dkms-status")" >>"$TAP_FILE"
grep -q "alba/$ver, $KREL, x86_64: installed" "$d/dkms-status"
tap_result $? "bookworm: dkms status shows alba/$ver installed for $KREL" "$log"
in_root "$root" sh -c "modinfo -F version \$(find /lib/modules/$KREL -name 'alba.ko*')" >"$d/modinfo" 2>&1
[ "$(cat "$d/modinfo")" = "$ver" ]
tap_result $? "bookworm: modinfo reads the built alba.ko (version $ver)" "$d/modinfo"
in_root "$root" sh -c 'cd /tmp/pkg && cc -o contract contract.c $(pkg-config --cflags --libs alba) && ./contract' >"$d/pkgconfig.log" 2>&1
tap_result $? "bookworm: a program builds with pkg-config --cflags --libs alba and runs" "$d/pkgconfig.log"
in_root "$root" sh -c 'cd /tmp/pkg && cmake -S . -B cm >/dev/null && cmake --build cm >/dev/null && ./cm/contract' >"$d/cmake.log" 2>&1
tap_result $? "bookworm: a program builds with CMake find_package(alba), alba::alba, and runs" "$d/cmake.log"
in_root "$root" man -w alba_alloc >"$d/man.log" 2>&1
tap_result $? "bookworm: man alba_alloc finds $(cat "$d/man.log")" "$d/man.log"
in_root "$root" sh -c 'dpkg -r alba-dkms && ! find /lib/modules -name "alba.ko*" | grep -q .' >"$d/remove.log" 2>&1
tap_result $? "bookworm: removing alba-dkms removes the module" "$d/remove.log"

# The trixie root that builds against 7.x headers (scripts/kernel-fetch.sh).
set -e
. "$top/scripts/kernel-lib.sh" "$(kernel_trixie)"
root=$d/root-trixie
rm -rf "$root"
cp -a "$TOOLROOT" "$root"
mkdir -p "$root/tmp/pkg" "$root/lib/modules/$KREL"
cp "$d"/alba-dkms_*.deb "$root/tmp/pkg/"
# What linux-base-<release> would install: the build link.
ln -sfn "/usr/src/linux-headers-$KREL" "$root/lib/modules/$KREL/build"
log=$d/trixie.log
set +e
in_root "$root" sh -c 'dpkg -i /tmp/pkg/alba-dkms_*.deb && dkms status' >"$log" 2>&1
grep -q "alba/$ver, $KREL, x86_64: installed" "$log"
tap_result $? "trixie: alba-dkms builds and installs alba.ko for $KREL" "$log"
rm -rf "$d/root-bookworm" "$d/root-trixie"
exit $TAP_RC
