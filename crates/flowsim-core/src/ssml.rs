//! SSML → readable text, for the transcript and for `expect` matching.
//!
//! Connect's subset (flow-language §5): `say-as` is rendered the way a listener
//! hears it (`telephone` grouped, `characters` spaced), `break` becomes `…`,
//! `sub` its alias, unknown tags their inner text. Malformed SSML is an error
//! (the block then takes `NoMatchingError`).

use roxmltree::{Document, Node, ParsingOptions};

/// Why SSML could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed SSML: {0}")]
pub struct SsmlError(pub String);

/// Render an SSML document (with or without `<speak>`) to one line of text.
pub fn render(ssml: &str) -> Result<String, SsmlError> {
    render_timed(ssml).map(|(text, _)| text)
}

/// [`render`], and how long the document takes to say (see [`spoken_ms`]).
pub fn render_timed(ssml: &str) -> Result<(String, u64), SsmlError> {
    let trimmed = ssml.trim();
    // roxmltree insists on declared namespaces; Polly's `amazon:` tags come undeclared.
    let body = trimmed
        .replace("<amazon:", "<amazon-")
        .replace("</amazon:", "</amazon-");
    let wrapped;
    let doc_text = if body.starts_with("<speak") {
        body.as_str()
    } else {
        wrapped = format!("<speak>{body}</speak>");
        wrapped.as_str()
    };
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: 100_000,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(doc_text, opts).map_err(|e| SsmlError(e.to_string()))?;
    let mut out = String::with_capacity(ssml.len());
    walk(doc.root_element(), &mut out);
    let mut ms = 0.0;
    timed(doc.root_element(), 1.0, &mut ms);
    Ok((tidy(&out), ms.round() as u64))
}

/// Milliseconds per word at the voice's normal rate (`prosody rate="medium"`, 100%).
///
/// Polly publishes no words-per-minute figure ("there is no standard speed (words per
/// minute) available for Amazon Polly voices", polly/latest/dg/voice-speed-vip); its
/// one timed example, "Mary had a little lamb", ends about 1.1 s after it starts:
/// five words, about 220 ms each. flowsim rounds that to 250 ms a word (240 words a
/// minute) plus the pauses SSML asks for; see docs/semantics.md, "Prompts take time".
pub const MS_PER_WORD: u64 = 250;

/// How long plain text takes to say: [`MS_PER_WORD`] per word.
pub fn spoken_ms(text: &str) -> u64 {
    words(text) * MS_PER_WORD
}

fn words(text: &str) -> u64 {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count() as u64
}

/// A `<break>`: `time` (`ms`/`s`, Polly's maximum 10 s) or `strength`.
fn break_ms(node: Node<'_, '_>) -> f64 {
    if let Some(t) = node.attribute("time") {
        let t = t.trim();
        let ms = if let Some(v) = t.strip_suffix("ms") {
            v.trim().parse::<f64>().ok()
        } else if let Some(v) = t.strip_suffix('s') {
            v.trim().parse::<f64>().ok().map(|s| s * 1000.0)
        } else {
            None
        };
        if let Some(ms) = ms {
            return ms.clamp(0.0, 10_000.0);
        }
    }
    // Polly: no attribute is `medium` (a comma's pause); `strong` a sentence's,
    // `x-strong` a paragraph's.
    match node.attribute("strength").unwrap_or("medium") {
        "none" => 0.0,
        "x-weak" => 100.0,
        "weak" => 250.0,
        "strong" => 750.0,
        "x-strong" => 1000.0,
        _ => 500.0,
    }
}

/// A `prosody rate`: the presets Polly names (approximate: "the medium option is the
/// normal speed") or `n%`, 20–200%.
fn rate_factor(rate: &str) -> Option<f64> {
    Some(match rate.trim() {
        "x-slow" => 0.5,
        "slow" => 0.75,
        "medium" | "default" => 1.0,
        "fast" => 1.25,
        "x-fast" => 1.5,
        other => {
            let pct: f64 = other.strip_suffix('%')?.trim().parse().ok()?;
            pct.clamp(20.0, 200.0) / 100.0
        }
    })
}

fn timed(node: Node<'_, '_>, rate: f64, ms: &mut f64) {
    for child in node.children() {
        if child.is_text() {
            *ms += words(child.text().unwrap_or("")) as f64 * MS_PER_WORD as f64 / rate;
            continue;
        }
        if !child.is_element() {
            continue;
        }
        match child.tag_name().name() {
            "break" => *ms += break_ms(child),
            "mark" => {}
            "prosody" => {
                let r = child
                    .attribute("rate")
                    .and_then(rate_factor)
                    .map_or(rate, |f| rate * f);
                timed(child, r, ms);
            }
            "sub" => match child.attribute("alias") {
                Some(alias) => *ms += words(alias) as f64 * MS_PER_WORD as f64 / rate,
                None => timed(child, rate, ms),
            },
            "say-as" => {
                let mut inner = String::new();
                walk(child, &mut inner);
                let said = say_as(child.attribute("interpret-as").unwrap_or(""), inner.trim());
                // Grouped digits are read one by one.
                let n: u64 = said
                    .split_whitespace()
                    .map(|w| {
                        let digits = w.chars().filter(char::is_ascii_digit).count() as u64;
                        if digits > 4 { digits } else { words(w) }
                    })
                    .sum();
                *ms += n as f64 * MS_PER_WORD as f64 / rate;
            }
            _ => timed(child, rate, ms),
        }
    }
}

