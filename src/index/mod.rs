//! The search index: tantivy with a Swedish analyzer, derived from the store and rebuildable.
//! Speaks in the product's terms (documents, queries, filters) so another engine could stand behind it.

mod query;
mod schema;
mod timeline;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use tantivy::directory::MmapDirectory;
use tantivy::schema::TantivyDocument;
use tantivy::{doc, Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, Term};

pub use query::{Hit, SearchQuery, SearchResults, Sort};

use crate::model::IndexDoc;
use schema::Fields;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index at {path} was made by another version of tonlage; run `tonlage reindex`")]
    Incompatible { path: String },
    #[error("cannot open the search index at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error(
        "the search index is locked by another tonlage process (is `tonlage run` running on this data directory?)"
    )]
    Locked,
}

pub struct SearchIndex {
    /// Where the index lives; `None` for one in RAM.
    dir: Option<PathBuf>,
    live: RwLock<Live>,
    /// Empty when opened read-only.
    writer: Mutex<Option<IndexWriter<TantivyDocument>>>,
    /// Attention-chart counts of recent queries, per index snapshot.
    charts: timeline::ChartCache,
}

/// What searches read. Behind a lock because a rebuild may replace it with an index made anew.
#[derive(Clone)]
struct Live {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

/// Memory for the writer's in-RAM segment before it flushes to disk.
const WRITER_HEAP: usize = 96 * 1024 * 1024;

impl SearchIndex {
    /// Opens the index in `dir`, creating it when absent. `writable` takes the single-writer lock.
    /// An index made by an earlier version opens as it is (its schema may lack what newer features
    /// use; they fall back); `clear` remakes it with the current schema.
    pub fn open(dir: &Path, writable: bool) -> Result<SearchIndex, IndexError> {
        let open_err =
            |e: &dyn std::fmt::Display| IndexError::Open { path: dir.display().to_string(), reason: e.to_string() };
        std::fs::create_dir_all(dir).map_err(|e| open_err(&e))?;
        let index = if dir.join("meta.json").exists() {
            Index::open_in_dir(dir)?
        } else {
            let (schema, _) = schema::build();
            Index::create_in_dir(dir, schema)?
        };
        let fields =
            schema::fields_of(&index.schema()).ok_or(IndexError::Incompatible { path: dir.display().to_string() })?;
        SearchIndex::finish(Some(dir.to_path_buf()), index, fields, writable)
    }

    /// An index in RAM: for tests and benchmarks.
    pub fn in_ram() -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema::build();
        SearchIndex::finish(None, Index::create_in_ram(schema), fields, true)
    }

    /// An index in RAM with the schema of indexes made before the label columns.
    #[cfg(test)]
    pub(crate) fn in_ram_before_fast_tones() -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema::build_before_fast_tones();
        SearchIndex::finish(None, Index::create_in_ram(schema), fields, true)
    }

    fn finish(dir: Option<PathBuf>, index: Index, fields: Fields, writable: bool) -> Result<SearchIndex, IndexError> {
        schema::register_analyzer(&index);
        let writer = if writable { Some(new_writer(&index)?) } else { None };
        let live = Live::of(index, fields)?;
        Ok(SearchIndex { dir, live: RwLock::new(live), writer: Mutex::new(writer), charts: Default::default() })
    }

    /// A consistent view for one search (cheap: handles, not data).
    fn live(&self) -> Live {
        self.live.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn fields(&self) -> Fields {
        self.live.read().unwrap_or_else(|p| p.into_inner()).fields
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, Option<IndexWriter<TantivyDocument>>> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The store change sequence this index has committed up to.
    pub fn synced_seq(&self) -> Result<i64, IndexError> {
        Ok(self.live().index.load_metas()?.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }

    /// Adds or replaces documents (not visible until `commit`).
    pub fn upsert(&self, docs: &[IndexDoc]) -> Result<(), IndexError> {
        let w = self.writer();
        let w = w.as_ref().expect(READ_ONLY);
        let f = self.fields();
        for d in docs {
            w.delete_term(Term::from_field_text(f.uid, &d.uid));
            let mut doc = doc!(
                f.uid => d.uid.as_str(),
                f.title => d.title.as_str(),
                f.body => d.text.as_str(),
            );
            // An undated article has no date field: date filters and weekly counts pass it by.
            if let Some(date) = d.date() {
                doc.add_date(f.published, tantivy::DateTime::from_timestamp_secs(date.timestamp()));
            }
            for s in &d.sources {
                doc.add_text(f.source, s);
            }
            for (district, label) in &d.labels {
                doc.add_text(f.district, district);
                doc.add_text(f.district_tone, format!("{district}:{}", label.as_str()));
                doc.add_text(f.tone, label.as_str());
            }
            w.add_document(doc)?;
        }
        Ok(())
    }

    /// Drops every document, for a rebuild from the store. An index on disk whose schema is not
    /// the current one is made anew with it, so `tonlage reindex` also upgrades an old index.
    pub fn clear(&self) -> Result<(), IndexError> {
        let mut slot = self.writer();
        assert!(slot.is_some(), "{READ_ONLY}");
        let mut live = self.live.write().unwrap_or_else(|p| p.into_inner());
        let (current, fields) = schema::build();
        match &self.dir {
            Some(dir) if live.index.schema() != current => {
                // The old writer holds the directory's lock, and its merges must not write into
                // the new index: it finishes before the new one starts.
                if let Some(old) = slot.take() {
                    old.wait_merging_threads()?;
                }
                // Replaces meta.json in one atomic write: a crash leaves the old index or an empty
                // new one that the next sync fills from the store. The old segment files stay
                // known to tantivy and are deleted at the first commit.
                let mmap = MmapDirectory::open(dir).map_err(tantivy::TantivyError::from)?;
                let index = Index::create(mmap, current, IndexSettings::default())?;
                schema::register_analyzer(&index);
                *slot = Some(new_writer(&index)?);
                *live = Live::of(index, fields)?;
            }
            _ => {
                slot.as_mut().expect(READ_ONLY).delete_all_documents()?;
            }
        }
        Ok(())
    }

    /// Makes pending changes durable and records how far into the store's changes they reach.
    pub fn commit(&self, synced_seq: i64) -> Result<(), IndexError> {
        let mut w = self.writer();
        let mut prepared = w.as_mut().expect(READ_ONLY).prepare_commit()?;
        prepared.set_payload(&synced_seq.to_string());
        prepared.commit()?;
        drop(w);
        self.live().reader.reload()?;
        Ok(())
    }

    /// Sees commits made by another process (a running `tonlage run`).
    pub fn refresh(&self) -> Result<(), IndexError> {
        self.live().reader.reload()?;
        Ok(())
    }

    pub fn num_docs(&self) -> u64 {
        self.live().reader.searcher().num_docs()
    }

    /// Blocks until background merges end, so a short-lived command leaves a tidy index.
    pub fn wait_merges(self) -> Result<(), IndexError> {
        if let Some(w) = self.writer.into_inner().unwrap_or_else(|p| p.into_inner()) {
            w.wait_merging_threads()?;
        }
        Ok(())
    }
}

const READ_ONLY: &str = "index opened read-only; open it writable to change it";

fn new_writer(index: &Index) -> Result<IndexWriter<TantivyDocument>, IndexError> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(2);
    index.writer_with_num_threads(threads, WRITER_HEAP).map_err(|e| match e {
        tantivy::TantivyError::LockFailure(..) => IndexError::Locked,
        other => IndexError::Tantivy(other),
    })
}

impl Live {
    fn of(index: Index, fields: Fields) -> Result<Live, IndexError> {
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Live { index, reader, fields })
    }
}
