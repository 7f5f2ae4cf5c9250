//! Commands that only read: `check`, `search`, `extract`. They work beside a running `tonlage run`.

use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Stockholm;

use super::{open_index, open_store, SearchArgs, UsageError};
use crate::config::Config;

pub(super) fn check(config: &Config, data: &Path) -> anyhow::Result<()> {
    println!("Konfigurationen {} är giltig.", config.path.display());
    println!("{} flöden, {} områden.", config.feeds.len(), config.districts.len());
    // The store may not exist yet on a fresh install; its state is a bonus, never a requirement.
    let states = if data.join("tonlage.db").exists() {
        open_store(data).and_then(|s| Ok(s.feed_states()?)).unwrap_or_default()
    } else {
        Vec::new()
    };
    let show = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.with_timezone(&Stockholm).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "–".into())
    };
    for f in &config.feeds {
        println!(
            "\n[{}] {}\n  url: {}\n  fulltext: {}, var {} min{}",
            f.id,
            f.name,
            f.url,
            f.full_text,
            f.poll_minutes,
            f.content_selector.as_deref().map(|s| format!(", selektor: {s}")).unwrap_or_default()
        );
        match states.iter().find(|s| s.id == f.id) {
            Some(s) => {
                println!(
                    "  senast lyckad: {}, senaste försök: {}, nästa: {}",
                    show(s.last_success),
                    show(s.last_attempt),
                    show(s.next_due)
                );
                println!("  artiklar: {}, misslyckanden i rad: {}", s.articles, s.consecutive_failures);
                if let Some(e) = &s.last_error {
                    println!("  senaste fel: {e}");
                }
                if let Some(w) = &s.last_warning {
                    println!("  varning: {w}");
                }
            }
            None => println!("  aldrig hämtat"),
        }
    }
    for d in &config.districts {
        println!("\nområde [{}] {} ({}): {}", d.id, d.name, d.municipality, d.aliases.join(", "));
    }
    Ok(())
}

pub(super) fn extract_cmd(
    config_path: &Path,
    url: Option<String>,
    selector: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).context("cannot read the page from stdin")?;
    let (html, encoding) = crate::fetch::decode_text(&bytes, None);
    // The feed whose host matches --url lends its content_selector, as in a real fetch.
    let selector = selector.or_else(|| {
        let host = url::Url::parse(url.as_deref()?).ok()?.host_str()?.trim_start_matches("www.").to_string();
        let config = Config::load(config_path).ok()?;
        config
            .feeds
            .iter()
            .find(|f| f.url.host_str().map(|h| h.trim_start_matches("www.")) == Some(host.as_str()))
            .and_then(|f| f.content_selector.clone())
    });
    let ex = crate::extract::extract(&html, selector.as_deref()).map_err(|e| UsageError(e.to_string()))?;
    if json {
        let v = serde_json::json!({
            "title": ex.title, "text": ex.text, "published": ex.published.map(|d| d.to_rfc3339()),
            "method": ex.method, "encoding": encoding, "selector": selector,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        eprintln!(
            "[metod: {:?}, teckenkodning: {encoding}{}]",
            ex.method,
            selector.map(|s| format!(", selektor: {s}")).unwrap_or_default()
        );
        if let Some(t) = &ex.title {
            println!("{t}\n");
        }
        println!("{}", ex.text);
    }
    Ok(())
}

pub(super) fn search(data: &Path, args: SearchArgs) -> anyhow::Result<()> {
    let params = crate::search::SearchParams {
        q: args.query.clone(),
        limit: Some(args.limit),
        offset: Some(args.offset),
        district: args.district.clone(),
        source: args.source.clone(),
        tone: args.tone.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        sort: Some(args.sort.clone()),
    };
    // Flag names lead the message, as the user typed them.
    let query = params.to_query().map_err(|e| UsageError(format!("--{e}")))?;
    let store = open_store(data)?;
    let index = open_index(data, false)?;
    let out = crate::search::run(&store, &index, &query, args.with_text)?;
    if args.json {
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    let bold = std::io::stdout().is_terminal();
    println!("{} träffar", out.total);
    for h in &out.hits {
        let tones: Vec<String> = h.districts.iter().map(|d| format!("{}: {}", d.id, d.label)).collect();
        let title = if bold { format!("\x1b[1m{}\x1b[0m", h.title) } else { h.title.clone() };
        let date = if h.undated { "utan datum" } else { h.published.as_str() };
        println!("\n{title}\n  {} · {} · {}\n  {}", h.source, date, tones.join(", "), h.url);
        if !h.snippet.is_empty() {
            println!("  {}", h.snippet);
        }
    }
    Ok(())
}

/// GET /healthz on `[web] listen` with a plain socket: the container image needs no curl.
pub(super) fn healthcheck(config: &Config) -> anyhow::Result<()> {
    use std::io::Write;
    let addr: std::net::SocketAddr = config.web.listen.parse().context("[web] listen")?;
    let mut s = std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(3))
        .with_context(|| format!("nothing answers on {addr}"))?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(3)))?;
    write!(s, "GET /healthz HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    if reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.0 200") {
        Ok(())
    } else {
        anyhow::bail!("/healthz answered {:?}", reply.lines().next().unwrap_or(""))
    }
}

/// DATE (inclusive, Europe/Stockholm) for commands: a bad date is a usage error (exit 2).
pub(super) fn local_day(s: &str, end: bool) -> Result<chrono::DateTime<chrono::Utc>, UsageError> {
    crate::search::local_day(s, end).map_err(|e| UsageError(e.to_string()))
}
