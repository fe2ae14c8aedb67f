//! Each dispatcher action: its effect in the re-optimised draft, its audit event, its refusal to
//! inspectors; bad input named by field.

use crate::common::server::*;
use crate::helpers::*;
use serde_json::{Value, json};

#[test]
fn pin_to_a_team_and_to_the_day() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let base = published_base(&server, &manager);
    let t1 = team_of(&server, "inspector1");
    // Entertainment needs police; the night teams have them and the venues are open at night.
    let mut left = not_selected(&server, &manager, &base, &["entertainment"]);
    for v in not_selected(&server, &manager, &base, &[]) {
        if !left.contains(&v) {
            left.push(v);
        }
    }
    assert!(left.len() >= 2, "the demo leaves venues out: {left:?}");
    let (to_team, to_day) = (left[0], left[1]);

    let body = json!({ "action": "pin", "venue_id": to_team, "team_id": t1 });
    refused_to_inspectors(&server, &manager, &body);
    let (pin, draft) = act_ok(&server, &manager, &body);
    let stop = venue_stop(team_route(&draft, t1), to_team)
        .unwrap_or_else(|| panic!("venue {to_team} pinned to team {t1} is not on its route"));
    assert_eq!(stop["mandatory"], true, "{stop}");
    assert_eq!(
        teams_with(&draft, to_team),
        vec![t1],
        "on that team's route only"
    );
    assert!(left_out(&draft, to_team).is_none());
    assert_eq!(draft["summary"]["mandatory_unserved"], 0);
    assert_audited(&server, &manager, &pin);

    let body = json!({ "action": "pin", "venue_id": to_day });
    refused_to_inspectors(&server, &manager, &body);
    let (pin, draft) = act_ok(&server, &manager, &body);
    let on = teams_with(&draft, to_day);
    assert_eq!(
        on.len(),
        1,
        "venue {to_day} pinned to the day is on one route: {on:?}"
    );
    let stop = venue_stop(team_route(&draft, on[0]), to_day).unwrap();
    assert_eq!(stop["mandatory"], true, "{stop}");
    assert!(left_out(&draft, to_day).is_none());
    // The first pin still holds: actions stack.
    assert_eq!(teams_with(&draft, to_team), vec![t1]);
    assert_eq!(draft["actions"].as_array().unwrap().len(), 2);
    assert_audited(&server, &manager, &pin);

    // The draft is the manager's; the teams still see the published revision.
    let inspector = login(&server, "inspector1");
    let seen = plan(&server, &inspector);
    assert_eq!(seen["revision"], base["revision"]);
    assert_eq!(seen["status"], "published");
    assert!(
        seen.get("actions").is_none_or(|a| a.is_null()),
        "actions are managers' only"
    );
    assert!(!venues_of(team_route(&seen, t1)).contains(&to_team));
}

#[test]
fn exclude_leaves_the_venue_out_with_the_reason() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let base = published_base(&server, &manager);
    let t1 = team_of(&server, "inspector1");
    let venue = venues_of(team_route(&base, t1))[0];

    let body = json!({ "action": "exclude", "venue_id": venue, "reason": "owner away" });
    refused_to_inspectors(&server, &manager, &body);
    let (action, draft) = act_ok(&server, &manager, &body);
    assert_eq!(teams_with(&draft, venue), Vec::<i64>::new(), "on no route");
    let l = left_out(&draft, venue).unwrap_or_else(|| panic!("venue {venue} not left out"));
    assert_eq!(l["reason"], "excluded", "{l}");
    assert_eq!(l["detail"], "owner away", "{l}");
    assert_audited(&server, &manager, &action);
}

#[test]
fn move_puts_the_stop_on_the_other_team() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let base = published_base(&server, &manager);
    // From night team 1 to night team 2, which has every unit team 1 has.
    let (a, b) = (
        team_of(&server, "inspector1"),
        team_of(&server, "inspector2"),
    );
    let venue = venues_of(team_route(&base, a))[1];

    let body = json!({ "action": "move", "venue_id": venue, "team_id": b });
    refused_to_inspectors(&server, &manager, &body);
    let (action, draft) = act_ok(&server, &manager, &body);
    assert_eq!(teams_with(&draft, venue), vec![b], "moved to team {b}");
    assert!(!venues_of(team_route(&draft, a)).contains(&venue));
    assert_eq!(
        venue_stop(team_route(&draft, b), venue).unwrap()["mandatory"],
        true
    );
    assert_audited(&server, &manager, &action);
}

