//! The SSML renderer: any text renders to one line or is refused as malformed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(out) = flowsim_core::ssml::render(&text) {
        assert!(!out.contains('\n'), "rendered SSML spans lines: {out:?}");
    }
    let _ = flowsim_core::ssml::tidy(&text);
    let _ = flowsim_core::ssml::telephone(&text);
});
