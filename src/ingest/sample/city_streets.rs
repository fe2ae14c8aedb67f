//! The synthetic city's streets, made as OSM ways with tags and run through the same network
//! builder as a real extract, so splitting, corners, `lit`, `oneway` and access come from the
//! real tag rules. A grid is only the skeleton: spacings vary, arterials come at uneven
//! intervals, the whole plan is warped gently, walled compounds leave big blocks, streets end,
//! and footpaths cut across blocks.

use crate::ingest::osm::{OsmExtract, RawWay, Tags, extract_from_ways};
use crate::model::{LocalFrame, LonLat};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// South-west corner of the synthetic city: the latitude of a city on the middle Yangtze.
pub const CITY_ORIGIN: LonLat = LonLat {
    lon: 112.90,
    lat: 28.12,
};

/// Words of Chinese street names; a word is reused with an ordinal (建设二路) once all are taken.
const NAME_WORDS: &[&str] = &[
    "人民", "解放", "中山", "建设", "胜利", "和平", "长江", "黄河", "文化", "新华", "五一", "八一",
    "东风", "红旗", "迎宾", "滨江", "湘江", "芙蓉", "韶山", "车站", "劳动", "曙光", "朝阳", "团结",
    "友谊", "光明", "幸福", "育才", "青年", "工农", "学院", "体育", "公园", "书院", "桂花", "枫林",
    "望城", "金星", "银杉", "梅溪", "荷花", "松柏", "翠微", "天心", "雨花", "岳麓", "星沙", "洪山",
];
const ORDINALS: &[&str] = &["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Mean spacing of parallel streets: with the splits at every crossing, a real city's edges
/// average about this (the Prague extract's is 42 m).
const MEAN_GAP_M: f64 = 46.0;
const WARP_M: f64 = 45.0;
const WARP_WAVELENGTH_M: f64 = 2_600.0;

/// One street line of the skeleton: its class, name and direction rule.
struct Line {
    class: &'static str,
    name: Option<String>,
    oneway: bool,
}

fn is_arterial(class: &str) -> bool {
    matches!(class, "primary" | "secondary" | "tertiary")
}

/// Names by suffix, so the n-th 路 after the word list is used up is 建设二路.
#[derive(Default)]
struct Namer(HashMap<&'static str, usize>);

impl Namer {
    fn name(&mut self, suffix: &'static str) -> String {
        let k = self.0.entry(suffix).or_default();
        let word = NAME_WORDS[*k % NAME_WORDS.len()];
        let ordinal = ORDINALS[(*k / NAME_WORDS.len()) % ORDINALS.len()];
        *k += 1;
        format!("{word}{ordinal}{suffix}")
    }
}

/// Classes of the `n` parallel lines of one axis: arterials every 8–14 lines (primary and
/// secondary by turns, often a tertiary between), local streets of mixed kinds between.
fn lines(rng: &mut ChaCha8Rng, n: usize, across: bool, namer: &mut Namer) -> Vec<Line> {
    let mut classes = vec![""; n];
    let mut next = rng.random_range(0..6);
    let mut major = true;
    while next < n {
        classes[next] = if major { "primary" } else { "secondary" };
        major = !major;
        let gap = rng.random_range(8..=14);
        if rng.random_bool(0.6) && next + gap / 2 < n {
            classes[next + gap / 2] = "tertiary";
        }
        next += gap;
    }
    classes
        .into_iter()
        .map(|c| {
            let class = if c.is_empty() {
                match rng.random_range(0..100) {
                    0..65 => "residential",
                    65..80 => "service",
                    80..92 => "footway",
                    _ => "living_street",
                }
            } else {
                c
            };
            let name = match class {
                "primary" => Some(namer.name("大道")),
                "secondary" | "tertiary" => Some(namer.name(if across { "路" } else { "街" })),
                "residential" => Some(namer.name(if rng.random_bool(0.7) { "巷" } else { "里" })),
                "living_street" => Some(namer.name("里")),
                "service" if rng.random_bool(0.4) => Some(namer.name("巷")),
                _ => None,
            };
            let oneway = matches!(class, "residential" | "service") && rng.random_range(0..6) == 0;
            Line {
                class,
                name,
                oneway,
            }
        })
        .collect()
}

/// Positions of `n` parallel lines: gaps of 25–70 m around the mean, wider beside arterials.
fn offsets(rng: &mut ChaCha8Rng, lines: &[Line]) -> Vec<f64> {
    let mut at = 0.0;
    let mut out = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            let wide = is_arterial(l.class) || is_arterial(lines[i - 1].class);
            let base = rng.random_range(25.0..70.0) * MEAN_GAP_M / 47.5;
            at += if wide { base * 1.3 } else { base };
        }
        out.push(at);
    }
    out
}

