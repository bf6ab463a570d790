//! The seed's SQS → DynamoDB pipeline, embedded: a local queue and a consumer thread
//! writing call records into a SQLite table.
//!
//! - The queue carries the message body as JSON text, exactly as the seed's Lambda
//!   sends it to SQS, so a redelivered message is the same bytes.
//! - The table is keyed `id = phoneNumber-timestamp`; a second delivery of the same
//!   record is ignored (`ON CONFLICT DO NOTHING`).
//! - A failed write is retried ([`ATTEMPTS`] times, short backoff), then the message
//!   goes to the `dead_letters` table; if even that fails, to
//!   `calls-deadletter.jsonl` next to the database; if that fails too, to stderr.
//!   A record is never dropped silently.
//! - [`Pipeline::flush`] returns once every message sent before it is handled; the
//!   function's `close()` awaits it, so a call ending mid-write is still stored.
//! - The consumer thread starts at the first message (a registry that never calls
//!   the function costs nothing).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

pub use flowsim_vanity::record::{CallRecord, VanityNumbers};

/// The database file inside the data dir.
pub const DB_FILE: &str = "calls.sqlite3";
/// The last-resort dead-letter file inside the data dir.
pub const DEAD_LETTER_FILE: &str = "calls-deadletter.jsonl";
/// Write attempts before a record is dead-lettered.
pub const ATTEMPTS: u32 = 3;
const BACKOFF: Duration = Duration::from_millis(20);

/// Why the call table could not be opened, read or written: one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

impl StoreError {
    pub fn msg(m: impl Into<String>) -> Self {
        Self(m.into())
    }
}

impl From<&str> for StoreError {
    fn from(m: &str) -> Self {
        Self(m.to_owned())
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self(e.to_string())
    }
}

impl From<flowsim_vanity::record::RecordError> for StoreError {
    fn from(e: flowsim_vanity::record::RecordError) -> Self {
        Self(e.0)
    }
}

/// Where records end up. Errors are one-line messages.
pub trait Store: Send {
    /// Store a record; `Ok(false)` when its id was already there.
    fn insert(&mut self, record: &CallRecord) -> Result<bool, StoreError>;
    /// Keep a message that could not be stored.
    fn dead_letter(&mut self, body: &str, error: &str) -> Result<(), StoreError>;
}

/// Records kept in memory (no data dir).
#[derive(Debug, Default)]
pub struct MemoryTable {
    pub calls: Vec<CallRecord>,
    pub dead_letters: Vec<(String, String)>,
}

/// A [`Store`] over a shared [`MemoryTable`].
pub struct MemoryStore(pub Arc<Mutex<MemoryTable>>);

impl Store for MemoryStore {
    fn insert(&mut self, record: &CallRecord) -> Result<bool, StoreError> {
        let mut t = self
            .0
            .lock()
            .map_err(|_| StoreError::from("memory table poisoned"))?;
        let id = record.id();
        if t.calls.iter().any(|c| c.id() == id) {
            return Ok(false);
        }
        t.calls.push(record.clone());
        Ok(true)
    }
    fn dead_letter(&mut self, body: &str, error: &str) -> Result<(), StoreError> {
        let mut t = self
            .0
            .lock()
            .map_err(|_| StoreError::from("memory table poisoned"))?;
        t.dead_letters.push((body.to_owned(), error.to_owned()));
        Ok(())
    }
}

/// The SQLite call table.
pub struct SqliteStore {
    conn: Connection,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl SqliteStore {
    /// Open (creating the dir, file and tables) `dir/calls.sqlite3`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::msg(format!("{}: {e}", dir.display())))?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path)
            .map_err(|e| StoreError::msg(format!("{}: {e}", path.display())))?;
        Self::init(conn).map_err(|e| StoreError::msg(format!("{}: {e}", path.display())))
    }

