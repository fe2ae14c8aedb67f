//! Deadlines passing, records sent back, corrections.

use crate::helpers::*;
use serde_json::{Value, json};

#[test]
fn a_deadline_passing_twice_raises_the_escalation_level() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let (venue, team) = quiet_venues(&server, &manager, 1)[0];
    let id = violation(&server, &manager, venue, team, 99);
    let read = || {
        get(
            &server.url(&format!("/api/follow-ups/{id}")),
            Some(&manager),
        )
        .json()
    };
    assert_eq!(read()["deadline"], "2026-11-27");
    let sweep = |today: &str| {
        let out = patrolmap(
            data.path(),
            &["inspection", "escalate-overdue", "--today", today],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    };
    sweep("2026-11-27");
    assert_eq!(read()["level"], 0, "not late on its deadline day");
    sweep("2026-11-28");
    let f = read();
    assert_eq!(f["level"], 1, "{f}");
    assert_eq!(f["escalation_due"], "2026-12-01");
    assert!(f["escalated_to"].as_str().unwrap().contains("区禁毒办"));
    sweep("2026-11-28");
    assert_eq!(read()["level"], 1, "the same day again changes nothing");
    sweep("2026-12-01");
    assert_eq!(read()["level"], 1, "within the escalated unit's time limit");
    sweep("2026-12-02");
    let f = read();
    assert_eq!(f["level"], 2, "the time limit passed again: {f}");
    assert_eq!(history(&f), ["raise", "overdue", "overdue"]);
    assert_eq!(
        f["history"][1]["by"],
        Value::Null,
        "escalated by the system"
    );
    assert_eq!(
        f["deadline"], "2026-11-27",
        "still late against its agreed deadline"
    );
}

#[test]
fn a_record_sent_back_is_redone_and_a_correction_is_a_new_version() {
    let data = demo_copy();
    let server = start(data.path());
    let inspector = login(&server, "inspector1");
    let current = get(&server.url("/api/plans/current"), Some(&inspector)).json();
    let route = &current["routes"][0];
    let team = route["team_id"].as_i64().unwrap();
    let venue = route["stops"][0]["target"]["id"].as_i64().unwrap();
    let old = "5a1e0000-0000-4000-8000-00000000beef";
    let record = |uuid: &str, outcome: &str, corrects: Option<&str>| {
        let mut body = json!({
            "client_uuid": uuid, "venue_id": venue, "started_at": format!("{DEMO_DATE}T11:00"),
            "outcome": outcome, "notes": "照片模糊",
        });
        if let Some(c) = corrects {
            body["corrects"] = json!(c);
        }
        post_json(&server.url("/api/inspections"), Some(&inspector), &body)
    };
    let r = record(old, "violation", None);
    assert_eq!(r.status, 201, "{}", r.body);
    let raised = r.json()["follow_up"]["id"].as_i64().unwrap();

    // Sent back: a reason is required; the inspector may not review.
    let manager = login(&server, "manager");
    let review = |token: &str, body: Value| {
        post_json(
            &server.url(&format!("/api/inspections/{old}/review")),
            Some(token),
            &body,
        )
    };
    assert_eq!(review(&inspector, json!({"state": "approved"})).status, 403);
    let r = review(&manager, json!({"state": "rejected"}));
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (400, Some("reason"))
    );
    let r = review(
        &manager,
        json!({"state": "rejected", "reason": "照片看不清门牌，请复查"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["review"]["by"], "manager");

    // The next plan: the venue is a mandatory stop of the team, with the reason.
    let stops = plan_stops(data.path(), DEMO_DATE);
    let (_, mandatory, reason) = stops
        .iter()
        .find(|s| s.0 == venue)
        .expect("the venue is planned");
    assert!(mandatory);
    assert_eq!(reason["sent_back"]["reason"], "照片看不清门牌，请复查");
    assert_eq!(reason["sent_back"]["uuid"], old);
    let mine = get(&server.url("/api/plans/current"), Some(&inspector)).json();
    let stop = mine["routes"][0]["stops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["target"]["id"] == venue)
        .cloned()
        .expect("on inspector1's route");
    assert_eq!(mine["routes"][0]["team_id"], team);
    assert_eq!(
        stop["reason"]["sent_back"]["reason"],
        "照片看不清门牌，请复查"
    );

    // The inspector corrects it: a new version; what the old one raised is withdrawn.
    let new = "5a1e0000-0000-4000-8000-00000000cafe";
    let r = record(new, "compliant", Some(old));
    assert_eq!(r.status, 201, "{}", r.body);
    let f = get(
        &server.url(&format!("/api/follow-ups/{raised}")),
        Some(&manager),
    )
    .json();
    assert_eq!(
        (f["status"].as_str(), f["closed_how"].as_str()),
        (Some("cancelled"), Some("corrected"))
    );
    // The old version is kept, and is no longer the one to review or correct.
    let r = review(&manager, json!({"state": "approved"}));
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains(new), "{}", r.body);
    let r = record(
        "5a1e0000-0000-4000-8000-00000000f00d",
        "compliant",
        Some(old),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    let r = record(
        "5a1e0000-0000-4000-8000-00000000f00e",
        "compliant",
        Some("5a1e0000-0000-4000-8000-000000000404"),
    );
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (400, Some("corrects"))
    );
    let old_row = get(
        &server.url(&format!("/api/inspections/{old}")),
        Some(&manager),
    );
    assert_eq!(old_row.status, 200, "the old version is kept");
    // The correction redid nothing, but the record is no longer sent back: the stop is gone.
    let stops = plan_stops(data.path(), DEMO_DATE);
    assert!(
        stops.iter().all(|(_, _, r)| r["sent_back"].is_null()),
        "nothing sent back now"
    );
}
