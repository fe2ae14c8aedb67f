//! The manager's tables page from the server (issue 14): `/api/overdue`, `/api/follow-ups` and
//! `/api/coverage` answer a page with the total, sorted by a column from a fixed list, filtered;
//! pages put together are the whole list; `format=csv` is every row; a bad parameter is named;
//! an account limited to a township gets that township's rows only. The real server on
//! 127.0.0.1 over a demo store.

mod common;
use common::server::*;
use serde_json::{Value, json};

const MINE: &str = "东华街道";

fn answer(server: &Server, token: &str, path: &str) -> Value {
    let r = get(&server.url(path), Some(token));
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()
}

fn rows(v: &Value, key: &str) -> Vec<Value> {
    v[key].as_array().unwrap().clone()
}

fn ids(rows: &[Value], key: &str) -> Vec<i64> {
    rows.iter().map(|r| r[key].as_i64().unwrap()).collect()
}

/// Every row of a list, page by page of `size`: the pages put together.
fn paged_through(server: &Server, token: &str, path: &str, key: &str, size: usize) -> Vec<Value> {
    let mut all = Vec::new();
    let sep = if path.contains('?') { '&' } else { '?' };
    loop {
        let page = answer(
            server,
            token,
            &format!("{path}{sep}limit={size}&offset={}", all.len()),
        );
        let got = rows(&page, key);
        assert!(got.len() <= size);
        let total = page["total"].as_u64().unwrap() as usize;
        all.extend(got.clone());
        if got.is_empty() || all.len() >= total {
            assert_eq!(all.len(), total, "{path}: the pages hold the total");
            return all;
        }
    }
}

fn strings(rows: &[Value], key: &str) -> Vec<String> {
    rows.iter()
        .map(|r| r[key].as_str().unwrap_or_default().to_string())
        .collect()
}

fn is_sorted<T: PartialOrd + std::fmt::Debug>(v: &[T]) -> bool {
    v.windows(2).all(|w| w[0] <= w[1])
}

#[test]
fn overdue_venues_page_sort_filter_and_download_whole() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "manager");
    let t = token.as_str();

    let first = answer(&server, t, "/api/overdue");
    let total = first["total"].as_u64().unwrap() as usize;
    assert!(total > 10, "the demo has overdue venues: {first}");
    assert_eq!(first["limit"], 50, "a page by default, not the whole list");
    assert_eq!(rows(&first, "venues").len(), total.min(50));
    assert_eq!(
        (first["sort"].as_str(), first["order"].as_str()),
        (Some("days_overdue"), Some("desc"))
    );

    // Pages of 7 put together are the list in one piece, in the same order.
    let whole = paged_through(&server, t, "/api/overdue", "venues", 7);
    let big = answer(&server, t, "/api/overdue?limit=500");
    assert_eq!(ids(&whole, "id"), ids(&rows(&big, "venues"), "id"));

    // Sorted by name either way; ties never reorder pages.
    let by_name = paged_through(&server, t, "/api/overdue?sort=name", "venues", 9);
    assert!(is_sorted(&strings(&by_name, "name")));
    let desc = rows(
        &answer(&server, t, "/api/overdue?sort=name&order=desc&limit=500"),
        "venues",
    );
    let mut names = strings(&desc, "name");
    names.reverse();
    assert_eq!(names, strings(&by_name, "name"));

    // Filters: kind, never inspected, area; each total is the count of the list's matches.
    let count = |f: &dyn Fn(&Value) -> bool| whole.iter().filter(|v| f(v)).count();
    let kind = whole[0]["kind"].as_str().unwrap().to_string();
    let of_kind = answer(&server, t, &format!("/api/overdue?kind={kind}&limit=500"));
    assert_eq!(of_kind["total"], count(&|v| v["kind"] == kind.as_str()));
    assert!(
        rows(&of_kind, "venues")
            .iter()
            .all(|v| v["kind"] == kind.as_str())
    );
    let never = answer(&server, t, "/api/overdue?never=true&limit=500");
    assert_eq!(never["total"], count(&|v| v["last_inspected_at"].is_null()));
    let late = answer(&server, t, "/api/overdue?never=false&limit=1");
    assert_eq!(
        late["total"].as_u64().unwrap() + never["total"].as_u64().unwrap(),
        total as u64
    );
    let area = whole
        .iter()
        .find_map(|v| v["township_id"].as_i64())
        .unwrap();
    let in_area = answer(&server, t, &format!("/api/overdue?area={area}&limit=500"));
    assert_eq!(in_area["total"], count(&|v| v["township_id"] == area));
    let named = &whole[0]["name"]
        .as_str()
        .unwrap()
        .chars()
        .take(2)
        .collect::<String>();
    let by_text = answer(
        &server,
        t,
        &format!("/api/overdue?name={}&limit=500", utf8(named)),
    );
    assert_eq!(
        by_text["total"],
        count(&|v| v["name"].as_str().unwrap().contains(named.as_str()))
    );

    // The download is every row of the filtered, sorted list, not a page.
    let r = get(&server.url("/api/overdue?format=csv&sort=name"), Some(t));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = r.body.trim_end().lines().collect();
    assert_eq!(lines.len(), total + 1, "a header and every overdue venue");
    assert!(lines[0].starts_with("\u{feff}场所,类别"));
    assert!(lines[1].starts_with(by_name[0]["name"].as_str().unwrap()));
    let r = get(
        &server.url(&format!("/api/overdue?format=csv&kind={kind}")),
        Some(t),
    );
    assert_eq!(
        r.body.trim_end().lines().count(),
        of_kind["total"].as_u64().unwrap() as usize + 1
    );
}

