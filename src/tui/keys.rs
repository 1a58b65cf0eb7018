//! Keys typed into a shell pane, as the bytes a terminal sends for them (what the shell reads
//! from its pty). `Tab` is kept by boxlab to move between panes, so the shell pane types a tab
//! on `F2` instead: `Ctrl-I` would be the natural choice, but an ordinary terminal sends the
//! very same byte (0x09) for Ctrl-I and Tab, and crossterm reports both as Tab. (Only terminals
//! speaking the kitty keyboard protocol tell them apart; boxlab does not turn it on.)

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The bytes for `key`, or None for keys a terminal sends nothing for. `app_cursor` is the
/// terminal's "application cursor keys" mode (DECCKM), which changes what arrows send.
pub fn key_bytes(key: KeyEvent, app_cursor: bool) -> Option<Vec<u8>> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let mut out = match key.code {
        KeyCode::Char(c) if ctrl => vec![control_byte(c)?],
        KeyCode::Char(c) => c.to_string().into_bytes(),
        KeyCode::Enter => vec![b'\r'],
        KeyCode::Backspace => vec![0x7f],
        KeyCode::Tab => vec![b'\t'],
        KeyCode::BackTab => b"\x1b[Z".to_vec(),
        KeyCode::Esc => vec![0x1b],
        KeyCode::Up => cursor(b'A', app_cursor),
        KeyCode::Down => cursor(b'B', app_cursor),
        KeyCode::Right => cursor(b'C', app_cursor),
        KeyCode::Left => cursor(b'D', app_cursor),
        KeyCode::Home => cursor(b'H', app_cursor),
        KeyCode::End => cursor(b'F', app_cursor),
        KeyCode::Insert => b"\x1b[2~".to_vec(),
        KeyCode::Delete => b"\x1b[3~".to_vec(),
        KeyCode::PageUp => b"\x1b[5~".to_vec(),
        KeyCode::PageDown => b"\x1b[6~".to_vec(),
        KeyCode::F(n) => function_key(n)?,
        _ => return None,
    };
    // Alt (Meta) sends ESC before the key, as xterm does by default.
    if alt && !matches!(key.code, KeyCode::Esc) {
        out.insert(0, 0x1b);
    }
    Some(out)
}

/// Ctrl-A is 0x01 ... Ctrl-Z is 0x1a; Ctrl-@/Space is NUL; Ctrl-[ \ ] ^ _ are 0x1b..0x1f;
/// Ctrl-? is DEL.
fn control_byte(c: char) -> Option<u8> {
    let c = c.to_ascii_lowercase();
    match c {
        'a'..='z' => Some(c as u8 - b'a' + 1),
        '@' | ' ' | '2' => Some(0),
        '[' | '3' => Some(0x1b),
        '\\' | '4' => Some(0x1c),
        ']' | '5' => Some(0x1d),
        '^' | '6' => Some(0x1e),
        '_' | '7' | '/' => Some(0x1f),
        '?' | '8' => Some(0x7f),
        _ => None,
    }
}

fn cursor(letter: u8, app_cursor: bool) -> Vec<u8> {
    vec![0x1b, if app_cursor { b'O' } else { b'[' }, letter]
}

fn function_key(n: u8) -> Option<Vec<u8>> {
    let seq: &[u8] = match n {
        1 => b"\x1bOP",
        2 => b"\x1bOQ",
        3 => b"\x1bOR",
        4 => b"\x1bOS",
        5 => b"\x1b[15~",
        6 => b"\x1b[17~",
        7 => b"\x1b[18~",
        8 => b"\x1b[19~",
        9 => b"\x1b[20~",
        10 => b"\x1b[21~",
        11 => b"\x1b[23~",
        12 => b"\x1b[24~",
        _ => return None,
    };
    Some(seq.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }
    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }
    fn bytes(k: KeyEvent) -> Vec<u8> {
        key_bytes(k, false).unwrap()
    }

    #[test]
    fn printable_characters_are_their_utf8() {
        assert_eq!(bytes(key(KeyCode::Char('a'))), b"a");
        assert_eq!(bytes(key(KeyCode::Char('~'))), b"~");
        // Shift is already in the character crossterm reports.
        let shifted = KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT);
        assert_eq!(bytes(shifted), b"A");
        assert_eq!(bytes(key(KeyCode::Char('한'))), "한".as_bytes());
        assert_eq!(bytes(key(KeyCode::Char('한'))), [0xed, 0x95, 0x9c]);
    }

    #[test]
    fn editing_keys() {
        assert_eq!(bytes(key(KeyCode::Enter)), b"\r");
        assert_eq!(bytes(key(KeyCode::Backspace)), [0x7f]);
        assert_eq!(bytes(key(KeyCode::Esc)), [0x1b]);
        assert_eq!(bytes(key(KeyCode::Tab)), b"\t");
        assert_eq!(bytes(key(KeyCode::Delete)), b"\x1b[3~");
        assert_eq!(bytes(key(KeyCode::PageUp)), b"\x1b[5~");
    }

    #[test]
    fn control_letters_are_1_to_26() {
        assert_eq!(bytes(ctrl('a')), [0x01]);
        assert_eq!(bytes(ctrl('c')), [0x03]);
        assert_eq!(bytes(ctrl('d')), [0x04]);
        assert_eq!(bytes(ctrl('z')), [0x1a]);
        // Where a terminal reports Ctrl-I apart from Tab, it is a tab, as in any terminal.
        assert_eq!(bytes(ctrl('i')), b"\t");
        assert_eq!(bytes(ctrl('C')), [0x03], "with Shift held too");
        assert_eq!(bytes(ctrl(' ')), [0x00]);
        assert_eq!(bytes(ctrl('\\')), [0x1c]);
        assert_eq!(key_bytes(ctrl('1'), false), None);
    }

    #[test]
    fn arrows_follow_the_cursor_key_mode() {
        assert_eq!(bytes(key(KeyCode::Up)), b"\x1b[A");
        assert_eq!(bytes(key(KeyCode::Down)), b"\x1b[B");
        assert_eq!(bytes(key(KeyCode::Right)), b"\x1b[C");
        assert_eq!(bytes(key(KeyCode::Left)), b"\x1b[D");
        assert_eq!(key_bytes(key(KeyCode::Up), true).unwrap(), b"\x1bOA");
        assert_eq!(key_bytes(key(KeyCode::Home), true).unwrap(), b"\x1bOH");
    }

    #[test]
    fn alt_prefixes_escape() {
        let alt_b = KeyEvent::new(KeyCode::Char('b'), KeyModifiers::ALT);
        assert_eq!(bytes(alt_b), b"\x1bb");
    }

    #[test]
    fn function_keys_and_keys_without_bytes() {
        assert_eq!(bytes(key(KeyCode::F(1))), b"\x1bOP");
        assert_eq!(bytes(key(KeyCode::F(5))), b"\x1b[15~");
        assert_eq!(key_bytes(key(KeyCode::F(13)), false), None);
        assert_eq!(key_bytes(key(KeyCode::CapsLock), false), None);
    }
}
