#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch one kernel of the matrix (scripts/kernels.conf) from Debian's
# archive with a private apt configuration: its own sources list, lists
# and cache under $O/kernels/<series>/apt, `apt-get download` and `dpkg -x`.
# The machine's apt sources are never read or changed, and nothing is
# installed into the system.
#
#   scripts/kernel-fetch.sh SERIES [source]
#
# Writes $O/kernels/<series>/row.env (a fixed path; nothing is printed on
# stdout). One fetch of a series at a time: a second waits for the first
# (make check fetches every row in the background while it builds). The
# row holds:
#   KREL       the release (uname -r) of the kernel, e.g. 6.1.0-57-amd64
#   KDIR       its headers as the toolchain sees them (the build dir)
#   HOST_KDIR  the same directory as seen from the host
#   VMLINUZ    Debian's image of it
#   KREL_RT, KDIR_RT, HOST_KDIR_RT, VMLINUZ_RT  the -rt-amd64 flavour, if
#              the row runs anything on PREEMPT_RT
#   TOOLROOT   empty (the host's gcc) or the root of a chroot made with
#              mmdebstrap from the row's toolchain release
#   SRC        the unpacked linux-source tree (only with "source")
#
# Everything is cached: a second run reads row.env and downloads nothing.
# KERNELS_REFRESH=1 asks the archive again (a new point release).
set -eu
series=$1
want_source=${2:-}
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

row=$(kernel_row "$series")
if [ -z "$row" ]; then
	echo "kernel-fetch: no kernel $series in scripts/kernels.conf" \
		"($(kernels | tr '\n' ' '))" >&2
	exit 2
