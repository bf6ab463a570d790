//! Phone numbers as flowsim accepts them: E.164, `+` then 1–15 digits.
//!
//! Every place that takes a number (`--caller`/`--dialed`, the config file, a
//! script's `caller`/`dialed` line, the TUI's new-caller box) checks it here. Only
//! the TUI's box, which is typed by hand, also accepts a 10-digit US number and
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
    fn typed_numbers_may_be_10_digit_us() {
        assert_eq!(normalise_typed("3035551234").unwrap(), "+13035551234");
        assert_eq!(normalise_typed("+442071234567").unwrap(), "+442071234567");
        assert!(normalise_typed("442071234567").is_err());
        assert!(normalise_typed("+").is_err());
        assert!(normalise_typed("12ab").is_err());
    }
}
