//! Chinese consumer maps publish positions in GCJ-02 (AMap, Tencent) or BD-09 (Baidu). Storage is
//! always WGS-84, so registries say which datum they use and are converted on the way in. The datum
//! is never guessed: a wrong guess shifts every venue by hundreds of metres without any error.

use crate::model::LonLat;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crs {
    #[default]
    Wgs84,
    Gcj02,
    Bd09,
}

impl Crs {
    pub fn to_wgs84(self, p: LonLat) -> LonLat {
        let (lon, lat) = match self {
            Crs::Wgs84 => (p.lon, p.lat),
            Crs::Gcj02 => coordtransform::gcj02_to_wgs84(p.lon, p.lat),
            Crs::Bd09 => coordtransform::bd09_to_wgs84(p.lon, p.lat),
        };
        LonLat::new(lon, lat)
    }

    pub fn from_wgs84(self, p: LonLat) -> LonLat {
        let (lon, lat) = match self {
            Crs::Wgs84 => (p.lon, p.lat),
            Crs::Gcj02 => coordtransform::wgs84_to_gcj02(p.lon, p.lat),
            Crs::Bd09 => coordtransform::wgs84_to_bd09(p.lon, p.lat),
        };
        LonLat::new(lon, lat)
    }
}

impl FromStr for Crs {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_lowercase().as_str() {
            "wgs84" | "wgs-84" | "epsg:4326" => Ok(Crs::Wgs84),
            "gcj02" | "gcj-02" => Ok(Crs::Gcj02),
            "bd09" | "bd-09" => Ok(Crs::Bd09),
            other => Err(format!(
                "unknown CRS {other:?} (expected wgs84, gcj02 or bd09)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LocalFrame;

    #[test]
    fn gcj02_round_trip_lands_within_a_metre_in_beijing() {
        let wgs = LonLat::new(116.397_428, 39.909_23);
        let gcj = Crs::Gcj02.from_wgs84(wgs);
        let frame = LocalFrame::new(wgs);
        assert!(
            frame.distance_m(wgs, gcj) > 100.0,
            "GCJ-02 must differ visibly"
        );
        assert!(frame.distance_m(wgs, Crs::Gcj02.to_wgs84(gcj)) < 1.0);
        let bd = Crs::Bd09.from_wgs84(wgs);
        assert!(frame.distance_m(wgs, Crs::Bd09.to_wgs84(bd)) < 1.0);
    }
}
