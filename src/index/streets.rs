use crate::model::{LocalFrame, LonLat, StreetEdge};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Line};

/// A straight piece of a street, tagged with (edge index, segment index).
type StreetSegment = GeomWithData<Line<[f64; 2]>, (usize, usize)>;

/// Every straight segment of every street edge, for snapping a point to the street it stands on.
pub struct SegmentIndex {
    frame: LocalFrame,
    tree: RTree<StreetSegment>,
}

/// Where a point meets the street network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreetSnap {
    /// Index of the edge in the slice the index was built from.
    pub edge: usize,
    /// Index of the segment within the edge's geometry (from point `segment` to `segment + 1`).
    pub segment: usize,
    pub point: LonLat,
    pub distance_m: f64,
}

impl SegmentIndex {
    pub fn build(frame: LocalFrame, edges: &[StreetEdge]) -> Self {
        let mut segments = Vec::new();
        for (e, edge) in edges.iter().enumerate() {
            for (s, pair) in edge.geometry.windows(2).enumerate() {
                let line = Line::new(frame.to_metric(pair[0]), frame.to_metric(pair[1]));
                segments.push(GeomWithData::new(line, (e, s)));
            }
        }
        Self {
            frame,
            tree: RTree::bulk_load(segments),
        }
    }

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// The edges (indices) with a segment within `radius_m` of the point, each once, ascending.
    pub fn edges_within(&self, at: LonLat, radius_m: f64) -> Vec<usize> {
        let q = self.frame.to_metric(at);
        let mut edges: Vec<usize> = self
            .tree
            .locate_within_distance(q, radius_m * radius_m)
            .map(|s| s.data.0)
            .collect();
        edges.sort_unstable();
        edges.dedup();
        edges
    }

    /// The nearest point on a street that `usable` accepts (by edge index), no farther than
    /// `max_distance_m`.
    pub fn snap_where(
        &self,
        at: LonLat,
        max_distance_m: f64,
        usable: impl Fn(usize) -> bool,
    ) -> Option<StreetSnap> {
        let q = self.frame.to_metric(at);
        let (nearest, d2) = self
            .tree
            .nearest_neighbor_iter_with_distance_2(&q)
            .take_while(|(_, d2)| *d2 <= max_distance_m * max_distance_m)
            .find(|(s, _)| usable(s.data.0))?;
        let foot = nearest.geom().nearest_point(&q);
        let (edge, segment) = nearest.data;
        Some(StreetSnap {
            edge,
            segment,
            point: self.frame.to_lonlat(foot),
            distance_m: d2.sqrt(),
        })
    }

    /// The nearest point on any street, or `None` for an empty network.
    pub fn snap(&self, at: LonLat) -> Option<StreetSnap> {
        self.snap_where(at, f64::INFINITY, |_| true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Oneway;

    #[test]
    fn snaps_to_the_foot_of_the_perpendicular() {
        let frame = LocalFrame::new(LonLat::new(24.0, 60.0));
        let edge = |a: LonLat, b: LonLat| StreetEdge {
            id: 0,
            source_id: String::new(),
            from_node: 1,
            to_node: 2,
            road_class: "residential".into(),
            name: None,
            oneway: Oneway::No,
            length_m: frame.distance_m(a, b),
            lit: None,
            foot: true,
            car: true,
            geometry: vec![a, b],
        };
        let a = frame.to_lonlat([0.0, 0.0]);
        let b = frame.to_lonlat([100.0, 0.0]);
        let c = frame.to_lonlat([0.0, 100.0]);
        let index = SegmentIndex::build(frame, &[edge(a, b), edge(a, c)]);
        let snap = index.snap(frame.to_lonlat([40.0, 7.0])).unwrap();
        assert_eq!(snap.edge, 0);
        assert!((snap.distance_m - 7.0).abs() < 1e-6);
        let foot = frame.to_metric(snap.point);
        assert!((foot[0] - 40.0).abs() < 1e-6 && foot[1].abs() < 1e-6);
    }
}
