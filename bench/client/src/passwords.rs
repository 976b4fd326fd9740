//! `passwords`: a burst of concurrent logins against the password-hashing cap.
//! Registers `users` accounts, takes the server's settled RSS (idle), resets its peak
//! counter, fires `logins` logins at once (round robin over the users), and reports
//! the peak RSS during the burst, the RSS right after, `after_secs` later and once
//! settled, login latency, and how many logins were refused 503
//! `password_hashing_busy` (and anything else).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde_json::json;
use tokio::sync::watch;

use crate::api::{self, Api};
use crate::rss::{mib, reset_peak, rss_kib, settled_rss_kib, status_kib};
use crate::stats;

const PASSWORD: &str = "correct horse battery staple";

#[derive(clap::Args)]
pub struct Args {
    /// API base URL.
    #[arg(long)]
    base: String,
    /// The server process whose memory is measured.
    #[arg(long)]
    server_pid: u32,
    /// Logins fired at once.
    #[arg(long, default_value_t = 200)]
    logins: usize,
    /// Accounts the logins are spread over.
    #[arg(long, default_value_t = 4)]
    users: usize,
    /// Seconds after the burst for the "a few seconds after" RSS.
    #[arg(long, default_value_t = 5)]
    after_secs: u64,
    /// Makes e-mail addresses unique per run.
    #[arg(long, default_value = "bench")]
    run_id: String,
}

/// One login's outcome: HTTP status (0: no answer) and latency in ms.
async fn login(http: &reqwest::Client, url: &str, email: &str) -> (u16, f64) {
    let sent = Instant::now();
    let body = json!({ "email": email, "password": PASSWORD });
    let status = match http.post(url).json(&body).send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            let _ = res.bytes().await;
            status
        }
        Err(_) => 0,
    };
    (status, sent.elapsed().as_secs_f64() * 1000.0)
}

/// Samples RSS every 10 ms until told to stop; answers the highest sample.
async fn sample_peak(pid: u32, mut stop: watch::Receiver<bool>) -> u64 {
    let mut peak = 0;
    loop {
        peak = peak.max(rss_kib(pid).unwrap_or(0));
        tokio::select! {
            _ = stop.changed() => return peak.max(rss_kib(pid).unwrap_or(0)),
            () = tokio::time::sleep(Duration::from_millis(10)) => {}
        }
    }
}

/// Runs the burst and prints a Markdown table.
pub async fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.users > 0 && args.logins > 0,
        "users and logins must be > 0"
    );
    let api = Api::new(&args.base)?;
    let prefix = format!("passwords-{}", args.run_id);
    api::register_many(&api, &prefix, args.users).await?;
    let emails: Vec<String> = (0..args.users)
        .map(|i| format!("{prefix}-{i}@bench.example.com"))
        .collect();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.logins)
        .timeout(Duration::from_secs(60))
        .build()?;
    let url = format!("{}/api/auth/login", args.base.trim_end_matches('/'));
    // One login first so the process has done a hash before "idle" is measured.
    login(&http, &url, &emails[0]).await;
    let idle = settled_rss_kib(args.server_pid).await?;
    let hwm_reset = reset_peak(args.server_pid);

    let (stop, stopped) = watch::channel(false);
    let sampler = tokio::spawn(sample_peak(args.server_pid, stopped));
    let clock = Instant::now();
    let outcomes =
        join_all((0..args.logins).map(|i| login(&http, &url, &emails[i % emails.len()]))).await;
    let burst_secs = clock.elapsed().as_secs_f64();
    let right_after = rss_kib(args.server_pid)?;
    let _ = stop.send(true);
    let sampled_peak = sampler.await?;
    let hwm = status_kib(args.server_pid, "VmHWM")?;
    let peak = if hwm_reset {
        hwm.max(sampled_peak)
    } else {
        sampled_peak
    };
    tokio::time::sleep(Duration::from_secs(args.after_secs)).await;
    let later = rss_kib(args.server_pid)?;
    let settled = settled_rss_kib(args.server_pid).await?;

    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    let mut all: Vec<f64> = Vec::with_capacity(outcomes.len());
    let mut served: Vec<f64> = Vec::new();
    for (status, ms) in outcomes {
        *by_status.entry(status).or_default() += 1;
        all.push(ms);
        if status == 200 {
            served.push(ms);
        }
    }
    let (p50, p99, max) = stats::summary(&mut served);
    let (all_p50, all_p99, all_max) = stats::summary(&mut all);
    let grew = |kib: u64| mib(kib.saturating_sub(idle));
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| logins fired at once / accounts | {} / {} |",
        args.logins, args.users
    );
    println!("| answers by status | {by_status:?} |");
    println!("| burst took | {burst_secs:.1} s |");
    println!("| login latency, 200s: p50 / p99 / max | {p50:.0} / {p99:.0} / {max:.0} ms |");
    println!(
        "| login latency, all: p50 / p99 / max | {all_p50:.0} / {all_p99:.0} / {all_max:.0} ms |"
    );
    println!(
        "| server RSS idle (settled, after one login) | {} |",
        mib(idle)
    );
    let how = if hwm_reset {
        "VmHWM after a reset, and 10 ms samples"
    } else {
        "10 ms samples"
    };
    println!(
        "| server RSS peak during the burst ({how}) | {} (+{}) |",
        mib(peak),
        grew(peak)
    );
    println!(
        "| server RSS right after the burst | {} (+{}) |",
        mib(right_after),
        grew(right_after)
    );
    println!(
        "| server RSS {} s after | {} (+{}) |",
        args.after_secs,
        mib(later),
        grew(later)
    );
    println!(
        "| server RSS settled | {} (+{}) |",
        mib(settled),
        grew(settled)
    );
    Ok(())
}
