//! The standard `process_*` metrics (as Prometheus client libraries name them), read
//! from `/proc/self` at scrape time. Elsewhere than Linux they are left out.

use std::fmt::Write as _;

/// `/proc` reports CPU times and start time in clock ticks of `USER_HZ`, which is 100
/// on every Linux architecture we build for (`getconf CLK_TCK`).
const TICKS_PER_SECOND: f64 = 100.0;

#[derive(Debug, Default, PartialEq)]
pub(crate) struct Sample {
    pub cpu_seconds: f64,
    pub resident_bytes: Option<u64>,
    pub virtual_bytes: u64,
    pub threads: u64,
    pub start_time_seconds: Option<f64>,
    pub open_fds: Option<u64>,
    pub max_fds: Option<u64>,
}

/// The fields of `/proc/self/stat` after the command name (which may hold spaces and
/// parentheses itself, hence the last `)`): field 3 (`state`) comes first.
fn parse_stat(stat: &str) -> Option<Vec<&str>> {
    let rest = &stat[stat.rfind(')')? + 1..];
    Some(rest.split_whitespace().collect())
}

fn field(fields: &[&str], number: usize) -> Option<u64> {
    fields.get(number.checked_sub(3)?)?.parse().ok()
}

/// `VmRSS:   1234 kB` of `/proc/self/status`, in bytes.
fn parse_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `btime N` of `/proc/stat`: boot time, seconds since the epoch.
fn parse_boot_time(stat: &str) -> Option<u64> {
    stat.lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()
}

/// The soft limit of `Max open files` in `/proc/self/limits`.
fn parse_max_fds(limits: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

pub(crate) fn sample() -> Option<Sample> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields = parse_stat(&stat)?;
    let ticks = |n| field(&fields, n).map_or(0.0, |t| t as f64 / TICKS_PER_SECOND);
    let start_time_seconds = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| parse_boot_time(&s))
        .map(|boot| boot as f64 + ticks(22));
    Some(Sample {
        cpu_seconds: ticks(14) + ticks(15),
        resident_bytes: std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| parse_rss(&s)),
        virtual_bytes: field(&fields, 23).unwrap_or(0),
        threads: field(&fields, 20).unwrap_or(0),
        start_time_seconds,
        open_fds: std::fs::read_dir("/proc/self/fd")
            .ok()
            .map(|d| d.count() as u64),
        max_fds: std::fs::read_to_string("/proc/self/limits")
            .ok()
            .and_then(|s| parse_max_fds(&s)),
    })
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
    let _ = write!(
        out,
        "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n\n"
    );
}

/// Appends the process metrics in the Prometheus text format.
pub(crate) fn render(out: &mut String) {
    let Some(s) = sample() else {
        return;
    };
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
    metric(
        out,
        "process_cpu_seconds_total",
        "counter",
        "Total user and system CPU time spent in seconds.",
        s.cpu_seconds,
    );
    if let Some(rss) = s.resident_bytes {
        metric(
            out,
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory size in bytes.",
            rss,
        );
    }
    metric(
        out,
        "process_virtual_memory_bytes",
        "gauge",
        "Virtual memory size in bytes.",
        s.virtual_bytes,
    );
    metric(
        out,
        "process_threads",
        "gauge",
        "Number of OS threads in the process.",
        s.threads,
    );
    if let Some(start) = s.start_time_seconds {
        metric(
            out,
            "process_start_time_seconds",
            "gauge",
            "Start time of the process since unix epoch in seconds.",
            start,
        );
    }
    if let Some(fds) = s.open_fds {
        // Reading the directory holds one descriptor of its own.
        metric(
            out,
            "process_open_fds",
            "gauge",
            "Number of open file descriptors.",
            fds.saturating_sub(1),
        );
    }
    if let Some(max) = s.max_fds {
        metric(
            out,
            "process_max_fds",
            "gauge",
            "Maximum number of open file descriptors.",
            max,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_proc_files() {
        let stat = "4242 (maigie (x) y) S 1 4242 4242 0 -1 4194560 2000 0 0 0 \
                    150 50 0 0 20 0 12 0 9000 123456789 3000 18446744073709551615";
        let fields = parse_stat(stat).expect("fields");
        assert_eq!(field(&fields, 14), Some(150));
        assert_eq!(field(&fields, 15), Some(50));
        assert_eq!(field(&fields, 20), Some(12));
        assert_eq!(field(&fields, 22), Some(9000));
        assert_eq!(field(&fields, 23), Some(123_456_789));
        assert_eq!(
            parse_rss("Name:\tmaigie\nVmRSS:\t  2048 kB\n"),
            Some(2048 * 1024)
        );
        assert_eq!(
            parse_boot_time("cpu 1 2\nbtime 1700000000\n"),
            Some(1_700_000_000)
        );
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max open files            1024                 524288               files\n";
        assert_eq!(parse_max_fds(limits), Some(1024));
    }

    #[test]
    fn renders_help_and_type_for_each_sample() {
        let mut out = String::new();
        render(&mut out);
        if cfg!(target_os = "linux") {
            for name in [
                "process_cpu_seconds_total",
                "process_open_fds",
                "process_start_time_seconds",
            ] {
                assert!(out.contains(&format!("# HELP {name} ")), "{name} in {out}");
                assert!(out.contains(&format!("# TYPE {name} ")), "{name} in {out}");
            }
        }
    }
}
