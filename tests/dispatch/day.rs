//! Through the day: publishing and what the phones see changed, stop events once, a team's
//! re-plan from stop five, off-plan inspections near and far.

use crate::common::server::*;
use crate::helpers::*;
use serde_json::{Value, json};

#[test]
fn publish_shows_the_teams_what_changed() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let base = published_base(&server, &manager);
    let old = base["revision"].clone();
    assert_eq!(base["published_revision"], old);
    let (a, b) = (
        team_of(&server, "inspector2"),
        team_of(&server, "inspector1"),
    );
    let (ia, ib) = (login(&server, "inspector2"), login(&server, "inspector1"));
    let current = |token: &str, seen: Option<&Value>| {
        let q = seen.map(|s| format!("?seen={s}")).unwrap_or_default();
        let r = get(&server.url(&format!("/api/plans/current{q}")), Some(token));
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    };
    assert_eq!(current(&ib, None)["current"]["revision"], old);

    // A stop of team 2 moved to team 1: a draft, which the teams do not see yet.
    let venue = venues_of(team_route(&base, a))[0];
    let (_, draft) = act_ok(
        &server,
        &manager,
        &json!({ "action": "move", "venue_id": venue, "team_id": b }),
    );
    let new = draft["revision"].clone();
    assert_ne!(new, old);
    assert_eq!(draft["published_revision"], old);
    for (token, team) in [(&ia, a), (&ib, b)] {
        let seen = plan(&server, token);
        assert_eq!(seen["revision"], old);
        assert_eq!(seen["status"], "published");
        assert_eq!(
            seen["routes"],
            json!([team_route(&base, team)]),
            "team {team} sees the old route only"
        );
        let c = current(token, Some(&old));
        assert_eq!(c["current"]["revision"], old);
        assert!(c["current"]["changes"].is_null(), "{}", c["current"]);
    }
    // An inspector may not publish.
    for token in [&ia, &ib] {
        let r = post_json(
            &url(&server, "/api/plans/{date}/publish"),
            Some(token),
            &json!({}),
        );
        assert_eq!(r.status, 403, "{}", r.body);
    }

    let published = publish(&server, &manager);
    assert_eq!(published["revision"], new);
    assert_eq!(published["published_revision"], new);
    assert!(
        published["published_at"].is_string(),
        "{}",
        published["published_at"]
    );
    assert!(
        published["published_by"].to_string().contains("manager"),
        "{}",
        published["published_by"]
    );
    assert!(
        audit(&server, &manager)
            .iter()
            .any(|e| e["entity"] == "patrol_plan" && e["username"] == "manager"),
        "publishing is audited"
    );
    let target = json!({ "kind": "venue", "id": venue });
    let c = current(&ib, Some(&old));
    assert_eq!(c["current"]["revision"], new);
    let changes = &c["current"]["changes"];
    assert_eq!(changes["since"], old, "{changes}");
    assert!(
        changes["added"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["target"] == target),
        "team {b} sees {target} added: {changes}"
    );
    assert!(venues_of(&c["routes"][0]).contains(&venue));
    let c = current(&ia, Some(&old));
    let changes = &c["current"]["changes"];
    assert!(
        changes["removed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["target"] == target),
        "team {a} sees {target} removed: {changes}"
    );
    assert!(changes["removed"][0]["name"].is_string(), "{changes}");
    assert!(!venues_of(&c["routes"][0]).contains(&venue));
    // Seen the newest: nothing to show.
    let c = current(&ib, Some(&new));
    assert!(c["current"]["changes"].is_null(), "{}", c["current"]);
    // Each stop the phone sees has its status.
    assert!(
        stops(&c["routes"][0])
            .iter()
            .all(|s| s["status"] == "pending")
    );
    // Publishing the published newest revision again changes nothing.
    let again = publish(&server, &manager);
    assert_eq!(again["revision"], new);
    assert_eq!(again["published_at"], published["published_at"]);
}

