//! Judging the streets: every edge sampled every few metres, every corner at its point, against
//! the standard of its lighting class.

use super::config::{LightingConfig, Requirement};
use super::field::LightField;
use crate::index::{PointIndex, SegmentIndex};
use crate::model::{LitTag, LonLat, MetricPoint, StreetEdge, metres_between, metric_bounds};
use serde::Serialize;

/// How one edge does against its standard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeLighting {
    pub edge_id: i64,
    pub road_class: String,
    pub lighting_class: String,
    pub required: RequirementOut,
    pub samples: usize,
    /// Samples on a `lit=yes` street with no mapped lamp near: left out of the figures below.
    pub data_gap_samples: usize,
    pub avg_lx: f64,
    pub min_lx: f64,
    /// Emin / Eav (0 when the street is unlit).
    pub uniformity: f64,
    /// `None` when every sample is a data gap: nothing is known.
    pub passes: Option<bool>,
    pub lit: Option<LitTag>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RequirementOut {
    pub avg_lx: f64,
    pub min_lx: f64,
}

impl From<Requirement> for RequirementOut {
    fn from(r: Requirement) -> Self {
        Self {
            avg_lx: r.avg_lx,
            min_lx: r.min_lx,
        }
    }
}

/// A maximal run of consecutive samples of one edge in the same state (dark, or data gap).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub edge: usize,
    pub points: Vec<MetricPoint>,
    pub lux: Vec<f64>,
    pub length_m: f64,
}

/// A point below its minimum, and by how much: what lamp proposals try to remove.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeficitPoint {
    pub at: MetricPoint,
    pub deficit_lx: f64,
}

#[derive(Debug, Default)]
pub struct EdgeOutcome {
    pub lighting: Option<EdgeLighting>,
    pub dark_runs: Vec<Run>,
    pub gap_runs: Vec<Run>,
    pub deficits: Vec<DeficitPoint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SampleState {
    Lit,
    Dark,
    DataGap,
}

pub fn evaluate_edge(
    field: &LightField,
    mapped: &PointIndex<i64>,
    index: usize,
    edge: &StreetEdge,
    config: &LightingConfig,
) -> EdgeOutcome {
    let Some((class, required)) = config.road_requirement(&edge.road_class) else {
        return EdgeOutcome::default();
    };
    let line: Vec<MetricPoint> = edge
        .geometry
        .iter()
        .map(|p| field.frame.to_metric(*p))
        .collect();
    let samples = sample_line(&line, config.sample_spacing_m);
    let (min, max) = metric_bounds(line.iter().copied());
    let lamps = field.lamps_near_box(min, max);
    // Where OSM says lit=yes, the mapped lamps near the edge decide which samples are data gaps.
    let gap_lamps: Vec<MetricPoint> = if edge.lit == Some(LitTag::Yes) && !config.data_gaps_are_dark
    {
        let r = config.data_gap_radius_m;
        mapped
            .in_metric_box([min[0] - r, min[1] - r], [max[0] + r, max[1] + r])
            .map(|(_, p)| p)
            .collect()
    } else {
        Vec::new()
    };
    let maybe_gap = edge.lit == Some(LitTag::Yes) && !config.data_gaps_are_dark;
    let mut out = EdgeOutcome::default();
    let mut states = Vec::with_capacity(samples.len());
    let mut luxes = Vec::with_capacity(samples.len());
    for (q, _) in &samples {
        let lux = field.lux_from(&lamps, *q);
        let gap = maybe_gap
            && !gap_lamps
                .iter()
                .any(|p| metres_between(*p, *q) <= config.data_gap_radius_m);
        let state = if gap {
            SampleState::DataGap
        } else if lux < required.min_lx {
            out.deficits.push(DeficitPoint {
                at: *q,
                deficit_lx: required.min_lx - lux,
            });
            SampleState::Dark
        } else {
            SampleState::Lit
        };
        states.push(state);
        luxes.push(lux);
    }
    let judged: Vec<f64> = luxes
        .iter()
        .zip(&states)
        .filter(|(_, s)| **s != SampleState::DataGap)
        .map(|(l, _)| *l)
        .collect();
    let (avg_lx, min_lx) = if judged.is_empty() {
        (0.0, 0.0)
    } else {
        (
            judged.iter().fold(0.0, |a, b| a + b) / judged.len() as f64,
            judged.iter().copied().fold(f64::INFINITY, f64::min),
        )
    };
    out.lighting = Some(EdgeLighting {
        edge_id: edge.id,
        road_class: edge.road_class.clone(),
        lighting_class: class.to_string(),
        required: required.into(),
        samples: samples.len(),
        data_gap_samples: samples.len() - judged.len(),
        avg_lx,
        min_lx,
        uniformity: if avg_lx > 0.0 { min_lx / avg_lx } else { 0.0 },
        passes: (!judged.is_empty())
            .then_some(avg_lx >= required.avg_lx && min_lx >= required.min_lx),
        lit: edge.lit,
    });
    out.dark_runs = runs(index, &samples, &luxes, &states, SampleState::Dark);
    out.gap_runs = runs(index, &samples, &luxes, &states, SampleState::DataGap);
    out
}

/// The standard of the judged street nearest a point: what a lux figure there should be read
/// against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreetStandard {
    pub edge_id: i64,
    pub name: Option<String>,
    pub road_class: String,
    pub lighting_class: String,
    pub required_avg_lux: f64,
    pub required_min_lux: f64,
    pub distance_m: f64,
}

