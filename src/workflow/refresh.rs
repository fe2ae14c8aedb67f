//! What one write changes, recomputed where it changes it: the risk of the venues an
//! inspection can move. Each read is bounded by the place (a box around the venue), so a write
//! costs the same in a city as in the demo district; the coverage it moves is recounted venue
//! by venue (`live_coverage`).

use crate::model::BBox;
use crate::model::LocalFrame;
use crate::planning::{PlanningConfig, RiskModel};
use crate::store::Store;
use chrono::NaiveDate;

/// Rescores the risk of venue `venue_id` and of every venue whose findings-nearby term its
/// inspections can move (those within three bandwidths, where the term's kernel ends), against
/// the blind spots and findings that reach them; stores the scores. Returns the venues rescored.
pub fn rescore_around(
    store: &mut Store,
    config: &PlanningConfig,
    date: NaiveDate,
    venue_id: i64,
) -> anyhow::Result<Vec<i64>> {
    let Some(venue) = store.venue(venue_id)? else {
        return Ok(Vec::new());
    };
    let w = &config.risk;
    let findings_reach = 3.0 * w.findings_bandwidth_m;
    let here = BBox::new(
        venue.position.lon,
        venue.position.lat,
        venue.position.lon,
        venue.position.lat,
    );
    let affected = store.venues_within(here.grown(findings_reach))?;
    let Some(around) = BBox::around(affected.iter().map(|v| v.position)) else {
        return Ok(Vec::new());
    };
    let blind_spots = store.blind_spots_within(around.grown(w.darkness_radius_m))?;
    let findings = store.findings_within(date, Some(around.grown(findings_reach)))?;
    let model = RiskModel::new(
        config,
        date,
        LocalFrame::new(venue.position),
        &blind_spots,
        &findings,
    );
    let ids: Vec<i64> = affected.iter().map(|v| v.id).collect();
    let histories = store.venue_histories_of(date, Some(&ids))?;
    let scores: Vec<_> = affected
        .iter()
        .map(|v| {
            let h = histories.get(&v.id).cloned().unwrap_or_default();
            (v.id, model.score(v, &h))
        })
        .collect();
    store.update_risk(date, &scores)?;
    Ok(ids)
}

/// Records an inspection durably, then rescores the risk around its venue for `date` (the plan
/// day the map shows), so the map's risk follows the record at once rather than at the next
/// plan. The record is acknowledged by its own commit: a failed rescoring is logged, and the
/// next plan scores every venue anyway.
pub fn record_inspection(
    store: &mut Store,
    config: &PlanningConfig,
    inspection: &crate::model::Inspection,
    date: NaiveDate,
) -> crate::store::Result<crate::store::Recorded> {
    let recorded = store.record_inspection(inspection, config)?;
    if recorded.created
        && let Err(e) = rescore_around(store, config, date, inspection.venue_id)
    {
        tracing::warn!(
            error = %format!("{e:#}"),
            venue = inspection.venue_id,
            "rescoring risk after an inspection failed"
        );
    }
    Ok(recorded)
}