    fn init(conn: Connection) -> rusqlite::Result<Self> {
        conn.busy_timeout(Duration::from_secs(5))?;
        let _: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        conn.execute_batch(
            "PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS calls (
                 id TEXT PRIMARY KEY,
                 caller_number TEXT NOT NULL,
                 cell_number TEXT NOT NULL,
                 timestamp TEXT NOT NULL,
                 ts_ms INTEGER NOT NULL,
                 vanity_numbers TEXT NOT NULL
             );
             CREATE INDEX IF NOT EXISTS calls_by_time ON calls (ts_ms);
             CREATE TABLE IF NOT EXISTS dead_letters (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 body TEXT NOT NULL,
                 error TEXT NOT NULL,
                 failed_at INTEGER NOT NULL
             );",
        )?;
        Ok(Self { conn })
    }

    /// The newest `limit` calls and the number of dead letters.
    pub fn list(&self, limit: usize) -> Result<(Vec<CallRecord>, u64), StoreError> {
        let err = StoreError::from;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT caller_number, cell_number, timestamp, vanity_numbers FROM calls
                 ORDER BY ts_ms DESC, id DESC LIMIT ?1",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                let numbers: String = r.get(3)?;
                Ok(CallRecord {
                    phone_number: r.get(0)?,
                    target_number: r.get(1)?,
                    timestamp: r.get(2)?,
                    vanity_numbers: serde_json::from_str(&numbers).unwrap_or_default(),
                })
            })
            .map_err(err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        let dead: i64 = self
            .conn
            .query_row("SELECT count(*) FROM dead_letters", [], |r| r.get(0))
            .map_err(err)?;
        Ok((rows, dead as u64))
    }

    /// The dead-lettered message bodies, oldest first.
    pub fn dead_letters(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT body, error FROM dead_letters ORDER BY seq")
            .map_err(StoreError::from)?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(StoreError::from)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::from)
    }

    /// Whether a call with this id is stored.
    pub fn contains(&self, id: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row("SELECT 1 FROM calls WHERE id = ?1", [id], |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
            .map_err(StoreError::from)
    }
}

impl Store for SqliteStore {
    fn insert(&mut self, r: &CallRecord) -> Result<bool, StoreError> {
        let numbers = serde_json::to_string(&r.vanity_numbers).map_err(StoreError::from)?;
        let ts: i64 = r.timestamp.parse().unwrap_or(0);
        self.conn
            .execute(
                "INSERT INTO calls (id, caller_number, cell_number, timestamp, ts_ms, vanity_numbers)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO NOTHING",
                params![r.id(), r.phone_number, r.target_number, r.timestamp, ts, numbers],
            )
            .map(|n| n == 1)
            .map_err(StoreError::from)
    }

    fn dead_letter(&mut self, body: &str, error: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO dead_letters (body, error, failed_at) VALUES (?1, ?2, ?3)",
                params![body, error, now_ms()],
            )
            .map(|_| ())
            .map_err(StoreError::from)
    }
}

/// Where the consumer writes.
pub enum Sink {
    /// `calls.sqlite3` in this directory (created on first use).
    Dir(PathBuf),
    /// In memory only.
    Memory(Arc<Mutex<MemoryTable>>),
    /// Any store (tests inject failing ones); `jsonl` is the last-resort file.
    Store {
        store: Box<dyn Store>,
        jsonl: Option<PathBuf>,
    },
}

impl Sink {
    /// The data dir's SQLite table, or memory when there is none.
    pub fn for_data_dir(dir: Option<PathBuf>) -> Self {
        match dir {
            Some(d) => Self::Dir(d),
            None => Self::Memory(Arc::default()),
        }
    }
}

enum Msg {
    Body(String),
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// The queue and its consumer.
pub struct Pipeline {
    state: Mutex<State>,
}

struct State {
    tx: Option<Sender<Msg>>,
    sink: Option<Sink>,
}

impl Pipeline {
    pub fn new(sink: Sink) -> Self {
        Self {
            state: Mutex::new(State {
                tx: None,
                sink: Some(sink),
            }),
        }
    }

