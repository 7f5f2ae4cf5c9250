//! Delivery: a small SMTP server on 127.0.0.1 started by the test receives the digest from
//! `digest --send`, and from `tonlage run`'s schedule exactly once across a restart; Debian's
//! aiosmtpd, a separate SMTP server process, receives it too (`.ci/run` installs it).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{feed_toml, App, Fixture, Resp};

/// One received mail: envelope recipients and the raw message.
#[derive(Clone, Debug)]
struct Received {
    rcpt: Vec<String>,
    data: String,
}

/// Speaks just enough SMTP (RFC 5321) to accept mail: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET,
/// NOOP, QUIT. Each connection runs on its own thread.
struct Sink {
    port: u16,
    mails: Arc<Mutex<Vec<Received>>>,
}

impl Sink {
    fn start() -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails: Arc<Mutex<Vec<Received>>> = Arc::default();
        let m = mails.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let m = m.clone();
                std::thread::spawn(move || {
                    let _ = session(conn, m);
                });
            }
        });
        Sink { port, mails }
    }

    fn count(&self) -> usize {
        self.mails.lock().unwrap().len()
    }

    fn mails(&self) -> Vec<Received> {
        self.mails.lock().unwrap().clone()
    }
}

fn session(conn: std::net::TcpStream, mails: Arc<Mutex<Vec<Received>>>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut out = conn.try_clone()?;
    let mut lines = BufReader::new(conn);
    out.write_all(b"220 sink.local ESMTP test sink\r\n")?;
    let mut rcpt = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let verb = cmd.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => out.write_all(b"250-sink.local\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?,
            "HELO" => out.write_all(b"250 sink.local\r\n")?,
            "MAIL" => {
                rcpt.clear();
                out.write_all(b"250 OK\r\n")?
            }
            "RCPT" => {
                rcpt.push(cmd.split_once(':').map(|x| x.1.trim().to_string()).unwrap_or_default());
                out.write_all(b"250 OK\r\n")?
            }
            "DATA" => {
                out.write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    if lines.read_line(&mut l)? == 0 {
                        return Ok(());
                    }
                    if l == ".\r\n" || l == ".\n" {
                        break;
                    }
                    data.push_str(&l);
                }
                mails.lock().unwrap().push(Received { rcpt: rcpt.clone(), data });
                out.write_all(b"250 OK queued\r\n")?
            }
            "RSET" | "NOOP" => out.write_all(b"250 OK\r\n")?,
            "QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            }
            _ => out.write_all(b"502 not implemented\r\n")?,
        }
    }
}

fn rss(f: &Fixture) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>{0}</link><description>d</description>\
         <item><title>Skottlossning i Araby</title><link>{0}a/1</link><guid>g1</guid>\
         <description>Flera skott avlossades i Araby under natten och en man skadades, uppger polisen.</description></item>\
         </channel></rss>",
        f.url("/")
    )
}

fn app_with_smtp(f: &Fixture, sink: &Sink, schedule: &str) -> App {
    f.route("/rss.xml", Resp::ok("application/rss+xml", rss(f)));
    App::new(&format!(
        "{}\n[digest]\nrecipients = [\"kommunikation@vaxjo.example\", \"anna@vaxjo.example\"]\n{schedule}\n\
         [smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"Tonläge <tonlage@vaxjo.example>\"\n",
        feed_toml("rss", &f.url("/rss.xml"), "full_text = false"),
        sink.port
    ))
}

