//! Imports into the city tables, each in one transaction: all of a file, or none of it.

use super::upsert::{Upsert, int, opt_real, opt_text, real, remove_unseen, text};
use super::{ImportSummary, Result, Store, read};
use crate::index::AreaLocator;
use crate::ingest::osm::OsmExtract;
use crate::model::{Area, AreaLevel, BBox, Grid, Lamp, Venue};
use rusqlite::Transaction;

impl Store {
    /// The street network, corners, lamps and venue candidates of one OSM extract. `dataset` names
    /// the extract; its derived rows that a newer extract no longer has are removed.
    pub fn import_osm(
        &mut self,
        file: &str,
        dataset: &str,
        extract: &OsmExtract,
    ) -> Result<ImportSummary> {
        let tx = self.conn.transaction()?;
        let mut summary = ImportSummary {
            file: file.to_string(),
            ..Default::default()
        };
        {
            let mut nodes = Upsert::new(&tx, "street_nodes", &["id", "dataset", "lon", "lat"])?;
            for n in &extract.network.nodes {
                let source_id = format!("osm:node/{}", n.id);
                nodes.apply(
                    &source_id,
                    &[
                        int(n.id),
                        text(dataset),
                        real(n.position.lon),
                        real(n.position.lat),
                    ],
                )?;
            }
            let mut edges = Upsert::new(
                &tx,
                "street_edges",
                &[
                    "dataset",
                    "from_node",
                    "to_node",
                    "road_class",
                    "name",
                    "oneway",
                    "length_m",
                    "lit",
                    "foot",
                    "car",
                    "geometry",
                ],
            )?;
            for e in &extract.network.edges {
                edges.apply(
                    &e.source_id,
                    &[
                        text(dataset),
                        int(e.from_node),
                        int(e.to_node),
                        text(&e.road_class),
                        opt_text(e.name.as_deref()),
                        int(e.oneway.as_i64()),
                        real(e.length_m),
                        opt_text(e.lit.map(|l| l.as_str())),
                        int(e.foot as i64),
                        int(e.car as i64),
                        rusqlite::types::Value::Blob(read::encode_line(&e.geometry)),
                    ],
                )?;
            }
            let mut corners = Upsert::new(
                &tx,
                "corners",
                &[
                    "dataset",
                    "kind",
                    "degree",
                    "turn_deg",
                    "road_classes",
                    "lon",
                    "lat",
                ],
            )?;
            for c in &extract.corners {
                corners.apply(
                    &c.source_id,
                    &[
                        text(dataset),
                        text(c.kind.as_str()),
                        int(c.degree as i64),
                        real(c.turn_deg),
                        text(&c.road_classes.join(",")),
                        real(c.position.lon),
                        real(c.position.lat),
                    ],
                )?;
            }
            let mut candidates = Upsert::new(
                &tx,
                "venue_candidates",
                &[
                    "dataset",
                    "kind",
                    "osm_tag",
                    "name",
                    "address",
                    "lon",
                    "lat",
                    "opening_hours",
                ],
            )?;
            for c in &extract.candidates {
                candidates.apply(
                    &c.source_id,
                    &[
                        text(dataset),
                        text(c.kind.as_str()),
                        text(&c.osm_tag),
                        opt_text(c.name.as_deref()),
                        opt_text(c.address.as_deref()),
                        real(c.position.lon),
                        real(c.position.lat),
                        opt_text(c.opening_hours.as_deref()),
                    ],
                )?;
            }
            // Edges and corners go before nodes, which they reference.
            for (name, mut upsert) in [
                ("street_edges", edges),
                ("corners", corners),
                ("venue_candidates", candidates),
            ] {
                upsert.summary.removed =
                    remove_unseen(&tx, name, ("dataset", dataset), &upsert.seen)?;
                summary.tables.insert(name, upsert.summary);
            }
            nodes.summary.removed =
                remove_unseen(&tx, "street_nodes", ("dataset", dataset), &nodes.seen)?;
            summary.tables.insert("street_nodes", nodes.summary);
            // Lamp status is not OSM's to say, so an OSM re-import leaves it as surveyed.
            let mut lamps = Upsert::new(
                &tx,
                "lamps",
                &["dataset", "lon", "lat", "height_m", "flux_lm"],
            )?;
            for l in &extract.lamps {
                lamps.apply(&l.source_id, &lamp_values(dataset, l)[..5])?;
            }
            summary.tables.insert("lamps", lamps.summary);
        }
        let m = extract.missing;
        if m.refs > 0 {
            summary.notes.push(format!(
                "the extract is clipped: {} way→node references point at nodes not in the file, in {} ways ({} of them streets, which keep only their present runs)",
                m.refs, m.ways, m.street_ways
            ));
        }
        if !extract.ignored_tags.is_empty() {
            summary.notes.push(format!(
                "{} tag values could not be read and were left out, e.g. {}",
                extract.ignored_tags.len(),
                extract.ignored_tags[0]
            ));
        }
        log_import(&tx, "osm", &summary)?;
        tx.commit()?;
        Ok(summary)
    }

