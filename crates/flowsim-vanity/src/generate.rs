//! The vanity-number generator: pure, deterministic, no IO, no clock.
//!
//! A number keeps its country and area code as digits; the words go in the last 7
//! digits (the *zone*). Every way of reading the zone as words and literal digits is
//! enumerated over a keypad-signature index (at most 2^6 segmentations for 7 digits),
//! scored, and the best few distinct readings are kept. A NANP number is also read as
//! a whole (area code included) when the whole 10 digits are words. Readings that
//! score below a floor are dropped, so a number with no good words gets fewer results,
//! or none: nothing is ever invented.
//!
//! Score (hundredths): each word `len × (50 + commonness) + 10 × len²` − 250 (so fewer,
//! longer, more common words win; commonness is 100 for SCOWL level 10 down to 10 for
//! level 50); each literal digit −30 before the first word, −150 between words, −100
//! after the last word; +200 when a word ends the number, +300 when words cover the
//! whole zone, +100 when a word starts or ends at the exchange/line split (555-HELP),
//! −100 per 0→O / 1→I,L substitution; −400 for a whole-number reading that replaces
//! the area code. Ties: fewer words, then alphabetical.

use std::fmt;

use crate::words::{Entry, MAX_WORD, lexicon};

/// Readings scoring below this are not offered.
pub const MIN_SCORE: i32 = 450;

const WORD_COST: i32 = 250;
const LEAD_DIGIT: i32 = 30;
const MID_DIGIT: i32 = 150;
const TAIL_DIGIT: i32 = 100;
const END_BONUS: i32 = 200;
const FULL_BONUS: i32 = 300;
const SPLIT_BONUS: i32 = 100;
const SUB_COST: i32 = 100;
const AREA_CODE_COST: i32 = 400;
/// At most this many words of one signature are tried per span.
const WORDS_PER_SPAN: usize = 3;
/// At most this many results share their last word.
const SAME_LAST_WORD: usize = 2;

/// Why a number was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvalidNumber {
    /// Nothing given.
    Empty,
    /// Something other than digits (after an optional `+` and separators).
    NotDigits,
    /// Not 10–15 digits.
    Length(usize),
    /// A +1 / 10-digit number that is not a valid NANP number.
    NotNanp,
}

impl fmt::Display for InvalidNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "no number given"),
            Self::NotDigits => write!(f, "a phone number has only digits after an optional +"),
            Self::Length(n) => write!(f, "{n} digits; a phone number has 10 to 15"),
            Self::NotNanp => write!(
                f,
                "not a valid North American number (area code and exchange must not start with 0 or 1)"
            ),
        }
    }
}

impl std::error::Error for InvalidNumber {}

/// A validated phone number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number {
    /// E.164, e.g. `+18003569377`.
    pub e164: String,
    /// Digits kept as they are in front of the zone: `1800` (NANP), or the country
    /// code and the start of the national number.
    pub lead: String,
    /// The last 7 digits, the part that is spelled.
    pub zone: String,
    /// A NANP (+1) number: the lead is country code + area code.
    pub nanp: bool,
}

impl Number {
    /// Parse `+E164`, a 10-digit US number, or `1` + 10 digits. Spaces, dashes, dots
    /// and parentheses are ignored.
    pub fn parse(input: &str) -> Result<Self, InvalidNumber> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(InvalidNumber::Empty);
        }
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(r) => (true, r),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(15);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(InvalidNumber::NotDigits),
            }
        }
        if digits.is_empty() {
            return Err(InvalidNumber::NotDigits);
        }
        let n = digits.len();
        if !(10..=15).contains(&n) {
            return Err(InvalidNumber::Length(n));
        }
        let nanp_national = if !plus && n == 10 {
            Some(digits.clone())
        } else if digits.starts_with('1') && (plus || n == 11) {
            if n != 11 {
                return Err(InvalidNumber::NotNanp);
            }
            Some(digits[1..].to_owned())
        } else {
            None
        };
        if let Some(national) = nanp_national {
            // NPA and NXX start with 2-9; with a `+` only the area code is checked,
            // so E.164 test numbers such as +1 555 000 0002 are accepted.
            let b = national.as_bytes();
            if b[0] < b'2' || (!plus && b[3] < b'2') {
                return Err(InvalidNumber::NotNanp);
            }
            return Ok(Self {
                e164: format!("+1{national}"),
                lead: format!("1{}", &national[..3]),
                zone: national[3..].to_owned(),
                nanp: true,
            });
        }
        Ok(Self {
            e164: format!("+{digits}"),
            lead: digits[..n - 7].to_owned(),
            zone: digits[n - 7..].to_owned(),
            nanp: false,
        })
    }

    /// The leading groups as displayed: `["+1", "800"]`, or `["+4420794"]`.
    fn lead_groups(&self) -> Vec<String> {
        if self.nanp {
            vec!["+1".into(), self.lead[1..].to_owned()]
        } else {
            vec![format!("+{}", self.lead)]
        }
    }
}

