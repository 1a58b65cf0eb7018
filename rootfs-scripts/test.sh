#!/bin/bash
# test.sh — tests busybox-deb.sh and debootstrap-minbase.sh: builds each into a temporary
# directory and checks that the result is a root filesystem boxlab can use (`boxlab --rootfs DIR`).
#
# Usage:
#   bash rootfs-scripts/test.sh
#
# Environment:
#   BOXLAB=PATH                         a built boxlab binary: also run
#                                       `$BOXLAB --rootfs DIR transcript chroot` on each tree and
#                                       require exit 0. Unset: that check is skipped with a note,
#                                       unless CI=true, where a missing BOXLAB is a failure.
#   ROOTFS_SCRIPTS_SKIP_DEBOOTSTRAP=1   skip the debootstrap part (slow: ~45-60 s here, more on a
#                                       slow mirror; the busybox part takes ~4 s).
#
# Needs: root (chroot, debootstrap), network access to the Debian mirror in apt's sources.
# Only reads the built trees from the host (chroot DIR /bin/sh -c ...); mounts nothing itself.
# The temporary directory is removed on exit. The last line is "N passed, N failed"; the exit
# status is non-zero if anything failed.

# The helpers below are run through check() and traps, which shellcheck cannot follow:
# shellcheck disable=SC2317
set -u
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); printf 'PASS  %s\n' "$1"; }
fail() {
    FAILED=$((FAILED + 1))
    printf 'FAIL  %s\n' "$1"
    if [ -n "${2:-}" ]; then printf '%s\n' "$2" | tail -n 20 | sed 's/^/      | /'; fi
}
# check DESCRIPTION COMMAND...: passes if COMMAND exits 0; shows its output if not.
check() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then pass "$desc"; else fail "$desc" "$out"; fi
}
finish() {
    printf '%s passed, %s failed\n' "$PASSED" "$FAILED"
    [ "$FAILED" -eq 0 ]
    exit
}

if [ "$(id -u)" -ne 0 ]; then
    fail "running as root (needed for chroot and debootstrap)"
    finish
fi

