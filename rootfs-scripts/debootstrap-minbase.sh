#!/bin/bash
# debootstrap-minbase.sh — build a minimal Debian root filesystem for boxlab with debootstrap.
#
# What it builds:
#   DIR = `debootstrap --variant=minbase SUITE DIR MIRROR`: a real Debian userland (bash, coreutils,
#   dpkg, apt, ...; 88 packages, ~175 MB for bookworm) that has no kernel, no init system and no network
#   tools. Then DIR/proc is made sure to exist, DIR/etc/hostname is set to "box", and
#   DIR/etc/boxlab-rootfs notes what built the tree (it also lets a re-run replace it).
#
# Usage:
#   rootfs-scripts/debootstrap-minbase.sh DIR [SUITE]
#   boxlab --rootfs DIR            # then use the result as the box's root filesystem
#
#   SUITE    default: this host's codename (VERSION_CODENAME in /etc/os-release) on a Debian
#            host, otherwise bookworm.
#   MIRROR   (environment) the Debian archive URL to use. Default: found in apt's sources on this
#            host (/etc/apt/sources.list, /etc/apt/sources.list.d/*.list and *.sources), preferring
#            an entry that serves SUITE, then one whose URL ends in /debian; only if there is none,
#            http://deb.debian.org/debian. Machines that can reach only their configured mirror
#            need the detected one, which is why it is not hardcoded.
#   A proxy set for apt (Acquire::http::Proxy) is passed on to debootstrap as http_proxy.
#
#   If DIR exists it is replaced: the new tree is built in DIR.tmp.<pid> next to it and renamed
#   into place only when complete, so a failure never leaves a half-built tree in DIR.
#   Refused: an empty DIR, /, the host's top-level system directories and $HOME, anything with a
#   filesystem mounted inside it, and an existing non-empty DIR that does not look like a root
#   filesystem (no etc/boxlab-rootfs and no bin/sh + proc): remove such a directory yourself.
#
# Needs:
#   root (debootstrap creates device nodes, chroots and sets file owners), network access to a
#   Debian mirror, and debootstrap (installed here with apt-get if missing) with the Debian
#   archive keyring. debootstrap itself briefly mounts proc/sys inside the new tree while it
#   configures packages and unmounts them when it finishes.
#
# Takes: about 1-3 minutes with a nearby mirror (it downloads ~32 MB of packages). Measured on
#   the machine this was written on (bookworm, deb.debian.org): debootstrap itself 42-58 s, plus
#   ~6 s the first time to install debootstrap. The time is printed at the end.
set -eu
set -o pipefail

PROG=debootstrap-minbase.sh
DEFAULT_SUITE=bookworm
FALLBACK_MIRROR=http://deb.debian.org/debian

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname -- "$0")/common.sh"

usage() { printf 'usage: %s DIR [SUITE]\n  builds a Debian minbase root filesystem in DIR, for: boxlab --rootfs DIR\n' "$0" >&2; exit 2; }

case $# in 1|2) ;; *) usage ;; esac
case $1 in -h|--help) usage ;; esac

# ---- suite and mirror ----------------------------------------------------------------------
host_suite() {
    local id="" codename=""
    if [ -r /etc/os-release ]; then
        # shellcheck source=/dev/null
        id=$(. /etc/os-release && printf '%s' "${ID:-}")
        # shellcheck source=/dev/null
        codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
    fi
    if [ "$id" = debian ] && [ -n "$codename" ]; then
        printf '%s\n' "$codename"
    else
        printf '%s\n' "$DEFAULT_SUITE"
    fi
}

# Prints "URI SUITE..." for every enabled binary ("deb") entry in apt's sources.
apt_source_entries() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        # One-line format: deb [options] URI SUITE [COMPONENT...]
        awk '
            { sub(/#.*/, "") }
            $1 != "deb" { next }
            {
                i = 2
                if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                if (i + 1 <= NF) print $i, $(i + 1)
            }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822 format: paragraphs of "Field: value" lines, continuation lines start with space.
        awk '
            function flush(   n, u, i) {
                if (tolower(f["enabled"]) != "no" && (" " f["types"] " ") ~ /[ \t]deb[ \t]/) {
                    n = split(f["uris"], u, /[ \t]+/)
                    for (i = 1; i <= n; i++) if (u[i] != "") print u[i], f["suites"]
                }
                delete f
            }
            /^#/ { next }
            /^[ \t]*$/ { flush(); next }
            /^[ \t]/ { if (key != "") f[key] = f[key] " " $0; next }
            {
                key = tolower($0); sub(/:.*/, "", key)
                val = $0; sub(/^[^:]*:[ \t]*/, "", val)
                f[key] = val
            }
            END { flush() }' "$f"
    done
}

# The mirror debootstrap should use for $1: see the header.
find_mirror() {
    local suite=$1 uri suites best="" fallback=""
    while read -r uri suites; do
        case $uri in http://*|https://*|ftp://*|file:/*) ;; *) continue ;; esac
        case " $suites " in
            *" $suite "*) [ -n "$best" ] || best=$uri ;;
        esac
        case ${uri%/} in
            */debian) [ -n "$fallback" ] || fallback=$uri ;;
        esac
    done < <(apt_source_entries)
    if [ -n "$best" ]; then
        printf '%s\n' "${best%/}"
    elif [ -n "$fallback" ]; then
        printf '%s\n' "${fallback%/}"
    fi
}

