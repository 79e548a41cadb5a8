//! The figures `make bench` gathers into one table: each benchmark prints a `figure` line per
//! measure (JSON), with the floor it is measured beside and its target;
//! `tests/scripts/bench-table.mjs` prints them side by side. Figures, never assertions.

use std::time::Duration;

use serde_json::json;

/// What a measure has to reach.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// The figure itself, at most this.
    AtMost(f64),
    /// The figure, at least this.
    AtLeast(f64),
    /// The figure over its floor, at most this.
    RatioAtMost(f64),
}

/// One measure, printed as a `figure {json}` line.
#[derive(Debug, Clone)]
pub struct Figure<'a> {
    pub measure: &'a str,
    pub value: f64,
    pub unit: &'a str,
    /// The floor: what the same work costs at the least (a bare parse, a bare Tauri app).
    pub floor: Option<(f64, &'a str)>,
    pub target: Target,
}

impl Figure<'_> {
    pub fn print(&self) {
        let (kind, target) = match self.target {
            Target::AtMost(v) => ("at_most", v),
            Target::AtLeast(v) => ("at_least", v),
            Target::RatioAtMost(v) => ("ratio_at_most", v),
        };
        let line = json!({
            "measure": self.measure,
            "value": self.value,
            "unit": self.unit,
            "floor": self.floor.map(|(v, _)| v),
            "floor_what": self.floor.map(|(_, what)| what),
            "target": { "kind": kind, "value": target },
        });
        println!("figure {line}");
    }
}

/// The median of `samples`.
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The 95th percentile of `samples`.
pub fn p95(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[(samples.len() * 95).div_ceil(100).saturating_sub(1)]
}

/// Milliseconds, as the table shows them.
pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
