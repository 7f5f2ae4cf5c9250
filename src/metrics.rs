//! Process-wide counters and gauges, rendered in the Prometheus text format on `[metrics] listen`.
//! A handful of atomics written by the pipeline: a 40-line thing, not a metrics framework.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crate::model::Label;

/// Upper bounds (seconds) of the fetch-latency histogram buckets.
const LATENCY_BUCKETS: [f64; 8] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

pub struct Metrics {
    feed_ok: AtomicU64,
    feed_not_modified: AtomicU64,
    feed_failed: AtomicU64,
    page_ok: AtomicU64,
    page_failed: AtomicU64,
    page_refused: AtomicU64,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros: AtomicU64,
    articles: AtomicU64,
    labels: [AtomicU64; 4],
    digests_sent: AtomicU64,
    index_documents: AtomicI64,
    queue_depth: AtomicI64,
}

/// What a fetch came to, for `tonlage_fetches_total{kind, outcome}`.
#[derive(Debug, Clone, Copy)]
pub enum Fetch {
    FeedOk,
    FeedNotModified,
    FeedFailed,
    PageOk,
    PageFailed,
    PageRefused,
}

pub static METRICS: Metrics = Metrics::new();

impl Metrics {
    const fn new() -> Metrics {
        #[allow(clippy::declare_interior_mutable_const)]
        const Z: AtomicU64 = AtomicU64::new(0);
        Metrics {
            feed_ok: Z,
            feed_not_modified: Z,
            feed_failed: Z,
            page_ok: Z,
            page_failed: Z,
            page_refused: Z,
            latency_buckets: [Z; LATENCY_BUCKETS.len()],
            latency_count: Z,
            latency_micros: Z,
            articles: Z,
            labels: [Z; 4],
            digests_sent: Z,
            index_documents: AtomicI64::new(0),
            queue_depth: AtomicI64::new(0),
        }
    }

    pub fn fetch(&self, outcome: Fetch) {
        let c = match outcome {
            Fetch::FeedOk => &self.feed_ok,
            Fetch::FeedNotModified => &self.feed_not_modified,
            Fetch::FeedFailed => &self.feed_failed,
            Fetch::PageOk => &self.page_ok,
            Fetch::PageFailed => &self.page_failed,
            Fetch::PageRefused => &self.page_refused,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn latency(&self, d: std::time::Duration) {
        let secs = d.as_secs_f64();
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_micros.fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    pub fn article_ingested(&self) {
        self.articles.fetch_add(1, Ordering::Relaxed);
    }

    pub fn classified(&self, label: Label) {
        let i = Label::ALL.iter().position(|l| *l == label).unwrap_or(0);
        self.labels[i].fetch_add(1, Ordering::Relaxed);
    }

    pub fn digest_sent(&self) {
        self.digests_sent.fetch_add(1, Ordering::Relaxed);
    }

    pub fn set_index_documents(&self, n: u64) {
        self.index_documents.store(n as i64, Ordering::Relaxed);
    }

    /// Feeds waiting for or in a poll.
    pub fn add_queue(&self, delta: i64) {
        self.queue_depth.fetch_add(delta, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of everything above.
    pub fn render(&self) -> String {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut out = String::new();
        out.push_str(
            "# HELP tonlage_fetches_total Feed and page fetches by outcome.\n# TYPE tonlage_fetches_total counter\n",
        );
        for (kind, outcome, c) in [
            ("feed", "ok", &self.feed_ok),
            ("feed", "not_modified", &self.feed_not_modified),
            ("feed", "failed", &self.feed_failed),
            ("page", "ok", &self.page_ok),
            ("page", "failed", &self.page_failed),
            ("page", "refused", &self.page_refused),
        ] {
            let _ = writeln!(out, "tonlage_fetches_total{{kind=\"{kind}\",outcome=\"{outcome}\"}} {}", g(c));
        }
        out.push_str("# HELP tonlage_fetch_duration_seconds Time from request to full body.\n# TYPE tonlage_fetch_duration_seconds histogram\n");
        for (bound, b) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(out, "tonlage_fetch_duration_seconds_bucket{{le=\"{bound}\"}} {}", g(b));
        }
        let count = g(&self.latency_count);
        let _ = writeln!(out, "tonlage_fetch_duration_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "tonlage_fetch_duration_seconds_sum {}", g(&self.latency_micros) as f64 / 1e6);
        let _ = writeln!(out, "tonlage_fetch_duration_seconds_count {count}");
        out.push_str("# HELP tonlage_articles_ingested_total New articles stored.\n# TYPE tonlage_articles_ingested_total counter\n");
        let _ = writeln!(out, "tonlage_articles_ingested_total {}", g(&self.articles));
        out.push_str("# HELP tonlage_classifications_total (article, district) labels by tone.\n# TYPE tonlage_classifications_total counter\n");
        for (l, c) in Label::ALL.iter().zip(&self.labels) {
            let _ = writeln!(out, "tonlage_classifications_total{{label=\"{}\"}} {}", l.as_str(), g(c));
        }
        out.push_str(
            "# HELP tonlage_digest_sends_total Weekly digests mailed.\n# TYPE tonlage_digest_sends_total counter\n",
        );
        let _ = writeln!(out, "tonlage_digest_sends_total {}", g(&self.digests_sent));
        out.push_str(
            "# HELP tonlage_index_documents Documents in the search index.\n# TYPE tonlage_index_documents gauge\n",
        );
        let _ = writeln!(out, "tonlage_index_documents {}", self.index_documents.load(Ordering::Relaxed));
        out.push_str("# HELP tonlage_queue_depth Feeds waiting for or in a poll.\n# TYPE tonlage_queue_depth gauge\n");
        let _ = writeln!(out, "tonlage_queue_depth {}", self.queue_depth.load(Ordering::Relaxed).max(0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::new();
        m.fetch(Fetch::FeedOk);
        m.fetch(Fetch::PageFailed);
        m.latency(std::time::Duration::from_millis(300));
        m.classified(Label::Positive);
        let text = m.render();
        assert!(text.contains("tonlage_fetches_total{kind=\"feed\",outcome=\"ok\"} 1"), "{text}");
        assert!(text.contains("tonlage_fetches_total{kind=\"page\",outcome=\"failed\"} 1"));
        assert!(text.contains("tonlage_fetch_duration_seconds_bucket{le=\"0.25\"} 0"));
        assert!(text.contains("tonlage_fetch_duration_seconds_bucket{le=\"0.5\"} 1"));
        assert!(text.contains("tonlage_fetch_duration_seconds_count 1"));
        assert!(text.contains("tonlage_classifications_total{label=\"positive\"} 1"));
    }
}
