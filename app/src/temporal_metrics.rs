//! The Temporal worker's own metrics (pollers, slots, task latencies, sticky cache,
//! activity and workflow outcomes: `temporal_*`), bridged from the SDK's meter into
//! the process's `metrics` recorder, so they are scraped from the same `/metrics` as
//! everything else, with the SDK's descriptions as `# HELP`. Durations are recorded
//! in seconds, under a name ending in `_seconds`.
//!
//! The SDK's labels (namespace, task_queue, workflow_type, activity_type, poller and
//! worker type, ...) are bounded by the code and the configuration.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use metrics::{Label, SharedString};
use temporalio_common::telemetry::metrics::{
    CoreMeter, Counter, CounterBase, Gauge, GaugeBase, GaugeF64, GaugeF64Base, Histogram,
    HistogramBase, HistogramDuration, HistogramDurationBase, HistogramF64, HistogramF64Base,
    MetricAttributable, MetricAttributes, MetricParameters, NewAttributes, OrderedPromLabelSet,
    UpDownCounter, UpDownCounterBase,
};

/// A [`CoreMeter`] that records into the global `metrics` recorder.
#[derive(Debug, Default)]
pub struct MetricsBridge {
    /// Put before every name: the worker runtime prefixes its metrics itself
    /// (`temporal_`), a client connection's meter does not.
    prefix: &'static str,
}

impl MetricsBridge {
    /// For the worker runtime's telemetry (which adds `temporal_` itself).
    #[must_use]
    pub fn new() -> Self {
        Self { prefix: "" }
    }

    /// For a client connection: its RPC metrics (`temporal_request`,
    /// `temporal_request_latency_seconds`, ...).
    #[must_use]
    pub fn prefixed() -> Self {
        Self {
            prefix: "temporal_",
        }
    }

    fn name(&self, params: &MetricParameters) -> String {
        format!("{}{}", self.prefix, params.name)
    }
}

fn labels(attributes: &MetricAttributes) -> Vec<Label> {
    match attributes {
        MetricAttributes::Prometheus { labels } => labels
            .as_prom_labels()
            .into_iter()
            .map(|(k, v)| Label::new(k.to_owned(), v))
            .collect(),
        _ => Vec::new(),
    }
}

fn help(params: &MetricParameters) -> SharedString {
    if params.description.is_empty() {
        SharedString::from(format!("Temporal SDK metric {}.", params.name))
    } else {
        SharedString::from(params.description.to_string())
    }
}

/// One SDK instrument: its name, bound to labels on demand.
struct Instrument {
    name: String,
}

impl Instrument {
    fn counter(params: &MetricParameters, name: String) -> Arc<Self> {
        metrics::describe_counter!(name.clone(), help(params));
        Arc::new(Self { name })
    }

    fn gauge(params: &MetricParameters, name: String) -> Arc<Self> {
        metrics::describe_gauge!(name.clone(), help(params));
        Arc::new(Self { name })
    }

    fn histogram(params: &MetricParameters, name: String) -> Arc<Self> {
        metrics::describe_histogram!(name.clone(), help(params));
        Arc::new(Self { name })
    }
}

struct BoundCounter(metrics::Counter);
struct BoundGauge(metrics::Gauge);
struct BoundHistogram(metrics::Histogram);

impl CounterBase for BoundCounter {
    fn adds(&self, value: u64) {
        self.0.increment(value);
    }
}

impl UpDownCounterBase for BoundGauge {
    fn adds(&self, value: i64) {
        self.0.increment(value as f64);
    }
}

impl GaugeBase for BoundGauge {
    fn records(&self, value: u64) {
        self.0.set(value as f64);
    }
}

impl GaugeF64Base for BoundGauge {
    fn records(&self, value: f64) {
        self.0.set(value);
    }
}

impl HistogramBase for BoundHistogram {
    fn records(&self, value: u64) {
        self.0.record(value as f64);
    }
}

impl HistogramF64Base for BoundHistogram {
    fn records(&self, value: f64) {
        self.0.record(value);
    }
}

impl HistogramDurationBase for BoundHistogram {
    fn records(&self, value: Duration) {
        self.0.record(value.as_secs_f64());
    }
}

type BindResult<T> = Result<Box<T>, Box<dyn std::error::Error>>;

impl MetricAttributable<Box<dyn CounterBase>> for Instrument {
    fn with_attributes(&self, attributes: &MetricAttributes) -> BindResult<dyn CounterBase> {
        Ok(Box::new(BoundCounter(metrics::counter!(
            self.name.clone(),
            labels(attributes)
        ))))
    }
}

impl MetricAttributable<Box<dyn UpDownCounterBase>> for Instrument {
    fn with_attributes(&self, attributes: &MetricAttributes) -> BindResult<dyn UpDownCounterBase> {
        Ok(Box::new(BoundGauge(metrics::gauge!(
            self.name.clone(),
            labels(attributes)
        ))))
    }
}

