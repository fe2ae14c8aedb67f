use crate::model::{Area, AreaLevel, LonLat};
use geo::{BoundingRect, Contains, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// Finds the area of each level that holds a point: envelope query in the tree, exact
/// point-in-polygon test on the few candidates.
pub struct AreaLocator<'a> {
    areas: &'a [Area],
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

impl<'a> AreaLocator<'a> {
    pub fn new(areas: &'a [Area]) -> Self {
        let entries = areas
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let r = a.geometry.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        Self {
            areas,
            tree: RTree::bulk_load(entries),
        }
    }

    /// The area of `level` containing the point; when areas overlap (a registry error), the one
    /// listed first wins, so the answer is stable.
    pub fn locate(&self, at: LonLat, level: AreaLevel) -> Option<&'a Area> {
        let p = Point::new(at.lon, at.lat);
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_point([at.lon, at.lat]))
            .map(|e| e.data)
            .filter(|i| self.areas[*i].level == level && self.areas[*i].geometry.contains(&p))
            .min()
            .map(|i| &self.areas[i])
    }
}
