//! Dispatch in a real browser (issue 12, acceptance 3). `tests/web/dispatch.mjs` drives Debian's
//! headless Chromium against the real server over HTTPS, by the field name patrolmap.test (its
//! self-signed certificate; the name mapped to 127.0.0.1): a manager moves a stop from night
//! team 1 to night team 2 in the dispatcher view and publishes; team 2's inspector, on a phone,
//! is told its route changed and sees the new stop, skips a stop while offline and comes back
//! online, records an off-plan inspection of a venue near its route and is refused one far from
//! it. This test then asks the server, through its API and its store: the move is in the
//! published plan, the skip arrived exactly once, the near record is stored and the far one not.
//! Screenshots go to target/screenshots/dispatch-*.png.

mod common;

use common::server::{DEMO_DATE, DEMO_PASSWORD, Server, demo_copy, https_agent};
use serde_json::{Value, json};
use std::path::Path;

/// An HTTPS client that trusts exactly the server's own certificate (`DATA/tls`).
fn client(data: &Path) -> ureq::Agent {
    https_agent(&std::fs::read(data.join("tls").join("self-signed.crt")).unwrap())
}

struct Api {
    agent: ureq::Agent,
    /// `https://127.0.0.1:PORT`: the certificate names 127.0.0.1 too.
    base: String,
}

impl Api {
    fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let mut req = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        if !body.is_empty() {
            req = req.header("Content-Type", "application/json");
        }
        let mut r = self
            .agent
            .run(req.body(body.into_bytes()).unwrap())
            .expect("the server answers");
        let text = r.body_mut().read_to_string().unwrap_or_default();
        (
            r.status().as_u16(),
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    fn login(&self, user: &str) -> String {
        let (status, body) = self.call(
            "POST",
            "/api/login",
            None,
            Some(json!({ "username": user, "password": DEMO_PASSWORD })),
        );
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().unwrap().to_string()
    }
}

fn venue_ids(route: &Value) -> Vec<i64> {
    route["stops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["target"]["kind"] == "venue")
        .map(|s| s["target"]["id"].as_i64().unwrap())
        .collect()
}

fn route_of(plan: &Value, team: i64) -> &Value {
    plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["team_id"] == team)
        .unwrap_or_else(|| panic!("no route of team {team}"))
}

#[test]
fn dispatcher_moves_a_stop_and_the_inspector_follows_on_the_phone() {
    let data = demo_copy();
    let server = Server::start_https(
        data.path(),
        &[
            "--tls-self-signed",
            "--host",
            "patrolmap.test",
            "--host",
            "127.0.0.1",
        ],
    );
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let api = Api {
        agent: client(data.path()),
        base: format!("https://127.0.0.1:{port}"),
    };
    let shots = common::screenshots();
    let result =
        common::run_browser_script("dispatch.mjs", &[&server.base, &shots.to_string_lossy()]);

    let manager = api.login("manager");
    let (status, plan) = api.call(
        "GET",
        &format!("/api/plans/{DEMO_DATE}"),
        Some(&manager),
        None,
    );
    assert_eq!(status, 200, "{plan}");
    let moved = &result["moved"];
    let venue = moved["venue_id"].as_i64().unwrap();
    assert_eq!(
        plan["status"], "published",
        "the newest revision is the published one"
    );
    assert_eq!(plan["revision"], moved["revision"]);
    let to = route_of(&plan, moved["to"].as_i64().unwrap());
    assert!(
        venue_ids(to).contains(&venue),
        "venue {venue} is on team B's route"
    );
    assert!(
        !venue_ids(route_of(&plan, moved["from"].as_i64().unwrap())).contains(&venue),
        "and no longer on team A's"
    );
    let moves: Vec<&Value> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "move")
        .collect();
    assert_eq!(moves.len(), 1, "one move is active: {}", plan["actions"]);
    assert_eq!(
        (moves[0]["venue_id"].as_i64(), moves[0]["team_id"].clone()),
        (Some(venue), moved["to"].clone())
    );

    // The skip made offline: on the plan as skipped, with its reason, and in the audit trail once.
    let skipped = result["skip"]["venue_id"].as_i64().unwrap();
    let stop = to["stops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["target"]["id"] == skipped)
        .unwrap_or_else(|| panic!("venue {skipped} stays on team B's route: {to}"));
    assert_eq!(
        (stop["status"].as_str(), stop["skip_reason"].as_str()),
        (Some("skipped"), Some("closed")),
        "{stop}"
    );
    let (status, audit) = api.call("GET", "/api/audit?limit=500", Some(&manager), None);
    assert_eq!(status, 200, "{audit}");
    let events: Vec<&Value> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "stop_event")
        .collect();
    assert_eq!(events.len(), 1, "the skip arrived exactly once: {events:?}");

    // The inspector now sees the published revision with the moved stop.
    let inspector = api.login("inspector2");
    let (status, current) = api.call("GET", "/api/plans/current", Some(&inspector), None);
    assert_eq!(status, 200, "{current}");
    assert_eq!(current["current"]["revision"], moved["revision"]);
    assert!(venue_ids(route_of(&current, moved["to"].as_i64().unwrap())).contains(&venue));

    // Off-plan: the near record is stored once, marked; the far one is not stored at all.
    let db = rusqlite::Connection::open(data.path().join("patrolmap.sqlite")).unwrap();
    let records = |venue: i64| -> i64 {
        db.query_row(
            "SELECT COUNT(*) FROM inspections WHERE venue_id = ?1 AND sample = 0",
            [venue],
            |r| r.get(0),
        )
        .unwrap()
    };
    let (near, far) = (
        result["off_plan"]["near"].as_i64().unwrap(),
        result["off_plan"]["far"].as_i64().unwrap(),
    );
    assert_eq!(
        records(near),
        1,
        "the off-plan inspection of venue {near} is stored once"
    );
    assert_eq!(
        records(far),
        0,
        "the refused one of venue {far} left nothing"
    );
    let off_plan = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "off_plan")
        .count();
    assert_eq!(off_plan, 1, "the off-plan record is audited as such");

    for name in [
        "dispatch-desk-zh",
        "dispatch-busy-zh",
        "dispatch-error-zh",
        "dispatch-moved-zh",
        "dispatch-published-zh",
        "dispatch-published-en",
        "dispatch-phone-changed-zh",
        "dispatch-phone-skip-zh",
        "dispatch-phone-skip-offline-zh",
        "dispatch-phone-off-plan-offline-zh",
        "dispatch-phone-pick-me-zh",
        "dispatch-phone-pick-centre-zh",
        "dispatch-phone-off-plan-zh",
        "dispatch-phone-refused-zh",
        "dispatch-phone-en",
    ] {
        let shot = shots.join(format!("{name}.png"));
        assert!(shot.exists(), "{} was not saved", shot.display());
    }
}
