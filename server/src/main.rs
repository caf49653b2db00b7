//! The `kring` command: serve (default), migrate, demo, user create.

use std::process::ExitCode;

use clap::Parser;
use kring::config::{Cli, Command, UserCommand};
use kring::startup;
use tracing_subscriber::EnvFilter;

/// A page render makes many small allocations on several threads, often freeing on one
/// thread what another allocated. glibc's allocator took about a sixth of the server's
/// time under load; mimalloc did better, and jemalloc better again: the community page
/// serves about an eighth more requests with a third less memory (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .init();
    // A panic in a request's task goes to the log like any other error, saying where
    // (with the backtrace when RUST_BACKTRACE asks for one).
    std::panic::set_hook(Box::new(|panic| {
        let location = panic.location().map(ToString::to_string).unwrap_or_default();
        let backtrace = std::backtrace::Backtrace::capture();
        let backtrace = match backtrace.status() {
            std::backtrace::BacktraceStatus::Captured => format!("\n{backtrace}"),
            _ => String::new(),
        };
        tracing::error!(%location, "panic: {}{backtrace}", panic.payload_as_str().unwrap_or("(no message)"));
    }));
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kring: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let demo = config.demo;
            if demo {
                config.allows_demo()?;
            }
            let leptos = startup::leptos_options(&config)?;
            let secret = config.signing_secret()?;
            let state = startup::app_state(&config).await?;
            if demo && startup::load_demo(&state.db).await? {
                tracing::info!("loaded demo data (password: {})", app::demo::DEMO_PASSWORD);
            }
            kring::spawn_housekeeping(state.clone());
            kring::spawn_precompression(std::path::PathBuf::from(leptos.site_root.to_string()));
            let addr = leptos.site_addr;
            let router = kring::router(state, leptos, &secret);
            kring::serve(router, addr).await.map_err(|e| format!("LEPTOS_SITE_ADDR {addr}: {e}"))
        }
        Command::Migrate => {
            startup::connect(&config).await?;
            println!("migrations are up to date");
            Ok(())
        }
        Command::Demo => {
            config.allows_demo()?;
            let db = startup::connect(&config).await?;
            if startup::load_demo(&db).await? {
                println!("demo data loaded; every demo account has the password {}", app::demo::DEMO_PASSWORD);
            } else {
                println!("the database is not empty; demo data was not loaded");
            }
            Ok(())
        }
        Command::User { command: UserCommand::Create { email, name, role, org, password_stdin: _ } } => {
            let db = startup::connect(&config).await?;
            let id = startup::create_user(&db, &email, &name, &role, org.as_deref(), std::io::stdin()).await?;
            println!("created {email} ({id})");
            Ok(())
        }
    }
}
