//! Weekly figures and the digest from outside: feeds served from 127.0.0.1, the real binary
//! fetching them, then `stats --json` and `digest` checked — a wire story carried by three outlets
//! is one story, feed text is escaped in the HTML, and a finished week's digest is kept as built.

mod common;

use common::{feed_toml, App, Fixture, Resp};

pub const WIRE: &str = "En man i 20-årsåldern skadades allvarligt när flera skott avlossades i Araby i Växjö \
    sent på tisdagskvällen. Polisen spärrade av ett större område och en tekniker undersökte platsen under natten. \
    Ingen var gripen på onsdagsmorgonen, uppger polisens presstjänst. Mannen fördes till sjukhus och hans \
    tillstånd beskrivs som stabilt. Polisen utreder skottlossningen som försök till mord.";

pub const LIBRARY: &str = "Det nya biblioteket i Araby slog upp dörrarna på lördagen och hundratals besökare kom \
    redan under den första timmen. Biblioteket har läxhjälp fyra dagar i veckan, ett språkcafé och en stor \
    avdelning med böcker på arabiska, somaliska och dari. Vi har väntat länge på en mötesplats som den här, \
    säger en av de boende som var på plats vid invigningen.";

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// An RSS feed of (title, path, date, text) items.
pub fn rss(f: &Fixture, items: &[(&str, &str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(title, path, date, text)| {
            format!(
                "<item><title>{}</title><link>{}</link><guid>{}</guid><pubDate>{date}</pubDate><description>{}</description></item>",
                xml(title),
                f.url(path),
                f.url(path),
                xml(text)
            )
        })
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>t</title><link>{}</link><description>d</description>{items}</channel></rss>", f.url("/"))
}

/// Three outlets carrying the same TT story (own headlines, one trims the end), one of them also
/// a story of its own, all in ISO week 2026-W10 (2–8 March).
pub fn wire_feeds(f: &Fixture, script_text: bool) -> String {
    let trimmed = WIRE.rsplit_once("Polisen utreder").unwrap().0;
    // Titles are cleaned of markup at ingest; text is not: escaped in the feed's HTML, a `<script>`
    // reaches the store as literal text. (The renderer's escaping of titles is a unit test in html.rs.)
    let smp_text = if script_text {
        WIRE.replacen("skadades", "&lt;script&gt;alert('x')&lt;/script&gt; skadades", 1)
    } else {
        WIRE.to_string()
    };
    f.route(
        "/smp.xml",
        Resp::ok(
            "application/rss+xml",
            rss(
                f,
                &[
                    ("Man skjuten i Araby", "/smp/1", "Tue, 03 Mar 2026 22:40:00 +0100", &smp_text),
                    ("Nytt bibliotek öppnar i Araby", "/smp/2", "Sat, 07 Mar 2026 10:00:00 +0100", LIBRARY),
                ],
            ),
        ),
    );
    f.route(
        "/svt.xml",
        Resp::ok(
            "application/rss+xml",
            rss(
                f,
                &[(
                    "Skottlossning i Växjö – man svårt skadad",
                    "/svt/1",
                    "Tue, 03 Mar 2026 23:05:00 +0100",
                    &format!("(TT) {WIRE}"),
                )],
            ),
        ),
    );
    f.route(
        "/sma.xml",
        Resp::ok(
            "application/rss+xml",
            rss(
                f,
                &[(
                    "Man skadad av skott i Araby",
                    "/sma/1",
                    "Wed, 04 Mar 2026 06:15:00 +0100",
                    &format!("{trimmed} Uppdateras."),
                )],
            ),
        ),
    );
    [("smp", "/smp.xml"), ("svt", "/svt.xml"), ("smalanningen", "/sma.xml")]
        .iter()
        .map(|(id, path)| feed_toml(id, &f.url(path), "full_text = false"))
        .collect()
}

fn stats(app: &App, district: &str) -> serde_json::Value {
    let out = app.ok(&["stats", "--district", district, "--from", "2026-03-02", "--to", "2026-03-08", "--json"]);
    serde_json::from_str(&out).unwrap()
}

#[test]
fn a_wire_story_in_three_feeds_counts_as_one_story() {
    let f = Fixture::start();
    let app = App::new(&wire_feeds(&f, false));
    app.ok(&["fetch"]);
    assert_eq!(app.search(&["*"])["total"], 4, "four articles stored");
    let v = stats(&app, "araby");
    assert_eq!(v["district"], "araby");
    let b = &v["buckets"].as_array().unwrap()[..];
    assert_eq!(b.len(), 1, "{v}");
    assert_eq!(b[0]["week"], "2026-W10");
    assert_eq!(b[0]["articles"], 4, "{v}");
    assert_eq!(b[0]["stories"], 2, "the wire story is one story: {v}");
    assert_eq!(b[0]["labels"]["stigmatizing"], 1, "{v}");
    assert_eq!(b[0]["labels"]["positive"], 1, "{v}");
    assert_eq!(b[0]["article_labels"]["stigmatizing"], 3, "{v}");
    assert_eq!(b[0]["stigma_share"], 0.5);
    assert_eq!(b[0]["all_articles"], 4);
    assert_eq!(b[0]["all_stories"], 2);
    let sources: Vec<&str> = b[0]["sources"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(sources.len(), 3, "{v}");

    // Relabelling and reindexing keep the stories.
    app.ok(&["reclassify"]);
    app.ok(&["reindex"]);
    let v = stats(&app, "araby");
    assert_eq!(v["buckets"][0]["stories"], 2, "{v}");
    assert_eq!(v["buckets"][0]["articles"], 4, "{v}");

    // Human output is a Swedish table.
    let table = app.ok(&["stats", "--district", "araby", "--from", "2026-03-02", "--to", "2026-03-08"]);
    assert!(table.contains("Vecka") && table.contains("Nyheter") && table.contains("2026-W10"), "{table}");
}

#[test]
fn stats_rejects_an_unknown_district_and_bad_dates() {
    let f = Fixture::start();
    let app = App::new(&wire_feeds(&f, false));
    let out = app.run(&["stats", "--district", "rosengard", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rosengard"));
    let out = app.run(&["stats", "--district", "araby", "--from", "2026-13-01"]);
    assert_eq!(out.status.code(), Some(2));
    let out = app.run(&["digest", "--week", "2026-W99"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn digest_escapes_feed_text_and_keeps_a_finished_week_as_built() {
    let f = Fixture::start();
    let app = App::new(&wire_feeds(&f, true));
    app.ok(&["fetch"]);
    let html = app.ok(&["digest", "--week", "2026-W10", "--format", "html"]);
    assert!(!html.contains("<script"), "a <script> from a feed must stay text:\n{html}");
    assert!(html.contains("Nytt bibliotek öppnar i Araby"), "positive story listed");
    assert!(html.contains("Tonläge vecka 10, 2026"), "Swedish by default");
    let md = app.ok(&["digest", "--week", "2026-W10", "--format", "md"]);
    assert!(!md.contains("<script"), "{md}");

    let v: serde_json::Value =
        serde_json::from_str(&app.ok(&["digest", "--week", "2026-W10", "--format", "json"])).unwrap();
    assert_eq!(v["week"], "2026-W10");
    let araby = v["districts"].as_array().unwrap().iter().find(|d| d["id"] == "araby").unwrap();
    assert_eq!(araby["articles"], 4);
    assert_eq!(araby["stories"], 2);
    assert_eq!(araby["labels"]["stigmatizing"], 1);
    assert_eq!(araby["top_stigmatizing"].as_array().unwrap().len(), 1);
    let top = &araby["top_stigmatizing"][0];
    assert_eq!(top["title"], "Man skjuten i Araby");
    assert!(top["url"].as_str().unwrap().ends_with("/smp/1"), "{top}");
    assert_eq!(top["articles"], 3);
    assert!(top["evidence"].as_str().is_some_and(|e| !e.is_empty()), "{top}");
    assert_eq!(araby["top_positive"][0]["title"], "Nytt bibliotek öppnar i Araby");
    assert!(araby["baseline_stigma_share"].is_number() && araby["spike"].is_boolean());
    let dalbo = v["districts"].as_array().unwrap().iter().find(|d| d["id"] == "dalbo").unwrap();
    assert_eq!(dalbo["articles"], 0);

    // A new article in that week arrives later: the stored digest still reads the same…
    f.route(
        "/smp.xml",
        Resp::ok(
            "application/rss+xml",
            rss(
                &f,
                &[(
                    "Dalbo får ny fritidsgård",
                    "/smp/3",
                    "Thu, 05 Mar 2026 12:00:00 +0100",
                    &LIBRARY.replace("Araby", "Dalbo"),
                )],
            ),
        ),
    );
    app.ok(&["fetch"]);
    let again = app.run(&["digest", "--week", "2026-W10", "--format", "json"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("arkivet"));
    let v2: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v2, v, "a stored digest reads the same");
    // …until it is rebuilt on purpose.
    let v3: serde_json::Value =
        serde_json::from_str(&app.ok(&["digest", "--week", "2026-W10", "--format", "json", "--rebuild"])).unwrap();
    let dalbo = v3["districts"].as_array().unwrap().iter().find(|d| d["id"] == "dalbo").unwrap();
    assert_eq!(dalbo["articles"], 1, "{v3}");
}

#[test]
fn a_quiet_week_says_so_and_english_is_available() {
    let f = Fixture::start();
    let app = App::new(&format!("{}\n[digest]\nlanguage = \"en\"\n", wire_feeds(&f, false)));
    app.ok(&["fetch"]);
    let md = app.ok(&["digest", "--week", "2026-W20", "--format", "md"]);
    assert!(md.contains("A quiet week"), "{md}");
    let v: serde_json::Value =
        serde_json::from_str(&app.ok(&["digest", "--week", "2026-W20", "--format", "json"])).unwrap();
    assert_eq!(v["quiet"], true);
    let html = app.ok(&["digest", "--week", "2026-W10", "--format", "html"]);
    assert!(html.contains("Tone report week 10, 2026") && html.contains("Most stigmatizing"), "{html}");
}

/// An article whose page failed first is clustered again when the page arrives: the feed's
/// teaser was too short to tell, the page shows the same wire story.
#[test]
fn a_page_that_arrives_later_joins_its_story() {
    let f = Fixture::start();
    let page = |title: &str| {
        format!(
            "<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{}</p></article></body></html>",
            WIRE
        )
    };
    f.route("/a/1", Resp::ok("text/html; charset=utf-8", page("Man skjuten i Araby")));
    f.route("/b/1", Resp::status(503));
    let feeds = |extra: &[(&str, &str, &str, &str)]| {
        f.route(
            "/a.xml",
            Resp::ok(
                "application/rss+xml",
                rss(&f, &[("Man skjuten i Araby", "/a/1", "Tue, 03 Mar 2026 22:40:00 +0100", "Skott i Araby.")]),
            ),
        );
        let mut items =
            vec![("Skottlossning i Araby", "/b/1", "Tue, 03 Mar 2026 23:05:00 +0100", "Skott i Araby i natt.")];
        items.extend_from_slice(extra);
        f.route("/b.xml", Resp::ok("application/rss+xml", rss(&f, &items)));
    };
    feeds(&[]);
    let app = App::new(&[("a", "/a.xml"), ("b", "/b.xml")].map(|(id, p)| feed_toml(id, &f.url(p), "")).concat());
    app.ok(&["fetch"]);
    let b = &stats(&app, "araby")["buckets"][0];
    assert_eq!((b["articles"].as_u64(), b["stories"].as_u64()), (Some(2), Some(2)), "teaser alone: two stories");

    // The page answers now; the feed has a new item, so it is read again and the failed page retried.
    f.route("/b/1", Resp::ok("text/html; charset=utf-8", page("Skottlossning i Araby")));
    feeds(&[("Nytt bibliotek i Araby", "/b/2", "Sat, 07 Mar 2026 10:00:00 +0100", LIBRARY)]);
    f.route(
        "/b/2",
        Resp::ok("text/html; charset=utf-8", format!("<html><body><article><p>{LIBRARY}</p></article></body></html>")),
    );
    app.ok(&["fetch"]);
    let b = &stats(&app, "araby")["buckets"][0];
    assert_eq!(b["articles"], 3, "{b}");
    assert_eq!(b["stories"], 2, "the retried page joined the wire story: {b}");
}
