//! Percentiles over measured durations.

/// Nearest-rank percentile (`p` in 0..=100) of `sorted` (ascending); 0 when empty.
#[must_use]
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest rank: the smallest value with at least p % of the values at or below it.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// p50, p99 and max of `values` (sorted in place).
pub fn summary(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    (
        percentile(values, 50.0),
        percentile(values, 99.0),
        values.last().copied().unwrap_or(0.0),
    )
}

/// p50, p90, p99 and max of `values` (sorted in place).
pub fn quantiles(values: &mut [f64]) -> [f64; 4] {
    values.sort_by(f64::total_cmp);
    [
        percentile(values, 50.0),
        percentile(values, 90.0),
        percentile(values, 99.0),
        values.last().copied().unwrap_or(0.0),
    ]
}

/// A Markdown table row: `| name | p50 ms | p90 ms | p99 ms | max ms |`.
pub fn row(name: &str, values: &mut [f64]) -> String {
    let [p50, p90, p99, max] = quantiles(values);
    format!("| {name} | {p50:.0} ms | {p90:.0} ms | {p99:.0} ms | {max:.0} ms |")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_of_one_to_hundred() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((percentile(&values, 50.0) - 50.0).abs() < f64::EPSILON);
        assert!((percentile(&values, 99.0) - 99.0).abs() < f64::EPSILON);
        assert!((percentile(&values, 100.0) - 100.0).abs() < f64::EPSILON);
    }

    #[test]
    fn percentiles_of_nothing_are_zero() {
        assert!(percentile(&[], 99.0).abs() < f64::EPSILON);
    }
}
