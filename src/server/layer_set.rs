//! Every layer as of one content revision: loaded whole at start-up (and after an import or a
//! lighting run), then brought forward write by write. A venue's change re-reads that venue's
//! feature and the coverage of the areas holding it; a lamp's, that lamp; a plan's, the routes
//! and which teams see which venues. Everything else shares the features it had.

use super::catalogue::{COVERAGE_PERIOD_DAYS, LAYERS, Source};
use super::layer_index::{Layer, NewFeature};
use crate::index::AreaLocator;
use crate::model::{Area, AreaLevel};
use crate::planning::PlanningConfig;
use crate::planning::export::route_geojson;
use crate::planning::plan::PatrolPlan;
use crate::planning::teams::Duty;
use crate::store::{Change, MapFeature, Store, StoredLayer, Subject};
use crate::workflow::live_coverage::LiveCoverage;
use chrono::NaiveDate;
use geojson::Feature;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// More changed subjects than this (an import, a re-plan of every risk) rebuild the layers
/// instead of patching them one by one.
pub const PATCH_LIMIT: usize = 2_000;

/// Every layer as of one moment.
#[derive(Clone)]
pub struct Layers {
    pub date: NaiveDate,
    pub loaded_at: String,
    /// The content revision these layers show.
    pub revision: i64,
    layers: Vec<Arc<Layer>>,
    /// Townships and communities: which of them each feature lies in decides who sees it.
    scope_areas: Arc<Vec<Area>>,
    /// The areas layer's figures as each venue's part, recounted venue by venue by patches
    /// (which run one at a time); shared by the copies a patch makes, replaced by a rebuild.
    coverage: Arc<Mutex<LiveCoverage>>,
}

/// Which teams have each venue on the day's route: an inspector sees those venues only.
fn planned_teams(plans: &[&PatrolPlan]) -> HashMap<String, Vec<i64>> {
    let mut planned: HashMap<String, Vec<i64>> = HashMap::new();
    for r in plans.iter().flat_map(|p| &p.routes) {
        for s in &r.stops {
            if s.target.kind() == "venue" {
                planned
                    .entry(s.target.id().to_string())
                    .or_default()
                    .push(r.team_id);
            }
        }
    }
    planned
}

fn stored_feature(m: MapFeature, teams: Vec<i64>) -> NewFeature {
    let f = Feature {
        geometry: Some(m.geometry),
        properties: Some(m.properties),
        ..Default::default()
    };
    (m.id.to_string(), f, teams)
}

/// A coverage feature as the `areas` layer serves it: its area id as the feature id.
fn coverage_feature(mut f: Feature) -> NewFeature {
    let id = f
        .property("area_id")
        .and_then(Value::as_i64)
        .map(|a| a.to_string())
        .unwrap_or_default();
    if let Some(p) = f.properties.as_mut() {
        p.insert("period_days".into(), json!(COVERAGE_PERIOD_DAYS));
    }
    f.id = None;
    (id, f, Vec::new())
}

fn route_features(plans: &[&PatrolPlan]) -> Vec<NewFeature> {
    let mut out = Vec::new();
    for p in plans {
        for r in &p.routes {
            for mut f in route_geojson(p, r).features {
                let seq = f.property("seq").and_then(Value::as_u64);
                let id = match seq {
                    Some(s) => format!("{}-{}-stop-{s}", p.id, r.team_id),
                    None => format!("{}-{}-route", p.id, r.team_id),
                };
                if let Some(props) = f.properties.as_mut() {
                    props.insert("team_id".into(), json!(r.team_id));
                    props.insert("duty".into(), json!(p.duty.as_str()));
                }
                out.push((id, f, vec![r.team_id]));
            }
        }
    }
    out
}

/// The day's published plans, inspection then lighting.
fn day_plans(store: &Store, date: NaiveDate) -> anyhow::Result<Vec<PatrolPlan>> {
    Ok([Duty::Inspection, Duty::Lighting]
        .into_iter()
        .map(|duty| store.published_plan_for(date, duty))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect())
}

impl Layers {
    pub fn load(store: &Store, config: &PlanningConfig, date: NaiveDate) -> anyhow::Result<Self> {
        // Read first: a write during the load leaves the layers an older revision than they
        // show, and re-applying a change is harmless.
        let revision = store.content_revision()?;
        let plans = day_plans(store, date)?;
        let plan_refs: Vec<&PatrolPlan> = plans.iter().collect();
        let inspection_plans: Vec<&PatrolPlan> = plans
            .iter()
            .filter(|p| p.duty == Duty::Inspection)
            .collect();
        let planned = planned_teams(&inspection_plans);
        let scope_areas: Vec<Area> = store
            .areas()?
            .into_iter()
            .filter(|a| matches!(a.level, AreaLevel::Township | AreaLevel::Community))
            .collect();
        let locator = AreaLocator::new(&scope_areas);
        let coverage = LiveCoverage::load(store, config, date, COVERAGE_PERIOD_DAYS)?;
        let mut layers = Vec::with_capacity(LAYERS.len());
        for def in LAYERS {
            let features: Vec<NewFeature> = match def.source {
                Source::Stored(which) => store
                    .map_features(which)?
                    .into_iter()
                    .map(|m| {
                        let teams = match which {
                            StoredLayer::Venues => {
                                planned.get(&m.id.to_string()).cloned().unwrap_or_default()
                            }
                            _ => Vec::new(),
                        };
                        stored_feature(m, teams)
                    })
                    .collect(),
                Source::Coverage => coverage
                    .features()
                    .into_iter()
                    .map(coverage_feature)
                    .collect(),
                Source::Routes => route_features(&plan_refs),
            };
            layers.push(Arc::new(Layer::build(def, features, &locator, revision)));
        }
        Ok(Self {
            date,
            loaded_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            revision,
            layers,
            scope_areas: Arc::new(scope_areas),
            coverage: Arc::new(Mutex::new(coverage)),
        })
    }

