//! Several backends answering one function in turn; the last repeats. Call scripts
//! give a function several `lambda` lines for this (`Registry::push_front_sequence`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{BoxFuture, LambdaBackend, LambdaOutcome, LambdaRequest};

/// Answers with each backend in turn, then the last one again and again.
pub struct SequenceBackend {
    backends: Vec<Arc<dyn LambdaBackend>>,
    next: AtomicUsize,
}

impl SequenceBackend {
    /// `backends` must not be empty.
    pub fn new(backends: Vec<Arc<dyn LambdaBackend>>) -> Self {
        assert!(!backends.is_empty(), "a sequence needs a backend");
        Self {
            backends,
            next: AtomicUsize::new(0),
        }
    }
}

impl LambdaBackend for SequenceBackend {
    /// The backend that answered last (the first before any call).
    fn describe(&self) -> String {
        let i = self.next.load(Ordering::Relaxed).saturating_sub(1);
        self.backends[i.min(self.backends.len() - 1)].describe()
    }

    fn invoke<'a>(&'a self, request: &'a LambdaRequest) -> BoxFuture<'a, LambdaOutcome> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        self.backends[i.min(self.backends.len() - 1)].invoke(request)
    }

    fn takes_real_time(&self) -> bool {
        self.backends.iter().any(|b| b.takes_real_time())
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            for b in &self.backends {
                b.close().await;
            }
        })
    }
}
