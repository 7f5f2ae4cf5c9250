//! `stats` (a district's weekly series) and `digest` (the weekly tone digest: print, store, mail).
//! `stats` and `digest` without `--send` only read, beside a running `tonlage run`; a finished
//! week's digest is stored the first time it is built.

use std::path::Path;

use chrono::Utc;

use super::read::local_day;
use super::{open_store, runtime, UsageError};
use crate::config::Config;
use crate::digest::{self, Week};

#[derive(clap::Args)]
pub(crate) struct StatsArgs {
    /// The district's id from feeds.toml.
    #[arg(long)]
    district: String,
    /// First day (YYYY-MM-DD, Europe/Stockholm); its whole ISO week is shown. Default: 12 weeks back.
    #[arg(long)]
    from: Option<String>,
    /// Last day (YYYY-MM-DD, inclusive); default today.
    #[arg(long)]
    to: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub(crate) struct DigestArgs {
    /// ISO week like 2026-W47; default the last complete week.
    #[arg(long)]
    week: Option<String>,
    /// html, md or json.
    #[arg(long, default_value = "md")]
    format: String,
    /// Mail it to [digest] recipients through [smtp].
    #[arg(long)]
    send: bool,
    /// Build it again from the store even if the week's digest is stored (and store the new one).
    #[arg(long)]
    rebuild: bool,
}

pub(super) fn stats(config: &Config, data: &Path, args: StatsArgs) -> anyhow::Result<()> {
    let district = config.districts.iter().find(|d| d.id == args.district).ok_or_else(|| {
        let known: Vec<&str> = config.districts.iter().map(|d| d.id.as_str()).collect();
        UsageError(format!(
            "--district {:?}: no such district in {} (known: {})",
            args.district,
            config.path.display(),
            known.join(", ")
        ))
    })?;
    let now = Utc::now();
    let to = match &args.to {
        Some(s) => Week::of(local_day(s, false)?),
        None => Week::of(now),
    };
    let from = match &args.from {
        Some(s) => Week::of(local_day(s, false)?),
        None => to.minus(11),
    };
    if from > to {
        return Err(UsageError(format!("--from {from} is after --to {to}")).into());
    }
    if to.monday().signed_duration_since(from.monday()).num_days() > 7 * 53 * 30 {
        return Err(UsageError("the range is longer than 30 years".into()).into());
    }
    let store = open_store(data)?;
    let series = digest::series(&store, district, from, to)?;
    if args.json {
        println!("{}", serde_json::to_string(&series)?);
        return Ok(());
    }
    println!("{} ({}): {} – {}", series.name, series.district, series.from, series.to);
    println!(
        "{:<9} {:>8} {:>8} {:>6} {:>5} {:>6} {:>5} {:>11} {:>9} {:>9} {:>8}",
        "Vecka", "Artiklar", "Nyheter", "Stigm", "Neg", "Neutr", "Pos", "Stigmaandel", "Baslinje", "Nettoton", "Andel"
    );
    let pct = |x: f64| format!("{} %", (x * 100.0).round() as i64);
    for b in &series.buckets {
        println!(
            "{:<9} {:>8} {:>8} {:>6} {:>5} {:>6} {:>5} {:>11} {:>9} {:>9} {:>8}{}",
            b.week,
            b.articles,
            b.stories,
            b.labels.stigmatizing,
            b.labels.negative,
            b.labels.neutral,
            b.labels.positive,
            if b.stories > 0 { pct(b.stigma_share) } else { "–".into() },
            pct(b.baseline_stigma_share),
            if b.stories > 0 { format!("{:+.2}", b.net_tone).replace('.', ",") } else { "–".into() },
            pct(b.share_of_all_articles),
            if b.spike { "  ⚠" } else { "" }
        );
    }
    println!(
        "\nNyheter räknas en gång per område och vecka även när flera medier publicerat dem; etiketterna räknar nyheter.\n\
         Baslinje: stigmatiserande andel de åtta veckorna innan. Andel: områdets andel av alla lagrade artiklar.\n\
         ⚠ = fler stigmatiserande nyheter än områdets egen baslinje förklarar (minst 3, p < 0,05)."
    );
    Ok(())
}

pub(super) fn digest_cmd(config: &Config, data: &Path, args: DigestArgs) -> anyhow::Result<()> {
    let now = Utc::now();
    let week = match &args.week {
        Some(w) => {
            Week::parse(w).ok_or_else(|| UsageError(format!("--week {w:?} is not an ISO week like 2026-W47")))?
        }
        None => Week::last_complete(now),
    };
    if !matches!(args.format.as_str(), "html" | "md" | "json") {
        return Err(UsageError(format!("--format {:?}: expected html, md or json", args.format)).into());
    }
    if args.send {
        if config.digest.recipients.is_empty() {
            return Err(UsageError(format!(
                "{}: [digest] recipients is empty: nobody to send to",
                config.path.display()
            ))
            .into());
        }
        if config.smtp.host.trim().is_empty() || config.smtp.from.trim().is_empty() {
            return Err(
                UsageError(format!("{}: [smtp] host and from must be set to send", config.path.display())).into()
            );
        }
    }
    let store = open_store(data)?;
    let r = digest::prepare(&store, config, week, now, args.rebuild)?;
    match args.format.as_str() {
        "html" => print!("{}", r.html),
        "json" => println!("{}", r.json),
        _ => print!("{}", r.markdown),
    }
    if r.stored {
        eprintln!("(veckobrevet för {week} lästes från arkivet; --rebuild bygger om det)");
    }
    if args.send {
        let subject = digest::subject(&r.digest);
        let mail =
            digest::Mail { subject: &subject, text: &r.markdown, html: &r.html, recipients: &config.digest.recipients };
        runtime()?.block_on(digest::send(&config.smtp, digest::smtp_password(&config.smtp), &mail))?;
        if week.end() <= now {
            store.mark_digest_sent(&week.to_string(), Utc::now(), &config.digest.recipients.join(", "), None)?;
        }
        eprintln!("Skickade veckobrevet för {week} till {} mottagare.", config.digest.recipients.len());
    }
    Ok(())
}
