//! The retention purge runs on its own inside a running instance.

use std::sync::Arc;
use std::time::Duration;

use botwerk::core::{CancellationToken, Identity, ManualClock, Platform};
use botwerk::privacy::Policy;
use botwerk::vault::AuditEvent;
use botwerk::Instance;
use botwerk_tests::start_time;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_purge_deletes_what_is_due() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(start_time()));
    // An adapter keeps the instance running.
    let (adapter, _users) = botwerk_testkit::MemoryAdapter::new();
    let instance = Instance::builder(botwerk_shop::bot())
        .in_memory(dir.path())
        .policy(Policy::unconfigured())
        .clock(clock.clone())
        .purge_every(Some(Duration::from_millis(20)))
        .adapter(adapter)
        .build()
        .await
        .unwrap();
    let vault = Arc::clone(instance.vault());
    let subject = vault
        .subject_for(&Identity::new(Platform::Memory, "p"))
        .await
        .unwrap();
    vault
        .put(subject, "privacy-requests", "k", b"short-lived")
        .await
        .unwrap();
    vault
        .put(subject, "orders", "1", b"long-lived")
        .await
        .unwrap();
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(instance.run(shutdown.clone()));

    clock.advance(chrono::Duration::days(4));
    // Wait for a run that found the due record (the schedule, not a sleep, does the work).
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let log = vault.audit_entries(0, 1000).await.unwrap();
            if log
                .iter()
                .any(|e| e.event == AuditEvent::Purge { records: 1 })
            {
                return;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(
        found.is_ok(),
        "the scheduled purge ran and deleted the expired record"
    );
    assert!(
        vault.get(subject, "orders", "1").await.unwrap().is_some(),
        "the rest stays"
    );
    shutdown.cancel();
    task.await.unwrap().unwrap();
}
