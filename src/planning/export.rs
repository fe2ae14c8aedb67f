//! A team's route for the field: GeoJSON (numbered stops and the street path) for the map, GPX 1.1
//! (stops as waypoints, the path as a track) for navigation apps and GPS units.

use super::hours::{clock, local_time};
use super::plan::{PatrolPlan, PatrolRoute};
use crate::model::{LonLat, geojson_feature};
use chrono::NaiveDate;
use geojson::{FeatureCollection, JsonObject};
use serde_json::json;

/// The route as features: one LineString for the path (if any), then one Point per stop in
/// visit order, each with its number, times and reason.
pub fn route_geojson(plan: &PatrolPlan, route: &PatrolRoute) -> FeatureCollection {
    let mut features = Vec::with_capacity(route.stops.len() + 1);
    if route.path.len() >= 2 {
        features.push(geojson_feature(
            &route.path,
            json!({
                "layer": "route",
                "team": route.team,
                "team_id": route.team_id,
                "date": plan.date,
                "mode": route.mode,
                "start": clock(route.start_s),
                "end": clock(route.end_s),
                "score": route.score,
                "travel_s": route.travel_s,
                "stops": route.stops.len(),
            }),
        ));
    }
    for s in &route.stops {
        features.push(geojson_feature(
            &[s.at],
            json!({
                "layer": "stop",
                "team": route.team,
                "seq": s.seq,
                "target": s.target.kind(),
                "target_id": s.target.id(),
                "name": s.name,
                "category": s.category,
                "arrival": clock(s.arrival_s),
                "start": clock(s.start_s),
                "departure": clock(s.departure_s),
                "score": s.score,
                "mandatory": s.mandatory,
                "reason": s.reason,
            }),
        ));
    }
    let mut foreign = JsonObject::new();
    foreign.insert(
        "name".into(),
        json!(format!("{} {}", route.team, plan.date)),
    );
    FeatureCollection {
        bbox: None,
        features,
        foreign_members: Some(foreign),
    }
}

/// The route as GPX 1.1. Times are UTC, from the plan's local clock and `utc_offset_minutes`.
/// `link`: where the route can be fetched again (the server's own address for it), written as
/// the GPX metadata link.
pub fn route_gpx(
    plan: &PatrolPlan,
    route: &PatrolRoute,
    utc_offset_minutes: i32,
    link: Option<&str>,
) -> Result<String, String> {
    let utc = |seconds: i64| utc_time(plan.date, seconds, utc_offset_minutes);
    let point = |p: LonLat| geo::Point::new(p.lon, p.lat);
    let waypoints = route
        .stops
        .iter()
        .map(|s| {
            let mut w = gpx::Waypoint::new(point(s.at));
            w.name = Some(format!("{}. {}", s.seq, s.name));
            w.description = Some(format!(
                "{} · {} {}–{} · score {:.2}{}",
                s.category,
                clock(s.arrival_s),
                clock(s.start_s),
                clock(s.departure_s),
                s.score,
                if s.mandatory { " · follow-up due" } else { "" }
            ));
            w.type_ = Some(s.category.clone());
            w.time = utc(s.arrival_s);
            w
        })
        .collect();
    let mut segment = gpx::TrackSegment::new();
    segment.points = route
        .path
        .iter()
        .map(|p| gpx::Waypoint::new(point(*p)))
        .collect();
    let mut track = gpx::Track::new();
    track.name = Some(format!("{} {}", route.team, plan.date));
    track.type_ = Some(route.mode.clone());
    if !segment.points.is_empty() {
        track.segments.push(segment);
    }
    let doc = gpx::Gpx {
        version: gpx::GpxVersion::Gpx11,
        creator: Some(format!("patrolmap {}", env!("CARGO_PKG_VERSION"))),
        metadata: Some(gpx::Metadata {
            name: Some(format!(
                "{} {} {}",
                plan.duty.as_str(),
                route.team,
                plan.date
            )),
            time: utc(route.start_s),
            links: link
                .map(|href| gpx::Link {
                    href: href.to_string(),
                    text: Some(format!("{} {}", route.team, plan.date)),
                    type_: Some("application/gpx+xml".into()),
                })
                .into_iter()
                .collect(),
            ..Default::default()
        }),
        waypoints,
        tracks: vec![track],
        routes: Vec::new(),
    };
    let mut out = Vec::new();
    gpx::write(&doc, &mut out).map_err(|e| format!("cannot write GPX: {e}"))?;
    String::from_utf8(out).map_err(|e| format!("GPX is not UTF-8: {e}"))
}

