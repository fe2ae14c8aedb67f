//! Import of the Prague extract (164k nodes, 7.9k street ways): reading the PBF, and the whole
//! import into a fresh SQLite store.

use criterion::{Criterion, criterion_group, criterion_main};
use patrolmap::ingest::osm::read_osm;
use patrolmap::store::Store;
use std::path::Path;

fn import_benches(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/osm/prague-small.osm.pbf");
    let mut group = c.benchmark_group("prague");
    group.sample_size(10);
    group.bench_function("read pbf", |b| b.iter(|| read_osm(&file).unwrap()));
    group.bench_function("read pbf + import into a new store", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().unwrap();
            let extract = read_osm(&file).unwrap();
            let mut store = Store::open(dir.path()).unwrap();
            store.import_osm("prague", "osm:prague", &extract).unwrap()
        })
    });
    let dir = tempfile::tempdir().unwrap();
    let extract = read_osm(&file).unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.import_osm("prague", "osm:prague", &extract).unwrap();
    group.bench_function("re-import unchanged", |b| {
        b.iter(|| store.import_osm("prague", "osm:prague", &extract).unwrap())
    });
    group.finish();
}

criterion_group!(benches, import_benches);
criterion_main!(benches);