/// Render plain text the same way (whitespace folded), for `Text` prompts.
pub fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        // A pause after a full stop or another pause adds nothing to read.
        if word == "…" && (out.is_empty() || out.ends_with(['.', '!', '?', ',', ';', ':', '…']))
        {
            continue;
        }
        let glue = matches!(word.chars().next(), Some('.' | ',' | '!' | '?' | ';' | ':'));
        if !out.is_empty() && !glue {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn walk(node: Node<'_, '_>, out: &mut String) {
    for child in node.children() {
        if child.is_text() {
            out.push_str(child.text().unwrap_or(""));
            continue;
        }
        if !child.is_element() {
            continue;
        }
        match child.tag_name().name() {
            "break" => {
                let silent = child.attribute("strength") == Some("none")
                    || child
                        .attribute("time")
                        .is_some_and(|t| t.trim_start_matches('0').starts_with("ms") || t == "0s");
                if !silent {
                    out.push_str(" … ");
                }
            }
            "mark" => {}
            "p" | "s" => {
                out.push(' ');
                walk(child, out);
                out.push(' ');
            }
            "sub" => match child.attribute("alias") {
                Some(alias) => out.push_str(alias),
                None => walk(child, out),
            },
            "say-as" => {
                let mut inner = String::new();
                walk(child, &mut inner);
                let inner = inner.trim();
                let how = child.attribute("interpret-as").unwrap_or("");
                out.push_str(&say_as(how, inner));
            }
            _ => walk(child, out),
        }
    }
}

fn say_as(how: &str, text: &str) -> String {
    match how {
        "characters" | "spell-out" => spaced(text.chars().filter(|c| !c.is_whitespace())),
        "digits" => spaced(text.chars().filter(char::is_ascii_digit)),
        "telephone" => telephone(text),
        "expletive" => "[bleep]".into(),
        "ordinal" => ordinal(text),
        _ => text.to_owned(),
    }
}

fn spaced(chars: impl Iterator<Item = char>) -> String {
    let mut s = String::new();
    for c in chars {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push(c);
    }
    s
}

/// Group a phone number as a listener hears it: `+1 303-555-1234`. Text with
/// letters (a vanity number) is read as written.
pub fn telephone(text: &str) -> String {
    if text.chars().any(|c| c.is_ascii_alphabetic()) {
        return text.to_owned();
    }
    let plus = text.trim_start().starts_with('+');
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len();
    let grouped = |d: &str| match d.len() {
        7 => format!("{}-{}", &d[..3], &d[3..]),
        10 => format!("{}-{}-{}", &d[..3], &d[3..6], &d[6..]),
        _ => d.to_owned(),
    };
    match (plus, n) {
        (_, 11) if digits.starts_with('1') => format!("+1 {}", grouped(&digits[1..])),
        (true, 12..=15) => format!("+{} {}", &digits[..n - 10], grouped(&digits[n - 10..])),
        (false, 7 | 10) => grouped(&digits),
        _ => text.trim().to_owned(),
    }
}

fn ordinal(text: &str) -> String {
    let Ok(n) = text.trim().parse::<u64>() else {
        return text.to_owned();
    };
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Escape text for XML content and attribute values (SSML, JUnit). Characters XML
/// 1.0 forbids are written out as `\u{..}`, so they stay visible.
pub fn escape_xml(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        assert_eq!(spoken_ms("Press 1 to continue."), 1000);
        assert_eq!(render_timed("Hi<break time=\"2s\"/>there").unwrap().1, 2500);
        assert_eq!(render_timed("<break time=\"300ms\"/>").unwrap().1, 300);
        assert_eq!(render_timed("<break/>").unwrap().1, 500);
        assert_eq!(
            render_timed("<prosody rate=\"50%\">one two</prosody>")
                .unwrap()
                .1,
            1000
        );
        assert_eq!(
            render_timed("<prosody rate=\"fast\">one two three four five</prosody>")
                .unwrap()
                .1,
            1000
        );
    }

    use super::*;

    #[test]
    fn seed_prompt() {
        let s = "<speak>Please confirm <say-as interpret-as=\"telephone\">+13035551234</say-as>.\n  Press 1.</speak>";
        assert_eq!(
            render(s).unwrap(),
            "Please confirm +1 303-555-1234. Press 1."
        );
    }

    #[test]
    fn tags() {
        assert_eq!(
            render("Hi<break time=\"300ms\"/>there").unwrap(),
            "Hi … there"
        );
        assert_eq!(
            render("<say-as interpret-as=\"characters\">abc</say-as>").unwrap(),
            "a b c"
        );
        assert_eq!(
            render("<say-as interpret-as=\"digits\">123</say-as>").unwrap(),
            "1 2 3"
        );
        assert_eq!(
            render("<sub alias=\"World Wide Web\">WWW</sub>").unwrap(),
            "World Wide Web"
        );
        assert_eq!(
            render("<amazon:effect name=\"whispered\">psst</amazon:effect>").unwrap(),
            "psst"
        );
        assert_eq!(
            render("<prosody rate=\"slow\">slow</prosody> &amp; <mark name=\"m\"/>done").unwrap(),
            "slow & done"
        );
        assert_eq!(
            render("<say-as interpret-as=\"ordinal\">2</say-as>").unwrap(),
            "2nd"
        );
        assert_eq!(
            render("<say-as interpret-as=\"telephone\">+1-800-FLOWERS</say-as>").unwrap(),
            "+1-800-FLOWERS"
        );
    }

    #[test]
    fn malformed() {
        assert!(render("<speak>unclosed <say-as>").is_err());
        assert!(render("a < b").is_err());
    }
}
