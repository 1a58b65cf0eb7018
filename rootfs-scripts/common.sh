# shellcheck shell=bash
# common.sh - shared by the rootfs-scripts: refusing dangerous target directories, building
# beside the target, and swapping the new tree into place only when it is complete.
# Sourced, not run. The sourcing script sets PROG (its name, for messages) first.

die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

# ---- safety: decide whether DIR may be (re)built ------------------------------------------
# Prints DIR as an absolute path, or exits with a message.
safe_target() {
    local raw=$1 abs d
    [ -n "$raw" ] || die "DIR is empty; give the directory to build the root filesystem in"
    abs=$(realpath -m -- "$raw") || die "cannot resolve $raw"
    if [ "$abs" = / ] || [ "$abs" -ef / ]; then
        die "refusing DIR=$raw: that is the host's root directory"
    fi
    for d in /bin /boot /dev /etc /home /lib /lib32 /lib64 /libx32 /media /mnt /opt /proc /root \
             /run /sbin /srv /sys /tmp /usr /var "${HOME:-/}"; do
        if [ "$abs" = "$d" ] || [ "$abs" -ef "$d" ]; then
            die "refusing DIR=$raw: that is the host's $d"
        fi
    done
    case $abs in
        /proc/*|/sys/*|/dev/*) die "refusing DIR=$raw: inside a kernel filesystem" ;;
    esac
    if [ -e "$abs" ] || [ -L "$abs" ]; then
        [ -d "$abs" ] || die "refusing DIR=$raw: it exists and is not a directory"
        if [ -n "$(ls -A -- "$abs")" ] && [ ! -e "$abs/etc/boxlab-rootfs" ] \
            && ! { { [ -e "$abs/bin/sh" ] || [ -L "$abs/bin/sh" ]; } && [ -d "$abs/proc" ]; }; then
            die "refusing to replace $abs: it is not empty and does not look like a root filesystem (no etc/boxlab-rootfs, no bin/sh and proc); remove it yourself if you mean it"
        fi
        if mounted_under "$abs"; then
            die "refusing: something is mounted inside $abs (is a box still running? try: boxlab cleanup)"
        fi
    fi
    printf '%s\n' "$abs"
}

# True if anything is mounted at or below $1.
mounted_under() {
    local dir=$1 mp
    # Field 5 of mountinfo is the mount point (spaces escaped as \040; fine for a prefix test).
    while read -r _ _ _ _ mp _; do
        case $mp in "$dir"|"$dir"/*) return 0 ;; esac
    done < /proc/self/mountinfo
    return 1
}

# Removes a tree this run created, unless something is still mounted in it.
remove_tree() {
    if mounted_under "$1"; then
        note "leaving $1 in place: something is still mounted inside it (umount it, then remove it)"
        return 0
    fi
    rm -rf --one-file-system -- "$1"
}

# The EXIT trap of begin_build: removes what this run created and did not finish.
# shellcheck disable=SC2317  # called only by the trap
cleanup_build() {
    [ -z "$WORK" ] || rm -rf -- "$WORK"
    [ -z "$BUILD" ] || remove_tree "$BUILD"
    [ -z "$OLD" ] || remove_tree "$OLD"
}

# ---- building beside DEST ------------------------------------------------------------------
# begin_build DEST: makes WORK (a scratch dir) and BUILD (DEST.tmp.PID, the new tree) and
# arranges for everything this run created, and only that, to be removed on exit.
begin_build() {
    local dest=$1
    mkdir -p -- "$(dirname -- "$dest")"
    WORK=""
    BUILD=""
    OLD=""
    trap cleanup_build EXIT
    trap 'exit 130' INT TERM HUP

    WORK=$(mktemp -d "${TMPDIR:-/tmp}/$PROG.XXXXXX")
    # mkdir without -p fails if the name is taken, so BUILD is always a directory this run created.
    mkdir -- "$dest.tmp.$$" || die "cannot create $dest.tmp.$$ (left over from an earlier run?)"
    BUILD=$dest.tmp.$$
}

# swap_into_place DEST: replaces DEST with BUILD (the old tree is removed only after).
swap_into_place() {
    local dest=$1
    if [ -e "$dest" ]; then
        [ ! -e "$dest.old.$$" ] || die "$dest.old.$$ is in the way; remove it and run again"
        mv -T -- "$dest" "$dest.old.$$"
        OLD=$dest.old.$$
    fi
    mv -T -- "$BUILD" "$dest"
    BUILD=""
    [ -z "$OLD" ] || { remove_tree "$OLD"; OLD=""; }
}