/// One piece of a vanity number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Digits kept as digits (the lead groups start with `+`).
    Digits(String),
    /// A word. `shown` is what is dialled and displayed (upper case, with a 0 or 1
    /// kept where the reading used 0→O or 1→I/L); `word` is the dictionary word.
    Word {
        word: String,
        shown: String,
        substituted: bool,
    },
}

/// One ranked vanity number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vanity {
    /// The pieces, lead included.
    pub parts: Vec<Part>,
    /// `+1-800-FLOWERS`.
    pub display: String,
    /// The display with every letter turned back into its digit: `+1-800-3569377`.
    pub digits: String,
    /// The dictionary words used, upper case.
    pub words: Vec<String>,
    /// The ranking score (hundredths; higher is better).
    pub score: i32,
    /// True when a 0→O or 1→I/L reading was used (the digit is kept in `display`).
    pub substituted: bool,
}

/// The result for one number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    pub number: Number,
    pub results: Vec<Vanity>,
}

/// Validate `input` and return its best `count` vanity numbers (maybe fewer, or none).
pub fn generate(input: &str, count: usize) -> Result<Generated, InvalidNumber> {
    let number = Number::parse(input)?;
    let results = vanities(&number, count);
    Ok(Generated { number, results })
}

/// A word span over the zone.
#[derive(Clone, Copy)]
struct Span {
    start: u8,
    end: u8,
    subs: u8,
    entry: Entry,
}

/// A scored reading: which spans (indexes into the span list) it uses.
/// (national start, national end, word) of one word of a chosen reading.
type WordSpan = (u8, u8, &'static str);

#[derive(Clone)]
struct Cand {
    score: i32,
    /// Offset of the zone within the national number, so readings of the 7-digit
    /// zone and of the whole 10 digits compare.
    offset: u8,
    spans: Vec<u16>,
    /// Zone letters/digits, for tie-breaking.
    text: [u8; 16],
    whole: bool,
}

/// The zone's word spans, grouped by start, using 0→O and 1→I/L readings too.
fn find_spans(zone: &[u8], spans: &mut Vec<Span>) {
    let lex = lexicon();
    let n = zone.len();
    let mut buf = [0u8; MAX_WORD];
    for start in 0..n {
        for end in (start + 2)..=n.min(start + MAX_WORD) {
            let digits = &zone[start..end];
            let mut ones = 0;
            let mut special = 0;
            for (b, &d) in buf.iter_mut().zip(digits) {
                *b = match d {
                    b'0' => {
                        special += 1;
                        b'6'
                    }
                    b'1' => {
                        special += 1;
                        ones += 1;
                        b'4'
                    }
                    d => d,
                };
            }
            let len = digits.len();
            if special == 0 {
                for e in lex.lookup(&buf[..len]).iter().take(WORDS_PER_SPAN) {
                    spans.push(Span {
                        start: start as u8,
                        end: end as u8,
                        subs: 0,
                        entry: *e,
                    });
                }
                continue;
            }
            // Substituted readings: every word must keep O for 0, I or L for 1, and a
            // word must have at least two real keypad letters.
            if ones > 2 || special * 2 > len {
                continue;
            }
            let ones_at: Vec<usize> = (0..len).filter(|&i| digits[i] == b'1').collect();
            let mut found = 0;
            for mask in 0..(1u32 << ones) {
                for (k, &i) in ones_at.iter().enumerate() {
                    buf[i] = if mask & (1 << k) != 0 { b'5' } else { b'4' };
                }
                for e in lex.lookup(&buf[..len]) {
                    let w = e.word.as_bytes();
                    let ok = digits.iter().zip(w).all(|(&d, &c)| match d {
                        b'0' => c == b'o',
                        b'1' => c == b'i' || c == b'l',
                        _ => true,
                    });
                    if ok && found < WORDS_PER_SPAN {
                        found += 1;
                        spans.push(Span {
                            start: start as u8,
                            end: end as u8,
                            subs: special as u8,
                            entry: *e,
                        });
                    }
                }
            }
        }
    }
}

struct Search<'a> {
    zone: &'a [u8],
    spans: &'a [Span],
    by_start: Vec<(u16, u16)>,
    /// Exchange/line split within the zone (NANP).
    split: Option<u8>,
    /// Only readings with no literal digit (the whole-number pass).
    words_only: bool,
    /// A penalty for the whole reading (changing the area code).
    extra: i32,
    offset: u8,
    out: Vec<Cand>,
}

