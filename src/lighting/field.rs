//! The light field: the sum over lit lamps at any ground point, bounded by the lamp index to the
//! lamps that can still add more than the cut-off.

use super::lamps::LitLamp;
use super::photometry::{LightDistribution, illuminance_lx};
use crate::index::PointIndex;
use crate::model::{LocalFrame, MetricPoint, metres_between};
use serde::Serialize;

pub struct LightField<'d> {
    pub frame: LocalFrame,
    /// Every resolved lamp, lit or broken, ascending by id: the order every sum uses.
    pub lamps: Vec<LitLamp>,
    /// Whether each lamp of `lamps` is lit. Broken lamps stay in the index so that a repair (or a
    /// failure) flips one flag instead of rebuilding the tree.
    on: Vec<bool>,
    index: PointIndex<usize>,
    max_radius_m: f64,
    maintenance_factor: f64,
    distribution: &'d dyn LightDistribution,
}

/// One lamp's share of the light at a point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Contribution {
    /// Index into `LightField::lamps`.
    pub lamp: usize,
    pub distance_m: f64,
    pub lux: f64,
}

impl<'d> LightField<'d> {
    /// `lamps` are (lamp, lit) ascending by id.
    pub fn new(
        frame: LocalFrame,
        lamps: Vec<(LitLamp, bool)>,
        maintenance_factor: f64,
        distribution: &'d dyn LightDistribution,
    ) -> Self {
        let (lamps, on): (Vec<LitLamp>, Vec<bool>) = lamps.into_iter().unzip();
        let index =
            PointIndex::build_metric(frame, lamps.iter().enumerate().map(|(i, l)| (l.at, i)));
        let max_radius_m = lamps.iter().map(|l| l.radius_m).fold(0.0, f64::max);
        Self {
            frame,
            lamps,
            on,
            index,
            max_radius_m,
            maintenance_factor,
            distribution,
        }
    }

    pub fn max_radius_m(&self) -> f64 {
        self.max_radius_m
    }

    pub fn is_lit(&self, i: usize) -> bool {
        self.on[i]
    }

    /// The lamp with this id, by binary search (the lamps are ascending by id).
    pub fn position_of(&self, id: i64) -> Option<usize> {
        self.lamps.binary_search_by_key(&id, |l| l.id).ok()
    }

    /// Lights or darkens one lamp; true when that changed anything.
    pub fn set_lit(&mut self, i: usize, lit: bool) -> bool {
        std::mem::replace(&mut self.on[i], lit) != lit
    }

    /// Adds a lamp whose id is above every other, so the id order every sum uses still holds.
    pub fn push(&mut self, lamp: LitLamp, lit: bool) -> usize {
        debug_assert!(self.lamps.last().is_none_or(|l| l.id < lamp.id));
        let i = self.lamps.len();
        self.index.insert_metric(lamp.at, i);
        self.max_radius_m = self.max_radius_m.max(lamp.radius_m);
        self.lamps.push(lamp);
        self.on.push(lit);
        i
    }

    /// The lamps that may light anything inside a metric box, in ascending order (the order every
    /// sum uses, so that a point evaluated in a batch and alone gives the same bits).
    pub fn lamps_near_box(&self, min: MetricPoint, max: MetricPoint) -> Vec<usize> {
        let r = self.max_radius_m;
        let mut near: Vec<usize> = self
            .index
            .in_metric_box([min[0] - r, min[1] - r], [max[0] + r, max[1] + r])
            .map(|(i, _)| i)
            .collect();
        near.sort_unstable();
        near
    }

    /// Illuminance at `q` from the given lamps (ascending indices), each within its own radius.
    /// Sums here start from +0.0: std's float `sum` starts from −0.0, which would print an unlit
    /// point as "-0.00 lx".
    pub fn lux_from(&self, lamps: &[usize], q: MetricPoint) -> f64 {
        lamps
            .iter()
            .filter_map(|&i| self.contribution(i, q))
            .map(|c| c.lux)
            .fold(0.0, |a, b| a + b)
    }

    pub fn lux_at(&self, q: MetricPoint) -> f64 {
        self.lux_from(&self.lamps_near_box(q, q), q)
    }

    /// Each lamp's share at `q`, brightest first.
    pub fn contributions_at(&self, q: MetricPoint) -> Vec<Contribution> {
        let mut shares: Vec<Contribution> = self
            .lamps_near_box(q, q)
            .into_iter()
            .filter_map(|i| self.contribution(i, q))
            .collect();
        shares.sort_by(|a, b| b.lux.total_cmp(&a.lux).then(a.lamp.cmp(&b.lamp)));
        shares
    }

    fn contribution(&self, i: usize, q: MetricPoint) -> Option<Contribution> {
        if !self.on[i] {
            return None;
        }
        let lamp = &self.lamps[i];
        let distance_m = metres_between(lamp.at, q);
        (distance_m <= lamp.radius_m).then(|| Contribution {
            lamp: i,
            distance_m,
            lux: illuminance_lx(
                self.distribution,
                lamp.flux_lm,
                lamp.height_m,
                distance_m,
                self.maintenance_factor,
            ),
        })
    }
}
