//! The report of a run: one line of text, or one JSON object (`--json`) for scripts.

use std::io::Write as _;

use serde_json::json;

use crate::error::Error;
use crate::idle::IdleOutcome;
use crate::load::{Outcome, Plan};
use crate::operation::Operation;

/// Milliseconds with three decimals.
fn ms(duration: std::time::Duration) -> f64 {
    (duration.as_secs_f64() * 1e6).round() / 1e3
}

/// Writes one line to standard output.
fn emit(line: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(Error::Output)
}

/// Reports a load run.
pub(crate) fn load(
    operation: Operation,
    plan: &Plan,
    outcome: &Outcome,
    as_json: bool,
) -> Result<(), Error> {
    let summary = &outcome.summary;
    if as_json {
        let value = json!({
            "operation": operation.name(),
            "connections": plan.connections,
            "target_rate": plan.rate,
            "seconds": summary.window.as_secs_f64(),
            "requests": summary.requests,
            "errors": summary.errors,
            "requests_per_second": (summary.requests_per_second * 10.0).round() / 10.0,
            "p50_ms": ms(summary.p50),
            "p99_ms": ms(summary.p99),
            "max_ms": ms(summary.max),
            "connections_opened": outcome.connections_opened,
        });
        return emit(&value.to_string());
    }
    let rate = plan
        .rate
        .map(|rate| format!(", target {rate:.0}/s"))
        .unwrap_or_default();
    emit(&format!(
        "{}: {:.0} requests/s over {:.1} s ({} connections{rate}, {} opened), p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms, {} errors",
        operation.name(),
        summary.requests_per_second,
        summary.window.as_secs_f64(),
        plan.connections,
        outcome.connections_opened,
        ms(summary.p50),
        ms(summary.p99),
        ms(summary.max),
        summary.errors,
    ))
}

/// Reports an idle-connections run.
pub(crate) fn idle(outcome: &IdleOutcome, as_json: bool) -> Result<(), Error> {
    let mib = |kib: u64| (kib as f64 / 1024.0 * 10.0).round() / 10.0;
    if as_json {
        let value = json!({
            "connections": outcome.opened,
            "still_answering": outcome.still_answering,
            "rss_before_mib": outcome.before.map(|m| mib(m.rss_kib)),
            "rss_mib": outcome.during.map(|m| mib(m.rss_kib)),
            "peak_rss_mib": outcome.during.map(|m| mib(m.peak_kib)),
        });
        return emit(&value.to_string());
    }
    let memory = match (outcome.before, outcome.during) {
        (Some(before), Some(during)) => format!(
            ", server RSS {:.1} MiB (before: {:.1} MiB, peak: {:.1} MiB)",
            mib(during.rss_kib),
            mib(before.rss_kib),
            mib(during.peak_kib)
        ),
        _ => String::new(),
    };
    emit(&format!(
        "{} idle connections held{memory}; {} still answered afterwards",
        outcome.opened, outcome.still_answering
    ))
}
