//! robots.txt (RFC 9309): which paths of an outlet a backfill may fetch, and its `Sitemap:` lines.
//! Pure: the caller fetches the file. A feed's own links are not crawled, so only backfill asks.
//!
//! Rules come from the group naming our product token (`tonlage`), else the `*` group. The longest
//! matching pattern wins, and `Allow` wins a tie; `*` matches any run of characters, `$` ends.

use url::Url;

/// The product token sites address us by in `User-agent:` lines.
pub const AGENT: &str = "tonlage";

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    allow: bool,
    pattern: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Robots {
    rules: Vec<Rule>,
    /// `Sitemap:` URLs, in file order (they belong to no group).
    pub sitemaps: Vec<String>,
    disallow_all: bool,
}

impl Robots {
    /// No robots.txt (a 4xx answer): everything may be fetched.
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// robots.txt could not be read (5xx, network): RFC 9309 says assume a complete disallow.
    pub fn disallow_all() -> Robots {
        Robots { disallow_all: true, ..Robots::default() }
    }

    /// Parses robots.txt for the product token `agent`.
    pub fn parse(text: &str, agent: &str) -> Robots {
        let agent = agent.to_ascii_lowercase();
        let mut sitemaps = Vec::new();
        // (agents of the group, its rules); a user-agent line after rules starts a new group.
        let mut groups: Vec<(Vec<String>, Vec<Rule>)> = Vec::new();
        let mut in_agents = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else { continue };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    let token = value.split(['/', ' ']).next().unwrap_or("").to_ascii_lowercase();
                    if !in_agents || groups.is_empty() {
                        groups.push((Vec::new(), Vec::new()));
                    }
                    groups.last_mut().expect("pushed above").0.push(token);
                    in_agents = true;
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    // An empty Disallow allows everything: no rule at all.
                    if let (Some(g), false) = (groups.last_mut(), value.is_empty()) {
                        g.1.push(Rule { allow: key == "allow", pattern: normalize(value) });
                    }
                }
                "sitemap" => sitemaps.push(value.to_string()),
                _ => in_agents = false,
            }
        }
        let pick = |name: &str| -> Vec<Rule> {
            groups.iter().filter(|(agents, _)| agents.iter().any(|a| a == name)).flat_map(|(_, r)| r.clone()).collect()
        };
        let ours = groups.iter().any(|(agents, _)| agents.contains(&agent));
        let rules = if ours { pick(&agent) } else { pick("*") };
        Robots { rules, sitemaps, disallow_all: false }
    }

    /// Whether `url` may be fetched. robots.txt itself always may.
    pub fn allowed(&self, url: &Url) -> bool {
        let mut path = url.path().to_string();
        if path == "/robots.txt" {
            return true;
        }
        if self.disallow_all {
            return false;
        }
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        let mut best: Option<(usize, bool)> = None;
        for r in &self.rules {
            if matches(&r.pattern, &path) {
                let len = r.pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, r.allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Patterns are written with raw UTF-8; URL paths arrive percent-encoded. Encode the pattern alike.
fn normalize(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        if c.is_ascii() && !c.is_ascii_whitespace() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// `*` is any run of characters, a final `$` anchors the end; otherwise a prefix match.
fn matches(pattern: &str, path: &str) -> bool {
    let (pat, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pat.split('*').collect();
    let Some(rest) = path.strip_prefix(parts[0]) else { return false };
    if parts.len() == 1 {
        return !anchored || rest.is_empty();
    }
    let mut pos = path.len() - rest.len();
    for (i, part) in parts.iter().enumerate().skip(1) {
        if i == parts.len() - 1 && anchored {
            return path.len() >= pos + part.len() && path.ends_with(part);
        }
        // Leftmost match of each piece is never worse for a pattern made only of `*`.
        match path[pos..].find(part) {
            Some(j) => pos += j + part.len(),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(r: &Robots, path: &str) -> bool {
        r.allowed(&Url::parse(&format!("https://x.se{path}")).unwrap())
    }

    #[test]
    fn longest_match_wins_and_allow_wins_ties() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /nyheter/\nAllow: /nyheter/lokalt/\nDisallow: /a\nAllow: /a\n",
            AGENT,
        );
        assert!(!ok(&r, "/nyheter/sverige/1"));
        assert!(ok(&r, "/nyheter/lokalt/araby"));
        assert!(ok(&r, "/a/b"), "tie goes to Allow");
        assert!(ok(&r, "/sport"));
    }

    #[test]
    fn wildcards_and_end_anchor() {
        let r =
            Robots::parse("User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?print=\nDisallow: /sok*/resultat\n", AGENT);
        assert!(!ok(&r, "/dok/plan.pdf"));
        assert!(ok(&r, "/dok/plan.pdf.html"));
        assert!(!ok(&r, "/a/artikel?print=1"));
        assert!(!ok(&r, "/soket/x/resultat/2"));
        assert!(ok(&r, "/sok/annat"));
    }

    #[test]
    fn our_group_replaces_the_star_group() {
        let text = "# kommentar\nUser-agent: Googlebot\nUser-agent: tonlage/1.0\nDisallow: /privat\n\nUser-agent: *\nDisallow: /\n\nSitemap: https://x.se/sitemap.xml\n";
        let r = Robots::parse(text, AGENT);
        assert!(ok(&r, "/nyheter/1"));
        assert!(!ok(&r, "/privat/1"));
        assert_eq!(r.sitemaps, vec!["https://x.se/sitemap.xml".to_string()]);
        let other = Robots::parse(text, "annanbot");
        assert!(!ok(&other, "/nyheter/1"));
        assert!(ok(&other, "/robots.txt"));
    }

    #[test]
    fn empty_disallow_and_non_ascii_paths() {
        assert!(ok(&Robots::parse("User-agent: *\nDisallow:\n", AGENT), "/x"));
        let r = Robots::parse("User-agent: *\nDisallow: /område/\n", AGENT);
        assert!(!ok(&r, "/område/araby"));
        assert!(!ok(&Robots::disallow_all(), "/x"));
    }
}
