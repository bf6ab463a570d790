//! Indexes `data/words.txt` at build time, so the word list costs nothing to load at
//! start-up (a Lambda's cold start): `OUT_DIR/lexicon.rs` holds every admissible word
//! grouped by keypad signature, each group sorted best first, and the signature → group
//! table. The rules (`src/keypad.rs`) are the ones `Lexicon::parse` in `src/words.rs`
//! uses; a test checks the two indexes agree.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

#[path = "src/keypad.rs"]
#[allow(dead_code)]
mod keypad;
use keypad::{admissible, key, letter_digit};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let words_txt = manifest.join("../../data/words.txt");
    println!("cargo:rerun-if-changed={}", words_txt.display());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/keypad.rs");
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
