//! Static assets compressed once at maximum quality. The compression layer compresses
//! on the fly at a fast, low setting; the wasm bundle is large and never changes
//! while the server runs, so `.br` and `.gz` siblings written once at start-up are
//! far smaller, and `ServeDir` sends them to browsers that accept them.

use std::io::Write;
use std::path::{Path, PathBuf};

const COMPRESSIBLE: &[&str] = &["wasm", "js", "css", "svg"];

/// Writes `file.br` and `file.gz` beside every compressible file under `site_root`
/// whose siblings are missing or older than the file. Returns the files compressed.
pub fn precompress(site_root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut done = Vec::new();
    for file in compressible_files(site_root)? {
        let mut wrote = false;
        for (suffix, encode) in [("br", encode_brotli as fn(&[u8]) -> std::io::Result<Vec<u8>>), ("gz", encode_gzip)] {
            let target = sibling(&file, suffix);
            if is_fresh(&file, &target)? {
                continue;
            }
            let data = std::fs::read(&file)?;
            write_atomically(&target, &encode(&data)?)?;
            wrote = true;
        }
        if wrote {
            done.push(file);
        }
    }
    Ok(done)
}

fn compressible_files(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e)) {
                found.push(path);
            }
        }
    }
    Ok(found)
}

fn sibling(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn is_fresh(source: &Path, target: &Path) -> std::io::Result<bool> {
    let Ok(target_meta) = std::fs::metadata(target) else { return Ok(false) };
    Ok(target_meta.len() > 0 && target_meta.modified()? >= std::fs::metadata(source)?.modified()?)
}

fn write_atomically(target: &Path, data: &[u8]) -> std::io::Result<()> {
    let temporary = sibling(target, "tmp");
    std::fs::write(&temporary, data)?;
    std::fs::rename(&temporary, target)
}

fn encode_brotli(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 3);
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 24);
        writer.write_all(data)?;
    }
    Ok(out)
}

fn encode_gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_smaller_siblings_once_and_again_after_a_change() {
        let dir = std::env::temp_dir().join(format!("kring-assets-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        let js = dir.join("pkg/app.js");
        std::fs::write(&js, "export function hello() { return 'hello'; }\n".repeat(200)).unwrap();
        std::fs::write(dir.join("pkg/photo.png"), [0u8; 64]).unwrap();

        assert_eq!(precompress(&dir).unwrap(), vec![js.clone()]);
        let br = std::fs::read(sibling(&js, "br")).unwrap();
        let gz = std::fs::read(sibling(&js, "gz")).unwrap();
        assert!(br.len() < 200 && gz.len() < 400, "br {} gz {}", br.len(), gz.len());
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut br.as_slice(), &mut decoded).unwrap();
        assert_eq!(decoded, std::fs::read(&js).unwrap());
        assert!(!dir.join("pkg/photo.png.br").exists(), "images are left alone");

        assert!(precompress(&dir).unwrap().is_empty(), "fresh siblings are kept");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&js, "changed").unwrap();
        assert_eq!(precompress(&dir).unwrap(), vec![js.clone()]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
