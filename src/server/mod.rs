//! The HTTP service: map layers as GeoJSON and OGC API – Features, inspection capture, accounts
//! and the audit trail. The top of the crate: it calls down into the store and the workflow,
//! nothing calls up into it.

mod auth;
pub mod capture;
pub mod catalogue;
mod clock;
mod dispatch;
mod error;
mod features;
mod http_cache;
mod layer_index;
mod layer_set;
mod layer_state;
mod layer_tiles;
mod listen;
mod metrics;
mod openapi;
mod origin;
mod plans;
mod query;
mod reports;
mod review;
mod schedule;
mod scope;
mod supervision;
mod tables;
mod throttle;
mod tile_cache;
mod tiles;
mod tls;
mod views;
mod web;
mod writes;

pub use error::ApiError;
pub use listen::ConnectionLimits;
pub use origin::parse_public_url;
pub use tls::{TlsSource, machine_hosts};

use crate::planning::PlanningConfig;
use crate::store::Store;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use chrono::NaiveDate;
use layer_set::Layers;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// The plan day the layers show; None: today in the district's time, moving at midnight.
    pub date: Option<NaiveDate>,
    /// A fixed local moment for the server's clock (`--now`, for tests); None: the real time.
    /// The current-plan rule (`planning::shift_clock`) follows it, even with `date` set.
    pub now: Option<chrono::NaiveDateTime>,
    pub session_hours: i64,
    /// Browser origins allowed to call the API from another site (CORS); none by default.
    pub origins: Vec<String>,
    pub max_photo_bytes: usize,
    pub max_request_bytes: usize,
    pub request_timeout: Duration,
    /// Connection hygiene: header and idle timeouts, connections per address, drain time.
    pub connections: listen::ConnectionLimits,
    /// Addresses that may read `/metrics` without a token (a Prometheus server).
    pub metrics_from: Vec<std::net::IpAddr>,
    /// Unattended backups, when configured.
    pub backups: Option<BackupSchedule>,
    /// The root of every absolute link (`--public-url`); None: the Host the client used.
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-*` headers are believed (`--trust-proxy`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Served over TLS: links say https.
    pub tls: bool,
    /// Where the certificate comes from, when serving HTTPS.
    pub tls_source: Option<TlsSource>,
    /// A plain HTTP listener that redirects to HTTPS.
    pub redirect_http: Option<SocketAddr>,
    /// Send HSTS (only with a real certificate).
    pub hsts: bool,
}

/// `serve --backup-every 24h --backup-keep 14 [--backup-dir DIR]`.
#[derive(Debug, Clone)]
pub struct BackupSchedule {
    pub dir: PathBuf,
    pub every: Duration,
    pub keep: usize,
}

impl ServeOptions {
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            date: None,
            now: None,
            session_hours: 12,
            origins: Vec::new(),
            max_photo_bytes: 8 << 20,
            max_request_bytes: 32 << 20,
            request_timeout: Duration::from_secs(30),
            connections: listen::ConnectionLimits {
                header_timeout: Duration::from_secs(10),
                idle_timeout: Duration::from_secs(75),
                per_address: 256,
                drain: Duration::from_secs(30),
            },
            metrics_from: Vec::new(),
            backups: None,
            public_url: None,
            trusted_proxies: Vec::new(),
            tls: false,
            tls_source: None,
            redirect_http: None,
            hsts: false,
        }
    }
}

pub struct AppState {
    pub data: PathBuf,
    pub config: PlanningConfig,
    pub options: ServeOptions,
    /// Writes go through one connection (SQLite takes one writer at a time anyway).
    writer: Mutex<Store>,
    /// Table reads take a free connection of a few, so they never wait behind a commit and
    /// a slow one (a city's overdue list) holds up only itself.
    readers: Readers,
    /// The point reads every request makes (its session, the content revision) on a
    /// connection of their own: none waits behind a table read or a patch.
    lookups: Mutex<Store>,
    /// Patches read what a write changed on their own connection, under `reloading`.
    patcher: Mutex<Store>,
    /// The layers as of the content revision they show; replaced whole, never edited.
    layers: RwLock<Arc<Layers>>,
    /// Patches and swaps of the layers, one at a time.
    reloading: tokio::sync::Mutex<()>,
    /// A full rebuild runs in the background (after an import or a lighting run).
    rebuilding: std::sync::atomic::AtomicBool,
    login_throttle: throttle::LoginThrottle,
    archives: tiles::Archives,
    lighting: views::LightingCache,
    /// The layer catalogue's entries, per layer revision and viewer.
    catalogue: tile_cache::MadeOnce,
    metrics: Arc<metrics::Metrics>,
    /// Teams and the days they have plans, for the current-plan rule (see `clock`).
    roster: clock::Roster,
    /// Layers of plan days other than `plan_date()`, for teams whose current plan differs.
    other_days: clock::OtherDays,
    /// Dispatch steps (drafts, re-optimisations, publishing) run one at a time.
    dispatch_turn: tokio::sync::Mutex<()>,
    /// The dispatch step running now, shown beside its day's plan.
    planning_job: Mutex<Option<serde_json::Value>>,
    /// Street graphs and travel tables kept between dispatch steps.
    routing: crate::routing::RoutingCache,
}

pub type Shared = Arc<AppState>;

impl AppState {
    pub fn open(
        data: PathBuf,
        config: PlanningConfig,
        options: ServeOptions,
    ) -> anyhow::Result<Self> {
        let writer = Store::open(&data)?;
        let readers = Readers::open(&data)?;
        let lookups = Store::open(&data)?;
        let patcher = Store::open(&data)?;
        let date = clock::first_plan_date(&lookups, &config, &options)?;
        let layers = Layers::load(&lookups, &config, date)?;
        Ok(Self {
            data,
            config,
            options,
            writer: Mutex::new(writer),
            readers,
            lookups: Mutex::new(lookups),
            patcher: Mutex::new(patcher),
            layers: RwLock::new(Arc::new(layers)),
            reloading: tokio::sync::Mutex::new(()),
            rebuilding: Default::default(),
            login_throttle: Default::default(),
            archives: Default::default(),
            lighting: Default::default(),
            catalogue: tile_cache::MadeOnce::new(512),
            metrics: Default::default(),
            roster: Default::default(),
            other_days: Default::default(),
            dispatch_turn: Default::default(),
            planning_job: Default::default(),
            routing: Default::default(),
        })
    }

    /// Runs `f` on the write connection off the async threads. A write that changed content
    /// brings the layers forward before it returns, so what it wrote is on the map for the
    /// next read, and readers meanwhile answer from the layers as they were (see `layers`).
    pub async fn write<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        let (out, revision) = tokio::task::spawn_blocking(move || {
            let mut store = state
                .writer
                .lock()
                .map_err(|_| ApiError::internal("store lock poisoned"))?;
            let out = f(&mut store)?;
            Ok::<_, ApiError>((out, store.content_revision()?))
        })
        .await
        .map_err(ApiError::internal)??;
        self.catch_up(revision).await;
        Ok(out)
    }

    /// Runs `f` on a read connection off the async threads.
    pub async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || state.readers.with(f))
            .await
            .map_err(ApiError::internal)?
    }

    /// Runs a point read (a session, the revision) on the lookup connection.
    pub async fn lookup<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.on(|s| &s.lookups, f).await
    }

    /// The store's content revision now.
    pub async fn content_revision(self: &Arc<Self>) -> Result<i64, ApiError> {
        self.lookup(|store| Ok(store.content_revision()?)).await
    }

    /// Runs `f` on the connection `pick` names, off the async threads.
    async fn on<T: Send + 'static>(
        self: &Arc<Self>,
        pick: fn(&AppState) -> &Mutex<Store>,
        f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let store = pick(&state)
                .lock()
                .map_err(|_| ApiError::internal("store lock poisoned"))?;
            f(&store)
        })
        .await
        .map_err(ApiError::internal)?
    }
}

/// The machine's cores (2 when it cannot tell): what the connection pool and the blocking
/// threads are sized by.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// A few read connections; SQLite in WAL mode reads on all of them at once.
struct Readers {
    connections: Vec<Mutex<Store>>,
    next: std::sync::atomic::AtomicUsize,
}

impl Readers {
    fn open(data: &std::path::Path) -> anyhow::Result<Self> {
        Ok(Self {
            connections: (0..(2 * cores()).clamp(2, 8))
                .map(|_| Store::open(data).map(Mutex::new))
                .collect::<Result<_, _>>()?,
            next: Default::default(),
        })
    }

    /// `f` on the first free connection, taking turns; on a busy one when none is free.
    fn with<T>(&self, f: impl FnOnce(&Store) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let n = self.connections.len();
        let start = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for i in 0..n {
            if let Ok(store) = self.connections[(start + i) % n].try_lock() {
                return f(&store);
            }
        }
        let store = self.connections[start % n]
            .lock()
            .map_err(|_| ApiError::internal("store lock poisoned"))?;
        f(&store)
    }
}

pub fn router(state: Shared) -> Router {
    let origins: Vec<HeaderValue> = state
        .options
        .origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    // Only with configured origins: a CORS layer answers every OPTIONS itself, which would hide
    // the `Allow` header that OGC API clients read.
    let cors = (!origins.is_empty()).then(|| {
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
    });
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(features::routes())
        .merge(auth::routes())
        .merge(tiles::routes())
        .merge(plans::routes())
        .merge(dispatch::routes())
        .merge(review::routes())
        .merge(supervision::routes())
        .merge(reports::routes())
        .merge(views::routes())
        .route(
            "/api/openapi.json",
            axum::routing::get(openapi::api_document_response),
        )
        .merge(writes::routes(&state.options))
        .route("/healthz", axum::routing::get(healthz))
        .route("/metrics", axum::routing::get(metrics::metrics))
        .merge(web::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(RequestBodyLimitLayer::new(state.options.max_request_bytes))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.options.request_timeout,
        ))
        // Inside compression (it reads plain bodies) and outside everything that can refuse a
        // request, so that every error leaves as JSON.
        .layer(axum::middleware::from_fn(error::json_errors))
        .layer(
            CompressionLayer::new().compress_when(
                // Archives are read by byte range and tiles are gzipped already.
                DefaultPredicate::new()
                    .and(NotForContentType::const_new(tiles::PMTILES))
                    .and(NotForContentType::const_new(tiles::MVT)),
            ),
        )
        .layer(tower::util::option_layer(cors))
        // Only with a real certificate: HSTS on a self-signed one would lock phones out.
        .layer(tower::util::option_layer(state.options.hsts.then(|| {
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            )
        })))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<axum::body::Body>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", id, method = %req.method(), path = %req.uri().path())
            },
        ))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

async fn healthz(
    axum::extract::State(state): axum::extract::State<Shared>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let version = state.read(|s| Ok(s.schema_version()?)).await?;
    Ok(axum::Json(
        serde_json::json!({ "status": "ok", "schema_version": version }),
    ))
}

/// Serves until Ctrl-C (or SIGTERM); prints the URL once listening.
pub fn serve(
    data: PathBuf,
    config: PlanningConfig,
    mut options: ServeOptions,
) -> anyhow::Result<()> {
    // Blocking work (store reads behind their connection's lock, tile cutting) gains nothing
    // from hundreds of threads on a few cores, and each thread's allocator heap holds memory:
    // under load on the synthetic city 256 threads took the server from 2.9 to 4.2 GB.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads((16 * cores()).clamp(32, 256))
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listen = options.listen;
        let limits = options.connections.clone();
        sweep_photos(&data)?;
        let tls = options
            .tls_source
            .as_ref()
            .map(|source| tls::Tls::load(source, &data))
            .transpose()?;
        options.tls = tls.is_some();
        options.hsts = tls.as_ref().is_some_and(|t| t.trusted);
        let redirect = options.redirect_http;
        let state = Arc::new(AppState::open(data, config, options)?);
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        // The first line names the address: scripts and the tests read it.
        println!("patrolmap is serving on {scheme}://{addr}/ (Ctrl-C stops it)");
        if let Some(t) = &tls {
            print_tls_welcome(t, addr, state.options.public_url.as_deref());
        }
        if let Some(at) = redirect {
            let plain = tokio::net::TcpListener::bind(at)
                .await
                .map_err(|e| anyhow::anyhow!("--redirect-http: cannot listen on {at}: {e}"))?;
            println!(
                "plain HTTP on http://{}/ redirects to HTTPS",
                plain.local_addr()?
            );
            let app = redirect_to_https(addr.port(), state.options.public_url.clone());
            let (limits, metrics) = (limits.clone(), state.metrics.clone());
            tokio::spawn(async move {
                let stop = std::future::pending::<()>();
                if let Err(e) = listen::serve(plain, app, limits, None, metrics, stop).await {
                    tracing::error!(error = %e, "the HTTP redirect listener stopped");
                }
            });
        }
        let tls = tls.map(|t| t.acceptor);
        if let Some(schedule) = state.options.backups.clone() {
            tokio::spawn(back_up_every(state.data.clone(), schedule));
        }
        schedule::spawn(state.clone());
        let metrics = state.metrics.clone();
        listen::serve(listener, router(state), limits, tls, metrics, shutdown()).await?;
        Ok(())
    })
}

/// What a district's IT person needs to hand the HTTPS address to phones: the fingerprint to
/// compare, the addresses to open, and the first of them as a QR code.
fn print_tls_welcome(t: &tls::Tls, addr: SocketAddr, public_url: Option<&str>) {
    let port = addr.port();
    let mut urls: Vec<String> = match public_url {
        Some(u) => vec![format!("{u}/")],
        None => t
            .hosts
            .iter()
            .filter(|h| !matches!(h.as_str(), "localhost" | "127.0.0.1" | "::1"))
            .map(|h| match h.parse::<std::net::Ipv6Addr>() {
                Ok(v6) => format!("https://[{v6}]:{port}/"),
                Err(_) => format!("https://{h}:{port}/"),
            })
            .collect(),
    };
    if urls.is_empty() {
        urls.push(format!("https://{addr}/"));
    }
    println!("certificate SHA-256 {}", t.fingerprint);
    if !t.trusted {
        println!(
            "self-signed certificate {} (install it on the phones; see the README)",
            t.cert_path.display()
        );
    }
    for u in &urls {
        println!("open {u}");
    }
    println!("{}", tls::qr(&urls[0]));
}

/// The plain HTTP listener's only answer: the same path on HTTPS.
fn redirect_to_https(port: u16, public_url: Option<String>) -> Router {
    Router::new().fallback(
        move |headers: axum::http::HeaderMap, uri: axum::http::Uri| {
            let public_url = public_url.clone();
            async move {
                let path = uri.path_and_query().map_or("/", |p| p.as_str());
                let target = match public_url {
                    Some(u) => format!("{u}{path}"),
                    None => {
                        let host = headers
                            .get(header::HOST)
                            .and_then(|h| h.to_str().ok())
                            // `name:port` or `[v6]:port` without the port.
                            .map(|h| match h.rsplit_once(':') {
                                Some((name, port)) if !port.contains(']') => name,
                                _ => h,
                            })
                            .filter(|h| {
                                h.bytes()
                                    .all(|b| b.is_ascii_alphanumeric() || b".-[]".contains(&b))
                            })
                            .unwrap_or("localhost")
                            .to_string();
                        format!("https://{host}:{port}{path}")
                    }
                };
                axum::response::Redirect::permanent(&target)
            }
        },
    )
}

/// Unattended backups: one at each interval (the first one interval after start-up, or at
/// once when the newest is older than that), rotated to keep the newest `keep`.
async fn back_up_every(data: PathBuf, schedule: BackupSchedule) {
    use crate::workflow::backup::{newest_backup_age, take_rotated};
    let mut wait = match newest_backup_age(&schedule.dir) {
        Some(age) => schedule.every.saturating_sub(age),
        None => Duration::ZERO,
    };
    loop {
        tokio::time::sleep(wait).await;
        let (data, dir, keep) = (data.clone(), schedule.dir.clone(), schedule.keep);
        let taken = tokio::task::spawn_blocking(move || take_rotated(&data, &dir, keep)).await;
        match taken {
            Ok(Ok(m)) => tracing::info!(
                dir = %schedule.dir.display(),
                files = m.files.len(),
                bytes = m.total_bytes(),
                "backup taken"
            ),
            Ok(Err(e)) => tracing::error!(error = %format!("{e:#}"), "backup failed"),
            Err(e) => tracing::error!(error = %e, "backup task failed"),
        }
        wait = schedule.every;
    }
}

/// Photos a crash left between staging and placing are placed; files no record names, older
/// than an hour (so never an upload in flight), are removed.
fn sweep_photos(data: &std::path::Path) -> anyhow::Result<()> {
    let store = Store::open(data)?;
    let referenced = store.photo_hashes()?;
    let sweep = crate::store::PhotoFolder::new(data)
        .sweep(&referenced, Duration::from_secs(3600))
        .map_err(|e| anyhow::anyhow!("sweeping {}: {e}", data.join("photos").display()))?;
    if sweep.placed + sweep.removed > 0 {
        tracing::info!(
            placed = sweep.placed,
            removed = sweep.removed,
            "photo sweep"
        );
    }
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
