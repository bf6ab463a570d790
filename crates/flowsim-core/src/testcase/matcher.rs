//! Matching a prompt against a `MessageReceived` event offline.
//!
//! AWS publishes no algorithm. flowsim normalizes both texts (SSML tags removed,
//! case folded, punctuation and whitespace reduced to single spaces, numbers 0–20
//! and tens written as words, longer numbers digit by digit, as a voice transcript
//! writes them: "press 1" is "press one"), then:
//!
//! - **Inclusion**: the expected words appear, in order and together, in the prompt.
//! - **Similarity**: the score is 1.0 when they do, else the share of expected words
//!   found in order in the prompt (their longest common subsequence over the number
//!   of expected words). It matches at [`DEFAULT_THRESHOLD`] or above (a `Threshold`
//!   key overrides it). The score is reported in the OBSERVATION record.

/// The Similarity threshold when the event gives none.
pub const DEFAULT_THRESHOLD: f64 = 0.8;

/// The words of a text as matching sees them.
pub fn words(text: &str) -> Vec<String> {
    let plain = strip_tags(text);
    let mut out = Vec::new();
    let lower = plain.to_lowercase();
    for raw in lower.split(|c: char| !c.is_alphanumeric()) {
        if raw.is_empty() {
            continue;
        }
        if raw.chars().all(|c| c.is_ascii_digit()) {
            number_words(raw, &mut out);
        } else {
            out.push(raw.to_owned());
        }
    }
    out
}

/// The text as plain words, one space apart (the exporter writes prompts so).
pub fn plain(text: &str) -> String {
    words(text).join(" ")
}

/// SSML (or any tags) removed; `<` in plain text that opens no tag is kept.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        match rest[i..].find('>') {
            Some(j) => {
                out.push(' ');
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
}

const ONES: [&str; 21] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

fn number_words(digits: &str, out: &mut Vec<String>) {
    match digits.parse::<usize>() {
        Ok(n) if n <= 20 && !(digits.len() > 1 && digits.starts_with('0')) => {
            out.push(ONES[n].to_owned())
        }
        Ok(n) if n < 100 && n % 10 == 0 && !digits.starts_with('0') => {
            out.push(TENS[n / 10].to_owned())
        }
        _ => out.extend(
            digits
                .chars()
                .map(|c| ONES[(c as u8 - b'0') as usize].to_owned()),
        ),
    }
}

/// Inclusion: the expected words appear together, in order, in the prompt. An
/// expected text with no words matches nothing.
pub fn includes(prompt: &[String], expected: &[String]) -> bool {
    !expected.is_empty()
        && prompt.len() >= expected.len()
        && prompt.windows(expected.len()).any(|w| w == expected)
}

/// The Similarity score in 0..=1 (see the module docs).
pub fn similarity(prompt: &[String], expected: &[String]) -> f64 {
    if expected.is_empty() {
        return 0.0;
    }
    if includes(prompt, expected) {
        return 1.0;
    }
    // Longest common subsequence of words, one row at a time.
    let mut prev = vec![0usize; expected.len() + 1];
    let mut cur = vec![0usize; expected.len() + 1];
    for p in prompt {
        for (j, e) in expected.iter().enumerate() {
            cur[j + 1] = if p == e {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[expected.len()] as f64 / expected.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        words(s)
    }

    #[test]
    fn numbers_case_punctuation_and_ssml_do_not_matter() {
        let prompt = w("<speak>To continue, <break/>press 1. To end the call, press 9!</speak>");
        assert!(includes(&prompt, &w("PRESS ONE")));
        assert!(includes(&prompt, &w("to end the call press nine")));
        assert_eq!(
            w("20 30 45 0800"),
            [
                "twenty", "thirty", "four", "five", "zero", "eight", "zero", "zero"
            ]
        );
    }

    #[test]
    fn similarity_scores_words_in_order() {
        let prompt = w("Press 1 to be connected to an agent");
        assert_eq!(similarity(&prompt, &w("press one to be connected")), 1.0);
        let s = similarity(&prompt, &w("press one to get connected to an agent"));
        assert!((0.8..1.0).contains(&s), "{s}");
        assert!(similarity(&prompt, &w("goodbye")) < DEFAULT_THRESHOLD);
        assert_eq!(similarity(&prompt, &[]), 0.0);
    }
}
