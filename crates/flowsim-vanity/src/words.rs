//! The embedded word list and its keypad-signature index.
//!
//! `data/words.txt` (derived from SCOWL by `scripts/build-wordlist.py`, licence in
//! `data/WORDLIST-LICENSE`) is compiled into the binary, already indexed by keypad
//! signature (FLOWERS → 3569377) by `build.rs`, so start-up parses nothing and a digit
//! span is one hash lookup. [`Lexicon::parse`] indexes any list at run time (the bench,
//! and the test that the two agree).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// The committed word list: `@LEVEL` lines start a SCOWL size level, then one word a line.
pub static WORDS_TXT: &str = include_str!("../../../data/words.txt");

#[path = "keypad.rs"]
mod keypad;
pub use keypad::{MAX_WORD, letter_digit};
use keypad::{admissible, key};

/// One dictionary word with its SCOWL commonness level (10 = most common … 50).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub word: &'static str,
    pub tier: u8,
}

impl Entry {
    /// Commonness in 0..=100, used by the ranking.
    pub fn quality(&self) -> i32 {
        match self.tier {
            0..=10 => 100,
            11..=20 => 80,
            21..=35 => 50,
            36..=40 => 25,
            _ => 10,
        }
    }
}

/// A multiplicative hasher for the (already well-spread) u64 keys.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Signature → words, each group sorted by (tier, word): the groups lie end to end
/// in `entries`, and `map` gives each signature's range.
pub struct Lexicon {
    map: HashMap<u64, (u32, u32), BuildHasherDefault<KeyHasher>>,
    entries: Cow<'static, [Entry]>,
    words: usize,
}

impl Lexicon {
    /// Index a word list in the `data/words.txt` format.
    pub fn parse(text: &'static str) -> Self {
        let mut map: HashMap<u64, Vec<Entry>, BuildHasherDefault<KeyHasher>> = HashMap::default();
        let mut tier = 50u8;
        let mut words = 0;
        let mut sig = [0u8; MAX_WORD];
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
            for (s, b) in sig.iter_mut().zip(line.bytes()) {
                *s = letter_digit(b);
            }
            map.entry(key(&sig[..line.len()]))
                .or_default()
                .push(Entry { word: line, tier });
            words += 1;
        }
        let mut entries = Vec::with_capacity(words);
        let mut ranges =
            HashMap::with_capacity_and_hasher(map.len(), BuildHasherDefault::default());
        for (k, mut group) in map {
            group.sort_by(|a, b| a.tier.cmp(&b.tier).then(a.word.cmp(b.word)));
            group.dedup_by(|a, b| a.word == b.word);
            let start = entries.len() as u32;
            entries.extend(group);
            ranges.insert(k, (start, entries.len() as u32));
        }
        Self {
            map: ranges,
            entries: Cow::Owned(entries),
            words,
        }
    }

    /// The index built from `data/words.txt` at compile time (`build.rs`): no parsing
    /// or sorting at start-up, only the signature table.
    pub fn embedded() -> Self {
        let mut map = HashMap::with_capacity_and_hasher(INDEX.len(), BuildHasherDefault::default());
        for &(k, start, end) in &INDEX {
            map.insert(k, (start, end));
        }
        Self {
            map,
            entries: Cow::Borrowed(&ENTRIES),
            words: INDEX_WORDS,
        }
    }

    /// Number of indexed words.
    pub fn len(&self) -> usize {
        self.words
    }

    /// True when no word is indexed.
    pub fn is_empty(&self) -> bool {
        self.words == 0
    }

    /// The words spelling exactly these keypad digits (`2`–`9`), best first.
    pub fn lookup(&self, digits: &[u8]) -> &[Entry] {
        if digits.is_empty() || digits.len() > MAX_WORD {
            return &[];
        }
        self.map
            .get(&key(digits))
            .map_or(&[], |&(s, e)| &self.entries[s as usize..e as usize])
    }
}

/// The embedded lexicon ([`Lexicon::embedded`]), set up at first use.
pub fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(Lexicon::embedded)
}

include!(concat!(env!("OUT_DIR"), "/lexicon.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_finds_common_words() {
        let lex = lexicon();
        assert!(lex.len() > 30_000, "{}", lex.len());
        assert_eq!(lex.lookup(b"3569377")[0].word, "flowers");
        assert!(lex.lookup(b"5865").iter().any(|e| e.word == "junk"));
        assert_eq!(lex.lookup(b"4357")[0].word, "help");
        assert!(lex.lookup(b"").is_empty());
    }

    #[test]
    fn the_build_time_index_is_the_parsed_one() {
        let parsed = Lexicon::parse(WORDS_TXT);
        let built = lexicon();
        assert_eq!(parsed.len(), built.len());
        assert_eq!(parsed.map.len(), built.map.len());
        for k in parsed.map.keys() {
            let (s, e) = parsed.map[k];
            let (bs, be) = built.map[k];
            assert_eq!(
                &parsed.entries[s as usize..e as usize],
                &built.entries[bs as usize..be as usize]
            );
        }
    }

    #[test]
    fn blocklisted_and_junk_words_are_absent() {
        let lex = lexicon();
        assert!(!lex.lookup(b"3825").iter().any(|e| e.word == "fuck"));
        // two-letter abbreviations such as "cs" are not words
        assert!(!lex.lookup(b"27").iter().any(|e| e.word == "cs"));
    }
}
