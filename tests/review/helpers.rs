//! What the review tests share: raw reads, list pages, direct store access.

pub use crate::common::server::*;
use serde_json::Value;

/// The bytes of a GET, and its status.
pub fn bytes(url: &str, token: &str) -> (u16, Vec<u8>) {
    let mut r = agent()
        .get(url)
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .expect("the server answers");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_vec().unwrap_or_default())
}

pub fn list(server: &Server, token: &str, query: &str) -> Value {
    let r = get(
        &server.url(&format!("/api/inspections?{query}")),
        Some(token),
    );
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    r.json()
}

pub fn uuids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["uuid"].as_str().unwrap().to_string())
        .collect()
}

/// The store under the running server, as a second writer (SQLite in WAL mode): what the review
/// writes and a re-import would change, set directly.
pub fn db(server: &Server) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(server.data.join("patrolmap.sqlite")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn
}

pub fn id_of(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Adds a record of `venue` for the demo's first team: the way a phone's upload lands, as far
/// as the list is concerned (the area comes from the venue by the store's trigger).
pub fn insert(conn: &rusqlite::Connection, uuid: &str, venue: i64, started_at: &str) -> i64 {
    conn.execute(
        "INSERT INTO inspections (client_uuid, body_hash, venue_id, team_id, started_at, outcome)
         VALUES (?1, 'test', ?2, (SELECT min(id) FROM teams), ?3, 'compliant')",
        rusqlite::params![uuid, venue, started_at],
    )
    .unwrap();
    conn.last_insert_rowid()
}

pub fn status_field(server: &Server, token: &str, query: &str) -> (u16, Value) {
    let r = get(
        &server.url(&format!("/api/inspections?{query}")),
        Some(token),
    );
    (r.status, r.json()["field"].clone())
}
