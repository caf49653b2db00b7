//! Zip archives written while they are sent: a blocking thread writes a streaming zip
//! into a bounded channel the HTTP response reads from, so an export's memory stays
//! bounded by one chunk and the file being copied, however many files it holds.

use std::io::Write;

use bytes::Bytes;
use tokio::sync::mpsc::{Receiver, Sender};

/// Chunks an archive is sent in; the channel holds a few of them at most.
pub const CHUNK: usize = 64 * 1024;
/// Chunks waiting for a slow client before the writer waits too.
const QUEUED: usize = 4;

/// A `Write` that hands full chunks to the response through a bounded channel; the
/// writing thread waits while the client is slow.
pub struct ChannelWriter {
    buffer: Vec<u8>,
    sender: Sender<Bytes>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK)));
        self.sender.blocking_send(chunk).map_err(|_| std::io::Error::other("the download was cancelled"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for ChannelWriter {
    fn drop(&mut self) {
        let _ = self.send();
    }
}

/// Runs `write` on a blocking thread with a streaming zip writer; the returned channel
/// yields the archive chunk by chunk and closes when it is done. A failure (a client
/// that went away, a file that could not be read) is logged; the archive then ends
/// early, which the client sees as a broken download.
pub fn spawn(
    what: &'static str,
    write: impl FnOnce(&mut zip::ZipWriter<zip::write::StreamWriter<ChannelWriter>>) -> zip::result::ZipResult<()>
    + Send
    + 'static,
) -> Receiver<Bytes> {
    let (sender, receiver) = tokio::sync::mpsc::channel(QUEUED);
    tokio::task::spawn_blocking(move || {
        let mut zip = zip::ZipWriter::new_stream(ChannelWriter { buffer: Vec::with_capacity(CHUNK), sender });
        if let Err(error) = write(&mut zip).and_then(|()| zip.finish().map(|_| ())) {
            tracing::warn!(%error, what, "an archive stopped");
        }
    });
    receiver
}

/// Options for text entries (compressed) and for files (stored as they are: most are
/// compressed already).
pub fn text_entry() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

pub fn file_entry() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
}
