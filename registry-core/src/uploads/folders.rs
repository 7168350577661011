//! Upload sessions' folders as the store holds them: the record, the upload, and whatever an
//! interrupted upload left (on the local filesystem, `uploads/{id}/object#1`). Removing a
//! session removes everything in its folder; the sweep and the garbage collection
//! ([`crate::maintenance`]) find the folders of sessions that can no longer be used.

use std::collections::BTreeMap;

use super::UploadSession;
use crate::storage::{layout, read_json, ObjectInfo, Storage, StorageError};
use crate::{Error, Result};

/// Whether the session of a folder can still be used.
#[derive(Debug)]
pub(crate) enum SessionState {
    /// It has not expired: its files stay (a client may be uploading right now).
    Live,
    /// It has expired.
    Expired,
    /// Its record is gone (removed part-way, or never written): nothing can use the files.
    NoRecord,
    /// Its record does not parse: not ours to judge.
    Unreadable(Error),
}

/// What one session's folder holds.
#[derive(Debug)]
pub(crate) struct Contents {
    pub(crate) id: String,
    /// The objects in it, the record included.
    pub(crate) objects: Vec<ObjectInfo>,
    /// What unfinished writes left in it.
    pub(crate) unfinished: Vec<ObjectInfo>,
}

impl Contents {
    /// Everything in it: objects and unfinished writes.
    pub(crate) fn entries(&self) -> impl Iterator<Item = &ObjectInfo> {
        self.objects.iter().chain(&self.unfinished)
    }
}

/// One session's folder, and whether its session can still be used.
#[derive(Debug)]
pub(crate) struct SessionFolder {
    pub(crate) contents: Contents,
    pub(crate) state: SessionState,
}

impl SessionFolder {
    /// Whether nothing can use the folder any more: its session expired or its record is gone.
    pub(crate) fn is_leftover(&self) -> bool {
        matches!(self.state, SessionState::Expired | SessionState::NoRecord)
    }
}

/// What the session folders under `prefix` (`uploads/`, or one session's folder) hold.
pub(crate) async fn list(storage: &dyn Storage, prefix: &str) -> Result<Vec<Contents>> {
    let mut found: BTreeMap<String, Contents> = BTreeMap::new();
    let objects = storage.list(prefix).await?;
    let unfinished = storage.list_unfinished(prefix).await?;
    for (object, is_unfinished) in
        objects.into_iter().map(|o| (o, false)).chain(unfinished.into_iter().map(|o| (o, true)))
    {
        let Some((id, _)) = object.key[layout::UPLOADS_PREFIX.len()..].split_once('/') else { continue };
        let contents = found.entry(id.to_owned()).or_insert_with(|| Contents {
            id: id.to_owned(),
            objects: Vec::new(),
            unfinished: Vec::new(),
        });
        if is_unfinished {
            contents.unfinished.push(object);
        } else {
            contents.objects.push(object);
        }
    }
    Ok(found.into_values().collect())
}

/// The session folders under `prefix`, with each session's state at `now` (seconds since the
/// epoch).
pub(crate) async fn scan(storage: &dyn Storage, prefix: &str, now: u64) -> Result<Vec<SessionFolder>> {
    let mut folders = Vec::new();
    for contents in list(storage, prefix).await? {
        let record = layout::upload_session(&contents.id);
        let state = if contents.objects.iter().any(|o| o.key == record) {
            match read_json::<UploadSession>(storage, &record, "upload session").await {
                Ok(Some(session)) if session.expires < now => SessionState::Expired,
                Ok(Some(_)) => SessionState::Live,
                Ok(None) => SessionState::NoRecord,
                Err(err @ Error::Corrupt { .. }) => SessionState::Unreadable(err),
                Err(err) => return Err(err),
            }
        } else {
            SessionState::NoRecord
        };
        folders.push(SessionFolder { contents, state });
    }
    Ok(folders)
}

/// Removes everything in a session's folder: unfinished writes first, then the upload, the
/// record last, so a failure part-way leaves a record the next sweep finds.
pub(crate) async fn remove(storage: &dyn Storage, folder: &Contents) -> Result<()> {
    for leftover in &folder.unfinished {
        storage.delete_unfinished(&leftover.key).await?;
    }
    let record = layout::upload_session(&folder.id);
    let mut objects: Vec<&ObjectInfo> = folder.objects.iter().collect();
    objects.sort_by_key(|o| o.key == record);
    for object in objects {
        match storage.delete(&object.key).await {
            Ok(()) | Err(StorageError::InvalidKey { .. }) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}
