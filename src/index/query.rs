//! Search: staff-friendly query text → tantivy query, filters, ranking or date order, snippets.
//! A stray quote or colon is never an error: the query is repaired and what can be read is searched.

use std::ops::Bound;

use chrono::{DateTime, Utc};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, TantivyDocument, Term};

use super::{IndexError, SearchIndex};
use crate::model::Label;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Date,
}

#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub district: Option<String>,
    pub source: Option<String>,
    pub tone: Option<Label>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    pub to: Option<DateTime<Utc>>,
    pub limit: usize,
    pub offset: usize,
    pub sort: Sort,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub uid: String,
    pub score: f32,
}

pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    snippets: Option<SnippetGenerator>,
}

impl SearchResults {
    /// A snippet of `text` around the query's terms: plain text and HTML with `<b>` marks.
    /// Without query terms (a filter-only listing) it is the text's opening.
    pub fn snippet(&self, text: &str) -> (String, String) {
        if let Some(gen) = &self.snippets {
            let s = gen.snippet(text);
            if !s.fragment().trim().is_empty() {
                return (s.fragment().trim().to_string(), s.to_html().trim().to_string());
            }
        }
        let plain = opening(text, 180);
        let html = plain.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        (plain, html)
    }
}

fn opening(text: &str, max_chars: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        return flat;
    }
    let cut: String = flat.chars().take(max_chars).collect();
    let cut = cut.rsplit_once(' ').map(|(a, _)| a).unwrap_or(&cut);
    format!("{cut} …")
}

/// Repairs what staff type: unbalanced quotes, colons that name no field, Swedish operators.
pub(crate) fn forgiving(text: &str) -> String {
    let mut s = text.trim().to_string();
    if s.matches('"').count() % 2 == 1 {
        let last = s.rfind('"').expect("an odd count means at least one");
        s.remove(last);
    }
    let words: Vec<String> = s
        .split(' ')
        .map(|w| match w {
            "OCH" => "AND".to_string(),
            "ELLER" => "OR".to_string(),
            "INTE" => "NOT".to_string(),
            _ => {
                // Only `title:` / `titel:` / `text:` are fields; any other colon is punctuation.
                match w.split_once(':') {
                    Some((field, rest)) => match field.to_lowercase().as_str() {
                        "title" | "titel" => format!("title:{rest}"),
                        "text" | "body" => format!("body:{rest}"),
                        _ => w.replace(':', " "),
                    },
                    None => w.to_string(),
                }
            }
        })
        .collect();
    // Characters the grammar reserves but staff use as punctuation.
    words
        .join(" ")
        .chars()
        .map(|c| if matches!(c, '{' | '}' | '[' | ']' | '^' | '~' | '\\' | '!' | '<' | '>' | '=') { ' ' } else { c })
        .collect()
}

