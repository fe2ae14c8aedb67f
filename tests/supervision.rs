//! Managers close the loop (issue 13): each follow-up action (extend, escalate, cancel, close
//! with evidence) with its audit event, its history, and its effect on coverage and on the next
//! plan; a deadline passing twice raises the escalation level; a record sent back becomes a
//! mandatory stop of its team with the reason, and a correction is a new version that withdraws
//! what the old one raised. The real server on 127.0.0.1 and the CLI over one demo store.

mod common;
use common::server::*;
use common::{patrolmap, stderr, stdout};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::Path;

const NOW: &str = "2026-11-20T12:00";

fn start(data: &Path) -> Server {
    Server::start(data, &["--now", NOW])
}

/// Venues on the demo day's routes with no open follow-up, with the team routed to them.
fn quiet_venues(server: &Server, token: &str, n: usize) -> Vec<(i64, i64)> {
    let plan = get(&server.url(&format!("/api/plans/{DEMO_DATE}")), Some(token)).json();
    let open = get(&server.url("/api/follow-ups?status=open"), Some(token)).json();
    let busy: HashSet<i64> = open["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["venue_id"].as_i64().unwrap())
        .collect();
    let mut out = Vec::new();
    for r in plan["routes"].as_array().unwrap() {
        for s in r["stops"].as_array().unwrap() {
            let id = s["target"]["id"].as_i64().unwrap();
            if s["target"]["kind"] == "venue" && !busy.contains(&id) && out.len() < n {
                out.push((id, r["team_id"].as_i64().unwrap()));
            }
        }
    }
    assert_eq!(out.len(), n, "the demo plan has {n} quiet venues");
    out
}

/// A violation recorded by the manager for `team` at `venue`; answers the follow-up's id.
fn violation(server: &Server, token: &str, venue: i64, team: i64, n: usize) -> i64 {
    let r = post_json(
        &server.url("/api/inspections"),
        Some(token),
        &json!({
            "client_uuid": format!("5a1e0000-0000-4000-8000-{n:012}"),
            "venue_id": venue,
            "team_id": team,
            "started_at": format!("{DEMO_DATE}T10:00"),
            "outcome": "violation",
            "notes": "消防通道堵塞",
        }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["follow_up"]["id"].as_i64().unwrap()
}

fn act(server: &Server, token: &str, id: i64, action: &str, body: Value) -> Reply {
    post_json(
        &server.url(&format!("/api/follow-ups/{id}/{action}")),
        Some(token),
        &body,
    )
}

fn history(f: &Value) -> Vec<&str> {
    f["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect()
}

fn cli_json(data: &Path, args: &[&str]) -> Value {
    let out = patrolmap(data, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn coverage(data: &Path) -> Value {
    cli_json(data, &["coverage", "--date", DEMO_DATE, "--json"])["total"].clone()
}

/// Every stop of a plan made by the CLI for `date`: (venue id, mandatory, its reason).
fn plan_stops(data: &Path, date: &str) -> Vec<(i64, bool, Value)> {
    let plan = cli_json(
        data,
        &[
            "plan",
            "--date",
            date,
            "--seconds",
            "1",
            "--publish",
            "--json",
        ],
    );
    plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["stops"].as_array().unwrap().clone())
        .filter(|s| s["target"]["kind"] == "venue")
        .map(|s| {
            (
                s["target"]["id"].as_i64().unwrap(),
                s["mandatory"].as_bool().unwrap(),
                s["reason"].clone(),
            )
        })
        .collect()
}

fn follow_ups_served(stops: &[(i64, bool, Value)]) -> HashSet<i64> {
    stops
        .iter()
        .filter(|(_, mandatory, _)| *mandatory)
        .flat_map(|(_, _, r)| r["follow_ups"].as_array().cloned().unwrap_or_default())
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn each_follow_up_action_is_audited_and_changes_coverage_and_the_next_plan() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let venues = quiet_venues(&server, &manager, 5);
    let ids: Vec<i64> = venues
        .iter()
        .enumerate()
        .map(|(n, (v, t))| violation(&server, &manager, *v, *t, n))
        .collect();
    let [extended, escalated, cancelled, closed, untouched] = ids[..] else {
        unreachable!()
    };
    let before = coverage(data.path());

    // Extend: the deadline moves by the days given, at most twice.
    let r = act(
        &server,
        &manager,
        extended,
        "extend",
        json!({"days": 5, "reason": "停业装修"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let f = r.json();
    assert_eq!(f["deadline"], "2026-12-02");
    assert_eq!(f["extensions"], 1);
    assert_eq!(history(&f), ["raise", "extend"]);
    assert_eq!(f["history"][1]["by"], "manager");
    assert_eq!(f["history"][1]["reason"], "停业装修");
    let r = act(
        &server,
        &manager,
        extended,
        "extend",
        json!({"days": 20, "reason": "x"}),
    );
    assert_eq!((r.status, r.json()["field"].as_str()), (400, Some("days")));
    let r = act(&server, &manager, extended, "extend", json!({"days": 1}));
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (400, Some("reason"))
    );
    assert_eq!(
        act(
            &server,
            &manager,
            extended,
            "extend",
            json!({"days": 1, "reason": "再延"})
        )
        .status,
        200
    );
    let r = act(
        &server,
        &manager,
        extended,
        "extend",
        json!({"days": 1, "reason": "三延"}),
    );
    assert_eq!(r.status, 409, "a third extension is refused: {}", r.body);
    assert!(r.body.contains("2 times"), "{}", r.body);
    let r = act(
        &server,
        &manager,
        extended,
        "extend",
        json!({"days": 1, "reason": "x"}),
    );
    assert_eq!(r.json()["field"], "days");

    // Escalate (督办) to a unit: level 1.
    let r = act(
        &server,
        &manager,
        escalated,
        "escalate",
        json!({"unit": "属地派出所", "reason": "拒不整改"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let f = r.json();
    assert_eq!(
        (f["level"].as_i64(), f["escalated_to"].as_str()),
        (Some(1), Some("属地派出所"))
    );
    assert_eq!(f["escalation_due"], "2026-11-23");

    // Cancel, raised in error: closed, and nothing more can be done to it.
    let r = act(
        &server,
        &manager,
        cancelled,
        "cancel",
        json!({"reason": "误报：场所已注销"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (r.json()["status"].as_str(), r.json()["closed_how"].as_str()),
        (Some("cancelled"), Some("cancelled"))
    );
    let r = act(
        &server,
        &manager,
        cancelled,
        "extend",
        json!({"days": 2, "reason": "x"}),
    );
    assert_eq!(r.status, 409, "{}", r.body);

    // Close with evidence: a note and a photo; without a photo it is refused.
    let r = act(
        &server,
        &manager,
        closed,
        "close",
        json!({"note": "已整改"}),
    );
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (400, Some("photos"))
    );
    let photo = jpeg_bytes(12_000);
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(900, 600, |x, y| {
        image::Rgb([(x % 200) as u8, (y % 200) as u8, 60])
    }))
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    let (ct, form) = multipart_named(
        "close",
        &json!({"note": "已整改，见照片"}),
        &[("image/jpeg", &photo), ("image/png", &png)],
    );
    let r = send(
        "POST",
        &server.url(&format!("/api/follow-ups/{closed}/close")),
        Some(&manager),
        &ct,
        &form,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let f = r.json();
    assert_eq!(
        (f["status"].as_str(), f["closed_how"].as_str()),
        (Some("done"), Some("evidence"))
    );
    assert_eq!(f["closed_on"], DEMO_DATE);
    assert_eq!(f["close_note"], "已整改，见照片");
    assert_eq!(
        f["evidence"][0]["sha256"],
        format!("{:x}", Sha256::digest(&photo))
    );
    assert!(data.path().join("photos").exists());
    // The evidence photo is read by those who may read the follow-up; it does not decode (the
    // test's bytes only begin like a JPEG), so its thumbnail is the photo as stored.
    let sha = f["evidence"][0]["sha256"].as_str().unwrap();
    let read = |path: &str, token: &str| {
        let mut r = agent()
            .get(&server.url(path))
            .header("Authorization", format!("Bearer {token}"))
            .call()
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_vec().unwrap())
    };
    assert_eq!(
        read(&format!("/api/photos/{sha}"), &manager),
        (200, photo.clone())
    );
    assert_eq!(
        read(&format!("/api/photos/{sha}/thumbnail"), &manager),
        (200, photo.clone())
    );
    // A photo that decodes has a small JPEG thumbnail.
    let sha = f["evidence"][1]["sha256"].as_str().unwrap();
    let (status, thumb) = read(&format!("/api/photos/{sha}/thumbnail"), &manager);
    assert_eq!(status, 200);
    let small = image::load_from_memory_with_format(&thumb, image::ImageFormat::Jpeg).unwrap();
    assert_eq!((small.width(), small.height()), (320, 213));

    // Only managers and admins act; a planner may read.
    let planner = login(&server, "planner");
    assert_eq!(
        act(
            &server,
            &planner,
            untouched,
            "cancel",
            json!({"reason": "x"})
        )
        .status,
        403
    );
    let inspector = login(&server, "inspector1");
    assert_eq!(
        act(
            &server,
            &inspector,
            untouched,
            "cancel",
            json!({"reason": "x"})
        )
        .status,
        403
    );
    assert_eq!(
        get(
            &server.url(&format!("/api/follow-ups/{untouched}")),
            Some(&planner)
        )
        .status,
        200
    );
    assert_eq!(
        act(&server, &manager, untouched, "reopen", json!({})).status,
        404
    );

    // Each action is in the audit trail, by the manager.
    let audit = get(&server.url("/api/audit?limit=500"), Some(&manager)).json();
    let seen: HashSet<(String, String)> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "follow_up" && e["username"] == "manager")
        .map(|e| {
            (
                e["entity_id"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (id, action) in [
        (extended, "extend"),
        (escalated, "escalate"),
        (cancelled, "cancel"),
        (closed, "close"),
    ] {
        assert!(
            seen.contains(&(id.to_string(), action.to_string())),
            "{action} of {id} audited"
        );
    }

    // Coverage: a cancelled and a closed follow-up are no longer open; the closed one counts
    // as dealt with on time, the escalated one as escalated.
    let after = coverage(data.path());
    let n = |v: &Value, k: &str| v[k].as_i64().unwrap();
    assert_eq!(
        n(&after, "open_follow_ups"),
        n(&before, "open_follow_ups") - 2
    );
    assert_eq!(
        n(&after, "closed_follow_ups"),
        n(&before, "closed_follow_ups") + 1
    );
    assert_eq!(n(&after, "closed_late"), n(&before, "closed_late"));
    assert_eq!(
        n(&after, "escalated_follow_ups"),
        n(&before, "escalated_follow_ups") + 1
    );

    // The next plan, a day before the deadlines: the untouched and the escalated follow-ups
    // are served as mandatory stops; the extended, cancelled and closed ones are not.
    let served = follow_ups_served(&plan_stops(data.path(), "2026-11-26"));
    assert!(served.contains(&untouched), "{served:?}");
    assert!(served.contains(&escalated), "{served:?}");
    for id in [extended, cancelled, closed] {
        assert!(
            !served.contains(&id),
            "follow-up {id} is not due: {served:?}"
        );
    }
}

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
