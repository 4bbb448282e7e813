//! The crate's layers depend one way: `domain <- db <- views <- registry <- api <- startup`. Only
//! `api` and `startup` know actix-web and HTTP; only `db` (and the migrations' runner) knows the
//! schema. This test reads the source, so a use that points the wrong way fails the build's tests.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a source file belongs to: `api`, `registry`, `error`...
fn module_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_owned()
}

/// What each module must not name. Code lines only: comments may mention any layer.
fn forbidden(module: &str) -> &'static [&'static str] {
    const HTTP: [&str; 3] = ["actix", "crate::api", "crate::startup"];
    match module {
        "domain" => &[
            "actix",
            "crate::api",
            "crate::startup",
            "diesel",
            "crate::db",
            "crate::registry",
            "crate::views",
        ],
        "db" => &[
            "actix",
            "crate::api",
            "crate::startup",
            "crate::registry",
            "crate::views",
        ],
        "views" => &["actix", "crate::api", "crate::startup", "crate::registry"],
        "api" | "startup" | "main" | "lib" | "openapi" => &[],
        // registry, auth, error, seed, relevance, webhooks, retention, config, tokens, setup...
        _ => &HTTP,
    }
}

#[test]
fn dependencies_point_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let module = module_of(&root, file);
        let text = std::fs::read_to_string(file).unwrap();
        let mut in_tests = false;
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("#[cfg(test)]") {
                // Unit tests may start a server to test what they test.
                in_tests = true;
            }
            if in_tests || code.starts_with("//") {
                continue;
            }
            for name in forbidden(&module) {
                if code.contains(name) {
                    wrong.push(format!(
                        "{}:{}: `{module}` must not use {name}",
                        file.strip_prefix(&root).unwrap().display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
