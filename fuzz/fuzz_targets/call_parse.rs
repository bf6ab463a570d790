//! The `.call` script parser: any text gives a script or a one-line error
//! naming the line, never a panic.
#![no_main]

use std::path::Path;

use flowsim_core::call::Directive;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match flowsim_core::call::parse_script(&text, Path::new("fuzz/fuzz.call")) {
        Ok(script) => {
            for line in &script.lines {
                if let Directive::Expect(m) | Directive::ExpectNo(m) = &line.directive {
                    let said = "Press 1 to confirm. Your number is +1 303-555-1234.";
                    let _ = m.matches(said);
                    let _ = m.find_from(said, 0);
                }
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "multi-line error: {msg:?}");
        }
    }
});
