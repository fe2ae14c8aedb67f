//! The reports of issue 13 as a district office uses them: the month's assessment (考核) on the
//! screen, in the XLSX it downloads and from the command line, with the same figures as the
//! coverage the map shows; each responsible unit's list as JSON, CSV and XLSX; and the daily
//! webhook, received by a listener in the test. The real server and CLI over one demo store.

mod common;
#[path = "reports/support.rs"]
mod support;
use common::server::*;
use common::{patrolmap, stderr};
use serde_json::{Value, json};
use std::collections::HashSet;
use support::*;

const NOW: &str = "2026-11-20T12:00";
const PERIOD: &str = "2026-11";
const LAST_DAY: &str = "2026-11-30";
/// The server's day: November is under way, so it is assessed up to the 20th, its 20 days.
const TODAY: &str = "2026-11-20";

#[test]
fn the_assessment_agrees_with_coverage_in_json_xlsx_and_on_the_command_line() {
    let data = demo_copy();
    let server = Server::start(data.path(), &["--now", NOW]);
    let manager = login(&server, "manager");
    supervised_follow_ups(&server, &manager);

    let r = get(
        &server.url(&format!("/api/assessment?period={PERIOD}")),
        Some(&manager),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let a = r.json();
    assert_eq!(
        (a["days"].as_i64(), a["level"].as_str()),
        (Some(20), Some("township"))
    );
    assert_eq!(
        (&a["period"]["last"], &a["as_of"]),
        (&json!(LAST_DAY), &json!(TODAY))
    );

    // Per township: the coverage figures of the day assessed over the days assessed.
    let cov = cli_json(
        data.path(),
        &["coverage", "--date", TODAY, "--period-days", "20", "--json"],
    );
    let areas = a["areas"].as_array().unwrap();
    assert!(areas.iter().any(|r| r["rank"] == 1), "{a}");
    for row in areas {
        let c = cov["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["area_id"] == row["area_id"])
            .unwrap_or_else(|| panic!("{} in coverage", row["name"]));
        let n = |v: &Value, k: &str| v[k].as_i64().unwrap();
        for (mine, theirs) in [
            ("venues", "active"),
            ("covered", "covered"),
            ("inspections", "inspections"),
            ("findings", "findings"),
            ("raised", "raised_follow_ups"),
            ("late", "closed_late"),
            ("escalated", "escalated_follow_ups"),
            ("open_late", "overdue_follow_ups"),
        ] {
            assert_eq!(n(row, mine), n(c, theirs), "{} {mine}", row["name"]);
        }
        assert_eq!(
            n(row, "on_time"),
            n(c, "closed_follow_ups") - n(c, "closed_late")
        );
        assert_eq!(row["covered_share"], c["covered_share"]);
    }
    assert_eq!(a["total"]["venues"], cov["total"]["active"]);
    // The units: the escalated follow-up is the police station's, the closed one dealt with.
    let units = a["units"].as_array().unwrap();
    let police = units
        .iter()
        .find(|u| u["unit"] == "属地派出所")
        .expect("the escalated unit");
    assert_eq!(police["escalated"], 1);
    let dealt: i64 = units.iter().map(|u| u["on_time"].as_i64().unwrap()).sum();
    assert!(dealt >= 1, "{a}");

    // The XLSX has the JSON's figures, numbers as numbers, Chinese headers and sheet names.
    let (status, headers, bytes) = get_bytes(
        &server.url(&format!("/api/assessment?period={PERIOD}&format=xlsx")),
        &manager,
    );
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let disposition = header(&headers, "content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''"),
        "{disposition}"
    );
    let book = sheets(bytes);
    assert_eq!(book.len(), 2);
    assert!(
        book.iter()
            .all(|(n, _)| n.chars().count() <= 31 && n.contains(PERIOD))
    );
    same_as_sheet(&book[0].1, areas, "name");
    same_as_sheet(&book[1].1, units, "unit");

    // The command line: the same assessment, and the same workbook.
    let file = data.path().join("kaohe.xlsx");
    let cli = cli_json(
        data.path(),
        &[
            "report",
            "assessment",
            "--period",
            PERIOD,
            "--today",
            TODAY,
            "--json",
            "--xlsx",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(cli, a);
    same_as_sheet(&sheets(std::fs::read(&file).unwrap())[0].1, areas, "name");

    // A quarter; a bad period is named; a planner may read, an inspector may not.
    let q = get(
        &server.url("/api/assessment?period=2026-Q4&level=community"),
        Some(&manager),
    );
    // Under way too: 1 October to the 20th of November.
    assert_eq!((q.status, q.json()["days"].as_i64()), (200, Some(51)));
    let bad = get(
        &server.url("/api/assessment?period=2026-13"),
        Some(&manager),
    );
    assert_eq!(
        (bad.status, bad.json()["field"].as_str()),
        (400, Some("period"))
    );
    assert!(bad.body.contains("2026-13"), "{}", bad.body);
    let planner = login(&server, "planner");
    assert_eq!(
        get(
            &server.url("/api/assessment?period=2026-11"),
            Some(&planner)
        )
        .status,
        200
    );
    let inspector = login(&server, "inspector1");
    assert_eq!(
        get(
            &server.url("/api/assessment?period=2026-11"),
            Some(&inspector)
        )
        .status,
        403
    );
}

#[test]
fn each_units_list_is_the_same_in_json_csv_xlsx_and_on_the_command_line() {
    let data = demo_copy();
    let server = Server::start(data.path(), &["--now", NOW]);
    let manager = login(&server, "manager");
    let [escalated, _, open] = supervised_follow_ups(&server, &manager);

    let r = get(&server.url("/api/units?within=3"), Some(&manager));
    assert_eq!(r.status, 200, "{}", r.body);
    let units = r.json();
    assert_eq!(units["day"], DEMO_DATE);
    let cli = cli_json(
        data.path(),
        &["report", "units", "--day", DEMO_DATE, "--json"],
    );
    let cli_counts: Vec<Value> = cli["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| json!({"unit": u["unit"], "open": u["open"], "late": u["late"].as_array().unwrap().len(), "due_soon": u["due_soon"].as_array().unwrap().len()}))
        .collect();
    assert_eq!(units["units"].as_array().unwrap(), &cli_counts);

    for unit in ["属地派出所", "区商务局"] {
        let path = format!("/api/units/{}/follow-ups?within=3", segment(unit));
        let list = get(&server.url(&path), Some(&manager)).json();
        let list = &list["unit"];
        assert_eq!(list["unit"], unit);
        let json_rows: Vec<(String, i64, i64)> = ["late", "due_soon", "later"]
            .iter()
            .flat_map(|part| {
                list[*part].as_array().unwrap().iter().map(move |f| {
                    (
                        part.to_string(),
                        f["id"].as_i64().unwrap(),
                        f["days_late"].as_i64().unwrap(),
                    )
                })
            })
            .collect();
        let ids: HashSet<i64> = json_rows.iter().map(|r| r.1).collect();
        assert!(
            ids.contains(if unit == "区商务局" {
                &open
            } else {
                &escalated
            }),
            "{list}"
        );

        let csv = get(&server.url(&format!("{path}&format=csv")), Some(&manager));
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        let text = csv.body.strip_prefix('\u{feff}').expect("a BOM for Excel");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(&reader.headers().unwrap()[2], "场所");
        let part = |name: &str| match name {
            "已逾期" => "late",
            "3日内到期" => "due_soon",
            "其后到期" => "later",
            other => panic!("part {other:?}"),
        };
        let csv_rows: Vec<(String, i64, i64)> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (
                    part(&r[0]).to_string(),
                    r[1].parse().unwrap(),
                    r[8].parse().unwrap(),
                )
            })
            .collect();
        assert_eq!(csv_rows, json_rows, "{unit}");

        let (status, _, bytes) = get_bytes(&server.url(&format!("{path}&format=xlsx")), &manager);
        assert_eq!(status, 200);
        let book = sheets(bytes);
        assert_eq!(book[0].0, unit);
        let xlsx_ids: Vec<i64> = book[0].1[1..]
            .iter()
            .map(|r| number(&r[1]) as i64)
            .collect();
        assert_eq!(xlsx_ids, json_rows.iter().map(|r| r.1).collect::<Vec<_>>());
    }
    let planner = login(&server, "planner");
    assert_eq!(get(&server.url("/api/units"), Some(&planner)).status, 403);
    assert_eq!(
        get(&server.url("/api/units?within=-1"), Some(&manager)).status,
        400
    );
}

#[test]
fn the_webhook_posts_each_units_list_and_retries() {
    let data = demo_copy();
    {
        let server = Server::start(data.path(), &["--now", NOW]);
        let manager = login(&server, "manager");
        supervised_follow_ups(&server, &manager);
    }
    let (url, received) = listener(1);
    let config = common::write(
        data.path(),
        "webhook.toml",
        &format!("[supervision]\nwebhook_url = \"{url}\"\n"),
    );
    let config = config.to_str().unwrap();
    let out = patrolmap(
        data.path(),
        &[
            "report",
            "units",
            "--day",
            DEMO_DATE,
            "--webhook",
            "--config",
            config,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("attempt 2"), "{}", stderr(&out));
    let bodies = received.join().unwrap();
    assert_eq!(bodies.len(), 2, "one failure, one retry");
    let sent: Value = serde_json::from_slice(&bodies[1]).unwrap();
    let printed = cli_json(
        data.path(),
        &["report", "units", "--day", DEMO_DATE, "--json"],
    );
    assert_eq!(sent, printed);
    assert!(
        sent["units"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["unit"] == "属地派出所")
    );
    let store = patrolmap::store::Store::open(data.path()).unwrap();
    let attempts = store.webhook_attempts(10).unwrap();
    let seen: Vec<(u32, Option<u16>, bool)> = attempts
        .iter()
        .map(|a| (a.attempt, a.status, a.ok))
        .collect();
    assert_eq!(seen, [(2, Some(200), true), (1, Some(503), false)]);
    assert!(store.webhook_delivered(DEMO_DATE.parse().unwrap()).unwrap());

    // No URL configured: `--webhook` says so and sends nothing.
    let out = patrolmap(
        data.path(),
        &["report", "units", "--day", DEMO_DATE, "--webhook"],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("webhook_url"), "{}", stderr(&out));
}
