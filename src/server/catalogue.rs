//! The map layers, each defined once: its id, titles, geometry and filter. The GeoJSON API, the
//! OGC API collections and the OpenAPI document are all made from these definitions, and the
//! features behind them sit in an R-tree for bbox queries.

use crate::index::AreaLocator;
use crate::model::{AreaLevel, BBox};
use crate::planning::PlanningConfig;
use crate::planning::coverage::coverage_geojson;
use crate::planning::export::route_geojson;
use crate::planning::teams::Duty;
use crate::store::{Store, StoredLayer};
use crate::tiles::mercator::to_mercator;
use crate::workflow::coverage_report;
use chrono::NaiveDate;
use geo::{BoundingRect, MapCoords};
use geojson::{Feature, feature::Id};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// Where a layer's features come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Stored(StoredLayer),
    /// Areas of every level with today's coverage figures.
    Coverage,
    /// Today's plans: route lines and numbered stops.
    Routes,
}

#[derive(Debug)]
pub struct LayerDef {
    pub id: &'static str,
    pub title: &'static str,
    pub title_zh: &'static str,
    pub description: &'static str,
    pub geometry: &'static str,
    /// The property the `kind` query parameter filters on.
    pub kind_property: &'static str,
    pub source: Source,
    /// Inspectors see only the features of their own team (today's planned venues, their route).
    pub team_scoped: bool,
    /// How the layer is cut into vector tiles; `None`: not tiled (the web map draws it from
    /// another API).
    pub tiles: Option<TileDef>,
}

/// What a layer's vector tiles carry and how its points thin out at low zoom.
#[derive(Debug)]
pub struct TileDef {
    /// The properties each tile feature carries besides `id`: those the style, the legend and
    /// the map's hover need; the rest comes with the feature's details on a click.
    pub properties: &'static [&'static str],
    /// Points thinned to one per cell below a zoom; `None` for lines and polygons, which are
    /// simplified to the pixel instead.
    pub thinning: Option<Thinning>,
    /// A numeric property whose quantiles the legend's colour breaks are taken from.
    pub quantiles_of: Option<&'static str>,
}

/// Below `below_zoom`, a tile keeps the most important point of each `cell_px` square (in
/// pixels of a 256-pixel tile) with a `count` of the points it stands for.
#[derive(Debug, Clone, Copy)]
pub struct Thinning {
    pub below_zoom: u8,
    pub cell_px: u32,
    pub rank: Rank,
}

/// Which point of a cell is kept.
#[derive(Debug, Clone, Copy)]
pub enum Rank {
    /// The highest value of a numeric property (venues: risk).
    Highest(&'static str),
    /// The first in the layer's own order (blind spots by severity, proposals by rank).
    LayerOrder,
    /// The first kind listed, then the next (lamps: broken before unknown before working).
    Kinds(&'static [&'static str]),
}

