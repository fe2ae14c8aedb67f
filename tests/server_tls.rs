//! HTTPS from the binary (issue 11): a self-signed certificate made once for the hosts given,
//! its fingerprint and QR code printed, links that say https, plain HTTP redirected, HSTS only
//! with a real certificate; and every serve option from one `--config` file.

mod common;
use common::server::{DEMO_DATE, DEMO_PASSWORD, demo_copy, https_agent};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Running {
    child: Child,
    /// Everything the server printed before it started serving requests.
    banner: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` and collects what it prints at start-up: the first line, then every line
/// that follows within a moment of the one before (the fingerprint, addresses, QR code).
fn start(data: &Path, args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_patrolmap"))
        .arg("--data")
        .arg(data)
        .args(["serve", "--date", DEMO_DATE, "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    // Keeps reading for as long as the server runs, so it never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut banner = vec![rx.recv().expect("the server prints its address")];
    while let Ok(line) = rx.recv_timeout(Duration::from_millis(500)) {
        banner.push(line);
    }
    Running { child, banner }
}

fn url_in(banner: &[String], scheme: &str) -> String {
    banner[0]
        .split_whitespace()
        .find(|w| w.starts_with(scheme))
        .unwrap_or_else(|| panic!("no {scheme} URL in {banner:?}"))
        .trim_end_matches('/')
        .to_string()
}

/// An HTTPS client that trusts exactly `cert_pem`.
fn client(cert_pem: &[u8]) -> ureq::Agent {
    https_agent(cert_pem)
}

/// The first link of the OGC landing page, as the client trusting `cert_pem` reads it.
fn landing_link(base: &str, cert_pem: &[u8]) -> String {
    let landing: serde_json::Value = client(cert_pem)
        .get(format!("{base}/ogc/"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    landing["links"][0]["href"].as_str().unwrap().to_string()
}

#[test]
fn a_self_signed_certificate_serves_https_and_is_made_once() {
    let data = demo_copy();
    let args = [
        "--tls-self-signed",
        "--host",
        "127.0.0.1",
        "--host",
        "patrolmap.test",
    ];
    let server = start(data.path(), &args);
    let base = url_in(&server.banner, "https://");
    let text = server.banner.join("\n");
    let fingerprint = server
        .banner
        .iter()
        .find_map(|l| l.strip_prefix("certificate SHA-256 "))
        .expect("the fingerprint is printed")
        .to_string();
    assert_eq!(fingerprint.split(':').count(), 32, "{fingerprint}");
    assert!(text.contains("open https://patrolmap.test:"), "{text}");
    assert!(
        text.contains('█') || text.contains('▀'),
        "a QR code is drawn: {text}"
    );
    let cert = std::fs::read(data.path().join("tls/self-signed.crt")).unwrap();
    let agent = client(&cert);
    let mut r = agent.get(format!("{base}/healthz")).call().unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().get("strict-transport-security").is_none(),
        "no HSTS when self-signed"
    );
    assert!(r.body_mut().read_to_string().unwrap().contains("ok"));
    // Links name the scheme the client used.
    let link = landing_link(&base, &cert);
    assert!(link.starts_with("https://"), "{link}");
    let login = agent
        .post(format!("{base}/api/login"))
        .send_json(serde_json::json!({ "username": "inspector1", "password": DEMO_PASSWORD }))
        .unwrap();
    assert_eq!(login.status(), 200);
    drop(server);
    // Started again for the same hosts: the same certificate.
    let again = start(data.path(), &args);
    let text = again.banner.join("\n");
    assert!(text.contains(&fingerprint), "kept, not made again: {text}");
}

#[test]
fn plain_http_is_redirected_and_a_real_certificate_gets_hsts() {
    let data = demo_copy();
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let plain_addr = plain.local_addr().unwrap();
    drop(plain);
    let redirect = plain_addr.to_string();
    let server = start(
        data.path(),
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
            "--redirect-http",
            &redirect,
        ],
    );
    let base = url_in(&server.banner, "https://");
    let agent = client(made.cert.pem().as_bytes());
    let r = agent.get(format!("{base}/healthz")).call().unwrap();
    assert_eq!(
        r.headers()
            .get("strict-transport-security")
            .map(|v| v.to_str().unwrap()),
        Some("max-age=31536000")
    );
    let plain_agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let r = plain_agent
        .get(format!("http://{redirect}/ogc/collections?f=json"))
        .call()
        .unwrap();
    assert_eq!(r.status(), 308);
    let port = base.rsplit(':').next().unwrap();
    assert_eq!(
        r.headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string()),
        Some(format!("https://127.0.0.1:{port}/ogc/collections?f=json"))
    );
}

#[test]
fn every_serve_option_can_come_from_one_config_file() {
    let data = demo_copy();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("patrolmap.toml");
    std::fs::write(
        &file,
        "[serve]\ntls_self_signed = true\nhost = [\"127.0.0.1\"]\npublic_url = \"https://patrol.district.example\"\nheader_timeout_s = 5\n",
    )
    .unwrap();
    let server = start(data.path(), &["--config", file.to_str().unwrap()]);
    let base = url_in(&server.banner, "https://");
    let cert = std::fs::read(data.path().join("tls/self-signed.crt")).unwrap();
    let link = landing_link(&base, &cert);
    assert!(
        link.starts_with("https://patrol.district.example/"),
        "{link}"
    );
    // An unknown option is refused, naming the file and the key.
    std::fs::write(&file, "[serve]\nlisten_on = \"0.0.0.0:1\"\n").unwrap();
    let out = common::patrolmap(data.path(), &["serve", "--config", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let e = common::stderr(&out);
    assert!(
        e.contains("patrolmap.toml") && e.contains("serve.listen_on"),
        "{e}"
    );
}