fi
read -r _ suites toolchain runs <<<"$row"
sparse_suite=
case $toolchain in
*+sparse=*) sparse_suite=${toolchain#*+sparse=} toolchain=${toolchain%%+*} ;;
esac
"$top/scripts/deps.sh" kernel >&2

K=$O/kernels/$series
D=$O/kernels/debs
mkdir -p "$K/apt/lists/partial" "$K/apt/cache/archives/partial" "$D"
exec 9>"$K/.fetch.lock"
flock 9
apt_opts=(-o "Dir::Etc::sourcelist=$K/apt/sources.list" -o "Dir::Etc::sourceparts=-"
	-o "Dir::State::Lists=$K/apt/lists" -o "Dir::Cache=$K/apt/cache"
	-o "Dir::State::status=/dev/null" -o "APT::Sandbox::User=root"
	-o "Debug::NoLocking=1" -qq)

log() { echo "kernel-fetch $series: $*" >&2; }

# Download PKG... into the shared deb cache; print the .deb paths.
download() {
	local p f
	for p in "$@"; do
		f=$(ls "$D/${p}_"*.deb 2>/dev/null | sort -V | tail -1 || true)
		if [ -z "$f" ]; then
			(cd "$D" && apt-get "${apt_opts[@]}" download "$p" >&2)
			f=$(ls "$D/${p}_"*.deb | sort -V | tail -1)
		fi
		echo "$f"
	done
}

# The dependencies of PKG that a module build needs: its headers and kbuild.
build_deps() {
	apt-cache "${apt_opts[@]}" show "$1" | sed -n '0,/^Depends:/s/^Depends: //p' |
		tr ',|' '\n\n' | awk '{ print $1 }' | grep -E '^linux-(headers|kbuild)-' || true
}

# The newest ABI name of the series in the row's suites (NAME-FLAVOUR).
newest_abi() {
	apt-cache "${apt_opts[@]}" pkgnames "linux-headers-$series" |
		grep -E "^linux-headers-${series//./\\.}[.+-][^ ]*-$1\$" |
		grep -vE -- "-(rt|cloud)-amd64\$" | sed 's/^linux-headers-//' |
		sort -V | tail -1 || true
}

# Unpack the headers of release $1 (a flavour) into $2 (/ of the toolchain).
unpack_headers() {
	local rel=$1 root=$2 deb
	for deb in $(download "linux-headers-$rel" $(build_deps "linux-headers-$rel")); do
		dpkg -x "$deb" "$root"
	done
	# Debian's headers name /usr/src in their Makefile; outside a chroot,
	# point that at where they were unpacked.
	if [ -z "$TOOLROOT" ]; then
		sed -i "s|/usr/src/|$root/usr/src/|g" "$root/usr/src/linux-headers-$rel/Makefile"
	fi
}

# Debian's vmlinuz of release $1, into $K/boot.
unpack_image() {
	local rel=$1 pkg=linux-image-$1
	# Since 7.x the image is split: the kernel itself is in linux-binary-*.
	if apt-cache "${apt_opts[@]}" show "linux-binary-$rel" >/dev/null 2>&1; then
		pkg=linux-binary-$rel
	fi
	mkdir -p "$K/boot"
	dpkg-deb --fsys-tarfile "$(download "$pkg")" |
		tar -x -O --wildcards --no-anchored "vmlinuz*" >"$K/boot/vmlinuz-$rel"
	echo "$K/boot/vmlinuz-$rel"
}

# The build dir of release $1 as the toolchain sees it.
kdir_of() {
	if [ -n "$TOOLROOT" ]; then
		echo "/usr/src/linux-headers-$1"
	else
		echo "$hroot/usr/src/linux-headers-$1"
	fi
}

# sparse from another Debian suite, into ROOT/usr/local/bin (first in PATH).
newer_sparse() {
	local root=$1 suite=$2 a=$O/kernels/apt-$2 deb
	local opts=(-o "Dir::Etc::sourcelist=$a/sources.list" -o "Dir::Etc::sourceparts=-"
		    -o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache"
		    -o "Dir::State::status=/dev/null" -o "APT::Sandbox::User=root"
		    -o "Debug::NoLocking=1" -qq)
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/debs"
	echo "deb http://deb.debian.org/debian $suite main" >"$a/sources.list"
	log "sparse from $suite into the $toolchain root"
	apt-get "${opts[@]}" update >&2
	(cd "$a/debs" && apt-get "${opts[@]}" download sparse >&2)
	deb=$(ls "$a"/debs/sparse_*.deb | sort -V | tail -1)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -O ./usr/bin/sparse >"$root/usr/local/bin/sparse"
	chmod 755 "$root/usr/local/bin/sparse"
}

# A root with the toolchain of a newer Debian release, shared by its rows.
make_toolroot() {
	local rel=$1 root=$O/kernels/root-$1
	if [ ! -f "$root/.complete" ]; then
		log "making a $rel root with mmdebstrap (gcc, make, dkms, sparse)"
		rm -rf "$root"
		mmdebstrap --mode=root --variant=apt --quiet \
			--include=gcc,make,libc6-dev,bc,flex,bison,libelf-dev,libssl-dev,kmod,dwarves,dkms,sparse,perl,python3,cpio \
			"$rel" "$root" "deb http://deb.debian.org/debian $rel main" >&2
		[ -n "$sparse_suite" ] && newer_sparse "$root" "$sparse_suite"
		touch "$root/.complete"
	fi
	echo "$root"
}

if [ ! -f "$K/row.env" ] || [ -n "${KERNELS_REFRESH:-}" ]; then
	rm -f "$K/row.env"
	: >"$K/apt/sources.list"
	for s in ${suites//,/ }; do
		case $s in
		*-security) echo "deb http://deb.debian.org/debian-security $s main" ;;
		*) echo "deb http://deb.debian.org/debian $s main" ;;
		esac >>"$K/apt/sources.list"
	done
	log "apt-get update ($suites)"
	apt-get "${apt_opts[@]}" update >&2
	abi=$(newest_abi amd64)
	if [ -z "$abi" ]; then
		echo "kernel-fetch: no $series kernel in $suites any more;" \
			"update scripts/kernels.conf" >&2
		exit 1
	fi
	TOOLROOT=
	if [ "$toolchain" != host ]; then
		TOOLROOT=$(make_toolroot "$toolchain")
		hroot=$TOOLROOT
	else
		hroot=$K/root
		mkdir -p "$hroot"
	fi
	log "headers and image of $abi"
	unpack_headers "$abi" "$hroot"
	{
		echo "SERIES=$series"
		echo "KREL=$abi"
		echo "PKGVER=$(apt-cache "${apt_opts[@]}" show "linux-headers-$abi" |
			sed -n 's/^Version: //p' | head -1)"
		echo "TOOLROOT=$TOOLROOT"
		echo "KDIR=$(kdir_of "$abi")"
		echo "HOST_KDIR=$hroot/usr/src/linux-headers-$abi"
		echo "VMLINUZ=$(unpack_image "$abi")"
		case " $runs " in
		*" qemu-rt "* | *" kunit-rt "*)
			rt=${abi%-amd64}-rt-amd64
			log "headers and image of $rt"
			unpack_headers "$rt" "$hroot"
			echo "KREL_RT=$rt"
			echo "KDIR_RT=$(kdir_of "$rt")"
			echo "HOST_KDIR_RT=$hroot/usr/src/linux-headers-$rt"
			echo "VMLINUZ_RT=$(unpack_image "$rt")"
			;;
		esac
		echo "SRC=$K/linux"
	} >"$K/row.env.new"
	mv "$K/row.env.new" "$K/row.env"
fi

# A cached tree that something damaged (a "make mrproper" in the
# headers, say) is unpacked again from the cached packages.
# shellcheck disable=SC1091
. "$K/row.env"
for rel in "$KREL" ${KREL_RT:-}; do
	hdir=$(dirname "$HOST_KDIR")/linux-headers-$rel
	if [ ! -f "$hdir/include/generated/autoconf.h" ]; then
		log "headers of $rel are damaged; unpacking them again"
		hroot=${TOOLROOT:-$K/root}
		unpack_headers "$rel" "$hroot"
	fi
done

if [ "$want_source" = source ] && [ ! -f "$K/linux/.complete" ]; then
	# shellcheck disable=SC1091
	. "$K/row.env"
	deb=$(download "linux-source-$series")
	log "unpacking $(basename "$deb") into $K/linux"
	rm -rf "$K/linux" "$K/src-deb"
	mkdir -p "$K/linux" "$K/src-deb"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$K/src-deb" --wildcards '*.tar.*'
	tar -xf "$(ls "$K"/src-deb/usr/src/linux-source-*.tar.* | head -1)" \
		-C "$K/linux" --strip-components=1
	rm -rf "$K/src-deb"
	touch "$K/linux/.complete"
fi
