//! The digest's words in Swedish (default) and English, and the number and date formats that go
//! with each language. Kept in one place so the HTML and Markdown say the same thing.

use chrono::{Datelike, NaiveDate};

use super::build::Digest;
use crate::model::Label;

pub(super) struct Texts {
    pub lang: &'static str,
    pub title: &'static str,
    pub week: &'static str,
    pub quiet_week: &'static str,
    pub quiet_district: &'static str,
    /// "artikel"/"artiklar": one, then more than one (zero takes the plural).
    pub articles: (&'static str, &'static str),
    pub stories: (&'static str, &'static str),
    pub stigma_share: &'static str,
    pub baseline: &'static str,
    pub net_tone: &'static str,
    pub per_week: &'static str,
    pub spike: &'static str,
    pub tone_mix: &'static str,
    pub frames: &'static str,
    pub outlets: &'static str,
    pub top_stigmatizing: &'static str,
    pub top_positive: &'static str,
    pub none_positive: &'static str,
    pub share_of_all: &'static str,
    pub footer: &'static str,
    months: [&'static str; 12],
}

const SV: Texts = Texts {
    lang: "sv",
    title: "Tonläge",
    week: "vecka",
    quiet_week: "En lugn vecka: inga artiklar om områdena.",
    quiet_district: "Ingen bevakning den här veckan.",
    articles: ("artikel", "artiklar"),
    stories: ("nyhet", "nyheter"),
    stigma_share: "Stigmatiserande andel",
    baseline: "snitt förra 8 veckorna",
    net_tone: "Nettoton",
    per_week: "per vecka",
    spike: "Ovanligt mycket stigmatiserande bevakning",
    tone_mix: "Tonläge per nyhet",
    frames: "Ramar",
    outlets: "Källor",
    top_stigmatizing: "Mest stigmatiserande",
    top_positive: "Positiva nyheter att lyfta",
    none_positive: "Inga positiva nyheter den här veckan.",
    share_of_all: "av all bevakning",
    footer: "En nyhet räknas en gång per område även när flera medier publicerat den; tonläget är nyhetens \
        vanligaste etikett (vid lika: den allvarligaste), och en rättelse från personalen gäller före \
        maskinens etikett. Baslinjen är de åtta föregående veckorna.",
    months: [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ],
};

const EN: Texts = Texts {
    lang: "en",
    title: "Tone report",
    week: "week",
    quiet_week: "A quiet week: no articles about the districts.",
    quiet_district: "No coverage this week.",
    articles: ("article", "articles"),
    stories: ("story", "stories"),
    stigma_share: "Stigmatizing share",
    baseline: "mean of previous 8 weeks",
    net_tone: "Net tone",
    per_week: "per week",
    spike: "Unusually much stigmatizing coverage",
    tone_mix: "Tone per story",
    frames: "Frames",
    outlets: "Outlets",
    top_stigmatizing: "Most stigmatizing",
    top_positive: "Positive stories worth amplifying",
    none_positive: "No positive stories this week.",
    share_of_all: "of all coverage",
    footer: "A story counts once per district even when several outlets published it; its tone is its most \
        frequent label (on a tie, the most severe), and a staff correction wins over the machine's label. \
        The baseline is the eight weeks before.",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
};

pub(super) fn texts(lang: &str) -> &'static Texts {
    if lang == "en" {
        &EN
    } else {
        &SV
    }
}

