//! A per-provider circuit breaker: closed → open after N consecutive failed completions →
//! half-open (one trial request) after the cooldown → closed on success, open again on failure.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
struct State {
    consecutive_failures: u32,
    opened_at: Option<Instant>,
    trial_in_flight: bool,
}

/// Breaker state of one provider; the lock is only held for a few field updates, never
/// across an `.await`.
#[derive(Debug)]
pub(crate) struct Breaker {
    threshold: u32,
    cooldown: Duration,
    state: Mutex<State>,
}

/// What the caller tells the breaker about a finished completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    Failure,
    /// Neither: the request itself was at fault, not the provider.
    Neutral,
}

impl Breaker {
    pub(crate) fn new(threshold: u32, cooldown: Duration) -> Self {
        Self {
            threshold: threshold.max(1),
            cooldown,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the counters inconsistent in a way that
        // matters, so a poisoned lock is used as it is.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A permit to call the provider now, or `None` while its circuit is open (or its
    /// half-open trial is already under way).
    pub(crate) fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut state = self.lock();
        let Some(opened_at) = state.opened_at else {
            return Some(Permit {
                breaker: self,
                trial: false,
                resolved: false,
            });
        };
        if opened_at.elapsed() < self.cooldown || state.trial_in_flight {
            return None;
        }
        state.trial_in_flight = true;
        Some(Permit {
            breaker: self,
            trial: true,
            resolved: false,
        })
    }

    fn record(&self, trial: bool, outcome: Outcome) {
        let mut state = self.lock();
        if trial {
            state.trial_in_flight = false;
        }
        match outcome {
            Outcome::Success => *state = State::default(),
            Outcome::Failure => {
                state.consecutive_failures = state.consecutive_failures.saturating_add(1);
                if trial || state.consecutive_failures >= self.threshold {
                    state.opened_at = Some(Instant::now());
                }
            }
            Outcome::Neutral => {}
        }
    }

    /// Whether the circuit is open now (for logs and tests).
    pub(crate) fn is_open(&self) -> bool {
        self.lock().opened_at.is_some()
    }

    /// The state as an operator sees it: open until the cooldown has passed, then
    /// half-open (the next request is the trial) until a trial succeeds.
    pub(crate) fn state(&self) -> CircuitState {
        let state = self.lock();
        match state.opened_at {
            None => CircuitState::Closed,
            Some(at) if at.elapsed() < self.cooldown && !state.trial_in_flight => {
                CircuitState::Open
            }
            Some(_) => CircuitState::HalfOpen,
        }
    }
}

/// A provider's circuit breaker state (the `maigie_llm_circuit_state` gauge: 0, 1, 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CircuitState {
    /// Requests go to the provider.
    Closed = 0,
    /// The cooldown has passed: the next request is a single trial.
    HalfOpen = 1,
    /// The provider is skipped until the cooldown has passed.
    Open = 2,
}

impl CircuitState {
    /// `closed`, `half_open` or `open`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::HalfOpen => "half_open",
            Self::Open => "open",
        }
    }
}

/// Leave to call a provider once; must be resolved with the outcome. A permit dropped
/// unresolved (the caller's future was cancelled) frees the half-open trial slot, so an
/// abandoned trial cannot keep the circuit shut for good.
pub(crate) struct Permit<'a> {
    breaker: &'a Breaker,
    trial: bool,
    resolved: bool,
}

impl Permit<'_> {
    /// Whether this is the half-open trial request.
    pub(crate) fn is_trial(&self) -> bool {
        self.trial
    }

    pub(crate) fn resolve(mut self, outcome: Outcome) {
        self.resolved = true;
        self.breaker.record(self.trial, outcome);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.resolved {
            self.breaker.record(self.trial, Outcome::Neutral);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_threshold_and_allows_one_trial_after_the_cooldown() {
        let b = Breaker::new(2, Duration::from_millis(30));
        b.try_acquire().expect("closed").resolve(Outcome::Failure);
        assert!(!b.is_open());
        b.try_acquire().expect("closed").resolve(Outcome::Failure);
        assert_eq!(b.state(), CircuitState::Open);
        assert!(b.try_acquire().is_none(), "open during the cooldown");
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(b.state(), CircuitState::HalfOpen);
        let trial = b.try_acquire().expect("half-open trial");
        assert!(trial.is_trial());
        assert!(b.try_acquire().is_none(), "one trial at a time");
        trial.resolve(Outcome::Failure);
        assert!(b.try_acquire().is_none(), "a failed trial reopens");
        std::thread::sleep(Duration::from_millis(40));
        b.try_acquire().expect("trial").resolve(Outcome::Success);
        assert!(!b.is_open());
        assert_eq!(b.state(), CircuitState::Closed);
    }

    #[test]
    fn success_resets_the_count_and_an_abandoned_trial_frees_its_slot() {
        let b = Breaker::new(2, Duration::ZERO);
        b.try_acquire().expect("closed").resolve(Outcome::Failure);
        b.try_acquire().expect("closed").resolve(Outcome::Success);
        b.try_acquire().expect("closed").resolve(Outcome::Failure);
        assert!(!b.is_open());
        b.try_acquire().expect("closed").resolve(Outcome::Failure);
        drop(b.try_acquire().expect("trial"));
        assert!(b.try_acquire().is_some(), "trial slot freed");
    }
}
