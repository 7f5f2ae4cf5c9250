//! Deterministic generator of Swedish-like news archives for benchmarks: Zipf-distributed
//! vocabulary, district mentions, a tone mix, and HTML pages wrapped in site boilerplate.

/// Common Swedish words, most frequent first (the order is the Zipf rank).
const WORDS: &str = "och i att det som en på är av för med till den har inte om ett han var sig från \
    men de så kan vi ska efter nu eller när under kommer också hade år vid mot alla även bara två \
    många andra utan där sedan enligt säger kommunen polisen området staden skolan barn unga boende \
    människor dag vecka helgen kvällen morgonen tid första nya stora flera mycket mer mest del plats \
    arbete projekt beslut frågan förslaget politiker nämnden budget pengar kronor miljoner hus lägenheter \
    bostäder gatan torget centrum vägen bussen trafiken parken skogen sjön vintern sommaren våren hösten \
    föreningen biblioteket idrottshallen vårdcentralen butiken företaget arbetsplatsen jobb utbildning \
    elever lärare rektor föräldrar familjer grannar invånare besökare publik musik mat kultur konst \
    historia framtid möjlighet problem lösning arbetet samarbete dialog möte mötet information rapport \
    undersökning statistik siffror andel procent ökning minskning förändring utveckling satsning plan \
    mål ansvar uppdrag verksamhet service öppet stängt längre kortare snabbt långsamt viktigt svårt \
    enkelt tydligt gemensamt lokalt regionalt nationellt tidigare senare redan fortfarande ännu igen \
    tillsammans mellan genom runt bakom framför bredvid ovanför nära långt hela halva varje ingen någon";

/// District names used in generated text.
pub const DISTRICTS: [&str; 10] =
    ["Araby", "Dalbo", "Hovshaga", "Teleborg", "Rinkeby", "Rosengård", "Hjällbo", "Gottsunda", "Vivalla", "Skäggetorp"];

/// Sentences carrying tone toward `{D}`, of this project's own wording, by label.
const TONED: [(&str, &[&str]); 4] = [
    (
        "stigmatizing",
        &[
            "Flera skott avlossades sent i går kväll i {D} och en man fördes till sjukhus.",
            "Polisen beskriver {D} som ett särskilt utsatt område med öppen narkotikahandel.",
            "En kraftig explosion skakade ett flerfamiljshus i {D} under natten.",
        ],
    ),
    (
        "negative",
        &[
            "Vårdcentralen i {D} stänger vid årsskiftet på grund av personalbrist.",
            "En trafikolycka i {D} ledde till långa köer under morgonen.",
            "Renoveringen av skolan i {D} har försenats med ett år.",
        ],
    ),
    (
        "neutral",
        &[
            "Vägarbetet på huvudgatan i {D} pågår till slutet av månaden.",
            "Valdistriktet i {D} räknade sina röster under söndagskvällen.",
            "Biblioteket i {D} har ändrade öppettider under julhelgen.",
        ],
    ),
    (
        "positive",
        &[
            "En ny mötesplats för unga invigdes i {D} med musik och fika.",
            "Eleverna i {D} har förbättrat sina resultat för tredje året i rad.",
            "Boende i {D} startade en förening som ordnar läxhjälp och fotbollsträning.",
        ],
    ),
];

/// A small, fast, seedable generator (PCG-style LCG), so every run makes the same archive.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407))
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 17
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

pub struct Generator {
    words: Vec<&'static str>,
    /// Cumulative Zipf weights (s = 1) over `words`.
    cumulative: Vec<f64>,
    rng: Rng,
}

pub struct Article {
    pub title: String,
    pub text: String,
    pub label: &'static str,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        let words: Vec<&str> = WORDS.split_whitespace().collect();
        let mut acc = 0.0;
        let cumulative = (1..=words.len())
            .map(|r| {
                acc += 1.0 / r as f64;
                acc
            })
            .collect();
        Generator { words, cumulative, rng: Rng::new(seed) }
    }

    fn word(&mut self) -> &'static str {
        let total = *self.cumulative.last().expect("non-empty vocabulary");
        let x = (self.rng.next() % 1_000_000) as f64 / 1_000_000.0 * total;
        let i = self.cumulative.partition_point(|c| *c < x).min(self.words.len() - 1);
        self.words[i]
    }

    fn filler_sentence(&mut self) -> String {
        let n = 8 + self.rng.below(14);
        let mut s: Vec<&str> = (0..n).map(|_| self.word()).collect();
        let first = s.remove(0);
        let mut chars = first.chars();
        let mut out: String = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
        out.push_str(chars.as_str());
        for w in s {
            out.push(' ');
            out.push_str(w);
        }
        out.push('.');
        out
    }

    /// An article of about `bytes` bytes about one district, with a tone from the mix.
    pub fn article(&mut self, bytes: usize) -> Article {
        let district = DISTRICTS[self.rng.below(DISTRICTS.len())];
        let (label, sentences) = TONED[self.rng.below(TONED.len())];
        let lead = sentences[self.rng.below(sentences.len())].replace("{D}", district);
        let title = format!("{} – {}", lead.split(" och ").next().unwrap_or(&lead).trim_end_matches('.'), self.word());
        let mut text = lead;
        while text.len() < bytes {
            text.push(' ');
            if self.rng.below(6) == 0 {
                let s = sentences[self.rng.below(sentences.len())].replace("{D}", district);
                text.push_str(&s);
            } else {
                text.push_str(&self.filler_sentence());
            }
        }
        Article { title, text, label }
    }

    /// The article as a news site would serve it: navigation, cookie banner, related links, footer.
    pub fn page(&mut self, a: &Article) -> String {
        let paras: String = a
            .text
            .split_inclusive(". ")
            .collect::<Vec<_>>()
            .chunks(3)
            .map(|c| format!("<p>{}</p>\n", html_escape(c.concat().trim())))
            .collect();
        let related: String =
            (0..5).map(|i| format!("<li><a href=\"/nyheter/{i}\">{}</a></li>", self.filler_sentence())).collect();
        format!(
            "<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{t} | Lokaltidningen</title>\
             <meta property=\"article:published_time\" content=\"2026-11-18T07:30:00+01:00\"></head><body>\
             <header><nav><ul><li><a href=\"/\">Nyheter</a></li><li><a href=\"/sport\">Sport</a></li><li><a href=\"/kultur\">Kultur</a></li></ul></nav></header>\
             <div class=\"cookie-consent\"><p>Vi använder kakor för att sajten ska fungera. Läs mer om hur vi hanterar personuppgifter.</p><button>Godkänn</button></div>\
             <main><article><h1>{t}</h1><p class=\"byline\">Av Redaktionen</p>{paras}\
             <aside class=\"related\"><h2>Läs också</h2><ul>{related}</ul></aside></article></main>\
             <footer><p>Ansvarig utgivare: Redaktören. Lokaltidningen AB.</p></footer></body></html>",
            t = html_escape(&a.title)
        )
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
