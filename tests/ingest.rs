//! Ingest end to end: feeds and pages served from 127.0.0.1, the real binary fetching them, and
//! the archive checked through `tonlage search --json` and `tonlage check`.

mod common;

use std::time::Duration;

use common::{feed_toml, fixture, titles, App, Fixture, Resp};

fn templated(f: &Fixture, name: &str) -> Vec<u8> {
    let base = f.url("");
    let raw = fixture(name);
    // Byte-level replace keeps non-UTF-8 fixtures (the Latin-1 one) intact.
    let needle = b"{{BASE}}";
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i..].starts_with(needle) {
            out.extend_from_slice(base.as_bytes());
            i += needle.len();
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    out
}

fn article_page(title: &str, paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    String::from_utf8(fixture("article-template.html"))
        .unwrap()
        .replace("{{TITLE}}", title)
        .replace("{{BODY}}", &body)
        .into_bytes()
}

const BIBLIOTEK: &[&str] = &[
    "Det nya biblioteket i Araby slog upp dörrarna på lördagen och hundratals besökare kom redan under den första timmen.",
    "Biblioteket har läxhjälp fyra dagar i veckan, en språkcafé-verksamhet och en stor avdelning med böcker på arabiska, somaliska och dari.",
    "– Vi har väntat länge på en mötesplats som den här, säger en av de boende som var på plats vid invigningen.",
];

const SKJUTNING: &[&str] = &[
    "Skjutningarna i Dalbo under den gångna veckan har gjort många boende oroliga, enligt kommunens trygghetsvandrare.",
    "Polisen har förstärkt närvaron i området och uppmanar alla som sett något att höra av sig.",
    "Ingen har ännu gripits för någon av händelserna, som polisen utreder som försök till mord.",
];

fn serve_articles(f: &Fixture) {
    f.route(
        "/a/bibliotek",
        Resp::ok("text/html; charset=utf-8", article_page("Nytt bibliotek öppnar i Araby", BIBLIOTEK)),
    );
    f.route(
        "/a/skjutning",
        Resp::ok("text/html; charset=utf-8", article_page("Boende i Dalbo oroliga efter skjutningarna", SKJUTNING)),
    );
}

