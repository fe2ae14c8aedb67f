//! The coverage figures kept as the sum of their venues' parts, so that a write recounts the
//! venue it touched and adjusts the areas holding it, instead of counting a township's ten
//! thousand venues again (`venue_figures` is the one rule both ways).

use super::CoverageFigures;
use std::collections::HashMap;

/// Each venue's part in the figures, with the areas (of every level) it counts in, and each
/// area's sum.
#[derive(Debug, Clone, Default)]
pub struct CoverageLedger {
    venues: HashMap<i64, (Vec<i64>, CoverageFigures)>,
    areas: HashMap<i64, CoverageFigures>,
}

impl CoverageLedger {
    /// From each venue's part (`venue_figures`) and the areas each venue counts in.
    pub fn new(parts: HashMap<i64, CoverageFigures>, areas_of: impl Fn(i64) -> Vec<i64>) -> Self {
        let mut ledger = Self::default();
        for (venue, figures) in parts {
            let areas = areas_of(venue);
            for a in &areas {
                ledger.areas.entry(*a).or_default().merge(&figures, true);
            }
            ledger.venues.insert(venue, (areas, figures));
        }
        ledger
    }

    /// The venue's part replaced by `figures`, counted in `areas` (none for a closed venue):
    /// the areas whose figures changed, in id order.
    pub fn replace(&mut self, venue: i64, areas: Vec<i64>, figures: CoverageFigures) -> Vec<i64> {
        let (old_areas, old) = self.venues.remove(&venue).unwrap_or_default();
        let mut changed = Vec::new();
        if old_areas != areas || old != figures {
            for a in &old_areas {
                self.areas.entry(*a).or_default().merge(&old, false);
            }
            for a in &areas {
                self.areas.entry(*a).or_default().merge(&figures, true);
            }
            changed.extend(old_areas.iter().chain(&areas).copied());
            changed.sort_unstable();
            changed.dedup();
        }
        if figures != CoverageFigures::default() || !areas.is_empty() {
            self.venues.insert(venue, (areas, figures));
        }
        changed
    }

    /// An area's figures, its share worked out.
    pub fn figures(&self, area: i64) -> CoverageFigures {
        let mut f = self.areas.get(&area).cloned().unwrap_or_default();
        f.covered_share = super::share(&f);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(active: usize, covered: usize, by: &[(&str, usize)]) -> CoverageFigures {
        CoverageFigures {
            active,
            covered,
            overdue: active - covered,
            inspections: by.iter().map(|(_, n)| n).sum(),
            inspections_by_inspector: by.iter().map(|(w, n)| (w.to_string(), *n)).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_venue_replaced_moves_only_its_own_part_and_ends_as_a_fresh_count() {
        // Venues 1 and 2 in township 10 and communities 20 and 21.
        let parts = HashMap::from([(1, part(1, 0, &[])), (2, part(1, 1, &[("inspector1", 2)]))]);
        let mut ledger =
            CoverageLedger::new(parts, |v| if v == 1 { vec![10, 20] } else { vec![10, 21] });
        assert_eq!(ledger.figures(10).active, 2);
        assert_eq!(ledger.figures(10).covered_share, 0.5);
        // Venue 1 inspected by inspector2: covered now.
        let changed = ledger.replace(1, vec![10, 20], part(1, 1, &[("inspector2", 1)]));
        assert_eq!(changed, vec![10, 20]);
        let fresh = CoverageLedger::new(
            HashMap::from([
                (1, part(1, 1, &[("inspector2", 1)])),
                (2, part(1, 1, &[("inspector1", 2)])),
            ]),
            |v| if v == 1 { vec![10, 20] } else { vec![10, 21] },
        );
        for area in [10, 20, 21] {
            assert_eq!(ledger.figures(area), fresh.figures(area), "area {area}");
        }
        // The same part again changes nothing; a move out of community 20 changes both.
        assert!(
            ledger
                .replace(1, vec![10, 20], part(1, 1, &[("inspector2", 1)]))
                .is_empty()
        );
        let moved = ledger.replace(1, vec![10, 21], part(1, 1, &[("inspector2", 1)]));
        assert_eq!(moved, vec![10, 20, 21]);
        assert_eq!(
            ledger.figures(20),
            CoverageFigures {
                covered_share: 1.0,
                ..Default::default()
            }
        );
        assert_eq!(ledger.figures(21).inspections_by_inspector.len(), 2);
    }
}
