//! Failed sign-ins are limited per client address and user name, and per client address. A
//! lock on a name alone would let anyone lock a user out from anywhere; per (address, name) the
//! user signs in from their own device while the guesser waits, and the per-address limit stops
//! one place from trying many names. The address is the TCP peer, or, behind a reverse proxy
//! named with `--trust-proxy`, the client address that proxy forwarded (see `origin`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong passwords for one name from one address before that pair waits out the window.
const PER_NAME: u32 = 5;
/// Wrong passwords from one address, over all names, before the address waits out the window.
const PER_ADDRESS: u32 = 30;
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Beyond this many tracked keys, stale ones are dropped, so spraying names cannot fill memory.
const MAX_TRACKED: usize = 50_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Name(IpAddr, String),
    Address(IpAddr),
}

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<Key, (u32, Instant)>>,
}

impl LoginThrottle {
    /// Counts a sign-in attempt before its password is checked, or says how many seconds this
    /// address must wait for this name. Counting first is what makes the limit hold under
    /// parallel guesses: of 40 sent at once for one name, only the first 5 are checked.
    pub fn reserve(&self, address: IpAddr, name: &str, now: Instant) -> Result<(), u64> {
        let Ok(mut failures) = self.failures.lock() else {
            return Err(WINDOW.as_secs());
        };
        if failures.len() >= MAX_TRACKED {
            failures.retain(|_, (_, since)| now.saturating_duration_since(*since) < WINDOW);
        }
        let keys = [
            (Key::Name(address, normalise(name)), PER_NAME),
            (Key::Address(address), PER_ADDRESS),
        ];
        let mut wait = None;
        for (key, limit) in &keys {
            if let Some((count, since)) = failures.get(key) {
                let elapsed = now.saturating_duration_since(*since);
                if *count >= *limit && elapsed < WINDOW {
                    wait = wait.max(Some((WINDOW - elapsed).as_secs().max(1)));
                }
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        for (key, _) in keys {
            let entry = failures.entry(key).or_insert((0, now));
            if now.saturating_duration_since(entry.1) >= WINDOW {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
        Ok(())
    }

    /// A right password: the attempt reserved for it is given back, and the name's count from
    /// this address starts again. A wrong one keeps its reservation, which is the failure.
    pub fn succeeded(&self, address: IpAddr, name: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&Key::Name(address, normalise(name)));
            if let Some(entry) = failures.get_mut(&Key::Address(address)) {
                entry.0 = entry.0.saturating_sub(1);
            }
        }
    }
}

/// The throttle keys a name as the accounts do, so `Admin` and `ａｄｍｉｎ` share one count.
fn normalise(name: &str) -> String {
    crate::model::normalise_username(name).unwrap_or_else(|_| name.trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn a_guesser_locks_its_own_address_and_not_the_user_elsewhere() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..PER_NAME {
            assert_eq!(t.reserve(ip(1), "manager ", now), Ok(()));
        }
        let wait = t
            .reserve(ip(1), "Manager", now)
            .expect_err("the guesser waits");
        assert_eq!(wait, WINDOW.as_secs());
        assert_eq!(
            t.reserve(ip(2), "manager", now),
            Ok(()),
            "the user elsewhere does not"
        );
        assert_eq!(
            t.reserve(ip(1), "planner", now),
            Ok(()),
            "other names from there do not"
        );
        let later = now + WINDOW;
        assert_eq!(
            t.reserve(ip(1), "manager", later),
            Ok(()),
            "the lock ends with the window"
        );
    }

    #[test]
    fn attempts_are_counted_before_they_are_checked() {
        // Forty reservations before any answer comes back: only five get through.
        let t = LoginThrottle::default();
        let now = Instant::now();
        let allowed = (0..40)
            .filter(|_| t.reserve(ip(9), "admin", now).is_ok())
            .count();
        assert_eq!(allowed, PER_NAME as usize);
    }

    #[test]
    fn spraying_many_names_from_one_address_locks_the_address() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for n in 0..PER_ADDRESS {
            assert!(t.reserve(ip(3), &format!("user{n}"), now).is_ok());
        }
        assert!(t.reserve(ip(3), "someone-new", now).is_err());
        assert_eq!(t.reserve(ip(4), "someone-new", now), Ok(()));
    }

    #[test]
    fn a_right_password_gives_its_attempt_back_and_clears_the_name() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..PER_NAME - 1 {
            t.reserve(ip(5), "planner", now).unwrap();
        }
        t.reserve(ip(5), "planner", now).unwrap();
        t.succeeded(ip(5), "planner");
        t.reserve(ip(5), "planner", now).unwrap();
        assert_eq!(
            t.reserve(ip(5), "planner", now),
            Ok(()),
            "the count started again"
        );
        let failures = t.failures.lock().unwrap();
        assert_eq!(failures[&Key::Address(ip(5))].0, PER_NAME + 1);
        assert_eq!(failures[&Key::Name(ip(5), "planner".into())].0, 2);
    }

    #[test]
    fn stale_keys_are_dropped_when_many_are_tracked() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for n in 0..MAX_TRACKED as u32 / 2 {
            let _ = t.reserve(IpAddr::from(n.to_be_bytes()), "x", start);
        }
        let later = start + WINDOW;
        let _ = t.reserve(ip(6), "x", later);
        assert!(t.failures.lock().unwrap().len() <= 3);
    }
}