fn utc_time(date: NaiveDate, seconds: i64, offset_minutes: i32) -> Option<gpx::Time> {
    let local = local_time(date, seconds);
    let unix = local.and_utc().timestamp() - offset_minutes as i64 * 60;
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .map(gpx::Time::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::plan::{PlanSummary, PlannedStop, Target};
    use crate::planning::teams::Duty;

    fn plan() -> PatrolPlan {
        let stop = |seq: usize, lon: f64| PlannedStop {
            seq,
            target: Target::Venue(seq as i64),
            name: format!("KTV {seq} <&>"),
            category: "entertainment".into(),
            at: LonLat::new(lon, 39.9),
            arrival_s: 20 * 3600 + seq as i64 * 1800,
            start_s: 20 * 3600 + seq as i64 * 1800,
            departure_s: 20 * 3600 + seq as i64 * 1800 + 1500,
            score: 42.5,
            mandatory: seq == 2,
            reason: json!({"risk": 42.5}),
        };
        PatrolPlan {
            id: 1,
            date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            duty: Duty::Inspection,
            routes: vec![PatrolRoute {
                team_id: 1,
                team: "夜查一组".into(),
                mode: "ebike".into(),
                start_s: 19 * 3600,
                end_s: 26 * 3600,
                stops: vec![stop(1, 116.40), stop(2, 116.41)],
                path: vec![
                    LonLat::new(116.39, 39.9),
                    LonLat::new(116.40, 39.9),
                    LonLat::new(116.41, 39.9),
                    LonLat::new(116.39, 39.9),
                ],
                score: 85.0,
                travel_s: 900,
                locked: false,
            }],
            left_out: Vec::new(),
            summary: PlanSummary::default(),
        }
    }

    #[test]
    fn gpx_is_valid_gpx_1_1_with_waypoints_track_and_utc_times() {
        let p = plan();
        let text = route_gpx(&p, &p.routes[0], 480, Some("https://x.example/r.gpx")).unwrap();
        assert!(text.contains("https://x.example/r.gpx"), "{text}");
        assert!(text.contains("version=\"1.1\""), "{text}");
        assert!(text.contains("http://www.topografix.com/GPX/1/1"));
        let back = gpx::read(text.as_bytes()).unwrap();
        assert_eq!(back.version, gpx::GpxVersion::Gpx11);
        assert_eq!(back.waypoints.len(), 2);
        assert_eq!(back.waypoints[0].name.as_deref(), Some("1. KTV 1 <&>"));
        assert_eq!(back.tracks[0].segments[0].points.len(), 4);
        // 20:30 in Beijing is 12:30 UTC.
        let t: time::OffsetDateTime = back.waypoints[0].time.unwrap().into();
        assert_eq!((t.hour(), t.minute()), (12, 30));
        assert_eq!(back.waypoints[1].point().x(), 116.41);
    }

    #[test]
    fn geojson_has_the_path_and_numbered_stops() {
        let p = plan();
        let fc = route_geojson(&p, &p.routes[0]);
        assert_eq!(fc.features.len(), 3);
        let stop = fc.features[2].properties.as_ref().unwrap();
        assert_eq!(stop["seq"], 2);
        assert_eq!(stop["arrival"], "21:00");
        assert_eq!(stop["mandatory"], true);
    }
}
