//! References (`$.Attributes.x`, `$.External.a.b`, …): finding them in text and
//! splitting them into segments. Resolution against a contact is in `contact.rs`.

/// One reference found in a text: byte range and path segments after `$`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub start: usize,
    pub end: usize,
    pub segments: Vec<String>,
}

impl Reference {
    /// The reference as written, e.g. `$.Attributes.TargetNumber`.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.start..self.end]
    }
}

fn seg_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// Parse one reference starting at byte `i` (which must be `$`).
fn parse_at(bytes: &[u8], s: &str, i: usize) -> Option<Reference> {
    let mut j = i + 1;
    let mut segments = Vec::new();
    loop {
        match bytes.get(j) {
            Some(b'.') if bytes.get(j + 1).is_some_and(|&c| seg_char(c)) => {
                let k = j + 1;
                let mut e = k;
                while e < bytes.len() && seg_char(bytes[e]) {
                    e += 1;
                }
                segments.push(s[k..e].to_owned());
                j = e;
            }
            Some(b'.') if bytes.get(j + 1) == Some(&b'[') => {
                // `$.Attributes.['my key']`, as the attribute list writes it.
                j += 1;
            }
            Some(b'[') => {
                let rest = &s[j + 1..];
                if let Some(q) = rest.strip_prefix('\'') {
                    let close = q.find("']")?;
                    segments.push(q[..close].to_owned());
                    j += 1 + 1 + close + 2;
                } else if let Some(q) = rest.strip_prefix('"') {
                    let close = q.find("\"]")?;
                    segments.push(q[..close].to_owned());
                    j += 1 + 1 + close + 2;
                } else {
                    let close = rest.find(']')?;
                    let idx = &rest[..close];
                    if idx.is_empty() || !idx.bytes().all(|c| c.is_ascii_digit()) {
                        break;
                    }
                    segments.push(idx.to_owned());
                    j += 1 + close + 1;
                }
            }
            _ => break,
        }
    }
    if segments.is_empty() {
        return None;
    }
    Some(Reference {
        start: i,
        end: j,
        segments,
    })
}

/// Every reference in `text`, left to right.
pub fn find_all(text: &str) -> Vec<Reference> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$'
            && let Some(r) = parse_at(bytes, text, i)
        {
            i = r.end;
            out.push(r);
            continue;
        }
        i += 1;
    }
    out
}

/// The reference when `text` is one reference and nothing else (surrounding
/// white space allowed).
pub fn whole(text: &str) -> Option<Reference> {
    let t = text.trim();
    if !t.starts_with('$') {
        return None;
    }
    let offset = text.len() - text.trim_start().len();
    let r = parse_at(t.as_bytes(), t, 0)?;
    (r.end == t.len()).then(|| Reference {
        start: r.start + offset,
        end: r.end + offset,
        segments: r.segments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(r: &Reference) -> Vec<&str> {
        r.segments.iter().map(String::as_str).collect()
    }

    #[test]
    fn finds_inside_text_and_keeps_full_stop() {
        let t = "Your first vanity number is $.External.vanity1. Bye $.Attributes.['my key']!";
        let refs = find_all(t);
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].text(t), "$.External.vanity1");
        assert_eq!(segs(&refs[1]), ["Attributes", "my key"]);
    }

    #[test]
    fn whole_values() {
        assert_eq!(
            segs(&whole(" $.Attributes.SSMLResponse ").unwrap()),
            ["Attributes", "SSMLResponse"]
        );
        assert!(whole("$.Attributes.x and more").is_none());
        assert!(whole("$5.00").is_none());
        assert_eq!(
            segs(&whole("$.External.list[0].a").unwrap()),
            ["External", "list", "0", "a"]
        );
        assert_eq!(segs(&whole("$['AwsRegion']").unwrap()), ["AwsRegion"]);
    }

    #[test]
    fn dollar_amounts_are_not_references() {
        assert!(find_all("That costs $1000. Or $ 5.").is_empty());
    }
}
