//! What the IVR says: SSML for the vanity numbers, or for why there are none.
//!
//! Digits are read as a telephone number (`<say-as interpret-as="telephone">`), words
//! as words, and a word read with 0→O or 1→I/L character by character (B, 0, 0, K) so
//! the caller dials what they hear. Everything is XML-escaped.

use crate::generate::{InvalidNumber, Part, Vanity};

/// How many numbers are spoken (the seed reads three).
pub const SPOKEN: usize = 3;

const ORDINALS: [&str; 5] = ["first", "second", "third", "fourth", "fifth"];

/// XML-escape text for SSML (the same rules as `flowsim_core::ssml::escape_xml`, kept
/// here so the Lambdas need nothing but this crate).
pub fn escape(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// One vanity number as it should be heard.
pub fn speak_number(v: &Vanity) -> String {
    let mut out = String::new();
    let mut digits: Vec<&str> = Vec::new();
    let flush = |out: &mut String, digits: &mut Vec<&str>| {
        if !digits.is_empty() {
            let joined = digits.join("-");
            let joined = joined.trim_start_matches('+');
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&format!(
                "<say-as interpret-as=\"telephone\">{}</say-as>",
                escape(joined)
            ));
            digits.clear();
        }
    };
    for part in &v.parts {
        match part {
            Part::Digits(d) => digits.push(d),
            Part::Word {
                word,
                shown,
                substituted,
            } => {
                flush(&mut out, &mut digits);
                if !out.is_empty() {
                    out.push(' ');
                }
                if *substituted {
                    out.push_str(&format!(
                        "<say-as interpret-as=\"characters\">{}</say-as>",
                        escape(shown)
                    ));
                } else {
                    out.push_str(&escape(&word.to_ascii_uppercase()));
                }
            }
        }
    }
    flush(&mut out, &mut digits);
    out
}

/// The answer for a valid number: the best [`SPOKEN`] numbers, or an honest "none".
pub fn results(e164: &str, vanities: &[Vanity]) -> String {
    let spoken = &vanities[..vanities.len().min(SPOKEN)];
    if spoken.is_empty() {
        return format!(
            "<speak>Sorry, I could not make a good vanity number from \
             <say-as interpret-as=\"telephone\">{}</say-as>. \
             Its digits do not spell common English words.</speak>",
            escape(e164.trim_start_matches('+'))
        );
    }
    let mut out = String::from("<speak>");
    if spoken.len() == 1 {
        out.push_str("I found one good vanity number. It is <break time=\"300ms\"/> ");
        out.push_str(&speak_number(&spoken[0]));
        out.push('.');
    } else {
        for (i, v) in spoken.iter().enumerate() {
            if i > 0 {
                out.push_str(" <break time=\"700ms\"/> ");
            }
            let lead = if i + 1 == spoken.len() {
                format!("And the {} number is", ORDINALS[i])
            } else {
                format!("The {} number is", ORDINALS[i])
            };
            out.push_str(&lead);
            out.push_str(" <break time=\"300ms\"/> ");
            out.push_str(&speak_number(v));
            out.push('.');
        }
    }
    out.push_str("</speak>");
    out
}

/// The answer for a number that cannot be used.
pub fn invalid(reason: &InvalidNumber) -> String {
    let why = match reason {
        InvalidNumber::Empty => "Sorry, I did not get a phone number.",
        InvalidNumber::NotDigits | InvalidNumber::Length(_) => {
            "Sorry, the number you entered is not a valid phone number."
        }
        InvalidNumber::NotNanp => {
            "Sorry, the number you entered is not a valid North American phone number."
        }
    };
    format!("<speak>{why} Please try again.</speak>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::generate;

    fn well_formed(ssml: &str) {
        let doc = roxmltree::Document::parse(ssml).unwrap_or_else(|e| panic!("{e}: {ssml}"));
        assert_eq!(doc.root_element().tag_name().name(), "speak");
    }

    #[test]
    fn flowers_is_spoken_as_a_word() {
        let g = generate("+18003569377", 5).unwrap();
        let s = results(&g.number.e164, &g.results);
        well_formed(&s);
        assert!(
            s.starts_with(
                "<speak>The first number is <break time=\"300ms\"/> \
                 <say-as interpret-as=\"telephone\">1-800</say-as> FLOWERS."
            ),
            "{s}"
        );
    }

    #[test]
    fn every_shape_is_well_formed() {
        for n in [
            "+18004685865",
            "+13035551234",
            "+15550000002",
            "+442079460123",
            "+13035552005",
        ] {
            let g = generate(n, 5).unwrap();
            well_formed(&results(&g.number.e164, &g.results));
        }
        for bad in ["", "x<&>", "123", "0123456789"] {
            well_formed(&invalid(&generate(bad, 5).unwrap_err()));
        }
        assert_eq!(escape("a<&>\"'"), "a&lt;&amp;&gt;&quot;&apos;");
    }

    #[test]
    fn no_words_is_said_honestly() {
        let g = generate("+15550000002", 5).unwrap();
        let s = results(&g.number.e164, &g.results);
        well_formed(&s);
        assert!(s.contains("could not make a good vanity number"), "{s}");
    }
}
