//! Small copies of stored photos for lists and phones on a slow link: made on first read,
//! kept in `photos/.thumbs/<sha256>.jpg` (written whole, then renamed into place) and removed by
//! the start-up sweep with their photo. Decoding is bounded, so a crafted image cannot take the
//! server's memory.

use super::PhotoFolder;
use crate::model::PhotoRef;
use std::path::PathBuf;

pub(super) const THUMBS: &str = ".thumbs";

/// The longest edge of a thumbnail, in pixels.
pub const THUMBNAIL_PX: u32 = 320;

/// Largest photo decoded for a thumbnail: its edges and the memory decoding may take.
const MAX_EDGE_PX: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

impl PhotoFolder {
    /// The thumbnail of a stored photo (a JPEG at most [`THUMBNAIL_PX`] on its longest edge),
    /// made now if it was not; None for a type this build cannot decode (HEIC) or a photo that
    /// does not decode (its bytes were only checked for their type's signature on upload).
    pub fn thumbnail(&self, photo: &PhotoRef) -> std::io::Result<Option<PathBuf>> {
        let format = match photo.content_type.as_str() {
            "image/jpeg" => image::ImageFormat::Jpeg,
            "image/png" => image::ImageFormat::Png,
            "image/webp" => image::ImageFormat::WebP,
            _ => return Ok(None),
        };
        let dir = self
            .path(photo)
            .parent()
            .and_then(|p| p.parent())
            .map(|p| p.join(THUMBS));
        let Some(dir) = dir else { return Ok(None) };
        let dest = dir.join(format!("{}.jpg", photo.sha256));
        if dest.exists() {
            return Ok(Some(dest));
        }
        let invalid =
            |e: image::ImageError| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        let mut reader = image::ImageReader::open(self.path(photo))?;
        reader.set_format(format);
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_EDGE_PX);
        limits.max_image_height = Some(MAX_EDGE_PX);
        limits.max_alloc = Some(MAX_DECODE_BYTES);
        reader.limits(limits);
        let small = match reader.decode() {
            Ok(image) => image.thumbnail(THUMBNAIL_PX, THUMBNAIL_PX).into_rgb8(),
            Err(image::ImageError::IoError(e)) => return Err(e),
            Err(e) => {
                tracing::warn!(sha256 = %photo.sha256, error = %e, "no thumbnail: the photo does not decode");
                return Ok(None);
            }
        };
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!("{}.jpg.tmp", photo.sha256));
        {
            let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
                .encode_image(&small)
                .map_err(invalid)?;
            std::io::Write::flush(&mut out)?;
        }
        std::fs::rename(&tmp, &dest)?;
        Ok(Some(dest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thumbnail_is_made_once_small_and_a_heic_has_none() {
        let dir = tempfile::tempdir().unwrap();
        let folder = PhotoFolder::new(dir.path());
        let big = image::RgbImage::from_fn(1200, 800, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(big)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let photo = PhotoRef {
            sha256: "ab".repeat(32),
            content_type: "image/png".into(),
            bytes: png.len() as u64,
        };
        folder.stage(&photo, &png).unwrap().place().unwrap();
        let thumb = folder
            .thumbnail(&photo)
            .unwrap()
            .expect("a PNG has a thumbnail");
        let made = std::fs::metadata(&thumb).unwrap().modified().unwrap();
        let small = image::open(&thumb).unwrap();
        assert_eq!((small.width(), small.height()), (320, 213));
        assert_eq!(folder.thumbnail(&photo).unwrap(), Some(thumb.clone()));
        assert_eq!(
            std::fs::metadata(&thumb).unwrap().modified().unwrap(),
            made,
            "made once"
        );
        let heic = PhotoRef {
            content_type: "image/heic".into(),
            ..photo.clone()
        };
        assert_eq!(folder.thumbnail(&heic).unwrap(), None);
        // Swept with its photo once no record names it.
        let sweep = folder
            .sweep(&Default::default(), std::time::Duration::ZERO)
            .unwrap();
        assert!(sweep.removed >= 2);
        assert!(!thumb.exists());
    }

    #[test]
    fn a_photo_that_does_not_decode_has_no_thumbnail_and_no_panic() {
        let dir = tempfile::tempdir().unwrap();
        let folder = PhotoFolder::new(dir.path());
        let photo = PhotoRef {
            sha256: "cd".repeat(32),
            content_type: "image/jpeg".into(),
            bytes: 4,
        };
        folder
            .stage(&photo, b"\xff\xd8\xff\xe0")
            .unwrap()
            .place()
            .unwrap();
        assert_eq!(folder.thumbnail(&photo).unwrap(), None);
    }
}