pub const LAYERS: &[LayerDef] = &[
    LayerDef {
        id: "venues",
        title: "Key places",
        title_zh: "重点场所",
        description: "Entertainment venues, bathhouses and rental housing on the registry, with today's risk score and its terms.",
        geometry: "Point",
        kind_property: "kind",
        source: Source::Stored(StoredLayer::Venues),
        team_scoped: true,
        tiles: Some(TileDef {
            properties: &["kind", "name", "risk_score", "status"],
            thinning: Some(Thinning {
                below_zoom: 15,
                cell_px: 3,
                rank: Rank::Highest("risk_score"),
            }),
            quantiles_of: Some("risk_score"),
        }),
    },
    LayerDef {
        id: "lamps",
        title: "Street lamps",
        title_zh: "路灯",
        description: "Street lamps with status, mounting height and flux; broken ones carry the deficit their repair removes.",
        geometry: "Point",
        kind_property: "status",
        source: Source::Stored(StoredLayer::Lamps),
        team_scoped: false,
        tiles: Some(TileDef {
            properties: &["status"],
            thinning: Some(Thinning {
                below_zoom: 16,
                cell_px: 2,
                rank: Rank::Kinds(&["broken", "unknown"]),
            }),
            quantiles_of: None,
        }),
    },
    LayerDef {
        id: "corners",
        title: "Street corners",
        title_zh: "街角",
        description: "Junctions of three or more streets and sharp bends.",
        geometry: "Point",
        kind_property: "kind",
        source: Source::Stored(StoredLayer::Corners),
        team_scoped: false,
        tiles: Some(TileDef {
            properties: &["kind"],
            thinning: Some(Thinning {
                below_zoom: 15,
                cell_px: 3,
                rank: Rank::LayerOrder,
            }),
            quantiles_of: None,
        }),
    },
    LayerDef {
        id: "blind_spots",
        title: "Lighting blind spots",
        title_zh: "照明盲区",
        description: "Corners and street stretches below their lighting class's minimum, with severity and its terms.",
        geometry: "Point, LineString",
        kind_property: "kind",
        source: Source::Stored(StoredLayer::BlindSpots),
        team_scoped: false,
        tiles: Some(TileDef {
            properties: &["kind", "severity", "road_class"],
            thinning: Some(Thinning {
                below_zoom: 14,
                cell_px: 3,
                rank: Rank::LayerOrder,
            }),
            quantiles_of: Some("severity"),
        }),
    },
    LayerDef {
        id: "data_gaps",
        title: "Lighting data gaps",
        title_zh: "照明数据缺口",
        description: "Streets tagged lit=yes with no mapped lamp near: unknown, not confirmed dark.",
        geometry: "LineString",
        kind_property: "road_class",
        source: Source::Stored(StoredLayer::DataGaps),
        team_scoped: false,
        tiles: Some(TileDef {
            properties: &["road_class"],
            thinning: None,
            quantiles_of: None,
        }),
    },
    LayerDef {
        id: "lamp_proposals",
        title: "Proposed lamps",
        title_zh: "建议新增路灯",
        description: "New lamp sites in greedy order, each with the deficit it removes and the share left after it.",
        geometry: "Point",
        kind_property: "road_class",
        source: Source::Stored(StoredLayer::LampProposals),
        team_scoped: false,
        tiles: Some(TileDef {
            properties: &["rank", "road_class"],
            thinning: Some(Thinning {
                below_zoom: 14,
                cell_px: 3,
                rank: Rank::LayerOrder,
            }),
            quantiles_of: None,
        }),
    },
    LayerDef {
        id: "lamp_repairs",
        title: "Broken lamps to repair",
        title_zh: "待修路灯",
        description: "Broken lamps with the deficit their repair would remove.",
        geometry: "Point",
        kind_property: "status",
        source: Source::Stored(StoredLayer::LampRepairs),
        team_scoped: false,
        tiles: Some(TileDef {
            properties: &["status", "deficit_removed_lx"],
            thinning: Some(Thinning {
                below_zoom: 14,
                cell_px: 3,
                rank: Rank::LayerOrder,
            }),
            quantiles_of: None,
        }),
    },
    LayerDef {
        id: "areas",
        title: "Coverage by area",
        title_zh: "区域覆盖率",
        description: "Townships, communities and grid cells with active, covered and overdue venues, findings and follow-ups over the last 30 days.",
        geometry: "Polygon, MultiPolygon",
        kind_property: "level",
        source: Source::Coverage,
        team_scoped: false,
        tiles: Some(TileDef {
            properties: &["level", "name", "covered_share", "active"],
            thinning: None,
            quantiles_of: None,
        }),
    },
    LayerDef {
        id: "routes",
        title: "Today's routes",
        title_zh: "今日路线",
        description: "Each team's route along the streets and its numbered stops with arrival times and reasons.",
        geometry: "LineString, Point",
        kind_property: "layer",
        source: Source::Routes,
        team_scoped: true,
        tiles: None,
    },
];

impl LayerDef {
    /// The team whose features alone `account` may see on this layer (inspectors on
    /// team-scoped layers; an inspector without a team sees nothing there).
    pub fn team_for(&self, account: &crate::model::Account) -> Option<i64> {
        (self.team_scoped && account.role == crate::model::Role::Inspector)
            .then_some(account.team_id.unwrap_or(-1))
    }

    /// What `account` may see of this layer: its team's features (inspectors, team-scoped
    /// layers) and those in the areas it answers for.
    pub fn viewer(&self, account: &crate::model::Account) -> Query {
        Query {
            team: self.team_for(account),
            areas: account.scope().map(<[i64]>::to_vec),
            ..Default::default()
        }
    }
}

