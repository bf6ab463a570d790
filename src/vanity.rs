//! The built-in vanity-number function (`builtin:vanity`) and its embedded call
//! pipeline. PLACEHOLDER: being written in the vanity issue.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use crate::lambda::registry::BackendContext;
use crate::lambda::{BoxFuture, LambdaBackend, LambdaOutcome, LambdaRequest};

/// The `builtin:vanity` backend.
pub fn backend(_ctx: &BackendContext) -> Arc<dyn LambdaBackend> {
    Arc::new(Placeholder)
}

/// Where the call table lives: `FLOWSIM_DATA_DIR`, else the user's data dir.
pub fn default_data_dir() -> Option<PathBuf> {
    std::env::var_os("FLOWSIM_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("flowsim")))
}

/// `flowsim vanity NUMBER… [--count N] [--json]`.
pub fn command_vanity(_numbers: &[String], _count: usize, _json: bool) -> ExitCode {
    eprintln!("flowsim vanity: not available yet");
    ExitCode::from(2)
}

/// `flowsim calls [--limit N] [--json]`.
pub fn command_calls(_limit: usize, _json: bool, _data_dir: Option<PathBuf>) -> ExitCode {
    eprintln!("flowsim calls: not available yet");
    ExitCode::from(2)
}

struct Placeholder;

impl LambdaBackend for Placeholder {
    fn describe(&self) -> String {
        "builtin:vanity".into()
    }
    fn invoke<'a>(&'a self, _request: &'a LambdaRequest) -> BoxFuture<'a, LambdaOutcome> {
        Box::pin(async {
            LambdaOutcome::FunctionError {
                message: "builtin:vanity is not built yet".into(),
            }
        })
    }
}
