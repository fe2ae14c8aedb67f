use super::progress;
use crate::ingest::osm::read_osm;
use crate::ingest::registry::{ColumnMap, Parsed, parse_areas, parse_lamps, parse_venues};
use crate::ingest::{Crs, InputError};
use crate::store::{ImportSummary, Store};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// An OSM PBF extract: streets, corners, lamps and venue candidates.
    Osm {
        file: PathBuf,
        /// Name of the dataset (default: the file name); a re-import of the same dataset replaces
        /// its streets.
        #[arg(long)]
        dataset: Option<String>,
    },
    /// A venue registry (CSV or GeoJSON).
    Venues(RegistryArgs),
    /// A lamp registry (CSV or GeoJSON).
    Lamps(RegistryArgs),
    /// Townships, communities or grid cells (GeoJSON polygons).
    Areas(RegistryArgs),
}

#[derive(Debug, Args)]
pub struct RegistryArgs {
    pub file: PathBuf,
    /// Rename the registry's columns to patrolmap's fields: `source_id=编号,lon=经度,lat=纬度`.
    #[arg(long, default_value = "")]
    pub columns: ColumnMap,
    /// The datum of the file's coordinates; GCJ-02 and BD-09 are converted to WGS-84. Never guessed.
    #[arg(long, default_value = "wgs84")]
    pub crs: Crs,
    /// Import the good rows and write the rejected ones, with reasons, to the rejects file.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Where rejected rows go (default: `<data>/rejects/<file>.rejects.csv`).
    #[arg(long)]
    pub rejects: Option<PathBuf>,
}

pub fn run(data: &Path, what: ImportCommand) -> anyhow::Result<()> {
    let summary = match what {
        ImportCommand::Osm { file, dataset } => import_osm(data, &file, dataset)?,
        ImportCommand::Venues(a) => import_registry(data, &a, parse_venues, Store::import_venues)?,
        ImportCommand::Lamps(a) => {
            let dataset = format!("registry:{}", file_name(&a.file));
            import_registry(data, &a, parse_lamps, |s, f, rows| {
                s.import_lamps(f, &dataset, rows)
            })?
        }
        ImportCommand::Areas(a) => import_registry(data, &a, parse_areas, Store::import_areas)?,
    };
    print!("{summary}");
    Ok(())
}

pub fn import_osm(
    data: &Path,
    file: &Path,
    dataset: Option<String>,
) -> anyhow::Result<ImportSummary> {
    let bar = progress::step(format!("reading {}", file.display()));
    let extract = read_osm(file)?;
    progress::done(bar, "read osm");
    let mut store = Store::open(data)?;
    let bar = progress::step("writing the street network, corners and lamps");
    let dataset = dataset.unwrap_or_else(|| format!("osm:{}", file_name(file)));
    let summary = store.import_osm(&file.display().to_string(), &dataset, &extract)?;
    progress::done(bar, "store osm");
    Ok(summary)
}

/// The shared path of every registry: parse, refuse or keep the good rows, write in one
/// transaction, and put the rejects where the user can fix them.
pub fn import_registry<T>(
    data: &Path,
    args: &RegistryArgs,
    parse: impl FnOnce(&Path, &ColumnMap, Crs) -> Result<Parsed<T>, InputError>,
    write: impl FnOnce(&mut Store, &str, &[T]) -> crate::store::Result<ImportSummary>,
) -> anyhow::Result<ImportSummary> {
    let bar = progress::step(format!("reading {}", args.file.display()));
    let parsed = parse(&args.file, &args.columns, args.crs)?.accept(args.skip_invalid)?;
    progress::done(bar, "read registry");
    let mut store = Store::open(data)?;
    let mut summary = write(&mut store, &args.file.display().to_string(), &parsed.rows)?;
    if !parsed.rejected.is_empty() {
        let path = args.rejects.clone().unwrap_or_else(|| {
            data.join("rejects")
                .join(format!("{}.rejects.csv", file_name(&args.file)))
        });
        write_rejects(&path, &parsed.rejected)?;
        summary
            .notes
            .push(format!("rejected rows written to {}", path.display()));
    }
    summary.rejected = parsed.rejected.iter().map(ToString::to_string).collect();
    Ok(summary)
}

fn write_rejects(path: &Path, rejected: &[InputError]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["file", "place", "field", "reason"])?;
    for e in rejected {
        w.write_record([
            e.file.display().to_string(),
            e.place(),
            e.field.clone().unwrap_or_default(),
            e.message.clone(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
