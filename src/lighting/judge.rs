//! One street edge or one corner judged whole: its lighting, its blind spots weighed by the
//! venues near them, its data gaps, and the dark points lamp proposals try to remove. The full
//! evaluation runs this over every edge in parallel; an evaluated city runs it again over the
//! edges a lamp change reaches, so both say the same of every edge.

use super::blind_spots::Exposure;
use super::corners::{LitTags, evaluate_corner};
use super::evaluate::{DeficitPoint, EdgeLighting, evaluate_edge};
use super::{BlindSpot, CornerLighting, DataGap, LightingModel};
use crate::model::{Corner, StreetEdge};
use serde::Serialize;

/// Everything the model says about one judged street edge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeState {
    pub lighting: EdgeLighting,
    /// Its dark stretches of at least `min_dark_run_m`, in the order along the edge.
    pub blind_spots: Vec<BlindSpot>,
    pub data_gaps: Vec<DataGap>,
}

/// Everything the model says about one judged corner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CornerJudgement {
    pub lighting: CornerLighting,
    pub blind_spot: Option<BlindSpot>,
}

/// Edge `index` of the evaluated slice, or `None` when its road class is not judged. The runs
/// of samples are turned into spots here, so that no run outlives its edge.
pub fn judge_edge(
    model: &LightingModel,
    exposure: &Exposure,
    index: usize,
    edge: &StreetEdge,
) -> Option<(EdgeState, Vec<DeficitPoint>)> {
    let o = evaluate_edge(
        &model.field,
        &model.lamps.mapped,
        index,
        edge,
        &model.config,
    );
    let lighting = o.lighting?;
    let frame = model.field.frame;
    let blind_spots = o
        .dark_runs
        .iter()
        .filter(|r| r.length_m >= model.config.min_dark_run_m)
        .map(|r| exposure.stretch(r, &lighting, &frame))
        .collect();
    let data_gaps = o
        .gap_runs
        .iter()
        .map(|r| DataGap::of(&lighting, r, &frame))
        .collect();
    Some((
        EdgeState {
            lighting,
            blind_spots,
            data_gaps,
        },
        o.deficits,
    ))
}

/// One corner, or `None` when no street meeting there is judged.
pub fn judge_corner(
    model: &LightingModel,
    exposure: &Exposure,
    corner: &Corner,
    lit: &LitTags,
) -> Option<(CornerJudgement, Option<DeficitPoint>)> {
    let (lighting, deficit) = evaluate_corner(
        &model.field,
        &model.lamps.mapped,
        corner,
        lit,
        &model.config,
    )?;
    let blind_spot = exposure.corner(&lighting, &model.field.frame);
    Some((
        CornerJudgement {
            lighting,
            blind_spot,
        },
        deficit,
    ))
}
