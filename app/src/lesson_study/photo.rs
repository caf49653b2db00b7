//! Photos of pupil work, cleaned before they are stored: only JPEG, PNG and WebP are
//! taken, and every metadata block a camera or phone writes (EXIF with location and
//! camera, XMP, IPTC, comments, text chunks) is removed by editing the container,
//! without re-encoding the picture. The one thing kept is which way is up: a JPEG or
//! WebP that was rotated gets a new EXIF block holding only its orientation, so a
//! portrait photo from a phone is not shown on its side.

use bytes::{BufMut, Bytes, BytesMut};
use img_parts::jpeg::{Jpeg, JpegSegment, markers};
use img_parts::png::Png;
use img_parts::webp::{CHUNK_XMP, WebP};
use img_parts::{ImageEXIF, ImageICC};

use crate::error::AppError;

/// A cleaned photo and its type.
#[derive(Debug)]
pub struct CleanPhoto {
    pub bytes: Bytes,
    pub content_type: &'static str,
}

/// The photo without its metadata, or `UnsupportedType` for anything that is not a
/// well-formed JPEG, PNG or WebP.
pub fn clean_photo(bytes: Bytes) -> Result<CleanPhoto, AppError> {
    let unsupported = |_| AppError::UnsupportedType;
    match infer::get(&bytes).map(|t| t.mime_type()) {
        Some("image/jpeg") => {
            let mut jpeg = Jpeg::from_bytes(bytes).map_err(unsupported)?;
            let orientation = jpeg.exif().and_then(|exif| orientation(&exif));
            // Keep JFIF (APP0), the colour profile (APP2) and Adobe's colour transform
            // (APP14); drop every other application block and comment.
            jpeg.segments_mut().retain(|segment| {
                let marker = segment.marker();
                let application = (markers::APP1..=markers::APP15).contains(&marker);
                !(marker == markers::COM || application && marker != markers::APP2 && marker != markers::APP14)
            });
            if let Some(orientation) = orientation {
                let mut contents = BytesMut::with_capacity(32);
                contents.put_slice(b"Exif\0\0");
                contents.put_slice(&orientation_exif(orientation));
                let at = usize::from(jpeg.segments().first().is_some_and(|s| s.marker() == markers::APP0));
                jpeg.segments_mut().insert(at, JpegSegment::new_with_contents(markers::APP1, contents.freeze()));
            }
            Ok(CleanPhoto { bytes: jpeg.encoder().bytes(), content_type: "image/jpeg" })
        }
        Some("image/png") => {
            let mut png = Png::from_bytes(bytes).map_err(unsupported)?;
            for kind in [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"] {
                png.remove_chunks_by_type(kind);
            }
            Ok(CleanPhoto { bytes: png.encoder().bytes(), content_type: "image/png" })
        }
        Some("image/webp") => {
            let mut webp = WebP::from_bytes(bytes).map_err(unsupported)?;
            let orientation = webp.exif().and_then(|exif| orientation(&exif));
            webp.remove_chunks_by_id(CHUNK_XMP);
            // Also brings the header's flags in line with the chunks left.
            webp.set_exif(orientation.map(|o| Bytes::from(orientation_exif(o))));
            let icc = webp.icc_profile();
            webp.set_icc_profile(icc);
            Ok(CleanPhoto { bytes: webp.encoder().bytes(), content_type: "image/webp" })
        }
        _ => Err(AppError::UnsupportedType),
    }
}

/// The orientation an EXIF block records, if it is not upright (1).
fn orientation(exif: &[u8]) -> Option<u16> {
    let exif = exif::Reader::new().read_raw(exif.to_vec()).ok()?;
    let value = exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?.value.get_uint(0)?;
    u16::try_from(value).ok().filter(|o| (2..=8).contains(o))
}

