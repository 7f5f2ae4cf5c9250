//! Plain data shared by every stage: districts, tone labels, evidence, feed entries. No I/O.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The tone of one article toward one district (shared/CODEBOOK.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Stigmatizing,
    Negative,
    Neutral,
    Positive,
}

impl Label {
    pub const ALL: [Label; 4] = [Label::Stigmatizing, Label::Negative, Label::Neutral, Label::Positive];

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Stigmatizing => "stigmatizing",
            Label::Negative => "negative",
            Label::Neutral => "neutral",
            Label::Positive => "positive",
        }
    }

    pub fn parse(s: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many of something carry each label (articles, stories) in a week or a digest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelCounts {
    pub stigmatizing: u32,
    pub negative: u32,
    pub neutral: u32,
    pub positive: u32,
}

impl LabelCounts {
    pub fn get(&self, l: Label) -> u32 {
        match l {
            Label::Stigmatizing => self.stigmatizing,
            Label::Negative => self.negative,
            Label::Neutral => self.neutral,
            Label::Positive => self.positive,
        }
    }

    pub fn add(&mut self, l: Label, n: u32) {
        match l {
            Label::Stigmatizing => self.stigmatizing += n,
            Label::Negative => self.negative += n,
            Label::Neutral => self.neutral += n,
            Label::Positive => self.positive += n,
        }
    }

    pub fn total(&self) -> u32 {
        self.stigmatizing + self.negative + self.neutral + self.positive
    }
}

/// A district whose coverage is tracked, as configured in `[[district]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct District {
    pub id: String,
    pub name: String,
    pub municipality: String,
    pub aliases: Vec<String>,
    pub exclude: Vec<String>,
    pub context: Vec<String>,
}

/// A sentence (or headline) that decided a label, with the lexicon terms found in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub text: String,
    pub terms: Vec<String>,
}

/// The classifier's verdict for one (article, district) pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tone {
    pub label: Label,
    pub score: f32,
    pub frames: Vec<String>,
    pub evidence: Vec<Evidence>,
}

/// One item of a decoded feed, before its page is fetched.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Entry {
    /// The feed's own id for the item (RSS guid, Atom id, JSON Feed id), if any.
    pub guid: Option<String>,
    /// Absolute link to the article page, resolved against the feed URL.
    pub link: Option<String>,
    pub title: String,
    /// The item's content or summary as the feed gave it (often HTML): the fallback article text.
    pub summary_html: String,
    pub published: Option<DateTime<Utc>>,
    pub author: Option<String>,
}

/// Parses an English or Swedish day name ("monday", "måndag", "mon", "mån").
pub fn weekday_from_name(name: &str) -> Option<chrono::Weekday> {
    use chrono::Weekday::*;
    let n = name.trim().to_lowercase();
    let days = [
        (Mon, "monday", "måndag"),
        (Tue, "tuesday", "tisdag"),
        (Wed, "wednesday", "onsdag"),
        (Thu, "thursday", "torsdag"),
        (Fri, "friday", "fredag"),
        (Sat, "saturday", "lördag"),
        (Sun, "sunday", "söndag"),
    ];
    days.into_iter()
        .find(|(_, en, sv)| {
            n == *en || n == *sv || (n.chars().count() >= 3 && (en.starts_with(&n) || sv.starts_with(&n)))
        })
        .map(|(d, _, _)| d)
}

/// What the search index holds of one article: derived from the store, rebuilt at will.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexDoc {
    pub uid: String,
    pub title: String,
    pub text: String,
    pub published: Option<DateTime<Utc>>,
    pub seen: DateTime<Utc>,
    /// An archive article (backfill, import) with no date anywhere: it has no week.
    pub undated: bool,
    /// Feed ids the article appeared in.
    pub sources: Vec<String>,
    /// Effective label per district (a staff correction wins over the machine label).
    pub labels: Vec<(String, Label)>,
}

impl IndexDoc {
    /// The date figures and filters use: publication, or first sight when the feed gave none.
    /// `None` for an undated archive article: first sight would put years-old coverage in the
    /// week it was backfilled.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        match (self.published, self.undated) {
            (Some(p), _) => Some(p),
            (None, false) => Some(self.seen),
            (None, true) => None,
        }
    }
}
