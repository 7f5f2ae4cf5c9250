//! Progress of long work: a bar with rate and time left on a terminal, periodic log lines otherwise.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    what: &'static str,
    total: u64,
    state: Mutex<(u64, Instant)>,
    started: Instant,
}

impl Progress {
    /// `total` of 0 means unknown.
    pub fn new(what: &'static str, total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({per_sec}, {eta} kvar)")
                    .expect("static template")
                    .progress_chars("=> "),
            );
            bar.set_message(what);
            bar
        });
        Progress { bar, what, total, state: Mutex::new((0, Instant::now())), started: Instant::now() }
    }

    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
            return;
        }
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.0 += n;
        if st.1.elapsed() >= Duration::from_secs(10) {
            st.1 = Instant::now();
            let rate = st.0 as f64 / self.started.elapsed().as_secs_f64().max(0.001);
            tracing::info!(
                task = self.what,
                done = st.0,
                total = self.total,
                rate = format!("{rate:.1}/s"),
                "progress"
            );
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
