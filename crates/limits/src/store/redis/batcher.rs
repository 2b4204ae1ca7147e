//! Turns concurrent decisions into script calls.
//!
//! Decisions wait on a bounded queue. The batcher sends a batch when it is full
//! (`max_batch` decisions) or when no call is in flight, so at low load a decision goes out
//! at once (no timer, no added latency) and under load the decisions that arrive while a
//! call is in flight travel together in the next one. Full batches may overlap up to
//! `max_in_flight` calls; each call is one atomic script, so overlapping calls stay exact.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::pool::{Job, Pool};
use crate::health::Health;

/// Drains `queue` into script calls until the queue closes.
pub(super) async fn run(pool: Arc<Pool>, health: Arc<Health>, mut queue: mpsc::Receiver<Job>) {
    let max_batch = pool.settings.max_batch.max(1);
    let max_in_flight = pool.settings.max_in_flight.max(1);
    let (done, mut finished) = mpsc::unbounded_channel::<()>();
    let mut batch: Vec<Job> = Vec::with_capacity(max_batch);
    let mut in_flight = 0usize;
    let mut open = true;

    loop {
        while batch.len() < max_batch {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }

        let full = batch.len() == max_batch && in_flight < max_in_flight;
        let idle = !batch.is_empty() && in_flight == 0;
        if full || idle || (!open && !batch.is_empty()) {
            in_flight += 1;
            let jobs = std::mem::replace(&mut batch, Vec::with_capacity(max_batch));
            health.count_batch(jobs.len());
            let (pool, done) = (Arc::clone(&pool), done.clone());
            tokio::spawn(async move {
                pool.execute(jobs).await;
                let _ = done.send(());
            });
            continue;
        }
        if !open && in_flight == 0 {
            return;
        }

        tokio::select! {
            job = queue.recv(), if open && batch.len() < max_batch => match job {
                Some(job) => batch.push(job),
                None => open = false,
            },
            Some(()) = finished.recv(), if in_flight > 0 => in_flight -= 1,
        }
    }
}