/// One step of a path: a literal digit or a word span.
#[derive(Clone, Copy)]
enum Step {
    Digit,
    Word(u16),
}

impl Search<'_> {
    fn dfs(&mut self, pos: usize, path: &mut Vec<Step>) {
        let n = self.zone.len();
        if pos == n {
            self.finish(path);
            return;
        }
        if !self.words_only {
            path.push(Step::Digit);
            self.dfs(pos + 1, path);
            path.pop();
        }
        let (from, to) = self.by_start[pos];
        for i in from..to {
            let end = self.spans[i as usize].end as usize;
            path.push(Step::Word(i));
            self.dfs(end, path);
            path.pop();
        }
    }

    fn finish(&mut self, path: &[Step]) {
        let is_word = |s: &Step| matches!(s, Step::Word(_));
        let Some(first) = path.iter().position(is_word) else {
            return;
        };
        let last = path.iter().rposition(is_word).unwrap_or(first);
        let n = self.zone.len() as u8;
        let mut score = self.extra;
        let mut words = 0;
        let mut full = true;
        let mut split_hit = false;
        let mut ends = false;
        for (k, step) in path.iter().enumerate() {
            match *step {
                Step::Digit => {
                    full = false;
                    score -= if k < first {
                        LEAD_DIGIT
                    } else if k > last {
                        TAIL_DIGIT
                    } else {
                        MID_DIGIT
                    };
                }
                Step::Word(i) => {
                    let s = &self.spans[i as usize];
                    let len = i32::from(s.end - s.start);
                    // a whole-number reading must spell the area code with one plain word
                    if self.words_only && (s.subs > 0 || (k == 0 && len < 3)) {
                        return;
                    }
                    if len == 2 {
                        // a two-letter word only as part of a phrase
                        let prev = k > 0 && is_word(&path[k - 1]);
                        let next = k + 1 < path.len() && is_word(&path[k + 1]);
                        if !prev && !next {
                            return;
                        }
                    }
                    words += 1;
                    score += len * (50 + s.entry.quality()) + len * len * 10 - WORD_COST;
                    score -= i32::from(s.subs) * SUB_COST;
                    if Some(s.start) == self.split || Some(s.end) == self.split {
                        split_hit = true;
                    }
                    if s.end == n {
                        ends = true;
                    }
                }
            }
        }
        if ends {
            score += END_BONUS;
        }
        if full {
            score += FULL_BONUS;
        }
        if split_hit {
            score += SPLIT_BONUS;
        }
        if score < MIN_SCORE {
            return;
        }
        let _ = words;
        let mut text = [0u8; 16];
        let mut spans = Vec::with_capacity(4);
        let mut pos = 0usize;
        for step in path {
            match *step {
                Step::Digit => {
                    text[pos] = self.zone[pos];
                    pos += 1;
                }
                Step::Word(i) => {
                    let s = &self.spans[i as usize];
                    for c in s.entry.word.bytes() {
                        text[pos] = c.to_ascii_uppercase();
                        pos += 1;
                    }
                    spans.push(i);
                }
            }
        }
        self.out.push(Cand {
            score,
            offset: self.offset,
            spans,
            text,
            whole: self.words_only,
        });
    }
}

