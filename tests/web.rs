//! The web UI and API over plain HTTP against the real `tonlage run`: login is required, sessions,
//! CSRF and roles are enforced, guessing is rate-limited, headers are strict, tokens work, and
//! the API answers exactly what the CLI prints.

mod common;
mod webapp;

use common::{run_with, App};
use webapp::{encode, Server, ADMIN, EDITOR, VIEWER};

#[test]
fn without_login_the_api_answers_401_and_pages_redirect() {
    let s = Server::start();
    let r = s.get("/api/search?q=Araby", "");
    assert_eq!(r.status, 401);
    assert!(r.json()["error"].as_str().unwrap().contains("Bearer"));
    for path in ["/api/districts/araby/series", "/api/feeds", "/api/openapi.json", "/api/articles/x"] {
        assert_eq!(s.get(path, "").status, 401, "{path}");
    }
    let r = s.get("/search?q=skola", "");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/login?next=%2Fsearch%3Fq%3Dskola"));
    assert_eq!(s.get("/districts/araby", "tonlage_session=forged").status, 303, "a made-up session is no session");
    assert_eq!(s.get("/healthz", "").status, 200);
    let login = s.get("/login", "");
    assert_eq!(login.status, 200);
    assert!(login.body.contains("<form method=\"post\" action=\"/login\""));
    assert_eq!(s.get("/static/app.css", "").status, 200);
    // Every answer carries the security headers, the redirect and the 401 too.
    for r in [&login, &s.get("/search", ""), &s.get("/api/feeds", "")] {
        let csp = r.header("content-security-policy").expect("CSP on every answer");
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    }
    let cookie = login.set_cookie_line("tonlage_login").unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
    // Behind a TLS proxy the cookies become Secure.
    let tls = s.req("GET", "/login", &[("X-Forwarded-Proto", "https")], "");
    assert!(tls.set_cookie_line("tonlage_login").unwrap().contains("; Secure"));
}

#[test]
fn sessions_csrf_roles_and_login_rate_limit() {
    let s = Server::start();
    // A login form posted without its token cookie (from another site) is refused.
    let forged = encode(&[("username", EDITOR.0), ("password", EDITOR.1), ("token", "abc")]);
    let r = s.req("POST", "/login", &[("Content-Type", "application/x-www-form-urlencoded")], &forged);
    assert_eq!(r.status, 403);
    assert!(r.cookie("tonlage_session").is_none());

    let editor = s.login(EDITOR);
    let page = s.get("/search?q=Araby", &editor);
    assert_eq!(page.status, 200);
    let csrf = page.field("csrf").expect("the logout form carries the CSRF token");
    assert_eq!(csrf.len(), 64);

    let id = s.article_id("Skottlossning i Araby");
    let path = format!("/articles/{id}/corrections");
    let form = |token: &str| {
        encode(&[("csrf", token), ("district", "araby"), ("label", "negative"), ("note", "enskild händelse")])
    };
    let post = |cookie: &str, body: &str| {
        s.req("POST", &path, &[("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")], body)
    };
    assert_eq!(post(&editor, &form("")).status, 403, "no CSRF token");
    assert_eq!(post(&editor, &form(&"0".repeat(64))).status, 403, "wrong CSRF token");
    let viewer = s.login(VIEWER);
    let viewer_csrf = s.get("/search", &viewer).field("csrf").unwrap();
    assert_eq!(post(&viewer, &form(&viewer_csrf)).status, 403, "viewers may not correct");
    let article = s.get(&format!("/articles/{id}"), &viewer);
    assert!(!article.body.contains("class=\"correct\""), "no correction form for viewers");
    assert!(s.get(&format!("/api/articles/{id}/corrections"), &viewer).json().as_array().unwrap().is_empty());

    let ok = post(&editor, &form(&csrf));
    assert_eq!(ok.status, 303, "{}", ok.body);
    let corrections = s.get(&format!("/api/articles/{id}/corrections"), &viewer).json();
    assert_eq!(corrections[0]["user"], EDITOR.0);
    assert_eq!(corrections[0]["label"], "negative");
    assert_eq!(corrections[0]["machine_label"], "stigmatizing");
    let page = s.get(&format!("/articles/{id}"), &viewer);
    assert!(page.body.contains(EDITOR.0) && page.body.contains("enskild händelse"), "who and why are shown");
    // The correction reaches search filters at once.
    let hits = s.get("/api/search?q=*&district=araby&tone=negative", &viewer).json();
    assert!(hits["hits"].as_array().unwrap().iter().any(|h| h["id"] == id.as_str()), "{hits}");
    let gold = s.get("/corrections.jsonl", &viewer);
    let line: serde_json::Value = serde_json::from_str(gold.body.lines().next().unwrap()).unwrap();
    assert_eq!(
        (line["id"].as_str(), line["district"].as_str(), line["label"].as_str()),
        (Some(id.as_str()), Some("araby"), Some("negative"))
    );
    assert!(line["text"].as_str().unwrap().contains("skott"));

    // Logging out ends the session server-side.
    let out = s.req(
        "POST",
        "/logout",
        &[("Cookie", &editor), ("Content-Type", "application/x-www-form-urlencoded")],
        &encode(&[("csrf", &csrf)]),
    );
    assert_eq!(out.status, 303);
    assert_eq!(s.get("/search", &editor).status, 303);

    // Five wrong passwords lock the account for a while, even for the right one; others go on.
    for _ in 0..5 {
        assert_eq!(s.try_login(VIEWER.0, "fel lösenord").status, 401);
    }
    let locked = s.try_login(VIEWER.0, VIEWER.1);
    assert_eq!(locked.status, 429);
    assert!(locked.cookie("tonlage_session").is_none());
    s.login(EDITOR);
}

