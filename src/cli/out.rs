//! Standard output for every command. A reader that goes away (`flowsim … | head`)
//! ends the process quietly with exit code 141 — what a shell reports for a Unix
//! tool stopped by SIGPIPE — instead of the panic of `print!`. Any other write
//! error is one line on stderr, exit 1.
//!
//! Colour: human outputs may carry ANSI styles; the stream (anstream) keeps them
//! only when colour is on — `--color always`, or `auto` (the default) with stdout a
//! terminal and `NO_COLOR` unset — and strips them otherwise.

use std::io::{self, Write};

/// The exit code when stdout's reader went away (128 + SIGPIPE).
pub const CLOSED_PIPE: u8 = 141;

/// Write `text` to stdout as is, flushed.
pub fn text(text: &str) {
    let mut out = anstream::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        failed(&e);
    }
}

/// Write `line` and a newline to stdout.
pub fn line(line: &str) {
    let mut out = anstream::stdout().lock();
    if let Err(e) = writeln!(out, "{line}") {
        failed(&e);
    }
}

/// Is this error stdout's reader going away?
pub fn is_closed(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// End the process after a failed write to stdout.
pub fn failed(e: &io::Error) -> ! {
    if is_closed(e) {
        std::process::exit(i32::from(CLOSED_PIPE));
    }
    eprintln!("flowsim: cannot write to stdout: {e}");
    std::process::exit(1);
}
