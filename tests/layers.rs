//! The main crate's layering holds: `cli` → `tui` / `script` → `driver` → `lambda` →
//! `flowsim_core`, with `vanity`, `config`, `session`, `transcript` as leaves or
//! middle layers. This test reads every `.rs` file under `src/`, maps each top-level
//! module (`src/x.rs` and everything under `src/x/`) to the top-level modules it
//! references, and checks that
//!
//! - (a) no two top-level modules depend on each other, directly or through others;
//! - (b) no module but `main.rs` and `lib.rs` references `cli`.
//!
//! References are `crate::x…` paths, in `use` lines and inline, including grouped
//! imports (`use crate::{x, y::z}`). Lines that are `//` comments (doc comments
//! included) are ignored, so a doc link does not count; `#[cfg(test)]` modules are
//! *not* ignored: tests inside a module obey the same layering. References through
//! `super::super::…` (which could reach the crate root) are not followed; nothing
//! in `src/` uses them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to: `src/cli/mod.rs` → `cli`, `src/lib.rs` → `lib`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Top-level names referenced by `crate::` paths in `text` (comment lines skipped).
fn references(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            // `flowsim_core::` and the like end in `crate::` too: only a whole word counts.
            let before = rest[..i].chars().next_back();
            rest = &rest[i + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                // `crate::{a, b::c, d::{e, f}}`: the names at depth 0.
                let mut depth = 0;
                let mut start = true;
                for (j, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => start = true,
                        c if start && depth == 0 && (c.is_alphanumeric() || c == '_') => {
                            out.insert(ident_at(&group[j..]).to_owned());
                            start = false;
                        }
                        _ => {}
                    }
                }
            } else {
                let name = ident_at(rest);
                if !name.is_empty() {
                    out.insert(name.to_owned());
                }
            }
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let from = module_of(&src, f);
        let text = std::fs::read_to_string(f).unwrap();
        let entry = deps.entry(from.clone()).or_default();
        for to in references(&text) {
            // Core re-exports (`crate::flow`, `crate::engine`, …) are not modules here.
            if to != from && modules.contains(&to) {
                entry.insert(to);
            }
        }
    }
    deps
}

/// A cycle through the graph, if there is one, as the modules on it.
fn find_cycle(deps: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        deps: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_owned(), 1);
        stack.push(n.to_owned());
        for m in deps.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == m).unwrap();
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, deps, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in deps.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, deps, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn reference_scanner_reads_paths_and_groups() {
    let r = references(
        "use crate::a::B;\n// crate::commented\nlet x = crate::b::f();\n\
         use crate::{c, d::{E, F}, g::H};\nuse flowsim_core::engine;\n",
    );
    let want: BTreeSet<String> = ["a", "b", "c", "d", "g"].map(String::from).into();
    assert_eq!(r, want);
}

#[test]
fn no_cycle_between_top_level_modules() {
    let deps = graph();
    if let Some(cycle) = find_cycle(&deps) {
        panic!(
            "top-level modules depend on each other: {}\nfull graph: {deps:#?}",
            cycle.join(" → ")
        );
    }
}

#[test]
fn only_the_entry_points_use_cli() {
    let deps = graph();
    let users: Vec<&String> = deps
        .iter()
        .filter(|(from, to)| {
            from.as_str() != "cli"
                && from.as_str() != "main"
                && from.as_str() != "lib"
                && to.contains("cli")
        })
        .map(|(from, _)| from)
        .collect();
    assert!(
        users.is_empty(),
        "these modules reference `crate::cli`: {users:?}"
    );
}
