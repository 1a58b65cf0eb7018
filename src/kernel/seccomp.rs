//! A seccomp filter (seccomp(2), PR_SET_SECCOMP with SECCOMP_MODE_FILTER): a small classic-BPF
//! program the kernel runs on every system call, here answering EPERM for the calls Docker's
//! default profile keeps from containers (moby's `profiles/seccomp/default.json` allows a list
//! and leaves these out: kernel modules, kexec, reboot, the clock, swap, keyrings, ptrace and
//! other processes' memory, new namespaces and mounts, BPF, perf...), and letting the rest
//! through. Calls from another architecture's ABI (32-bit x86 on x86_64) are refused too, so
//! they cannot slip past the numbers checked here.

use super::{KernelError, logged_noted, zero};
use crate::lang::detail;

// Classic BPF opcodes (linux/filter.h, linux/bpf_common.h) and seccomp's return values
// (linux/seccomp.h).
/// BPF_LD | BPF_W | BPF_ABS (0x00 | 0x00 | 0x20): load the 32-bit word at offset k.
const BPF_LD_W_ABS: u16 = 0x20;
/// BPF_JMP | BPF_JEQ | BPF_K (0x05 | 0x10 | 0x00): jump by jt if the word equals k, else jf.
const BPF_JMP_JEQ_K: u16 = 0x15;
/// BPF_RET | BPF_K: return k.
const BPF_RET_K: u16 = 0x06;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
/// Offsets in `struct seccomp_data`.
const NR: u32 = 0;
const ARCH: u32 = 4;

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7;

/// The calls refused, by name and number on this architecture.
#[cfg(target_arch = "x86_64")]
pub const DENIED: &[(&str, i64)] = &[
    ("acct", libc::SYS_acct),
    ("add_key", libc::SYS_add_key),
    ("bpf", libc::SYS_bpf),
    ("clock_adjtime", libc::SYS_clock_adjtime),
    ("clock_settime", libc::SYS_clock_settime),
    ("delete_module", libc::SYS_delete_module),
    ("finit_module", libc::SYS_finit_module),
    ("init_module", libc::SYS_init_module),
    ("ioperm", libc::SYS_ioperm),
    ("iopl", libc::SYS_iopl),
    ("kexec_file_load", libc::SYS_kexec_file_load),
    ("kexec_load", libc::SYS_kexec_load),
    ("keyctl", libc::SYS_keyctl),
    ("lookup_dcookie", libc::SYS_lookup_dcookie),
    ("mount", libc::SYS_mount),
    ("move_mount", libc::SYS_move_mount),
    ("name_to_handle_at", libc::SYS_name_to_handle_at),
    ("open_by_handle_at", libc::SYS_open_by_handle_at),
    ("open_tree", libc::SYS_open_tree),
    ("perf_event_open", libc::SYS_perf_event_open),
    ("pivot_root", libc::SYS_pivot_root),
    ("process_vm_readv", libc::SYS_process_vm_readv),
    ("process_vm_writev", libc::SYS_process_vm_writev),
    ("ptrace", libc::SYS_ptrace),
    ("quotactl", libc::SYS_quotactl),
    ("reboot", libc::SYS_reboot),
    ("request_key", libc::SYS_request_key),
    ("setns", libc::SYS_setns),
    ("settimeofday", libc::SYS_settimeofday),
    ("swapoff", libc::SYS_swapoff),
    ("swapon", libc::SYS_swapon),
    ("sysfs", libc::SYS_sysfs),
    ("_sysctl", libc::SYS__sysctl),
    ("umount2", libc::SYS_umount2),
    ("unshare", libc::SYS_unshare),
    ("uselib", libc::SYS_uselib),
    ("userfaultfd", libc::SYS_userfaultfd),
    ("ustat", libc::SYS_ustat),
];

