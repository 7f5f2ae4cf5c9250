//! Stories: the same wire story or event republished by several outlets is one story with several
//! appearances. Near-duplicates are found with MinHash over word shingles. Pure: the caller brings
//! the candidates (articles dated within `WINDOW_DAYS`) and stores the answer.
//!
//! Why MinHash rather than an exact hash: outlets trim a wire text, add a paragraph of their own,
//! change the headline or the byline. Jaccard similarity of 3-word shingles stays high under those
//! edits, and a 32-value signature (128 bytes) estimates it well enough at the threshold we use.

/// How far apart in time two articles may be and still be one story.
pub const WINDOW_DAYS: i64 = 3;
/// Estimated Jaccard similarity from which two articles are one story. Wire copies score 0.8–1.0;
/// two different stories about one district rarely pass 0.2.
pub const THRESHOLD: f32 = 0.5;
/// Texts with fewer shingles than this stay stories of their own: short templated notices ("Trafik-
/// olycka, Växjö. Polisen är på plats.") would otherwise merge because of the template alone.
pub const MIN_SHINGLES: usize = 8;

const HASHES: usize = 32;
const SHINGLE_WORDS: usize = 3;

/// A MinHash signature; empty when the text was too short to compare.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Signature(Vec<u32>);

impl Signature {
    /// The signature of an article's headline and text.
    pub fn of(title: &str, text: &str) -> Signature {
        let words: Vec<String> = words(title).chain(words(text)).collect();
        if words.len() < SHINGLE_WORDS + MIN_SHINGLES - 1 {
            return Signature::default();
        }
        let mut mins = [u64::MAX; HASHES];
        let mut distinct = std::collections::HashSet::new();
        for w in words.windows(SHINGLE_WORDS) {
            let h = fnv1a(w);
            if !distinct.insert(h) {
                continue;
            }
            for (i, m) in mins.iter_mut().enumerate() {
                let v = splitmix(h ^ SEEDS[i]);
                if v < *m {
                    *m = v;
                }
            }
        }
        if distinct.len() < MIN_SHINGLES {
            return Signature::default();
        }
        Signature(mins.iter().map(|m| (m >> 32) as u32).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Estimated Jaccard similarity of the two shingle sets; 0 when either is empty.
    pub fn similarity(&self, other: &Signature) -> f32 {
        if self.0.len() != HASHES || other.0.len() != HASHES {
            return 0.0;
        }
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f32 / HASHES as f32
    }

    /// Little-endian bytes, for the store.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// The inverse of `to_bytes`; anything malformed reads as an empty signature.
    pub fn from_bytes(b: &[u8]) -> Signature {
        if b.len() != HASHES * 4 {
            return Signature::default();
        }
        Signature(b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }
}

/// An earlier article the new one may belong with.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub article_id: i64,
    pub story_id: i64,
    pub signature: Signature,
}

/// The story a new article joins: that of the most similar candidate at or above `THRESHOLD`,
/// the earliest article winning ties so the choice does not depend on row order. `None`: a new story.
pub fn assign(sig: &Signature, candidates: &[Candidate]) -> Option<i64> {
    if sig.is_empty() {
        return None;
    }
    candidates
        .iter()
        .map(|c| (sig.similarity(&c.signature), c))
        .filter(|(s, _)| *s >= THRESHOLD)
        .max_by(|(sa, a), (sb, b)| sa.total_cmp(sb).then(b.article_id.cmp(&a.article_id)))
        .map(|(_, c)| c.story_id)
}

/// Lower-cased words; punctuation, bylines' symbols and case differences do not matter.
fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_lowercase())
}

/// FNV-1a over the shingle's words: stable across builds and platforms, as stored signatures need.
fn fnv1a(words: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.bytes().chain(std::iter::once(b' ')) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// One fixed seed per hash function; changing them invalidates every stored signature.
const SEEDS: [u64; HASHES] = {
    let mut s = [0u64; HASHES];
    let mut i = 0;
    let mut x: u64 = 0x7465_6e6c_6167_6531; // "tonlage1"
    while i < HASHES {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        s[i] = x;
        i += 1;
    }
    s
};

#[cfg(test)]
mod tests {
    use super::*;

    const WIRE: &str = "En man i 20-årsåldern skadades allvarligt när flera skott avlossades i Araby i Växjö \
        sent på lördagskvällen. Polisen spärrade av ett större område och en tekniker undersökte platsen under \
        natten. Ingen var gripen på söndagsmorgonen, uppger polisens presstjänst. Mannen fördes till sjukhus och \
        hans tillstånd beskrivs som stabilt. Polisen utreder händelsen som försök till mord.";

    fn cand(id: i64, story: i64, title: &str, text: &str) -> Candidate {
        Candidate { article_id: id, story_id: story, signature: Signature::of(title, text) }
    }

    #[test]
    fn republished_wire_text_is_one_story() {
        let a = Signature::of("Man skjuten i Araby", WIRE);
        // Another outlet: a different headline, a byline, the last sentence cut.
        let trimmed = WIRE.rsplit_once("Polisen utreder").unwrap().0;
        let b = Signature::of("Skottlossning i Växjö – man skadad", &format!("(TT) {trimmed} Uppdateras."));
        assert!(a.similarity(&b) >= THRESHOLD, "similarity {}", a.similarity(&b));
        assert_eq!(assign(&b, &[cand(7, 7, "Man skjuten i Araby", WIRE)]), Some(7));
    }

    #[test]
    fn different_stories_about_one_district_stay_apart() {
        let other = "Det nya biblioteket i Araby slog upp dörrarna på lördagen och hundratals besökare kom \
            redan under den första timmen. Biblioteket har läxhjälp fyra dagar i veckan och ett språkcafé.";
        let a = Signature::of("Man skjuten i Araby", WIRE);
        let b = Signature::of("Nytt bibliotek i Araby", other);
        assert!(a.similarity(&b) < 0.2, "similarity {}", a.similarity(&b));
        assert_eq!(assign(&b, &[cand(1, 1, "Man skjuten i Araby", WIRE)]), None);
    }

    #[test]
    fn short_texts_never_merge_and_signatures_round_trip() {
        let short = Signature::of("Trafikolycka", "Växjö. Polisen är på plats.");
        assert!(short.is_empty());
        assert_eq!(assign(&short, &[cand(1, 1, "Trafikolycka", "Växjö. Polisen är på plats.")]), None);
        let s = Signature::of("Man skjuten i Araby", WIRE);
        assert_eq!(Signature::from_bytes(&s.to_bytes()), s);
        assert!(Signature::from_bytes(&[1, 2, 3]).is_empty());
    }

    #[test]
    fn the_most_similar_then_earliest_candidate_wins() {
        let s = Signature::of("Man skjuten i Araby", WIRE);
        let exact = Candidate { article_id: 9, story_id: 3, signature: s.clone() };
        let exact_earlier = Candidate { article_id: 4, story_id: 2, signature: s.clone() };
        assert_eq!(assign(&s, &[exact.clone(), exact_earlier.clone()]), Some(2));
        assert_eq!(assign(&s, &[exact_earlier, exact]), Some(2));
    }
}
