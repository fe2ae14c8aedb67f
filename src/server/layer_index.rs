//! One layer's features, serialised once and indexed in an R-tree. Features are shared (`Arc`),
//! so a layer with a few features replaced is a cheap copy that shares the rest, its index
//! included when no feature moved: how a write updates what it changed and nothing else.

use super::catalogue::{LayerDef, Query};
use crate::index::AreaLocator;
use crate::model::BBox;
use crate::tiles::mercator::to_mercator;
use geo::{BoundingRect, MapCoords};
use geojson::{Feature, feature::Id};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// A feature as the layer serves it.
#[derive(Debug)]
struct Served {
    /// The feature serialised once, with its id set.
    json: String,
    id: String,
    kind: Option<String>,
    teams: Vec<i64>,
    /// The townships and communities it lies in (an area feature: also itself).
    areas: Vec<i64>,
    /// In Web Mercator metres, for cutting vector tiles.
    mercator: Option<geo::Geometry<f64>>,
    /// Its bounding box in degrees: its entry in the R-tree.
    rect: Option<[f64; 4]>,
    /// The properties its tiles carry or rank by, read out once (a tile reads thousands).
    tiled: Vec<(&'static str, Value)>,
}

/// A feature to put in a layer: its id, the feature, and the teams that may see it.
pub type NewFeature = (String, Feature, Vec<i64>);

/// A layer's features, indexed.
#[derive(Clone)]
pub struct Layer {
    pub def: &'static LayerDef,
    features: Vec<Arc<Served>>,
    by_id: Arc<HashMap<String, usize>>,
    tree: Arc<RTree<Entry>>,
    pub extent: Option<BBox>,
    /// The content revision at which the layer last changed: its ETags and tile keys follow it.
    pub revision: i64,
}

fn served(def: &LayerDef, (id, mut f, teams): NewFeature, locator: &AreaLocator) -> Served {
    let shape = f
        .geometry
        .as_ref()
        .and_then(|g| geo::Geometry::<f64>::try_from(g).ok());
    let mut areas = shape
        .as_ref()
        .map(|g| locator.holding(g))
        .unwrap_or_default();
    if def.id == "areas"
        && let Some(own) = f.property("area_id").and_then(Value::as_i64)
    {
        areas.push(own);
    }
    let rect = shape.as_ref().and_then(|g| g.bounding_rect()).map(|r| {
        let (lo, hi) = (r.min(), r.max());
        [lo.x, lo.y, hi.x, hi.y]
    });
    let mercator = shape.as_ref().map(|g| {
        g.map_coords(|c| {
            let (x, y) = to_mercator(c.x, c.y);
            geo::Coord { x, y }
        })
    });
    let kind = f
        .properties
        .as_ref()
        .and_then(|p| p.get(def.kind_property))
        .and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        });
    let tiled = def
        .tiles
        .as_ref()
        .map(|t| t.read_keys())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|k| Some((k, f.property(k)?.clone())))
        .collect();
    f.id = Some(Id::String(id.clone()));
    Served {
        tiled,
        json: f.to_string(),
        id,
        kind,
        teams,
        areas,
        mercator,
        rect,
    }
}

fn entry(rect: &[f64; 4], i: usize) -> Entry {
    Entry::new(
        Rectangle::from_corners([rect[0], rect[1]], [rect[2], rect[3]]),
        i,
    )
}

fn grow(extent: &mut Option<BBox>, r: &[f64; 4]) {
    let e = extent.get_or_insert(BBox::new(r[0], r[1], r[2], r[3]));
    e.west = e.west.min(r[0]);
    e.south = e.south.min(r[1]);
    e.east = e.east.max(r[2]);
    e.north = e.north.max(r[3]);
}

impl Layer {
    pub fn build(
        def: &'static LayerDef,
        features: Vec<NewFeature>,
        locator: &AreaLocator,
        revision: i64,
    ) -> Self {
        let features: Vec<Arc<Served>> = features
            .into_iter()
            .map(|f| Arc::new(served(def, f, locator)))
            .collect();
        let mut extent = None;
        let mut entries = Vec::with_capacity(features.len());
        let mut by_id = HashMap::with_capacity(features.len());
        for (i, f) in features.iter().enumerate() {
            if let Some(r) = &f.rect {
                entries.push(entry(r, i));
                grow(&mut extent, r);
            }
            by_id.insert(f.id.clone(), i);
        }
        Layer {
            def,
            features,
            by_id: Arc::new(by_id),
            tree: Arc::new(RTree::bulk_load(entries)),
            extent,
            revision,
        }
    }

