#!/bin/bash
# busybox-deb.sh — build a tiny root filesystem for boxlab from Debian's busybox-static.
#
# What it builds:
#   DIR/bin/busybox         the static busybox from the busybox-static .deb (no shared libraries,
#                           so it runs alone inside a chroot)
#   DIR/bin/<applet>        one symlink to busybox per applet (`busybox --list`): sh, ls, ps, mount...
#   DIR/sbin -> bin, DIR/usr/bin -> ../bin, DIR/usr/sbin -> ../bin
#   DIR/{proc,sys,dev,tmp,etc,root,home}, DIR/tmp with mode 1777
#   DIR/etc/passwd (root, nobody), DIR/etc/group, DIR/etc/hostname ("box"),
#   DIR/etc/boxlab-rootfs (a note saying what built the tree; also lets a re-run replace it)
#   About 2 MB in all. The package is only downloaded and unpacked in a temporary directory;
#   it is NOT installed on this machine.
#
# Usage:
#   rootfs-scripts/busybox-deb.sh DIR
#   boxlab --rootfs DIR            # then use the result as the box's root filesystem
#
#   If DIR exists it is replaced: the new tree is built in DIR.tmp.<pid> next to it and renamed
#   into place only when complete, so a failure never leaves a half-built tree in DIR.
#   Refused: an empty DIR, /, the host's top-level system directories and $HOME, anything with a
#   filesystem mounted inside it, and an existing non-empty DIR that does not look like a root
#   filesystem (no etc/boxlab-rootfs and no bin/sh + proc): remove such a directory yourself.
#
# Needs:
#   apt-get and dpkg-deb (any Debian or Debian-based host), network access to the Debian mirror
#   configured in apt's sources. Run as root: apt-get update (only run if the download fails)
#   needs it, and boxlab wants the files owned by root. Without root it still builds, with a
#   warning, and the files belong to you.
#
# Takes: a few seconds (one ~1 MB download).
set -eu
set -o pipefail

PROG=busybox-deb.sh
PKG=busybox-static

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname -- "$0")/common.sh"

usage() { printf 'usage: %s DIR\n  builds a busybox root filesystem in DIR, for: boxlab --rootfs DIR\n' "$0" >&2; exit 2; }

[ $# -eq 1 ] || usage
case $1 in -h|--help) usage ;; esac

START=$(date +%s)
DEST=$(safe_target "$1")
[ "$(id -u)" -eq 0 ] || note "warning: not root; the files will be owned by $(id -un), not root"
begin_build "$DEST"

# ---- download and unpack the package (not installed) ---------------------------------------
download() { (cd "$WORK" && apt-get download -q "$PKG" 2>"$WORK/apt.err" >/dev/null); }
if ! download; then
    cat "$WORK/apt.err" >&2
    note "apt-get download $PKG failed; running apt-get update -qq and trying again"
    apt-get update -qq || die "apt-get update failed (needs root and a reachable Debian mirror)"
    download || { cat "$WORK/apt.err" >&2; die "apt-get download $PKG failed"; }
fi
debs=("$WORK"/"$PKG"_*.deb)
[ -f "${debs[0]}" ] || die "apt-get download left no $PKG .deb in $WORK"
DEB=${debs[0]}
VERSION=$(dpkg-deb -f "$DEB" Version)
mkdir "$WORK/x"
dpkg-deb -x "$DEB" "$WORK/x"
SRC=""
for p in bin/busybox usr/bin/busybox; do
    if [ -f "$WORK/x/$p" ]; then SRC=$WORK/x/$p; break; fi
done
[ -n "$SRC" ] || die "no busybox binary found in $(basename "$DEB")"

# ---- the tree ----------------------------------------------------------------------------
mkdir -p "$BUILD/bin" "$BUILD/usr"
cp -- "$SRC" "$BUILD/bin/busybox"
chmod 0755 "$BUILD/bin/busybox"
# The static busybox runs on the host too, so ask it for its applets from outside.
APPLETS=$("$BUILD/bin/busybox" --list) || die "$BUILD/bin/busybox --list failed"
count=0
while IFS= read -r applet; do
    case $applet in ''|busybox|*/*) continue ;; esac
    ln -s busybox "$BUILD/bin/$applet"
    count=$((count + 1))
done <<EOF
$APPLETS
EOF
[ -L "$BUILD/bin/sh" ] || die "this busybox has no sh applet"
ln -s bin "$BUILD/sbin"
ln -s ../bin "$BUILD/usr/bin"
ln -s ../bin "$BUILD/usr/sbin"

mkdir -p "$BUILD/proc" "$BUILD/sys" "$BUILD/dev" "$BUILD/tmp" "$BUILD/etc" "$BUILD/root" "$BUILD/home"
chmod 1777 "$BUILD/tmp"
chmod 0700 "$BUILD/root"
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    > "$BUILD/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' > "$BUILD/etc/group"
printf 'box\n' > "$BUILD/etc/hostname"
printf 'rootfs-scripts/busybox-deb.sh: %s %s, %s applets\n' "$PKG" "$VERSION" "$count" \
    > "$BUILD/etc/boxlab-rootfs"

swap_into_place "$DEST"

SIZE=$(du -sh -- "$DEST" | cut -f1)
printf '%s: built %s from %s %s: %s applets, %s, in %ss; use: boxlab --rootfs %s\n' \
    "$PROG" "$DEST" "$PKG" "$VERSION" "$count" "$SIZE" "$(( $(date +%s) - START ))" "$DEST"
