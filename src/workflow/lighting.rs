//! The lighting model over the city in the store: loaded once, then asked about single points
//! (the CLI's `--at`, the map's click) or run over every street and corner.

use crate::index::CityIndex;
use crate::lighting::{
    LightingConfig, LightingModel, LightingReport, PointIlluminance, StreetStandard,
    street_standard_near,
};
use crate::model::{Corner, LonLat, StreetEdge, Venue};
use crate::store::Store;

/// Everything the model needs from the store, kept together so that point queries and a whole
/// run see the same lamps, streets and metric frame.
pub struct CityLighting {
    pub edges: Vec<StreetEdge>,
    pub corners: Vec<Corner>,
    pub venues: Vec<Venue>,
    pub city: CityIndex,
    pub model: LightingModel,
}

impl CityLighting {
    /// An empty store gives an unlit model, not an error: callers that need streets say so.
    pub fn load(store: &Store, config: &LightingConfig) -> crate::store::Result<Self> {
        let (edges, lamps) = (store.street_edges()?, store.lamps()?);
        let (corners, venues) = (store.corners()?, store.venues()?);
        let city = CityIndex::build(&venues, &lamps, &corners, &edges);
        let model = LightingModel::new(&city, &edges, &lamps, config);
        Ok(Self {
            edges,
            corners,
            venues,
            city,
            model,
        })
    }

    /// The illuminance at a point, lamp by lamp.
    pub fn at(&self, at: LonLat) -> PointIlluminance {
        self.model.at(at)
    }

    /// The standard of the judged street nearest the point, within `max_distance_m`.
    pub fn street_near(&self, at: LonLat, max_distance_m: f64) -> Option<StreetStandard> {
        street_standard_near(
            at,
            &self.edges,
            &self.city.streets,
            self.model.config(),
            max_distance_m,
        )
    }

    pub fn evaluate(&self, proposals: usize) -> LightingReport {
        self.model
            .evaluate(&self.edges, &self.corners, &self.venues, proposals)
    }
}

/// Runs the lighting model again, with the newest run's configuration and as many proposals,
/// when lamps changed since that run (before the daily draft, so darkness in the risk is
/// today's). True when it ran.
pub fn refresh_lighting(store: &mut Store) -> anyhow::Result<bool> {
    if !store.lamps_changed_since_lighting()? {
        return Ok(false);
    }
    let config = store.lighting_config()?.unwrap_or_default();
    let proposals = store.crew_work()?.1.len().max(1);
    let lighting = CityLighting::load(store, &config)?;
    let report = lighting.evaluate(proposals);
    store.save_lighting(&config, &report)?;
    Ok(true)
}
