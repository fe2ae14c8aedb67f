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

    /// The townships and communities a shape lies in, by sample points: a point's own, a line's
    /// (up to 16 vertices spread along it), a polygon's interior point. What an account scoped
    /// to areas may see of a map layer is decided by these.
    pub fn holding(&self, shape: &geo::Geometry<f64>) -> Vec<i64> {
        use geo::{CoordsIter, InteriorPoint};
        let mut points: Vec<geo::Coord<f64>> = match shape {
            geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_) => {
                shape.interior_point().map(|p| p.0).into_iter().collect()
            }
            _ => {
                let all: Vec<_> = shape.coords_iter().collect();
                let step = all.len().div_ceil(16).max(1);
                let mut picked: Vec<_> = all.iter().step_by(step).copied().collect();
                picked.extend(all.last().copied());
                picked
            }
        };
        points.dedup();
        let mut out = Vec::new();
        for c in points {
            for level in [AreaLevel::Township, AreaLevel::Community] {
                if let Some(a) = self.locate(LonLat::new(c.x, c.y), level) {
                    out.push(a.id);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}