/// A minimal EXIF block (a big-endian TIFF header and one directory entry) holding
/// only the orientation.
fn orientation_exif(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"MM\0\x2a");
    tiff.extend_from_slice(&8u32.to_be_bytes());
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TIFF block with an orientation and a description (standing in for the
    /// location and camera a phone writes).
    fn camera_exif(orientation: u16) -> Vec<u8> {
        let text = b"GPS 52.09 N 5.12 E\0";
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"MM\0\x2a");
        tiff.extend_from_slice(&8u32.to_be_bytes());
        tiff.extend_from_slice(&2u16.to_be_bytes());
        // ImageDescription, ASCII, stored after the directory.
        let text_at = 8 + 2 + 2 * 12 + 4;
        tiff.extend_from_slice(&0x010eu16.to_be_bytes());
        tiff.extend_from_slice(&2u16.to_be_bytes());
        tiff.extend_from_slice(&(text.len() as u32).to_be_bytes());
        tiff.extend_from_slice(&(text_at as u32).to_be_bytes());
        tiff.extend_from_slice(&0x0112u16.to_be_bytes());
        tiff.extend_from_slice(&3u16.to_be_bytes());
        tiff.extend_from_slice(&1u32.to_be_bytes());
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0]);
        tiff.extend_from_slice(&0u32.to_be_bytes());
        tiff.extend_from_slice(text);
        tiff
    }

    fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, marker];
        out.extend_from_slice(&((contents.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(contents);
        out
    }

    fn jpeg(orientation: u16) -> Bytes {
        let mut out = vec![0xFF, 0xD8];
        out.extend(segment(markers::APP0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(camera_exif(orientation));
        out.extend(segment(markers::APP1, &exif));
        out.extend(segment(markers::APP1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>Kees</x:xmpmeta>"));
        out.extend(segment(markers::APP13, b"Photoshop 3.0\0IPTC city"));
        out.extend(segment(markers::COM, b"Pixel 7 camera"));
        out.extend(segment(0xDB, &[0; 65]));
        out.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        out.extend_from_slice(&[0x12, 0x34, 0x56, 0xFF, 0xD9]);
        Bytes::from(out)
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_jpeg_loses_its_metadata_but_keeps_its_picture_and_which_way_is_up() {
        let clean = clean_photo(jpeg(6)).unwrap();
        assert_eq!(clean.content_type, "image/jpeg");
        for secret in [&b"GPS 52.09"[..], b"xmpmeta", b"IPTC city", b"Pixel 7"] {
            assert!(!contains(&clean.bytes, secret), "{:?} is still there", String::from_utf8_lossy(secret));
        }
        assert!(contains(&clean.bytes, b"JFIF"), "the JFIF header stays");
        assert!(contains(&clean.bytes, &[0x12, 0x34, 0x56, 0xFF, 0xD9]), "the picture itself is untouched");
        let kept = Jpeg::from_bytes(clean.bytes).unwrap().exif().expect("an orientation block");
        assert_eq!(orientation(&kept), Some(6));
    }

    #[test]
    fn an_upright_jpeg_keeps_no_exif_at_all() {
        let clean = clean_photo(jpeg(1)).unwrap();
        assert!(Jpeg::from_bytes(clean.bytes).unwrap().exif().is_none());
    }

    #[test]
    fn a_png_loses_its_text_and_exif_chunks() {
        use img_parts::png::PngChunk;
        let chunk = |kind: &[u8; 4], contents: &[u8]| {
            PngChunk::new(*kind, Bytes::copy_from_slice(contents)).encoder().bytes().to_vec()
        };
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        png.extend(chunk(b"tEXt", b"Author\0Juf Fleur"));
        png.extend(chunk(b"eXIf", &camera_exif(1)));
        png.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1]));
        png.extend(chunk(b"IEND", &[]));
        let clean = clean_photo(Bytes::from(png)).unwrap();
        assert_eq!(clean.content_type, "image/png");
        assert!(!contains(&clean.bytes, b"Juf Fleur") && !contains(&clean.bytes, b"GPS 52.09"));
        assert!(contains(&clean.bytes, b"IDAT"));
    }

    #[test]
    fn anything_else_is_refused() {
        for bytes in [&b"%PDF-1.7 not a photo"[..], b"GIF89a\x01\0\x01\0", b"\xFF\xD8\xFF"] {
            assert!(matches!(clean_photo(Bytes::copy_from_slice(bytes)), Err(AppError::UnsupportedType)));
        }
    }
}