/// The nearest street within `max_distance_m` that has a lighting class; streets the model does
/// not judge (a track, say) are passed over, since they have no standard to read a figure by.
pub fn street_standard_near(
    at: LonLat,
    edges: &[StreetEdge],
    streets: &SegmentIndex,
    config: &LightingConfig,
    max_distance_m: f64,
) -> Option<StreetStandard> {
    let snap = streets.snap_where(at, max_distance_m, |e| {
        config.road_requirement(&edges[e].road_class).is_some()
    })?;
    let edge = &edges[snap.edge];
    let (class, required) = config.road_requirement(&edge.road_class)?;
    Some(StreetStandard {
        edge_id: edge.id,
        name: edge.name.clone(),
        road_class: edge.road_class.clone(),
        lighting_class: class.to_string(),
        required_avg_lux: required.avg_lx,
        required_min_lux: required.min_lx,
        distance_m: snap.distance_m,
    })
}

/// Evenly spaced points along a line, at most `spacing` apart, both ends included, with their
/// distance from the start. A line of zero length gets one point.
pub fn sample_line(line: &[MetricPoint], spacing: f64) -> Vec<(MetricPoint, f64)> {
    let lengths: Vec<f64> = line
        .windows(2)
        .map(|w| metres_between(w[0], w[1]))
        .collect();
    let total: f64 = lengths.iter().sum();
    if total <= 0.0 || line.len() < 2 {
        return line.first().map(|p| vec![(*p, 0.0)]).unwrap_or_default();
    }
    let n = (total / spacing).ceil().max(1.0) as usize;
    let step = total / n as f64;
    let mut out = Vec::with_capacity(n + 1);
    let (mut segment, mut start) = (0, 0.0);
    for k in 0..=n {
        let offset = if k == n { total } else { k as f64 * step };
        while segment + 1 < lengths.len() && start + lengths[segment] < offset {
            start += lengths[segment];
            segment += 1;
        }
        let t = if lengths[segment] > 0.0 {
            ((offset - start) / lengths[segment]).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (a, b) = (line[segment], line[segment + 1]);
        out.push(([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t], offset));
    }
    out
}

fn runs(
    edge: usize,
    samples: &[(MetricPoint, f64)],
    lux: &[f64],
    states: &[SampleState],
    want: SampleState,
) -> Vec<Run> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < states.len() {
        if states[i] != want {
            i += 1;
            continue;
        }
        let start = i;
        while i < states.len() && states[i] == want {
            i += 1;
        }
        out.push(Run {
            edge,
            points: samples[start..i].iter().map(|s| s.0).collect(),
            lux: lux[start..i].to_vec(),
            length_m: samples[i - 1].1 - samples[start].1,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_even_and_include_both_ends() {
        let line = [[0.0, 0.0], [7.0, 0.0], [7.0, 5.0]];
        let s = sample_line(&line, 5.0);
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].0, [0.0, 0.0]);
        assert_eq!(s[3].0, [7.0, 5.0]);
        assert!(
            (s[1].1 - 4.0).abs() < 1e-12
                && (s[2].0[0] - 7.0).abs() < 1e-12
                && (s[2].0[1] - 1.0).abs() < 1e-12
        );
    }

    #[test]
    fn a_zero_length_edge_gets_one_sample() {
        assert_eq!(
            sample_line(&[[3.0, 4.0], [3.0, 4.0]], 5.0),
            vec![([3.0, 4.0], 0.0)]
        );
    }
}
