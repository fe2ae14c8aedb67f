//! The district grid (网格): square cells of a fixed size in metres, counted from a fixed origin, so
//! that the cell of any point, and the cells over any extent, can always be derived again without
//! the store.

use super::{Area, AreaLevel, BBox, LocalFrame, LonLat};
use geo::{LineString, MultiPolygon, Polygon};

/// 250 m cells: a few hundred households each in a dense centre, the usual size of an urban 网格.
pub const DEFAULT_GRID_CELL_M: f64 = 250.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    frame: LocalFrame,
    cell_m: f64,
}

/// A cell by its column (east) and row (north) from the grid origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GridCell {
    pub col: i64,
    pub row: i64,
}

impl Grid {
    /// `cell_m` must be positive and finite; the origin is the grid's south-west corner of cell 0,0.
    pub fn new(origin: LonLat, cell_m: f64) -> Result<Self, String> {
        if !(cell_m.is_finite() && cell_m >= 1.0) {
            return Err(format!("grid cell size must be at least 1 m, got {cell_m}"));
        }
        Ok(Self {
            frame: LocalFrame::new(origin),
            cell_m,
        })
    }

    /// The conventional origin for an extent: its south-west corner snapped down to 0.01°, so that
    /// re-importing a slightly different extract keeps the same cells.
    pub fn origin_for(extent: &BBox) -> LonLat {
        LonLat::new(
            (extent.west * 100.0).floor() / 100.0,
            (extent.south * 100.0).floor() / 100.0,
        )
    }

    pub fn origin(&self) -> LonLat {
        self.frame.origin()
    }

    pub fn cell_m(&self) -> f64 {
        self.cell_m
    }

    pub fn cell_of(&self, p: LonLat) -> GridCell {
        let m = self.frame.to_metric(p);
        GridCell {
            col: (m[0] / self.cell_m).floor() as i64,
            row: (m[1] / self.cell_m).floor() as i64,
        }
    }

    /// Every cell that meets the extent, west to east, south to north.
    pub fn cells_over(&self, extent: &BBox) -> Vec<GridCell> {
        let sw = self.cell_of(LonLat::new(extent.west, extent.south));
        let ne = self.cell_of(LonLat::new(extent.east, extent.north));
        let mut cells = Vec::new();
        for row in sw.row..=ne.row {
            for col in sw.col..=ne.col {
                cells.push(GridCell { col, row });
            }
        }
        cells
    }

    pub fn source_id(&self, cell: GridCell) -> String {
        format!("grid:{}m:{}:{}", self.cell_m, cell.col, cell.row)
    }

    pub fn polygon(&self, cell: GridCell) -> Polygon<f64> {
        let (x0, y0) = (cell.col as f64 * self.cell_m, cell.row as f64 * self.cell_m);
        let (x1, y1) = (x0 + self.cell_m, y0 + self.cell_m);
        let ring: Vec<(f64, f64)> = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
            .iter()
            .map(|m| {
                let p = self.frame.to_lonlat(*m);
                (p.lon, p.lat)
            })
            .collect();
        Polygon::new(LineString::from(ring), vec![])
    }

    pub fn area(&self, cell: GridCell) -> Area {
        Area {
            id: 0,
            source_id: self.source_id(cell),
            name: format!("网格 {}-{}", cell.col, cell.row),
            level: AreaLevel::Grid,
            parent_source_id: None,
            geometry: MultiPolygon::new(vec![self.polygon(cell)]),
            sample: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, Point};

    #[test]
    fn every_point_lies_in_the_polygon_of_its_cell() {
        let grid = Grid::new(LonLat::new(24.93, 60.16), 250.0).unwrap();
        for (lon, lat) in [(24.9351, 60.1642), (24.95, 60.17), (24.9533, 60.1790)] {
            let cell = grid.cell_of(LonLat::new(lon, lat));
            assert!(grid.polygon(cell).contains(&Point::new(lon, lat)));
        }
    }

    #[test]
    fn cells_cover_the_extent_and_are_derivable_again() {
        let extent = BBox::new(24.9352, 60.1642, 24.9534, 60.1791);
        let grid = Grid::new(Grid::origin_for(&extent), 250.0).unwrap();
        let cells = grid.cells_over(&extent);
        // About 1.0 km × 1.7 km (plus the snap to 0.01°) in 250 m cells.
        assert!(cells.len() > 20 && cells.len() < 80, "{}", cells.len());
        let again = Grid::new(Grid::origin_for(&extent), 250.0).unwrap();
        assert_eq!(cells, again.cells_over(&extent));
    }

    #[test]
    fn rejects_a_zero_cell() {
        assert!(Grid::new(LonLat::new(0.0, 0.0), 0.0).is_err());
        assert!(Grid::new(LonLat::new(0.0, 0.0), f64::NAN).is_err());
    }
}
