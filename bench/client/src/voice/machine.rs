//! How busy the machine was while a phase ran: CPU time of the server and the speech
//! server, all cores' busy share, and the load average (sampled), from `/proc`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Clock ticks per second of `/proc/*/stat` (`USER_HZ`, 100 on Linux).
const TICKS: f64 = 100.0;

/// User + system CPU time of `pid` (and its waited-for children), in seconds.
fn cpu_secs(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // After the command name (which may hold spaces) in parentheses: fields 3 onwards.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<f64> = rest
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    // utime, stime, cutime, cstime are fields 14-17, i.e. 11-14 after the name.
    fields.get(11..15).map_or(0.0, |t| t.iter().sum::<f64>()) / TICKS
}

/// (busy, total) jiffies of all cores, from the first line of `/proc/stat`.
fn machine_ticks() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let values: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    let total: f64 = values.iter().take(8).sum();
    // idle and iowait are the 4th and 5th.
    let idle = values.get(3).copied().unwrap_or(0.0) + values.get(4).copied().unwrap_or(0.0);
    (total - idle, total)
}

/// The one-minute load average.
fn load1() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// A phase being measured.
pub struct Phase {
    pids: [u32; 2],
    cpu: [f64; 2],
    machine: (f64, f64),
    clock: Instant,
    loads: Arc<Mutex<Vec<f64>>>,
    sampler: tokio::task::JoinHandle<()>,
}

/// What a phase cost.
pub struct Usage {
    pub secs: f64,
    /// CPU seconds of the server and of the speech server.
    pub cpu: [f64; 2],
    /// Busy share of all cores (everything on the machine), 0..=1.
    pub machine_busy: f64,
    /// One-minute load average: min, mean, max of the samples (every 2 s).
    pub load: [f64; 3],
}

impl Phase {
    /// Starts measuring `server` and `stt`.
    pub fn start(server: u32, stt: u32) -> Self {
        let loads = Arc::new(Mutex::new(vec![load1()]));
        let samples = Arc::clone(&loads);
        let sampler = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(2)).await;
                samples
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(load1());
            }
        });
        Self {
            pids: [server, stt],
            cpu: [cpu_secs(server), cpu_secs(stt)],
            machine: machine_ticks(),
            clock: Instant::now(),
            loads,
            sampler,
        }
    }

    /// Stops measuring.
    pub fn finish(self) -> Usage {
        self.sampler.abort();
        let (busy, total) = machine_ticks();
        let mut loads = self
            .loads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        loads.push(load1());
        let mean = loads.iter().sum::<f64>() / loads.len() as f64;
        let min = loads.iter().copied().fold(f64::INFINITY, f64::min);
        let max = loads.iter().copied().fold(0.0, f64::max);
        Usage {
            secs: self.clock.elapsed().as_secs_f64(),
            cpu: [
                cpu_secs(self.pids[0]) - self.cpu[0],
                cpu_secs(self.pids[1]) - self.cpu[1],
            ],
            machine_busy: (busy - self.machine.0) / (total - self.machine.1).max(1.0),
            load: [min, mean, max],
        }
    }
}

impl Usage {
    /// A Markdown row: `| name | wall | server CPU | speech CPU | machine busy | load |`.
    pub fn row(&self, name: &str) -> String {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let share = |cpu: f64| format!("{cpu:.1} s ({:.0} %)", 100.0 * cpu / self.secs.max(0.001));
        format!(
            "| {name} | {:.1} s | {} | {} | {:.0} % of {cores} cores | {:.1} / {:.1} / {:.1} |",
            self.secs,
            share(self.cpu[0]),
            share(self.cpu[1]),
            100.0 * self.machine_busy,
            self.load[0],
            self.load[1],
            self.load[2],
        )
    }
}
