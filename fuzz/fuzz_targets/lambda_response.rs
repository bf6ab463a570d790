//! Lambda response validation (32 KB, JSON object, STRING_MAP flatness), then
//! reading the accepted value back through references.
#![no_main]

use flowsim_core::engine::{Contact, refs, validate_response};
use flowsim_core::flow::LambdaResponseType;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let payload = String::from_utf8_lossy(data);
    for kind in [LambdaResponseType::StringMap, LambdaResponseType::Json] {
        match validate_response(&payload, kind) {
            Ok(accepted) => {
                let mut contact = Contact::default();
                let keys: Vec<String> = accepted
                    .external
                    .as_object()
                    .map(|m| m.keys().take(8).cloned().collect())
                    .unwrap_or_default();
                contact.external = accepted.external;
                for k in keys {
                    let _ = contact.resolve(&["External".to_owned(), k]);
                }
                let _ = contact.interpolate("$.External.a $.External.a.b $.External.list[0]");
                let _ = refs::find_all(&payload);
            }
            Err(reason) => assert!(!reason.is_empty()),
        }
    }
});