/// `lit=*` of one stretch: arterials mostly lit, footpaths often dark, most local streets untagged.
fn lit_tag(rng: &mut ChaCha8Rng, class: &str) -> Option<&'static str> {
    let roll = rng.random_range(0..100);
    match class {
        "primary" | "secondary" | "tertiary" => match roll {
            0..70 => Some("yes"),
            70..75 => Some("no"),
            _ => None,
        },
        "footway" => match roll {
            0..5 => Some("yes"),
            5..30 => Some("no"),
            _ => None,
        },
        _ => match roll {
            0..15 => Some("yes"),
            15..23 => Some("no"),
            _ => None,
        },
    }
}

/// A street network of about `edges` edges (at least a few hundred), the same for a seed.
pub fn city_streets(edges: usize, seed: u64) -> OsmExtract {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // An n × n skeleton has 2·n·(n − 1) edges before some are dropped (about 7%).
    let n = ((edges.max(400) as f64 / (2.0 * 0.93)).sqrt().ceil() as usize).max(12);
    let mut namer = Namer::default();
    let rows = lines(&mut rng, n, true, &mut namer);
    let cols = lines(&mut rng, n, false, &mut namer);
    let ys = offsets(&mut rng, &rows);
    let xs = offsets(&mut rng, &cols);
    let frame = LocalFrame::new(CITY_ORIGIN);
    let phase = [
        rng.random_range(0.0..std::f64::consts::TAU),
        rng.random_range(0.0..std::f64::consts::TAU),
    ];
    let wave = std::f64::consts::TAU / WARP_WAVELENGTH_M;
    let id = |r: usize, c: usize| (r * n + c) as i64 + 1;
    let mut nodes: HashMap<i64, LonLat> = HashMap::with_capacity(n * n * 11 / 10);
    for (r, y) in ys.iter().enumerate() {
        for (c, x) in xs.iter().enumerate() {
            let jitter = [rng.random_range(-3.0..3.0), rng.random_range(-3.0..3.0)];
            let p = [
                x + WARP_M * (y * wave + phase[0]).sin() + jitter[0],
                y + WARP_M * (x * wave + phase[1]).sin() + jitter[1],
            ];
            nodes.insert(id(r, c), frame.to_lonlat(p));
        }
    }
    // Walled compounds (大院, campuses): no public street inside, only around.
    let mut void = vec![false; n * n];
    for _ in 0..(n * n / 350) {
        let (h, w) = (rng.random_range(2..5), rng.random_range(2..5));
        let (r0, c0) = (rng.random_range(0..n - h), rng.random_range(0..n - w));
        let crosses_arterial = (r0 + 1..r0 + h).any(|r| is_arterial(rows[r].class))
            || (c0 + 1..c0 + w).any(|c| is_arterial(cols[c].class));
        if !crosses_arterial {
            for r in r0 + 1..r0 + h {
                for c in c0 + 1..c0 + w {
                    void[r * n + c] = true;
                }
            }
        }
    }
    let degree_of = |r: usize, c: usize, void: &[bool]| {
        [
            r > 0 && !void[(r - 1) * n + c],
            r + 1 < n && !void[(r + 1) * n + c],
            c > 0 && !void[r * n + c - 1],
            c + 1 < n && !void[r * n + c + 1],
        ]
        .iter()
        .filter(|x| **x)
        .count()
    };
    let mut degree: Vec<usize> = (0..n * n).map(|k| degree_of(k / n, k % n, &void)).collect();
    // Dead ends and longer blocks: a local stretch is left out where both its ends keep three
    // other streets, so no street is cut off.
    let mut keep = |a: (usize, usize), b: (usize, usize), class: &str, rng: &mut ChaCha8Rng| {
        let (ka, kb) = (a.0 * n + a.1, b.0 * n + b.1);
        if void[ka] || void[kb] {
            return false;
        }
        let p = match class {
            "footway" => 0.3,
            c if is_arterial(c) => 0.0,
            _ => 0.06,
        };
        if p > 0.0 && degree[ka] > 2 && degree[kb] > 2 && rng.random_bool(p) {
            degree[ka] -= 1;
            degree[kb] -= 1;
            return false;
        }
        true
    };
    let mut ways: Vec<RawWay> = Vec::new();
    let mut extra_node = (n * n) as i64 + 1;
    for axis in 0..2 {
        let axis_lines = if axis == 0 { &rows } else { &cols };
        for (i, line) in axis_lines.iter().enumerate() {
            let at = |k: usize| if axis == 0 { (i, k) } else { (k, i) };
            let mut run: Vec<i64> = Vec::new();
            // A way ends where a stretch is missing and, now and then, where its tags change.
            let mut stretch_left = rng.random_range(3..15);
            let mut lit = lit_tag(&mut rng, line.class);
            for k in 0..n - 1 {
                let (a, b) = (at(k), at(k + 1));
                if !keep(a, b, line.class, &mut rng) {
                    flush(&mut ways, &mut run, line, lit);
                    continue;
                }
                if run.is_empty() {
                    run.push(id(a.0, a.1));
                }
                // Some local streets bow between crossings: a shape point off the straight line.
                if !is_arterial(line.class) && rng.random_range(0..10) == 0 {
                    let (pa, pb) = (
                        frame.to_metric(nodes[&id(a.0, a.1)]),
                        frame.to_metric(nodes[&id(b.0, b.1)]),
                    );
                    let bow = rng.random_range(-8.0..8.0);
                    let (dx, dy) = (pb[0] - pa[0], pb[1] - pa[1]);
                    let len = dx.hypot(dy).max(1.0);
                    let mid = [
                        (pa[0] + pb[0]) / 2.0 - dy / len * bow,
                        (pa[1] + pb[1]) / 2.0 + dx / len * bow,
                    ];
                    nodes.insert(extra_node, frame.to_lonlat(mid));
                    run.push(extra_node);
                    extra_node += 1;
                }
                run.push(id(b.0, b.1));
                stretch_left -= 1;
                if stretch_left == 0 {
                    flush(&mut ways, &mut run, line, lit);
                    run.push(id(b.0, b.1));
                    stretch_left = rng.random_range(3..15);
                    lit = lit_tag(&mut rng, line.class);
                }
            }
            flush(&mut ways, &mut run, line, lit);
        }
    }
    // Footpaths across about one block in a hundred, corner to corner.
    let path = Line {
        class: "footway",
        name: None,
        oneway: false,
    };
    for r in 0..n - 1 {
        for c in 0..n - 1 {
            if rng.random_range(0..100) == 0 && !void[r * n + c] && !void[(r + 1) * n + c + 1] {
                let mut run = vec![id(r, c), id(r + 1, c + 1)];
                let lit = lit_tag(&mut rng, "footway");
                flush(&mut ways, &mut run, &path, lit);
            }
        }
    }
    for (k, w) in ways.iter_mut().enumerate() {
        w.id = k as i64 + 1;
    }
    extract_from_ways(&ways, &nodes)
}

