//! `cargo run --release --bin relevance [-- FILE...]`: runs the relevance benchmark against the
//! database at DATABASE_URL (migrated and seeded first; both are idempotent) and prints recall@5,
//! MRR and verdict accuracy, overall and per tag, then every miss.
//!
//! `cargo run --release --bin relevance -- --export-feedback FILE` writes the feedback recorded on
//! receipts (`POST /api/v1/overlap-checks/{id}/feedback`) as new overlap cases.

use std::process::ExitCode;

use diesel_async::{AsyncConnection, AsyncPgConnection};
use ndp_registry::config::Settings;
use ndp_registry::{db, relevance, seed};

/// Every blind file of `bench/relevance/`, each reported apart: development files (`-dev`, tuned
/// on) and holdouts (the others, never tuned on); see `bench/relevance/README.md`.
const DEFAULT_FILES: [&str; 43] = [
    "bench/relevance/cases-dev.json",
    "bench/relevance/cases-holdout.json",
    "bench/relevance/batch5-dev.json",
    "bench/relevance/batch5-holdout.json",
    "bench/relevance/batch7-dev.json",
    "bench/relevance/batch7-holdout.json",
    "bench/relevance/batch9-dev.json",
    "bench/relevance/batch9-holdout.json",
    "bench/relevance/batch11-dev.json",
    "bench/relevance/batch11-holdout.json",
    "bench/relevance/batch12-dev.json",
    "bench/relevance/batch12-holdout.json",
    "bench/relevance/batch13.json",
    "bench/relevance/batch14-dev.json",
    "bench/relevance/batch15.json",
    "bench/relevance/batch16-dev.json",
    "bench/relevance/batch17.json",
    "bench/relevance/batch18.json",
    "bench/relevance/batch19.json",
    "bench/relevance/batch20.json",
    "bench/relevance/batch21-dev.json",
    "bench/relevance/batch22.json",
    "bench/relevance/batch23-dev.json",
    "bench/relevance/batch24.json",
    "bench/relevance/batch25.json",
    "bench/relevance/batch26-dev.json",
    "bench/relevance/batch27.json",
    "bench/relevance/batch28-dev.json",
    "bench/relevance/batch29-dev.json",
    "bench/relevance/batch30.json",
    "bench/relevance/batch31-dev.json",
    "bench/relevance/batch32.json",
    "bench/relevance/batch33-dev.json",
    "bench/relevance/batch34-dev.json",
    "bench/relevance/batch35.json",
    "bench/relevance/batch36-dev.json",
    "bench/relevance/batch37.json",
    "bench/relevance/batch38-dev.json",
    "bench/relevance/batch39.json",
    "bench/relevance/batch40-dev.json",
    "bench/relevance/batch41.json",
    "bench/relevance/batch42-dev.json",
    "bench/relevance/batch43.json",
];

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    db::run_migrations(settings.database_url())
        .await
        .map_err(|e| e.to_string())?;
    let mut conn = AsyncPgConnection::establish(settings.database_url())
        .await
        .map_err(|e| e.to_string())?;
    seed::run(&mut conn).await.map_err(|e| e.to_string())?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--export-feedback") {
        let Some(out) = args.get(1) else {
            return Err("--export-feedback needs a file to write".to_owned());
        };
        let cases = relevance::feedback_cases(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        let text = serde_json::to_string_pretty(&cases).map_err(|e| e.to_string())?;
        std::fs::write(out, text + "\n").map_err(|e| format!("{out}: {e}"))?;
        println!(
            "{} cases from recorded feedback written to {out}",
            cases.len()
        );
        return Ok(());
    }
    let files: Vec<String> = if args.is_empty() {
        DEFAULT_FILES.iter().map(|s| (*s).to_owned()).collect()
    } else {
        args
    };
    for file in files {
        let cases = relevance::read_cases(&file)?;
        let evaluation = relevance::evaluate(&mut conn, &file, &cases)
            .await
            .map_err(|e| e.to_string())?;
        println!("{}", evaluation.report);
        if !evaluation.misses.is_empty() {
            println!("misses ({}):", evaluation.misses.len());
            for miss in evaluation.misses {
                println!("  {miss}");
            }
            println!();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::DEFAULT_FILES;

    /// A new batch is measured by default: every case file of `bench/relevance/` is listed, but a
    /// batch's whole file (`batch5.json`) when its split halves are (`batch5-dev.json`), and the
    /// second reviewer's relabelling, which is not a case file.
    #[test]
    fn every_case_file_is_measured_by_default() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/relevance");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let Some(stem) = name.strip_suffix(".json") else {
                continue;
            };
            let split = std::path::Path::new(dir)
                .join(format!("{stem}-dev.json"))
                .exists();
            let listed = DEFAULT_FILES.contains(&format!("bench/relevance/{name}").as_str());
            if !listed && !split && stem != "second-reviewer" {
                missing.push(name);
            }
        }
        assert!(missing.is_empty(), "not measured by default: {missing:?}");
    }
}
