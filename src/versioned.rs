//! Versioned incremental sync (OpenIM's `VersionSynchronizer`), one component for every list
//! the server versions: conversations now, friends and groups as they come.
//!
//! The local table `local_sync_version` keeps, per list and owner, the server's `versionID`, the
//! `version` reached and the IDs the list held. A sync asks the server what changed since that
//! version; a `full` reply (or a new `versionID`) starts over: the full ID list, then the items
//! fetched by ID. Either way the network comes first; then one write diffs every item against
//! its local copy into insert / update / delete, each through the list's callback (which
//! reports it), and stores the new version. Concurrent requests for the same list share one run.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Mutex;

use sqlx::SqliteConnection;
use tokio::sync::watch;

use crate::context::{SessionContext, Write};
use crate::error::{OpenIMError, Result};
use crate::store::rows::SyncVersionRow;
use crate::store::sync_versions;

/// Items fetched by ID per request when starting over.
pub const FETCH_CHUNK: usize = 100;

/// The server's answer to "what changed since version V of versionID X".
#[derive(Debug, Clone, Default)]
pub struct Delta<T> {
    pub version_id: String,
    pub version: u64,
    /// Start over: the lists below are empty.
    pub full: bool,
    pub insert: Vec<T>,
    pub update: Vec<T>,
    pub delete: Vec<String>,
}

/// The server's full ID list (`None` when it equals the hash the client sent).
#[derive(Debug, Clone, Default)]
pub struct FullIds {
    pub ids: Option<Vec<String>>,
}

/// What a sync changed locally.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    pub full: bool,
    pub inserted: usize,
    pub updated: usize,
    pub deleted: usize,
}

/// One versioned list: how to ask the server, how to read the local copies and how to apply a
/// change to them.
#[allow(async_fn_in_trait)] // implemented and called on concrete types only
pub trait VersionedList: Send + Sync {
    type Item: Send + Sync;
    type Local: Send;
    /// `local_sync_version.table_name` of this list.
    const TABLE: &'static str;

    /// Whose list (the login user, or a group ID).
    fn entity(&self) -> String;
    fn id_of(item: &Self::Item) -> &str;
    async fn incremental(&self, version_id: &str, version: u64) -> Result<Delta<Self::Item>>;
    /// The server's IDs; `id_hash` is OpenIM's hash of the IDs held locally.
    async fn full_ids(&self, id_hash: u64) -> Result<FullIds>;
    /// Items by ID.
    async fn fetch(&self, ids: &[String]) -> Result<Vec<Self::Item>>;
    /// Local copies of `ids` (all of them with `None`), by ID.
    async fn local(&self, c: &mut SqliteConnection, ids: Option<&[String]>) -> Result<HashMap<String, Self::Local>>;
    fn unchanged(local: &Self::Local, item: &Self::Item) -> bool;
    /// Items not held locally (each ID once, in the server's order), before the updates of the
    /// same sync; a few hundred per statement (a first sync brings thousands).
    async fn insert_many(&self, w: &mut Write, items: Vec<Self::Item>) -> Result<()>;
    async fn update(&self, w: &mut Write, local: Self::Local, item: Self::Item) -> Result<()>;
    async fn delete(&self, w: &mut Write, id: String, local: Self::Local) -> Result<()>;
    /// Last step of a sync that changed something, in its write (before the version is stored).
    async fn finish(&self, _w: &mut Write) -> Result<()> {
        Ok(())
    }
}

