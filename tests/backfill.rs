//! Backfill and import end to end: a fixture outlet on 127.0.0.1 with robots.txt, a sitemap index,
//! a gzipped sitemap, a news sitemap and pages with and without dates, read by the real binary.

mod common;

use std::io::Write;

use common::{feed_toml, App, Fixture, Resp};

const PARAS: &[&str] = &[
    "Kommunen presenterade på tisdagen en ny plan för fritidsgårdarna i Araby och Dalbo, med längre öppettider under helgerna.",
    "Föreningarna i området har länge efterfrågat fler lokaler för läxhjälp, idrott och musik, och nu får de två nya mötesplatser.",
    "– Vi vill att ungdomarna ska ha någonstans att ta vägen på kvällarna, säger förvaltningschefen vid presentationen i stadshuset.",
];

/// An article page; `date` goes into `article:published_time` when given.
fn page(title: &str, date: Option<&str>) -> Vec<u8> {
    let meta = date.map(|d| format!("<meta property=\"article:published_time\" content=\"{d}\">")).unwrap_or_default();
    let body: String = PARAS.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        "<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{title}</title>{meta}</head>\
         <body><nav><a href=\"/\">Start</a></nav><main><article><h1>{title}</h1>\n{body}</article></main></body></html>"
    )
    .into_bytes()
}

fn gzip(text: &str) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap()
}

fn urlset(f: &Fixture, entries: &[(&str, Option<&str>)]) -> String {
    let urls: String = entries
        .iter()
        .map(|(p, d)| {
            let lastmod = d.map(|d| format!("<lastmod>{d}</lastmod>")).unwrap_or_default();
            format!("<url><loc>{}</loc>{lastmod}</url>\n", f.url(p))
        })
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{urls}</urlset>")
}

/// Paths of every page on the fixture outlet.
const PAGES: &[&str] = &[
    "/a/nyhet",
    "/a/2025-1",
    "/a/2024-2",
    "/a/2024-1",
    "/a/utan-datum",
    "/a/sidodatum",
    "/privat/hemlig",
    "/a/2023-gammal",
    "/a/2019",
];

fn serve_outlet(f: &Fixture) {
    f.route(
        "/robots.txt",
        Resp::ok(
            "text/plain",
            format!(
                "# testkanalen\nUser-agent: *\nDisallow: /privat/\n\nSitemap: {}\nSitemap: {}\n",
                f.url("/sitemap_index.xml"),
                f.url("/news-sitemap.xml")
            ),
        ),
    );
    let index = format!(
        "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
         <sitemap><loc>{}</loc><lastmod>2024-12-31</lastmod></sitemap>\
         <sitemap><loc>{}</loc><lastmod>2025-06-30</lastmod></sitemap>\
         <sitemap><loc>{}</loc><lastmod>2019-12-31</lastmod></sitemap></sitemapindex>",
        f.url("/sitemap-2024.xml.gz"),
        f.url("/sitemap-2025.xml"),
        f.url("/sitemap-2019.xml")
    );
    f.route("/sitemap_index.xml", Resp::ok("application/xml", index));
    let y2024 = urlset(
        f,
        &[
            ("/a/2024-1", Some("2024-03-01")),
            ("/a/2024-2", Some("2024-09-01T12:00:00+02:00")),
            ("/privat/hemlig", Some("2024-05-01")),
            ("/a/2023-gammal", Some("2023-05-01")),
        ],
    );
    f.route("/sitemap-2024.xml.gz", Resp::ok("application/x-gzip", gzip(&y2024)));
    // A gzip body sent as plain XML, without Content-Encoding: servers do that.
    let y2025 = urlset(f, &[("/a/2025-1", Some("2025-02-01")), ("/a/utan-datum", None), ("/a/sidodatum", None)]);
    f.route("/sitemap-2025.xml", Resp::ok("application/xml", gzip(&y2025)));
    f.route("/sitemap-2019.xml", Resp::ok("application/xml", urlset(f, &[("/a/2019", Some("2019-04-01"))])));
    let news = format!(
        "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\
         <url><loc>{}</loc><lastmod>2025-05-06</lastmod><news:news><news:publication_date>2025-05-05T08:00:00+02:00</news:publication_date>\
         <news:title>Nyhet om Araby</news:title></news:news></url>\
         <url><loc>https://annan.example/x</loc></url></urlset>",
        f.url("/a/nyhet")
    );
    f.route("/news-sitemap.xml", Resp::ok("application/xml", news));
    f.route(
        "/a/nyhet",
        Resp::ok("text/html; charset=utf-8", page("Nyhet om Araby", Some("2025-05-04T09:00:00+02:00"))),
    );
    f.route("/a/2025-1", Resp::ok("text/html", page("Fritidsgård i Dalbo", Some("2025-02-01T10:00:00+01:00"))));
    f.route("/a/2024-2", Resp::ok("text/html", page("Läxhjälp i Araby", Some("2024-09-01T10:00:00+02:00"))));
    f.route("/a/2024-1", Resp::ok("text/html", page("Utan sidodatum", None)));
    f.route("/a/utan-datum", Resp::ok("text/html", page("Helt utan datum", None)));
    f.route("/a/sidodatum", Resp::ok("text/html", page("Datum bara på sidan", Some("2024-06-01T08:00:00+02:00"))));
    f.route("/privat/hemlig", Resp::ok("text/html", page("Hemlig", None)));
    f.route("/a/2023-gammal", Resp::ok("text/html", page("Gammal", Some("2023-05-01T08:00:00+02:00"))));
    f.route("/a/2019", Resp::ok("text/html", page("Mycket gammal", Some("2019-04-01T08:00:00+02:00"))));
}

