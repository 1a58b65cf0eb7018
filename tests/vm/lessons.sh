#!/bin/sh
# Runs inside a throw-away VM (../shared/tools/vm-test.sh: pure cgroup v2, another kernel):
# every lesson's transcript must pass and leave the cgroup tree and its limit files as they
# were; a run killed with SIGKILL in the middle of a cgroup lesson is undone by `boxlab cleanup`;
# doctor must see cgroup v2.
# The VM copies this script and `-i target/HOST-TUPLE/debug/boxlab:/payload/boxlab` in.
export HOME=/root
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# The cgroup tree, with the limit files and controller lists of its upper levels.
snapshot() {
  find /sys/fs/cgroup -type d | sort
  for d in $(find /sys/fs/cgroup -maxdepth 2 -type d); do
    for f in cgroup.subtree_control memory.max memory.swap.max cpu.max cpu.weight pids.max io.max; do
      [ -r "$d/$f" ] && echo "$d/$f = $(cat "$d/$f")"
    done
  done
}

snapshot > /tmp/before
for lesson in why-containers chroot uts pid mount ipc net user cgroupns time \
              cgroups memory cpu pids io images container docker; do
  if /payload/boxlab transcript "$lesson" > "/tmp/$lesson.txt" 2>&1; then
    ok "$lesson"
  else
    bad "$lesson"; cat "/tmp/$lesson.txt"
  fi
  snapshot > /tmp/after
  if diff /tmp/before /tmp/after > /tmp/diff; then
    ok "cgroup tree as found after $lesson"
  else
    bad "cgroup tree changed by $lesson"; cat /tmp/diff
  fi
done

# kill -9 in the middle of the memory hog and of the busy loops, then cleanup.
for lesson in memory cpu; do
  /payload/boxlab transcript "$lesson" > /dev/null 2>&1 &
  run=$!
  sleep 2
  kill -9 "$run"
  wait "$run" 2>/dev/null
  /payload/boxlab cleanup
  sleep 0.5
  snapshot > /tmp/after
  left=$(ps -o comm | grep -cE 'boxlab-box|memory-hog|busy-loop')
  if diff /tmp/before /tmp/after > /tmp/diff && [ "$left" = 0 ]; then
    ok "kill -9 during $lesson, then cleanup: nothing left"
  else
    bad "kill -9 during $lesson left $left process(es) or cgroups:"; cat /tmp/diff
  fi
done

if /payload/boxlab doctor | grep -q 'cgroup v2 (unified)'; then
  ok "doctor sees cgroup v2"
else
  bad "doctor:"; /payload/boxlab doctor
fi
echo "vm lessons: $pass passed, $fail failed"
[ "$fail" = 0 ]
