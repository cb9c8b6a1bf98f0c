//! The background sync's rhythm, apart from any window: how long the relay
//! is long-polled, how long to pause between turns, and how failures back
//! off. The app's loop does the turns (open the books, make what recurring
//! schedules owe, sync, tell the window) and asks a [`Scheduler`] what to
//! wait; the waits are plain durations, so the rhythm is tested by driving
//! turns, without a clock or a window.
//!
//! The rules:
//! - with a relay, each turn long-polls it ([`Rhythm::relay_wait_secs`]) and
//!   the next turn starts at once: the relay's answer is the wait;
//! - "Sync now" during a long-poll starts a turn at once, without waiting
//!   on the relay (the user wants an answer now);
//! - with Stripe alone, Stripe's events are listed every
//!   [`Rhythm::stripe_every`];
//! - nothing configured: look again every [`Rhythm::idle_every`] (or when
//!   woken: the user just set something up);
//! - a failure (the network, a keychain that cannot be read) waits
//!   [`Rhythm::backoff_first`], doubling up to [`Rhythm::backoff_max`]; a
//!   turn that works starts over from the first.

use std::time::Duration;

/// The waits, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rhythm {
    pub relay_wait_secs: u32,
    pub stripe_every: Duration,
    pub idle_every: Duration,
    pub backoff_first: Duration,
    pub backoff_max: Duration,
}

impl Default for Rhythm {
    fn default() -> Rhythm {
        Rhythm {
            relay_wait_secs: 25,
            stripe_every: Duration::from_secs(30),
            idle_every: Duration::from_secs(15),
            backoff_first: Duration::from_secs(5),
            backoff_max: Duration::from_secs(300),
        }
    }
}

/// How a turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Neither a relay nor Stripe is set.
    NotConfigured,
    /// "Sync now" cut the long-poll short.
    Woken,
    /// The sync ran; `relay` says whether a relay was asked.
    Synced { relay: bool },
    /// The configuration could not be read, or the sync failed.
    Failed,
}

/// The state between turns.
#[derive(Debug, Clone)]
pub struct Scheduler {
    rhythm: Rhythm,
    backoff: Duration,
    now: bool,
}

impl Scheduler {
    pub fn new(rhythm: Rhythm) -> Scheduler {
        Scheduler {
            rhythm,
            backoff: rhythm.backoff_first,
            now: false,
        }
    }

    pub fn rhythm(&self) -> Rhythm {
        self.rhythm
    }

    /// The long-poll to ask of the relay this turn (0: answer at once).
    pub fn relay_wait_secs(&self, relay: bool) -> u32 {
        if relay && !self.now {
            self.rhythm.relay_wait_secs
        } else {
            0
        }
    }

    /// Records how a turn ended; returns the pause before the next one
    /// (`None`: the next turn starts at once). A pause ends early when the
    /// user asks to sync.
    pub fn after(&mut self, turn: Turn) -> Option<Duration> {
        self.now = false;
        match turn {
            Turn::NotConfigured => Some(self.rhythm.idle_every),
            Turn::Woken => {
                self.now = true;
                None
            }
            Turn::Synced { relay } => {
                self.backoff = self.rhythm.backoff_first;
                (!relay).then_some(self.rhythm.stripe_every)
            }
            Turn::Failed => {
                let pause = self.backoff;
                self.backoff = (self.backoff * 2).min(self.rhythm.backoff_max);
                Some(pause)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Option<Duration> {
        Some(Duration::from_secs(n))
    }

    #[test]
    fn failures_back_off_doubling_to_five_minutes_and_a_success_starts_over() {
        let mut s = Scheduler::new(Rhythm::default());
        let pauses: Vec<_> = (0..9).map(|_| s.after(Turn::Failed)).collect();
        assert_eq!(
            pauses,
            [
                secs(5),
                secs(10),
                secs(20),
                secs(40),
                secs(80),
                secs(160),
                secs(300),
                secs(300),
                secs(300)
            ]
        );
        assert_eq!(s.after(Turn::Synced { relay: true }), None);
        assert_eq!(s.after(Turn::Failed), secs(5));
    }

    #[test]
    fn the_relay_is_long_polled_and_sync_now_cuts_it_short_once() {
        let mut s = Scheduler::new(Rhythm::default());
        assert_eq!(s.relay_wait_secs(true), 25);
        assert_eq!(s.relay_wait_secs(false), 0);
        // "Sync now" during the long-poll: the next turn asks at once…
        assert_eq!(s.after(Turn::Woken), None);
        assert_eq!(s.relay_wait_secs(true), 0);
        // … and the one after long-polls again.
        assert_eq!(s.after(Turn::Synced { relay: true }), None);
        assert_eq!(s.relay_wait_secs(true), 25);
    }

    #[test]
    fn stripe_alone_is_listed_every_thirty_seconds_and_nothing_set_is_looked_at_again() {
        let mut s = Scheduler::new(Rhythm::default());
        assert_eq!(s.after(Turn::Synced { relay: false }), secs(30));
        assert_eq!(s.after(Turn::NotConfigured), secs(15));
        // Not configured is no failure: no backoff builds up.
        assert_eq!(s.after(Turn::NotConfigured), secs(15));
        assert_eq!(s.after(Turn::Failed), secs(5));
    }
}
