//! Vector tiles: Web Mercator tiling, MVT encoding with clipping and simplification, and the
//! basemap archive (PMTiles). Below the server, which serves what this folder writes and cuts.

pub mod basemap;
pub mod encode;
pub mod mercator;
