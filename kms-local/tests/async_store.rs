//! A durable store never stalls the async runtime: on a `current_thread` runtime, another
//! task keeps running while a call (or the opening of the store) waits for another
//! process's lock on the store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use kms_core::{KmsExt, SecretBytes};
use kms_local::LocalKms;

/// How long the lock is held; the other task ticks every [`TICK`] meanwhile.
const HELD: Duration = Duration::from_millis(400);
const TICK: Duration = Duration::from_millis(10);

fn builder(dir: &Path) -> kms_local::LocalKmsBuilder {
    LocalKms::builder()
        .path(dir)
        .root_key(SecretBytes::from(&[5u8; 32]))
}

/// Takes the store's lock as another process would (on a descriptor of its own) and releases
/// it after [`HELD`], from another thread, by closing the file as a process that ends does
/// (Wine refuses an unlock from another thread).
fn hold_the_lock(dir: &Path) -> std::thread::JoinHandle<()> {
    let lock = File::options()
        .read(true)
        .write(true)
        .open(dir.join("lock"))
        .unwrap();
    lock.lock().unwrap();
    std::thread::spawn(move || {
        std::thread::sleep(HELD);
        drop(lock);
    })
}

/// Runs `call` on a `current_thread` runtime beside a task that ticks every [`TICK`], and
/// returns how many times it ticked while `call` ran.
fn ticks_during<F: Future>(call: impl FnOnce() -> F) -> (F::Output, u32) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let ticks = Arc::new(AtomicU32::new(0));
        let ticker = tokio::spawn({
            let ticks = Arc::clone(&ticks);
            async move {
                loop {
                    tokio::time::sleep(TICK).await;
                    ticks.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        tokio::task::yield_now().await;
        let before = ticks.load(Ordering::Relaxed);
        let output = call().await;
        let ticked = ticks.load(Ordering::Relaxed) - before;
        ticker.abort();
        (output, ticked)
    })
}

#[test]
fn a_call_waiting_for_the_lock_leaves_other_tasks_running() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("store");
    let kms = builder(&dir).build().unwrap();
    let holder = hold_the_lock(&dir);
    let (created, ticks) = ticks_during(|| kms.create_symmetric_key("waited"));
    holder.join().unwrap();
    created.unwrap();
    assert_eq!(kms.key_count(), 1);
    // The call waited for the lock ~HELD; the ticker ran all along (at least half the ticks
    // it could make, however slow the machine).
    let possible = (HELD.as_millis() / TICK.as_millis()) as u32;
    assert!(
        ticks >= possible / 2,
        "the runtime stalled: {ticks} of {possible} ticks"
    );
}

#[test]
fn opening_a_store_with_build_async_leaves_other_tasks_running() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("store");
    builder(&dir).build().unwrap();
    let holder = hold_the_lock(&dir);
    let (opened, ticks) = ticks_during(|| builder(&dir).build_async());
    holder.join().unwrap();
    assert_eq!(opened.unwrap().key_count(), 0);
    let possible = (HELD.as_millis() / TICK.as_millis()) as u32;
    assert!(
        ticks >= possible / 2,
        "the runtime stalled: {ticks} of {possible} ticks"
    );
}

#[test]
fn an_in_memory_backend_answers_without_waiting() {
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};
    // Inside a runtime, where a durable store would hand the call to a blocking thread.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let _inside = runtime.enter();
    let kms = LocalKms::new();
    let created =
        pin!(kms.create_symmetric_key("inline")).poll(&mut Context::from_waker(Waker::noop()));
    assert!(matches!(created, Poll::Ready(Ok(_))));
}
