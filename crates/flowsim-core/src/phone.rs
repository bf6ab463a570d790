//! Phone numbers: the one place that says what a valid number is.
//!
//! Connect does not validate caller IDs — anonymous callers exist, and a chat
//! contact has no number — so the caller and dialed numbers (`--caller`/`--dialed`,
//! the config file, a script's `caller`/`dialed` line) are taken as given, with a
//! warning from [`e164_warning`] when they are not in E.164 form. Numbers the flow
//! itself validates — stored input with phone validation ([`stored_input`]),
//! third-party transfer and callback numbers ([`e164`]) — are checked against the
//! numbering plans of libphonenumber (the `phonenumber` crate: its metadata is built
//! into the binary and read once, on first use).
//! The TUI's new-caller box, typed by hand, also accepts a 10-digit US number and
//! prefixes `+1` ([`normalise_typed`]).

/// A number that is not E.164. The message is one line, for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a phone number in E.164 form, e.g. +13035551234")]
pub struct InvalidNumber;

/// `+` then 1–15 ASCII digits: the number unchanged, else [`InvalidNumber`]. The form
/// only: the TUI's new-caller box, where any caller ID goes.
pub fn e164_form(number: &str) -> Result<&str, InvalidNumber> {
    let digits = number.strip_prefix('+').ok_or(InvalidNumber)?;
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InvalidNumber);
    }
    Ok(number)
}

/// A number a flow dials or stores (a third-party transfer, a callback number): in
/// E.164 form *and* a valid number of its country's numbering plan (libphonenumber's
/// metadata, through the `phonenumber` crate), so `+12345678` — a US number of 7
/// digits — is refused. The number unchanged, else [`InvalidNumber`].
pub fn e164(number: &str) -> Result<&str, InvalidNumber> {
    e164_form(number)?;
    match phonenumber::parse(None, number) {
        Ok(n) if phonenumber::is_valid(&n) => Ok(number),
        _ => Err(InvalidNumber),
    }
}

/// How a Store customer input block validates a typed phone number
/// (`InputValidation.PhoneNumberValidation.NumberFormat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan<'a> {
    /// `E164`: "a fully defined e.164 phone number" (APIReference
    /// participant-actions-getparticipantinput): the caller keys the country code and
    /// the national number; `+` is implied (a keypad has none).
    E164,
    /// `Local` with `CountryCode` (ISO 3166 alpha-2, e.g. `PH`): a number as dialed in
    /// that country, its trunk prefix (`0` in the UK, `1` in the NANP) allowed.
    Local(&'a str),
}

impl<'a> Plan<'a> {
    /// The plan a block's phone validation names (`Local` without a country: US).
    pub fn of(format: crate::flow::PhoneFormat, country: Option<&'a str>) -> Self {
        match format {
            crate::flow::PhoneFormat::E164 => Self::E164,
            crate::flow::PhoneFormat::Local => Self::Local(country.unwrap_or("US")),
        }
    }
}

/// Why typed digits are not a phone number, for the trace.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("not only digits")]
    NotDigits,
    #[error("{0} is not a country code flowsim knows (ISO 3166 alpha-2, e.g. US, GB, PH)")]
    UnknownCountry(String),
    #[error("not a valid {0} phone number")]
    Invalid(String),
}