/// Coverage on the map counts the last 30 days, as the manager's monthly review does.
pub const COVERAGE_PERIOD_DAYS: i64 = 30;

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// A layer's features, indexed.
pub struct Layer {
    pub def: &'static LayerDef,
    /// Each feature serialised once, with its id set.
    json: Vec<String>,
    ids: Vec<String>,
    kinds: Vec<Option<String>>,
    teams: Vec<Vec<i64>>,
    /// The townships and communities each feature lies in (an area feature: also itself).
    areas: Vec<Vec<i64>>,
    /// Each feature in Web Mercator metres, for cutting vector tiles.
    mercator: Vec<Option<geo::Geometry<f64>>>,
    by_id: HashMap<String, usize>,
    tree: RTree<Entry>,
    pub extent: Option<BBox>,
}

/// Which features a query wants.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub bbox: Option<BBox>,
    pub kinds: Option<Vec<String>>,
    /// Only this team's features (for inspectors, on team-scoped layers).
    pub team: Option<i64>,
    /// Only features in one of these areas (an account scoped to townships or communities).
    pub areas: Option<Vec<i64>>,
}

impl Query {
    /// The same viewer's query over a box.
    pub fn within(&self, bbox: BBox) -> Query {
        Query {
            bbox: Some(bbox),
            ..self.clone()
        }
    }
}

impl Layer {
    pub(super) fn build(
        def: &'static LayerDef,
        features: Vec<(String, Feature, Vec<i64>)>,
        locator: &AreaLocator,
    ) -> Self {
        let mut layer = Layer {
            def,
            json: Vec::with_capacity(features.len()),
            ids: Vec::with_capacity(features.len()),
            kinds: Vec::with_capacity(features.len()),
            teams: Vec::with_capacity(features.len()),
            areas: Vec::with_capacity(features.len()),
            mercator: Vec::with_capacity(features.len()),
            by_id: HashMap::with_capacity(features.len()),
            tree: RTree::new(),
            extent: None,
        };
        let mut entries = Vec::with_capacity(features.len());
        for (id, mut f, teams) in features {
            let i = layer.json.len();
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
            layer.areas.push(areas);
            layer.mercator.push(shape.as_ref().map(|g| {
                g.map_coords(|c| {
                    let (x, y) = to_mercator(c.x, c.y);
                    geo::Coord { x, y }
                })
            }));
            if let Some(rect) = shape.as_ref().and_then(|g| g.bounding_rect()) {
                let (lo, hi) = (rect.min(), rect.max());
                entries.push(Entry::new(
                    Rectangle::from_corners([lo.x, lo.y], [hi.x, hi.y]),
                    i,
                ));
                let e = layer
                    .extent
                    .get_or_insert(BBox::new(lo.x, lo.y, hi.x, hi.y));
                e.west = e.west.min(lo.x);
                e.south = e.south.min(lo.y);
                e.east = e.east.max(hi.x);
                e.north = e.north.max(hi.y);
            }
            let kind = f
                .properties
                .as_ref()
                .and_then(|p| p.get(def.kind_property))
                .and_then(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Null => None,
                    other => Some(other.to_string()),
                });
            f.id = Some(Id::String(id.clone()));
            layer.json.push(f.to_string());
            layer.by_id.insert(id.clone(), i);
            layer.ids.push(id);
            layer.kinds.push(kind);
            layer.teams.push(teams);
        }
        layer.tree = RTree::bulk_load(entries);
        layer
    }

    pub fn len(&self) -> usize {
        self.json.len()
    }

    pub fn is_empty(&self) -> bool {
        self.json.is_empty()
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
            None => (0..self.json.len()).collect(),
        };
        hits.retain(|&i| {
            q.kinds.as_ref().is_none_or(|ks| {
                self.kinds[i]
                    .as_ref()
                    .is_some_and(|k| ks.iter().any(|w| w == k))
            }) && self.visible_to(i, q)
        });
        hits.sort_unstable();
        hits
    }

    pub fn feature_json(&self, i: usize) -> &str {
        &self.json[i]
    }

    pub fn feature_id(&self, i: usize) -> &str {
        &self.ids[i]
    }

    pub fn find(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn mercator(&self, i: usize) -> Option<&geo::Geometry<f64>> {
        self.mercator[i].as_ref()
    }

    pub fn kind(&self, i: usize) -> Option<&str> {
        self.kinds[i].as_deref()
    }

    /// The values of `keys` in feature `i`'s properties, read back from its JSON without
    /// parsing the geometry or the other properties (tiles and legends read a few of many).
    pub fn properties(&self, i: usize, keys: &[&str]) -> Vec<Option<Value>> {
        #[derive(serde::Deserialize)]
        struct Props<'a> {
            #[serde(borrow, default)]
            properties: Option<HashMap<std::borrow::Cow<'a, str>, &'a serde_json::value::RawValue>>,
        }
        let props = serde_json::from_str::<Props>(&self.json[i])
            .ok()
            .and_then(|p| p.properties);
        keys.iter()
            .map(|k| {
                let raw = props.as_ref()?.get(*k)?;
                serde_json::from_str(raw.get()).ok()
            })
            .collect()
    }

    /// Whether feature `i` is the viewer's to see (its team and areas; not box or kind).
    pub fn visible_to(&self, i: usize, q: &Query) -> bool {
        q.team.is_none_or(|t| self.teams[i].contains(&t))
            && q.areas
                .as_ref()
                .is_none_or(|scope| self.areas[i].iter().any(|a| scope.contains(a)))
    }
}