    pub fn import_venues(&mut self, file: &str, venues: &[Venue]) -> Result<ImportSummary> {
        let tx = self.conn.transaction()?;
        let mut summary = ImportSummary {
            file: file.to_string(),
            ..Default::default()
        };
        {
            let mut upsert = Upsert::new(
                &tx,
                "venues",
                &[
                    "kind",
                    "name",
                    "address",
                    "lon",
                    "lat",
                    "opening_hours",
                    "status",
                    "responsible_unit",
                    "complaints",
                    "sample",
                ],
            )?;
            for v in venues {
                upsert.apply(
                    &v.source_id,
                    &[
                        text(v.kind.as_str()),
                        text(&v.name),
                        opt_text(v.address.as_deref()),
                        real(v.position.lon),
                        real(v.position.lat),
                        opt_text(v.opening_hours.as_deref()),
                        text(v.status.as_str()),
                        opt_text(v.responsible_unit.as_deref()),
                        int(v.complaints as i64),
                        int(v.sample as i64),
                    ],
                )?;
            }
            summary.tables.insert("venues", upsert.summary);
        }
        assign_venue_areas(&tx)?;
        log_import(&tx, "venues", &summary)?;
        tx.commit()?;
        Ok(summary)
    }

    pub fn import_lamps(
        &mut self,
        file: &str,
        dataset: &str,
        lamps: &[Lamp],
    ) -> Result<ImportSummary> {
        let tx = self.conn.transaction()?;
        let mut summary = ImportSummary {
            file: file.to_string(),
            ..Default::default()
        };
        {
            let mut upsert = Upsert::new(
                &tx,
                "lamps",
                &["dataset", "lon", "lat", "height_m", "flux_lm", "status"],
            )?;
            for l in lamps {
                upsert.apply(&l.source_id, &lamp_values(dataset, l))?;
            }
            summary.tables.insert("lamps", upsert.summary);
        }
        log_import(&tx, "lamps", &summary)?;
        tx.commit()?;
        Ok(summary)
    }

    pub fn import_areas(&mut self, file: &str, areas: &[Area]) -> Result<ImportSummary> {
        let tx = self.conn.transaction()?;
        let mut summary = ImportSummary {
            file: file.to_string(),
            ..Default::default()
        };
        let summary_of_areas = upsert_areas(&tx, areas)?.summary;
        summary.tables.insert("areas", summary_of_areas);
        assign_venue_areas(&tx)?;
        log_import(&tx, "areas", &summary)?;
        tx.commit()?;
        Ok(summary)
    }

    /// Lays the district grid over `extent`, replacing any earlier grid, and remembers its origin
    /// and cell size so that the cell of any later point is derived the same way.
    pub fn lay_grid(&mut self, grid: &Grid, extent: &BBox) -> Result<ImportSummary> {
        let cells: Vec<Area> = grid
            .cells_over(extent)
            .into_iter()
            .map(|c| grid.area(c))
            .collect();
        let tx = self.conn.transaction()?;
        let mut summary = ImportSummary {
            file: format!("grid of {} m cells", grid.cell_m()),
            ..Default::default()
        };
        let mut upsert = upsert_areas(&tx, &cells)?;
        upsert.summary.removed = remove_unseen(&tx, "areas", ("level", "grid"), &upsert.seen)?;
        summary.tables.insert("areas", upsert.summary);
        drop(upsert);
        for (key, value) in [
            ("grid.origin_lon", grid.origin().lon.to_string()),
            ("grid.origin_lat", grid.origin().lat.to_string()),
            ("grid.cell_m", grid.cell_m().to_string()),
        ] {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value.as_str()],
            )?;
        }
        log_import(&tx, "grid", &summary)?;
        tx.commit()?;
        Ok(summary)
    }
}

const AREA_COLUMNS: &[&str] = &["name", "level", "parent_source_id", "geometry", "sample"];

fn area_values(a: &Area) -> Vec<rusqlite::types::Value> {
    let geometry = geojson::Geometry::new(geojson::GeometryValue::from(&a.geometry)).to_string();
    vec![
        text(&a.name),
        text(a.level.as_str()),
        opt_text(a.parent_source_id.as_deref()),
        text(&geometry),
        int(a.sample as i64),
    ]
}

fn upsert_areas<'t>(tx: &'t Transaction, areas: &[Area]) -> Result<Upsert<'t>> {
    let mut upsert = Upsert::new(tx, "areas", AREA_COLUMNS)?;
    for a in areas {
        upsert.apply(&a.source_id, &area_values(a))?;
    }
    Ok(upsert)
}

fn lamp_values(dataset: &str, l: &Lamp) -> Vec<rusqlite::types::Value> {
    vec![
        text(dataset),
        real(l.position.lon),
        real(l.position.lat),
        opt_real(l.height_m),
        opt_real(l.flux_lm),
        text(l.status.as_str()),
    ]
}

/// Venue → township and community, by point in polygon. Run after every venue or area import so
/// that the derived columns never go stale.
fn assign_venue_areas(tx: &Transaction) -> Result<()> {
    let areas = read::areas(tx)?;
    let locator = AreaLocator::new(&areas);
    let venues = read::venues(tx)?;
    let mut update = tx.prepare(
        "UPDATE venues SET township_id = ?2, community_id = ?3
         WHERE id = ?1 AND (township_id IS NOT ?2 OR community_id IS NOT ?3)",
    )?;
    for v in &venues {
        let town = locator
            .locate(v.position, AreaLevel::Township)
            .map(|a| a.id);
        let community = locator
            .locate(v.position, AreaLevel::Community)
            .map(|a| a.id);
        update.execute(rusqlite::params![v.id, town, community])?;
    }
    Ok(())
}

fn log_import(tx: &Transaction, kind: &str, summary: &ImportSummary) -> Result<()> {
    let json = serde_json::to_string(summary).unwrap_or_else(|_| "{}".to_string());
    tx.execute(
        "INSERT INTO imports (kind, file, summary) VALUES (?1, ?2, ?3)",
        [kind, summary.file.as_str(), json.as_str()],
    )?;
    Ok(())
}
