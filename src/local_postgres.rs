//! A private PostgreSQL cluster run from the installed server binaries, for a machine where no
//! PostgreSQL answers: `serve` (and every command that needs the database) starts one under a
//! data directory of its own, and stops it when the command ends. The data stays, so the next
//! start finds the registry as it was left.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A cluster that this process started; stopped (not deleted) when dropped.
pub struct LocalCluster {
    bin: PathBuf,
    data: PathBuf,
    /// `initdb` refuses to run as root: as root, every PostgreSQL program runs as `postgres`.
    run_as_postgres: bool,
}

impl LocalCluster {
    /// Starts a cluster under `base` (created and initialised with trust authentication for
    /// `user` on first use) listening on `host:port` only.
    pub fn start(base: &Path, host: &str, port: u16, user: &str) -> Result<Self, String> {
        let bin = find_server_binaries().ok_or(
            "PostgreSQL's server binaries are not installed (initdb on the PATH or under \
             /usr/lib/postgresql/*/bin)",
        )?;
        let run_as_postgres = is_root();
        let data = base.join("data");
        let cluster = Self {
            bin,
            data,
            run_as_postgres,
        };
        std::fs::create_dir_all(base)
            .map_err(|e| format!("cannot create {}: {e}", base.display()))?;
        if run_as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:", &base.display().to_string()])
                .status()
                .map_err(|e| format!("chown: {e}"))?;
            if !status.success() {
                return Err(format!(
                    "cannot give {} to the postgres user (does it exist?)",
                    base.display()
                ));
            }
        }
        let data_str = cluster.data.display().to_string();
        if !cluster.data.join("PG_VERSION").exists() {
            cluster.run(
                "initdb",
                &[
                    "-D",
                    &data_str,
                    "-U",
                    user,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
            )?;
        }
        let options = format!("-p {port} -k {data_str} -c listen_addresses={host}");
        let log = base.join("postgres.log").display().to_string();
        cluster.run(
            "pg_ctl",
            &["-D", &data_str, "-o", &options, "-w", "-l", &log, "start"],
        )?;
        Ok(cluster)
    }

    /// Where the cluster keeps its data.
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        run_program(&self.bin, self.run_as_postgres, program, args).map_err(|error| {
            let last = error.lines().rev().find(|l| !l.trim().is_empty());
            last.unwrap_or(&error).trim().to_owned()
        })
    }
}

/// Runs `program` of PostgreSQL's binaries in `bin`, as the `postgres` user when `as_postgres`
/// (`initdb` and `postgres` refuse to run as root); a failure carries the program's output.
pub fn run_program(
    bin: &Path,
    as_postgres: bool,
    program: &str,
    args: &[&str],
) -> Result<Output, String> {
    let path = bin.join(program);
    let mut command = if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&path);
        c
    } else {
        Command::new(&path)
    };
    let output = command
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(format!(
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        let data = self.data.display().to_string();
        match self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]) {
            Ok(_) => log::info!("stopped the private PostgreSQL cluster in {data}"),
            Err(error) => log::warn!("could not stop the private PostgreSQL cluster: {error}"),
        }
    }
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The directory of PostgreSQL's server programs: where `initdb` is on the `PATH`, else the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian and Ubuntu install them there, off the `PATH`).
pub fn find_server_binaries() -> Option<PathBuf> {
    if let Ok(output) = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        && output.status.success()
    {
        let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        return path.parent().map(Path::to_path_buf);
    }
    let mut candidates: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("bin/initdb").exists())
        .map(|e| {
            let version = e
                .file_name()
                .to_string_lossy()
                .split('.')
                .map(|part| part.parse().unwrap_or(0))
                .collect();
            (version, e.path().join("bin"))
        })
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, bin)| bin)
}