#[test]
fn follow_ups_and_coverage_page_in_order_with_their_totals() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "manager");
    let t = token.as_str();

    let open = paged_through(&server, t, "/api/follow-ups?status=open", "follow_ups", 4);
    assert!(open.len() > 2, "the demo has open follow-ups");
    assert!(
        open.iter()
            .all(|f| f["status"] == "open" && f["venue"].is_string())
    );
    let deadlines = strings(&open, "deadline");
    assert!(is_sorted(&deadlines), "by deadline by default");
    let day = answer(&server, t, "/api/follow-ups?limit=1")["day"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(day, DEMO_DATE, "late is judged on the plan date");
    let late = answer(
        &server,
        t,
        "/api/follow-ups?status=open&late=true&limit=500",
    );
    let late_rows = rows(&late, "follow_ups");
    assert!(
        late_rows
            .iter()
            .all(|f| f["late"] == true && f["deadline"].as_str().unwrap() < day.as_str())
    );
    assert_eq!(
        late["total"],
        open.iter()
            .filter(|f| f["deadline"].as_str().unwrap() < day.as_str())
            .count()
    );
    let by_venue = rows(
        &answer(
            &server,
            t,
            "/api/follow-ups?sort=venue&order=desc&limit=500",
        ),
        "follow_ups",
    );
    let mut venues = strings(&by_venue, "venue");
    venues.reverse();
    assert!(is_sorted(&venues));
    let all = answer(&server, t, "/api/follow-ups?limit=1")["total"]
        .as_u64()
        .unwrap();
    let csv = get(&server.url("/api/follow-ups?format=csv"), Some(t));
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(csv.body.trim_end().lines().count() as u64, all + 1);
    let unit = open[0]["responsible_unit"].as_str().unwrap();
    let of_unit = answer(
        &server,
        t,
        &format!("/api/follow-ups?status=open&unit={}&limit=500", utf8(unit)),
    );
    assert_eq!(
        of_unit["total"],
        open.iter()
            .filter(|f| f["escalated_to"]
                .as_str()
                .unwrap_or(f["responsible_unit"].as_str().unwrap())
                == unit)
            .count()
    );

    // Coverage: the rows of each level, worst covered first, the same figures the CLI counts.
    for level in ["township", "community", "grid"] {
        let cli = common::patrolmap(
            &server.data,
            &[
                "coverage",
                "--date",
                DEMO_DATE,
                "--level",
                level,
                "--period-days",
                "30",
                "--json",
            ],
        );
        assert!(cli.status.success(), "{}", common::stderr(&cli));
        let cli: Value = serde_json::from_str(&common::stdout(&cli)).unwrap();
        let counted: Vec<&Value> = cli["areas"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["area_id"].is_i64())
            .collect();
        let areas = paged_through(
            &server,
            t,
            &format!("/api/coverage?level={level}"),
            "areas",
            13,
        );
        assert_eq!(areas.len(), counted.len(), "{level}");
        let shares: Vec<f64> = areas
            .iter()
            .map(|a| a["covered_share"].as_f64().unwrap())
            .collect();
        assert!(is_sorted(&shares), "{level}: worst covered first");
        for a in &areas {
            assert!(a.get("geometry").is_none());
            let c = counted
                .iter()
                .find(|c| c["area_id"] == a["area_id"])
                .unwrap();
            for key in [
                "active",
                "covered",
                "overdue",
                "findings",
                "open_follow_ups",
            ] {
                assert_eq!(a[key], c[key], "{level} {key}");
            }
        }
        let page = answer(&server, t, &format!("/api/coverage?level={level}&limit=1"));
        assert_eq!(page["figures"]["active"], cli["total"]["active"]);
        assert_eq!(page["level"], level);
    }
    let by_name = rows(
        &answer(
            &server,
            t,
            "/api/coverage?level=community&sort=name&limit=500",
        ),
        "areas",
    );
    assert!(is_sorted(&strings(&by_name, "name")));
    let most = rows(
        &answer(
            &server,
            t,
            "/api/coverage?level=community&sort=overdue&order=desc&limit=1",
        ),
        "areas",
    );
    let max = by_name
        .iter()
        .map(|a| a["overdue"].as_u64().unwrap())
        .max()
        .unwrap();
    assert_eq!(most[0]["overdue"], max);
    let csv = get(
        &server.url("/api/coverage?level=community&format=csv"),
        Some(t),
    );
    assert_eq!(csv.body.trim_end().lines().count(), by_name.len() + 1);
    let name = by_name[0]["name"].as_str().unwrap();
    let one = answer(
        &server,
        t,
        &format!("/api/coverage?level=community&name={}", utf8(name)),
    );
    assert!(
        rows(&one, "areas")
            .iter()
            .all(|a| a["name"].as_str().unwrap().contains(name))
    );
    assert!(one["total"].as_u64().unwrap() >= 1);
}

