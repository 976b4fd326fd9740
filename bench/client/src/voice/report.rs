//! The Markdown tables of the voice benchmark and its JSON summary.

use std::collections::BTreeMap;

use serde_json::json;

use super::machine::Usage;
use super::{Args, Clips, Timeline};
use crate::rss::mib;
use crate::stats;

/// RSS in KiB of [server, speech server]: at start, after the warm-up, at the end, and
/// the peak (`VmHWM`).
pub struct Memory {
    pub start: [u64; 2],
    pub warm: [u64; 2],
    pub end: [u64; 2],
    pub peak: [u64; 2],
}

/// (messages in flight, results, what the phase cost)
pub type Phase = (usize, Vec<anyhow::Result<Timeline>>, Usage);

fn latencies(clips: &Clips, ok: &[&Timeline]) {
    let pick =
        |f: fn(&Timeline) -> Option<f64>| -> Vec<f64> { ok.iter().filter_map(|t| f(t)).collect() };
    println!(
        "{}",
        stats::row(
            "upload → `202 Accepted`",
            &mut pick(|t| Some(t.accepted_ms))
        )
    );
    println!(
        "{}",
        stats::row(
            "upload → `voice.transcript`",
            &mut pick(|t| t.transcript_ms)
        )
    );
    println!(
        "{}",
        stats::row("upload → `chat.done`", &mut pick(|t| t.done_ms))
    );
    println!(
        "{}",
        stats::row("**upload → `voice.audio`**", &mut pick(|t| t.audio_ms))
    );
    println!(
        "{}",
        stats::row(
            "stage: `voice.transcript` → `chat.done` (the answer)",
            &mut pick(|t| Some(t.done_ms? - t.transcript_ms?))
        )
    );
    println!(
        "{}",
        stats::row(
            "stage: `chat.done` → `voice.audio` (speaking it)",
            &mut pick(|t| Some(t.audio_ms? - t.done_ms?))
        )
    );
    for (kind, (name, _, _)) in clips.0.iter().enumerate() {
        let mut audio: Vec<f64> = ok
            .iter()
            .filter(|t| t.kind == kind)
            .filter_map(|t| t.audio_ms)
            .collect();
        println!(
            "{}",
            stats::row(&format!("upload → `voice.audio`: \"{name} …\""), &mut audio)
        );
    }
}

/// Prints one phase; answers (sent, spoken, task-creating messages sent).
fn phase(clips: &Clips, (in_flight, results, usage): &Phase) -> (usize, usize, usize) {
    let ok: Vec<&Timeline> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let errors: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| format!("{e:#}")))
        .collect();
    println!(
        "| {} voice messages, {in_flight} in flight | p50 | p90 | p99 | max |",
        results.len()
    );
    println!("|---|---|---|---|---|");
    latencies(clips, &ok);
    let spoken = ok.iter().filter(|t| t.audio_ms.is_some()).count();
    let creates = ok.iter().filter(|t| clips.0[t.kind].1).count();
    let completed = ok
        .iter()
        .filter(|t| t.seen.done.as_ref().is_some_and(|d| d.1 == "completed"))
        .count();
    let created_text = ok
        .iter()
        .filter(|t| clips.0[t.kind].1)
        .filter(|t| {
            t.seen
                .done
                .as_ref()
                .is_some_and(|d| d.2.starts_with("Created task"))
        })
        .count();
    let failed: Vec<&str> = ok.iter().filter_map(|t| t.seen.failed.as_deref()).collect();
    let mut heard: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &ok {
        if let Some((_, text)) = &t.seen.transcript {
            *heard.entry(text.as_str()).or_default() += 1;
        }
    }
    let mut answer_secs: Vec<f64> = ok
        .iter()
        .filter_map(|t| t.seen.audio.as_ref().map(|a| a.2))
        .collect();
    let [a50, _, _, amax] = stats::quantiles(&mut answer_secs);
    println!();
    println!("| check | value |");
    println!("|---|---|");
    println!(
        "| sent / **ended with `voice.audio`** / `voice.failed` / errors or timeouts | {} / **{spoken}** / {} / {} |",
        results.len(),
        failed.len(),
        errors.len()
    );
    println!("| `chat.done` status completed | {completed} |");
    println!(
        "| task-creating messages answered \"Created task …\" | {created_text} of {creates} |"
    );
    println!(
        "| asked for confirmation / `voice.pending` (speech server down) | {} / {} |",
        ok.iter().filter(|t| t.seen.confirmation).count(),
        ok.iter().filter(|t| t.seen.pending).count()
    );
    println!(
        "| spoken answers fetched through their signed link (200, WAV) | {} |",
        ok.iter().filter(|t| t.audio_fetched).count()
    );
    println!("| spoken answer length | p50 {a50:.1} s, max {amax:.1} s |");
    for (text, n) in &heard {
        println!("| heard ({n}×) | \"{text}\" |");
    }
    println!(
        "| throughput | {:.2} messages/s ({} in {:.1} s) |",
        results.len() as f64 / usage.secs.max(0.001),
        results.len(),
        usage.secs
    );
    if let Some(err) = errors.first() {
        println!("\nfirst error: {err}");
    }
    if let Some(failure) = failed.first() {
        println!("\nfirst `voice.failed`: {failure}");
    }
    println!();
    (results.len(), spoken, creates)
}

/// Prints every table; writes the summary.
pub fn print(
    args: &Args,
    clips: &Clips,
    phases: &[Phase],
    memory: &Memory,
    users: usize,
) -> anyhow::Result<()> {
    let (mut sent, mut spoken, mut creates) = (0, 0, 0);
    for p in phases {
        let (s, a, c) = phase(clips, p);
        sent += s;
        spoken += a;
        creates += c;
    }
    println!(
        "| phase | wall | `maigie dev` CPU (% of a core) | speech server CPU | whole machine busy | load average 1 min: min / mean / max |"
    );
    println!("|---|---|---|---|---|---|");
    for (in_flight, _, usage) in phases {
        println!("{}", usage.row(&format!("{in_flight} in flight")));
    }
    println!();
    println!("| resident memory (VmRSS) | `maigie dev` (API + worker) | speech server (tiny.en) |");
    println!("|---|---|---|");
    let row =
        |name: &str, kib: [u64; 2]| println!("| {name} | {} | {} |", mib(kib[0]), mib(kib[1]));
    row("before the users registered", memory.start);
    row(
        &format!("after {users} registrations and the warm-up"),
        memory.warm,
    );
    row("at the end", memory.end);
    row("peak (VmHWM)", memory.peak);
    if let Some(path) = &args.summary {
        let summary = json!({"sent": sent, "spoken": spoken, "creates": creates,
                             "warmup": users, "users": users});
        std::fs::write(path, summary.to_string())?;
    }
    Ok(())
}
