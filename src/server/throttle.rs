//! Failed sign-ins are limited per client address and user name, and per client address. A
//! lock on a name alone would let anyone lock a user out from anywhere; per (address, name) the
//! user signs in from their own device while the guesser waits, and the per-address limit stops
//! one place from trying many names. The address is the TCP peer: behind a reverse proxy every
//! client shares the proxy's, so there the proxy should do this instead.

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
    /// Seconds to wait before this address may try this name again, if it must wait.
    pub fn wait(&self, address: IpAddr, name: &str, now: Instant) -> Option<u64> {
        let failures = self.failures.lock().ok()?;
        let locked = |key: Key, limit: u32| {
            let (count, since) = failures.get(&key)?;
            let elapsed = now.saturating_duration_since(*since);
            (*count >= limit && elapsed < WINDOW).then(|| (WINDOW - elapsed).as_secs().max(1))
        };
        let by_name = locked(Key::Name(address, normalise(name)), PER_NAME);
        let by_address = locked(Key::Address(address), PER_ADDRESS);
        by_name.max(by_address)
    }

    pub fn failed(&self, address: IpAddr, name: &str, now: Instant) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        if failures.len() >= MAX_TRACKED {
            failures.retain(|_, (_, since)| now.saturating_duration_since(*since) < WINDOW);
        }
        for key in [Key::Name(address, normalise(name)), Key::Address(address)] {
            let entry = failures.entry(key).or_insert((0, now));
            if now.saturating_duration_since(entry.1) >= WINDOW {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    /// A right password clears that name's count from that address; the address keeps its own.
    pub fn succeeded(&self, address: IpAddr, name: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&Key::Name(address, normalise(name)));
        }
    }
}

fn normalise(name: &str) -> String {
    name.trim().to_lowercase()
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
            assert_eq!(t.wait(ip(1), "Manager", now), None);
            t.failed(ip(1), "manager ", now);
        }
        let wait = t.wait(ip(1), "manager", now).expect("the guesser waits");
        assert_eq!(wait, WINDOW.as_secs());
        assert_eq!(
            t.wait(ip(2), "manager", now),
            None,
            "the user elsewhere does not"
        );
        assert_eq!(
            t.wait(ip(1), "planner", now),
            None,
            "other names from there do not"
        );
        let later = now + WINDOW;
        assert_eq!(
            t.wait(ip(1), "manager", later),
            None,
            "the lock ends with the window"
        );
    }

    #[test]
    fn spraying_many_names_from_one_address_locks_the_address() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for n in 0..PER_ADDRESS {
            t.failed(ip(3), &format!("user{n}"), now);
        }
        assert!(t.wait(ip(3), "someone-new", now).is_some());
        assert_eq!(t.wait(ip(4), "someone-new", now), None);
    }

    #[test]
    fn a_right_password_clears_the_name_but_not_the_address() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..PER_NAME - 1 {
            t.failed(ip(5), "planner", now);
        }
        t.succeeded(ip(5), "planner");
        t.failed(ip(5), "planner", now);
        assert_eq!(
            t.wait(ip(5), "planner", now),
            None,
            "the count started again"
        );
        let failures = t.failures.lock().unwrap();
        assert_eq!(failures[&Key::Address(ip(5))].0, PER_NAME);
    }

    #[test]
    fn stale_keys_are_dropped_when_many_are_tracked() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for n in 0..MAX_TRACKED as u32 / 2 {
            t.failed(IpAddr::from(n.to_be_bytes()), "x", start);
        }
        let later = start + WINDOW;
        t.failed(ip(6), "x", later);
        assert!(t.failures.lock().unwrap().len() <= 3);
    }
}