fn search(
    zone: &[u8],
    split: Option<u8>,
    words_only: bool,
    extra: i32,
    offset: u8,
    spans: &mut Vec<Span>,
) -> Vec<Cand> {
    spans.clear();
    find_spans(zone, spans);
    // spans are produced grouped by start, in increasing start order
    let mut by_start = vec![(0u16, 0u16); zone.len()];
    let mut i = 0;
    for (pos, slot) in by_start.iter_mut().enumerate() {
        let from = i;
        while i < spans.len() && spans[i].start as usize == pos {
            i += 1;
        }
        *slot = (from as u16, i as u16);
    }
    let mut s = Search {
        zone,
        spans,
        by_start,
        split,
        words_only,
        extra,
        offset,
        out: Vec::new(),
    };
    if words_only && !s.spans.iter().any(|sp| sp.start == 0) {
        return Vec::new();
    }
    let mut path = Vec::with_capacity(zone.len());
    s.dfs(0, &mut path);
    s.out
}

/// The best `count` vanity numbers of a validated number.
pub fn vanities(number: &Number, count: usize) -> Vec<Vanity> {
    if count == 0 {
        return Vec::new();
    }
    let zone = number.zone.as_bytes();
    let mut zone_spans = Vec::new();
    let mut cands = search(zone, number.nanp.then_some(3), false, 0, 3, &mut zone_spans);
    let mut whole_spans = Vec::new();
    let national;
    if number.nanp {
        national = format!("{}{}", &number.lead[1..], number.zone);
        let mut whole = search(
            national.as_bytes(),
            None,
            true,
            -AREA_CODE_COST,
            0,
            &mut whole_spans,
        );
        cands.append(&mut whole);
    }
    let span_of = |c: &Cand, i: u16| -> Span {
        if c.whole {
            whole_spans[i as usize]
        } else {
            zone_spans[i as usize]
        }
    };
    cands.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.spans.len().cmp(&b.spans.len()))
            .then(a.whole.cmp(&b.whole))
            .then(a.text.cmp(&b.text))
    });
    let mut chosen: Vec<(&Cand, Vec<WordSpan>)> = Vec::new();
    for c in &cands {
        if chosen.len() == count {
            break;
        }
        let words: Vec<(u8, u8, &'static str)> = c
            .spans
            .iter()
            .map(|&i| {
                let s = span_of(c, i);
                (s.start + c.offset, s.end + c.offset, s.entry.word)
            })
            .collect();
        let last = words.last().map(|w| w.2);
        let same_last = chosen
            .iter()
            .filter(|(_, w)| w.last().map(|x| x.2) == last)
            .count();
        if same_last >= SAME_LAST_WORD {
            continue;
        }
        // a reading whose words all appear, in place, in a better one adds nothing
        let dominated = chosen
            .iter()
            .any(|(_, better)| words.iter().all(|w| better.contains(w)));
        if dominated {
            continue;
        }
        chosen.push((c, words));
    }
    chosen
        .into_iter()
        .map(|(c, _)| {
            let spans: Vec<Span> = c.spans.iter().map(|&i| span_of(c, i)).collect();
            build(number, c, &spans)
        })
        .collect()
}

fn build(number: &Number, cand: &Cand, spans: &[Span]) -> Vanity {
    let mut parts: Vec<Part> = if cand.whole {
        vec![Part::Digits("+1".into())]
    } else {
        number.lead_groups().into_iter().map(Part::Digits).collect()
    };
    let zone: String = if cand.whole {
        format!("{}{}", &number.lead[1..], number.zone)
    } else {
        number.zone.clone()
    };
    let zb = zone.as_bytes();
    let mut pos = 0usize;
    let mut words = Vec::new();
    let mut substituted = false;
    let push_digits = |parts: &mut Vec<Part>, from: usize, to: usize| {
        if from < to {
            parts.push(Part::Digits(zone[from..to].to_owned()));
        }
    };
    for s in spans {
        let (start, end) = (s.start as usize, s.end as usize);
        push_digits(&mut parts, pos, start);
        let shown: String = s
            .entry
            .word
            .bytes()
            .zip(&zb[start..end])
            .map(|(c, &d)| {
                if d == b'0' || d == b'1' {
                    d as char
                } else {
                    c.to_ascii_uppercase() as char
                }
            })
            .collect();
        substituted |= s.subs > 0;
        words.push(s.entry.word.to_ascii_uppercase());
        parts.push(Part::Word {
            word: s.entry.word.to_owned(),
            shown,
            substituted: s.subs > 0,
        });
        pos = end;
    }
    push_digits(&mut parts, pos, zb.len());
    let display = join(&parts, false);
    let digits = join(&parts, true);
    Vanity {
        parts,
        display,
        digits,
        words,
        score: cand.score,
        substituted,
    }
}

