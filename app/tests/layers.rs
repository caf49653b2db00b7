//! The app's layers, checked from its `use` lines: infrastructure and shared helpers
//! at the bottom, base services every feature needs above them, the features above
//! those, and the composition (routes, pages that combine features, demo data) on top.
//! A module may import its own layer and the ones below, never one above, and the base
//! services and features import each other without loops. A new module joins a layer
//! in `LAYERS`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Lowest first.
const LAYERS: &[(&str, &[&str])] = &[
    ("infrastructure", &["archive", "db", "error", "hub", "i18n", "mail", "retention", "shared", "state", "ui"]),
    ("base services", &["account", "membership", "notification", "participation"]),
    (
        "features",
        &["artifact", "community", "intervision", "lesson_study", "meeting", "organisation", "privacy", "survey"],
    ),
    ("composition", &["dashboard", "demo", "pages", "shell"]),
];

/// Imports that point up on purpose, each with its reason.
const ALLOWED_UPWARD: &[(&str, &str, &str)] =
    &[("ui", "account", "the session context every page shares (`Auth`) holds the account's actions")];

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
        .unwrap_or_else(|| panic!("app/src/{module} is in no layer: add it to LAYERS in app/tests/layers.rs"))
}

/// The top-level module a file belongs to (`community/service.rs` → `community`).
fn module_of(relative: &Path) -> String {
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy().to_string();
    first.trim_end_matches(".rs").to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Which top-level modules each module names as `crate::…` outside comments.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        if relative == Path::new("lib.rs") {
            continue;
        }
        let from = module_of(relative);
        let targets = graph.entry(from.clone()).or_default();
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (at, _) in line.match_indices("crate::") {
                let name: String = line[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                // `$crate::` in macros and `crate::{a, b}` groups name no single module.
                if !name.is_empty() && name != from && !line[..at].ends_with('$') {
                    targets.insert(name);
                }
            }
        }
    }
    graph
}

#[test]
fn no_module_imports_a_layer_above_its_own() {
    let mut wrong = Vec::new();
    for (from, targets) in imports() {
        for to in targets {
            let allowed = ALLOWED_UPWARD.iter().any(|(f, t, _)| *f == from && *t == to);
            if layer_of(&to) > layer_of(&from) && !allowed {
                wrong.push(format!(
                    "{from} ({}) imports {to} ({})",
                    LAYERS[layer_of(&from)].0,
                    LAYERS[layer_of(&to)].0
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "imports that point up a layer:\n{}", wrong.join("\n"));
}

#[test]
fn base_services_and_features_import_each_other_without_loops() {
    let graph = imports();
    let checked = |m: &str| (1..=2).contains(&layer_of(m));
    // Depth-first search for a path back to where it started.
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        checked: &dyn Fn(&str) -> bool,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        let here = path.last().unwrap().clone();
        for next in graph.get(&here).into_iter().flatten().filter(|n| checked(n)) {
            if let Some(start) = path.iter().position(|p| p == next) {
                let mut cycle = path[start..].to_vec();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if done.contains(next) {
                continue;
            }
            path.push(next.clone());
            if let Some(cycle) = walk(graph, checked, path, done) {
                return Some(cycle);
            }
            path.pop();
        }
        done.insert(here);
        None
    }
    let mut done = BTreeSet::new();
    for start in graph.keys().filter(|m| checked(m)) {
        if let Some(cycle) = walk(&graph, &checked, &mut vec![start.clone()], &mut done) {
            panic!("a loop between modules: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_check_sees_the_imports_it_judges() {
    let graph = imports();
    assert!(graph["community"].contains("membership"), "community uses the membership guards");
    assert!(graph["shell"].contains("community"), "the routes mount the features");
    assert!(LAYERS.iter().all(|(_, modules)| modules.iter().all(|m| graph.contains_key(*m) || *m == "i18n")));
}
