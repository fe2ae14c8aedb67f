use crate::model::{BBox, LocalFrame, LonLat, MetricPoint, metres_between};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};

/// A point index over items of type `T` (usually store ids).
pub struct PointIndex<T> {
    frame: LocalFrame,
    tree: RTree<GeomWithData<[f64; 2], T>>,
}

/// An item found near a point, with its distance in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearby<T> {
    pub item: T,
    pub distance_m: f64,
}

impl<T: Copy> PointIndex<T> {
    /// Bulk loading packs the tree (OMT), faster to build and to query than inserting one by one.
    pub fn build(frame: LocalFrame, items: impl Iterator<Item = (LonLat, T)>) -> Self {
        let entries = items
            .map(|(p, item)| GeomWithData::new(frame.to_metric(p), item))
            .collect();
        Self {
            frame,
            tree: RTree::bulk_load(entries),
        }
    }

    /// The same, from points already in the frame's metres.
    pub fn build_metric(frame: LocalFrame, items: impl Iterator<Item = (MetricPoint, T)>) -> Self {
        let entries = items.map(|(p, item)| GeomWithData::new(p, item)).collect();
        Self {
            frame,
            tree: RTree::bulk_load(entries),
        }
    }

    /// One more item, without rebuilding the tree (a lamp added to a loaded city).
    pub fn insert_metric(&mut self, p: MetricPoint, item: T) {
        self.tree.insert(GeomWithData::new(p, item));
    }

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    pub fn frame(&self) -> &LocalFrame {
        &self.frame
    }

    /// Items inside a longitude/latitude box (edges included). The frame maps the box to a metric
    /// rectangle exactly, so this is one envelope query.
    pub fn in_bbox(&self, bbox: &BBox) -> impl Iterator<Item = T> + '_ {
        let envelope = AABB::from_corners(
            self.frame.to_metric(LonLat::new(bbox.west, bbox.south)),
            self.frame.to_metric(LonLat::new(bbox.east, bbox.north)),
        );
        self.tree.locate_in_envelope(&envelope).map(|e| e.data)
    }

    /// Items within `radius_m` of a point already in this index's metric frame.
    pub fn within_metric(
        &self,
        q: MetricPoint,
        radius_m: f64,
    ) -> impl Iterator<Item = Nearby<T>> + '_ {
        self.tree
            .locate_within_distance(q, radius_m * radius_m)
            .map(move |e| {
                let p = e.geom();
                Nearby {
                    item: e.data,
                    distance_m: metres_between(*p, q),
                }
            })
    }

    /// Items inside a metric rectangle of this index's frame.
    pub fn in_metric_box(
        &self,
        min: MetricPoint,
        max: MetricPoint,
    ) -> impl Iterator<Item = (T, MetricPoint)> + '_ {
        self.tree
            .locate_in_envelope(&AABB::from_corners(min, max))
            .map(|e| (e.data, *e.geom()))
    }

    /// The `k` nearest items, nearest first.
    pub fn nearest(&self, at: LonLat, k: usize) -> Vec<Nearby<T>> {
        let q = self.frame.to_metric(at);
        self.tree
            .nearest_neighbor_iter_with_distance_2(&q)
            .take(k)
            .map(|(e, d2)| Nearby {
                item: e.data,
                distance_m: d2.sqrt(),
            })
            .collect()
    }

    /// Items within `radius_m` metres, in no particular order.
    pub fn within(&self, at: LonLat, radius_m: f64) -> impl Iterator<Item = Nearby<T>> + '_ {
        self.within_metric(self.frame.to_metric(at), radius_m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid_index() -> (PointIndex<usize>, Vec<LonLat>) {
        let points: Vec<LonLat> = (0..400)
            .map(|i| {
                LonLat::new(
                    24.90 + (i % 20) as f64 * 0.001,
                    60.15 + (i / 20) as f64 * 0.0005,
                )
            })
            .collect();
        let frame = LocalFrame::new(LonLat::new(24.91, 60.155));
        (
            PointIndex::build(
                frame,
                points.iter().copied().enumerate().map(|(i, p)| (p, i)),
            ),
            points,
        )
    }

    #[test]
    fn queries_agree_with_brute_force() {
        let (index, points) = grid_index();
        let frame = *index.frame();
        let at = LonLat::new(24.9071, 60.1543);
        let mut brute: Vec<(f64, usize)> = points
            .iter()
            .enumerate()
            .map(|(i, p)| (frame.distance_m(at, *p), i))
            .collect();
        brute.sort_by(|a, b| a.0.total_cmp(&b.0));
        let nearest = index.nearest(at, 5);
        assert_eq!(
            nearest.iter().map(|n| n.item).collect::<Vec<_>>(),
            brute[..5].iter().map(|b| b.1).collect::<Vec<_>>()
        );
        let mut within: Vec<usize> = index.within(at, 120.0).map(|n| n.item).collect();
        within.sort();
        let mut expect: Vec<usize> = brute.iter().filter(|b| b.0 <= 120.0).map(|b| b.1).collect();
        expect.sort();
        assert_eq!(within, expect);
        let bbox = BBox::new(24.9025, 60.1510, 24.9065, 60.1530);
        let mut inside: Vec<usize> = index.in_bbox(&bbox).collect();
        inside.sort();
        let expect: Vec<usize> = (0..points.len())
            .filter(|i| bbox.contains(points[*i]))
            .collect();
        assert_eq!(inside, expect);
        assert!(!inside.is_empty());
    }
}
