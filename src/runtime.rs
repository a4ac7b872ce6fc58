//! The SDK's own multi-thread tokio runtime. Exported async functions are polled by the host
//! (Kotlin coroutines, Swift tasks); their bodies are spawned here and awaited through the
//! runtime-agnostic `JoinHandle`, so engine work never runs on a host thread and never needs
//! the host to provide a reactor.

use std::future::Future;
use std::sync::OnceLock;

use crate::error::{OpenIMError, Result};

static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

pub fn handle() -> &'static tokio::runtime::Handle {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .max_blocking_threads(4)
                .thread_name("openim-engine")
                .enable_all()
                .build()
                .expect("the OpenIM runtime starts")
        })
        .handle()
}

/// A task as the runtime stores it. Every spawn goes through this one type, so tokio's task
/// machinery is compiled once rather than once per call site (a large share of the library).
pub type Job<T = ()> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Spawns `job` on the SDK runtime.
pub fn spawn_job(job: Job) -> tokio::task::JoinHandle<()> {
    handle().spawn(job)
}

/// Runs `fut` on the SDK runtime and waits for it; a panic inside becomes an `Internal` error
/// instead of crossing the FFI boundary. `fut` is boxed at once and waited for by one future per
/// result type: the call's own code is not copied into each FFI method's wrapper.
pub fn run<F, T>(fut: F) -> impl Future<Output = Result<T>> + Send
where
    F: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    run_boxed(Box::pin(fut))
}

async fn run_boxed<T: Send + 'static>(fut: Job<Result<T>>) -> Result<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let joined = spawn_job(Box::pin(async move {
        let _ = tx.send(fut.await);
    }))
    .await;
    match joined {
        Ok(()) => rx.await.unwrap_or_else(|_| Err(OpenIMError::internal("engine task ended without a result"))),
        Err(e) if e.is_panic() => {
            let msg = panic_message(e.into_panic());
            tracing::error!(panic = %msg, "engine task panicked");
            Err(OpenIMError::internal(format!("engine task panicked: {msg}")))
        }
        Err(e) => Err(OpenIMError::internal(format!("engine task cancelled: {e}"))),
    }
}

pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_call_becomes_an_internal_error() {
        let failed = handle().block_on(run(async { if true { panic!("boom") } else { Ok(1) } }));
        match failed {
            Err(OpenIMError::Internal { msg, .. }) => assert!(msg.contains("boom"), "{msg}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(handle().block_on(run(async { Ok(7) })).unwrap(), 7);
    }
}
