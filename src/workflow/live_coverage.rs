//! The coverage figures of every area (townships, communities, grid cells) as the map's coverage
//! layer shows them, kept live: counted once from the store as each venue's part, then brought
//! forward by recounting only the venues a write touched. A write in a township of ten thousand
//! venues reads that venue's inspections and follow-ups, not the township's.

use crate::index::AreaLocator;
use crate::model::{Area, AreaLevel, Venue, VenueStatus};
use crate::planning::PlanningConfig;
use crate::planning::coverage::{AreaCoverage, CoverageLedger, area_feature, venue_figures};
use crate::store::Store;
use anyhow::Context;
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};

const LEVELS: [AreaLevel; 3] = [AreaLevel::Township, AreaLevel::Community, AreaLevel::Grid];

/// Every area's coverage on `date` over the `period_days` days ending then.
pub struct LiveCoverage {
    date: NaiveDate,
    period_days: i64,
    /// Every area of the three levels, townships first, in the store's order.
    areas: Vec<Area>,
    ledger: CoverageLedger,
}

impl LiveCoverage {
    /// Counted from the store: every venue, inspection and follow-up read once for all levels.
    pub fn load(
        store: &Store,
        config: &PlanningConfig,
        date: NaiveDate,
        period_days: i64,
    ) -> anyhow::Result<Self> {
        let all = store.areas()?;
        let areas: Vec<Area> = LEVELS
            .iter()
            .flat_map(|l| all.iter().filter(move |a| a.level == *l).cloned())
            .collect();
        let venues = store.venues()?;
        let visits = store.visits().context("reading inspections")?;
        let follow_ups = store.follow_ups(None)?;
        let parts = venue_figures(config, date, period_days, &venues, &visits, &follow_ups);
        let locator = AreaLocator::new(&areas);
        let held: HashMap<i64, Vec<i64>> =
            venues.iter().map(|v| (v.id, held(&locator, v))).collect();
        let ledger = CoverageLedger::new(parts, |v| held.get(&v).cloned().unwrap_or_default());
        Ok(Self {
            date,
            period_days,
            areas,
            ledger,
        })
    }

    /// Every area's feature, townships first, as `coverage_geojson` draws them.
    pub fn features(&self) -> Vec<geojson::Feature> {
        self.areas.iter().filter_map(|a| self.feature(a)).collect()
    }

    /// The venues `ids` counted again from the store: the features of the areas whose figures
    /// changed, in the layer's order.
    pub fn recount(
        &mut self,
        store: &Store,
        config: &PlanningConfig,
        ids: &[i64],
    ) -> anyhow::Result<Vec<geojson::Feature>> {
        let visits = store.visits_of(ids)?;
        let follow_ups = store.follow_ups_of(ids)?;
        let venues: Vec<Venue> = ids
            .iter()
            .map(|&id| store.venue(id))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        let mut parts = venue_figures(
            config,
            self.date,
            self.period_days,
            &venues,
            &visits,
            &follow_ups,
        );
        let locator = AreaLocator::new(&self.areas);
        let mut changed = BTreeSet::new();
        for &id in ids {
            // A venue gone from the registry counts nowhere.
            let areas = venues
                .iter()
                .find(|v| v.id == id)
                .map(|v| held(&locator, v))
                .unwrap_or_default();
            let part = parts.remove(&id).unwrap_or_default();
            changed.extend(self.ledger.replace(id, areas, part));
        }
        Ok(self
            .areas
            .iter()
            .filter(|a| changed.contains(&a.id))
            .filter_map(|a| self.feature(a))
            .collect())
    }

    fn feature(&self, area: &Area) -> Option<geojson::Feature> {
        let c = AreaCoverage {
            area_id: Some(area.id),
            source_id: Some(area.source_id.clone()),
            name: area.name.clone(),
            figures: self.ledger.figures(area.id),
        };
        area_feature(&c, area, area.level.as_str(), self.date)
    }
}

/// The areas (one per level at most) whose figures a venue counts in. A closed venue counts in
/// none: its past visits count only in the district's total.
fn held(locator: &AreaLocator, venue: &Venue) -> Vec<i64> {
    if venue.status == VenueStatus::Closed {
        return Vec::new();
    }
    LEVELS
        .iter()
        .filter_map(|l| locator.locate(venue.position, *l).map(|a| a.id))
        .collect()
}
