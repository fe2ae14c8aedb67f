//! `/metrics` in the Prometheus text format, for a district's monitoring: requests by route and
//! status, latency, inspections accepted, sign-in failures and password checks, layer rebuild
//! time, store size, the age of the last backup, connections refused. Readable by admins (a
//! Bearer token) or, without a token, from the addresses `--metrics-from` names.

use super::Shared;
use super::error::ApiError;
use crate::model::Role;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// The route's pattern (`/api/plans/{date}`), never the raw path: bounded label values.
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RecordLabels {
    /// `new` for a first upload, `retry` for the same record again.
    result: &'static str,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    inspections: Family<RecordLabels, Counter>,
    login_failures: Counter,
    password_checks: Counter,
    layer_rebuild: Histogram,
    layer_patch: Histogram,
    tile_cache_bytes: Gauge,
    store_bytes: Gauge,
    backup_age: Gauge<f64, AtomicU64>,
    connections_refused: Counter,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("patrolmap");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route pattern, method and status",
            requests.clone(),
        );
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer a request, by route pattern",
            Unit::Seconds,
            latency.clone(),
        );
        let inspections = Family::<RecordLabels, Counter>::default();
        registry.register(
            "inspections_accepted",
            "Inspection uploads acknowledged (new records and retries of recorded ones)",
            inspections.clone(),
        );
        let login_failures = Counter::default();
        registry.register(
            "login_failures",
            "Sign-ins refused for a wrong name or password",
            login_failures.clone(),
        );
        let password_checks = Counter::default();
        registry.register(
            "password_checks",
            "Password verifications run, for known and unknown names alike",
            password_checks.clone(),
        );
        let layer_rebuild = Histogram::new(exponential_buckets(0.01, 2.0, 12));
        registry.register_with_unit(
            "layer_rebuild_duration",
            "Time to load the map layers whole (at start, a new day, an import or a lighting run)",
            Unit::Seconds,
            layer_rebuild.clone(),
        );
        let layer_patch = Histogram::new(exponential_buckets(0.0005, 2.0, 12));
        registry.register_with_unit(
            "layer_patch_duration",
            "Time to bring the map layers forward by the features a write changed",
            Unit::Seconds,
            layer_patch.clone(),
        );
        let tile_cache_bytes = Gauge::default();
        registry.register_with_unit(
            "tile_cache",
            "Bytes of layer tiles held in the tile cache (bounded by its budget)",
            Unit::Bytes,
            tile_cache_bytes.clone(),
        );
        let store_bytes = Gauge::default();
        registry.register_with_unit(
            "store_size",
            "Size of the SQLite store and its write-ahead log",
            Unit::Bytes,
            store_bytes.clone(),
        );
        let backup_age = Gauge::<f64, AtomicU64>::default();
        registry.register_with_unit(
            "last_backup_age",
            "Age of the newest finished backup (NaN when there is none)",
            Unit::Seconds,
            backup_age.clone(),
        );
        let connections_refused = Counter::default();
        registry.register(
            "connections_refused",
            "Connections closed at once because their address held too many",
            connections_refused.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            inspections,
            login_failures,
            password_checks,
            layer_rebuild,
            layer_patch,
            tile_cache_bytes,
            store_bytes,
            backup_age,
            connections_refused,
        }
    }
}

impl Metrics {
    pub fn inspection_recorded(&self, created: bool) {
        let result = if created { "new" } else { "retry" };
        self.inspections
            .get_or_create(&RecordLabels { result })
            .inc();
    }

    pub fn login_failed(&self) {
        self.login_failures.inc();
    }

    pub fn layers_rebuilt(&self, seconds: f64) {
        self.layer_rebuild.observe(seconds);
    }

    pub fn layers_patched(&self, seconds: f64) {
        self.layer_patch.observe(seconds);
    }

    pub fn connection_refused(&self) {
        self.connections_refused.inc();
    }

    /// The text format, with the values that are read rather than counted brought up to date.
    fn encode(&self, state: &Shared) -> Result<String, std::fmt::Error> {
        let checks = crate::store::password_checks();
        self.password_checks
            .inc_by(checks.saturating_sub(self.password_checks.get()));
        let db = state.data.join(crate::store::DATABASE_FILE);
        let wal = state
            .data
            .join(format!("{}-wal", crate::store::DATABASE_FILE));
        let size: u64 = [db, wal]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        self.store_bytes.set(size as i64);
        self.tile_cache_bytes
            .set(state.archives.cut.usage().1 as i64);
        let age = state
            .options
            .backups
            .as_ref()
            .and_then(|b| crate::workflow::backup::newest_backup_age(&b.dir))
            .map_or(f64::NAN, |d| d.as_secs_f64());
        self.backup_age.set(age);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Counts and times every request under its route pattern.
pub async fn track(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let m = &state.metrics;
    m.latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    m.requests
        .get_or_create(&RequestLabels {
            route,
            method,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

pub async fn metrics(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Result<Response, ApiError> {
    let (mut parts, _) = request.into_parts();
    let allowed_address = state.options.metrics_from.contains(&peer.ip());
    if parts.headers.contains_key(header::AUTHORIZATION) || !allowed_address {
        use axum::extract::FromRequestParts;
        let who = super::auth::Signed::from_request_parts(&mut parts, &state).await?;
        who.require(&[Role::Admin], "read the metrics")?;
    }
    let text = state.metrics.encode(&state).map_err(ApiError::internal)?;
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    Ok(response)
}
