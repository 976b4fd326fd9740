//! The server's resident memory, read from `/proc` (the client runs on the same
//! machine as the server).

use std::time::Duration;

/// A `/proc/<pid>/status` field in KiB (e.g. `VmRSS`, `VmHWM`).
pub fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no {field} for pid {pid}"))
}

/// `VmRSS` of `pid`, in KiB.
pub fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    status_kib(pid, "VmRSS")
}

/// Resets `VmHWM` (the peak) to the current RSS, so the next peak is the burst's
/// (`clear_refs` 5; needs the same user as the server, or root). Answers whether it
/// worked.
pub fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// RSS once it stops moving: three one-second samples within 0.5 % (at most 60 s).
pub async fn settled_rss_kib(pid: u32) -> anyhow::Result<u64> {
    let mut samples = vec![rss_kib(pid)?];
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        samples.push(rss_kib(pid)?);
        if let [.., a, b, c] = samples[..] {
            let (lo, hi) = (a.min(b).min(c), a.max(b).max(c));
            if (hi - lo) * 200 <= hi {
                return Ok(c);
            }
        }
    }
    Ok(samples.last().copied().unwrap_or(0))
}

/// KiB as MiB with one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
