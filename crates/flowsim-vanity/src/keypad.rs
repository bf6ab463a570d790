// The word-list rules shared by `build.rs` (which indexes the list at build time) and
// `words.rs` (which can index any list at run time): one definition, included by both
// with `#[path]`, so the two indexes cannot disagree.

/// Longest word kept (and longest span looked up).
pub const MAX_WORD: usize = 10;

/// The keypad digit (ASCII) of a lower-case letter.
pub fn letter_digit(c: u8) -> u8 {
    match c {
        b'a'..=b'c' => b'2',
        b'd'..=b'f' => b'3',
        b'g'..=b'i' => b'4',
        b'j'..=b'l' => b'5',
        b'm'..=b'o' => b'6',
        b'p'..=b's' => b'7',
        b't'..=b'v' => b'8',
        _ => b'9',
    }
}

/// Pack a digit string (ASCII `0`–`9`, at most 15) into a map key.
pub fn key(digits: &[u8]) -> u64 {
    digits
        .iter()
        .fold(1u64, |k, d| (k << 4) | u64::from(d - b'0'))
}

/// Whether a word is good enough to offer at all: short words must be common.
pub fn admissible(word: &str, tier: u8) -> bool {
    match word.len() {
        0 | 1 => false,
        2 => tier <= 20,
        3 => tier <= 35,
        4 => tier <= 40,
        n => n <= MAX_WORD,
    }
}
