//! Point-by-point illuminance on the ground: `E = I(γ)·cos³γ / h² · MF`, with γ the angle from
//! straight down. The light distribution is a trait so that a measured table (IES/EULUMDAT) can
//! replace the isotropic default without touching the rest of the model.

use std::f64::consts::PI;

/// How a luminaire spreads its flux over angles from the vertical.
pub trait LightDistribution: Send + Sync {
    /// Luminous intensity in candela toward the angle γ from straight down, given as cos γ (the
    /// model has the cosine at hand; a tabulated distribution takes `acos` itself).
    fn intensity_cd(&self, flux_lm: f64, cos_gamma: f64) -> f64;
    /// The largest intensity at any angle: it bounds how far the lamp can matter.
    fn max_intensity_cd(&self, flux_lm: f64) -> f64;
}

/// All flux spread evenly over the lower hemisphere: `I = Φ / 2π` at every angle. A fair default
/// without photometric files; real street luminaires throw more light sideways along the road.
#[derive(Debug, Clone, Copy, Default)]
pub struct IsotropicLowerHemisphere;

impl LightDistribution for IsotropicLowerHemisphere {
    fn intensity_cd(&self, flux_lm: f64, _cos_gamma: f64) -> f64 {
        flux_lm / (2.0 * PI)
    }

    fn max_intensity_cd(&self, flux_lm: f64) -> f64 {
        flux_lm / (2.0 * PI)
    }
}

/// Horizontal illuminance in lux at `distance_m` from the foot of a lamp of `height_m`.
pub fn illuminance_lx(
    distribution: &dyn LightDistribution,
    flux_lm: f64,
    height_m: f64,
    distance_m: f64,
    maintenance_factor: f64,
) -> f64 {
    let slant2 = height_m * height_m + distance_m * distance_m;
    let cos_gamma = height_m / slant2.sqrt();
    distribution.intensity_cd(flux_lm, cos_gamma) * cos_gamma.powi(3) / (height_m * height_m)
        * maintenance_factor
}

/// The horizontal distance beyond which the lamp adds no more than `cutoff_lx` anywhere, using the
/// distribution's largest intensity so that the bound holds for any shape. From
/// `I·h·MF / (h² + d²)^{3/2} = cutoff`. Zero when the lamp never adds more than the cut-off.
pub fn cutoff_radius_m(
    distribution: &dyn LightDistribution,
    flux_lm: f64,
    height_m: f64,
    maintenance_factor: f64,
    cutoff_lx: f64,
) -> f64 {
    let i_max = distribution.max_intensity_cd(flux_lm);
    let slant2 = (i_max * height_m * maintenance_factor / cutoff_lx).powf(2.0 / 3.0);
    (slant2 - height_m * height_m).max(0.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISO: IsotropicLowerHemisphere = IsotropicLowerHemisphere;

    #[test]
    fn hand_computed_cases() {
        // 10,000 / (2π · 100) · 0.7 = 11.14 lx straight below a 10 m, 10,000 lm lamp.
        let below = illuminance_lx(&ISO, 10_000.0, 10.0, 0.0, 0.7);
        assert!((below - 11.140846).abs() < 1e-5, "{below}");
        // At 10 m out, γ = 45°, cos³γ = 0.35355: 3.94 lx.
        let out = illuminance_lx(&ISO, 10_000.0, 10.0, 10.0, 0.7);
        assert!((out - 3.938_9).abs() < 1e-3, "{out}");
    }

    #[test]
    fn the_cutoff_radius_drops_at_most_the_cutoff() {
        for (flux, h) in [
            (10_000.0, 10.0),
            (3_000.0, 5.0),
            (18_000.0, 12.0),
            (500.0, 4.0),
        ] {
            let r = cutoff_radius_m(&ISO, flux, h, 0.7, 0.1);
            assert!(r > 0.0);
            let at_edge = illuminance_lx(&ISO, flux, h, r, 0.7);
            assert!(
                (at_edge - 0.1).abs() < 1e-9,
                "{flux} lm at {h} m: {at_edge} lx at {r} m"
            );
            assert!(illuminance_lx(&ISO, flux, h, r + 0.01, 0.7) < 0.1);
        }
        // A lamp too weak to ever add 0.1 lx matters nowhere.
        assert_eq!(cutoff_radius_m(&ISO, 10.0, 10.0, 0.7, 0.1), 0.0);
    }
}
