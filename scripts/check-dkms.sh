#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `dkms build` of alba against every installed Debian linux-headers-*-amd64,
# in a private DKMS tree under $O/dkms (the system's is left alone).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=$(cd "$top" && mkdir -p "${O:-build}" && cd "${O:-build}" && pwd)
"$top/scripts/deps.sh" kernel
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
d=$O/dkms
rm -rf "$d"
mkdir -p "$d/src/alba-$ver" "$d/tree" "$O/results"
cp -r "$top/dkms.conf" "$top/Kbuild" "$top/kmod" "$d/src/alba-$ver/"
ktap=$O/results/dkms.ktap
echo "TAP version 13" >"$ktap"
rc=0 n=0
dkms add -m alba -v "$ver" --sourcetree "$d/src" --dkmstree "$d/tree" >"$d/add.log" 2>&1
for h in /usr/src/linux-headers-*-amd64; do
	k=${h#/usr/src/linux-headers-}
	n=$((n + 1))
	if dkms build -m alba -v "$ver" -k "$k" --sourcetree "$d/src" \
		--dkmstree "$d/tree" >"$d/build-$k.log" 2>&1 &&
		ls "$d"/tree/alba/"$ver"/"$k"/*/module/alba.ko* >/dev/null 2>&1; then
		echo "ok $n dkms build alba/$ver for $k" | tee -a "$ktap"
	else
		echo "not ok $n dkms build alba/$ver for $k" | tee -a "$ktap"
		tail -20 "$d/build-$k.log"
		rc=1
	fi
done
echo "# exit: $rc" >>"$ktap"
exit $rc
