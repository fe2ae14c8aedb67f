//! Spatial index queries at the district-to-city scale of DESIGN.md §5: 100,000 venues and
//! 200,000 lamps spread over 10 km × 10 km (seeded), queries sized to return about 100 features.

use criterion::{Criterion, criterion_group, criterion_main};
use patrolmap::index::PointIndex;
use patrolmap::model::{BBox, LocalFrame, LonLat};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

const SIDE_M: f64 = 10_000.0;

fn points(n: usize, seed: u64, frame: &LocalFrame) -> Vec<LonLat> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| frame.to_lonlat([rng.random_range(0.0..SIDE_M), rng.random_range(0.0..SIDE_M)]))
        .collect()
}

fn queries(frame: &LocalFrame) -> Vec<LonLat> {
    points(1_000, 99, frame)
}

fn index_benches(c: &mut Criterion) {
    let frame = LocalFrame::new(LonLat::new(116.30, 39.85));
    let venues = points(100_000, 1, &frame);
    let lamps = points(200_000, 2, &frame);
    let venue_index = PointIndex::build(frame, venues.iter().copied().zip(0i64..));
    let lamp_index = PointIndex::build(frame, lamps.iter().copied().zip(0i64..));
    let qs = queries(&frame);

    c.bench_function("build 200k lamp index", |b| {
        b.iter(|| PointIndex::build(frame, black_box(&lamps).iter().copied().zip(0i64..)))
    });

    // 100 features out of 100,000 over 100 km²: a 0.1 km² box, about 316 m on a side.
    let half = 158.0;
    let boxes: Vec<BBox> = qs
        .iter()
        .map(|q| {
            let m = frame.to_metric(*q);
            let sw = frame.to_lonlat([m[0] - half, m[1] - half]);
            let ne = frame.to_lonlat([m[0] + half, m[1] + half]);
            BBox::new(sw.lon, sw.lat, ne.lon, ne.lat)
        })
        .collect();
    let found: usize = boxes.iter().map(|b| venue_index.in_bbox(b).count()).sum();
    println!(
        "bbox: {:.1} venues per query on average",
        found as f64 / boxes.len() as f64
    );
    let mut i = 0;
    c.bench_function("venues bbox ~100 of 100k", |b| {
        b.iter(|| {
            i = (i + 1) % boxes.len();
            venue_index.in_bbox(black_box(&boxes[i])).count()
        })
    });

    let mut i = 0;
    c.bench_function("venues 10 nearest of 100k", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            venue_index.nearest(black_box(qs[i]), 10)
        })
    });

    // 100 features of 100,000 over 100 km²: a radius of about 178 m.
    let radius = 178.0;
    let found: usize = qs
        .iter()
        .map(|q| venue_index.within(*q, radius).count())
        .sum();
    println!(
        "radius: {:.1} venues per query on average",
        found as f64 / qs.len() as f64
    );
    let mut i = 0;
    c.bench_function("venues within 178 m (~100 of 100k)", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            venue_index.within(black_box(qs[i]), radius).count()
        })
    });

    // The lighting model's query: every lamp that can still add 0.1 lx, about 40 m around a point.
    let mut i = 0;
    c.bench_function("lamps within 40 m of 200k", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            lamp_index.within(black_box(qs[i]), 40.0).count()
        })
    });
    let mut i = 0;
    c.bench_function("lamps nearest of 200k", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            lamp_index.nearest(black_box(qs[i]), 1)
        })
    });
}

criterion_group!(benches, index_benches);
criterion_main!(benches);