/// Brings `list` up to the server's version.
pub async fn sync<L: VersionedList>(ctx: &SessionContext, list: &L) -> Result<Outcome> {
    let entity = list.entity();
    let row = sync_versions::get(&mut *ctx.store.read().await?, L::TABLE, &entity).await?.unwrap_or_default();
    let mut id_list: Vec<String> = serde_json::from_str(&row.id_list).unwrap_or_default();
    let delta = list.incremental(&row.version_id, row.version.max(0) as u64).await?;
    let full = delta.full || (!row.version_id.is_empty() && delta.version_id != row.version_id);
    let mut outcome = Outcome { full, ..Default::default() };

    let (items, deleted): (Vec<L::Item>, Vec<String>) = if full {
        let server_ids = list.full_ids(openim_wire::json::id_hash(&id_list)).await?.ids.unwrap_or_else(|| id_list.clone());
        let mut items = Vec::with_capacity(server_ids.len());
        for chunk in server_ids.chunks(FETCH_CHUNK) {
            items.extend(list.fetch(chunk).await?);
        }
        id_list = server_ids;
        (items, Vec::new())
    } else {
        let unchanged = delta.insert.is_empty() && delta.update.is_empty() && delta.delete.is_empty();
        if unchanged && delta.version == row.version as u64 {
            return Ok(outcome);
        }
        let gone: HashSet<&String> = delta.delete.iter().collect();
        id_list.retain(|id| !gone.contains(id));
        let mut items = delta.insert;
        items.extend(delta.update);
        let mut listed: HashSet<String> = id_list.iter().cloned().collect();
        for item in &items {
            if listed.insert(L::id_of(item).to_owned()) {
                id_list.push(L::id_of(item).to_owned());
            }
        }
        (items, delta.delete)
    };

    let mut w = ctx.write().await?;
    let mut local = if full {
        list.local(&mut w.tx, None).await?
    } else {
        let mut ids: Vec<String> = items.iter().map(|i| L::id_of(i).to_owned()).collect();
        ids.extend(deleted.iter().cloned());
        list.local(&mut w.tx, Some(&ids)).await?
    };
    // Each ID once, as the server's last item of it (a delta lists inserts, then updates).
    let mut new_items: Vec<L::Item> = Vec::new();
    let mut updates: Vec<(L::Local, L::Item)> = Vec::new();
    let mut at: HashMap<String, (bool, usize)> = HashMap::new();
    for item in items {
        match at.get(L::id_of(&item)) {
            Some(&(true, i)) => new_items[i] = item,
            Some(&(false, i)) => updates[i].1 = item,
            None => match local.remove(L::id_of(&item)) {
                None => {
                    at.insert(L::id_of(&item).to_owned(), (true, new_items.len()));
                    new_items.push(item);
                }
                Some(l) => {
                    at.insert(L::id_of(&item).to_owned(), (false, updates.len()));
                    updates.push((l, item));
                }
            },
        }
    }
    // New items first, as the server lists them.
    outcome.inserted += new_items.len();
    list.insert_many(&mut w, new_items).await?;
    for (l, item) in updates {
        if !L::unchanged(&l, &item) {
            list.update(&mut w, l, item).await?;
            outcome.updated += 1;
        }
    }
    // Starting over, what the server no longer lists is gone; otherwise what it says is deleted.
    let gone: Vec<String> = if full {
        let keep: HashSet<&String> = id_list.iter().collect();
        local.keys().filter(|id| !keep.contains(id)).cloned().collect()
    } else {
        deleted
    };
    for id in gone {
        if let Some(l) = local.remove(&id) {
            list.delete(&mut w, id, l).await?;
            outcome.deleted += 1;
        }
    }
    list.finish(&mut w).await?;
    let version = SyncVersionRow {
        table_name: L::TABLE.to_owned(),
        entity_id: entity,
        version_id: delta.version_id,
        version: delta.version as i64,
        id_list: serde_json::to_string(&id_list).unwrap_or_else(|_| "[]".into()),
        create_time: crate::util::now_ms(),
    };
    sync_versions::put(&mut w.tx, &version).await?;
    ctx.commit(w).await?;
    Ok(outcome)
}

/// Lets concurrent requests for the same work share one run: a request made while a run is
/// going waits for the next run, which starts as soon as the current one ends.
pub struct Coalesce {
    state: Mutex<(u64, bool)>,
    done: watch::Sender<(u64, Option<OpenIMError>)>,
}

impl Default for Coalesce {
    fn default() -> Self {
        Self { state: Mutex::new((0, false)), done: watch::Sender::new((0, None)) }
    }
}

impl Coalesce {
    /// Runs `work` (or waits for a run that starts after this call) and returns its result.
    pub async fn run<F, Fut>(&self, work: F) -> Result<()>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<()>>,
    {
        let mut done = self.done.subscribe();
        let waiting_for = {
            let mut state = self.state.lock().expect("coalesce lock");
            state.0 += 1;
            if state.1 {
                Some(state.0)
            } else {
                state.1 = true;
                None
            }
        };
        if let Some(ticket) = waiting_for {
            let finished = done.wait_for(|(answered, _)| *answered >= ticket).await.map_err(|_| OpenIMError::internal("sync ended"))?;
            return match &finished.1 {
                None => Ok(()),
                Some(e) => Err(e.clone()),
            };
        }
        // The runner: one run per batch of requests, until no request is left.
        let mut guard = Running { coalesce: self, armed: true };
        loop {
            let upto = self.state.lock().expect("coalesce lock").0;
            let result = work().await;
            let (more, answered) = {
                let mut state = self.state.lock().expect("coalesce lock");
                if result.is_ok() && state.0 > upto {
                    (true, upto)
                } else {
                    // Done, or failed: every request so far gets this result.
                    state.1 = false;
                    (false, state.0)
                }
            };
            self.done.send_replace((answered, result.as_ref().err().cloned()));
            if !more {
                guard.armed = false;
                return result;
            }
        }
    }
}

/// Ends a run that was dropped midway, so later requests do not wait for it forever.
struct Running<'a> {
    coalesce: &'a Coalesce,
    armed: bool,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let answered = {
            let mut state = self.coalesce.state.lock().expect("coalesce lock");
            state.1 = false;
            state.0
        };
        self.coalesce.done.send_replace((answered, Some(OpenIMError::internal("sync cancelled"))));
    }
}
