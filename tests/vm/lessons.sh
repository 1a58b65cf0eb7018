#!/bin/sh
# Runs inside a throw-away VM (../shared/tools/vm-test.sh: pure cgroup v2, another kernel):
# every lesson's transcript must pass, and doctor must see cgroup v2.
# The VM copies this script and `-i target/release/boxlab:/payload/boxlab` in.
export HOME=/root
pass=0 fail=0
for lesson in why-containers chroot uts pid mount ipc net user cgroupns time; do
  if /payload/boxlab transcript "$lesson" > "/tmp/$lesson.txt" 2>&1; then
    pass=$((pass + 1)); echo "ok   $lesson"
  else
    fail=$((fail + 1)); echo "FAIL $lesson"; cat "/tmp/$lesson.txt"
  fi
done
if /payload/boxlab doctor | grep -q 'cgroup v2 (unified)'; then
  pass=$((pass + 1)); echo "ok   doctor sees cgroup v2"
else
  fail=$((fail + 1)); echo "FAIL doctor:"; /payload/boxlab doctor
fi
echo "vm lessons: $pass passed, $fail failed"
[ "$fail" = 0 ]
