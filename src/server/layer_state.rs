//! The server's layers kept current: patched by the features each write changed, rebuilt in the
//! background after an import or a lighting run, loaded anew at a new day.

use super::layer_set::{self, Layers};
use super::{ApiError, AppState, Shared};
use crate::store::Store;
use chrono::NaiveDate;
use std::sync::Arc;
use std::time::Instant;

impl AppState {
    /// The layers as of now. A write through this server brings them forward before it
    /// answers (`catch_up`); a change made elsewhere (another process on the store) is patched
    /// in by the first request that sees it, while other requests answer from the layers as
    /// they were rather than queue behind the patch. A change that needs a rebuild (an import,
    /// a lighting run) starts one in the background. A new day is loaded before answering:
    /// nothing of the old day's plan is right for it.
    pub async fn layers(self: &Arc<Self>) -> Result<Arc<Layers>, ApiError> {
        let current = self.current_layers()?;
        let date = self.plan_date().await?;
        if current.date != date {
            let _turn = self.reloading.lock().await;
            let current = self.current_layers()?;
            if current.date == date {
                return Ok(current);
            }
            let started = Instant::now();
            let fresh = Arc::new(load_layers(self.clone(), date).await?);
            self.metrics.layers_rebuilt(started.elapsed().as_secs_f64());
            self.set_layers(fresh.clone())?;
            return Ok(fresh);
        }
        let revision = self.content_revision().await?;
        if revision == current.revision {
            return Ok(current);
        }
        // A patch running now brings the layers forward: answer from them as they are.
        let Ok(_turn) = self.reloading.try_lock() else {
            return Ok(current);
        };
        self.forward_to(revision).await
    }

    /// After a write committed at `revision`: the layers brought forward to it before the
    /// write is answered. Writes that arrive during a patch wait for it and are often covered
    /// by the next one together. A failure is logged: the write itself has committed.
    pub(crate) async fn catch_up(self: &Arc<Self>, revision: i64) {
        let Ok(current) = self.current_layers() else {
            return;
        };
        if revision <= current.revision {
            return;
        }
        let _turn = self.reloading.lock().await;
        if let Err(e) = self.forward_to(revision).await {
            tracing::warn!(error = %e.message, revision, "bringing the layers forward failed");
        }
    }

    /// The main layers brought forward to at least `revision` (a rebuild in the background
    /// when patching will not do); the caller holds `reloading`.
    async fn forward_to(self: &Arc<Self>, revision: i64) -> Result<Arc<Layers>, ApiError> {
        let current = self.current_layers()?;
        if revision <= current.revision {
            return Ok(current);
        }
        match self.bring_forward(current.clone()).await? {
            Some(next) => {
                self.set_layers(next.clone())?;
                Ok(next)
            }
            None => {
                self.rebuild_in_background();
                Ok(current)
            }
        }
    }

    fn current_layers(&self) -> Result<Arc<Layers>, ApiError> {
        Ok(self
            .layers
            .read()
            .map_err(|_| ApiError::internal("layer lock poisoned"))?
            .clone())
    }

    fn set_layers(&self, layers: Arc<Layers>) -> Result<(), ApiError> {
        *self
            .layers
            .write()
            .map_err(|_| ApiError::internal("layer lock poisoned"))? = layers;
        Ok(())
    }

    /// `layers` patched up to the store's content revision, or None when that takes a rebuild.
    pub(crate) async fn bring_forward(
        self: &Arc<Self>,
        layers: Arc<Layers>,
    ) -> Result<Option<Arc<Layers>>, ApiError> {
        let state = self.clone();
        let started = Instant::now();
        let next = self
            .on(
                |s| &s.patcher,
                move |store| {
                    // The revision first: changes after it are re-applied next time, none is missed.
                    let revision = store.content_revision()?;
                    let changes =
                        store.changes_since(layers.revision, layer_set::PATCH_LIMIT + 1)?;
                    Ok(layers
                        .updated(store, &state.config, &changes, revision)
                        .map_err(|e| ApiError::internal(format!("{e:#}")))?
                        .map(Arc::new))
                },
            )
            .await?;
        if next.is_some() {
            self.metrics.layers_patched(started.elapsed().as_secs_f64());
        }
        Ok(next)
    }

    /// Starts a full rebuild of the main layers on a connection of its own (readers are not
    /// held up), unless one is running; the result replaces the layers if it is newer.
    fn rebuild_in_background(self: &Arc<Self>) {
        use std::sync::atomic::Ordering;
        if self.rebuilding.swap(true, Ordering::SeqCst) {
            return;
        }
        let state = self.clone();
        tokio::spawn(async move {
            let result = async {
                let date = state.current_layers()?.date;
                let started = Instant::now();
                let fresh = load_layers(state.clone(), date).await?;
                let _turn = state.reloading.lock().await;
                let current = state.current_layers()?;
                if fresh.revision > current.revision && fresh.date == current.date {
                    state.set_layers(Arc::new(current.reloaded(fresh)))?;
                }
                state
                    .metrics
                    .layers_rebuilt(started.elapsed().as_secs_f64());
                Ok::<_, ApiError>(())
            }
            .await;
            state.rebuilding.store(false, Ordering::SeqCst);
            if let Err(e) = result {
                tracing::error!(error = %e.message, "rebuilding the layers failed");
            }
        });
    }
}

/// The layers of `date` as the store holds them now, read on a connection of their own.
pub(super) async fn load_layers(state: Shared, date: NaiveDate) -> Result<Layers, ApiError> {
    tokio::task::spawn_blocking(move || {
        let store = Store::open(&state.data)?;
        Layers::load(&store, &state.config, date).map_err(|e| ApiError::internal(format!("{e:#}")))
    })
    .await
    .map_err(ApiError::internal)?
}
