//! The observer's notes on the phone, as rules: every note is kept on the device first
//! (so nothing is lost when the classroom's connection drops or the tab closes), sent
//! in batches, and marked saved only when the server says it holds it. A note's id is
//! made on the phone, so sending it again stores it once. Pure, so the island and the
//! tests share it; the island only adds the browser's storage and network.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::domain::NoteInput;

/// Notes sent in one request at most (the server takes up to 200).
pub const SEND_BATCH: usize = 50;

/// A note on the device and whether the server holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedNote {
    pub note: NoteInput,
    pub saved: bool,
}

/// The device's notes for one research lesson, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteQueue {
    pub notes: Vec<QueuedNote>,
}

impl NoteQueue {
    /// The storage key of a lesson's queue.
    pub fn key(lesson_id: Uuid) -> String {
        format!("kring.observations.{lesson_id}")
    }

    /// The queue as stored; anything unreadable counts as empty (a newer or damaged
    /// format must not stop the observer from taking notes).
    pub fn read(stored: Option<&str>) -> NoteQueue {
        stored.and_then(|text| serde_json::from_str(text).ok()).unwrap_or_default()
    }

    pub fn write(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{\"notes\":[]}".to_string())
    }

    /// Adds the notes the server already holds (taken on another device, or sent
    /// before the storage was cleared) that the device does not have, as saved.
    pub fn merge_held(&mut self, held: &[NoteInput]) {
        for note in held {
            match self.notes.iter_mut().find(|q| q.note.id == note.id) {
                Some(queued) => queued.saved = true,
                None => self.notes.push(QueuedNote { note: note.clone(), saved: true }),
            }
        }
        self.notes.sort_by_key(|q| (q.note.noted_at, q.note.id));
    }

    pub fn add(&mut self, note: NoteInput) {
        if !self.notes.iter().any(|q| q.note.id == note.id) {
            self.notes.push(QueuedNote { note, saved: false });
        }
    }

    /// The next notes to send: the oldest waiting ones, at most a batch.
    pub fn waiting(&self) -> Vec<NoteInput> {
        self.notes.iter().filter(|q| !q.saved).take(SEND_BATCH).map(|q| q.note.clone()).collect()
    }

    /// Marks the notes the server answered it holds.
    pub fn mark_saved(&mut self, held: &[Uuid]) {
        for queued in &mut self.notes {
            if held.contains(&queued.note.id) {
                queued.saved = true;
            }
        }
    }

    /// (saved, waiting).
    pub fn counts(&self) -> (usize, usize) {
        let saved = self.notes.iter().filter(|q| q.saved).count();
        (saved, self.notes.len() - saved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson_study::domain::Mark;

    fn note(text: &str, at: i64) -> NoteInput {
        NoteInput {
            id: Uuid::now_v7(),
            pupil: "L1".into(),
            phase: 0,
            mark: Some(Mark::Different),
            text: text.into(),
            noted_at: at,
        }
    }

    #[test]
    fn notes_wait_until_the_server_holds_them_and_survive_a_reload() {
        let mut queue = NoteQueue::default();
        let (a, b) = (note("begint meteen", 10), note("telt op", 20));
        queue.add(a.clone());
        queue.add(b.clone());
        queue.add(a.clone());
        assert_eq!(queue.counts(), (0, 2), "an id is queued once");
        assert_eq!(queue.waiting(), vec![a.clone(), b.clone()]);

        // The tab is closed and opened again: the same queue comes back.
        let mut queue = NoteQueue::read(Some(&queue.write()));
        queue.mark_saved(&[a.id]);
        assert_eq!(queue.counts(), (1, 1));
        assert_eq!(queue.waiting(), vec![b.clone()]);
        queue.mark_saved(&[a.id, b.id]);
        assert!(queue.waiting().is_empty());
    }

    #[test]
    fn notes_the_server_holds_join_the_device_once_and_in_order() {
        let mut queue = NoteQueue::default();
        let (a, b) = (note("eerst", 10), note("later", 20));
        queue.add(b.clone());
        queue.merge_held(&[a.clone(), b.clone()]);
        assert_eq!(queue.counts(), (2, 0));
        assert_eq!(queue.notes.iter().map(|q| q.note.id).collect::<Vec<_>>(), vec![a.id, b.id]);
    }

    #[test]
    fn a_damaged_store_starts_empty_and_batches_are_bounded() {
        assert_eq!(NoteQueue::read(Some("not json")), NoteQueue::default());
        assert_eq!(NoteQueue::read(None), NoteQueue::default());
        let mut queue = NoteQueue::default();
        for i in 0..(SEND_BATCH as i64 + 5) {
            queue.add(note("x", i));
        }
        assert_eq!(queue.waiting().len(), SEND_BATCH);
    }
}
