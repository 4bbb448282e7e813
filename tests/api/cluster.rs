//! A private PostgreSQL cluster on a free port, run from the installed PostgreSQL binaries: the
//! harness's fallback when no server answers, and the database that the fault tests restart and
//! freeze without disturbing the tests that share the main server.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use ndp_registry::local_postgres::{find_server_binaries, is_root, run_program};

/// A running cluster, stopped and deleted when dropped (or, if the test process dies, by a
/// watchdog).
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    /// `initdb` refuses to run as root: as root, every PostgreSQL command runs as `postgres`.
    run_as_postgres: bool,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl Cluster {
    /// Creates and starts a cluster with trust authentication on 127.0.0.1 and a free port.
    pub fn start() -> Result<Self, String> {
        let bin = find_server_binaries()
            .ok_or("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")?;
        let run_as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!(
            "ndp-pg-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let cluster = Self {
            bin,
            dir,
            port,
            run_as_postgres,
        };
        let dir = cluster.dir_str();
        cluster.pg(
            "initdb",
            &[
                "-D",
                &dir,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        cluster.watch();
        cluster.start_server()?;
        Ok(cluster)
    }

    /// The server's URL, without a database name.
    pub fn server_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start_server(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
            self.port,
            self.dir_str()
        );
        let log = self.dir.join("log");
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.dir_str(),
                "-o",
                &options,
                "-w",
                "-l",
                &log.display().to_string(),
                "start",
            ],
        )
        .map(drop)
    }

    /// Stops the server: `fast` rolls back open transactions and checkpoints, `immediate` kills
    /// every backend as a crash would, leaving recovery to the next start.
    pub fn stop_server(&self, mode: &str) -> Result<(), String> {
        self.pg("pg_ctl", &["-D", &self.dir_str(), "-m", mode, "-w", "stop"])
            .map(drop)
    }

    /// Stops every process of the server (SIGSTOP): connections stay open and nothing answers.
    pub fn freeze(&self) -> Result<(), String> {
        for pid in self.processes()? {
            signal("STOP", pid)?;
        }
        Ok(())
    }

    /// Lets a frozen server go on (SIGCONT).
    pub fn thaw(&self) -> Result<(), String> {
        for pid in self.processes()?.into_iter().rev() {
            signal("CONT", pid)?;
        }
        Ok(())
    }

    /// The postmaster, then its children.
    fn processes(&self) -> Result<Vec<u32>, String> {
        let pidfile = std::fs::read_to_string(self.dir.join("postmaster.pid"))
            .map_err(|e| format!("no postmaster.pid: {e}"))?;
        let postmaster: u32 = pidfile
            .lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .ok_or("postmaster.pid has no pid")?;
        let children = Command::new("pgrep")
            .args(["-P", &postmaster.to_string()])
            .output()
            .map_err(|e| format!("pgrep: {e}"))?;
        let mut pids = vec![postmaster];
        pids.extend(
            String::from_utf8_lossy(&children.stdout)
                .lines()
                .filter_map(|l| l.trim().parse::<u32>().ok()),
        );
        Ok(pids)
    }

    fn dir_str(&self) -> String {
        self.dir.display().to_string()
    }

    /// Runs one of PostgreSQL's programs, as `postgres` when this process is root.
    fn pg(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        run_program(&self.bin, self.run_as_postgres, program, args)
    }

    /// Stops and removes the cluster when this test process exits, however it exits.
    fn watch(&self) {
        let ctl = self.bin.join("pg_ctl");
        let stop = if self.run_as_postgres {
            format!("runuser -u postgres -- {}", ctl.display())
        } else {
            ctl.display().to_string()
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
             kill -CONT $(cat {dir}/postmaster.pid 2>/dev/null | head -n 1) 2>/dev/null; \
             {stop} -D {dir} stop -m immediate >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            dir = self.dir_str()
        );
        let _ = Command::new("sh").args(["-c", &script]).spawn();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.thaw();
        let _ = self.stop_server("immediate");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn signal(name: &str, pid: u32) -> Result<(), String> {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .map_err(|e| format!("kill: {e}"))?;
    // A backend may have exited between listing and signalling.
    let _ = status;
    Ok(())
}