impl MetricAttributable<Box<dyn GaugeBase>> for Instrument {
    fn with_attributes(&self, attributes: &MetricAttributes) -> BindResult<dyn GaugeBase> {
        Ok(Box::new(BoundGauge(metrics::gauge!(
            self.name.clone(),
            labels(attributes)
        ))))
    }
}

impl MetricAttributable<Box<dyn GaugeF64Base>> for Instrument {
    fn with_attributes(&self, attributes: &MetricAttributes) -> BindResult<dyn GaugeF64Base> {
        Ok(Box::new(BoundGauge(metrics::gauge!(
            self.name.clone(),
            labels(attributes)
        ))))
    }
}

impl MetricAttributable<Box<dyn HistogramBase>> for Instrument {
    fn with_attributes(&self, attributes: &MetricAttributes) -> BindResult<dyn HistogramBase> {
        Ok(Box::new(BoundHistogram(metrics::histogram!(
            self.name.clone(),
            labels(attributes)
        ))))
    }
}

impl MetricAttributable<Box<dyn HistogramF64Base>> for Instrument {
    fn with_attributes(&self, attributes: &MetricAttributes) -> BindResult<dyn HistogramF64Base> {
        Ok(Box::new(BoundHistogram(metrics::histogram!(
            self.name.clone(),
            labels(attributes)
        ))))
    }
}

impl MetricAttributable<Box<dyn HistogramDurationBase>> for Instrument {
    fn with_attributes(
        &self,
        attributes: &MetricAttributes,
    ) -> BindResult<dyn HistogramDurationBase> {
        Ok(Box::new(BoundHistogram(metrics::histogram!(
            self.name.clone(),
            labels(attributes)
        ))))
    }
}

/// `temporal_activity_execution_latency` → `temporal_activity_execution_latency_seconds`.
fn seconds_name(name: &str) -> String {
    if name.ends_with("_seconds") {
        name.to_owned()
    } else {
        format!("{name}_seconds")
    }
}

impl CoreMeter for MetricsBridge {
    fn new_attributes(&self, attribs: NewAttributes) -> MetricAttributes {
        MetricAttributes::Prometheus {
            labels: Arc::new(attribs.into()),
        }
    }

    fn extend_attributes(
        &self,
        existing: MetricAttributes,
        attribs: NewAttributes,
    ) -> MetricAttributes {
        let mut labels: OrderedPromLabelSet = match existing {
            MetricAttributes::Prometheus { labels } => Arc::unwrap_or_clone(labels),
            _ => OrderedPromLabelSet::new(),
        };
        for kv in attribs.attributes {
            labels.add_kv(kv);
        }
        MetricAttributes::Prometheus {
            labels: Arc::new(labels),
        }
    }

    fn counter(&self, params: MetricParameters) -> Counter {
        Counter::new(Instrument::counter(&params, self.name(&params)))
    }

    fn histogram(&self, params: MetricParameters) -> Histogram {
        Histogram::new(Instrument::histogram(&params, self.name(&params)))
    }

    fn histogram_f64(&self, params: MetricParameters) -> HistogramF64 {
        HistogramF64::new(Instrument::histogram(&params, self.name(&params)))
    }

    fn histogram_duration(&self, mut params: MetricParameters) -> HistogramDuration {
        params.unit = Cow::Borrowed("s");
        let name = seconds_name(&self.name(&params));
        HistogramDuration::new(Instrument::histogram(&params, name))
    }

    fn gauge(&self, params: MetricParameters) -> Gauge {
        Gauge::new(Instrument::gauge(&params, self.name(&params)))
    }

    fn gauge_f64(&self, params: MetricParameters) -> GaugeF64 {
        GaugeF64::new(Instrument::gauge(&params, self.name(&params)))
    }

    fn up_down_counter(&self, params: MetricParameters) -> UpDownCounter {
        UpDownCounter::new(Instrument::gauge(&params, self.name(&params)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use temporalio_common::telemetry::metrics::MetricKeyValue;

    #[test]
    fn attributes_become_labels_and_durations_seconds() {
        let bridge = MetricsBridge::new();
        let base = bridge.new_attributes(NewAttributes::new(vec![MetricKeyValue::new(
            "task-queue",
            "maigie",
        )]));
        let extended = bridge.extend_attributes(
            base,
            NewAttributes::new(vec![MetricKeyValue::new("poller_type", "workflow_task")]),
        );
        let mut got: Vec<(String, String)> = labels(&extended)
            .into_iter()
            .map(|l| (l.key().to_owned(), l.value().to_owned()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("poller_type".into(), "workflow_task".into()),
                ("task_queue".into(), "maigie".into())
            ]
        );
        assert_eq!(
            seconds_name("temporal_activity_execution_latency"),
            "temporal_activity_execution_latency_seconds"
        );
        assert_eq!(seconds_name("x_seconds"), "x_seconds");
    }
}
