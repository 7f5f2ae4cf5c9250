//! Web test support: `tonlage run` on a fixture archive (feeds on 127.0.0.1, among them a hostile
//! item), three accounts, and a small HTTP/1.1 client that keeps cookies out of the way.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{feed_toml, free_port, http_get, run_with, wait_timeout, App, Fixture, Resp};

pub const ADMIN: (&str, &str) = ("admin", "admin-lösenord-1");
pub const EDITOR: (&str, &str) = ("redaktor", "redaktör-lösenord-2");
pub const VIEWER: (&str, &str) = ("lasare", "läsare-lösenord-3");

/// Text that would run if any page failed to escape feed content.
pub const XSS_TITLE: &str = "<script>window.__xss=1</script>Fest i Araby <img src=x onerror=\"window.__xss=2\">";

pub struct Server {
    pub app: App,
    pub fixture: Fixture,
    pub port: u16,
    child: Child,
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The fixture archive: (title, text, days ago). Tones follow shared/CODEBOOK.md cues.
pub const ITEMS: &[(&str, &str, i64)] = &[
    (
        "Skottlossning i Araby",
        "Flera skott avlossades i Araby i natt. Polisen har spärrat av området efter skjutningen.",
        2,
    ),
    (
        "Nytt bibliotek öppnar i Araby",
        "Det nya biblioteket i Araby slog upp dörrarna och hundratals besökare kom till invigningen.",
        9,
    ),
    (
        "Explosion i trapphus i Araby",
        "En explosion inträffade i ett trapphus i Araby. Polisen utreder sprängningen.",
        16,
    ),
    ("Dalbo får ny förskola", "En ny förskola invigdes i Dalbo med plats för hundra barn.", 5),
    (
        "Festival i Dalbo lockade tusentals",
        "Festivalen i Dalbo lockade tusentals besökare och föreningar visade upp sig.",
        30,
    ),
    (XSS_TITLE, "Grannar i Araby ordnade en fest. <script>window.__xss=3</script> javascript:alert(1)", 3),
];

fn rss(f: &Fixture) -> String {
    let now = chrono::Utc::now();
    let items: String = ITEMS
        .iter()
        .enumerate()
        .map(|(i, (title, text, days))| {
            let date = (now - chrono::Duration::days(*days)).to_rfc2822();
            format!(
                "<item><title>{}</title><link>{}/a/{i}</link><guid>g{i}</guid><pubDate>{date}</pubDate><description>{}</description></item>",
                // Escaped twice: the feed's HTML decodes to the literal markup, which must stay text.
                xml_escape(&xml_escape(title)),
                f.url(""),
                xml_escape(&xml_escape(text))
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Lokalt</title><link>{}</link><description>d</description>{items}</channel></rss>", f.url("/"))
}

impl Server {
    pub fn start() -> Server {
        let fixture = Fixture::start();
        fixture.route("/rss.xml", Resp::ok("application/rss+xml", rss(&fixture)));
        fixture.route("/broken.xml", Resp::status(500));
        let feeds = format!(
            "{}{}",
            feed_toml("lokalt", &fixture.url("/rss.xml"), "full_text = false"),
            feed_toml("trasig", &fixture.url("/broken.xml"), "full_text = false")
        );
        let app = App::new(&feeds);
        for ((name, pw), role) in [ADMIN, EDITOR, VIEWER].into_iter().zip(["admin", "editor", "viewer"]) {
            let out = run_with(&app.config(), &app.data(), &["user", "add", name, "--role", role], Some(pw.as_bytes()));
            assert!(out.status.success(), "user add: {}", String::from_utf8_lossy(&out.stderr));
        }
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_tonlage"))
            .arg("--config")
            .arg(app.config())
            .arg("--data")
            .arg(app.data())
            .arg("run")
            .env("TONLAGE_WEB_LISTEN", format!("127.0.0.1:{port}"))
            .env("TONLAGE_METRICS_LISTEN", format!("127.0.0.1:{}", free_port()))
            .env("TONLAGE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server { app, fixture, port, child };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = matches!(http_get(port, "/readyz"), Some((200, _)));
            if ready && server.app.search(&["*"])["total"] == ITEMS.len() {
                break;
            }
            assert!(Instant::now() < deadline, "the service never became ready with the fixture archive");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn req(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        request(self.port, method, path, headers, body)
    }

    pub fn get(&self, path: &str, cookie: &str) -> Reply {
        self.req("GET", path, &[("Cookie", cookie)], "")
    }

    /// Logs in through the form; returns the `Cookie` header value for the session.
    pub fn login(&self, (user, password): (&str, &str)) -> String {
        let r = self.try_login(user, password);
        assert_eq!(r.status, 303, "login as {user}: {}", r.body);
        let session = r.cookie("tonlage_session").expect("a session cookie");
        format!("tonlage_session={session}")
    }

    pub fn try_login(&self, user: &str, password: &str) -> Reply {
        let form = self.get("/login", "");
        let token = form.cookie("tonlage_login").expect("the login form sets its token cookie");
        assert_eq!(form.field("token").as_deref(), Some(token.as_str()));
        let body = encode(&[("username", user), ("password", password), ("token", &token), ("next", "/search")]);
        let cookie = format!("tonlage_login={token}");
        self.req("POST", "/login", &[("Cookie", &cookie), ("Content-Type", "application/x-www-form-urlencoded")], &body)
    }

    /// The id of the article whose title starts with `title`.
    pub fn article_id(&self, title: &str) -> String {
        let all = self.app.search(&["*", "--limit", "100"]);
        all["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["title"].as_str().unwrap().starts_with(title))
            .map(|h| h["id"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no article titled {title:?}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        crate::common::sigterm(&self.child);
        wait_timeout(&mut self.child, Duration::from_secs(20));
    }
}

pub fn encode(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .find_map(|(_, v)| v.split(';').next()?.strip_prefix(&format!("{name}=")).map(str::to_string))
    }

    pub fn set_cookie_line(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .find(|v| v.starts_with(&format!("{name}=")))
    }

    /// The value of the first `<input name="NAME" value="…">` in the page.
    pub fn field(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\" value=\""))?;
        let rest = &self.body[at + name.len() + 15..];
        Some(rest[..rest.find('"')?].to_string())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One HTTP/1.1 request on 127.0.0.1 with `Connection: close`; chunked bodies are joined.
pub fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers.iter().filter(|(_, v)| !v.is_empty()) {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    // Read until the peer closes, or until Content-Length is satisfied (chromedriver keeps
    // connections open whatever the request says).
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    let (split, head) = loop {
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..split]).to_string();
            let length = head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim().eq_ignore_ascii_case("content-length").then(|| v.trim().parse::<usize>().ok())?
            });
            if length.is_some_and(|n| raw.len() >= split + 4 + n) {
                break (split, head);
            }
        }
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block");
            break (split, String::from_utf8_lossy(&raw[..split]).to_string());
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    if headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        body = dechunk(&body);
    }
    Reply { status, headers, body: String::from_utf8_lossy(&body).to_string() }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
    out
}
