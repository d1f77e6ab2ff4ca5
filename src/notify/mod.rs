//! Delivery of the outbox: a worker claims due rows, renders each notice (plain text and
//! HTML, askama, in the subscriber's language; see `notice` for what each one says) with
//! fresh confirm/unsubscribe tokens, and sends it with lettre over a
//! pooled SMTP connection, a few at a time. Temporary failures are retried with
//! exponential backoff and jitter; permanent ones, or too many attempts, end FAILED
//! with the error kept. Delivery is at least once: a crash between the SMTP server's
//! "250 OK" and the row's update sends that one message again after the claim expires.

mod email;
mod notice;
pub mod webhook;
pub mod words;

use std::sync::Arc;

use chrono::Duration;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

pub use email::{Mailer, MailerSettings};

use crate::config::Site;
use crate::service::Services;
use crate::store::{outbox, subscribers};

/// Attempts before a notice is given up.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed row is reserved for the worker that claimed it, by default.
pub const LEASE_SECS: i64 = 120;
/// Sends in flight at once (and pooled SMTP connections). Each send mostly waits on the
/// network, so this bounds latency-bound throughput; it is also the most notices a crash
/// can send twice.
pub const CONCURRENCY: usize = 32;

/// The delay before attempt `attempts + 1`: 30 s doubling to at most an hour, ±20 %.
pub fn backoff(attempts: i64) -> Duration {
    let base = (30i64 << (attempts.clamp(1, 8) - 1) as u32).min(3600);
    let jitter = (rand::random::<f64>() - 0.5) * 0.4;
    Duration::milliseconds(((base as f64) * (1.0 + jitter) * 1000.0) as i64)
}

/// Runs until `shutdown`. Without a mailer, email notices keep waiting in the outbox
/// (nothing is lost; the dashboard says email is not configured) and webhooks still go.
/// `targets` says which webhook addresses may be reached.
pub async fn run(
    s: Services,
    site: Arc<Site>,
    mailer: Option<Mailer>,
    targets: webhook::Targets,
    shutdown: CancellationToken,
) {
    if mailer.is_none() {
        tracing::warn!("LULL_SMTP_URL is not set: email notices are queued in the outbox but not sent");
    }
    let lease = mailer.as_ref().map_or(LEASE_SECS, |m| m.lease_secs);
    let sender = Sender {
        http: webhook::client(webhook::http_client()),
        s,
        site,
        mailer,
        targets,
    };
    let s = &sender.s;
    let mut next_cleanup = s.now();
    loop {
        let now = s.now().timestamp();
        // Sign-ups never confirmed, once a minute: a write on every wake would queue
        // behind (and hold up) the API's writes.
        if s.now() >= next_cleanup
            && let Ok(mut conn) = s.store.conn().await
        {
            let _ = subscribers::delete_expired(&mut conn, s.now()).await;
            next_cleanup = s.now() + Duration::minutes(1);
        }
        let claimed = match s.store.begin().await {
            Ok(mut tx) => match outbox::claim(&mut tx, now, lease, CONCURRENCY as i64, sender.mailer.is_none()).await {
                Ok(rows) => tx.commit().await.map(|_| rows).unwrap_or_default(),
                Err(e) => {
                    tracing::error!(error = %e, "claiming notices failed");
                    Vec::new()
                }
            },
            Err(e) => {
                tracing::error!(error = %e, "claiming notices failed");
                Vec::new()
            }
        };
        let got = claimed.len();
        // Past this (real) instant the claim may have run out and another worker may send
        // the row again, so recording the delivery stops trying; sends must end well
        // before it (a recipient's sends share the claim one after another).
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(lease.max(1) as u64);
        let claim = Claim {
            until: now + lease,
            send_by: tokio::time::Instant::now() + std::time::Duration::from_secs((lease as u64 * 3 / 4).max(1)),
            deadline,
        };
        // One recipient's notices go one after another, in the order they were written,
        // so a webhook or an inbox is not told "resolved" before "opened".
        futures_util::stream::iter(by_recipient(claimed))
            .for_each_concurrent(CONCURRENCY, |rows| {
                let (sender, claim) = (&sender, &claim);
                async move {
                    for row in rows {
                        let span =
                            tracing::info_span!("deliver", notice = row.id, kind = %row.kind, attempt = row.attempts);
                        sender.deliver(row, claim).instrument(span).await;
                    }
                }
            })
            .await;
        if got == CONCURRENCY {
            continue;
        }
        let wake = match s.store.conn().await {
            Ok(mut conn) => outbox::next_due(&mut conn, sender.mailer.is_none())
                .await
                .ok()
                .flatten(),
            Err(_) => None,
        };
        let cap = s.now() + Duration::seconds(30);
        let wake = wake.map_or(cap, |w| w.clamp(s.now() + Duration::seconds(1), cap));
        tokio::select! {
            () = s.clock.sleep_until(wake) => {}
            () = s.outbox_changes.notified() => {}
            () = shutdown.cancelled() => return,
        }
    }
}

/// Groups claimed rows by who receives them, keeping the claim's order (by id) within
/// each group and the order in which recipients first appear.
fn by_recipient(rows: Vec<outbox::OutboxRow>) -> Vec<Vec<outbox::OutboxRow>> {
    let mut groups: Vec<Vec<outbox::OutboxRow>> = Vec::new();
    let mut index: std::collections::HashMap<_, usize> = std::collections::HashMap::new();
    for row in rows {
        let key = (row.webhook_id, row.subscriber_id, row.admin_id, row.email.clone());
        match index.get(&key) {
            Some(&i) => groups[i].push(row),
            None => {
                index.insert(key, groups.len());
                groups.push(vec![row]);
            }
        }
    }
    groups
}

