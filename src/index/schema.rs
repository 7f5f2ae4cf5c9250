//! The tantivy schema and the Swedish analyzer: stemming, lower-casing, no ASCII folding
//! (å, ä and ö are letters of their own; "har" and "här" are different words).

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::Index;

pub(crate) const SWEDISH: &str = "sv_stem";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fields {
    pub uid: Field,
    pub title: Field,
    pub body: Field,
    pub published: Field,
    pub source: Field,
    pub district: Field,
    /// `district:label` pairs, so "stigmatizing coverage of Araby" is one term lookup.
    pub district_tone: Field,
    pub tone: Field,
}

/// The schema new indexes get. `tone` and `district_tone` are fast (column per segment) so the
/// attention chart reads every match's labels in one pass.
pub(crate) fn build() -> (Schema, Fields) {
    build_with(STRING | FAST)
}

/// The schema before `tone` and `district_tone` became fast, as indexes made by earlier versions
/// have it: tests of the fallback chart and of the upgrade on rebuild use it.
#[cfg(test)]
pub(crate) fn build_before_fast_tones() -> (Schema, Fields) {
    build_with(STRING)
}

fn build_with(tones: TextOptions) -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(SWEDISH).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        uid: b.add_text_field("uid", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        published: b.add_date_field("published", INDEXED | FAST | STORED),
        source: b.add_text_field("source", STRING | FAST),
        district: b.add_text_field("district", STRING | FAST),
        district_tone: b.add_text_field("district_tone", tones.clone()),
        tone: b.add_text_field("tone", tones),
    };
    (b.build(), fields)
}

pub(crate) fn register_analyzer(index: &Index) {
    let analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::Swedish))
        .build();
    index.tokenizers().register(SWEDISH, analyzer);
}

/// Whether the chart can read labels from columns; indexes made before they were fast cannot.
pub(crate) fn tones_are_fast(schema: &Schema, f: &Fields) -> bool {
    schema.get_field_entry(f.tone).is_fast() && schema.get_field_entry(f.district_tone).is_fast()
}

/// Field handles of an existing index, whose schema must be ours.
pub(crate) fn fields_of(schema: &Schema) -> Option<Fields> {
    let f = |name| schema.get_field(name).ok();
    Some(Fields {
        uid: f("uid")?,
        title: f("title")?,
        body: f("body")?,
        published: f("published")?,
        source: f("source")?,
        district: f("district")?,
        district_tone: f("district_tone")?,
        tone: f("tone")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        let (schema, _) = build();
        let index = Index::create_in_ram(schema);
        register_analyzer(&index);
        let mut a = index.tokenizers().get(SWEDISH).unwrap();
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn swedish_stems_and_keeps_letters() {
        assert_eq!(tokens("skjutningarna"), tokens("skjutning"));
        assert_eq!(tokens("Skjutningen"), tokens("skjutning"));
        assert_ne!(tokens("här"), tokens("har"), "no ASCII folding");
        assert_eq!(tokens("Växjö"), vec!["växjö".to_string()]);
    }
}
