//! The `Assert` operators over a value of the contact (connect-testing-language.md
//! §6.3): `Equals` and the `Text*` operators compare strings exactly and
//! case-sensitively; the `Number*` operators parse both sides as decimal numbers (a
//! side that is not a number fails); a missing or empty value fails every operator
//! but `Exists`, which fails only when the value is missing.

use super::model::Operator;

/// `Ok` when `actual` (None: not set) satisfies `op` with `operand`; `Err` says why
/// not, in words.
pub fn check(op: Operator, actual: Option<&str>, operand: Option<&str>) -> Result<(), String> {
    let want = operand.unwrap_or("");
    let Some(got) = actual else {
        return Err("the value is not set".into());
    };
    if op == Operator::Exists {
        return Ok(());
    }
    if got.is_empty() {
        return Err("the value is empty".into());
    }
    let ok = match op {
        Operator::Equals => got == want,
        Operator::TextStartsWith => got.starts_with(want),
        Operator::TextEndsWith => got.ends_with(want),
        Operator::TextContains => got.contains(want),
        Operator::Exists => true,
        _ => {
            let num = |s: &str, side: &str| {
                s.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| format!("the {side} \"{s}\" is not a number"))
            };
            let (a, b) = (num(got, "value")?, num(want, "operand")?);
            match op {
                Operator::NumberGreaterThan => a > b,
                Operator::NumberGreaterOrEqualTo => a >= b,
                Operator::NumberLessThan => a < b,
                _ => a <= b,
            }
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("the value is \"{got}\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Operator::*;

    #[test]
    fn every_operator() {
        let cases: [(Operator, &str, &str, bool); 18] = [
            (Equals, "Basic Queue", "Basic Queue", true),
            (Equals, "Basic Queue", "basic queue", false),
            (TextStartsWith, "+1303555", "+1303", true),
            (TextStartsWith, "+1303555", "303", false),
            (TextEndsWith, "720-FLOWERS", "FLOWERS", true),
            (TextEndsWith, "720-FLOWERS", "720", false),
            (TextContains, "abc", "b", true),
            (TextContains, "abc", "d", false),
            (NumberGreaterThan, "10", "9.5", true),
            (NumberGreaterThan, "9", "9", false),
            (NumberGreaterOrEqualTo, "9", "9", true),
            (NumberGreaterOrEqualTo, "8", "9", false),
            (NumberLessThan, "-1", "0", true),
            (NumberLessThan, "0", "0", false),
            (NumberLessOrEqualTo, "0", "0", true),
            (NumberLessOrEqualTo, "1", "0", false),
            (Exists, "x", "", true),
            (NumberLessThan, "ten", "11", false),
        ];
        for (op, got, want, ok) in cases {
            assert_eq!(
                check(op, Some(got), Some(want)).is_ok(),
                ok,
                "{op:?} {got} {want}"
            );
        }
        assert!(check(Exists, None, None).is_err());
        assert!(check(Exists, Some(""), None).is_ok());
        assert!(check(TextContains, Some(""), Some("")).is_err());
    }
}