/// Typed digits checked against the numbering plan: the number in E.164 form when
/// valid. Under `Local(C)` the number must belong to C's country calling code (a
/// Canadian number is local to the US: both are +1); an international number keyed
/// with the exit code (`011 44…` from the US) is refused as not local.
pub fn stored_input(typed: &str, plan: Plan<'_>) -> Result<String, Refused> {
    if typed.is_empty() || typed.len() > 17 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refused::NotDigits);
    }
    let (parsed, name, code) = match plan {
        Plan::E164 => (
            phonenumber::parse(None, format!("+{typed}")),
            "E.164".to_owned(),
            None,
        ),
        Plan::Local(country) => {
            let upper = country.trim().to_ascii_uppercase();
            let id: phonenumber::country::Id = upper
                .parse()
                .map_err(|_| Refused::UnknownCountry(country.to_owned()))?;
            let code = phonenumber::metadata::DATABASE
                .by_id(id.as_ref())
                .map(|m| m.country_code());
            (phonenumber::parse(Some(id), typed), upper, code)
        }
    };
    match parsed {
        Ok(n) if phonenumber::is_valid(&n) && code.is_none_or(|c| c == n.code().value()) => {
            Ok(n.format().mode(phonenumber::Mode::E164).to_string())
        }
        _ => Err(Refused::Invalid(name)),
    }
}

/// The national number of a valid E.164 number, as a caller keys it at home (without
/// a trunk prefix): `+442071234567` → `2071234567`.
pub fn national_number(e164: &str) -> Option<String> {
    let n = phonenumber::parse(None, e164).ok()?;
    Some(n.national().to_string())
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

/// A number typed by hand: E.164 as [`e164_form`], or a 10-digit US number, which gets `+1`.
pub fn normalise_typed(number: &str) -> Result<String, InvalidNumber> {
    if number.len() == 10 && number.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(format!("+1{number}"));
    }
    e164_form(number).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_form_needs_a_plus_and_1_to_15_digits() {
        assert_eq!(e164_form("+13035551234"), Ok("+13035551234"));
        assert_eq!(e164_form("+1"), Ok("+1"));
        assert_eq!(e164_form("+123456789012345"), Ok("+123456789012345"));
        assert!(e164_form("+1234567890123456").is_err());
        assert!(e164_form("+").is_err());
        assert!(e164_form("13035551234").is_err());
        assert!(e164_form("+1303555123a").is_err());
        assert!(e164_form("").is_err());
    }

    #[test]
    fn e164_also_needs_a_number_of_the_plan() {
        for ok in [
            "+13035551234",
            "+442071234567",
            "+639171234567",
            "+61291234567",
        ] {
            assert_eq!(e164(ok), Ok(ok));
        }
        // A 7-digit US number, an unassigned NANP area code, too few UK digits,
        // a country code no one has, and the form's own failures.
        for bad in [
            "+12345678",
            "+15555550100",
            "+4420712345",
            "+8881234567",
            "+1",
            "13035551234",
        ] {
            assert_eq!(e164(bad), Err(InvalidNumber), "{bad}");
        }
    }

    #[test]
    fn stored_input_follows_the_numbering_plan() {
        let ok = |typed, plan| stored_input(typed, plan).unwrap();
        let bad = |typed, plan| stored_input(typed, plan).unwrap_err();
        assert_eq!(ok("3035551234", Plan::Local("US")), "+13035551234");
        assert_eq!(ok("13035551234", Plan::Local("us")), "+13035551234");
        assert_eq!(ok("4165550123", Plan::Local("US")), "+14165550123");
        assert_eq!(ok("09171234567", Plan::Local("PH")), "+639171234567");
        assert_eq!(ok("02071234567", Plan::Local("GB")), "+442071234567");
        assert_eq!(ok("442071234567", Plan::E164), "+442071234567");
        assert_eq!(
            bad("12345678901", Plan::Local("GB")),
            Refused::Invalid("GB".into())
        );
        assert_eq!(
            bad("12345678", Plan::E164),
            Refused::Invalid("E.164".into())
        );
        assert_eq!(
            bad("1234567890", Plan::Local("US")),
            Refused::Invalid("US".into())
        );
        assert_eq!(
            bad("011442071234567", Plan::Local("US")),
            Refused::Invalid("US".into())
        );
        assert_eq!(
            bad("3035551234", Plan::Local("XX")),
            Refused::UnknownCountry("XX".into())
        );
        assert_eq!(bad("", Plan::E164), Refused::NotDigits);
        assert_eq!(bad("12#", Plan::E164), Refused::NotDigits);
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