#[test]
fn a_bad_table_parameter_is_named_and_an_account_sees_its_areas_only() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let admin = login(&server, "admin");
    let t = Some(admin.as_str());
    for (path, field) in [
        ("/api/overdue?colour=red", "colour"),
        ("/api/overdue?limit=0", "limit"),
        ("/api/overdue?limit=501", "limit"),
        ("/api/overdue?limit=abc", "limit"),
        ("/api/overdue?offset=-3", "offset"),
        ("/api/overdue?sort=risk", "sort"),
        ("/api/overdue?order=up", "order"),
        ("/api/overdue?kind=zoo", "kind"),
        ("/api/overdue?never=perhaps", "never"),
        ("/api/overdue?format=csv&limit=5", "limit"),
        ("/api/follow-ups?status=nope", "status"),
        ("/api/follow-ups?late=1x", "late"),
        ("/api/follow-ups?sort=deadline&sort=venue", "sort"),
        ("/api/follow-ups?outcome=bad", "outcome"),
        ("/api/follow-ups?format=xml", "format"),
        ("/api/coverage?level=city", "level"),
        ("/api/coverage?sort=colour", "sort"),
        ("/api/coverage?area=1", "area"),
    ] {
        let r = get(&server.url(path), t);
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert_eq!(r.json()["field"], field, "{path}: {}", r.body);
    }
    let inspector = login(&server, "inspector1");
    for path in ["/api/overdue", "/api/follow-ups", "/api/coverage"] {
        assert_eq!(
            get(&server.url(path), Some(&inspector)).status,
            403,
            "{path}"
        );
    }

    // A manager limited to one township: its rows only, with its own totals.
    let r = post_json(
        &server.url("/api/accounts"),
        t,
        &json!({"username": "leader1", "password": DEMO_PASSWORD, "role": "manager", "areas": ["sample:township:1"]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let leader = login(&server, "leader1");
    let l = leader.as_str();
    let a = admin.as_str();
    let mine = paged_through(&server, l, "/api/overdue", "venues", 50);
    assert!(!mine.is_empty() && mine.iter().all(|v| v["township"] == MINE));
    let district = answer(&server, a, "/api/overdue?limit=1")["total"]
        .as_u64()
        .unwrap();
    assert!((mine.len() as u64) < district);
    let mine_id = mine[0]["township_id"].as_i64().unwrap();
    let theirs = answer(&server, a, "/api/overdue?limit=500");
    let other = rows(&theirs, "venues")
        .iter()
        .find_map(|v| v["township_id"].as_i64().filter(|id| *id != mine_id))
        .unwrap();
    assert_eq!(
        answer(&server, l, &format!("/api/overdue?area={other}"))["total"],
        0
    );
    let csv = get(&server.url("/api/overdue?format=csv"), Some(l));
    assert_eq!(csv.body.trim_end().lines().count(), mine.len() + 1);

    let fus = paged_through(&server, l, "/api/follow-ups", "follow_ups", 50);
    let everyone = answer(&server, a, "/api/follow-ups?limit=1")["total"]
        .as_u64()
        .unwrap();
    assert!((fus.len() as u64) <= everyone);
    let in_mine = answer(
        &server,
        a,
        &format!("/api/follow-ups?area={mine_id}&limit=1"),
    )["total"]
        .as_u64()
        .unwrap();
    assert_eq!(
        fus.len() as u64,
        in_mine,
        "the leader's follow-ups are its township's"
    );

    let towns = rows(&answer(&server, l, "/api/coverage?level=township"), "areas");
    assert_eq!(strings(&towns, "name"), vec![MINE.to_string()]);
    let communities = answer(&server, l, "/api/coverage?level=community&limit=500");
    let all_communities = answer(&server, a, "/api/coverage?level=community&limit=1");
    assert!(communities["total"].as_u64().unwrap() < all_communities["total"].as_u64().unwrap());
}

/// A query value with its UTF-8 percent-encoded.
fn utf8(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
