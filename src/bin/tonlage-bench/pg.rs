//! The same archive in PostgreSQL full-text search (what an operator might pick instead):
//! `to_tsvector('swedish', …)` with a GIN index, the same query shapes, latency and size side by side.
//! Runs a throw-away cluster as the `postgres` user on a Unix socket only (no TCP listener).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::searching::percentiles;

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

struct Cluster {
    dir: PathBuf,
}

fn as_postgres(cmd: &str) -> anyhow::Result<std::process::Output> {
    let out = Command::new("runuser").args(["-u", "postgres", "--", "sh", "-c", cmd]).output()?;
    anyhow::ensure!(out.status.success(), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
    Ok(out)
}

impl Cluster {
    fn start(dir: &Path) -> anyhow::Result<Cluster> {
        std::fs::create_dir_all(dir)?;
        Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir).status()?;
        let d = dir.display();
        as_postgres(&format!("{PG_BIN}/initdb -D {d}/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null"))?;
        as_postgres(&format!(
            "{PG_BIN}/pg_ctl -D {d}/data -l {d}/log -w -o \"-c listen_addresses='' -k {d} -c shared_buffers=512MB -c work_mem=64MB -c max_wal_size=4GB\" start >/dev/null"
        ))?;
        Ok(Cluster { dir: dir.to_path_buf() })
    }

    fn psql(&self, sql_file: &Path) -> anyhow::Result<String> {
        let out = as_postgres(&format!(
            "psql -X -q -h {} -U postgres -d postgres -v ON_ERROR_STOP=1 -f {}",
            self.dir.display(),
            sql_file.display()
        ))?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_postgres(&format!("{PG_BIN}/pg_ctl -D {}/data -m fast stop >/dev/null", self.dir.display()));
    }
}

fn tsv_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace(['\t', '\n', '\r'], " ")
}

