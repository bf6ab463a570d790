//! The reference resolver: find `$.…` references in any text and resolve them
//! against a contact holding a nested `$.External`.
#![no_main]

use flowsim_core::engine::{Contact, refs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let found = refs::find_all(&text);
    for r in &found {
        assert!(r.start < r.end && r.end <= text.len());
        let _ = r.text(&text);
    }
    if let Some(r) = refs::whole(&text) {
        let _ = r.text(&text);
    }
    let mut contact = Contact::default();
    contact
        .attributes
        .insert("TargetNumber".into(), "+13035551234".into());
    contact.attributes.insert("my key".into(), "v".into());
    contact.external = serde_json::json!({
        "vanity1": "1-800-FLOWERS",
        "ssmlError": false,
        "n": 5,
        "list": [{"a": "b"}, null, [1, 2]],
        "deep": {"a": {"b": "c"}}
    });
    contact.stored_input = Some("5551234567".into());
    let _ = contact.interpolate(&text);
    let _ = contact.value_of(&text);
});