fn join(parts: &[Part], as_digits: bool) -> String {
    let mut out = String::with_capacity(20);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        match p {
            Part::Digits(d) => out.push_str(d),
            Part::Word { shown, .. } if as_digits => out.extend(shown.bytes().map(|c| {
                if c.is_ascii_uppercase() {
                    crate::words::letter_digit(c.to_ascii_lowercase()) as char
                } else {
                    c as char
                }
            })),
            Part::Word { shown, .. } => out.push_str(shown),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(input: &str, n: usize) -> Vec<String> {
        generate(input, n)
            .unwrap()
            .results
            .into_iter()
            .map(|v| v.display)
            .collect()
    }

    #[test]
    fn flowers_first() {
        let r = top("+18003569377", 5);
        assert_eq!(r[0], "+1-800-FLOWERS", "{r:?}");
        let g = generate("+18003569377", 1).unwrap();
        assert_eq!(g.results[0].digits, "+1-800-3569377");
        assert_eq!(g.results[0].words, vec!["FLOWERS"]);
    }

    #[test]
    fn got_junk() {
        let r = top("+18004685865", 5);
        assert!(r.iter().any(|d| d == "+1-800-GOT-JUNK"), "{r:?}");
    }

    #[test]
    fn ten_digit_us_numbers() {
        assert_eq!(top("8003569377", 1), top("+18003569377", 1));
        assert_eq!(top("1 (800) 356-9377", 1), top("+18003569377", 1));
    }

    #[test]
    fn hopeless_numbers_give_nothing_invented() {
        for n in [
            "+15550000002",
            "+13031111112",
            "+18000000000",
            "+11111111111",
        ] {
            match generate(n, 5) {
                Ok(g) => {
                    for v in &g.results {
                        assert!(v.words.iter().all(|w| w.len() >= 2), "{n}: {v:?}");
                    }
                    assert!(g.results.len() <= 1, "{n}: {:?}", g.results);
                }
                Err(_) => assert_eq!(n, "+11111111111"),
            }
        }
        assert!(generate("+15550000002", 5).unwrap().results.is_empty());
        assert!(generate("+13031111112", 5).unwrap().results.is_empty());
    }

    #[test]
    fn deterministic() {
        for n in [
            "+13035551234",
            "+18004685865",
            "+442079460123",
            "+16175550199",
        ] {
            assert_eq!(generate(n, 5), generate(n, 5));
        }
    }

    #[test]
    fn invalid_numbers() {
        assert_eq!(Number::parse(""), Err(InvalidNumber::Empty));
        assert_eq!(Number::parse("+1abc"), Err(InvalidNumber::NotDigits));
        assert_eq!(Number::parse("12345"), Err(InvalidNumber::Length(5)));
        assert_eq!(
            Number::parse("+1234567890123456"),
            Err(InvalidNumber::Length(16))
        );
        assert_eq!(Number::parse("0123456789"), Err(InvalidNumber::NotNanp));
        assert_eq!(Number::parse("2121234567"), Err(InvalidNumber::NotNanp));
        assert_eq!(Number::parse("+1303555123"), Err(InvalidNumber::NotNanp));
        let intl = Number::parse("+442079460123").unwrap();
        assert_eq!(intl.lead, "44207");
        assert_eq!(intl.zone, "9460123");
    }

    #[test]
    fn substituted_readings_keep_the_digit() {
        // 2665 = BOOK; 2005 with 0→O
        let g = generate("+13035552005", 5).unwrap();
        for v in g.results.iter().filter(|v| v.substituted) {
            assert!(v.display.contains('0') || v.display.contains('1'), "{v:?}");
        }
    }
}
