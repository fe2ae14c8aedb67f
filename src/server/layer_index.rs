//! One layer's features, serialised once and indexed in an R-tree. Features are shared (`Arc`),
//! so a layer with a few features replaced is a cheap copy that shares the rest, its index
//! included when no feature moved: how a write updates what it changed and nothing else.
//! The layer also remembers where its recent patches landed, so a tile that no patch touched
//! keeps its revision (and its cached bytes and ETag) across writes elsewhere in the city.

use super::catalogue::{LayerDef, Query};
use crate::index::AreaLocator;
use crate::model::BBox;
use crate::tiles::mercator::to_mercator;
use geo::{BoundingRect, MapCoords};
use geojson::{Feature, feature::Id};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
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
    /// The content revision at which the layer last changed: its ETags follow it.
    pub revision: i64,
    /// Where it changed since it was built, for the revision of each tile.
    touched: Arc<Touched>,
}

/// How many changed boxes a layer remembers; older ones fold into `Touched::since`.
const TOUCHED_KEPT: usize = 4096;

/// The boxes (degrees) that patches changed, newest last, each with its revision. Any change
/// older than the boxes kept is taken to have touched everything at `since`.
#[derive(Debug, Clone, Default)]
struct Touched {
    since: i64,
    boxes: VecDeque<(i64, [f64; 4])>,
}

impl Touched {
    fn extend_with(&mut self, revision: i64, rects: [Option<[f64; 4]>; 2]) {
        for r in rects.into_iter().flatten() {
            self.add(revision, r);
        }
    }

    fn all_at(revision: i64) -> Self {
        Self {
            since: revision,
            boxes: VecDeque::new(),
        }
    }

    fn add(&mut self, revision: i64, rect: [f64; 4]) {
        self.boxes.push_back((revision, rect));
        while self.boxes.len() > TOUCHED_KEPT {
            if let Some((r, _)) = self.boxes.pop_front() {
                self.since = self.since.max(r);
            }
        }
    }

    /// The last revision at which anything in `b` changed.
    fn last_in(&self, b: &BBox) -> i64 {
        self.boxes
            .iter()
            .rev()
            .find(|(_, r)| r[0] <= b.east && r[2] >= b.west && r[1] <= b.north && r[3] >= b.south)
            .map_or(self.since, |(revision, _)| *revision)
    }
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
            touched: Arc::new(Touched::all_at(revision)),
        }
    }

    /// This layer with the features of the same ids replaced, at `revision`; the others and,
    /// unless a feature moved, the index are shared. A replacement identical to the feature it
    /// replaces changes nothing, and a patch that changes nothing keeps the layer's revision.
    /// None when a feature is new to the layer (the caller rebuilds the layer then).
    pub fn patched(
        &self,
        replacements: Vec<NewFeature>,
        locator: &AreaLocator,
        revision: i64,
    ) -> Option<Layer> {
        let mut next = self.clone();
        let mut tree: Option<RTree<Entry>> = None;
        let mut touched: Option<Touched> = None;
        for f in replacements {
            let i = *self.by_id.get(&f.0)?;
            let new = served(self.def, f, locator);
            let old = &self.features[i];
            if new.json == old.json && new.teams == old.teams && new.areas == old.areas {
                continue;
            }
            let t = touched.get_or_insert_with(|| (*self.touched).clone());
            t.extend_with(revision, [old.rect, new.rect]);
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
        if let Some(t) = touched {
            next.touched = Arc::new(t);
            next.revision = revision;
        }
        Some(next)
    }

    /// This layer with each feature's teams set anew (a plan was published or changed), at
    /// `revision` if any changed.
    pub fn with_teams(&self, teams_of: impl Fn(&str) -> Vec<i64>, revision: i64) -> Layer {
        let mut next = self.clone();
        let mut touched: Option<Touched> = None;
        for f in next.features.iter_mut() {
            let teams = teams_of(&f.id);
            if teams != f.teams {
                touched
                    .get_or_insert_with(|| (*self.touched).clone())
                    .extend_with(revision, [f.rect, None]);
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
            }
        }
        if let Some(t) = touched {
            next.touched = Arc::new(t);
            next.revision = revision;
        }
        next
    }

    /// The last revision at which anything a tile over `b` shows changed: the tile's content
    /// is the same at every revision from it to the layer's.
    pub fn revision_within(&self, b: &BBox) -> i64 {
        self.touched.last_in(b)
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