/// What a delivery needs, for the life of the worker.
struct Sender {
    s: Services,
    site: Arc<Site>,
    mailer: Option<Mailer>,
    http: reqwest::Client,
    targets: webhook::Targets,
}

/// The claim on a batch of rows: until when (database clock) it holds, by when (real
/// clock) sends must end and by when their outcomes must be recorded.
struct Claim {
    until: i64,
    send_by: tokio::time::Instant,
    deadline: tokio::time::Instant,
}

impl Sender {
    /// Sends one claimed row and records how it went.
    async fn deliver(&self, row: outbox::OutboxRow, claim: &Claim) {
        let s = &self.s;
        let send = async {
            match (row.webhook_id, &self.mailer) {
                (Some(_), _) => webhook::deliver(s, &self.site, &self.http, self.targets, &row).await,
                (None, Some(mailer)) => email::deliver(s, &self.site, mailer, &row).await,
                (None, None) => Err(email::DeliveryError::temporary("email is not configured")),
            }
        };
        // A send must end well inside the claim, or another worker could take the row
        // over and send it again.
        let result = tokio::time::timeout_at(claim.send_by, send)
            .await
            .unwrap_or_else(|_| Err(email::DeliveryError::temporary("the send took too long")));
        let outcome = match result {
            Ok(()) => Outcome::Sent,
            Err(e) if e.moot => Outcome::Skipped(e.message),
            Err(e) => {
                let retry = (!e.permanent && row.attempts < MAX_ATTEMPTS)
                    .then(|| (s.now() + backoff(row.attempts)).timestamp());
                tracing::warn!(id = row.id, kind = %row.kind, attempts = row.attempts, retry = retry.is_some(), error = %e.message, "notice not delivered");
                Outcome::Failed(e.message, retry)
            }
        };
        record(s, row.id, claim.until, claim.deadline, &outcome).await;
    }
}

/// How a delivery attempt ended, to be written to its outbox row.
enum Outcome {
    Sent,
    /// Overtaken by events (moot): kept as SKIPPED with why.
    Skipped(String),
    /// The error, and when to try again (`None`: given up).
    Failed(String, Option<i64>),
}

/// Writes `outcome` to the row, retrying while the database is unavailable (locked by
/// another writer, no pooled connection free) until the claim would run out: a delivery
/// that is not recorded is sent again once the claim expires, so giving up early turns
/// a passing lock into duplicate mail.
async fn record(s: &Services, id: i64, claimed_until: i64, deadline: tokio::time::Instant, outcome: &Outcome) {
    let mut wait = std::time::Duration::from_millis(100);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let written = match s.store.conn().await {
            Ok(mut conn) => match outcome {
                Outcome::Sent => outbox::mark_sent(&mut conn, id, claimed_until, s.now().timestamp()).await,
                Outcome::Skipped(why) => outbox::mark_skipped(&mut conn, id, claimed_until, why).await,
                Outcome::Failed(error, retry) => outbox::mark_failed(&mut conn, id, claimed_until, error, *retry).await,
            },
            Err(e) => Err(e),
        };
        match written {
            Ok(()) => {
                if attempts > 1 {
                    tracing::info!(id, attempts, "delivery recorded after the database came back");
                }
                return;
            }
            Err(e) if crate::store::is_unavailable(&e) && tokio::time::Instant::now() + wait < deadline => {
                if attempts == 1 {
                    tracing::warn!(error = %e, id, "recording a delivery: database unavailable, retrying");
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(5));
            }
            Err(e) => {
                tracing::error!(error = %e, id, attempts, "recording a delivery failed; it may be sent again when its claim expires");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::notice::NoticeKind;
    use crate::store::outbox::OutboxRow;

    fn row(id: i64, webhook_id: Option<i64>, subscriber_id: Option<i64>) -> OutboxRow {
        OutboxRow {
            id,
            kind: NoticeKind::Started,
            subscriber_id,
            email: subscriber_id.map(|n| format!("s{n}@example.com")),
            language: None,
            webhook_id,
            admin_id: None,
            event_id: Some(1),
            maintenance_id: None,
            incident_id: None,
            monitor_id: None,
            detail: String::new(),
            attempts: 1,
        }
    }

    #[test]
    fn a_recipients_notices_stay_in_order_in_one_group() {
        let rows = vec![
            row(1, Some(7), None),
            row(2, None, Some(3)),
            row(3, Some(7), None),
            row(4, Some(8), None),
            row(5, None, Some(3)),
        ];
        let ids: Vec<Vec<i64>> = super::by_recipient(rows)
            .iter()
            .map(|g| g.iter().map(|r| r.id).collect())
            .collect();
        assert_eq!(ids, [vec![1, 3], vec![2, 5], vec![4]]);
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_an_hour() {
        for (attempts, base) in [(1, 30.0), (2, 60.0), (3, 120.0), (8, 3600.0)] {
            let d = super::backoff(attempts).num_milliseconds() as f64 / 1000.0;
            assert!(d >= base * 0.8 && d <= base * 1.2, "attempt {attempts}: {d}s");
        }
    }
}