    /// Queue a record.
    pub fn send(&self, record: &CallRecord) {
        match serde_json::to_string(record) {
            Ok(body) => self.deliver(body),
            Err(e) => eprintln!("flowsim: vanity call record not serialisable: {e}"),
        }
    }

    /// Queue a raw message body (what SQS would deliver; may be delivered twice).
    pub fn deliver(&self, body: String) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.tx.is_none() {
            let Some(sink) = st.sink.take() else {
                return;
            };
            let (tx, rx) = channel::<Msg>();
            let spawned = thread::Builder::new()
                .name("vanity-pipeline".into())
                .spawn(move || {
                    let mut consumer = Consumer::new(sink);
                    for msg in rx {
                        match msg {
                            Msg::Body(b) => consumer.handle(&b),
                            Msg::Flush(done) => {
                                let _ = done.send(());
                            }
                        }
                    }
                });
            match spawned {
                Ok(_) => st.tx = Some(tx),
                Err(e) => {
                    eprintln!("flowsim: cannot start the vanity pipeline ({e}); record: {body}");
                    return;
                }
            }
        }
        let Some(tx) = &st.tx else { return };
        if let Err(e) = tx.send(Msg::Body(body))
            && let Msg::Body(body) = e.0
        {
            eprintln!("flowsim: vanity pipeline stopped; record not stored: {body}");
        }
    }

    fn flush_request(&self) -> Option<tokio::sync::oneshot::Receiver<()>> {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let tx = st.tx.as_ref()?;
        let (done, wait) = tokio::sync::oneshot::channel();
        tx.send(Msg::Flush(done)).ok()?;
        Some(wait)
    }

    /// Resolves once every message queued before the call has been handled.
    pub async fn flush(&self) {
        if let Some(wait) = self.flush_request() {
            let _ = wait.await;
        }
    }

    /// [`flush`](Self::flush) for synchronous code (not from inside an async task).
    pub fn flush_blocking(&self) {
        if let Some(wait) = self.flush_request() {
            let _ = wait.blocking_recv();
        }
    }
}

struct Consumer {
    dir: Option<PathBuf>,
    store: Option<Box<dyn Store>>,
    jsonl: Option<PathBuf>,
}

impl Consumer {
    fn new(sink: Sink) -> Self {
        match sink {
            Sink::Dir(dir) => Self {
                jsonl: Some(dir.join(DEAD_LETTER_FILE)),
                dir: Some(dir),
                store: None,
            },
            Sink::Memory(table) => Self {
                dir: None,
                store: Some(Box::new(MemoryStore(table))),
                jsonl: None,
            },
            Sink::Store { store, jsonl } => Self {
                dir: None,
                store: Some(store),
                jsonl,
            },
        }
    }

    fn store(&mut self) -> Result<&mut Box<dyn Store>, StoreError> {
        if self.store.is_none() {
            let dir = self.dir.as_deref().ok_or("no store")?;
            self.store = Some(Box::new(SqliteStore::open(dir)?));
        }
        Ok(self.store.as_mut().expect("store just opened"))
    }

    fn handle(&mut self, body: &str) {
        let record = match CallRecord::from_body(body) {
            Ok(r) => r,
            Err(e) => return self.dead_letter(body, &e.0),
        };
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                thread::sleep(BACKOFF * (1 << (attempt - 1)));
            }
            match self.store().and_then(|s| s.insert(&record)) {
                Ok(_) => return,
                Err(e) => last = e.0,
            }
        }
        self.dead_letter(body, &format!("after {ATTEMPTS} attempts: {last}"));
    }

    fn dead_letter(&mut self, body: &str, error: &str) {
        let table = self.store().and_then(|s| s.dead_letter(body, error));
        let Err(table_err) = table else { return };
        let line = serde_json::json!({
            "body": body,
            "error": error,
            "deadLetterError": table_err.0,
            "failedAt": now_ms(),
        });
        let file = self.jsonl.as_ref().map(|p| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .and_then(|mut f| writeln!(f, "{line}"))
        });
        if !matches!(file, Some(Ok(()))) {
            eprintln!("flowsim: vanity call record could not be stored: {line}");
        }
    }
}

