//! `exec:COMMAND`: run a local program as the function. The event goes to its
//! stdin, the response comes from its stdout, stderr is kept for the trace.
//!
//! The command is split like a shell would split words (quotes respected) but no
//! shell runs it, and nothing from the flow file is ever executed: the command
//! comes only from the user's `--lambda` flag or config. `exec:sh -c '…'` is the
//! way to ask for a shell. `FLOWSIM_LAMBDA_ATTEMPT` tells the program which attempt
//! it is (1, then 2–4 when Connect retries a failure). A non-zero exit is the
//! function's error (retried); a program that cannot start is a refused invocation.

use std::process::Stdio;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::{BoxFuture, LambdaBackend, LambdaOutcome, LambdaRequest, RegistryError};
use crate::engine::MAX_RESPONSE_BYTES;

/// Keep at most this much of a program's stderr in the trace.
const MAX_LOG_BYTES: usize = 8 * 1024;

#[derive(Debug)]
pub struct ExecBackend {
    command: String,
    argv: Vec<String>,
}

impl ExecBackend {
    pub fn new(command: &str) -> Result<Self, RegistryError> {
        let argv = shlex::split(command)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| {
                RegistryError::new(format!(
                    "exec:{command}: unbalanced quotes or empty command"
                ))
            })?;
        Ok(Self {
            command: command.to_owned(),
            argv,
        })
    }

    async fn run(&self, request: &LambdaRequest) -> (LambdaOutcome, Option<String>) {
        let mut child = match tokio::process::Command::new(&self.argv[0])
            .args(&self.argv[1..])
            .env("FLOWSIM_LAMBDA_ATTEMPT", request.attempt.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                return (
                    LambdaOutcome::InvokeError {
                        cause: format!("cannot start `{}`: {e}", self.argv[0]),
                        transient: false,
                    },
                    None,
                );
            }
        };
        let event = serde_json::to_vec(&request.event).unwrap_or_default();
        let mut stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let feed = async move {
            if let Some(mut s) = stdin.take() {
                // A program that ignores its input closes the pipe early; that is fine.
                let _ = s.write_all(&event).await;
                let _ = s.shutdown().await;
            }
        };
        let run = async move {
            let child_ref = &mut child;
            let ((), out, err) = tokio::join!(
                feed,
                async move {
                    let out = read_capped(stdout, MAX_RESPONSE_BYTES).await;
                    if matches!(out, Ok((_, true))) {
                        // Connect would refuse the response anyway: stop the program
                        // instead of holding all it prints in memory.
                        let _ = child_ref.start_kill();
                    }
                    out
                },
                read_tail(stderr, MAX_LOG_BYTES)
            );
            let status = child.wait().await?;
            let (stdout, over) = out?;
            Ok::<_, std::io::Error>(Output {
                status,
                stdout,
                over,
                stderr: err?,
            })
        };
        // The child is killed when this future is dropped (time limit, late answer).
        let output = match tokio::time::timeout(request.time_limit, run).await {
            Err(_) => return (LambdaOutcome::NoAnswer, None),
            Ok(Err(e)) => {
                return (
                    LambdaOutcome::InvokeError {
                        cause: format!("`{}` failed: {e}", self.argv[0]),
                        transient: false,
                    },
                    None,
                );
            }
            Ok(Ok(o)) => o,
        };
        let log = (!output.stderr.is_empty()).then(|| tail(&output.stderr));
        if output.over {
            return (
                LambdaOutcome::InvokeError {
                    cause: format!(
                        "`{}` printed {MAX_RESPONSE_BYTES} bytes or more, over Connect's 32 KB \
                         response limit (stopped it)",
                        self.argv[0]
                    ),
                    transient: false,
                },
                log,
            );
        }
        if !output.status.success() {
            let status = output.status.code().map_or_else(
                || "killed by a signal".to_owned(),
                |c| format!("exit status {c}"),
            );
            let detail = log.as_deref().and_then(|l| l.lines().last()).unwrap_or("");
            return (
                LambdaOutcome::FunctionError {
                    message: format!(
                        "`{}` ended with {status}{}{detail}",
                        self.argv[0],
                        if detail.is_empty() { "" } else { ": " }
                    ),
                },
                log,
            );
        }
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&stdout) {
            return (
                LambdaOutcome::FunctionError {
                    message: format!(
                        "`{}` printed something that is not JSON ({e})",
                        self.argv[0]
                    ),
                },
                log,
            );
        }
        (LambdaOutcome::Response { payload: stdout }, log)
    }
}

/// What the program did.
struct Output {
    status: std::process::ExitStatus,
    stdout: Vec<u8>,
    /// Stdout reached the cap; the rest was not read.
    over: bool,
    /// The end of stderr.
    stderr: Vec<u8>,
}

/// Read at most `cap` bytes; `true` when the stream held `cap` bytes or more.
async fn read_capped(
    stream: Option<impl AsyncRead + Unpin>,
    cap: usize,
) -> std::io::Result<(Vec<u8>, bool)> {
    let mut buf = Vec::new();
    if let Some(s) = stream {
        s.take(cap as u64).read_to_end(&mut buf).await?;
    }
    let over = buf.len() >= cap;
    Ok((buf, over))
}

/// Read a stream to its end, keeping only its last `keep` bytes (or a little more).
async fn read_tail(
    stream: Option<impl AsyncRead + Unpin>,
    keep: usize,
) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let Some(mut s) = stream else {
        return Ok(buf);
    };
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Ok(buf);
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > 2 * keep {
            buf.drain(..buf.len() - keep);
        }
    }
}

fn tail(bytes: &[u8]) -> String {
    let start = bytes.len().saturating_sub(MAX_LOG_BYTES);
    let text = String::from_utf8_lossy(&bytes[start..]);
    text.trim_end().to_owned()
}

impl LambdaBackend for ExecBackend {
    fn describe(&self) -> String {
        format!("exec:{}", self.command)
    }

    fn invoke<'a>(&'a self, request: &'a LambdaRequest) -> BoxFuture<'a, LambdaOutcome> {
        Box::pin(async move { self.run(request).await.0 })
    }

    fn invoke_logged<'a>(
        &'a self,
        request: &'a LambdaRequest,
    ) -> BoxFuture<'a, (LambdaOutcome, Option<String>)> {
        Box::pin(self.run(request))
    }

    fn takes_real_time(&self) -> bool {
        true
    }
}