/// Loads the archive in `data` (built by `search`) into PostgreSQL and measures the query mix.
pub fn run(data: &Path, runs: usize) -> anyhow::Result<()> {
    let work = tempfile::Builder::new().prefix("tonlage-pg").tempdir_in("/tmp")?;
    std::fs::set_permissions(work.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777))?;
    // Export from our own store, so both sides hold exactly the same articles and labels.
    let tsv = work.path().join("articles.tsv");
    {
        let conn = rusqlite::Connection::open(data.join("tonlage.db"))?;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tsv)?);
        let mut stmt = conn.prepare(
            "SELECT a.uid, a.title, a.text, a.published_at,
                    COALESCE((SELECT group_concat(district_id, ',') FROM labels l WHERE l.article_id = a.id), ''),
                    COALESCE((SELECT group_concat(district_id || ':' || label, ',') FROM labels l WHERE l.article_id = a.id), '')
             FROM articles a",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (uid, title, text, ts, ds, dts): (String, String, String, i64, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
            writeln!(f, "{uid}\t{}\t{}\t{ts}\t{{{ds}}}\t{{{dts}}}", tsv_escape(&title), tsv_escape(&text))?;
        }
    }
    std::fs::set_permissions(&tsv, std::os::unix::fs::PermissionsExt::from_mode(0o644))?;
    let cluster = Cluster::start(&work.path().join("pg"))?;
    let load = work.path().join("load.sql");
    std::fs::write(
        &load,
        format!(
            "CREATE TABLE staging (uid text, title text, body text, ts bigint, districts text[], district_tones text[]);
             \\copy staging FROM '{}'
             CREATE TABLE a AS SELECT uid, title, body, to_timestamp(ts) AS published, districts, district_tones,
                 to_tsvector('swedish', title || ' ' || body) AS tsv FROM staging;
             DROP TABLE staging;
             \\timing on
             CREATE INDEX a_tsv ON a USING gin (tsv);
             CREATE INDEX a_districts ON a USING gin (districts);
             CREATE INDEX a_district_tones ON a USING gin (district_tones);
             CREATE INDEX a_published ON a (published);
             \\timing off
             VACUUM ANALYZE a;
             \\pset format unaligned
             \\pset tuples_only on
             SELECT 'size', pg_total_relation_size('a'), pg_relation_size('a_tsv');",
            tsv.display()
        ),
    )?;
    let t = std::time::Instant::now();
    let out = cluster.psql(&load)?;
    let load_secs = t.elapsed().as_secs_f64();
    let size_line = out.lines().find(|l| l.starts_with("size|")).unwrap_or("");
    let nums: Vec<f64> = size_line.split('|').filter_map(|s| s.trim().parse().ok()).collect();
    let (total, gin) = (nums.first().copied().unwrap_or(f64::NAN), nums.get(1).copied().unwrap_or(f64::NAN));
    println!("PostgreSQL 15 full-text search (to_tsvector('swedish'), GIN) on the same archive:");
    println!(
        "  load + tsvector + indexes: {load_secs:.0} s; table+indexes {:.0} MB, of which the text GIN index {:.0} MB",
        total / 1e6,
        gin / 1e6
    );
    let top = |where_: &str, order: &str| {
        format!("SELECT uid, count(*) OVER () FROM a WHERE {where_} ORDER BY {order} LIMIT 20;")
    };
    let rank = |q: &str| format!("ts_rank(tsv, {q}) DESC");
    let shapes: Vec<(&str, String)> = vec![
        ("single term (common)", top("tsv @@ to_tsquery('swedish', 'polisen')", &rank("to_tsquery('swedish', 'polisen')"))),
        ("single term (rare)", top("tsv @@ to_tsquery('swedish', 'explosion')", &rank("to_tsquery('swedish', 'explosion')"))),
        ("AND of two terms", top("tsv @@ to_tsquery('swedish', 'skolan & resultat')", &rank("to_tsquery('swedish', 'skolan & resultat')"))),
        ("phrase", top("tsv @@ phraseto_tsquery('swedish', 'ny mötesplats')", &rank("phraseto_tsquery('swedish', 'ny mötesplats')"))),
        ("phrase of common words", top("tsv @@ phraseto_tsquery('simple', 'för att')", &rank("phraseto_tsquery('simple', 'för att')"))),
        (
            "term + district + year",
            top("tsv @@ to_tsquery('swedish', 'polisen') AND districts @> ARRAY['araby'] AND published >= '2025-01-01' AND published < '2026-01-01'", &rank("to_tsquery('swedish', 'polisen')")),
        ),
        ("district + tone, by date", top("district_tones @> ARRAY['rinkeby:stigmatizing']", "published DESC")),
        (
            "district x week aggregation",
            "SELECT date_trunc('week', published AT TIME ZONE 'Europe/Stockholm') w, count(*) FROM a WHERE districts @> ARRAY['araby'] GROUP BY w;".into(),
        ),
    ];
    println!("  latency, {runs} runs per shape, psql over a Unix socket (ms: p50 / p95 / p99)");
    for (name, sql) in shapes {
        let file = work.path().join("q.sql");
        // One untimed run for the hit count, then the timed runs with output discarded.
        let mut body = format!("\\pset format unaligned\n\\pset tuples_only on\n{sql}\n\\timing on\n\\o /dev/null\n");
        for _ in 0..runs {
            body.push_str(&sql);
            body.push('\n');
        }
        std::fs::write(&file, body)?;
        let out = cluster.psql(&file)?;
        let times: Vec<f64> =
            out.lines().filter_map(|l| l.strip_prefix("Time: ")?.split_whitespace().next()?.parse().ok()).collect();
        anyhow::ensure!(!times.is_empty(), "no timings from psql for {name}");
        let hits = out.lines().next().and_then(|l| l.split('|').nth(1)).unwrap_or("0");
        let (a, b, c) = percentiles(times);
        println!("  {name:<28} {hits:>8} hits  {a:>7.2} / {b:>7.2} / {c:>7.2}");
    }
    Ok(())
}