/// Open the table in `dir` for reading, if it exists.
pub fn open_existing(dir: &Path) -> Result<Option<SqliteStore>, StoreError> {
    if !dir.join(DB_FILE).exists() {
        return Ok(None);
    }
    SqliteStore::open(dir).map(Some)
}

/// Count the lines of the last-resort dead-letter file.
pub fn dead_letter_file_count(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join(DEAD_LETTER_FILE))
        .map(|t| t.lines().filter(|l| !l.trim().is_empty()).count())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ts: &str) -> CallRecord {
        CallRecord {
            phone_number: "+13035551234".into(),
            target_number: "+18003569377".into(),
            timestamp: ts.into(),
            vanity_numbers: VanityNumbers::from_list(&["+1-800-FLOWERS".into()]),
        }
    }

    #[test]
    fn duplicate_delivery_stores_one_row() {
        let dir = tempfile::tempdir().unwrap();
        let p = Pipeline::new(Sink::Dir(dir.path().into()));
        let body = serde_json::to_string(&record("1700000000000")).unwrap();
        p.deliver(body.clone());
        p.deliver(body);
        p.flush_blocking();
        let store = open_existing(dir.path()).unwrap().unwrap();
        let (rows, dead) = store.list(10).unwrap();
        assert_eq!(rows, vec![record("1700000000000")]);
        assert_eq!(dead, 0);
    }

    #[test]
    fn unwritable_table_goes_to_dead_letters_then_recovers() {
        let dir = tempfile::tempdir().unwrap();
        let admin = SqliteStore::open(dir.path()).unwrap();
        admin
            .conn
            .execute_batch(
                "CREATE TRIGGER no_calls BEFORE INSERT ON calls
                 BEGIN SELECT RAISE(ABORT, 'calls table is read-only'); END;",
            )
            .unwrap();
        let p = Pipeline::new(Sink::Dir(dir.path().into()));
        p.send(&record("1"));
        p.flush_blocking();
        let dead = admin.dead_letters().unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(CallRecord::from_body(&dead[0].0).unwrap(), record("1"));
        assert!(dead[0].1.contains("read-only"), "{}", dead[0].1);
        // the table recovers: the next record is stored normally
        admin.conn.execute_batch("DROP TRIGGER no_calls").unwrap();
        p.send(&record("2"));
        p.flush_blocking();
        assert!(admin.contains(&record("2").id()).unwrap());
        assert!(!admin.contains(&record("1").id()).unwrap());
    }

    struct Broken;
    impl Store for Broken {
        fn insert(&mut self, _: &CallRecord) -> Result<bool, StoreError> {
            Err("disk on fire".into())
        }
        fn dead_letter(&mut self, _: &str, _: &str) -> Result<(), StoreError> {
            Err("still on fire".into())
        }
    }

    #[test]
    fn dead_letter_file_when_everything_fails() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join(DEAD_LETTER_FILE);
        let p = Pipeline::new(Sink::Store {
            store: Box::new(Broken),
            jsonl: Some(jsonl),
        });
        p.send(&record("5"));
        p.flush_blocking();
        assert_eq!(dead_letter_file_count(dir.path()), 1);
        let text = std::fs::read_to_string(dir.path().join(DEAD_LETTER_FILE)).unwrap();
        assert!(text.contains("disk on fire") && text.contains("still on fire"));
    }

    #[test]
    fn bad_messages_are_dead_lettered_and_nested_json_accepted() {
        let table: Arc<Mutex<MemoryTable>> = Arc::default();
        let p = Pipeline::new(Sink::Memory(table.clone()));
        p.deliver("not json".into());
        let mut v = serde_json::to_value(record("7")).unwrap();
        v["vanityNumbers"] = serde_json::Value::String(v["vanityNumbers"].to_string());
        p.deliver(v.to_string());
        p.flush_blocking();
        let t = table.lock().unwrap();
        assert_eq!(t.dead_letters.len(), 1);
        assert_eq!(t.calls, vec![record("7")]);
    }
}