#[test]
fn tokens_and_the_api_agree_with_the_cli() {
    let s = Server::start();
    let token_for = |role: &str| {
        let out = run_with(
            &s.app.config(),
            &s.app.data(),
            &["token", "add", &format!("skript-{role}"), "--role", role],
            None,
        );
        assert!(out.status.success());
        let stdout = String::from_utf8(out.stdout).unwrap();
        let last = stdout.lines().last().unwrap().to_string();
        assert!(last.starts_with("tlg_") && !last.contains(' '), "the token alone on the last line: {stdout}");
        format!("Bearer {last}")
    };
    let viewer = token_for("viewer");
    let editor = token_for("editor");
    let api = |auth: &str, path: &str| s.req("GET", path, &[("Authorization", auth)], "");
    assert_eq!(api("Bearer tlg_nonsense", "/api/feeds").status, 401);

    for (query, args) in [
        ("q=Araby&district=araby&tone=stigmatizing", vec!["Araby", "--district", "araby", "--tone", "stigmatizing"]),
        ("q=*&limit=3&from=2000-01-01", vec!["*", "--limit", "3", "--from", "2000-01-01"]),
        ("q=festival%20OR%20bibliotek&source=lokalt", vec!["festival OR bibliotek", "--source", "lokalt"]),
    ] {
        let r = api(&viewer, &format!("/api/search?{query}"));
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json(), s.app.search(&args), "/api/search?{query} equals search --json");
    }
    assert!(s.app.search(&["Araby", "--district", "araby", "--tone", "stigmatizing"])["total"].as_u64().unwrap() >= 2);
    let bad = api(&viewer, "/api/search?q=x&from=igår");
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"].as_str().unwrap().contains("igår"));

    let openapi = api(&viewer, "/api/openapi.json").json();
    assert!(openapi["paths"]["/api/search"]["get"].is_object());
    let series = api(&viewer, "/api/districts/araby/series").json();
    assert_eq!(series["district"], "araby");
    let buckets = series["buckets"].as_array().unwrap();
    let articles: u64 = buckets.iter().map(|b| b["articles"].as_u64().unwrap()).sum();
    let stig: u64 = buckets.iter().map(|b| b["labels"]["stigmatizing"].as_u64().unwrap()).sum();
    assert_eq!(articles, 4, "four fixture articles name Araby");
    assert!(stig >= 2, "{series}");
    for b in buckets {
        assert!(b["week"].as_str().unwrap().contains("-W") && b["stories"].is_u64() && b["stigma_share"].is_f64());
    }
    assert_eq!(api(&viewer, "/api/districts/nowhere/series").status, 404);
    // The series and the digest over the API are exactly what `stats --json` and `digest --format json` print.
    let stats: serde_json::Value =
        serde_json::from_str(&s.app.ok(&["stats", "--district", "araby", "--json"])).unwrap();
    assert_eq!(series, stats, "/api/districts/araby/series equals stats --json");
    let week = stats["buckets"].as_array().unwrap().last().unwrap()["week"].as_str().unwrap().to_string();
    let mut digest: serde_json::Value =
        serde_json::from_str(&s.app.ok(&["digest", "--week", &week, "--format", "json"])).unwrap();
    let over_api = api(&viewer, &format!("/api/digests/{week}"));
    assert_eq!(over_api.status, 200, "{}", over_api.body);
    // This week is not over, so each call builds it anew: only the build time may differ.
    let mut over_api = over_api.json();
    for v in [&mut digest, &mut over_api] {
        v.as_object_mut().unwrap().remove("generated_at");
    }
    assert_eq!(over_api, digest, "/api/digests/{week} equals digest --format json");
    assert!(digest["districts"].as_array().unwrap().iter().any(|d| d["id"] == "araby"), "{digest}");
    assert_eq!(api(&viewer, "/api/digests/2026-W99").status, 400);
    assert!(openapi["paths"]["/api/digests/{week}"]["get"].is_object());

    let feeds = api(&viewer, "/api/feeds").json();
    let broken = feeds.as_array().unwrap().iter().find(|f| f["id"] == "trasig").unwrap();
    assert!(broken["consecutive_failures"].as_u64().unwrap() >= 1 && broken["last_error"].is_string());
    assert_eq!(broken["last_error_kind"], "http:500");

    let id = s.article_id("Nytt bibliotek");
    let article = api(&viewer, &format!("/api/articles/{id}")).json();
    assert_eq!(article["districts"][0]["label"], "positive");
    assert!(!article["districts"][0]["evidence"].as_array().unwrap().is_empty());
    let body = r#"{"district": "araby", "label": "neutral"}"#;
    let post = |auth: &str| {
        s.req(
            "POST",
            &format!("/api/articles/{id}/corrections"),
            &[("Authorization", auth), ("Content-Type", "application/json")],
            body,
        )
    };
    let positive = |series: &serde_json::Value| -> u64 {
        series["buckets"].as_array().unwrap().iter().map(|b| b["labels"]["positive"].as_u64().unwrap()).sum()
    };
    let before = positive(&stats);
    assert_eq!(post(&viewer).status, 403);
    let created = post(&editor);
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()[0]["user"], "skript-editor");
    // The correction counts in the figures at once, over the API and in the CLI alike.
    let series = api(&viewer, "/api/districts/araby/series").json();
    assert_eq!(positive(&series), before - 1, "{series}");
    let stats: serde_json::Value =
        serde_json::from_str(&s.app.ok(&["stats", "--district", "araby", "--json"])).unwrap();
    assert_eq!(series, stats, "after a correction too");
}

