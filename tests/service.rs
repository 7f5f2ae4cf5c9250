//! The long-running parts from outside: `run` polls and serves health endpoints until SIGTERM,
//! `reindex` rebuilds the index from the store, and a lost index heals at start-up.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{feed_toml, free_port, http_get, wait_timeout, App, Fixture, Resp};

fn rss(f: &Fixture, n: usize) -> String {
    let items: String = (0..n)
        .map(|i| {
            format!(
                "<item><title>Nyhet {i} om Araby</title><link>{}/a/{i}</link><guid>g{i}</guid><description>Text nummer {i} om skolan i Araby.</description></item>",
                f.url("")
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>{}</link><description>d</description>{items}</channel></rss>", f.url("/"))
}

#[test]
fn run_polls_serves_health_and_stops_cleanly_on_sigterm() {
    let f = Fixture::start();
    f.route("/rss.xml", Resp::ok("application/rss+xml", rss(&f, 3)));
    let app = App::new(&feed_toml("rss", &f.url("/rss.xml"), "full_text = false"));
    let port = free_port();
    let metrics_port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tonlage"))
        .arg("--config")
        .arg(app.config())
        .arg("--data")
        .arg(app.data())
        .arg("run")
        .env("TONLAGE_WEB_LISTEN", format!("127.0.0.1:{port}"))
        .env("TONLAGE_METRICS_LISTEN", format!("127.0.0.1:{metrics_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut ready = false;
    while Instant::now() < deadline {
        if let Some((200, _)) = http_get(port, "/readyz") {
            if f.hits("/rss.xml") > 0 {
                ready = true;
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(ready, "service never became ready and polled");
    assert_eq!(http_get(port, "/healthz").map(|r| r.0), Some(200));
    // Wait until the first pass has been committed to the index, then stop.
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.search(&["*"])["total"] != 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, metrics) = http_get(metrics_port, "/metrics").expect("metrics listener answers");
    assert_eq!(status, 200);
    assert!(metrics.contains("tonlage_fetches_total{kind=\"feed\",outcome=\"ok\"} 1"), "{metrics}");
    assert!(metrics.contains("tonlage_articles_ingested_total 3"), "{metrics}");
    assert!(metrics.contains("# TYPE tonlage_fetch_duration_seconds histogram"), "{metrics}");
    assert_eq!(http_get(port, "/metrics").map(|r| r.0), Some(404), "metrics stay off the app listener");
    common::sigterm(&child);
    let status = wait_timeout(&mut child, Duration::from_secs(20)).expect("exits after SIGTERM");
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success(), "exit {status:?}: {err}");
    assert!(err.contains("stopped cleanly"), "{err}");
    assert_eq!(app.search(&["*"])["total"], 3);
    // The index lock is released: a writing command works right after.
    app.ok(&["fetch"]);
}

#[test]
fn reindex_rebuilds_and_a_lost_index_heals_at_start_up() {
    let f = Fixture::start();
    f.route("/rss.xml", Resp::ok("application/rss+xml", rss(&f, 25)));
    let app = App::new(&feed_toml("rss", &f.url("/rss.xml"), "full_text = false"));
    app.ok(&["fetch"]);
    assert_eq!(app.search(&["skolan"])["total"], 25);

    let out = app.ok(&["reindex"]);
    assert!(out.contains("Indexerade 25 artiklar"), "{out}");
    assert_eq!(app.search(&["skolan"])["total"], 25);

    // Simulate a crash that lost the index: the next writing command rebuilds it from the store.
    std::fs::remove_dir_all(app.data().join("search")).unwrap();
    let out = app.ok(&["fetch"]);
    assert!(out.contains("Nya artiklar: 0"), "{out}");
    assert_eq!(app.search(&["skolan"])["total"], 25);
}

#[test]
fn extract_shows_what_the_extractor_makes_of_a_page() {
    let app = App::new("");
    let page = "<html><head><title>Rubrik</title><meta property=\"article:published_time\" content=\"2026-11-20T08:00:00+01:00\"></head>\
        <body><nav><a href=\"/\">Hem</a></nav><div class=\"story\"><p>Första stycket i artikeln om Araby och dess nya mötesplats, med många ord i.</p>\
        <p>Andra stycket fortsätter berättelsen om hur mötesplatsen kom till och vad den ska användas till.</p></div></body></html>";
    let out = common::run_with(
        &app.config(),
        &app.data(),
        &["extract", "--json", "--selector", "div.story"],
        Some(page.as_bytes()),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["text"].as_str().unwrap().starts_with("Första stycket"), "{v}");
    assert!(!v["text"].as_str().unwrap().contains("Hem"), "{v}");
    assert_eq!(v["method"], "selector");
    let bad = common::run_with(&app.config(), &app.data(), &["extract", "--selector", "div[["], Some(page.as_bytes()));
    assert_eq!(bad.status.code(), Some(2));
}

fn slow_site(f: &Fixture, n: usize, delay: Duration) {
    f.route("/rss.xml", Resp::ok("application/rss+xml", rss(f, n)));
    for i in 0..n {
        let page = format!(
            "<html><body><article><h1>Nyhet {i}</h1><p>Artikel nummer {i} handlar om hur skolan i Araby arbetar med läsning, och texten är lång nog att räknas som en riktig artikel av extraktorn i tonlage.</p></article></body></html>"
        );
        f.route(&format!("/a/{i}"), Resp::ok("text/html; charset=utf-8", page).with_delay(delay));
    }
}

#[test]
fn a_restored_backup_answers_the_same_searches() {
    let f = Fixture::start();
    slow_site(&f, 12, Duration::ZERO);
    let app = App::new(&feed_toml("rss", &f.url("/rss.xml"), ""));
    app.ok(&["fetch"]);
    let dest = app.dir.path().join("backup");
    let out = app.ok(&["backup", dest.to_str().unwrap()]);
    assert!(out.contains("12 artiklar"), "{out}");
    assert!(dest.join("feeds.toml").exists() && dest.join("manifest.json").exists());

    let fresh = App::new("");
    std::fs::remove_file(fresh.config()).unwrap();
    let out = fresh.ok(&["restore", dest.to_str().unwrap()]);
    assert!(out.contains("Återställde 12 artiklar"), "{out}");
    assert!(fresh.config().exists(), "the backed-up config is restored where none was");
    for q in
        [&["skolan"][..], &["*", "--district", "araby"], &["läsning", "--source", "rss"], &["*", "--tone", "neutral"]]
    {
        // Equal scores may tie in another order after a rebuild; the answers are the same hits.
        let sorted = |v: serde_json::Value| {
            let mut hits = v["hits"].as_array().unwrap().clone();
            hits.sort_by_key(|h| h["id"].as_str().unwrap().to_string());
            (v["total"].clone(), hits)
        };
        let (a, b) = (sorted(app.search(q)), sorted(fresh.search(q)));
        assert!(a.0.as_u64().unwrap() > 0, "query {q:?} finds something");
        assert!(a == b, "query {q:?} differs after restore");
    }
    // Restoring over an archive keeps the old store beside it.
    let again = fresh.ok(&["restore", dest.to_str().unwrap()]);
    assert!(again.contains("before-restore"), "{again}");
}

#[test]
fn a_backup_taken_during_a_fetch_restores_without_loss() {
    let f = Fixture::start();
    slow_site(&f, 30, Duration::from_millis(60));
    let app = App::new(&feed_toml("rss", &f.url("/rss.xml"), ""));
    let mut fetch = Command::new(env!("CARGO_BIN_EXE_tonlage"))
        .arg("--config")
        .arg(app.config())
        .arg("--data")
        .arg(app.data())
        .arg("fetch")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let dest = app.dir.path().join("backup");
    // Wait until the store exists and has some articles, then copy it while the fetch goes on.
    let deadline = Instant::now() + Duration::from_secs(20);
    while f.hits("/a/5") == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    app.ok(&["backup", dest.to_str().unwrap()]);
    let status = wait_timeout(&mut fetch, Duration::from_secs(60)).expect("fetch finishes");
    assert!(status.success());
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dest.join("manifest.json")).unwrap()).unwrap();
    let in_backup = manifest["articles"].as_u64().unwrap();
    assert!(in_backup > 0 && in_backup < 30, "the copy is a moment during the fetch: {in_backup}");

    let restored = App::new("");
    restored.ok(&["restore", dest.to_str().unwrap()]);
    let all = restored.search(&["*", "--with-text", "--limit", "100"]);
    assert_eq!(all["total"].as_u64(), Some(in_backup), "every article in the copy is searchable");
    for hit in all["hits"].as_array().unwrap() {
        assert!(hit["text"].as_str().unwrap().contains("skolan i Araby"), "complete article: {hit}");
    }
    // The restored archive goes on: the next fetch brings the rest, no article lost or doubled.
    std::fs::copy(app.config(), restored.config()).unwrap();
    restored.ok(&["fetch"]);
    assert_eq!(restored.search(&["*"])["total"], 30);
}
