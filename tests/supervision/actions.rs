//! Each follow-up action with its history, audit event and effects on coverage and the next plan.

use crate::helpers::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

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
