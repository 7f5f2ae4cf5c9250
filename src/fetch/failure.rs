//! Why a feed poll failed, as a short code that does not depend on the reader's language. It is
//! stored beside the (English, technical) message, so pages can explain it in their own words.

/// The class of a failed poll. `code`/`parse` give its stored form: `timeout`, `http:503`, …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// No answer within the timeout.
    Timeout,
    /// The server answered with this status (4xx/5xx).
    Http(u16),
    /// The body was larger than the configured cap.
    TooLarge,
    /// A redirect or link pointed somewhere tonlage does not go (scheme, private address).
    Refused,
    /// Name lookup, connection or TLS failed.
    Network,
    /// The address gave something else than a feed (an HTML page, an image).
    NotAFeed,
    /// A feed that could not be read even after repair.
    Malformed,
}

impl FailureKind {
    pub fn code(self) -> String {
        match self {
            FailureKind::Timeout => "timeout".into(),
            FailureKind::Http(status) => format!("http:{status}"),
            FailureKind::TooLarge => "too_large".into(),
            FailureKind::Refused => "refused".into(),
            FailureKind::Network => "network".into(),
            FailureKind::NotAFeed => "not_a_feed".into(),
            FailureKind::Malformed => "malformed".into(),
        }
    }

    pub fn parse(code: &str) -> Option<FailureKind> {
        Some(match code {
            "timeout" => FailureKind::Timeout,
            "too_large" => FailureKind::TooLarge,
            "refused" => FailureKind::Refused,
            "network" => FailureKind::Network,
            "not_a_feed" => FailureKind::NotAFeed,
            "malformed" => FailureKind::Malformed,
            _ => FailureKind::Http(code.strip_prefix("http:")?.parse().ok()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_as_what_they_were() {
        use FailureKind::*;
        for k in [Timeout, Http(404), Http(503), TooLarge, Refused, Network, NotAFeed, Malformed] {
            assert_eq!(FailureKind::parse(&k.code()), Some(k));
        }
        assert_eq!(FailureKind::parse("http:abc"), None);
        assert_eq!(FailureKind::parse("something new"), None);
    }
}