#[test]
fn an_absent_team_has_no_route() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let base = published_base(&server, &manager);
    let t3 = team_of(&server, "inspector3");
    assert!(route(&base, t3).is_some_and(|r| !stops(r).is_empty()));
    let had = venues_of(team_route(&base, t3));

    let body = json!({ "action": "absent", "team_id": t3, "reason": "police member ill" });
    refused_to_inspectors(&server, &manager, &body);
    let (action, draft) = act_ok(&server, &manager, &body);
    assert!(
        route(&draft, t3).is_none_or(|r| stops(r).is_empty()),
        "team {t3} is absent: {:?}",
        route(&draft, t3).map(venues_of)
    );
    let absent = draft["absent_teams"].as_array().unwrap();
    assert_eq!(absent.len(), 1, "{absent:?}");
    assert_eq!(absent[0]["team_id"], t3);
    assert_eq!(absent[0]["reason"], "police member ill");
    assert!(absent[0]["team"].is_string());
    // Its venues went to another team or were left out, none lost.
    for v in had {
        assert!(
            !teams_with(&draft, v).is_empty() || left_out(&draft, v).is_some(),
            "venue {v} of the absent team is neither routed nor left out"
        );
    }
    assert_audited(&server, &manager, &action);
}

#[test]
fn a_team_change_moves_its_shift_start_and_units() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let base = published_base(&server, &manager);
    let (t2, t3, t4) = (
        team_of(&server, "inspector2"),
        team_of(&server, "inspector3"),
        team_of(&server, "inspector4"),
    );
    // Day team 1 works 10:00–14:00 today and starts from day team 2's depot.
    let start_at = {
        let p = &team_route(&base, t4)["path"][0];
        (p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap())
    };
    let old_start = {
        let p = &team_route(&base, t3)["path"][0];
        (p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap())
    };
    assert!(metres(start_at, old_start) > 300.0, "the depots are apart");
    let body = json!({
        "action": "team", "team_id": t3, "shift": "10:00-14:00",
        "start": [start_at.0, start_at.1]
    });
    refused_to_inspectors(&server, &manager, &body);
    let (action, draft) = act_ok(&server, &manager, &body);
    let r = team_route(&draft, t3);
    assert!(
        r["start_s"].as_i64().unwrap() >= 10 * 3600,
        "{}",
        r["start_s"]
    );
    assert!(r["end_s"].as_i64().unwrap() <= 14 * 3600, "{}", r["end_s"]);
    assert!(!stops(r).is_empty());
    for s in stops(r) {
        assert!(s["start_s"].as_i64().unwrap() >= 10 * 3600, "{s}");
        assert!(s["departure_s"].as_i64().unwrap() <= 14 * 3600, "{s}");
    }
    let first = &r["path"][0];
    let first = (
        first["lon"].as_f64().unwrap(),
        first["lat"].as_f64().unwrap(),
    );
    assert!(
        metres(first, start_at) < 150.0,
        "the route starts from the new start: {first:?} vs {start_at:?}"
    );
    assert_audited(&server, &manager, &action);

    // Night team 2 without its police member: no entertainment venue (police required).
    let kind = venue_kinds(&server, &manager);
    let body = json!({ "action": "team", "team_id": t2, "units": ["commerce"] });
    let (action, draft) = act_ok(&server, &manager, &body);
    let on: Vec<i64> = venues_of(team_route(&draft, t2));
    assert!(!on.is_empty());
    assert!(
        on.iter().all(|v| kind[v] != "entertainment"),
        "team {t2} without police has entertainment venues: {:?}",
        on.iter().map(|v| (v, &kind[v])).collect::<Vec<_>>()
    );
    assert_audited(&server, &manager, &action);
}