# ---- the temporary directory, removed on exit ----------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rootfs-scripts-test.XXXXXX") || { fail "mktemp -d"; finish; }
cleanup() {
    local mp
    while read -r _ _ _ _ mp _; do
        case $mp in "$TMP"|"$TMP"/*)
            printf 'note: %s is still mounted; leaving %s in place\n' "$mp" "$TMP" >&2
            return ;;
        esac
    done < /proc/self/mountinfo
    rm -rf --one-file-system -- "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- checks shared by both trees -----------------------------------------------------------
# No DIR.tmp.* or DIR.old.* may be left next to DIR after a run.
no_leftovers() {
    local dir=$1 f
    for f in "$dir".tmp.* "$dir".old.*; do
        if [ -e "$f" ]; then echo "left over: $f"; return 1; fi
    done
}
chroot_echo_ok() {
    local out
    out=$(chroot "$1" /bin/sh -c 'echo ok; hostname; ls /' 2>&1) || { echo "$out"; return 1; }
    printf '%s\n' "$out"
    printf '%s\n' "$out" | head -n 1 | grep -qx ok || return 1
    printf '%s\n' "$out" | grep -qx bin || { echo "(no bin in ls /)"; return 1; }
}
hostname_is_box() { [ "$(cat "$1/etc/hostname")" = box ] || { cat "$1/etc/hostname"; return 1; }; }
boxlab_transcript() {
    local name=$1 dir=$2
    if [ -z "${BOXLAB:-}" ]; then
        if [ "${CI:-}" = true ]; then
            fail "$name: boxlab --rootfs DIR transcript chroot (CI=true but BOXLAB is not set)"
        else
            printf 'note  %s: skipping boxlab --rootfs DIR transcript chroot: set BOXLAB=path/to/boxlab to run it\n' "$name"
        fi
        return
    fi
    if [ ! -x "$BOXLAB" ]; then
        fail "$name: boxlab --rootfs DIR transcript chroot (BOXLAB=$BOXLAB is not an executable)"
        return
    fi
    check "$name: $BOXLAB --rootfs DIR transcript chroot exits 0" \
        timeout 600 "$BOXLAB" --rootfs "$dir" transcript chroot
}
common_checks() {
    local name=$1 dir=$2
    check "$name: DIR/bin/sh exists" test -e "$dir/bin/sh"
    check "$name: DIR/proc is a directory" test -d "$dir/proc"
    check "$name: DIR/etc/hostname is box" hostname_is_box "$dir"
    check "$name: chroot DIR /bin/sh -c 'echo ok; hostname; ls /' prints ok" chroot_echo_ok "$dir"
    check "$name: no DIR.tmp.* or DIR.old.* left next to DIR" no_leftovers "$dir"
}

# ---- static checks ---------------------------------------------------------------------------
if command -v shellcheck >/dev/null 2>&1; then
    check "shellcheck (warnings and errors)" shellcheck --severity=warning \
        "$HERE/common.sh" "$HERE/busybox-deb.sh" "$HERE/debootstrap-minbase.sh" "$HERE/test.sh"
else
    printf 'note  shellcheck not installed; not linting (apt-get install shellcheck)\n'
fi

# ---- safety: dangerous DIR values are refused, before anything is touched --------------------
refused() {
    # refused SCRIPT ARG: SCRIPT must exit non-zero and say "refusing" or "empty".
    local out
    if out=$("$@" 2>&1); then echo "exited 0: $out"; return 1; fi
    printf '%s\n' "$out" | grep -Eqi 'refusing|empty' || { echo "$out"; return 1; }
}
for script in busybox-deb.sh debootstrap-minbase.sh; do
    check "$script refuses DIR=/" refused "$HERE/$script" /
    check "$script refuses DIR=''" refused "$HERE/$script" ""
    check "$script refuses DIR=/usr/.." refused "$HERE/$script" /usr/..
done
mkdir -p "$TMP/precious/sub"
echo keep > "$TMP/precious/sub/file"
check "busybox-deb.sh refuses a non-empty DIR that is not a root filesystem" \
    refused "$HERE/busybox-deb.sh" "$TMP/precious"
check "... and leaves it as it was" grep -qx keep "$TMP/precious/sub/file"

# ---- busybox-deb.sh ----------------------------------------------------------------------
BB=$TMP/busybox
T0=$(date +%s)
if out=$(timeout 600 "$HERE/busybox-deb.sh" "$BB" 2>&1); then
    pass "busybox-deb.sh builds DIR"
    printf '      | %s\n' "$(printf '%s\n' "$out" | tail -n 1)"
else
    fail "busybox-deb.sh builds DIR" "$out"
fi
T_BUSYBOX=$(( $(date +%s) - T0 ))
if [ -d "$BB" ]; then
    common_checks busybox "$BB"
    applets_over_100() {
        local n
        n=$(chroot "$1" /bin/busybox --list | wc -l) || return 1
        echo "$n applets"
        [ "$n" -gt 100 ]
    }
    check "busybox: chroot DIR /bin/busybox --list | wc -l > 100" applets_over_100 "$BB"
    check "busybox: DIR/bin/busybox is a regular file" test -f "$BB/bin/busybox" -a ! -L "$BB/bin/busybox"
    check "busybox: DIR/sbin -> bin" test "$(readlink "$BB/sbin")" = bin
    check "busybox: DIR/usr/bin -> ../bin" test "$(readlink "$BB/usr/bin")" = ../bin
    check "busybox: DIR/usr/sbin -> ../bin" test "$(readlink "$BB/usr/sbin")" = ../bin
    check "busybox: DIR/tmp has mode 1777" test "$(stat -c %a "$BB/tmp")" = 1777
    for d in sys dev etc root home; do
        check "busybox: DIR/$d is a directory" test -d "$BB/$d"
    done
    check "busybox: etc/passwd has root with /bin/sh" grep -qx 'root:x:0:0:root:/root:/bin/sh' "$BB/etc/passwd"
    check "busybox: etc/passwd has nobody" grep -q '^nobody:' "$BB/etc/passwd"
    check "busybox: etc/group has root" grep -q '^root:x:0:' "$BB/etc/group"
    boxlab_transcript busybox "$BB"

    # A second run replaces the tree; a failing run leaves the existing tree untouched.
    touch "$BB/stale-marker"
    check "busybox-deb.sh rebuilds an existing DIR" timeout 600 "$HERE/busybox-deb.sh" "$BB"
    check "... the old tree is gone" test ! -e "$BB/stale-marker"
    check "... no DIR.tmp.* or DIR.old.* left" no_leftovers "$BB"
    mkdir -p "$TMP/fakebin"
    printf '#!/bin/sh\necho "fake apt-get: failing on purpose" >&2\nexit 1\n' > "$TMP/fakebin/apt-get"
    chmod +x "$TMP/fakebin/apt-get"
    touch "$BB/keep-marker"
    fails_with_fake_apt() { ! PATH=$TMP/fakebin:$PATH "$HERE/busybox-deb.sh" "$1"; }
    check "busybox-deb.sh fails when apt-get download fails (fake apt-get)" fails_with_fake_apt "$BB"
    check "... and leaves the existing DIR untouched" test -e "$BB/keep-marker" -a -e "$BB/bin/sh"
    check "... and no DIR.tmp.* or DIR.old.* behind" no_leftovers "$BB"
    # shellcheck disable=SC2016  # $1.. expand in the inner sh
    check "... and a new DIR is not created at all" \
        sh -c '! PATH="$1:$PATH" "$2" "$3" 2>/dev/null && [ ! -e "$3" ]' sh "$TMP/fakebin" "$HERE/busybox-deb.sh" "$TMP/never"
fi
printf 'time  busybox part: %ss (the build alone: %ss)\n' "$(( $(date +%s) - T0 ))" "$T_BUSYBOX"

# ---- debootstrap-minbase.sh ---------------------------------------------------------------
if [ "${ROOTFS_SCRIPTS_SKIP_DEBOOTSTRAP:-}" = 1 ]; then
    printf 'SKIP  debootstrap part (ROOTFS_SCRIPTS_SKIP_DEBOOTSTRAP=1)\n'
else
    DB=$TMP/debian
    T0=$(date +%s)
    if out=$(timeout 1800 "$HERE/debootstrap-minbase.sh" "$DB" 2>&1); then
        pass "debootstrap-minbase.sh builds DIR"
        printf '%s\n' "$out" | grep -E 'mirror|built' | sed 's/^/      | /'
    else
        fail "debootstrap-minbase.sh builds DIR" "$out"
    fi
    T_DEBOOTSTRAP=$(( $(date +%s) - T0 ))
    if [ -d "$DB" ]; then
        common_checks debootstrap "$DB"
        debian_version() {
            local v
            v=$(chroot "$1" /bin/sh -c 'cat /etc/debian_version') || return 1
            echo "debian_version: $v"
            [ -n "$v" ]
        }
        check "debootstrap: chroot DIR /bin/sh -c 'cat /etc/debian_version'" debian_version "$DB"
        check "debootstrap: chroot DIR dpkg-query works" chroot "$DB" dpkg-query -W coreutils
        boxlab_transcript debootstrap "$DB"
    fi
    printf 'time  debootstrap part: %ss\n' "$T_DEBOOTSTRAP"
fi

finish
