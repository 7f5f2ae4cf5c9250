//! Test support: a fixture HTTP server on 127.0.0.1 (never the internet) and helpers that run the
//! real `tonlage` binary against a temporary data directory.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};

#[derive(Clone, Default)]
pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    pub etag: Option<String>,
    pub delay: Duration,
    pub headers: Vec<(String, String)>,
}

impl Resp {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Resp {
        Resp { status: 200, content_type: content_type.into(), body: body.into(), ..Resp::default() }
    }
    pub fn status(status: u16) -> Resp {
        Resp { status, content_type: "text/plain".into(), body: b"error".to_vec(), ..Resp::default() }
    }
    pub fn with_etag(mut self, etag: &str) -> Resp {
        self.etag = Some(etag.into());
        self
    }
    pub fn with_delay(mut self, d: Duration) -> Resp {
        self.delay = d;
        self
    }
    pub fn with_header(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.into(), v.into()));
        self
    }
}

type Routes = Arc<Mutex<HashMap<String, Resp>>>;

/// A local server; each path answers what `route` set. Counts requests and 304 answers per path.
pub struct Fixture {
    pub addr: SocketAddr,
    routes: Routes,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    not_modified: Arc<Mutex<HashMap<String, usize>>>,
    _rt: tokio::runtime::Runtime,
}

impl Fixture {
    pub fn start() -> Fixture {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let routes: Routes = Arc::default();
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let not_modified: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let (r, h, n) = (routes.clone(), hits.clone(), not_modified.clone());
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let (r, h, n) = (r.clone(), h.clone(), n.clone());
            async move { answer(req, r, h, n).await }
        });
        rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Fixture { addr, routes, hits, not_modified, _rt: rt }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn route(&self, path: &str, resp: Resp) {
        self.routes.lock().unwrap().insert(path.to_string(), resp);
    }

    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    pub fn not_modified(&self, path: &str) -> usize {
        self.not_modified.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

async fn answer(
    req: Request<Body>,
    routes: Routes,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    not_modified: Arc<Mutex<HashMap<String, usize>>>,
) -> Response<Body> {
    let path = req.uri().path().to_string();
    *hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    let resp = routes.lock().unwrap().get(&path).cloned();
    let Some(resp) = resp else {
        return Response::builder().status(404).body(Body::from("not found")).unwrap();
    };
    if !resp.delay.is_zero() {
        tokio::time::sleep(resp.delay).await;
    }
    let headers: &HeaderMap = req.headers();
    if let (Some(etag), Some(inm)) = (&resp.etag, headers.get("if-none-match")) {
        if inm.to_str().ok() == Some(etag.as_str()) {
            *not_modified.lock().unwrap().entry(path).or_default() += 1;
            return Response::builder().status(StatusCode::NOT_MODIFIED).body(Body::empty()).unwrap();
        }
    }
    let mut b = Response::builder().status(resp.status).header("content-type", resp.content_type.clone());
    if let Some(etag) = &resp.etag {
        b = b.header("etag", etag.clone());
    }
    for (k, v) in &resp.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(Body::from(resp.body.clone())).unwrap()
}

/// A temporary installation: a config file and a data directory.
pub struct App {
    pub dir: tempfile::TempDir,
}

impl App {
    /// `feeds` is the TOML of the [[feed]] tables; a test district set and zero host gap are added.
    pub fn new(feeds: &str) -> App {
        let dir = tempfile::tempdir().unwrap();
        let config =
            format!("{feeds}\n{}\n[worker]\nhost_gap_ms = 0\ntimeout_secs = 2\nmax_body_bytes = 200000\n", DISTRICTS);
        std::fs::write(dir.path().join("feeds.toml"), config).unwrap();
        App { dir }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("feeds.toml")
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn run(&self, args: &[&str]) -> Output {
        run_with(&self.config(), &self.data(), args, None)
    }

    /// Runs and insists on success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tonlage {args:?} failed with {}:\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn search(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["search", "--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }
}

pub fn run_with(config: &Path, data: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tonlage"));
    cmd.arg("--config").arg(config).arg("--data").arg(data).args(args);
    cmd.env_remove("TONLAGE_CONFIG").env_remove("TONLAGE_DATA").env("TONLAGE_LOG", "warn,tonlage=info");
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn tonlage");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

pub const DISTRICTS: &str = r#"
[[district]]
id = "araby"
name = "Araby"
municipality = "Växjö"
aliases = ["Araby"]

[[district]]
id = "dalbo"
name = "Dalbo"
municipality = "Växjö"
aliases = ["Dalbo"]
"#;

pub fn feed_toml(id: &str, url: &str, extra: &str) -> String {
    format!("[[feed]]\nid = \"{id}\"\nname = \"{id}\"\nurl = \"{url}\"\n{extra}\n")
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).unwrap()
}

/// Titles of all search hits for `query`.
pub fn titles(v: &serde_json::Value) -> Vec<String> {
    v["hits"].as_array().unwrap().iter().map(|h| h["title"].as_str().unwrap().to_string()).collect()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A bare HTTP/1.1 GET on 127.0.0.1: (status, whole response).
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let status = buf.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, buf))
}

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}

pub fn sigterm(child: &std::process::Child) {
    // SAFETY: sending a signal to our own child process.
    unsafe { kill(child.id() as i32, 15) };
}

pub fn wait_timeout(child: &mut std::process::Child, d: Duration) -> Option<std::process::ExitStatus> {
    let end = std::time::Instant::now() + d;
    while std::time::Instant::now() < end {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}