    /// This layer with the features of the same ids replaced, at `revision`; the others and,
    /// unless a feature moved, the index are shared. None when a feature is new to the layer
    /// (the caller rebuilds the layer then).
    pub fn patched(
        &self,
        replacements: Vec<NewFeature>,
        locator: &AreaLocator,
        revision: i64,
    ) -> Option<Layer> {
        let mut next = self.clone();
        let mut tree: Option<RTree<Entry>> = None;
        for f in replacements {
            let i = *self.by_id.get(&f.0)?;
            let new = served(self.def, f, locator);
            let old = &self.features[i];
            if new.rect != old.rect {
                let t = tree.get_or_insert_with(|| (*self.tree).clone());
                if let Some(r) = &old.rect {
                    t.remove(&entry(r, i));
                }
                if let Some(r) = &new.rect {
                    t.insert(entry(r, i));
                    grow(&mut next.extent, r);
                }
            }
            next.features[i] = Arc::new(new);
        }
        if let Some(t) = tree {
            next.tree = Arc::new(t);
        }
        next.revision = revision;
        Some(next)
    }

    /// This layer with each feature's teams set anew (a plan was published or changed), at
    /// `revision` if any changed.
    pub fn with_teams(&self, teams_of: impl Fn(&str) -> Vec<i64>, revision: i64) -> Layer {
        let mut next = self.clone();
        let mut changed = false;
        for f in next.features.iter_mut() {
            let teams = teams_of(&f.id);
            if teams != f.teams {
                *f = Arc::new(Served {
                    json: f.json.clone(),
                    id: f.id.clone(),
                    kind: f.kind.clone(),
                    teams,
                    areas: f.areas.clone(),
                    mercator: f.mercator.clone(),
                    rect: f.rect,
                    tiled: f.tiled.clone(),
                });
                changed = true;
            }
        }
        if changed {
            next.revision = revision;
        }
        next
    }

    /// Whether two loads of a layer hold the same features (a rebuild keeps the old revision
    /// then, so caches and ETags stay valid).
    pub fn same_features(&self, other: &Layer) -> bool {
        self.features.len() == other.features.len()
            && self
                .features
                .iter()
                .zip(&other.features)
                .all(|(a, b)| a.json == b.json && a.teams == b.teams)
    }

    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The features a query selects, in the layer's order (so pages are stable).
    pub fn select(&self, q: &Query) -> Vec<usize> {
        let mut hits: Vec<usize> = match q.bbox {
            Some(b) => self
                .tree
                .locate_in_envelope_intersecting(&AABB::from_corners(
                    [b.west, b.south],
                    [b.east, b.north],
                ))
                .map(|e| e.data)
                .collect(),
            None => (0..self.features.len()).collect(),
        };
        hits.retain(|&i| {
            q.kinds.as_ref().is_none_or(|ks| {
                self.features[i]
                    .kind
                    .as_ref()
                    .is_some_and(|k| ks.iter().any(|w| w == k))
            }) && self.visible_to(i, q)
        });
        hits.sort_unstable();
        hits
    }

    pub fn feature_json(&self, i: usize) -> &str {
        &self.features[i].json
    }

    pub fn feature_id(&self, i: usize) -> &str {
        &self.features[i].id
    }

    pub fn find(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn mercator(&self, i: usize) -> Option<&geo::Geometry<f64>> {
        self.features[i].mercator.as_ref()
    }

    pub fn kind(&self, i: usize) -> Option<&str> {
        self.features[i].kind.as_deref()
    }

    /// The values of `keys` in feature `i`'s properties: those its tiles read from the copy
    /// made at build, any other from its JSON.
    pub fn properties(&self, i: usize, keys: &[&str]) -> Vec<Option<Value>> {
        let f = &self.features[i];
        let mut parsed: Option<Option<serde_json::Map<String, Value>>> = None;
        keys.iter()
            .map(|k| match f.tiled.iter().find(|(t, _)| t == k) {
                Some((_, v)) => Some(v.clone()),
                None => parsed
                    .get_or_insert_with(|| {
                        serde_json::from_str::<Feature>(&f.json)
                            .ok()
                            .and_then(|f| f.properties)
                    })
                    .as_ref()?
                    .get(*k)
                    .cloned(),
            })
            .collect()
    }

    pub fn teams(&self, i: usize) -> &[i64] {
        &self.features[i].teams
    }

    /// Whether feature `i` is the viewer's to see (its team and areas; not box or kind).
    pub fn visible_to(&self, i: usize, q: &Query) -> bool {
        let f = &self.features[i];
        q.team.is_none_or(|t| f.teams.contains(&t))
            && q.areas
                .as_ref()
                .is_none_or(|scope| f.areas.iter().any(|a| scope.contains(a)))
    }

    /// The features whose shape covers the point (lon, lat): for an area layer, the areas
    /// holding it.
    pub fn covering(&self, lon: f64, lat: f64) -> Vec<usize> {
        use geo::Contains;
        let (x, y) = to_mercator(lon, lat);
        let at = geo::Point::new(x, y);
        let mut hits: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_point([lon, lat]))
            .map(|e| e.data)
            .filter(|&i| self.mercator(i).is_some_and(|g| g.contains(&at)))
            .collect();
        hits.sort_unstable();
        hits
    }

    /// The position of a point feature, in degrees.
    pub fn point(&self, i: usize) -> Option<(f64, f64)> {
        self.features[i]
            .rect
            .filter(|r| r[0] == r[2] && r[1] == r[3])
            .map(|r| (r[0], r[1]))
    }
}

#[cfg(test)]
#[path = "layer_index_tests.rs"]
mod tests;