impl SearchIndex {
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, IndexError> {
        let live = self.live();
        let f = &live.fields;
        let searcher = live.reader.searcher();
        let text = forgiving(&q.text);
        let text_query = self.text_query(&text);
        let snippets = if text.is_empty() || text == "*" {
            None
        } else {
            let mut g = SnippetGenerator::create(&searcher, &*text_query, f.body)?;
            g.set_max_num_chars(200);
            Some(g)
        };
        let query = self.filtered(text_query, q);
        let limit = q.limit.max(1);
        let (total, addrs): (usize, Vec<(f32, DocAddress)>) = match q.sort {
            Sort::Relevance => {
                searcher.search(&query, &(Count, TopDocs::with_limit(limit).and_offset(q.offset).order_by_score()))?
            }
            Sort::Date => {
                let (n, docs) = searcher.search(
                    &query,
                    &(
                        Count,
                        TopDocs::with_limit(limit)
                            .and_offset(q.offset)
                            .order_by_fast_field::<tantivy::DateTime>("published", Order::Desc),
                    ),
                )?;
                (n, docs.into_iter().map(|(_, a)| (0.0, a)).collect())
            }
        };
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(uid) = doc.get_first(f.uid).and_then(|v| v.as_str()) {
                hits.push(Hit { uid: uid.to_string(), score });
            }
        }
        Ok(SearchResults { total, hits, snippets })
    }

    /// Every match of `q` (its limit and offset ignored), in `batch`-sized results, all from one
    /// snapshot of the index: an export never repeats or skips a document while the worker
    /// commits. `each` returns false to stop.
    pub fn search_all(
        &self,
        q: &SearchQuery,
        batch: usize,
        mut each: impl FnMut(SearchResults) -> bool,
    ) -> Result<(), IndexError> {
        let live = self.live();
        let f = &live.fields;
        let searcher = live.reader.searcher();
        let text = forgiving(&q.text);
        let query = self.filtered(self.text_query(&text), q);
        let total = searcher.search(&query, &Count)?;
        if total == 0 {
            return Ok(());
        }
        let addrs: Vec<(f32, DocAddress)> = match q.sort {
            Sort::Relevance => searcher.search(&query, &TopDocs::with_limit(total).order_by_score())?,
            Sort::Date => searcher
                .search(
                    &query,
                    &TopDocs::with_limit(total).order_by_fast_field::<tantivy::DateTime>("published", Order::Desc),
                )?
                .into_iter()
                .map(|(_, a)| (0.0, a))
                .collect(),
        };
        for chunk in addrs.chunks(batch.max(1)) {
            let snippets = if text.is_empty() || text == "*" {
                None
            } else {
                let mut g = SnippetGenerator::create(&searcher, &*self.text_query(&text), f.body)?;
                g.set_max_num_chars(200);
                Some(g)
            };
            let mut hits = Vec::with_capacity(chunk.len());
            for (score, addr) in chunk {
                let doc: TantivyDocument = searcher.doc(*addr)?;
                if let Some(uid) = doc.get_first(f.uid).and_then(|v| v.as_str()) {
                    hits.push(Hit { uid: uid.to_string(), score: *score });
                }
            }
            if !each(SearchResults { total, hits, snippets }) {
                break;
            }
        }
        Ok(())
    }

    /// `text_query` narrowed by the district, tone, source and date filters of `q`.
    pub(super) fn filtered(&self, text_query: Box<dyn Query>, q: &SearchQuery) -> BooleanQuery {
        let f = self.fields();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
        let term = |field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        match (&q.district, q.tone) {
            (Some(d), Some(t)) => clauses.push((Occur::Must, term(f.district_tone, &format!("{d}:{}", t.as_str())))),
            (Some(d), None) => clauses.push((Occur::Must, term(f.district, d))),
            (None, Some(t)) => clauses.push((Occur::Must, term(f.tone, t.as_str()))),
            (None, None) => {}
        }
        if let Some(s) = &q.source {
            clauses.push((Occur::Must, term(f.source, s)));
        }
        if q.from.is_some() || q.to.is_some() {
            let date = |t: DateTime<Utc>| {
                Term::from_field_date(f.published, tantivy::DateTime::from_timestamp_secs(t.timestamp()))
            };
            let lower = q.from.map(|t| Bound::Included(date(t))).unwrap_or(Bound::Unbounded);
            let upper = q.to.map(|t| Bound::Excluded(date(t))).unwrap_or(Bound::Unbounded);
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        BooleanQuery::new(clauses)
    }

    /// The staff query text as a tantivy query; empty or `*` matches everything.
    pub(super) fn text_query(&self, text: &str) -> Box<dyn Query> {
        if text.is_empty() || text == "*" {
            return Box::new(AllQuery);
        }
        let live = self.live();
        let f = &live.fields;
        let mut parser = QueryParser::for_index(&live.index, vec![f.title, f.body]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 2.0);
        parser.parse_query_lenient(text).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IndexDoc;
    use chrono::TimeZone;

    fn doc(i: i64) -> IndexDoc {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(i);
        IndexDoc {
            uid: format!("u{i:03}"),
            title: format!("Nyhet {i}"),
            text: if i % 2 == 0 { "Skolan i Araby får nytt bibliotek.".into() } else { "Annat.".into() },
            published: Some(t),
            seen: t,
            undated: false,
            sources: vec!["smp".into()],
            labels: vec![],
        }
    }

    #[test]
    fn an_export_sees_one_snapshot_in_page_order() {
        let index = SearchIndex::in_ram().unwrap();
        index.upsert(&(0..120).map(doc).collect::<Vec<_>>()).unwrap();
        index.commit(1).unwrap();
        let q = SearchQuery { text: "skolan".into(), sort: Sort::Date, limit: 25, ..SearchQuery::default() };
        let mut paged = Vec::new();
        for page in 0..3 {
            let r = index.search(&SearchQuery { offset: page * 25, ..q.clone() }).unwrap();
            paged.extend(r.hits.into_iter().map(|h| h.uid));
        }
        let mut exported = Vec::new();
        let mut batches = 0;
        index
            .search_all(&q, 25, |r| {
                assert_eq!(r.total, 60);
                batches += 1;
                if batches == 1 {
                    // The worker commits newer matching articles mid-export.
                    index.upsert(&(120..140).map(doc).collect::<Vec<_>>()).unwrap();
                    index.commit(2).unwrap();
                }
                exported.extend(r.hits.into_iter().map(|h| h.uid));
                true
            })
            .unwrap();
        assert_eq!(batches, 3);
        assert_eq!(exported.len(), 60, "the snapshot's matches, each once");
        assert_eq!(exported, paged, "the same order as the pages");
        assert_eq!(index.search(&q).unwrap().total, 70, "the commit is visible afterwards");
    }

    #[test]
    fn forgiving_repairs_input() {
        assert_eq!(forgiving("\"öppen förskola"), "öppen förskola");
        assert_eq!(forgiving("Araby: skjutning"), "Araby  skjutning");
        assert_eq!(forgiving("titel:bibliotek"), "title:bibliotek");
        assert_eq!(forgiving("Araby OCH bibliotek INTE stängt"), "Araby AND bibliotek NOT stängt");
        assert_eq!(forgiving("a [b] {c}"), "a  b   c ");
    }
}
