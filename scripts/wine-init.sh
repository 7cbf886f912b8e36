#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Create the wine prefix ($WINEPREFIX) once, so that test output does not
# carry wine's first-run chatter.
set -eu
: "${WINEPREFIX:?}"
[ -f "$WINEPREFIX/system.reg" ] && exit 0
mkdir -p "$WINEPREFIX"
wineboot --init >/dev/null 2>&1 || true
wineserver -w 2>/dev/null || true