/// Ends the current way (when it has a stretch) with the line's tags.
fn flush(ways: &mut Vec<RawWay>, run: &mut Vec<i64>, line: &Line, lit: Option<&str>) {
    if run.len() >= 2 {
        let mut tags = vec![("highway", line.class)];
        if let Some(name) = &line.name {
            tags.push(("name", name.as_str()));
        }
        if line.oneway {
            tags.push(("oneway", "yes"));
        }
        if let Some(lit) = lit {
            tags.push(("lit", lit));
        }
        ways.push(RawWay {
            id: 0,
            tags: Tags::from_pairs(&tags),
            refs: std::mem::take(run),
        });
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CornerKind;

    #[test]
    fn about_the_size_asked_irregular_and_seeded() {
        let city = city_streets(5_000, 9);
        let edges = &city.network.edges;
        assert!(
            (4_500..=5_600).contains(&edges.len()),
            "{} edges",
            edges.len()
        );
        let classes: std::collections::BTreeSet<&str> =
            edges.iter().map(|e| e.road_class.as_str()).collect();
        for c in ["primary", "secondary", "residential", "footway"] {
            assert!(classes.contains(c), "{classes:?}");
        }
        assert!(edges.iter().any(|e| e.name.as_deref() == Some("人民大道")));
        assert!(edges.iter().any(|e| e.lit.is_some()));
        let lengths: Vec<f64> = edges.iter().map(|e| e.length_m).collect();
        let (min, max) = lengths
            .iter()
            .fold((f64::MAX, 0.0f64), |(a, b), l| (a.min(*l), b.max(*l)));
        assert!(min < 35.0 && max > 70.0, "block sizes vary: {min}..{max}");
        assert!(city.corners.iter().any(|c| c.kind == CornerKind::Junction));
        assert!(city.corners.iter().any(|c| c.kind == CornerKind::Bend));
        let again = city_streets(5_000, 9);
        assert_eq!(edges, &again.network.edges);
        assert_ne!(edges, &city_streets(5_000, 10).network.edges);
    }
}