#[test]
fn ad_hoc_stops_a_venue_and_a_point_with_a_note() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let base = published_base(&server, &manager);
    let (t1, t2) = (
        team_of(&server, "inspector1"),
        team_of(&server, "inspector2"),
    );
    let venue = not_selected(&server, &manager, &base, &["entertainment", "bathhouse"])
        .into_iter()
        .chain(not_selected(&server, &manager, &base, &[]))
        .next()
        .expect("a venue left out");

    let body = json!({ "action": "adhoc", "venue_id": venue, "team_id": t2 });
    refused_to_inspectors(&server, &manager, &body);
    let (action, draft) = act_ok(&server, &manager, &body);
    assert_eq!(teams_with(&draft, venue), vec![t2]);
    assert_eq!(
        venue_stop(team_route(&draft, t2), venue).unwrap()["mandatory"],
        true
    );
    assert_audited(&server, &manager, &action);

    // A complaint at a point near team 1's route: a stop of 15 minutes with the note.
    let p = &team_route(&base, t1)["path"];
    let p = &p[p.as_array().unwrap().len() / 2];
    let at = [p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap()];
    let note = "complaint: noise at 23:00";
    let body = json!({ "action": "adhoc", "at": at, "note": note, "team_id": t1, "minutes": 15 });
    refused_to_inspectors(&server, &manager, &body);
    let (action, draft) = act_ok(&server, &manager, &body);
    let target = json!({ "kind": "point", "id": action["id"] });
    let r = team_route(&draft, t1);
    let stop = stops(r)
        .iter()
        .find(|s| s["target"] == target)
        .unwrap_or_else(|| panic!("no stop {target} on team {t1}: {:?}", stops(r)));
    assert_eq!(stop["note"], note);
    assert_eq!(stop["mandatory"], true);
    assert_eq!(stop["status"], "pending");
    let on_site = stop["departure_s"].as_i64().unwrap() - stop["start_s"].as_i64().unwrap();
    assert_eq!(on_site, 15 * 60, "{stop}");
    assert!(metres(position(stop), (at[0], at[1])) < 1.0, "{stop}");
    // The venue ad hoc still holds.
    assert_eq!(teams_with(&draft, venue), vec![t2]);
    assert_audited(&server, &manager, &action);
}

#[test]
fn a_locked_route_stays_as_it_is() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    published_base(&server, &manager);
    let (t3, t4) = (
        team_of(&server, "inspector3"),
        team_of(&server, "inspector4"),
    );

    let body = json!({ "action": "lock", "team_id": t4 });
    refused_to_inspectors(&server, &manager, &body);
    let (lock, draft) = act_ok(&server, &manager, &body);
    let locked = team_route(&draft, t4).clone();
    assert_eq!(locked["locked"], true);
    assert_eq!(team_route(&draft, t3)["locked"], false);
    assert_audited(&server, &manager, &lock);

    // The other day team is absent: its venues are free, the locked route takes none of them.
    let body = json!({ "action": "absent", "team_id": t3, "reason": "training" });
    let (_, draft) = act_ok(&server, &manager, &body);
    let after = team_route(&draft, t4);
    assert_eq!(after["locked"], true);
    assert_eq!(
        after["stops"], locked["stops"],
        "the locked route did not change"
    );
    assert_eq!(after["path"], locked["path"]);
    // Nor does a re-plan: 409.
    let stop = &stops(after)[0];
    let r = post_json(
        &url(&server, &format!("/api/plans/{{date}}/routes/{t4}/replan")),
        Some(&manager),
        &json!({ "at": [position(stop).0, position(stop).1], "time": local_time(stop["departure_s"].as_i64().unwrap()) }),
    );
    assert_eq!(r.status, 409, "{}", r.body);

    let body = json!({ "action": "unlock", "team_id": t4 });
    refused_to_inspectors(&server, &manager, &body);
    let (unlock, draft) = act_ok(&server, &manager, &body);
    assert_eq!(team_route(&draft, t4)["locked"], false);
    assert_audited(&server, &manager, &unlock);
}

#[test]
fn revoking_an_action_undoes_it() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let base = published_base(&server, &manager);
    let t1 = team_of(&server, "inspector1");
    let venue = venues_of(team_route(&base, t1))[0];
    let body = json!({ "action": "exclude", "venue_id": venue, "reason": "owner away" });
    let (action, draft) = act_ok(&server, &manager, &body);
    assert_eq!(left_out(&draft, venue).unwrap()["reason"], "excluded");
    let id = action["id"].as_i64().unwrap();
    let path = url(&server, &format!("/api/plans/{{date}}/actions/{id}"));

    for user in [inspector_of(&server, t1), inspector_not_of(&server, t1)] {
        let t = login(&server, &user);
        let r = send("DELETE", &path, Some(&t), "application/json", b"");
        assert_eq!(r.status, 403, "{user}: {}", r.body);
    }
    let r = send("DELETE", &path, Some(&manager), "application/json", b"");
    assert_eq!(r.status, 200, "{}", r.body);
    let draft = r.json()["plan"].clone();
    assert_eq!(draft["status"], "draft");
    assert!(
        draft["actions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != id),
        "{}",
        draft["actions"]
    );
    assert!(
        left_out(&draft, venue).is_none_or(|l| l["reason"] != "excluded"),
        "{:?}",
        left_out(&draft, venue)
    );
    assert_eq!(plan(&server, &manager)["revision"], draft["revision"]);
    let events = audit_of(&server, &manager, &action);
    assert_eq!(events.len(), 2, "the action and its revocation: {events:?}");
    assert!(events.iter().all(|e| e["username"] == "manager"));
    // Once revoked, it is gone.
    let r = send("DELETE", &path, Some(&manager), "application/json", b"");
    assert_eq!(r.status, 404, "{}", r.body);
}