#[cfg(target_arch = "aarch64")]
pub const DENIED: &[(&str, i64)] = &[
    ("acct", libc::SYS_acct),
    ("add_key", libc::SYS_add_key),
    ("bpf", libc::SYS_bpf),
    ("clock_adjtime", libc::SYS_clock_adjtime),
    ("clock_settime", libc::SYS_clock_settime),
    ("delete_module", libc::SYS_delete_module),
    ("finit_module", libc::SYS_finit_module),
    ("init_module", libc::SYS_init_module),
    ("kexec_file_load", libc::SYS_kexec_file_load),
    ("kexec_load", libc::SYS_kexec_load),
    ("keyctl", libc::SYS_keyctl),
    ("mount", libc::SYS_mount),
    ("name_to_handle_at", libc::SYS_name_to_handle_at),
    ("open_by_handle_at", libc::SYS_open_by_handle_at),
    ("perf_event_open", libc::SYS_perf_event_open),
    ("pivot_root", libc::SYS_pivot_root),
    ("process_vm_readv", libc::SYS_process_vm_readv),
    ("process_vm_writev", libc::SYS_process_vm_writev),
    ("ptrace", libc::SYS_ptrace),
    ("quotactl", libc::SYS_quotactl),
    ("reboot", libc::SYS_reboot),
    ("request_key", libc::SYS_request_key),
    ("setns", libc::SYS_setns),
    ("settimeofday", libc::SYS_settimeofday),
    ("swapoff", libc::SYS_swapoff),
    ("swapon", libc::SYS_swapon),
    ("umount2", libc::SYS_umount2),
    ("unshare", libc::SYS_unshare),
    ("userfaultfd", libc::SYS_userfaultfd),
];

fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

/// The filter: refuse other ABIs; EPERM for each call in [`DENIED`]; allow everything else.
pub fn program() -> Vec<libc::sock_filter> {
    let eperm = SECCOMP_RET_ERRNO | libc::EPERM as u32;
    let mut p = vec![
        stmt(BPF_LD_W_ABS, ARCH),
        jump(BPF_JMP_JEQ_K, AUDIT_ARCH, 1, 0),
        stmt(BPF_RET_K, eperm),
        stmt(BPF_LD_W_ABS, NR),
    ];
    for (_, nr) in DENIED {
        // Equal: fall through to "refuse"; otherwise skip it.
        p.push(jump(BPF_JMP_JEQ_K, *nr as u32, 0, 1));
        p.push(stmt(BPF_RET_K, eperm));
    }
    p.push(stmt(BPF_RET_K, SECCOMP_RET_ALLOW));
    p
}

/// prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog): from now on this process and every
/// child it makes run under the filter; it cannot be removed. Needs no_new_privs first (or
/// CAP_SYS_ADMIN).
pub fn install() -> Result<(), KernelError> {
    let filter = program();
    let prog = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr() as *mut libc::sock_filter,
    };
    let r = unsafe {
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER as libc::c_ulong,
            &prog as *const libc::sock_fprog as libc::c_ulong,
            0,
            0,
        )
    };
    let r = nix::errno::Errno::result(r).map(drop);
    logged_noted(
        detail!(
            "EPERM for {} calls, in {} BPF instructions",
            "호출 {}가지에 EPERM, BPF 명령 {}개",
            DENIED.len(),
            filter.len()
        ),
        "prctl",
        "PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog".into(),
        r,
        zero,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_denied_call_has_its_own_check() {
        let p = program();
        assert_eq!(p.len(), 4 + 2 * DENIED.len() + 1);
        assert_eq!(p.last().unwrap().k, SECCOMP_RET_ALLOW);
        let mount = p
            .iter()
            .position(|i| i.code == BPF_JMP_JEQ_K && i.k == libc::SYS_mount as u32)
            .unwrap();
        assert_eq!(p[mount + 1].k, SECCOMP_RET_ERRNO | libc::EPERM as u32);
    }

    /// Installed in a child: umount2(2) is refused with EPERM (without the filter, unmounting a
    /// path that does not exist fails with ENOENT, and changes nothing either way); getpid(2)
    /// still works.
    #[test]
    fn the_filter_refuses_umount_in_a_child() {
        match unsafe { nix::unistd::fork() }.unwrap() {
            nix::unistd::ForkResult::Child => {
                let ok = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } == 0
                    && install().is_ok()
                    && nix::mount::umount2("/no/such/boxlab/path", nix::mount::MntFlags::empty())
                        == Err(nix::errno::Errno::EPERM)
                    && nix::unistd::getpid().as_raw() > 0;
                unsafe { libc::_exit(if ok { 0 } else { 1 }) }
            }
            nix::unistd::ForkResult::Parent { child } => {
                let status = nix::sys::wait::waitpid(child, None).unwrap();
                assert_eq!(status, nix::sys::wait::WaitStatus::Exited(child, 0));
            }
        }
    }
}
