//! 200 clients send inspections at once, each retrying at random; the server is killed with
//! SIGKILL in the middle and restarted; the clients retry until every record is acknowledged.
//! Every acknowledged inspection is then in the store exactly once.

mod common;
use common::server::*;
use patrolmap::store::Store;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

const CLIENTS: usize = 200;
const PER_CLIENT: usize = 3;

/// A small deterministic generator per client: the retries are random but repeatable.
struct Dice(u64);
impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn every_acknowledged_inspection_survives_sigkill_exactly_once() {
    let data = demo_copy();
    let mut server = Server::start(data.path(), &[]);
    let token = login(&server, "manager");
    let venues: Vec<i64> =
        get(&server.url("/api/layers/venues?limit=300"), Some(&token)).json()["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["id"].as_str()?.parse().ok())
            .collect();
    let before = Store::open(data.path())
        .unwrap()
        .inspection_count(false)
        .unwrap();
    let base = Arc::new(RwLock::new(server.base.clone()));
    let acked = Arc::new(Mutex::new(HashMap::<String, i64>::new()));
    let acks = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));

    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (base, acked, acks, failures, token) = (
                base.clone(),
                acked.clone(),
                acks.clone(),
                failures.clone(),
                token.clone(),
            );
            let venue = venues[c % venues.len()];
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(20)))
                    .build()
                    .into();
                let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ ((c as u64 + 1) * 0x1000_0000_01B3));
                for k in 0..PER_CLIENT {
                    let uuid = format!("c0ffee00-{c:04x}-4000-8000-{k:012x}");
                    let body = json!({
                        "client_uuid": uuid,
                        "venue_id": venue,
                        "started_at": format!("{DEMO_DATE}T2{}:{:02}", k % 4, c % 60),
                        "outcome": "compliant",
                        "notes": format!("client {c} record {k}"),
                    })
                    .to_string();
                    loop {
                        std::thread::sleep(Duration::from_millis(dice.roll(40)));
                        let url = format!("{}/api/inspections", base.read().unwrap());
                        let sent = agent
                            .post(&url)
                            .header("Authorization", format!("Bearer {token}"))
                            .header("Content-Type", "application/json")
                            .send(body.as_bytes());
                        match sent {
                            Ok(mut r) if r.status() == 200 || r.status() == 201 => {
                                let v: serde_json::Value =
                                    serde_json::from_str(&r.body_mut().read_to_string().unwrap())
                                        .unwrap();
                                let id = v["inspection_id"].as_i64().unwrap();
                                let mut a = acked.lock().unwrap();
                                if let Some(earlier) = a.insert(uuid.clone(), id) {
                                    assert_eq!(earlier, id, "{uuid} acknowledged as two records");
                                }
                                drop(a);
                                acks.fetch_add(1, Ordering::SeqCst);
                                // Now and then the ack is "lost": send the same record again.
                                if dice.roll(3) == 0 {
                                    continue;
                                }
                                break;
                            }
                            Ok(r) => panic!("{uuid}: unexpected status {}", r.status()),
                            Err(_) => {
                                failures.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                    }
                }
            })
        })
        .collect();

    // Kill the server once a third of the records are in, and start it again on the same port.
    while acks.load(Ordering::SeqCst) < CLIENTS * PER_CLIENT / 3 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let port = server.base.rsplit(':').next().unwrap().to_string();
    server.kill();
    let acked_at_kill = acks.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(300));
    let restarted = Server::start(data.path(), &["--listen", &format!("127.0.0.1:{port}")]);
    *base.write().unwrap() = restarted.base.clone();
    for c in clients {
        c.join().expect("a client failed");
    }
    assert!(
        acked_at_kill < CLIENTS * PER_CLIENT,
        "the kill came in the middle"
    );
    assert!(
        failures.load(Ordering::SeqCst) > 0,
        "some requests met the dead server"
    );

    let acked = acked.lock().unwrap();
    assert_eq!(acked.len(), CLIENTS * PER_CLIENT);
    let store = Store::open(data.path()).unwrap();
    assert_eq!(
        store.inspection_count(false).unwrap() - before,
        (CLIENTS * PER_CLIENT) as i64,
        "every record once: none lost, none twice"
    );
    let ids: HashSet<i64> = acked.values().copied().collect();
    assert_eq!(
        ids.len(),
        acked.len(),
        "two UUIDs acknowledged as one record"
    );
    drop(restarted);
}
