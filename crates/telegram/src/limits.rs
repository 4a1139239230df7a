//! Sending within Telegram's limits: about one message a second per chat,
//! twenty a minute per group, thirty a second overall.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// How fast the adapter sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Messages one chat may get in `chat_window`.
    pub per_chat: usize,
    /// The window of `per_chat`.
    pub chat_window: Duration,
    /// Messages one group may get in a minute.
    pub per_group_minute: usize,
    /// Messages per second over all chats.
    pub per_second: usize,
}

impl Default for Limits {
    /// Telegram's documented limits, with a burst of three in a chat: one
    /// message a second on average per chat, twenty a minute per group, thirty
    /// a second overall.
    fn default() -> Self {
        Self {
            per_chat: 3,
            chat_window: Duration::from_secs(3),
            per_group_minute: 20,
            per_second: 30,
        }
    }
}

impl Limits {
    /// No limits, for tests against a fake server.
    pub fn none() -> Self {
        Self {
            per_chat: usize::MAX,
            chat_window: Duration::ZERO,
            per_group_minute: usize::MAX,
            per_second: usize::MAX,
        }
    }
}

/// At most `max` events in any `window`: the log of the last `max` events.
#[derive(Default)]
struct Window {
    log: VecDeque<Instant>,
}

impl Window {
    /// The earliest time from `now` on at which one more event fits.
    fn next_free(&self, now: Instant, max: usize, window: Duration) -> Instant {
        if max == usize::MAX || self.log.len() < max {
            return now;
        }
        let oldest_counted = self.log[self.log.len() - max];
        (oldest_counted + window).max(now)
    }

    fn record(&mut self, at: Instant, max: usize) {
        if max == usize::MAX {
            return;
        }
        self.log.push_back(at);
        while self.log.len() > max {
            self.log.pop_front();
        }
    }
}

#[derive(Default)]
struct State {
    global: Window,
    chats: HashMap<i64, Window>,
    groups: HashMap<i64, Window>,
}

/// Hands out send times that keep to the limits; reservations are made under
/// one lock, so concurrent senders never exceed them together.
pub(crate) struct Limiter {
    limits: Limits,
    state: Mutex<State>,
}

impl Limiter {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            state: Mutex::new(State::default()),
        }
    }

    /// Waits until a message to `chat` may be sent, and counts it.
    pub(crate) async fn acquire(&self, chat: i64, group: bool) {
        let at = self.reserve(chat, group, Instant::now());
        tokio::time::sleep_until(at).await;
    }

    /// Reserves the earliest send time from `now` on.
    fn reserve(&self, chat: i64, group: bool, now: Instant) -> Instant {
        let l = self.limits;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let State {
            global,
            chats,
            groups,
        } = &mut *state;
        let minute = Duration::from_secs(60);
        let mut at = global.next_free(now, l.per_second, Duration::from_secs(1));
        let chat_window = chats.entry(chat).or_default();
        at = at.max(chat_window.next_free(now, l.per_chat, l.chat_window));
        if group {
            at = at.max(
                groups
                    .entry(chat)
                    .or_default()
                    .next_free(now, l.per_group_minute, minute),
            );
        }
        global.record(at, l.per_second);
        chat_window.record(at, l.per_chat);
        if group {
            groups
                .entry(chat)
                .or_default()
                .record(at, l.per_group_minute);
        }
        // Forget idle chats so that the maps do not grow without bound.
        if chats.len() > 10_000 {
            chats.retain(|_, w| w.log.back().is_some_and(|t| *t + l.chat_window > now));
            groups.retain(|_, w| w.log.back().is_some_and(|t| *t + minute > now));
        }
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(limiter: &Limiter, chat: i64, group: bool, n: usize, start: Instant) -> Vec<u64> {
        (0..n)
            .map(|_| {
                limiter
                    .reserve(chat, group, start)
                    .duration_since(start)
                    .as_millis() as u64
            })
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn one_chat_gets_a_burst_then_one_a_second() {
        let limiter = Limiter::new(Limits::default());
        let start = Instant::now();
        assert_eq!(
            offsets(&limiter, 42, false, 6, start),
            vec![0, 0, 0, 3000, 3000, 3000]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_group_gets_twenty_a_minute() {
        let limiter = Limiter::new(Limits {
            per_chat: usize::MAX,
            ..Limits::default()
        });
        let start = Instant::now();
        let times = offsets(&limiter, -100, true, 41, start);
        assert!(times[..20].iter().all(|t| *t == 0));
        assert!(times[20..40].iter().all(|t| *t == 60_000));
        assert_eq!(times[40], 120_000);
    }

    #[tokio::test(start_paused = true)]
    async fn all_chats_together_get_thirty_a_second() {
        let limiter = Limiter::new(Limits::default());
        let start = Instant::now();
        let times: Vec<u64> = (0..65)
            .map(|chat| {
                limiter
                    .reserve(chat, false, start)
                    .duration_since(start)
                    .as_millis() as u64
            })
            .collect();
        assert!(times[..30].iter().all(|t| *t == 0));
        assert!(times[30..60].iter().all(|t| *t == 1000));
        assert!(times[60..].iter().all(|t| *t == 2000));
    }

    #[tokio::test(start_paused = true)]
    async fn acquiring_waits_for_the_reserved_time() {
        let limiter = Limiter::new(Limits::default());
        let start = Instant::now();
        for _ in 0..4 {
            limiter.acquire(7, false).await;
        }
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }
}
