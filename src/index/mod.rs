//! rstar trees over the city, in the local metric frame: venues, lamps and corners as points,
//! streets as segments, areas by their envelopes. Built from the store at start; all distances are
//! metres.

mod areas;
mod points;
mod streets;

pub use areas::AreaLocator;
pub use points::{Nearby, PointIndex};
pub use streets::{SegmentIndex, StreetSnap};

use crate::model::{Corner, Lamp, LocalFrame, LonLat, StreetEdge, Venue};

/// The city's spatial indexes, sharing one metric frame.
pub struct CityIndex {
    pub frame: LocalFrame,
    pub venues: PointIndex<i64>,
    pub lamps: PointIndex<i64>,
    pub corners: PointIndex<i64>,
    pub streets: SegmentIndex,
}

impl CityIndex {
    /// The frame is centred on the data so that metric error stays small at its edges.
    pub fn build(
        venues: &[Venue],
        lamps: &[Lamp],
        corners: &[Corner],
        edges: &[StreetEdge],
    ) -> Self {
        let all = venues
            .iter()
            .map(|v| v.position)
            .chain(lamps.iter().map(|l| l.position))
            .chain(edges.iter().flat_map(|e| e.geometry.first().copied()));
        let frame = LocalFrame::new(
            crate::model::BBox::around(all)
                .map(|b| b.center())
                .unwrap_or(LonLat::new(0.0, 0.0)),
        );
        Self {
            frame,
            venues: PointIndex::build(frame, venues.iter().map(|v| (v.position, v.id))),
            lamps: PointIndex::build(frame, lamps.iter().map(|l| (l.position, l.id))),
            corners: PointIndex::build(frame, corners.iter().map(|c| (c.position, c.id))),
            streets: SegmentIndex::build(frame, edges),
        }
    }
}