# ---- main --------------------------------------------------------------------------------
START=$(date +%s)
[ "$(id -u)" -eq 0 ] || die "run as root: debootstrap needs it"
DEST=$(safe_target "$1")
SUITE=${2:-$(host_suite)}
case $SUITE in ''|*[!A-Za-z0-9._-]*) die "bad SUITE: '$SUITE'" ;; esac

if [ -n "${MIRROR:-}" ]; then
    note "mirror from \$MIRROR: $MIRROR"
else
    MIRROR=$(find_mirror "$SUITE")
    if [ -n "$MIRROR" ]; then
        note "mirror from apt's sources: $MIRROR"
    else
        MIRROR=$FALLBACK_MIRROR
        note "warning: no Debian mirror found in apt's sources; using $MIRROR (set MIRROR= to choose)"
    fi
fi

if [ -z "${http_proxy:-}" ]; then
    APT_PROXY=""
    eval "$(apt-config shell APT_PROXY Acquire::http::Proxy 2>/dev/null || true)"
    if [ -n "$APT_PROXY" ] && [ "$APT_PROXY" != DIRECT ]; then
        export http_proxy=$APT_PROXY
        note "using apt's proxy: $http_proxy"
    fi
fi

apt_install() {
    local out
    out=$(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" 2>&1) && return 0
    note "apt-get install $* failed; running apt-get update -qq and trying again"
    out=$(apt-get update -qq 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" 2>&1) \
        || { printf '%s\n' "$out" >&2; return 1; }
}
if ! command -v debootstrap >/dev/null 2>&1; then
    note "installing debootstrap with apt-get"
    apt_install debootstrap || die "could not install debootstrap"
fi
if [ ! -e /usr/share/keyrings/debian-archive-keyring.gpg ]; then
    note "installing debian-archive-keyring with apt-get"
    apt_install debian-archive-keyring || die "could not install debian-archive-keyring"
fi

begin_build "$DEST"

note "debootstrap --variant=minbase $SUITE into $BUILD (takes a few minutes; log: $WORK/debootstrap.log)"
T0=$(date +%s)
if ! debootstrap --variant=minbase "$SUITE" "$BUILD" "$MIRROR" > "$WORK/debootstrap.log" 2>&1; then
    tail -n 30 "$WORK/debootstrap.log" >&2
    [ ! -f "$BUILD/debootstrap/debootstrap.log" ] || tail -n 30 "$BUILD/debootstrap/debootstrap.log" >&2
    die "debootstrap failed (suite $SUITE, mirror $MIRROR)"
fi
T_DEBOOTSTRAP=$(( $(date +%s) - T0 ))

[ -e "$BUILD/bin/sh" ] || die "debootstrap finished but $BUILD/bin/sh is missing"
mkdir -p "$BUILD/proc"
printf 'box\n' > "$BUILD/etc/hostname"
printf 'rootfs-scripts/debootstrap-minbase.sh: debian %s minbase from %s\n' "$SUITE" "$MIRROR" \
    > "$BUILD/etc/boxlab-rootfs"
# Downloaded .debs are not needed in the box.
find "$BUILD/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -type f -delete 2>/dev/null || true

swap_into_place "$DEST"

SIZE=$(du -sh --one-file-system -- "$DEST" | cut -f1)
VERSION=$(cat "$DEST/etc/debian_version" 2>/dev/null || echo '?')
printf '%s: built %s: debian %s (%s) minbase from %s, %s, debootstrap %ss, total %ss; use: boxlab --rootfs %s\n' \
    "$PROG" "$DEST" "$SUITE" "$VERSION" "$MIRROR" "$SIZE" "$T_DEBOOTSTRAP" "$(( $(date +%s) - START ))" "$DEST"
