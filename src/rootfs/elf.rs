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

    #[test]
    fn the_test_binary_is_dynamic_and_text_is_not_elf() {
        let me = std::env::current_exe().unwrap();
        let types = program_header_types(&std::fs::read(&me).unwrap()[..]).unwrap();
        assert!(types.contains(&PT_INTERP));
        assert!(!is_static_executable(&me));
        assert_eq!(program_header_types(b"#!/bin/sh\n"), None);
    }
}
