//! The coverage figures of every area (townships, communities, grid cells) as the map's coverage
//! layer shows them, kept live: counted once from the store as each venue's part, then brought
//! forward by recounting only the venues a write touched. A write in a township of ten thousand
//! venues reads that venue's inspections and follow-ups, not the township's.

use crate::index::AreaLocator;
use crate::model::{Area, AreaLevel, VenueStatus};
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
        // A closed venue counts in no area (its past visits count only in the district's total).
        let held: HashMap<i64, Vec<i64>> = venues
            .iter()
            .filter(|v| v.status != VenueStatus::Closed)
            .map(|v| {
                let ids = LEVELS
                    .iter()
                    .filter_map(|l| locator.locate(v.position, *l).map(|a| a.id))
                    .collect();
                (v.id, ids)
            })
            .collect();
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
        let locator = AreaLocator::new(&self.areas);
        let mut changed = BTreeSet::new();
        for &id in ids {
            let venue = store.venue(id)?;
            let own = |venue_id: i64| venue_id == id;
            let visits: Vec<_> = visits.iter().filter(|v| own(v.venue_id)).cloned().collect();
            let follow_ups: Vec<_> = follow_ups
                .iter()
                .filter(|f| own(f.venue_id))
                .cloned()
                .collect();
            let part = venue_figures(
                config,
                self.date,
                self.period_days,
                venue.as_slice(),
                &visits,
                &follow_ups,
            )
            .remove(&id)
            .unwrap_or_default();
            let held = venue
                .filter(|v| v.status != VenueStatus::Closed)
                .map(|v| {
                    LEVELS
                        .iter()
                        .filter_map(|l| locator.locate(v.position, *l).map(|a| a.id))
                        .collect()
                })
                .unwrap_or_default();
            changed.extend(self.ledger.replace(id, held, part));
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