    /// A fresh load that keeps the revision of every layer whose features did not change, so
    /// their cached tiles and ETags stay valid across the rebuild.
    pub fn reloaded(&self, mut fresh: Layers) -> Layers {
        for (new, old) in fresh.layers.iter_mut().zip(&self.layers) {
            if new.same_features(old) {
                *new = old.clone();
            }
        }
        fresh
    }

    /// These layers brought forward to `revision` by patching what `changes` touched, or None
    /// when the changes call for a rebuild (areas, lighting results, settings, too many).
    pub fn updated(
        &self,
        store: &Store,
        config: &PlanningConfig,
        changes: &[Change],
        revision: i64,
    ) -> anyhow::Result<Option<Layers>> {
        if changes.len() > PATCH_LIMIT {
            return Ok(None);
        }
        let (mut venues, mut lamps, mut plans) = (BTreeSet::new(), BTreeSet::new(), false);
        for c in changes {
            match c.subject {
                Subject::Venue(id) => {
                    venues.insert(id);
                }
                Subject::Lamp(id) => {
                    lamps.insert(id);
                }
                Subject::Plans | Subject::Teams => plans = true,
                Subject::Lighting
                | Subject::Corners
                | Subject::Areas
                | Subject::Settings
                | Subject::Other => return Ok(None),
            }
        }
        let mut next = self.clone();
        next.revision = revision;
        let locator = AreaLocator::new(&self.scope_areas);
        if plans {
            let day = day_plans(store, self.date)?;
            let refs: Vec<&PatrolPlan> = day.iter().collect();
            let inspection: Vec<&PatrolPlan> =
                day.iter().filter(|p| p.duty == Duty::Inspection).collect();
            let planned = planned_teams(&inspection);
            let routes = self.layer("routes")?;
            next.set(Layer::build(
                routes.def,
                route_features(&refs),
                &locator,
                revision,
            ));
            let venue_layer = next.layer("venues")?;
            next.set(
                venue_layer.with_teams(|id| planned.get(id).cloned().unwrap_or_default(), revision),
            );
        }
        if !venues.is_empty() {
            let ids: Vec<i64> = venues.into_iter().collect();
            let layer = next.layer("venues")?;
            let fresh = store.map_features_of(StoredLayer::Venues, &ids)?;
            if fresh.len() != ids.len() {
                return Ok(None); // a venue removed: its index positions move
            }
            let mut replacements = Vec::with_capacity(fresh.len());
            for m in fresh {
                let Some(i) = layer.find(&m.id.to_string()) else {
                    return Ok(None); // a new venue
                };
                replacements.push(stored_feature(m, layer.teams(i).to_vec()));
            }
            let Some(patched) = layer.patched(replacements, &locator, revision) else {
                return Ok(None);
            };
            next.set(patched);
            // The venues counted again: only the areas whose figures moved are replaced.
            let counted = self
                .coverage
                .lock()
                .map_err(|_| anyhow::anyhow!("coverage lock poisoned"))?
                .recount(store, config, &ids)?;
            if !counted.is_empty() {
                let areas_layer = next.layer("areas")?;
                let features = counted.into_iter().map(coverage_feature).collect();
                let Some(patched) = areas_layer.patched(features, &locator, revision) else {
                    return Ok(None);
                };
                next.set(patched);
            }
        }
        if !lamps.is_empty() {
            let ids: Vec<i64> = lamps.into_iter().collect();
            for (layer_id, which) in [
                ("lamps", StoredLayer::Lamps),
                ("lamp_repairs", StoredLayer::LampRepairs),
            ] {
                let layer = next.layer(layer_id)?;
                let fresh: Vec<NewFeature> = store
                    .map_features_of(which, &ids)?
                    .into_iter()
                    .map(|m| stored_feature(m, Vec::new()))
                    .collect();
                // A lamp leaving or joining the repairs (its status changed) is in one list
                // and not the other: that layer is rebuilt.
                let present = ids
                    .iter()
                    .filter(|id| layer.find(&id.to_string()).is_some());
                if which == StoredLayer::Lamps && fresh.len() != ids.len()
                    || which == StoredLayer::LampRepairs && fresh.len() != present.count()
                {
                    return Ok(None);
                }
                let Some(patched) = layer.patched(fresh, &locator, revision) else {
                    return Ok(None);
                };
                next.set(patched);
            }
        }
        Ok(Some(next))
    }

    fn layer(&self, id: &str) -> anyhow::Result<Arc<Layer>> {
        self.layers
            .iter()
            .find(|l| l.def.id == id)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no layer `{id}` in the catalogue"))
    }

    fn set(&mut self, layer: Layer) {
        if let Some(slot) = self.layers.iter_mut().find(|l| l.def.id == layer.def.id) {
            *slot = Arc::new(layer);
        }
    }

    pub fn get(&self, id: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.def.id == id).map(|l| &**l)
    }

    pub fn all(&self) -> impl Iterator<Item = &Layer> {
        self.layers.iter().map(|l| &**l)
    }

    /// The planned venues of a team today, as the capture API checks them.
    pub fn planned_for(&self, team: i64) -> HashSet<i64> {
        self.get("venues")
            .map(|l| {
                (0..l.len())
                    .filter(|&i| l.teams(i).contains(&team))
                    .filter_map(|i| l.feature_id(i).parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}
