//! Writing the call so far as a `.call` recording. The text comes from the shared
//! writer ([`crate::script::record`]), so `flowsim test` replays what the TUI records;
//! here the file gets a fresh name and appears whole or not at all.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::script::record::write_temp;

/// Write `text` as a new `.call` file in `dir` (created if needed): written to a
/// temporary file, then linked into place under a name that does not exist yet, so
/// an existing recording is never overwritten and no half-written file is seen.
pub fn write_new(dir: &Path, text: &str) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let tmp = write_temp(dir, &format!("call-{stamp}"), text)?;
    let result = (0..1000)
        .map(|n| {
            let name = if n == 0 {
                format!("call-{stamp}.call")
            } else {
                format!("call-{stamp}-{n}.call")
            };
            dir.join(name)
        })
        .find_map(|path| match fs::hard_link(&tmp, &path) {
            Ok(()) => Some(Ok(path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => None,
            Err(e) => Some(Err(e)),
        })
        .unwrap_or_else(|| Err(io::Error::other("no free recording name")));
    let _ = fs::remove_file(&tmp);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let a = write_new(dir.path(), "a").unwrap();
        let b = write_new(dir.path(), "b").unwrap();
        assert_ne!(a, b);
        assert_eq!(fs::read_to_string(a).unwrap(), "a");
        assert_eq!(fs::read_to_string(b).unwrap(), "b");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 2, "no temporary file left behind");
    }
}
