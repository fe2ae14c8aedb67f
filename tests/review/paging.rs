//! Cursor paging, the capped total, a record following its venue, reviews and versions.

use crate::helpers::*;
use serde_json::{Value, json};

#[test]
fn cursor_pages_join_up_while_records_arrive() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let manager = login(&server, "manager");
    let conn = db(&server);
    let mut expected: Vec<String> = conn
        .prepare("SELECT client_uuid FROM inspections ORDER BY started_at DESC, id DESC")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(expected.len() > 300, "the demo has a history to page");
    let venue = id_of(&conn, "SELECT min(id) FROM venues");

    let mut seen = Vec::new();
    let mut query = "limit=97".to_string();
    for n in 0.. {
        let page = list(&server, &manager, &query);
        seen.extend(uuids(&page));
        if n == 0 {
            assert_eq!(page["total"], expected.len());
            assert_eq!(page["total_capped"], false);
            // Between two pages: a record newer than every page (before the cursor: not in
            // the pages to come) and one older than all (after it: the last page shows it).
            insert(
                &conn,
                "0e000000-0000-4000-8000-000000000001",
                venue,
                "2030-01-01T08:00",
            );
            insert(
                &conn,
                "0e000000-0000-4000-8000-000000000002",
                venue,
                "2001-01-01T08:00",
            );
            expected.push("0e000000-0000-4000-8000-000000000002".into());
        } else {
            // Only a first page is counted.
            assert_eq!(page["total"], Value::Null, "{n}");
        }
        match page["next_cursor"].as_str() {
            Some(c) => query = format!("limit=97&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, expected, "no gap, no repeat, in order");

    // A small offset still pages; a deep one is refused in favour of the cursor.
    let second = list(&server, &manager, "limit=5&offset=5");
    assert_eq!(second["next_offset"], 10);
    assert_eq!(
        status_field(&server, &manager, "offset=20000"),
        (400, json!("offset"))
    );
    // A cursor this server did not give is refused by name, whatever it holds.
    for bad in ["zz", "123", "%E6%97%A5", "00", "7e31"] {
        assert_eq!(
            status_field(&server, &manager, &format!("cursor={bad}")),
            (400, json!("cursor")),
            "{bad}"
        );
    }
    assert_eq!(
        status_field(&server, &manager, "colour=red"),
        (400, json!("colour"))
    );
    assert_eq!(
        status_field(&server, &manager, "area=north"),
        (400, json!("area"))
    );
}

#[test]
fn the_total_is_exact_up_to_its_cap() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let manager = login(&server, "manager");
    let mut conn = db(&server);
    let venue = id_of(&conn, "SELECT max(id) FROM venues");
    let tx = conn.transaction().unwrap();
    for n in 0..10_050 {
        insert(
            &tx,
            &format!("0c000000-0000-4000-8000-{n:012}"),
            venue,
            &format!("2025-01-01T{:02}:{:02}", n / 60 % 24, n % 60),
        );
    }
    tx.commit().unwrap();
    let all = list(&server, &manager, "limit=1");
    assert_eq!(
        (all["total"].clone(), all["total_capped"].clone()),
        (json!(10_000), json!(true))
    );
    assert!(all["next_cursor"].is_string());
    // Under the cap the figure is exact.
    let own = id_of(
        &conn,
        &format!("SELECT count(*) FROM inspections WHERE venue_id = {venue}"),
    );
    let one = list(
        &server,
        &manager,
        &format!("venue={venue}&from=2026-01-01&limit=1"),
    );
    let recent = id_of(
        &conn,
        &format!(
            "SELECT count(*) FROM inspections WHERE venue_id = {venue} AND started_at >= '2026-01-01'"
        ),
    );
    assert!(own > 10_000);
    assert_eq!(
        (one["total"].clone(), one["total_capped"].clone()),
        (json!(recent), json!(false))
    );
}

#[test]
fn a_record_follows_its_venue_to_another_township() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let manager = login(&server, "manager");
    let conn = db(&server);
    let (uuid, venue, from): (String, i64, i64) = conn
        .query_row(
            "SELECT i.client_uuid, v.id, v.township_id FROM inspections i JOIN venues v ON v.id = i.venue_id
             WHERE v.township_id IS NOT NULL ORDER BY i.started_at DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let (to, to_name): (i64, String) = conn
        .query_row(
            "SELECT id, name FROM areas WHERE level = 'township' AND id != ?1 ORDER BY id LIMIT 1",
            [from],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let in_area = |area: i64| {
        uuids(&list(
            &server,
            &manager,
            &format!("area={area}&venue={venue}&limit=500"),
        ))
        .contains(&uuid)
    };
    assert!(in_area(from) && !in_area(to));
    // What a re-import does when the registry moves a venue (or the township's boundary moves).
    conn.execute(
        "UPDATE venues SET township_id = ?1 WHERE id = ?2",
        [to, venue],
    )
    .unwrap();
    assert!(in_area(to) && !in_area(from), "its records moved with it");
    let page = list(
        &server,
        &manager,
        &format!("area={to}&venue={venue}&limit=1"),
    );
    assert_eq!(page["items"][0]["township"], to_name.as_str());
    // And when the registry says it is another kind of venue.
    conn.execute(
        "UPDATE venues SET kind = 'bathhouse' WHERE id = ?1",
        [venue],
    )
    .unwrap();
    assert!(
        uuids(&list(
            &server,
            &manager,
            &format!("kind=bathhouse&venue={venue}&limit=500")
        ))
        .contains(&uuid)
    );
    // So does a record made after the move.
    insert(
        &conn,
        "0a000000-0000-4000-8000-000000000001",
        venue,
        "2030-01-01T08:00",
    );
    assert_eq!(
        uuids(&list(&server, &manager, &format!("area={to}&limit=1"))),
        ["0a000000-0000-4000-8000-000000000001"]
    );
}

#[test]
fn reviews_and_versions_show_in_the_list_and_the_record() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let manager = login(&server, "manager");
    let conn = db(&server);
    let venue = id_of(&conn, "SELECT min(id) FROM venues");
    let boss = id_of(&conn, "SELECT id FROM accounts WHERE username = 'manager'");
    let (old, new, later) = (
        "0b000000-0000-4000-8000-000000000001",
        "0b000000-0000-4000-8000-000000000002",
        "0b000000-0000-4000-8000-000000000003",
    );
    // A record reviewed twice, rejected, corrected as a new version and redone by a later visit:
    // what the review writes leave behind.
    let first = insert(&conn, old, venue, "2030-01-01T08:00");
    let second = insert(&conn, new, venue, "2030-01-01T08:00");
    let third = insert(&conn, later, venue, "2030-01-02T09:00");
    conn.execute_batch(&format!(
        "INSERT INTO inspection_reviews (inspection_id, state, reason, account_id, at)
           VALUES ({first}, 'has_issues', '缺少照片', {boss}, '2030-01-01T10:00:00Z'),
                  ({first}, 'rejected', '地点不符', {boss}, '2030-01-01T11:00:00Z');
         UPDATE inspections SET review = 'rejected', review_reason = '地点不符', reviewed_by = {boss},
                reviewed_at = '2030-01-01T11:00:00Z', superseded_by = {second}, redone_by = {third}
          WHERE id = {first};
         UPDATE inspections SET corrects = {first} WHERE id = {second};
         INSERT INTO follow_ups (venue_id, inspection_id, outcome, raised_on, action, responsible_unit,
                                 deadline, status, extensions, level, escalated_to)
           VALUES ({venue}, {second}, 'violation', '2030-01-01', '整改', '文化执法', '2030-01-15',
                   'open', 1, 2, '区禁毒办');"
    ))
    .unwrap();

    // The list shows current versions unless asked for every one.
    let current = uuids(&list(
        &server,
        &manager,
        &format!("venue={venue}&limit=500"),
    ));
    assert!(current.contains(&new.to_string()) && !current.contains(&old.to_string()));
    let every = list(
        &server,
        &manager,
        &format!("venue={venue}&current=false&limit=500"),
    );
    let row = |uuid: &str| {
        every["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["uuid"] == uuid)
            .unwrap_or_else(|| panic!("{uuid} in {every}"))
            .clone()
    };
    assert!(
        every["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["venue_id"] == venue),
        "one venue's history"
    );
    let was = row(old);
    assert_eq!(
        was["review"],
        json!({"state": "rejected", "reason": "地点不符", "by": "manager", "at": "2030-01-01T11:00:00Z"})
    );
    assert_eq!(
        (was["superseded_by"].clone(), was["redone_by"].clone()),
        (json!(new), json!(later))
    );
    let is = row(new);
    assert_eq!(is["review"], json!({"state": "pending"}));
    assert_eq!(is["corrects"], old);
    assert!(is.get("superseded_by").is_none() && is.get("redone_by").is_none());

    // By review state: the rejected version is no longer current.
    let rejected = |q: &str| {
        uuids(&list(
            &server,
            &manager,
            &format!("review=rejected&{q}limit=500"),
        ))
    };
    assert!(!rejected("").contains(&old.to_string()));
    assert!(rejected("current=false&").contains(&old.to_string()));
    let pending = uuids(&list(
        &server,
        &manager,
        &format!("review=pending&venue={venue}&limit=500"),
    ));
    assert!(pending.contains(&new.to_string()) && pending.contains(&later.to_string()));
    assert_eq!(
        status_field(&server, &manager, "review=lost"),
        (400, json!("review"))
    );
    assert_eq!(
        status_field(&server, &manager, "current=maybe"),
        (400, json!("current"))
    );

    // The record whole: every review in order, the chain of versions from either end, and the
    // follow-up as supervision left it.
    let whole = |uuid: &str| {
        get(
            &server.url(&format!("/api/inspections/{uuid}")),
            Some(&manager),
        )
        .json()
    };
    let before = whole(old);
    assert_eq!(
        before["reviews"],
        json!([
            {"state": "has_issues", "reason": "缺少照片", "by": "manager", "at": "2030-01-01T10:00:00Z"},
            {"state": "rejected", "reason": "地点不符", "by": "manager", "at": "2030-01-01T11:00:00Z"},
        ])
    );
    assert_eq!(before["versions"], json!([old, new]));
    let after = whole(new);
    assert_eq!(after["versions"], json!([old, new]));
    assert_eq!(after["reviews"], json!([]));
    let f = &after["follow_up"];
    assert_eq!(
        (
            f["extensions"].clone(),
            f["level"].clone(),
            f["escalated_to"].clone(),
            f["closed_how"].clone()
        ),
        (json!(1), json!(2), json!("区禁毒办"), Value::Null),
        "{after}"
    );
    assert_eq!(whole(later)["versions"], json!([later]));
}