#[test]
fn pages_escape_feed_content_and_export_everything() {
    let s = Server::start();
    let cookie = s.login(VIEWER);
    let page = s.get("/search?q=fest", &cookie);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<script>window"), "feed text is never markup");
    assert!(!page.body.contains("onerror=\"window"));
    let fest = s.app.search(&["fest"]);
    assert!(fest["hits"][0]["snippet"].as_str().unwrap().contains("<script>"), "the feed delivers markup as text");
    assert!(page.body.contains("&lt;script&gt;window.__xss=3&lt;/script&gt;"), "snippets too");
    assert!(page.body.contains("<svg"), "attention chart drawn");
    let xss = fest["hits"][0]["id"].as_str().unwrap();
    let article = s.get(&format!("/articles/{xss}"), &cookie);
    assert!(!article.body.contains("<script>window") && !article.body.contains("href=\"javascript:"));

    // The export holds every match, not one page, and defuses formulas.
    let csv = s.get("/search.csv?q=*", &cookie);
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let rows = csv.body.lines().count() - 1;
    assert_eq!(rows, webapp::ITEMS.len());
    let dash = s.get("/districts/araby", &cookie);
    assert!(dash.body.contains("class=\"bar\"") && dash.body.contains("Skottlossning i Araby"));
    let svg = s.get("/districts/araby/chart.svg", &cookie);
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert!(svg.body.starts_with("<svg xmlns="));
    let data = s.get("/districts/dalbo/series.csv", &cookie);
    assert!(data.body.starts_with("district,week,articles"));
    let sources = s.get("/sources", &cookie);
    assert!(sources.body.contains("trasig") && sources.body.contains("HTTP 500"), "{}", sources.body);
    // The failure in the reader's words first, the technical message beneath it.
    assert!(sources.body.contains("Fel hos nyhetssajtens server"), "{}", sources.body);
    // English on request, remembered in a cookie.
    let en = s.get("/districts?lang=en", &cookie);
    assert!(en.body.contains("Compare districts"));
    assert!(en.set_cookie_line("tonlage_lang").unwrap().starts_with("tonlage_lang=en"));
    assert!(s.get("/sources", &cookie).body.contains("Senast lyckad"), "Swedish by default");

    // Past digests: listed once stored, shown as mailed, and in an Atom feed; feed text stays text.
    let week = s.app.ok(&["digest", "--format", "json"]);
    let week = serde_json::from_str::<serde_json::Value>(&week).unwrap()["week"].as_str().unwrap().to_string();
    let list = s.get("/digests", &cookie);
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&format!("href=\"/digests/{week}\"")), "{}", list.body);
    let shown = s.get(&format!("/digests/{week}"), &cookie);
    assert_eq!(shown.status, 200);
    let csp = shown.header("content-security-policy").unwrap();
    assert!(
        csp.contains("style-src 'unsafe-inline'") && !csp.contains("script-src"),
        "mail styles, never scripts: {csp}"
    );
    assert!(!shown.body.contains("<script"), "no markup from feeds in the digest");
    let atom = s.get("/digests.atom", &cookie);
    assert!(atom.header("content-type").unwrap().starts_with("application/atom+xml"));
    assert!(atom.body.contains(&format!("<id>urn:tonlage:digest:{week}</id>")), "{}", atom.body);
    assert_eq!(s.get("/digests.atom", "").status, 303, "the feed needs a login too");
}