impl Texts {
    pub fn label(&self, l: Label) -> &'static str {
        match (self.lang, l) {
            ("en", l) => l.as_str(),
            (_, Label::Stigmatizing) => "stigmatiserande",
            (_, Label::Negative) => "negativ",
            (_, Label::Neutral) => "neutral",
            (_, Label::Positive) => "positiv",
        }
    }

    /// A codebook frame id in words.
    pub fn frame(&self, id: &str) -> String {
        let sv = match id {
            "crime" => "brott",
            "violence" => "våld",
            "drugs" => "narkotika",
            "gangs" => "gäng",
            "insecurity" => "otrygghet",
            "disorder" => "oordning",
            "area_label" => "områdesstämpel",
            "poverty" => "fattigdom",
            "othering" => "andrafiering",
            "generalization" => "generalisering",
            "community" => "gemenskap",
            "culture" => "kultur",
            "investment" => "investering",
            "education" => "utbildning",
            "safety_improvement" => "ökad trygghet",
            other => other,
        };
        if self.lang == "en" {
            id.replace('_', " ")
        } else {
            sv.to_string()
        }
    }

    pub fn percent(&self, x: f64) -> String {
        let p = (x * 100.0).round() as i64;
        if self.lang == "en" {
            format!("{p}%")
        } else {
            format!("{p}\u{a0}%")
        }
    }

    /// A signed decimal: +0,12 / −0.40.
    pub fn signed(&self, x: f64) -> String {
        let s = format!("{:.2}", x.abs());
        let s = if self.lang == "en" { s } else { s.replace('.', ",") };
        if x > 0.004 {
            format!("+{s}")
        } else if x < -0.004 {
            format!("\u{2212}{s}")
        } else {
            s
        }
    }

    pub fn decimal(&self, x: f64) -> String {
        let s = format!("{x:.1}");
        if self.lang == "en" {
            s
        } else {
            s.replace('.', ",")
        }
    }

    /// "16–22 november 2026", "29 december 2025 – 4 januari 2026".
    pub fn date_range(&self, from: &str, to: &str) -> String {
        let (Ok(a), Ok(b)) = (NaiveDate::parse_from_str(from, "%Y-%m-%d"), NaiveDate::parse_from_str(to, "%Y-%m-%d"))
        else {
            return format!("{from} – {to}");
        };
        let m = |d: NaiveDate| self.months[d.month0() as usize];
        if a.year() != b.year() {
            format!("{} {} {} – {} {} {}", a.day(), m(a), a.year(), b.day(), m(b), b.year())
        } else if a.month() != b.month() {
            format!("{} {} – {} {} {}", a.day(), m(a), b.day(), m(b), b.year())
        } else {
            format!("{}–{} {} {}", a.day(), b.day(), m(b), b.year())
        }
    }

    /// "18 nov" from an RFC 3339 time.
    pub fn short_date(&self, rfc3339: &str) -> String {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .map(|t| format!("{} {}", t.day(), &self.months[t.month0() as usize].chars().take(3).collect::<String>()))
            .unwrap_or_default()
    }

    pub fn heading(&self, d: &Digest) -> String {
        let (year, week) = d.week.split_once("-W").unwrap_or((&d.week, ""));
        format!("{} {} {}, {}", self.title, self.week, week.trim_start_matches('0'), year)
    }

    /// The municipality summary: a few plain sentences.
    pub fn summary(&self, d: &Digest) -> Vec<String> {
        let m = &d.municipality;
        if d.quiet {
            return vec![self.quiet_week.to_string(), self.all_line(d)];
        }
        let mut out = Vec::new();
        if self.lang == "en" {
            out.push(format!(
                "{} ({}) mentioned the districts. {} of those stories were stigmatizing \
                 ({} in the previous eight weeks).",
                self.count(m.district_articles, self.articles),
                self.count(m.district_stories, self.stories),
                self.percent(m.stigma_share),
                self.percent(m.baseline_stigma_share)
            ));
        } else {
            out.push(format!(
                "{} ({}) nämnde områdena. {} av nyheterna var stigmatiserande \
                 ({} de åtta veckorna innan).",
                self.count(m.district_articles, self.articles),
                self.count(m.district_stories, self.stories),
                self.percent(m.stigma_share),
                self.percent(m.baseline_stigma_share)
            ));
        }
        if !m.spikes.is_empty() {
            let names: Vec<&str> =
                d.districts.iter().filter(|x| m.spikes.contains(&x.id)).map(|x| x.name.as_str()).collect();
            out.push(format!("{}: {}.", self.spike, names.join(", ")));
        }
        let positive: u32 = d.districts.iter().map(|x| x.labels.positive).sum();
        if positive > 0 {
            out.push(match (self.lang == "en", positive == 1) {
                (true, true) => "1 positive story worth amplifying is listed below.".to_string(),
                (true, false) => format!("{positive} positive stories worth amplifying are listed below."),
                (false, true) => "1 positiv nyhet att lyfta finns nedan.".to_string(),
                (false, false) => format!("{positive} positiva nyheter att lyfta finns nedan."),
            });
        }
        out.push(self.all_line(d));
        out
    }

    fn all_line(&self, d: &Digest) -> String {
        let m = &d.municipality;
        let (articles, stories) = (self.count(m.all_articles, self.articles), self.count(m.all_stories, self.stories));
        if self.lang == "en" {
            format!("All monitored outlets together published {articles} ({stories}).")
        } else {
            format!("Alla bevakade källor publicerade tillsammans {articles} ({stories}).")
        }
    }

    /// "3 artiklar: smp, svt"
    pub fn carried(&self, articles: u32, sources: &[String]) -> String {
        format!("{}: {}", self.count(articles, self.articles), sources.join(", "))
    }

    /// The noun that goes with `n`: "1 artikel", "3 artiklar".
    pub fn noun(&self, n: u32, forms: (&'static str, &'static str)) -> &'static str {
        if n == 1 {
            forms.0
        } else {
            forms.1
        }
    }

    /// `n` with its noun: "1 nyhet", "0 nyheter".
    pub fn count(&self, n: u32, forms: (&'static str, &'static str)) -> String {
        format!("{n} {}", self.noun(n, forms))
    }
}

pub(super) fn subject(d: &Digest) -> String {
    let t = texts(&d.language);
    let mut s = format!("{} ({})", t.heading(d), t.date_range(&d.from, &d.to));
    if !d.municipality.spikes.is_empty() {
        s.push_str(" – ");
        s.push_str(t.spike.to_lowercase().as_str());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_takes_the_singular_and_every_other_count_the_plural() {
        let sv = texts("sv");
        assert_eq!(sv.count(1, sv.articles), "1 artikel");
        assert_eq!(sv.count(0, sv.articles), "0 artiklar");
        assert_eq!(sv.count(1, sv.stories), "1 nyhet");
        assert_eq!(sv.count(21, sv.stories), "21 nyheter");
        assert_eq!(sv.carried(1, &["smp".into()]), "1 artikel: smp");
        let en = texts("en");
        assert_eq!(en.count(1, en.stories), "1 story");
        assert_eq!(en.count(3, en.stories), "3 stories");
        assert_eq!(en.carried(2, &["smp".into(), "tt".into()]), "2 articles: smp, tt");
    }
}