// ---------------------------------------------------------------------------------------------
// Stop events, re-plan from now, off-plan inspections.

#[test]
fn a_skip_arrives_once_and_shows_on_the_plan() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let base = published_base(&server, &manager);
    let t1 = team_of(&server, "inspector1");
    let inspector = login(&server, "inspector1");
    let (skipped, arrived) = {
        let v = venues_of(team_route(&base, t1));
        (v[0], v[1])
    };
    let app = get(&server.url("/api/app"), Some(&inspector)).json();
    assert_eq!(
        app["dispatch"]["skip_reasons"],
        json!(["closed", "no_access", "no_time", "unsafe", "other"])
    );
    assert_eq!(app["dispatch"]["off_plan_m"].as_f64(), Some(300.0));

    let stops_url = server.url("/api/stops");
    let uuid = "9b2e4c1a-0000-4000-8000-000000000001";
    let body = json!({
        "client_uuid": uuid, "date": DEMO_DATE, "venue_id": skipped, "status": "skipped",
        "reason": "closed", "note": "shutter down", "at": format!("{DEMO_DATE}T20:30"),
    });
    // Another team's inspector: not its plan.
    let other = login(&server, &inspector_not_of(&server, t1));
    let r = post_json(&stops_url, Some(&other), &body);
    assert_eq!(r.status, 403, "{}", r.body);

    let first = post_json(&stops_url, Some(&inspector), &body);
    assert_eq!(first.status, 201, "{}", first.body);
    let first = first.json();
    assert_eq!(first["created"], true);
    assert!(first["id"].is_i64(), "{first}");
    let again = post_json(&stops_url, Some(&inspector), &body);
    assert_eq!(again.status, 200, "the outbox's retry: {}", again.body);
    assert_eq!(again.json()["id"], first["id"]);
    assert_eq!(again.json()["created"], false);
    let mut changed = body.clone();
    changed["reason"] = json!("no_access");
    let r = post_json(&stops_url, Some(&inspector), &changed);
    assert_eq!(r.status, 409, "{}", r.body);
    let events: Vec<Value> = audit(&server, &manager)
        .into_iter()
        .filter(|e| e["entity"] == "stop_event")
        .collect();
    assert_eq!(events.len(), 1, "one record, one event: {events:?}");
    assert_eq!(events[0]["entity_id"], first["id"].to_string().as_str());
    assert_eq!(events[0]["username"], "inspector1");
    let conn = rusqlite::Connection::open(data.path().join("patrolmap.sqlite")).unwrap();
    let rows: i64 = conn
        .query_row(
            "SELECT count(*) FROM stop_events WHERE client_uuid = ?1",
            [uuid],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 1, "one stored stop event for {uuid}");
    drop(conn);

    let arrive = json!({
        "client_uuid": "9b2e4c1a-0000-4000-8000-000000000002", "date": DEMO_DATE,
        "venue_id": arrived, "status": "arrived", "at": format!("{DEMO_DATE}T20:40"),
    });
    let r = post_json(&stops_url, Some(&inspector), &arrive);
    assert_eq!(r.status, 201, "{}", r.body);

    for token in [&manager, &inspector] {
        let p = plan(&server, token);
        let r = team_route(&p, t1);
        let s = venue_stop(r, skipped).unwrap();
        assert_eq!(s["status"], "skipped", "{s}");
        assert_eq!(s["skip_reason"], "closed", "{s}");
        assert_eq!(s["note"], "shutter down", "{s}");
        assert_eq!(venue_stop(r, arrived).unwrap()["status"], "arrived");
        assert!(
            stops(r)
                .iter()
                .filter(|s| ![json!(skipped), json!(arrived)].contains(&s["target"]["id"]))
                .all(|s| s["status"] == "pending")
        );
    }

    // Bad stop events: 400 naming the field, nothing recorded.
    let uuid = "9b2e4c1a-0000-4000-8000-000000000003";
    let with = |key: &str, value: Value| {
        let mut b = json!({
            "client_uuid": uuid, "date": DEMO_DATE, "venue_id": skipped, "status": "skipped",
            "reason": "other", "note": "dog", "at": format!("{DEMO_DATE}T21:00"),
        });
        if value.is_null() {
            b.as_object_mut().unwrap().remove(key);
        } else {
            b[key] = value;
        }
        b
    };
    for (what, body, field) in [
        (
            "skipped without a reason",
            with("reason", Value::Null),
            "reason",
        ),
        (
            "an unknown reason",
            with("reason", json!("bored")),
            "reason",
        ),
        ("other without a note", with("note", Value::Null), "note"),
        ("an unknown status", with("status", json!("done")), "status"),
        ("a bad time", with("at", json!("tonight")), "at"),
        ("a bad uuid", with("client_uuid", json!("x")), "client_uuid"),
    ] {
        let r = post_json(&stops_url, Some(&inspector), &body);
        assert_eq!(r.status, 400, "{what}: {}", r.body);
        assert!(
            r.json()["field"]
                .as_str()
                .is_some_and(|f| f.starts_with(field)),
            "{what}: {}",
            r.body
        );
    }
    let events = audit(&server, &manager)
        .into_iter()
        .filter(|e| e["entity"] == "stop_event")
        .count();
    assert_eq!(events, 2, "the skip and the arrival, nothing else");
}