fn hits(f: &Fixture) -> Vec<(&'static str, usize)> {
    PAGES.iter().map(|p| (*p, f.hits(p))).collect()
}

fn hit_by_url<'a>(v: &'a serde_json::Value, f: &Fixture, path: &str) -> &'a serde_json::Value {
    let url = f.url(path);
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["url"] == url.as_str())
        .unwrap_or_else(|| panic!("{path} not found"))
}

#[test]
fn backfill_fetches_each_page_in_range_once_and_resumes() {
    let f = Fixture::start();
    serve_outlet(&f);
    let app = App::new(&feed_toml("lokal", &f.url("/feed.xml"), ""));
    let range = ["--feed", "lokal", "--from", "2024-01-01", "--to", "2025-12-31"];

    // Interrupted: two URLs, the newest by sitemap date.
    let out = app.ok(&[&["backfill"], &range[..], &["--limit", "2"]].concat());
    assert!(out.contains("Nya artiklar: 2,"), "{out}");
    assert!(out.contains("Kvar till nästa körning: 5."), "{out}");
    assert_eq!(f.hits("/a/nyhet"), 1);
    assert_eq!(f.hits("/a/2025-1"), 1);
    assert_eq!(f.hits("/a/2024-2") + f.hits("/a/2024-1") + f.hits("/a/utan-datum"), 0);

    // The rest, without fetching the first two again.
    let out = app.ok(&[&["backfill"], &range[..]].concat());
    assert!(out.contains("8 adresser hittade"), "{out}");
    assert!(out.contains("7 inom intervallet (2 klara sedan tidigare)"), "{out}");
    assert!(out.contains("Nya artiklar: 4,"), "{out}");
    assert!(out.contains("stoppade av robots.txt: 1,"), "{out}");
    assert!(out.contains("utan datum: 1."), "{out}");
    let expected = [1, 1, 1, 1, 1, 1, 0, 0, 0];
    assert_eq!(hits(&f), PAGES.iter().copied().zip(expected).collect::<Vec<_>>());
    assert_eq!(f.hits("/sitemap-2019.xml"), 0, "a sitemap unchanged since before --from is not read");
    assert_eq!(f.hits("/robots.txt"), 2);

    // A full run again adds nothing and fetches no page.
    let out = app.ok(&[&["backfill"], &range[..]].concat());
    assert!(out.contains("Hämtade sidor: 0. Nya artiklar: 0,"), "{out}");
    assert_eq!(hits(&f), PAGES.iter().copied().zip(expected).collect::<Vec<_>>());

    let all = app.search(&["*", "--limit", "50"]);
    assert_eq!(all["total"], 6);
    // The page's own date wins over the news sitemap's.
    assert!(hit_by_url(&all, &f, "/a/nyhet")["published"].as_str().unwrap().starts_with("2025-05-04T09:00"));
    // No date on the page: the sitemap's lastmod.
    assert!(hit_by_url(&all, &f, "/a/2024-1")["published"].as_str().unwrap().starts_with("2024-03-01"));
    assert!(hit_by_url(&all, &f, "/a/sidodatum")["published"].as_str().unwrap().starts_with("2024-06-01"));
    let undated = hit_by_url(&all, &f, "/a/utan-datum");
    assert_eq!((undated["published"].as_str(), undated["undated"].as_bool()), (Some(""), Some(true)));
    assert_eq!(undated["source"], "lokal");
    // Undated articles have no week: a date filter passes them by, and "this week" is empty.
    assert_eq!(app.search(&["*", "--from", "2020-01-01"])["total"], 5);
    assert_eq!(app.search(&["*", "--from", "2026-01-01"])["total"], 0);
}

