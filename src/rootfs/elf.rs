//! Just enough ELF (elf(5)) to tell a static executable from a dynamic one: a dynamic one has a
//! PT_INTERP program header naming its loader.

use std::io::Read;
use std::path::Path;

const PT_INTERP: u32 = 3;

/// True for a 64-bit little-endian ELF executable without a PT_INTERP header.
pub fn is_static_executable(path: &Path) -> bool {
    let mut bytes = Vec::new();
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    if f.take(1 << 16).read_to_end(&mut bytes).is_err() {
        return false;
    }
    program_header_types(&bytes).is_some_and(|types| !types.contains(&PT_INTERP))
}

/// The p_type of every program header, if the header table lies in `bytes`.
fn program_header_types(b: &[u8]) -> Option<Vec<u32>> {
    if b.len() < 64 || &b[..4] != b"\x7fELF" || b[4] != 2 || b[5] != 1 {
        return None; // not ELF, not 64-bit, or not little-endian
    }
    let u16_at = |o: usize| Some(u16::from_le_bytes(b.get(o..o + 2)?.try_into().ok()?) as usize);
    let phoff = u64::from_le_bytes(b.get(0x20..0x28)?.try_into().ok()?) as usize;
    let (size, count) = (u16_at(0x36)?, u16_at(0x38)?);
    (0..count)
        .map(|i| {
            let o = phoff + i * size;
            Some(u32::from_le_bytes(b.get(o..o + 4)?.try_into().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64-bit little-endian ELF header followed by program headers of these types.
    fn elf_with(types: &[u32]) -> Vec<u8> {
        let mut b = vec![0u8; 64];
        b[..6].copy_from_slice(b"\x7fELF\x02\x01");
        b[0x20..0x28].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
        b[0x36..0x38].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
        b[0x38..0x3a].copy_from_slice(&(types.len() as u16).to_le_bytes()); // e_phnum
        for t in types {
            let mut ph = vec![0u8; 56];
            ph[..4].copy_from_slice(&t.to_le_bytes());
            b.extend(ph);
        }
        b
    }

    #[test]
    fn program_headers_tell_static_from_dynamic() {
        const PT_LOAD: u32 = 1;
        let dynamic = elf_with(&[PT_LOAD, PT_INTERP, PT_LOAD]);
        assert_eq!(
            program_header_types(&dynamic),
            Some(vec![PT_LOAD, PT_INTERP, PT_LOAD])
        );
        assert_eq!(
            program_header_types(&elf_with(&[PT_LOAD])),
            Some(vec![PT_LOAD])
        );
        assert_eq!(program_header_types(b"#!/bin/sh\n"), None);
        // A header table cut off: not read past the bytes there are.
        assert_eq!(program_header_types(&dynamic[..100]), None);
        // This test binary, linked as .cargo/config.toml says.
        let me = std::env::current_exe().unwrap();
        assert_eq!(
            is_static_executable(&me),
            cfg!(target_feature = "crt-static")
        );
    }
}