#[test]
fn bad_actions_get_400_naming_the_field_and_unknown_things_404() {
    let data = demo_copy();
    let server = start(data.path());
    let manager = login(&server, "manager");
    let base = published_base(&server, &manager);
    let t1 = team_of(&server, "inspector1");
    let venue = venues_of(team_route(&base, t1))[0];
    let cases: Vec<(&str, Value, &str)> = vec![
        ("no action", json!({ "venue_id": venue }), "action"),
        (
            "unknown action",
            json!({ "action": "teleport", "venue_id": venue }),
            "action",
        ),
        (
            "venue id as text",
            json!({ "action": "pin", "venue_id": "abc" }),
            "venue_id",
        ),
        (
            "pin without a venue",
            json!({ "action": "pin", "team_id": t1 }),
            "venue_id",
        ),
        (
            "exclude without a reason",
            json!({ "action": "exclude", "venue_id": venue }),
            "reason",
        ),
        (
            "exclude with a reason too long",
            json!({ "action": "exclude", "venue_id": venue, "reason": "x".repeat(201) }),
            "reason",
        ),
        (
            "move without a team",
            json!({ "action": "move", "venue_id": venue }),
            "team_id",
        ),
        (
            "absent without a team",
            json!({ "action": "absent", "reason": "ill" }),
            "team_id",
        ),
        (
            "a shift that is no time",
            json!({ "action": "team", "team_id": t1, "shift": "25:00-02:00" }),
            "shift",
        ),
        (
            "a start off the globe",
            json!({ "action": "team", "team_id": t1, "start": [200.0, 60.0] }),
            "start",
        ),
        (
            "a point off the globe",
            json!({ "action": "adhoc", "at": [24.94, 95.0], "note": "x" }),
            "at",
        ),
        (
            "minutes negative",
            json!({ "action": "adhoc", "at": [24.94, 60.17], "note": "x", "minutes": -5 }),
            "minutes",
        ),
        (
            "lock team as text",
            json!({ "action": "lock", "team_id": "x" }),
            "team_id",
        ),
    ];
    // Every case is tried; the failures are reported together.
    let mut wrong = Vec::new();
    for (what, body, field) in cases {
        let r = act(&server, &manager, &body);
        let e: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
        let ok = r.status == 400
            && e["error"] == "invalid"
            && e["message"].as_str().is_some_and(|m| !m.is_empty())
            && e["field"].as_str().is_some_and(|f| f.starts_with(field));
        if !ok {
            wrong.push(format!(
                "{what}: {body} → {} {} (field should be {field})",
                r.status, r.body
            ));
        }
    }
    let r = send(
        "POST",
        &url(&server, "/api/plans/{date}/actions"),
        Some(&manager),
        "application/json",
        b"{\"action\": ",
    );
    assert_eq!(r.status, 400, "{}", r.body);
    for (what, body) in [
        (
            "unknown venue",
            json!({ "action": "pin", "venue_id": 987_654_321 }),
        ),
        (
            "unknown team",
            json!({ "action": "absent", "team_id": 98_765, "reason": "x" }),
        ),
    ] {
        let r = act(&server, &manager, &body);
        assert_eq!(r.status, 404, "{what}: {}", r.body);
    }
    let r = post_json(
        &server.url("/api/plans/2031-01-01/actions"),
        Some(&manager),
        &json!({ "action": "pin", "venue_id": venue }),
    );
    assert_eq!(r.status, 404, "no plan for the date: {}", r.body);
    assert_eq!(
        plan(&server, &manager)["revision"],
        base["revision"],
        "nothing changed"
    );
    assert!(
        audit(&server, &manager)
            .iter()
            .all(|e| e["entity"] != "dispatch_action"),
        "a refused action is not audited"
    );
    // The 400s last, so that the checks above run whatever they say.
    assert!(
        wrong.is_empty(),
        "{} bad actions answered wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
