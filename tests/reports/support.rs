//! What the reports test shares: follow-ups made and supervised through the API, workbooks
//! read back with calamine, and a tiny HTTP receiver for the webhook.

pub use super::common::cli_json;
use super::common::server::*;
use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};
use std::io::{Read, Write};

/// Three violations: one escalated (督办) to the police station, one closed with evidence, one
/// left open; answers their follow-up ids.
pub fn supervised_follow_ups(server: &Server, manager: &str) -> [i64; 3] {
    let ids: Vec<i64> = quiet_venues(server, manager, 3)
        .iter()
        .enumerate()
        .map(|(n, (venue, team))| {
            let r = post_json(
                &server.url("/api/inspections"),
                Some(manager),
                &json!({
                    "client_uuid": format!("7e900000-0000-4000-8000-{n:012}"),
                    "venue_id": venue, "team_id": team,
                    "started_at": format!("{DEMO_DATE}T10:00"), "outcome": "violation",
                }),
            );
            assert_eq!(r.status, 201, "{}", r.body);
            r.json()["follow_up"]["id"].as_i64().unwrap()
        })
        .collect();
    let r = post_json(
        &server.url(&format!("/api/follow-ups/{}/escalate", ids[0])),
        Some(manager),
        &json!({"unit": "属地派出所", "reason": "拒不整改"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let photo = jpeg_bytes(8_000);
    let (ct, form) = multipart_named(
        "close",
        &json!({"note": "已整改"}),
        &[("image/jpeg", &photo)],
    );
    let r = send(
        "POST",
        &server.url(&format!("/api/follow-ups/{}/close", ids[1])),
        Some(manager),
        &ct,
        &form,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    [ids[0], ids[1], ids[2]]
}

/// A GET whose body is bytes (an XLSX), with its headers.
pub fn get_bytes(url: &str, token: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut r = agent()
        .get(url)
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = r.body_mut().read_to_vec().unwrap();
    (r.status().as_u16(), headers, body)
}

/// Every sheet of a workbook: its name and rows of cells.
pub fn sheets(bytes: Vec<u8>) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            (name, range.rows().map(|r| r.to_vec()).collect())
        })
        .collect()
}

pub fn number(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("a number, not {other:?}"),
    }
}

/// The assessment's figures in the XLSX's column order (after rank and name).
pub const FIGURES: [&str; 12] = [
    "venues",
    "covered",
    "covered_share",
    "inspections",
    "findings",
    "raised",
    "on_time",
    "late",
    "escalated",
    "open_late",
    "average_days_to_close",
    "on_time_share",
];

pub fn same_as_sheet(rows: &[Vec<Data>], json_rows: &[Value], name_key: &str) {
    assert_eq!(
        rows[0][0],
        Data::String("排名".into()),
        "a Chinese header row"
    );
    for row in json_rows {
        let name = row[name_key].as_str().unwrap();
        let cells = rows
            .iter()
            .find(|r| r[1] == Data::String(name.into()))
            .unwrap_or_else(|| panic!("{name} in the sheet"));
        match row["rank"].as_f64() {
            Some(rank) => assert_eq!(number(&cells[0]), rank, "{name}"),
            None => assert_eq!(cells[0], Data::Empty),
        }
        for (i, key) in FIGURES.iter().enumerate() {
            match row[*key].as_f64() {
                Some(v) => assert_eq!(number(&cells[i + 2]), v, "{name} {key}"),
                None => assert_eq!(cells[i + 2], Data::Empty, "{name} {key}"),
            }
        }
    }
}

/// A unit's name as one path segment.
pub fn segment(unit: &str) -> String {
    unit.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Answers the first `fail` requests with 503 and the next with 200; hands back the bodies.
pub fn listener(fail: usize) -> (String, std::thread::JoinHandle<Vec<Vec<u8>>>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut bodies = Vec::new();
        for n in 0..=fail {
            let (mut s, _) = l.accept().unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 8192];
            let (head_end, length) = loop {
                let got = s.read(&mut chunk).unwrap();
                buf.extend_from_slice(&chunk[..got]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map(|v| v.trim().parse::<usize>().unwrap())
                        .expect("a Content-Length");
                    break (end + 4, length);
                }
            };
            while buf.len() < head_end + length {
                let got = s.read(&mut chunk).unwrap();
                buf.extend_from_slice(&chunk[..got]);
            }
            bodies.push(buf[head_end..head_end + length].to_vec());
            let status = if n < fail {
                "503 Service Unavailable"
            } else {
                "200 OK"
            };
            write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
        }
        bodies
    });
    (url, handle)
}
