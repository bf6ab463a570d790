//! Indexes `data/words.txt` at build time, so the word list costs nothing to load at
//! start-up (a Lambda's cold start): `OUT_DIR/lexicon.rs` holds every admissible word
//! grouped by keypad signature, each group sorted best first, and the signature → group
//! table. The rules are those of `Lexicon::parse` in `src/words.rs`; a test checks the
//! two agree.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

const MAX_WORD: usize = 10;

fn letter_digit(c: u8) -> u8 {
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

fn key(digits: &[u8]) -> u64 {
    digits
        .iter()
        .fold(1u64, |k, d| (k << 4) | u64::from(d - b'0'))
}

fn admissible(word: &str, tier: u8) -> bool {
    match word.len() {
        0 | 1 => false,
        2 => tier <= 20,
        3 => tier <= 35,
        4 => tier <= 40,
        n => n <= MAX_WORD,
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let words_txt = manifest.join("../../data/words.txt");
    println!("cargo:rerun-if-changed={}", words_txt.display());
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(&words_txt).expect("data/words.txt");
    let mut groups: BTreeMap<u64, Vec<(u8, String)>> = BTreeMap::new();
    let mut tier = 50u8;
    let mut words = 0usize;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(level) = line.strip_prefix('@') {
            tier = level.parse().unwrap_or(50);
            continue;
        }
        if !line.bytes().all(|b| b.is_ascii_lowercase()) || !admissible(line, tier) {
            continue;
        }
        let sig: Vec<u8> = line.bytes().map(letter_digit).collect();
        groups
            .entry(key(&sig))
            .or_default()
            .push((tier, line.to_owned()));
        words += 1;
    }
    let mut entries = String::new();
    let mut index = String::new();
    let mut n = 0u32;
    for (k, group) in &mut groups {
        group.sort();
        group.dedup_by(|a, b| a.1 == b.1);
        let start = n;
        for (tier, word) in group.iter() {
            writeln!(entries, "Entry {{ word: {word:?}, tier: {tier} }},").unwrap();
            n += 1;
        }
        writeln!(index, "({k}, {start}, {n}),").unwrap();
    }
    let out = format!(
        "/// Words read (before duplicates are merged), as `Lexicon::parse` counts them.\n\
         pub(crate) const INDEX_WORDS: usize = {words};\n\
         pub(crate) static ENTRIES: [Entry; {n}] = [\n{entries}];\n\
         pub(crate) static INDEX: [(u64, u32, u32); {}] = [\n{index}];\n",
        groups.len()
    );
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("lexicon.rs");
    std::fs::write(dest, out).unwrap();
}