/// The demo's night team 1 (or the first team with six stops or more) has done its first five
/// stops and asks for the rest of its shift from stop 5 at the time it leaves it. The issue's
/// "stop 5 at 22:10" is the demo's real stop 5 and its real departure time (the demo's night
/// teams leave stop 5 around 20:10).
#[test]
fn replan_from_stop_five_keeps_the_done_stops_and_no_less_score() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let base = published_base(&server, &manager);
    let (user, team) = inspectors(&server)
        .into_iter()
        .find(|(_, t)| {
            route(&base, *t)
                .is_some_and(|r| venues_of(r).len() >= 6 && stops(r).len() == venues_of(r).len())
        })
        .expect("a team with six stops");
    let inspector = login(&server, &user);
    let old = team_route(&base, team).clone();
    let old_stops = stops(&old).clone();
    let shift = {
        let r = get(&server.url("/api/plans/current"), Some(&inspector));
        assert_eq!(r.status, 200, "{}", r.body);
        let c = r.json()["current"].clone();
        (
            plan_seconds(c["shift_start"].as_str().unwrap()),
            plan_seconds(c["shift_end"].as_str().unwrap()),
        )
    };

    // At stop 5 in the minute it leaves (`time` has minutes only; the minute, not the next one,
    // so that the old route's rest is still a feasible answer from there).
    let fifth = &old_stops[4];
    let at = position(fifth);
    let time = local_time(fifth["departure_s"].as_i64().unwrap());
    let time_s = plan_seconds(&time);
    let replan = url(
        &server,
        &format!("/api/plans/{{date}}/routes/{team}/replan"),
    );
    let body = json!({ "at": [at.0, at.1], "time": time });
    // Another team's inspector may not re-plan this team; a place off the globe is refused.
    let other = login(&server, &inspector_not_of(&server, team));
    let r = post_json(&replan, Some(&other), &body);
    assert_eq!(r.status, 403, "{}", r.body);
    let r = post_json(
        &replan,
        Some(&inspector),
        &json!({ "at": [at.0, 95.0], "time": time }),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.json()["field"]
            .as_str()
            .is_some_and(|f| f.starts_with("at")),
        "{}",
        r.body
    );

    // The first five stops done, each recorded at its planned time.
    for (i, s) in old_stops[..5].iter().enumerate() {
        let r = post_json(
            &server.url("/api/inspections"),
            Some(&inspector),
            &inspection(
                &format!("3c4d5e6f-0000-4000-8000-00000000000{i}"),
                s["target"]["id"].as_i64().unwrap(),
                &local_time(s["start_s"].as_i64().unwrap()),
                &local_time(s["departure_s"].as_i64().unwrap()),
            ),
        );
        assert_eq!(r.status, 201, "stop {}: {}", i + 1, r.body);
    }
    let r = post_json(&replan, Some(&inspector), &body);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = r.json();
    // The optimiser's independent check (`routing::optimiser::check`) ran on the re-planned
    // routes and found nothing wrong: windows, skills, pins and the shift all hold.
    assert_eq!(
        r["plan"]["summary"]["check_failures"],
        json!([]),
        "{}",
        r["plan"]["summary"]
    );
    let new = &r["route"];
    assert_eq!(new["team_id"], team);
    let new_stops = stops(new);
    assert!(new_stops.len() >= 5);
    for (i, (n, o)) in new_stops[..5].iter().zip(&old_stops[..5]).enumerate() {
        assert_eq!(n["target"], o["target"], "stop {} is kept", i + 1);
        assert_eq!(n["status"], "done", "stop {}: {n}", i + 1);
    }
    let rest = &new_stops[5..];
    assert!(!rest.is_empty(), "the rest of the shift has stops");
    let mut last = time_s;
    let mut targets = std::collections::HashSet::new();
    for s in new_stops {
        assert!(
            targets.insert(s["target"].to_string()),
            "{} twice",
            s["target"]
        );
    }
    for s in rest {
        let (a, b, d) = (
            s["arrival_s"].as_i64().unwrap(),
            s["start_s"].as_i64().unwrap(),
            s["departure_s"].as_i64().unwrap(),
        );
        assert!(
            last <= a && a <= b && b <= d,
            "stop {}: {last} {a} {b} {d}",
            s["seq"]
        );
        assert!(
            shift.0 <= b && d <= shift.1,
            "stop {} outside the shift {shift:?}: {s}",
            s["seq"]
        );
        assert_eq!(s["status"], "pending", "{s}");
        last = d;
    }
    let score = |s: &[Value]| s.iter().map(|s| s["score"].as_f64().unwrap()).sum::<f64>();
    let (new_score, old_score) = (score(rest), score(&old_stops[5..]));
    let show = |s: &[Value]| {
        s.iter()
            .map(|s| {
                format!(
                    "{}:{}@{}-{}",
                    s["target"]["id"], s["score"], s["start_s"], s["departure_s"]
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        new_score >= old_score - 1e-6,
        "at {time} ({time_s} s) from {at:?}, shift {shift:?}: the rest collects {new_score:.2}, the old route's rest {old_score:.2}\nold rest: {}\nnew rest: {}",
        show(&old_stops[5..]),
        show(rest)
    );
    // Mandatory stops stay mandatory.
    for o in old_stops[5..].iter().filter(|s| s["mandatory"] == true) {
        let n = rest.iter().find(|n| n["target"] == o["target"]);
        assert!(
            n.is_some_and(|n| n["mandatory"] == true),
            "mandatory {} is kept: {n:?}",
            o["target"]
        );
    }
    // The plan was published: the phone's re-plan is published at once.
    assert_eq!(r["plan"]["status"], "published", "{}", r["plan"]["status"]);
    assert_eq!(
        r["plan"]["made_by"]["how"], "replan",
        "{}",
        r["plan"]["made_by"]
    );
    assert_eq!(team_route(&r["plan"], team)["stops"], new["stops"]);
    let seen = plan(&server, &inspector);
    assert_eq!(seen["revision"], r["plan"]["revision"]);
    assert_eq!(team_route(&seen, team)["stops"], new["stops"]);
    // The inspector's answer holds its own route only; the other teams' routes (as the manager
    // sees them) are as they were.
    assert_eq!(r["plan"]["routes"].as_array().unwrap().len(), 1);
    let now = plan(&server, &manager);
    assert_eq!(now["revision"], r["plan"]["revision"]);
    assert_eq!(team_route(&now, team)["stops"], new["stops"]);
    for o in base["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["team_id"] != team)
    {
        let t = o["team_id"].as_i64().unwrap();
        assert_eq!(
            venues_of(team_route(&now, t)),
            venues_of(o),
            "team {t} is not re-planned"
        );
    }
}

#[test]
fn an_off_plan_inspection_near_the_route_is_accepted_and_a_far_one_refused() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let base = published_base(&server, &manager);
    let t1 = team_of(&server, "inspector1");
    let inspector = login(&server, "inspector1");
    let r = team_route(&base, t1);
    let path = r["path"].as_array().unwrap().clone();
    let on = venues_of(r);
    let mut off: Vec<(f64, i64, (f64, f64))> = venues(&server, &manager)
        .into_iter()
        .filter(|(id, _, status, _)| status == "active" && !on.contains(id))
        .map(|(id, _, _, at)| (metres_to_path(at, &path), id, at))
        .collect();
    off.sort_by(|a, b| a.0.total_cmp(&b.0));
    let near = *off
        .iter()
        .find(|v| v.0 < 150.0)
        .expect("a venue near the route");
    let far: Vec<_> = off.iter().rev().take(2).copied().collect();
    assert!(far[1].0 > 450.0, "venues far from the route: {far:?}");
    let depot = (
        path[0]["lon"].as_f64().unwrap(),
        path[0]["lat"].as_f64().unwrap(),
    );
    let record = |uuid: &str, venue: i64, gps: (f64, f64)| {
        let mut b = inspection(
            uuid,
            venue,
            &format!("{DEMO_DATE}T21:30"),
            &format!("{DEMO_DATE}T21:45"),
        );
        b["gps"] = json!({ "at": { "lon": gps.0, "lat": gps.1 }, "accuracy_m": 10.0 });
        post_json(&server.url("/api/inspections"), Some(&inspector), &b)
    };

    // Near the route (the fix at the depot, which is on the route).
    let r = record("6d7e8f90-0000-4000-8000-000000000001", near.1, depot);
    assert_eq!(
        r.status, 201,
        "venue {} is {:.0} m from the route: {}",
        near.1, near.0, r.body
    );
    assert_eq!(r.json()["off_plan"], true, "{}", r.body);
    // Far from the route, but where the inspector stands.
    let (_, by_fix, at) = far[1];
    let r = record("6d7e8f90-0000-4000-8000-000000000002", by_fix, at);
    assert_eq!(r.status, 201, "venue {by_fix} at the fix: {}", r.body);
    assert_eq!(r.json()["off_plan"], true, "{}", r.body);
    // Far from both.
    let (d, far_id, far_at) = far[0];
    let newest = |events: Vec<Value>| events[0]["id"].clone();
    let before = newest(audit(&server, &manager));
    let r = record("6d7e8f90-0000-4000-8000-000000000003", far_id, depot);
    assert_eq!(r.status, 403, "venue {far_id} is {d:.0} m away: {}", r.body);
    let message = r.json()["message"].as_str().unwrap().to_string();
    // The message names the venue, its distance and the limit.
    let tail =
        " m from your team's route and your position: an off-plan inspection must be within 300 m";
    assert!(
        message.starts_with(&format!("venue {far_id} is ")),
        "{message}"
    );
    let said: f64 = message
        .split_once(tail)
        .and_then(|(head, _)| head.rsplit(' ').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("no \"X{tail}\" in {message:?}"));
    let to_fix = metres(far_at, depot);
    assert!(
        said > 300.0 && said <= to_fix.max(d) + 10.0,
        "{message}: {d:.0} m from the path, {to_fix:.0} m from the fix"
    );
    assert_eq!(
        newest(audit(&server, &manager)),
        before,
        "a refusal is not audited"
    );
    let events: Vec<Value> = audit(&server, &manager)
        .into_iter()
        .filter(|e| e["action"] == "off_plan")
        .collect();
    assert_eq!(
        events.len(),
        2,
        "both off-plan records are audited as such: {events:?}"
    );
    assert!(events.iter().all(|e| e["username"] == "inspector1"));
}