#[test]
fn digest_send_delivers_to_every_recipient() {
    let f = Fixture::start();
    let sink = Sink::start();
    let app = app_with_smtp(&f, &sink, "");
    app.ok(&["fetch"]);
    let out = app.run(&["digest", "--week", "2026-W10", "--send", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Skickade veckobrevet för 2026-W10"));
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, vec!["<kommunikation@vaxjo.example>", "<anna@vaxjo.example>"]);
    let data = &mails[0].data;
    assert!(data.contains("multipart/alternative"), "{data}");
    assert!(data.contains("text/html") && data.contains("text/plain"), "{data}");
    assert!(data.contains("From: ") && data.contains("tonlage@vaxjo.example"), "{data}");
}

/// Debian's `python3-aiosmtpd` (RFC 5321 server) as its own process on 127.0.0.1, keeping what it
/// receives in a Maildir. `None` when the package is missing, unless the run requires it.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    const PYTHON: &'static str = "/usr/bin/python3";

    fn start() -> Option<SmtpServer> {
        let present = Command::new(Self::PYTHON)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !present {
            assert!(
                std::env::var("TONLAGE_REQUIRE_SMTP").is_err(),
                "TONLAGE_REQUIRE_SMTP is set but {} cannot import aiosmtpd (apt-get install python3-aiosmtpd)",
                Self::PYTHON
            );
            eprintln!("skipped: Debian's python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
            return None;
        }
        let maildir = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new(Self::PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = SmtpServer { child, port, maildir };
        wait_for("aiosmtpd to listen", 20, || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
        Some(server)
    }

    /// The messages in the Maildir, as text.
    fn messages(&self) -> Vec<String> {
        let new = self.maildir.path().join("mail").join("new");
        let Ok(entries) = std::fs::read_dir(new) else { return Vec::new() };
        entries.flatten().map(|e| String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned()).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn digest_send_is_accepted_by_a_real_smtp_server_process() {
    let Some(server) = SmtpServer::start() else { return };
    let f = Fixture::start();
    let feed = rss(&f).replace("<guid>g1</guid>", "<guid>g1</guid><pubDate>Tue, 03 Mar 2026 10:00:00 +0100</pubDate>");
    f.route("/rss.xml", Resp::ok("application/rss+xml", feed));
    let app = App::new(&format!(
        "{}\n[digest]\nrecipients = [\"kommunikation@vaxjo.example\"]\n\
         [smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"Tonläge <tonlage@vaxjo.example>\"\n",
        feed_toml("rss", &f.url("/rss.xml"), "full_text = false"),
        server.port
    ));
    app.ok(&["fetch"]);
    let out = app.run(&["digest", "--week", "2026-W10", "--send"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    wait_for("the message in the Maildir", 10, || !server.messages().is_empty());
    let mails = server.messages();
    assert_eq!(mails.len(), 1, "one message for one recipient");
    let m = &mails[0];
    if std::env::var("TONLAGE_SHOW_MAIL").is_ok() {
        eprintln!("{m}");
    }
    // aiosmtpd records the envelope beside the headers the message carries.
    assert!(m.contains("X-RcptTo: kommunikation@vaxjo.example"), "{m}");
    assert!(m.contains("X-MailFrom: tonlage@vaxjo.example"), "{m}");
    assert!(m.contains("To: kommunikation@vaxjo.example"), "{m}");
    assert!(m.contains("Subject: ") && m.contains("vecka 10, 2026"), "the subject names the week: {m}");
    assert!(m.contains("Skottlossning i Araby"), "the week's story is in the digest: {m}");
    assert!(m.contains("multipart/alternative") && m.contains("text/html") && m.contains("text/plain"), "{m}");
}

#[test]
fn digest_send_without_recipients_is_a_usage_error() {
    let f = Fixture::start();
    f.route("/rss.xml", Resp::ok("application/rss+xml", rss(&f)));
    let app = App::new(&feed_toml("rss", &f.url("/rss.xml"), "full_text = false"));
    let out = app.run(&["digest", "--send"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("recipients"));
}

/// A running `tonlage run` whose stderr is collected as it comes.
struct Running {
    child: Child,
    log: Arc<Mutex<String>>,
}

fn start(app: &App, port: u16) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tonlage"))
        .arg("--config")
        .arg(app.config())
        .arg("--data")
        .arg(app.data())
        .arg("run")
        .env("TONLAGE_WEB_LISTEN", format!("127.0.0.1:{port}"))
        .env("TONLAGE_LOG", "warn,tonlage=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log: Arc<Mutex<String>> = Arc::default();
    let (l, mut err) = (log.clone(), child.stderr.take().unwrap());
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = err.read(&mut buf) {
            if n == 0 {
                break;
            }
            l.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    Running { child, log }
}

impl Running {
    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

fn stop(mut r: Running) -> String {
    extern "C" {
        fn kill(pid: i32, sig: i32) -> i32;
    }
    unsafe { kill(r.child.id() as i32, 15) };
    let end = Instant::now() + Duration::from_secs(20);
    while Instant::now() < end && r.child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = r.child.kill();
    let _ = r.child.wait();
    std::thread::sleep(Duration::from_millis(100));
    r.log()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn run_sends_the_due_digest_once_per_week_across_a_restart() {
    let f = Fixture::start();
    let sink = Sink::start();
    // Monday 00:00 of this week has always passed: last week's digest is due now.
    let app = app_with_smtp(&f, &sink, "weekday = \"monday\"\ntime = \"00:00\"");
    let child = start(&app, free_port());
    wait_for("the scheduled digest", 30, || sink.count() >= 1);
    wait_for("a poll", 30, || f.hits("/rss.xml") >= 1);
    let err = stop(child);
    assert!(err.contains("scheduled digest sent"), "{err}");
    assert_eq!(sink.count(), 1);

    // Restarted: the store remembers the send, so nothing goes out again.
    let child = start(&app, free_port());
    wait_for("the schedule check after restart", 30, || child.log().contains("digest already sent"));
    std::thread::sleep(Duration::from_millis(300));
    let err = stop(child);
    assert!(!err.contains("scheduled digest sent"), "{err}");
    assert_eq!(sink.count(), 1, "sent once per week");
    let mails = sink.mails();
    assert!(mails[0].data.contains("text/html"));
    let out = app.run(&["digest", "--format", "json"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("arkivet"), "the sent digest is stored");
}
