//! Phone numbers: the one place that says what a valid number is.
//!
//! Connect does not validate caller IDs — anonymous callers exist, and a chat
//! contact has no number — so the caller and dialed numbers (`--caller`/`--dialed`,
//! the config file, a script's `caller`/`dialed` line) are taken as given, with a
//! warning from [`e164_warning`] when they are not a valid E.164 number. Numbers
//! the flow itself validates (input, transfer, callback) are checked by the engine.
//! The TUI's new-caller box, typed by hand, also accepts a 10-digit US number and
//! prefixes `+1` ([`normalise_typed`]).

/// A number that is not E.164. The message is one line, for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a phone number in E.164 form, e.g. +13035551234")]
pub struct InvalidNumber;

/// `+` then 1–15 ASCII digits: the number unchanged, else [`InvalidNumber`].
pub fn e164(number: &str) -> Result<&str, InvalidNumber> {
    let digits = number.strip_prefix('+').ok_or(InvalidNumber)?;
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InvalidNumber);
    }
    Ok(number)
}

/// Digits an E.164 number has after the `+`: a country code (1–3 digits, not
/// starting with 0) and the national number, 15 at most. Below 7 no real number fits.
pub const E164_DIGITS: std::ops::RangeInclusive<usize> = 7..=15;

/// `None` when `number` is a valid E.164 number (`+`, then 7–15 digits, the first
/// not 0); else a one-line warning saying what is wrong with it.
pub fn e164_warning(number: &str) -> Option<String> {
    let why = if number.is_empty() {
        "empty (an anonymous caller, or a contact with no number)"
    } else if let Some(digits) = number.strip_prefix('+') {
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            "not only digits after the +"
        } else if digits.starts_with('0') {
            "no country code starts with 0"
        } else if digits.len() < *E164_DIGITS.start() {
            "too short for a phone number"
        } else if digits.len() > *E164_DIGITS.end() {
            "longer than 15 digits"
        } else {
            return None;
        }
    } else if number.bytes().all(|b| b.is_ascii_digit()) {
        "no + and country code"
    } else {
        "not a phone number"
    };
    Some(format!(
        "`{number}` is not an E.164 number ({why}; e.g. +13035551234): used as given"
    ))
}

/// A number typed by hand: E.164 as [`e164`], or a 10-digit US number, which gets `+1`.
pub fn normalise_typed(number: &str) -> Result<String, InvalidNumber> {
    if number.len() == 10 && number.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(format!("+1{number}"));
    }
    e164(number).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_needs_a_plus_and_1_to_15_digits() {
        assert_eq!(e164("+13035551234"), Ok("+13035551234"));
        assert_eq!(e164("+1"), Ok("+1"));
        assert_eq!(e164("+123456789012345"), Ok("+123456789012345"));
        assert!(e164("+1234567890123456").is_err());
        assert!(e164("+").is_err());
        assert!(e164("13035551234").is_err());
        assert!(e164("+1303555123a").is_err());
        assert!(e164("").is_err());
    }

    #[test]
    fn anything_else_is_warned_about() {
        for ok in [
            "+13035551234",
            "+442071234567",
            "+6834002",
            "+123456789012345",
        ] {
            assert_eq!(e164_warning(ok), None, "{ok}");
        }
        for (bad, why) in [
            ("", "empty"),
            ("abc", "not a phone number"),
            ("anonymous", "not a phone number"),
            ("12345", "no + and country code"),
            ("18005550199", "no + and country code"),
            ("+1", "too short"),
            ("+012345678", "starts with 0"),
            ("+1234567890123456", "longer than 15"),
            ("+1303555123a", "not only digits"),
        ] {
            let w = e164_warning(bad).unwrap_or_else(|| panic!("{bad:?} passed"));
            assert!(w.contains(why), "{bad:?}: {w}");
            assert!(w.contains("used as given"), "{w}");
        }
    }

    #[test]
    fn typed_numbers_may_be_10_digit_us() {
        assert_eq!(normalise_typed("3035551234").unwrap(), "+13035551234");
        assert_eq!(normalise_typed("+442071234567").unwrap(), "+442071234567");
        assert!(normalise_typed("442071234567").is_err());
        assert!(normalise_typed("+").is_err());
        assert!(normalise_typed("12ab").is_err());
    }
}
