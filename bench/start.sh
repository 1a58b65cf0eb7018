#!/usr/bin/env bash
# bench/start.sh - start-up cost of one container running /bin/true: boxlab against the usual
# tools, measured side by side in one hyperfine run. A benchmark to read, not a test to pass.
#
# Usage: sudo bench/start.sh [-n RUNS] [-w WARMUP] [-g GAP_MS] [-p PEAK_RUNS] [-o DIR] [-B] [-R]
#   -n RUNS       timed runs per command (default 100)
#   -w WARMUP     untimed runs per command before those (default 5)
#   -g GAP_MS     idle time before every run (hyperfine --prepare 'sleep ...'; default 0, back to
#                 back). 50 shows single cold starts: a cgroup v1 move then waits for RCU.
#   -p PEAK_RUNS  runs under GNU time per command for the peak-RSS median (default 5)
#   -o DIR        results, OCI bundles, runtime state and the rootfs (default bench/results)
#   -B            do not run `cargo build --release`; use target/HOST-TUPLE/release/boxlab as it is
#   -R            rebuild the busybox rootfs even if DIR/rootfs exists
# See bench/README.md for the columns and the caveats.
set -euo pipefail

REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
ARGS=("$@")
RUNS=100 WARMUP=5 GAP_MS=0 PEAK_RUNS=5 OUT=$REPO/bench/results BUILD=1 REBUILD_ROOTFS=0
while getopts ":n:w:g:p:o:BRh" opt; do
    case $opt in
        n) RUNS=$OPTARG ;;
        w) WARMUP=$OPTARG ;;
        g) GAP_MS=$OPTARG ;;
        p) PEAK_RUNS=$OPTARG ;;
        o) OUT=$OPTARG ;;
        B) BUILD=0 ;;
        R) REBUILD_ROOTFS=1 ;;
        h) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        :) echo "start.sh: -$OPTARG needs a value" >&2; exit 2 ;;
        *) echo "start.sh: unknown option -$OPTARG (try -h)" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[[ $# -eq 0 ]] || { echo "start.sh: unexpected argument '$1' (try -h)" >&2; exit 2; }
for v in "$RUNS" "$WARMUP" "$GAP_MS" "$PEAK_RUNS"; do
    [[ $v =~ ^[0-9]+$ ]] || { echo "start.sh: '$v' is not a count" >&2; exit 2; }
done

say() { printf 'start.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
[[ $(id -u) -eq 0 ]] || die "run it as root: every peer here needs root for its namespaces"

# ---- cgroup layout, and crun's objection to it ------------------------------------------------
# On a v1 host with cgroup2 mounted beside (hybrid), crun 1.x refuses to run anything when that
# cgroup2 mount has a controller in it. The way round it that changes nothing on the host: do the
# whole benchmark in a mount namespace of its own where the controller list reads empty. Every
# peer runs in that namespace, so all are measured alike; it ends when this script does.
UNIFIED=/sys/fs/cgroup/unified
layout() {
    local top
    top=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo none)
    if [[ $top == cgroup2fs ]]; then
        echo v2
    elif [[ $top == tmpfs && $(stat -fc %T "$UNIFIED" 2>/dev/null) == cgroup2fs ]]; then
        echo hybrid
    elif [[ $top == tmpfs ]]; then
        echo v1
    else
        echo unknown
    fi
}
LAYOUT=$(layout)
HIDDEN=""
if [[ $LAYOUT == hybrid ]]; then
    HIDDEN=$(tr '\n' ' ' <"$UNIFIED/cgroup.controllers")
    HIDDEN=${HIDDEN% }
fi
if [[ -n $HIDDEN && ${START_SH_OWN_MOUNTS:-} != yes ]]; then
    say "cgroup2 at $UNIFIED holds '$HIDDEN': going on in a private mount namespace for crun's sake"
    START_SH_OWN_MOUNTS=yes exec unshare --mount --propagation private -- "$BASH" "$0" "${ARGS[@]}"
fi
if [[ -n $HIDDEN ]]; then
    # Only in this namespace: crun now reads an empty controller list.
    mount --bind /dev/null "$UNIFIED/cgroup.controllers"
fi

# ---- tools -------------------------------------------------------------------------------------
# command -> Debian package; a missing one is installed, and a peer still missing is skipped.
declare -A PKG=([hyperfine]=hyperfine [bwrap]=bubblewrap [crun]=crun [runc]=runc
    [/usr/bin/time]=time [python3]=python3-minimal [unshare]=util-linux)
missing=()
for c in "${!PKG[@]}"; do command -v "$c" >/dev/null || missing+=("${PKG[$c]}"); done
if [[ ${#missing[@]} -gt 0 ]]; then
    say "installing ${missing[*]}"
    apt-get install -y -qq "${missing[@]}" >/dev/null \
        || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } \
        || say "apt-get could not install all of: ${missing[*]}"
fi
for c in hyperfine python3 unshare; do command -v "$c" >/dev/null || die "$c is needed"; done

if [[ $BUILD -eq 1 ]]; then
    command -v cargo >/dev/null \
        || die "cargo not on PATH (under sudo try: sudo env PATH=\"\$PATH\" $0), or build first and pass -B"
    say "cargo build --release"
    cargo build --release --quiet --manifest-path "$REPO/Cargo.toml"
fi
# In target/HOST-TUPLE/release (.cargo/config.toml builds for the host named as the target):
# the host's when rustc says which, else the one there is.
HOST=$(rustc -vV 2>/dev/null | sed -n 's/^host: //p' || true)
BOXLAB=$REPO/target/$HOST/release/boxlab
[[ -n $HOST && -x $BOXLAB ]] || BOXLAB=$(compgen -G "$REPO/target/*/release/boxlab" | head -1 || true)
[[ -x $BOXLAB ]] || die "no target/*/release/boxlab: run cargo build --release (or drop -B)"

mkdir -p "$OUT"
OUT=$(cd -- "$OUT" && pwd)
ROOTFS=$OUT/rootfs
if [[ $REBUILD_ROOTFS -eq 1 || ! -f $ROOTFS/etc/boxlab-rootfs ]]; then
    "$REPO/rootfs-scripts/busybox-deb.sh" "$ROOTFS" >&2
fi
[[ -x $ROOTFS/bin/busybox ]] || die "no $ROOTFS/bin/busybox after building the rootfs"

# Things a runtime could leave behind; compared at the end.
cgroup_dirs() { find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort; }
CG_BEFORE=$(cgroup_dirs)
BOXLAB_RUN_DIR_EXISTED=0
[[ -d /run/boxlab ]] && BOXLAB_RUN_DIR_EXISTED=1
# The OCI runtimes keep their state here instead of /run/crun and /run/runc.
STATE=$OUT/state
WORK=$(mktemp -d)
cleanup() {
    rm -rf -- "$WORK" "$STATE"
    if [[ $BOXLAB_RUN_DIR_EXISTED -eq 0 ]]; then rmdir /run/boxlab 2>/dev/null || true; fi
}
trap cleanup EXIT

# ---- the peers ---------------------------------------------------------------------------------
# OCI bundle: the runtime's own `spec`, with our rootfs, /bin/true, no terminal; LIMITS=yes adds
# the same limits boxlab gets (64 MiB memory, 20 pids).
bundle() { # RUNTIME DIR LIMITS
    local rt=$1 dir=$2 limits=$3
    rm -rf -- "$dir"
    mkdir -p "$dir"
    (cd -- "$dir" && "$rt" spec) || return 1
    python3 - "$dir/config.json" "$ROOTFS" "$limits" <<'PY'
import json, sys
config_path, rootfs, limits = sys.argv[1:]
with open(config_path) as f:
    config = json.load(f)
config["root"]["path"] = rootfs
config["process"]["terminal"] = False
config["process"]["args"] = ["/bin/true"]
if limits == "yes":
    res = config["linux"].setdefault("resources", {})
    res["memory"] = {"limit": 64 << 20}
    res["pids"] = {"limit": 20}
with open(config_path, "w") as f:
    json.dump(config, f, indent=2)
PY
}

NAMES=() ARGVS=() SKIPPED=()
# NAME ARGV...: kept when one trial run exits 0; otherwise skipped, with the reason.
peer() {
    local name=$1 out rc=0
    shift
    if ! command -v "$1" >/dev/null; then
        SKIPPED+=("$name: $1 is not installed")
        return
    fi
    out=$("$@" </dev/null 2>&1) || rc=$?
    if [[ $rc -ne 0 ]]; then
        SKIPPED+=("$name: exit $rc: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-200)")
        return
    fi
    NAMES+=("$name")
    ARGVS+=("$(printf '%q ' "$@")")
}
# NAME RUNTIME LIMITS: `run` in the foreground deletes its container at the end, so one id each.
oci_peer() {
    local name=$1 rt=$2 limits=$3
    if ! command -v "$rt" >/dev/null; then
        SKIPPED+=("$name: $rt is not installed")
        return
    fi
    if ! bundle "$rt" "$OUT/bundles/$name" "$limits" >/dev/null 2>&1; then
        SKIPPED+=("$name: '$rt spec' or the bundle edit failed")
        return
    fi
    mkdir -p "$STATE/$rt"
    peer "$name" "$rt" --root "$STATE/$rt" run --bundle "$OUT/bundles/$name" "start-sh-$name"
}

peer unshare unshare --mount --uts --ipc --pid --net --fork --root="$ROOTFS" /bin/true
peer boxlab "$BOXLAB" run --rootfs "$ROOTFS" --memory 64M --pids 20 -- /bin/true
peer boxlab-nolimits "$BOXLAB" run --rootfs "$ROOTFS" -- /bin/true
peer bwrap bwrap --unshare-ipc --unshare-pid --unshare-net --unshare-uts \
    --bind "$ROOTFS" / --proc /proc --dev /dev /bin/true
oci_peer crun crun no
oci_peer crun-limits crun yes
oci_peer runc runc no
oci_peer runc-limits runc yes
peer bare-true "$ROOTFS/bin/true"
[[ ${NAMES[0]:-} == unshare ]] || die "the yardstick failed: ${SKIPPED[0]:-unshare}"

# ---- wall time: every command in one hyperfine call, no shell between (-N) -------------------
say "hyperfine: ${#NAMES[@]} commands x $RUNS runs (+$WARMUP warm-up), ${GAP_MS} ms idle before each"
hf=()
if [[ $GAP_MS -gt 0 ]]; then
    hf+=(--prepare "sleep $(printf '%d.%03d' $((GAP_MS / 1000)) $((GAP_MS % 1000)))")
fi
for i in "${!NAMES[@]}"; do hf+=(--command-name "${NAMES[$i]}" "${ARGVS[$i]}"); done
hyperfine -N --style none --warmup "$WARMUP" --runs "$RUNS" \
    --export-json "$OUT/start.json" "${hf[@]}" >"$WORK/hyperfine.log" 2>&1 \
    || { cat "$WORK/hyperfine.log" >&2; die "hyperfine failed"; }

# ---- peak memory: GNU time %M (KiB) ------------------------------------------------------------
PEAKS=$OUT/peak-kib.tsv
: >"$PEAKS"
if [[ -x /usr/bin/time ]]; then
    for i in "${!NAMES[@]}"; do
        # ARGVS holds printf %q words: eval turns them back into the same argv.
        argv=()
        eval "argv=(${ARGVS[$i]})"
        for ((r = 0; r < PEAK_RUNS; r++)); do
            /usr/bin/time -f "${NAMES[$i]}"'\t%M' -a -o "$PEAKS" "${argv[@]}" </dev/null >/dev/null 2>&1 \
                || true
        done
    done
else
    say "no GNU time (/usr/bin/time): no peak-memory column"
fi

# ---- what the host looks like afterwards -------------------------------------------------------
# Only the kinds this script makes: the OCI containers' ids and `boxlab run`'s cgroup (named
# boxlab-RUN); other programs on the machine may make and remove cgroups of their own meanwhile.
LEFT=$(comm -13 <(printf '%s\n' "$CG_BEFORE") <(cgroup_dirs) | grep -E '/start-sh-|/boxlab-[^/]+$' || true)
[[ -z $LEFT ]] || say "warning: cgroups left over: $(tr '\n' ' ' <<<"$LEFT")"
if pgrep -x boxlab-init >/dev/null; then say "warning: a boxlab-init process is still running"; fi

# ---- report ------------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
v1=$(awk '$3 == "cgroup" { n = split($4, o, ","); for (i = 1; i <= n; i++)
        if (o[i] !~ /^(rw|ro|relatime|nosuid|nodev|noexec)$/) printf "%s%s", s++ ? "," : "", o[i] }' \
    /proc/mounts)
echo "## boxlab start-up: /bin/true in a fresh container"
echo
echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, Linux $(uname -r)"
cg="- cgroups: $LAYOUT"
[[ -z $v1 ]] || cg+="; v1 controllers: $v1"
[[ -z $HIDDEN ]] || cg+="; cgroup2 controllers: $HIDDEN (hidden from crun, in this run's own mount namespace only)"
echo "$cg"
for t in "unshare --version" "bwrap --version" "crun --version" "runc --version" "hyperfine --version"; do
    if command -v "${t%% *}" >/dev/null; then echo "- $($t 2>&1 | head -1)"; fi
done
echo "- boxlab $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo '?') (release build)," \
    "rootfs: $(cat "$ROOTFS/etc/boxlab-rootfs" 2>/dev/null || echo "$ROOTFS")"
if [[ $GAP_MS -gt 0 ]]; then gap="$GAP_MS ms idle before each run"; else gap="back to back"; fi
echo "- $RUNS timed runs per command after $WARMUP warm-up (hyperfine -N), $gap; peak RSS: median of $PEAK_RUNS runs"
echo
python3 - "$OUT/start.json" "$PEAKS" <<'PY'
import json, statistics, sys
from collections import defaultdict

results = json.load(open(sys.argv[1]))["results"]
peaks = defaultdict(list)
for line in open(sys.argv[2]):
    name, _, kib = line.rstrip("\n").rpartition("\t")
    if kib.isdigit():
        peaks[name].append(int(kib))
peak = {n: statistics.median(v) for n, v in peaks.items()}
med = {r["command"]: statistics.median(r["times"]) * 1e3 for r in results}
base = med["unshare"]
print("| command | median ms | mean ± σ ms | min ms | × unshare | peak RSS MiB | × unshare |")
print("|---|--:|--:|--:|--:|--:|--:|")
for r in results:
    n = r["command"]
    t = r["times"]
    p, pb = peak.get(n), peak.get("unshare")
    print(f"| {n} | {med[n]:.2f} | {statistics.mean(t) * 1e3:.2f} ± {statistics.pstdev(t) * 1e3:.2f}"
          f" | {min(t) * 1e3:.2f} | {med[n] / base:.2f}"
          + (f" | {p / 1024:.1f} | {p / pb:.2f} |" if p and pb else " | - | - |"))
print()
if "boxlab" in med:
    b = med["boxlab"]
    print(f"target 1, boxlab (full container) <= unshare(1): {b:.2f} vs {base:.2f} ms:"
          f" {'met' if b <= base else 'not met'} ({b / base:.2f}x)")
    if "crun" in med:
        c = med["crun"]
        print(f"target 2, boxlab <= crun / 4: {b:.2f} vs {c / 4:.2f} ms:"
              f" {'met' if b <= c / 4 else 'not met'} ({b / c:.2f}x crun)")
PY
echo
for s in "${SKIPPED[@]}"; do echo "skipped $s"; done
echo "commands:"
for i in "${!NAMES[@]}"; do printf '  %-16s %s\n' "${NAMES[$i]}" "${ARGVS[$i]}"; done
echo "raw data: $OUT/start.json, $PEAKS"
