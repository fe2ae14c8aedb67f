//! The map layers, each defined once: its id, titles, geometry and filter. The GeoJSON API, the
//! OGC API collections, the tiles and the OpenAPI document are all made from these definitions;
//! `layer_index` holds each layer's features in an R-tree, `layer_set` all of them as of one
//! content revision.

use crate::model::BBox;
use crate::store::StoredLayer;

pub const GEOJSON: &str = "application/geo+json";
/// Page sizes (default, maximum): the GeoJSON API serves map layers in big pages, OGC API
/// clients page in small ones.
pub const API_LIMIT: (usize, usize) = (10_000, 100_000);
pub const OGC_LIMIT: (usize, usize) = (100, 10_000);

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

impl TileDef {
    /// Every property a tile reads: those it carries, the one it ranks points by, the one its
    /// legend's breaks come from.
    pub fn read_keys(&self) -> Vec<&'static str> {
        let mut keys = self.properties.to_vec();
        if let Some(Thinning {
            rank: Rank::Highest(k),
            ..
        }) = self.thinning
        {
            keys.push(k);
        }
        keys.extend(self.quantiles_of);
        keys.sort_unstable();
        keys.dedup();
        keys
    }
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
    /// Who the query sees for (team and areas), as a cache key: answers cut for one viewer
    /// are never served to another.
    pub fn viewer_key(&self) -> String {
        format!("{}:{:?}", self.team.unwrap_or(0), self.areas)
    }

    /// The same viewer's query over a box.
    pub fn within(&self, bbox: BBox) -> Query {
        Query {
            bbox: Some(bbox),
            ..self.clone()
        }
    }
}