#[test]
fn rss_atom_json_feed_and_broken_encodings_become_articles() {
    let f = Fixture::start();
    serve_articles(&f);
    f.route("/rss.xml", Resp::ok("application/rss+xml; charset=utf-8", templated(&f, "rss2.xml")));
    f.route("/atom.xml", Resp::ok("application/atom+xml", templated(&f, "atom.xml")));
    f.route("/feed.json", Resp::ok("application/feed+json", templated(&f, "feed.json")));
    // Latin-1 bytes sent under a UTF-8 prolog and a UTF-8 header: both lie.
    f.route("/latin.xml", Resp::ok("application/rss+xml; charset=utf-8", templated(&f, "latin1-misdeclared.xml")));
    f.route("/entities.xml", Resp::ok("text/xml", templated(&f, "entities.xml")));
    let feeds = [
        feed_toml("rss", &f.url("/rss.xml"), ""),
        feed_toml("atom", &f.url("/atom.xml"), "full_text = false"),
        feed_toml("json", &f.url("/feed.json"), "full_text = false"),
        feed_toml("latin", &f.url("/latin.xml"), "full_text = false"),
        feed_toml("entities", &f.url("/entities.xml"), "full_text = false"),
    ]
    .concat();
    let app = App::new(&feeds);
    let out = app.ok(&["fetch"]);
    assert!(out.contains("5 ok"), "{out}");
    assert!(out.contains("Nya artiklar: 6"), "{out}");

    let all = app.search(&["*", "--limit", "50"]);
    assert_eq!(all["total"], 6);
    let t = titles(&all);
    for want in [
        "Nytt bibliotek öppnar i Araby",
        "Föreningar & skolor samarbetar i Araby",
        "Ny fritidsgård i Dalbo invigd",
        "Räddningstjänsten släckte brand i förråd på Dalbo",
        "Frågor & svar: säkerheten i Araby",
    ] {
        assert!(t.iter().any(|x| x == want), "missing {want:?} in {t:?}");
    }

    // Swedish weekday and month names with a numeric zone; CET and CEST abbreviations.
    let by_title = |title: &str| {
        all["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["title"] == title)
            .unwrap_or_else(|| panic!("{title}"))
            .clone()
    };
    assert_eq!(by_title("Nytt bibliotek öppnar i Araby")["published"], "2026-11-18T07:30:00+01:00");
    assert_eq!(by_title("Boende i Dalbo oroliga efter skjutningarna")["published"], "2026-11-17T21:10:00+01:00");
    assert_eq!(by_title("Räddningstjänsten släckte brand i förråd på Dalbo")["published"], "2026-11-16T11:00:00+01:00");

    // A relative Atom link is resolved against the feed's address.
    let atom = by_title("Föreningar & skolor samarbetar i Araby");
    assert_eq!(atom["url"], f.url("/a/atom-1"));
    assert_eq!(atom["source"], "atom");

    // The fallback text of a feed without full text is the feed's own content, decoded.
    let latin = app.search(&["förråd", "--with-text"]);
    assert_eq!(latin["total"], 1);
    assert!(latin["hits"][0]["text"].as_str().unwrap().contains("Ingen skadades när ett förråd brann"));
}

#[test]
fn a_second_fetch_adds_nothing_and_a_shared_story_is_one_article() {
    let f = Fixture::start();
    serve_articles(&f);
    let rss = templated(&f, "rss2.xml");
    f.route("/one.xml", Resp::ok("application/rss+xml", rss.clone()));
    // The same items under another feed, with other tracking parameters and a www-less twin host.
    let other =
        String::from_utf8(rss).unwrap().replace("utm_source=rss", "utm_source=partner").replace("rss-1", "partner-1");
    f.route("/two.xml", Resp::ok("application/rss+xml", other));
    let app = App::new(&[feed_toml("one", &f.url("/one.xml"), ""), feed_toml("two", &f.url("/two.xml"), "")].concat());

    let first = app.ok(&["fetch"]);
    assert!(first.contains("Nya artiklar: 2"), "{first}");
    assert!(first.contains("dubbletter: 2"), "{first}");
    let all = app.search(&["*"]);
    assert_eq!(all["total"], 2, "{all}");
    let sources = all["hits"][0]["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2, "one article, two appearances: {all}");
    assert_eq!(f.hits("/a/bibliotek"), 1, "the page is fetched once");

    let second = app.ok(&["fetch"]);
    assert!(second.contains("Nya artiklar: 0"), "{second}");
    assert_eq!(app.search(&["*"])["total"], 2);
    assert_eq!(f.hits("/a/bibliotek"), 1, "no page is fetched again");
}

#[test]
fn conditional_get_and_unchanged_bodies_skip_work() {
    let f = Fixture::start();
    serve_articles(&f);
    f.route("/etag.xml", Resp::ok("application/rss+xml", templated(&f, "rss2.xml")).with_etag("\"v1\""));
    // This server ignores validators but sends the same bytes: the body hash catches it.
    f.route("/liar.xml", Resp::ok("application/rss+xml", templated(&f, "entities.xml")));
    let app = App::new(
        &[feed_toml("etag", &f.url("/etag.xml"), ""), feed_toml("liar", &f.url("/liar.xml"), "full_text = false")]
            .concat(),
    );
    app.ok(&["fetch"]);
    let second = app.ok(&["fetch"]);
    assert_eq!(f.not_modified("/etag.xml"), 1, "If-None-Match was sent and answered 304");
    assert!(second.contains("0 ok, 2 oförändrade"), "{second}");
}

#[test]
fn failing_feeds_are_recorded_with_backoff_and_never_stop_the_others() {
    let f = Fixture::start();
    serve_articles(&f);
    f.route("/good.xml", Resp::ok("application/rss+xml", templated(&f, "rss2.xml")));
    f.route("/500.xml", Resp::status(500));
    f.route("/503.xml", Resp::status(503).with_header("retry-after", "7200"));
    f.route("/slow.xml", Resp::ok("application/rss+xml", templated(&f, "rss2.xml")).with_delay(Duration::from_secs(5)));
    f.route("/huge.xml", Resp::ok("application/rss+xml", vec![b' '; 400_000]));
    f.route("/page.xml", Resp::ok("text/html", "<!DOCTYPE html><html><body><h1>Välkommen</h1></body></html>"));
    let feeds = [
        feed_toml("good", &f.url("/good.xml"), ""),
        feed_toml("err500", &f.url("/500.xml"), ""),
        feed_toml("err503", &f.url("/503.xml"), ""),
        feed_toml("slow", &f.url("/slow.xml"), ""),
        feed_toml("huge", &f.url("/huge.xml"), ""),
        feed_toml("html", &f.url("/page.xml"), ""),
        // Nothing listens on port 9: connection refused, as with no internet.
        feed_toml("offline", "http://127.0.0.1:9/rss.xml", ""),
    ]
    .concat();
    let app = App::new(&feeds);
    let out = app.ok(&["fetch"]);
    assert!(out.contains("1 ok"), "{out}");
    assert!(out.contains("6 misslyckades"), "{out}");
    assert!(out.contains("Nya artiklar: 2"), "{out}");
    for (id, needle) in [
        ("err500", "HTTP 500"),
        ("err503", "HTTP 503"),
        ("slow", "timed out"),
        ("huge", "larger than"),
        ("html", "HTML page"),
        ("offline", "cannot fetch"),
    ] {
        let line =
            out.lines().find(|l| l.contains(&format!("{id}:"))).unwrap_or_else(|| panic!("no line for {id} in {out}"));
        assert!(line.contains(needle), "{id}: {line}");
    }

    let check = app.ok(&["check"]);
    let section = |id: &str| check.split(&format!("[{id}]")).nth(1).unwrap().split("\n\n").next().unwrap().to_string();
    assert!(section("err500").contains("misslyckanden i rad: 1"), "{check}");
    assert!(section("err500").contains("senaste fel: HTTP 500"), "{check}");
    assert!(section("good").contains("misslyckanden i rad: 0"), "{check}");

    // A second failure doubles the wait; Retry-After (2 h) beats the 30-minute interval.
    app.ok(&["fetch"]);
    let check = app.ok(&["check"]);
    let section500 = check.split("[err500]").nth(1).unwrap().to_string();
    assert!(section500.contains("misslyckanden i rad: 2"), "{check}");
    let due = |s: &str| {
        let line = s.lines().find(|l| l.contains("nästa:")).unwrap().to_string();
        chrono::NaiveDateTime::parse_from_str(line.split("nästa: ").nth(1).unwrap().trim(), "%Y-%m-%d %H:%M").unwrap()
    };
    let last = |s: &str| {
        let line = s.lines().find(|l| l.contains("senaste försök:")).unwrap().to_string();
        let v = line.split("senaste försök: ").nth(1).unwrap().split(',').next().unwrap().trim().to_string();
        chrono::NaiveDateTime::parse_from_str(&v, "%Y-%m-%d %H:%M").unwrap()
    };
    let wait500 = due(&section500) - last(&section500);
    assert!(wait500 >= chrono::Duration::minutes(59) && wait500 <= chrono::Duration::minutes(61), "{wait500:?}");
    let section503 = check.split("[err503]").nth(1).unwrap().to_string();
    let wait503 = due(&section503) - last(&section503);
    assert!(wait503 >= chrono::Duration::minutes(119), "{wait503:?}");
}

#[test]
fn a_truncated_feed_keeps_its_complete_items() {
    let f = Fixture::start();
    f.route("/cut.xml", Resp::ok("application/rss+xml", templated(&f, "truncated.xml")));
    let app = App::new(&feed_toml("cut", &f.url("/cut.xml"), "full_text = false"));
    let out = app.ok(&["fetch"]);
    assert!(out.contains("Nya artiklar: 2"), "{out}");
    let check = app.ok(&["check"]);
    assert!(check.contains("varning: feed is truncated"), "{check}");
}

#[test]
fn swedish_stemming_finds_inflected_forms() {
    let f = Fixture::start();
    serve_articles(&f);
    f.route("/rss.xml", Resp::ok("application/rss+xml", templated(&f, "rss2.xml")));
    let app = App::new(&feed_toml("rss", &f.url("/rss.xml"), ""));
    app.ok(&["fetch"]);
    let hits = app.search(&["skjutning"]);
    assert_eq!(titles(&hits), vec!["Boende i Dalbo oroliga efter skjutningarna"]);
    let snippet = hits["hits"][0]["snippet_html"].as_str().unwrap();
    assert!(snippet.contains("<b>Skjutningarna</b>") || snippet.contains("<b>skjutningarna</b>"), "{snippet}");
    // Stray quotes and colons are repaired, never an error.
    assert_eq!(app.search(&["\"bibliotek"])["total"], 1);
    assert_eq!(app.search(&["Araby: bibliotek"])["total"], 1);
    // Filters: district and date range (inclusive days, Stockholm time).
    assert_eq!(titles(&app.search(&["*", "--district", "araby"])), vec!["Nytt bibliotek öppnar i Araby"]);
    assert_eq!(app.search(&["*", "--from", "2026-11-18", "--to", "2026-11-18"])["total"], 1);
    assert_eq!(app.search(&["*", "--source", "rss"])["total"], 2);
    assert_eq!(app.search(&["*", "--source", "nope"])["total"], 0);
    // Labels are stored at ingest and filter the search, per district.
    let stig = app.search(&["*", "--district", "dalbo", "--tone", "stigmatizing"]);
    assert_eq!(titles(&stig), vec!["Boende i Dalbo oroliga efter skjutningarna"], "{stig}");
    let d = &stig["hits"][0]["districts"][0];
    assert_eq!((d["id"].as_str(), d["label"].as_str()), (Some("dalbo"), Some("stigmatizing")));
    assert_eq!(app.search(&["*", "--district", "araby", "--tone", "positive"])["total"], 1);
    assert_eq!(app.search(&["*", "--tone", "neutral"])["total"], 0);
}

#[test]
fn boilerplate_is_stripped_from_article_pages() {
    let f = Fixture::start();
    serve_articles(&f);
    f.route("/rss.xml", Resp::ok("application/rss+xml", templated(&f, "rss2.xml")));
    let app = App::new(&feed_toml("rss", &f.url("/rss.xml"), ""));
    app.ok(&["fetch"]);
    let hit = app.search(&["bibliotek", "--with-text"]);
    let text = hit["hits"][0]["text"].as_str().unwrap();
    assert!(text.contains("läxhjälp fyra dagar i veckan"), "{text}");
    for junk in ["Godkänn cookies", "Trafikolycka på riksväg", "Sven skriver", "Ansvarig utgivare", "Sport"] {
        assert!(!text.contains(junk), "boilerplate {junk:?} left in: {text}");
    }
}

#[test]
fn links_into_private_networks_are_not_followed() {
    let f = Fixture::start();
    let rss = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><link>{base}/</link><description>x</description>
<item><title>Lockande länk om Araby</title><link>http://10.1.2.3/admin</link><guid>p1</guid><description>Texten från flödet.</description></item>
<item><title>Skript i länken om Dalbo</title><link>javascript:alert(1)</link><guid>p2</guid><description>Mer text.</description></item>
</channel></rss>"#,
        base = f.url("")
    );
    f.route("/rss.xml", Resp::ok("application/rss+xml", rss));
    let app = App::new(&feed_toml("rss", &f.url("/rss.xml"), ""));
    let out = app.ok(&["fetch"]);
    assert!(out.contains("Nya artiklar: 2"), "kept with the feed's text: {out}");
    let hit = app.search(&["Lockande", "--with-text"]);
    assert_eq!(hit["hits"][0]["text"], "Texten från flödet.");
}

/// One outlet's mobile link and another feed's canonical link to the same article are one article
/// when the page names its own address; pages that all name the home page stay apart.
#[test]
fn a_page_naming_its_own_address_merges_variant_links() {
    let f = Fixture::start();
    let with_canonical = |href: &str, title: &str, paras: &[&str]| {
        let page = String::from_utf8(article_page(title, paras)).unwrap();
        page.replacen("<head>", &format!("<head><link rel=\"canonical\" href=\"{href}\">"), 1).into_bytes()
    };
    let own = f.url("/nyheter/55501-nytt-bibliotek");
    f.route(
        "/mobil/55501",
        Resp::ok("text/html; charset=utf-8", with_canonical(&own, "Nytt bibliotek i Araby", BIBLIOTEK)),
    );
    f.route(
        "/nyheter/55501-nytt-bibliotek",
        Resp::ok("text/html; charset=utf-8", with_canonical(&own, "Nytt bibliotek i Araby", BIBLIOTEK)),
    );
    // A site that names its home page as every page's canonical address.
    let home = f.url("/");
    f.route(
        "/nyheter/1",
        Resp::ok("text/html; charset=utf-8", with_canonical(&home, "Nytt bibliotek i Araby", BIBLIOTEK)),
    );
    f.route(
        "/nyheter/2",
        Resp::ok("text/html; charset=utf-8", with_canonical(&home, "Oro i Dalbo efter skjutningarna", SKJUTNING)),
    );
    let item = |title: &str, path: &str| {
        format!(
            "<item><title>{title}</title><link>{}</link><pubDate>Tue, 03 Mar 2026 10:00:00 +0100</pubDate></item>",
            f.url(path)
        )
    };
    let rss = |items: String| {
        format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>{}</link><description>d</description>{items}</channel></rss>", f.url("/"))
    };
    f.route("/mobil.xml", Resp::ok("application/rss+xml", rss(item("Nytt bibliotek i Araby", "/mobil/55501"))));
    f.route(
        "/webb.xml",
        Resp::ok(
            "application/rss+xml",
            rss([
                item("Nytt bibliotek i Araby", "/nyheter/55501-nytt-bibliotek"),
                item("Bibliotek", "/nyheter/1"),
                item("Skjutningar", "/nyheter/2"),
            ]
            .concat()),
        ),
    );
    let app =
        App::new(&[feed_toml("mobil", &f.url("/mobil.xml"), ""), feed_toml("webb", &f.url("/webb.xml"), "")].concat());
    let out = app.ok(&["fetch"]);
    assert!(out.contains("Nya artiklar: 3"), "{out}");
    let all = app.search(&["*"]);
    assert_eq!(all["total"], 3, "{all}");
    let merged = all["hits"].as_array().unwrap().iter().find(|h| h["url"].as_str().unwrap().contains("55501")).unwrap();
    assert_eq!(merged["sources"].as_array().unwrap().len(), 2, "one article, two appearances: {all}");
    assert_eq!(f.hits("/mobil/55501"), 1);
    // The mobile feed changes (no guids in it): its old item is known by its link, not fetched again.
    f.route("/nyheter/3", Resp::ok("text/html; charset=utf-8", article_page("Oro i Dalbo", SKJUTNING)));
    f.route(
        "/mobil.xml",
        Resp::ok(
            "application/rss+xml",
            rss([item("Nytt bibliotek i Araby", "/mobil/55501"), item("Oro i Dalbo", "/nyheter/3")].concat()),
        ),
    );
    let again = app.ok(&["fetch"]);
    assert!(again.contains("Nya artiklar: 1"), "{again}");
    assert_eq!(f.hits("/mobil/55501"), 1, "a known link is not fetched again");
    assert_eq!(app.search(&["*"])["total"], 4);
}