/// Every layer as of one moment.
pub struct Layers {
    pub date: NaiveDate,
    pub loaded_at: String,
    layers: Vec<Layer>,
}

impl Layers {
    pub fn load(store: &Store, config: &PlanningConfig, date: NaiveDate) -> anyhow::Result<Self> {
        let plan = store.published_plan_for(date, Duty::Inspection)?;
        let crew_plan = store.published_plan_for(date, Duty::Lighting)?;
        // Which teams have each venue on today's route: an inspector sees those venues only.
        let mut planned: HashMap<i64, Vec<i64>> = HashMap::new();
        for r in plan.iter().flat_map(|p| &p.routes) {
            for s in &r.stops {
                if s.target.kind() == "venue" {
                    planned.entry(s.target.id()).or_default().push(r.team_id);
                }
            }
        }
        let all_areas = store.areas()?;
        let locator = AreaLocator::new(&all_areas);
        let mut layers = Vec::with_capacity(LAYERS.len());
        for def in LAYERS {
            let features: Vec<(String, Feature, Vec<i64>)> = match def.source {
                Source::Stored(which) => store
                    .map_features(which)?
                    .into_iter()
                    .map(|m| {
                        let teams = if which == StoredLayer::Venues {
                            planned.get(&m.id).cloned().unwrap_or_default()
                        } else {
                            Vec::new()
                        };
                        let f = Feature {
                            geometry: Some(m.geometry),
                            properties: Some(m.properties),
                            ..Default::default()
                        };
                        (m.id.to_string(), f, teams)
                    })
                    .collect(),
                Source::Coverage => {
                    let mut out = Vec::new();
                    for level in [AreaLevel::Township, AreaLevel::Community, AreaLevel::Grid] {
                        let (report, areas) =
                            coverage_report(store, config, date, level, COVERAGE_PERIOD_DAYS)?;
                        for mut f in coverage_geojson(&report, &areas).features {
                            let id = f
                                .property("area_id")
                                .and_then(Value::as_i64)
                                .map(|a| a.to_string())
                                .unwrap_or_default();
                            if let Some(p) = f.properties.as_mut() {
                                p.insert("period_days".into(), json!(COVERAGE_PERIOD_DAYS));
                            }
                            f.id = None;
                            out.push((id, f, Vec::new()));
                        }
                    }
                    out
                }
                Source::Routes => {
                    let mut out = Vec::new();
                    for p in plan.iter().chain(crew_plan.iter()) {
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
            };
            layers.push(Layer::build(def, features, &locator));
        }
        Ok(Self {
            date,
            loaded_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            layers,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.def.id == id)
    }

    pub fn all(&self) -> &[Layer] {
        &self.layers
    }

    /// The planned venues of a team today, as the capture API checks them.
    pub fn planned_for(&self, team: i64) -> HashSet<i64> {
        self.get("venues")
            .map(|l| {
                (0..l.len())
                    .filter(|&i| l.teams[i].contains(&team))
                    .filter_map(|i| l.ids[i].parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
#[path = "catalogue_tests.rs"]
mod tests;