#[test]
fn a_backfilled_article_later_seen_in_a_feed_is_the_same_article() {
    let f = Fixture::start();
    serve_outlet(&f);
    let app = App::new("");
    // In range: the news item, and the two pages whose sitemap gives no date to judge by.
    let out = app.ok(&["backfill", "--site", &f.url("/"), "--from", "2025-05-01"]);
    assert!(out.contains("Nya artiklar: 3,"), "{out}");
    assert_eq!(f.hits("/a/nyhet"), 1);

    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Lokalt</title>\
         <item><title>Nyhet om Araby</title><link>{}?utm_source=rss</link><guid>n1</guid>\
         <pubDate>Sun, 04 May 2025 07:00:00 GMT</pubDate><description>Kort.</description></item>\
         <item><title>Helt utan datum</title><link>{}</link><guid>n2</guid>\
         <pubDate>Tue, 06 May 2025 10:00:00 GMT</pubDate><description>Kort.</description></item></channel></rss>",
        f.url("/a/nyhet"),
        f.url("/a/utan-datum")
    );
    f.route("/feed.xml", Resp::ok("application/rss+xml", feed));
    let config = std::fs::read_to_string(app.config()).unwrap();
    std::fs::write(app.config(), format!("{}{config}", feed_toml("lokal", &f.url("/feed.xml"), ""))).unwrap();
    let out = app.ok(&["fetch"]);
    assert!(out.contains("Nya artiklar: 0, dubbletter: 2"), "{out}");
    assert_eq!(f.hits("/a/nyhet"), 1, "the page is not fetched again");
    let all = app.search(&["*"]);
    assert_eq!(all["total"], 3);
    // Appearances are ordered by the second they were seen in, which both may share.
    let mut sources: Vec<&str> =
        hit_by_url(&all, &f, "/a/nyhet")["sources"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    sources.sort();
    assert_eq!(sources, ["lokal", "site-127-0-0-1"]);
    assert_eq!(hit_by_url(&all, &f, "/a/sidodatum")["sources"], serde_json::json!(["site-127-0-0-1"]));
    // The undated page takes the date the feed gives it.
    let dated = hit_by_url(&all, &f, "/a/utan-datum");
    assert!(dated["published"].as_str().unwrap().starts_with("2025-05-06T12:00"), "{dated}");
    assert!(dated.get("undated").is_none(), "{dated}");
}

#[test]
fn the_daily_budget_stops_a_run_and_holds_until_tomorrow() {
    let f = Fixture::start();
    serve_outlet(&f);
    let feeds = format!("{}[backfill]\ndaily_budget_per_host = 5\n", feed_toml("lokal", &f.url("/feed.xml"), ""));
    let app = App::new(&feeds);
    let out = app.ok(&["backfill", "--from", "2024-01-01"]);
    // robots.txt, the index, the news sitemap, two yearly sitemaps: five, and no page is left.
    assert!(out.contains("dagens budget för 127.0.0.1 är slut"), "{out}");
    assert!(out.contains("Hämtade sidor: 0."), "{out}");
    assert_eq!(PAGES.iter().map(|p| f.hits(p)).sum::<usize>(), 0);
    let out = app.ok(&["backfill", "--from", "2024-01-01"]);
    assert!(out.contains("dagens budget för 127.0.0.1 är slut"), "{out}");
    assert_eq!(f.hits("/robots.txt"), 1, "the spent budget holds across runs");
}

