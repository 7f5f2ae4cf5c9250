//! The UI in a real headless Chromium, driven over WebDriver (Debian's `chromium-driver`): log in,
//! search with a filter, read an article's evidence, correct a label as editor and be refused as
//! viewer, see a drawn dashboard chart, export CSV, and a hostile feed item never runs.
//! Set `TONLAGE_SHOTS=DIR` to save a screenshot of each page.

mod common;
mod webapp;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use webapp::{request, Server, EDITOR, VIEWER};

fn find_binary(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n))).find(|p| p.is_file())
}

struct Driver {
    child: Child,
    port: u16,
    session: String,
    base: String,
    shots: Option<PathBuf>,
    downloads: tempfile::TempDir,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = request(self.port, "DELETE", &format!("/session/{}", self.session), &[], "");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(base: &str, chromium: &Path, chromedriver: &Path) -> Driver {
        let port = common::free_port();
        let mut child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        let up = || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
                && request(port, "GET", "/status", &[], "").status == 200
        };
        while !up() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("chromedriver did not start");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                     "--window-size=1280,900", format!("--user-data-dir={}", profile.path().display())],
            "prefs": {"download.default_directory": downloads.path(), "download.prompt_for_download": false}
        }}}});
        let r = request(port, "POST", "/session", &[("Content-Type", "application/json")], &caps.to_string());
        let v: Value = serde_json::from_str(&r.body).unwrap();
        let session = v["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {}", r.body)).to_string();
        let shots = std::env::var_os("TONLAGE_SHOTS").map(PathBuf::from);
        Driver { child, port, session, base: base.to_string(), shots, downloads, _profile: profile }
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let body = if method == "GET" { String::new() } else { body.to_string() };
        let r = request(self.port, method, &path, &[("Content-Type", "application/json")], &body);
        let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
        assert_eq!(r.status, 200, "{method} {path}: {}", r.body);
        v["value"].clone()
    }

    fn go(&self, path: &str) {
        self.call("POST", "/url", json!({"url": format!("{}{path}", self.base)}));
    }

    fn url(&self) -> String {
        self.call("GET", "/url", Value::Null).as_str().unwrap().to_string()
    }

    /// Waits for a navigation started by a click: WebDriver does not always wait for it.
    fn wait_url(&self, part: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let url = self.url();
            if url.contains(part) && self.js("return document.readyState") == json!("complete") {
                return url;
            }
            assert!(Instant::now() < deadline, "never reached a URL with {part:?}; at {url}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn find(&self, css: &str) -> String {
        let v = self.call("POST", "/element", json!({"using": "css selector", "value": css}));
        // The reference sits under the W3C web element key, whatever its spelling: take the one value.
        let id = v.as_object().and_then(|o| o.values().next()).and_then(|x| x.as_str());
        id.unwrap_or_else(|| panic!("no element for {css}: {v}")).to_string()
    }

    fn count(&self, css: &str) -> usize {
        self.call("POST", "/elements", json!({"using": "css selector", "value": css})).as_array().unwrap().len()
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), json!({}));
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/clear"), json!({}));
        self.call("POST", &format!("/element/{e}/value"), json!({"text": text}));
    }

    fn text(&self, css: &str) -> String {
        let e = self.find(css);
        self.call("GET", &format!("/element/{e}/text"), Value::Null).as_str().unwrap().to_string()
    }

    fn js(&self, script: &str) -> Value {
        self.call("POST", "/execute/sync", json!({"script": script, "args": []}))
    }

    fn js_async(&self, script: &str) -> Value {
        self.call("POST", "/execute/async", json!({"script": script, "args": []}))
    }

    fn shot(&self, name: &str) {
        let Some(dir) = &self.shots else { return };
        std::fs::create_dir_all(dir).unwrap();
        let b64 = self.call("GET", "/screenshot", Value::Null);
        std::fs::write(dir.join(format!("{name}.png")), base64_decode(b64.as_str().unwrap())).unwrap();
    }

    fn login(&self, (user, password): (&str, &str)) {
        self.go("/search");
        assert!(self.url().contains("/login?next="), "pages send a stranger to the login page");
        self.type_into("#username", user);
        self.type_into("#password", password);
        self.shot("login");
        self.click("form button[type=submit]");
        let url = self.wait_url("/search");
        assert!(url.ends_with("/search"), "back where they wanted to go: {url}");
    }

    fn no_xss(&self) {
        assert_eq!(self.js("return typeof window.__xss"), json!("undefined"), "a feed's script ran");
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = s.bytes().filter(|c| !matches!(c, b'=' | b'\n' | b'\r')).collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= (val(*c) as u32) << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn staff_work_in_a_real_browser() {
    let chromium = find_binary(&["chromium", "chromium-browser"]);
    let driver = find_binary(&["chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, driver) else {
        assert!(
            std::env::var_os("TONLAGE_REQUIRE_BROWSER").is_none(),
            "TONLAGE_REQUIRE_BROWSER is set but chromium or chromedriver is missing"
        );
        eprintln!("skipping the browser test: install Debian's chromium and chromium-driver");
        return;
    };
    let s = Server::start();
    let b = Driver::start(&s.base(), &chromium, &chromedriver);

    // Log in and search with a filter.
    b.login(EDITOR);
    b.type_into("#q", "Araby");
    b.click("#tone option[value=stigmatizing]");
    b.click(".search .box button");
    b.wait_url("tone=stigmatizing");
    let total: usize = b.text("#total").parse().unwrap();
    assert!(total >= 2, "stigmatizing Araby stories: {total}");
    assert_eq!(b.count(".hit"), total);
    assert_eq!(b.count(".hit .badge.stigmatizing"), total, "every hit carries the filtered tone");
    assert!(b.count("#attention svg rect.bar") > 0, "the attention chart is drawn");
    let bars = b.count("#attention svg rect.bar");
    let red = b.count("#attention svg rect.bar[fill='#b2182b']");
    assert_eq!(bars, red, "a search filtered to one tone charts that tone only");
    b.shot("search");
    b.js("window.scrollTo(0, document.querySelector('.hits').offsetTop - 10)");
    b.shot("search-results");

    // The hostile item shows as text and runs nothing.
    b.go("/search?q=fest");
    assert!(b.text(".hit .snippet").contains("<script>window.__xss=3</script>"), "shown literally");
    b.no_xss();

    // An article with its evidence; correct a label as editor.
    b.go("/search?q=Skottlossning");
    b.click(".hit h3 a");
    b.wait_url("/articles/");
    assert!(b.count(".text mark") > 0, "evidence sentences marked in the text");
    assert!(b.count(".evidence li") > 0);
    b.shot("article");
    let article = b.url();
    b.click("#label-select-araby option[value=negative]");
    b.type_into("#note-araby", "En enskild händelse");
    b.click("form.correct button");
    b.wait_url("saved=1");
    assert!(b.text(".notice").len() > 3);
    assert!(b.text("#label-araby .badge").starts_with("Negativ"));
    let history = b.text("table");
    assert!(history.contains(EDITOR.0) && history.contains("En enskild händelse"), "{history}");

    // The district dashboard draws its chart, with the figures beneath.
    b.go("/districts/araby");
    let height = b.js("return document.querySelector('#coverage svg').getBoundingClientRect().height");
    assert!(height.as_f64().unwrap() > 100.0, "chart drawn at {height}");
    assert!(b.count("#coverage svg rect.bar") > 0);
    assert!(b.count("#coverage table tbody tr") > 0);
    b.shot("district");
    // On a phone the pages reflow: nothing wider than the screen.
    b.call("POST", "/window/rect", json!({"width": 390, "height": 844}));
    for (path, name) in [("/districts/araby", "district-phone"), ("/search?q=Araby", "search-phone")] {
        b.go(path);
        let overflow = b.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assert!(overflow.as_f64().unwrap() <= 1.0, "{path} scrolls sideways on a phone by {overflow}px");
        b.shot(name);
    }
    b.call("POST", "/window/rect", json!({"width": 1280, "height": 900}));
    b.go("/districts/compare?ids=araby&ids=dalbo");
    assert_eq!(b.count("#compare-chart polyline"), 2);
    b.shot("compare");
    b.go("/sources");
    assert!(b.text("#sources").contains("trasig"));
    b.shot("sources");
    // Past digests: the latest complete week opens as it is mailed.
    b.go("/digests");
    b.shot("digests");
    b.click("main a[href^='/digests/2']");
    b.wait_url("/digests/2");
    assert!(b.text("body").contains("Araby"), "{}", b.text("body"));
    b.shot("digest");
    b.no_xss();

    // CSV export: the browser downloads the whole result.
    b.go("/search?q=*");
    b.click("a.download");
    let deadline = Instant::now() + Duration::from_secs(20);
    let csv = loop {
        let done = std::fs::read_dir(b.downloads.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "csv"));
        if let Some(p) = done {
            break std::fs::read_to_string(p).unwrap();
        }
        assert!(Instant::now() < deadline, "no CSV download arrived");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(csv.lines().count(), webapp::ITEMS.len() + 1, "{csv}");
    b.no_xss();

    // A viewer sees no correction form, and a forged correction is refused.
    b.click("header form button");
    b.wait_url("/login");
    b.login(VIEWER);
    b.go(&article.replace(&s.base(), ""));
    assert_eq!(b.count("form.correct"), 0);
    let status = b.js_async(
        "const done = arguments[arguments.length - 1];
         const csrf = document.querySelector('input[name=csrf]').value;
         const body = new URLSearchParams({csrf, district: 'araby', label: 'positive'});
         fetch(location.pathname + '/corrections', {method: 'POST', body, redirect: 'manual'}).then(r => done(r.status));",
    );
    assert_eq!(status, json!(403));
    b.no_xss();
}
