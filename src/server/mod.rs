//! The HTTP service: map layers as GeoJSON and OGC API – Features, inspection capture, accounts
//! and the audit trail. The top of the crate: it calls down into the store and the workflow,
//! nothing calls up into it.

mod auth;
pub mod catalogue;
mod error;
mod features;
mod openapi;
mod plans;
mod throttle;
mod tiles;
mod views;
mod web;
mod writes;

pub use error::ApiError;

use crate::planning::PlanningConfig;
use crate::store::Store;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use catalogue::Layers;
use chrono::NaiveDate;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
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
    pub session_hours: i64,
    /// Browser origins allowed to call the API from another site (CORS); none by default.
    pub origins: Vec<String>,
    pub max_photo_bytes: usize,
    pub max_request_bytes: usize,
    pub request_timeout: Duration,
}

impl ServeOptions {
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            date: None,
            session_hours: 12,
            origins: Vec::new(),
            max_photo_bytes: 8 << 20,
            max_request_bytes: 32 << 20,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Layers are rebuilt after a change at most this often; between rebuilds they may lag.
const LAYER_REFRESH: Duration = Duration::from_secs(1);

pub struct AppState {
    pub data: PathBuf,
    pub config: PlanningConfig,
    pub options: ServeOptions,
    /// Writes go through one connection (SQLite takes one writer at a time anyway).
    writer: Mutex<Store>,
    /// Sessions and layer loads read through another, so they never wait behind a commit.
    reader: Mutex<Store>,
    layers: RwLock<(Arc<Layers>, i64, Instant)>,
    reloading: tokio::sync::Mutex<()>,
    login_throttle: throttle::LoginThrottle,
    archives: tiles::Archives,
    lighting: views::LightingCache,
}

pub type Shared = Arc<AppState>;

impl AppState {
    pub fn open(
        data: PathBuf,
        config: PlanningConfig,
        options: ServeOptions,
    ) -> anyhow::Result<Self> {
        let writer = Store::open(&data)?;
        let reader = Store::open(&data)?;
        let date = options.date.unwrap_or_else(|| config.today());
        let version = reader.data_version()?;
        let layers = Layers::load(&reader, &config, date)?;
        Ok(Self {
            data,
            config,
            options,
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            layers: RwLock::new((Arc::new(layers), version, Instant::now())),
            reloading: tokio::sync::Mutex::new(()),
            login_throttle: Default::default(),
            archives: Default::default(),
            lighting: Default::default(),
        })
    }

    pub fn plan_date(&self) -> NaiveDate {
        self.options.date.unwrap_or_else(|| self.config.today())
    }

    /// Runs `f` on the write connection off the async threads.
    pub async fn write<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = state
                .writer
                .lock()
                .map_err(|_| ApiError::internal("store lock poisoned"))?;
            f(&mut store)
        })
        .await
        .map_err(ApiError::internal)?
    }

    pub async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let store = state
                .reader
                .lock()
                .map_err(|_| ApiError::internal("store lock poisoned"))?;
            f(&store)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// The layers, rebuilt first if the store or the day changed since they were loaded.
    pub async fn layers(self: &Arc<Self>) -> Result<Arc<Layers>, ApiError> {
        let (current, version, at) = {
            let l = self
                .layers
                .read()
                .map_err(|_| ApiError::internal("layer lock poisoned"))?;
            (l.0.clone(), l.1, l.2)
        };
        let now_version = self.read(|s| Ok(s.data_version()?)).await?;
        let date = self.plan_date();
        if (now_version == version && current.date == date) || at.elapsed() < LAYER_REFRESH {
            return Ok(current);
        }
        let _one_at_a_time = self.reloading.lock().await;
        let state = self.clone();
        let fresh = tokio::task::spawn_blocking(move || {
            let store = state
                .reader
                .lock()
                .map_err(|_| ApiError::internal("store lock poisoned"))?;
            let version = store.data_version()?;
            let layers = Layers::load(&store, &state.config, date)?;
            Ok::<_, ApiError>((Arc::new(layers), version))
        })
        .await
        .map_err(ApiError::internal)??;
        let mut l = self
            .layers
            .write()
            .map_err(|_| ApiError::internal("layer lock poisoned"))?;
        *l = (fresh.0.clone(), fresh.1, Instant::now());
        Ok(fresh.0)
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
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::OPTIONS])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
    });
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(features::routes())
        .merge(auth::routes())
        .merge(tiles::routes())
        .merge(plans::routes())
        .merge(views::routes())
        .route(
            "/api/openapi.json",
            axum::routing::get(openapi::api_document_response),
        )
        .merge(writes::routes(&state.options))
        .route("/healthz", axum::routing::get(healthz))
        .merge(web::routes())
        .layer(RequestBodyLimitLayer::new(state.options.max_request_bytes))
        .layer(
            CompressionLayer::new().compress_when(
                // Archives are read by byte range and tiles are gzipped already.
                DefaultPredicate::new()
                    .and(NotForContentType::const_new(tiles::PMTILES))
                    .and(NotForContentType::const_new(tiles::MVT)),
            ),
        )
        .layer(tower::util::option_layer(cors))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.options.request_timeout,
        ))
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
pub fn serve(data: PathBuf, config: PlanningConfig, options: ServeOptions) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listen = options.listen;
        let state = Arc::new(AppState::open(data, config, options)?);
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr()?;
        println!("patrolmap is serving on http://{addr}/ (Ctrl-C stops it)");
        axum::serve(
            listener,
            router(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown())
        .await?;
        Ok(())
    })
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