#[test]
fn import_of_a_url_list_uses_the_queue_and_robots() {
    let f = Fixture::start();
    serve_outlet(&f);
    let app = App::new(&feed_toml("lokal", &f.url("/feed.xml"), ""));
    let list = app.dir.path().join("export.csv");
    let csv = format!(
        "url,published,title,outlet\n{},2024-02-02,\"Rubrik, från listan\",Lokalt\n{},,,\nnot-a-url,,,\n{},2024-07-07,,\n",
        f.url("/a/utan-datum"),
        f.url("/a/2025-1"),
        f.url("/privat/hemlig")
    );
    std::fs::write(&list, csv).unwrap();
    let out = app.ok(&["import", list.to_str().unwrap()]);
    assert!(out.contains("Import: 3 adresser"), "{out}");
    assert!(out.contains("Nya artiklar: 2,"), "{out}");
    assert!(out.contains("stoppade av robots.txt: 1,"), "{out}");
    assert!(out.contains("rad 4"), "the bad line is reported: {out}");
    assert_eq!((f.hits("/a/utan-datum"), f.hits("/a/2025-1"), f.hits("/privat/hemlig")), (1, 1, 0));
    let all = app.search(&["*"]);
    let listed = hit_by_url(&all, &f, "/a/utan-datum");
    assert!(listed["published"].as_str().unwrap().starts_with("2024-02-02"), "the list's date when the page has none");
    assert_eq!(listed["source"], "lokal", "same host as the configured feed");

    let out = app.ok(&["import", list.to_str().unwrap()]);
    assert!(out.contains("(2 klara sedan tidigare)"), "{out}");
    assert_eq!((f.hits("/a/utan-datum"), f.hits("/a/2025-1")), (1, 1));
}

#[test]
fn import_of_saved_pages_fetches_nothing() {
    let app = App::new("");
    let dir = app.dir.path().join("sparade");
    std::fs::create_dir_all(dir.join("2024")).unwrap();
    let with_url = String::from_utf8(page("Sparad med adress", Some("2024-04-04T10:00:00+02:00")))
        .unwrap()
        .replace("<title>", "<link rel=\"canonical\" href=\"https://www.smp.se/nyheter/sparad-1/\"><title>");
    std::fs::write(dir.join("2024/a.html"), with_url).unwrap();
    std::fs::write(dir.join("utan adress.htm"), page("Sparad utan adress", None)).unwrap();
    std::fs::write(dir.join("notes.txt"), "inte en sida").unwrap();
    let out = app.ok(&["import", dir.to_str().unwrap()]);
    assert!(out.contains("Import: 2 sparade sidor lästa (1 utan egen adress"), "{out}");
    assert!(out.contains("Nya artiklar: 2,"), "{out}");
    assert!(out.contains("utan datum: 1."), "{out}");
    let all = app.search(&["*"]);
    let urls: Vec<&str> = all["hits"].as_array().unwrap().iter().map(|h| h["url"].as_str().unwrap()).collect();
    assert!(urls.contains(&"https://www.smp.se/nyheter/sparad-1/"), "{urls:?}");
    assert!(urls.contains(&"https://saved.invalid/utan%20adress.htm"), "{urls:?}");
    let sources: Vec<&str> = all["hits"].as_array().unwrap().iter().map(|h| h["source"].as_str().unwrap()).collect();
    assert!(sources.contains(&"site-smp-se") && sources.contains(&"import"), "{sources:?}");
    let out = app.ok(&["import", dir.to_str().unwrap()]);
    assert!(out.contains("Nya artiklar: 0, dubbletter: 2"), "{out}");
}

#[test]
fn an_unreadable_robots_txt_keeps_the_whole_site_out() {
    let f = Fixture::start();
    serve_outlet(&f);
    f.route("/robots.txt", Resp::status(503));
    let app = App::new(&feed_toml("lokal", &f.url("/feed.xml"), ""));
    let out = app.ok(&["backfill", "--feed", "lokal"]);
    assert!(out.contains("robots.txt kunde inte läsas"), "{out}");
    assert!(out.contains("0 adresser hittade"), "{out}");
    assert_eq!(f.hits("/sitemap_index.xml") + PAGES.iter().map(|p| f.hits(p)).sum::<usize>(), 0);
}

#[test]
fn bad_backfill_input_is_a_usage_error() {
    let app = App::new("[backfill]\ndaily_budget_per_hots = 10\n");
    let out = app.run(&["backfill"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("daily_budget_per_hots"));
    let app = App::new("");
    let out = app.run(&["backfill", "--feed", "saknas"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let out = app.run(&["backfill", "--site", "https://x.se/", "--from", "2025-13-01"]);
    assert_eq!(out.status.code(), Some(2));
    let out = app.run(&["import", "/finns/inte"]);
    assert_eq!(out.status.code(), Some(1));
}
