//! The real server as a child process on 127.0.0.1, over a data folder prepared by `demo`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// The demo's day: plans, routes and the sample history are for it.
pub const DEMO_DATE: &str = "2026-11-20";
pub const DEMO_PASSWORD: &str = "patrolmap-demo";

/// A demo data folder made once per test binary; each test works on its own copy.
pub fn demo_copy() -> tempfile::TempDir {
    static TEMPLATE: OnceLock<tempfile::TempDir> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = super::patrolmap(
            dir.path(),
            &[
                "demo",
                "--no-serve",
                "--date",
                DEMO_DATE,
                "--plan-seconds",
                "1",
            ],
        );
        assert!(out.status.success(), "demo failed: {}", super::stderr(&out));
        dir
    });
    let copy = tempfile::tempdir().unwrap();
    copy_dir(template.path(), copy.path());
    copy
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub struct Server {
    child: Child,
    pub base: String,
    pub data: PathBuf,
}

impl Server {
    /// The server on the demo's day (`--date DEMO_DATE`) with `extra` options.
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        Self::spawn(
            data,
            &[&["--date", DEMO_DATE][..], extra].concat(),
            "http://",
        )
    }

    /// The server over TLS (`extra` names how, e.g. `--tls-self-signed`): `base` is the
    /// `https://` URL on its first stdout line.
    pub fn start_https(data: &Path, extra: &[&str]) -> Server {
        Self::spawn(
            data,
            &[&["--date", DEMO_DATE][..], extra].concat(),
            "https://",
        )
    }

    /// The server without `--date`: its plan day follows its clock (`--now`) and the shifts.
    pub fn start_undated(data: &Path, extra: &[&str]) -> Server {
        Self::spawn(data, extra, "http://")
    }

    /// `serve` with `args` (on 127.0.0.1:0 unless they say `--listen`); `base` is the URL of
    /// `scheme` on its first stdout line. Later output is read and dropped, so what the server
    /// prints after that line (a certificate's fingerprint, a QR code) never meets a closed pipe.
    fn spawn(data: &Path, args: &[&str], scheme: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_patrolmap"))
            .arg("--data")
            .arg(data)
            .arg("serve")
            .args(if args.contains(&"--listen") {
                &[][..]
            } else {
                &["--listen", "127.0.0.1:0"][..]
            })
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut err = child.stderr.take().unwrap();
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let Some(base) = line.split_whitespace().find(|w| w.starts_with(scheme)) else {
            let _ = child.kill();
            let _ = child.wait();
            let mut why = String::new();
            let _ = std::io::Read::read_to_string(&mut err, &mut why);
            panic!(
                "no {scheme} URL in {line:?} from `serve {}`: {why}",
                args.join(" ")
            );
        };
        let base = base.trim_end_matches('/').to_string();
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
        Server {
            child,
            base,
            data: data.to_path_buf(),
        }
    }

    /// The server's process id (to signal it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to end by itself, with its exit status.
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().expect("the server process")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the process the hard way: no shutdown code runs.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP agent that hands back 4xx/5xx responses instead of failing on them.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// An HTTPS client that trusts exactly `cert_pem` (the server's own certificate) and follows
/// no redirects, so a test sees each answer as the server gave it.
pub fn https_agent(cert_pem: &[u8]) -> ureq::Agent {
    let cert = ureq::tls::Certificate::from_pem(cert_pem)
        .unwrap()
        .to_owned();
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(vec![
            cert,
        ])))
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn reply(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut r = r.expect("the server answers");
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    Reply {
        status: r.status().as_u16(),
        headers,
        body: r.body_mut().read_to_string().unwrap_or_default(),
    }
}

pub fn get(url: &str, token: Option<&str>) -> Reply {
    let mut req = agent().get(url);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    reply(req.call())
}

pub fn send(
    method: &str,
    url: &str,
    token: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> Reply {
    let mut req = ureq::http::Request::builder()
        .method(method)
        .uri(url)
        .header("Content-Type", content_type);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    reply(agent().run(req.body(body.to_vec()).unwrap()))
}

pub fn post_json(url: &str, token: Option<&str>, body: &serde_json::Value) -> Reply {
    send(
        "POST",
        url,
        token,
        "application/json",
        body.to_string().as_bytes(),
    )
}

pub fn login(server: &Server, user: &str) -> String {
    let r = post_json(
        &server.url("/api/login"),
        None,
        &serde_json::json!({ "username": user, "password": DEMO_PASSWORD }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["token"].as_str().unwrap().to_string()
}

/// The venues on the route of the inspector whose session is `token`.
pub fn planned_venues(server: &Server, token: &str) -> Vec<i64> {
    let stops = get(&server.url("/api/layers/routes?kind=stop"), Some(token)).json();
    stops["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["target"] == "venue")
        .filter_map(|f| f["properties"]["target_id"].as_i64())
        .collect()
}

/// `n` bytes that are a JPEG by their signature (what the server checks), the rest filler.
pub fn jpeg_bytes(n: usize) -> Vec<u8> {
    let mut b = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    b.extend((0..n.saturating_sub(b.len()) as u32).map(|i| (i * 7 % 251) as u8));
    b
}

/// A multipart/form-data body: the inspection as JSON, then the photos.
pub fn multipart(inspection: &serde_json::Value, photos: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    multipart_named("inspection", inspection, photos)
}

/// A multipart/form-data body: a JSON part named `part`, then the photos.
pub fn multipart_named(
    part: &str,
    json: &serde_json::Value,
    photos: &[(&str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "patrolmap-test-boundary-7d1f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{part}\"\r\nContent-Type: application/json\r\n\r\n{json}\r\n"
        )
        .as_bytes(),
    );
    for (i, (content_type, bytes)) in photos.iter().enumerate() {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p{i}.jpg\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A GET written by hand over TCP (HTTP/1.1, Connection: close), so that nothing between the
/// test and the server touches encodings or ranges.
pub fn raw_get(
    server: &Server,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    use std::io::{Read, Write};
    let addr = server.base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let mut req = format!("GET {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    let split = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&all[..split]).into_owned();
    let mut body = all[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
    {
        body = dechunk(&body);
    }
    (status, headers, body)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Venues on the demo day's routes with no open follow-up, with the team routed to them.
pub fn quiet_venues(server: &Server, token: &str, n: usize) -> Vec<(i64, i64)> {
    let plan = get(&server.url(&format!("/api/plans/{DEMO_DATE}")), Some(token)).json();
    let open = get(
        &server.url("/api/follow-ups?status=open&limit=500"),
        Some(token),
    )
    .json();
    let busy: std::collections::HashSet<i64> = open["follow_ups"]
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
