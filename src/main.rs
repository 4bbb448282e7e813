//! The `ndp-registry` command: parses the CLI, loads the settings and dispatches.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use ndp_registry::auth::JwtKeys;
use ndp_registry::config::Settings;
use ndp_registry::startup::{Application, openapi};
use ndp_registry::{seed, setup, tokens};

/// The API behind Vietnam's registry of national digital platforms.
#[derive(Parser)]
#[command(name = "ndp-registry", version, about)]
struct Cli {
    /// What to do; `serve` when none is given.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (the default): starts a private PostgreSQL where none answers
    /// locally, creates the database if missing, applies pending migrations and seeds an empty
    /// registry first.
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Load the sample data of seeds/ (applies migrations first; running it twice changes nothing).
    Seed,
    /// Print the OpenAPI document as JSON on stdout.
    Openapi,
    /// Issue, revoke and list bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a token and print only the token on stdout.
    Issue(tokens::IssueRequest),
    /// Revoke a token by its jti; running servers refuse it at once.
    Revoke {
        /// The token's jti (see `token list`).
        jti: String,
    },
    /// List issued tokens: jti, ministry, province, scopes, expiry, revocation, label.
    List,
}

fn main() -> ExitCode {
    // Before any thread starts: the allocator's arenas are bounded for the whole process.
    let tuned = ndp_registry::memory::tune_allocator();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    log::debug!("allocator settings applied: {tuned:?}");
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&format!("cannot start the async runtime: {error}")),
    };
    match runtime.block_on(dispatch(cli.command.unwrap_or(Command::Serve))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

async fn dispatch(command: Command) -> Result<(), String> {
    if let Command::Openapi = command {
        let json = serde_json::to_string_pretty(&openapi()).map_err(|e| e.to_string())?;
        println!("{json}");
        return Ok(());
    }
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    // Held until the command ends: a private cluster started for it stops then.
    let _database = setup::prepare(&settings, matches!(command, Command::Serve)).await?;
    match command {
        Command::Migrate => Ok(()),
        Command::Seed => {
            let mut conn = AsyncPgConnection::establish(settings.database_url())
                .await
                .map_err(|e| format!("DATABASE_URL: cannot connect: {e}"))?;
            let report = seed::run(&mut conn).await.map_err(|e| e.to_string())?;
            log::info!("seed: {report}");
            Ok(())
        }
        Command::Serve => {
            let app = Application::build(&settings).map_err(|e| {
                format!(
                    "BIND_ADDR: cannot listen on {}: {e}: stop what listens there or set BIND_ADDR to another address",
                    settings.bind_addr
                )
            })?;
            log::info!("serving on port {}; Swagger UI at /swagger-ui/", app.port());
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Openapi => Ok(()),
        Command::Token(command) => token(&settings, command).await,
    }
}

async fn token(settings: &Settings, command: TokenCommand) -> Result<(), String> {
    let mut conn = AsyncPgConnection::establish(settings.database_url())
        .await
        .map_err(|e| format!("DATABASE_URL: cannot connect: {e}"))?;
    let output = match command {
        TokenCommand::Issue(request) => {
            let keys = JwtKeys::from_settings(settings).map_err(|e| e.to_string())?;
            tokens::issue(&mut conn, &keys, request).await?
        }
        TokenCommand::Revoke { jti } => tokens::revoke(&mut conn, &jti).await?,
        TokenCommand::List => tokens::list(&mut conn).await?.trim_end().to_owned(),
    };
    println!("{output}");
    Ok(())
}
