//! Config validation from outside: every mistake exits 2 and names file, line and key.

mod common;

use common::run_with;

fn check(toml: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, toml).unwrap();
    let out = run_with(&path, &dir.path().join("data"), &["check"], None);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout),
    )
}

#[test]
fn the_shipped_feeds_toml_is_valid() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let out = run_with(&root.join("feeds.toml"), dir.path(), &["check"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("svt-smaland") && stdout.contains("araby"), "{stdout}");
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let (code, msg) = check("[[feed]]\nid = \"a\"\nurl = \"https://x.se/rss\"\npoll_minuts = 5\n");
    assert_eq!(code, 2, "{msg}");
    assert!(msg.contains("feeds.toml") && msg.contains("line 4") && msg.contains("poll_minuts"), "{msg}");
}

#[test]
fn unknown_table_key_is_an_error_but_documented_keys_are_not() {
    let (code, msg) = check("[web]\nlisten = \"127.0.0.1:8080\"\nport = 80\n");
    assert_eq!(code, 2, "{msg}");
    assert!(msg.contains("line 3") && msg.contains("port"), "{msg}");
    let documented = "[web]\nlisten = \"127.0.0.1:8081\"\n[metrics]\nlisten = \"127.0.0.1:9185\"\n[worker]\nhost_gap_ms = 500\n\
        [digest]\nweekday = \"måndag\"\ntime = \"07:30\"\nrecipients = [\"a@b.se\"]\n[smtp]\nhost = \"localhost\"\nport = 25\nsecurity = \"none\"\n";
    let (code, msg) = check(documented);
    assert_eq!(code, 0, "{msg}");
}

#[test]
fn duplicate_ids_and_bad_urls_are_named() {
    let (code, msg) =
        check("[[feed]]\nid = \"a\"\nurl = \"https://x.se/rss\"\n\n[[feed]]\nid = \"a\"\nurl = \"https://y.se/rss\"\n");
    assert_eq!(code, 2);
    assert!(msg.contains("line 6") && msg.contains("duplicate feed id"), "{msg}");
    let (code, msg) = check("[[feed]]\nid = \"a\"\nurl = \"ftp://x.se/rss\"\n");
    assert_eq!(code, 2);
    assert!(msg.contains("line 3") && msg.contains("feed.url"), "{msg}");
    let (code, msg) = check("[[feed]]\nid = \"a\"\nurl = \"not a url\"\n");
    assert_eq!(code, 2);
    assert!(msg.contains("line 3"), "{msg}");
    let (code, msg) = check("[[district]]\nid = \"Araby!\"\nname = \"Araby\"\n");
    assert_eq!(code, 2);
    assert!(msg.contains("line 2") && msg.contains("district.id"), "{msg}");
    let (code, msg) = check("[[feed]]\nid = \"a\"\nurl = \"https://x.se/\"\ncontent_selector = \"div[[\"\n");
    assert_eq!(code, 2);
    assert!(msg.contains("line 4") && msg.contains("content_selector"), "{msg}");
}

#[test]
fn bad_values_in_settings_are_named() {
    let (code, msg) = check("[web]\nlisten = \"everywhere\"\n");
    assert_eq!(code, 2);
    assert!(msg.contains("line 2") && msg.contains("web.listen"), "{msg}");
    let (code, msg) = check("[worker]\nhost_gap_ms = \"fast\"\n");
    assert_eq!(code, 2);
    assert!(msg.contains("line 2") && msg.contains("host_gap_ms"), "{msg}");
}

#[test]
fn a_missing_config_file_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_with(&dir.path().join("nope.toml"), dir.path(), &["check"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.toml"));
}