#[test]
fn account_commands_refuse_bad_input() {
    let app = App::new("");
    let run = |args: &[&str], stdin: &str| run_with(&app.config(), &app.data(), args, Some(stdin.as_bytes()));
    let short = run(&["user", "add", "anna", "--role", "editor"], "kort\n");
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));
    let role = run(&["token", "add", "skript", "--role", "chef"], "");
    assert_eq!(role.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&role.stderr).contains("viewer, editor or admin"));
    let name = run(&["user", "add", "två ord", "--role", "viewer"], "ett långt lösenord\n");
    assert_eq!(name.status.code(), Some(2));
    let ok = run(&["user", "add", "anna", "--role", "editor"], "ett långt lösenord\n");
    assert!(ok.status.success() && String::from_utf8_lossy(&ok.stdout).contains("skapat"));
    let again = run(&["user", "add", "anna", "--role", "admin"], "ett annat långt lösenord\n");
    assert!(String::from_utf8_lossy(&again.stdout).contains("uppdaterat"));
}

#[test]
fn admins_manage_accounts_and_tokens_in_the_browser() {
    let s = Server::start();
    let admin = s.login(ADMIN);
    let viewer = s.login(VIEWER);
    assert_eq!(s.get("/admin/accounts", &viewer).status, 403, "viewers may not");
    assert!(!s.get("/search", &viewer).body.contains("/admin/accounts"), "no link for viewers");
    let page = s.get("/admin/accounts", &admin);
    assert_eq!(page.status, 200);
    assert!(page.body.contains(EDITOR.0) && page.body.contains(VIEWER.0), "accounts listed");
    let csrf = page.field("csrf").unwrap();
    let form = |cookie: &str, path: &str, pairs: &[(&str, &str)]| {
        s.req(
            "POST",
            path,
            &[("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")],
            &encode(pairs),
        )
    };

    // A new colleague, then her role changed; the form obeys the same rules as `user add`.
    let add = [("csrf", csrf.as_str()), ("name", "kerstin"), ("role", "editor"), ("password", "ett-långt-lösen")];
    assert_eq!(form(&admin, "/admin/accounts", &add).status, 303);
    let kerstin = s.login(("kerstin", "ett-långt-lösen"));
    assert!(s.get("/search", &kerstin).body.contains("kerstin"));
    let short = [("csrf", csrf.as_str()), ("name", "kalle"), ("role", "viewer"), ("password", "kort")];
    assert_eq!(form(&admin, "/admin/accounts", &short).status, 400);
    let forged = [("csrf", "0"), ("name", "mallory"), ("role", "admin"), ("password", "ett-långt-lösen")];
    assert_eq!(form(&admin, "/admin/accounts", &forged).status, 403, "CSRF");
    let viewer_csrf = s.get("/search", &viewer).field("csrf").unwrap();
    let by_viewer =
        [("csrf", viewer_csrf.as_str()), ("name", "mallory"), ("role", "admin"), ("password", "ett-långt-lösen")];
    assert_eq!(form(&viewer, "/admin/accounts", &by_viewer).status, 403, "role");
    assert_eq!(s.try_login("mallory", "ett-långt-lösen").status, 401);

    // Removing an account ends its sessions; an admin cannot remove or demote themselves.
    assert_eq!(form(&admin, "/admin/accounts/delete", &[("csrf", &csrf), ("name", "kerstin")]).status, 303);
    assert_eq!(s.get("/search", &kerstin).status, 303, "signed out");
    assert_eq!(s.try_login("kerstin", "ett-långt-lösen").status, 401);
    assert_eq!(form(&admin, "/admin/accounts/delete", &[("csrf", &csrf), ("name", ADMIN.0)]).status, 400);
    let demote = [("csrf", csrf.as_str()), ("name", ADMIN.0), ("role", "viewer"), ("password", "ett-långt-lösen")];
    assert_eq!(form(&admin, "/admin/accounts", &demote).status, 400);

    // A script's token is listed (never the token itself) and revoked.
    let out = run_with(&s.app.config(), &s.app.data(), &["token", "add", "rapportskript", "--role", "viewer"], None);
    let token = String::from_utf8(out.stdout).unwrap().lines().last().unwrap().to_string();
    let bearer = format!("Bearer {token}");
    assert_eq!(s.req("GET", "/api/feeds", &[("Authorization", &bearer)], "").status, 200);
    let page = s.get("/admin/accounts", &admin).body;
    assert!(page.contains("rapportskript") && !page.contains(&token));
    let digest = page.split("name=\"digest\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert_eq!(form(&admin, "/admin/tokens/revoke", &[("csrf", &csrf), ("digest", &digest)]).status, 303);
    assert_eq!(s.req("GET", "/api/feeds", &[("Authorization", &bearer)], "").status, 401, "revoked");
}
