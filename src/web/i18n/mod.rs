//! The interface's words in Swedish (default) and English; a page picks one `Tr` per request.

mod en;
mod sv;

pub(crate) use en::EN;
pub(crate) use sv::SV;

use crate::fetch::FailureKind;
use crate::model::Label;
use crate::store::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Sv,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    pub fn tr(self) -> &'static Tr {
        match self {
            Lang::Sv => &SV,
            Lang::En => &EN,
        }
    }
}

/// Every text a page shows; templates read the fields by name.
pub(crate) struct Tr {
    pub skip: &'static str,
    pub nav_label: &'static str,
    pub nav_search: &'static str,
    pub nav_districts: &'static str,
    pub nav_sources: &'static str,
    pub nav_accounts: &'static str,
    pub accounts_title: &'static str,
    pub accounts_intro: &'static str,
    pub role_heading: &'static str,
    pub created: &'static str,
    pub changed: &'static str,
    pub add_account: &'static str,
    pub save_account: &'static str,
    pub password_hint: &'static str,
    pub delete: &'static str,
    pub revoke: &'static str,
    pub tokens_title: &'static str,
    pub last_used: &'static str,
    pub no_tokens: &'static str,
    pub token_cli_hint: &'static str,
    pub you: &'static str,
    pub confirm_delete: &'static str,
    pub confirm_revoke: &'static str,
    pub nav_digests: &'static str,
    pub digests_title: &'static str,
    pub digest_latest: &'static str,
    pub digests_none: &'static str,
    pub digest_created: &'static str,
    pub digest_sent: &'static str,
    pub logout: &'static str,
    pub signed_in_as: &'static str,
    pub language: &'static str,
    pub login_title: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_failed: &'static str,
    pub too_many: &'static str,
    pub form_expired: &'static str,
    pub search_title: &'static str,
    pub query_label: &'static str,
    pub search_button: &'static str,
    pub help_summary: &'static str,
    pub help_words: &'static str,
    pub help_phrase: &'static str,
    pub help_ops: &'static str,
    pub help_prefix: &'static str,
    pub filters: &'static str,
    pub district: &'static str,
    pub source: &'static str,
    pub tone: &'static str,
    pub any: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub sort: &'static str,
    pub sort_relevance: &'static str,
    pub sort_date: &'static str,
    pub hits: &'static str,
    pub no_hits: &'static str,
    pub prev: &'static str,
    pub next: &'static str,
    pub pagination: &'static str,
    pub page: &'static str,
    pub export_csv: &'static str,
    pub attention: &'static str,
    pub chart_desc: &'static str,
    pub week: &'static str,
    pub articles: &'static str,
    pub data_table: &'static str,
    /// One match, as in "1 träff"; `hits` is the plural.
    pub hit: &'static str,
    pub original: &'static str,
    pub published: &'static str,
    pub sources: &'static str,
    pub score: &'static str,
    pub frames: &'static str,
    pub evidence: &'static str,
    pub machine_label: &'static str,
    pub corrected_to: &'static str,
    pub correct: &'static str,
    pub note: &'static str,
    pub save: &'static str,
    pub corrections: &'static str,
    pub who: &'static str,
    pub when: &'static str,
    pub only_editors: &'static str,
    pub text_heading: &'static str,
    pub no_districts: &'static str,
    pub saved: &'static str,
    pub export_corrections: &'static str,
    pub districts_title: &'static str,
    pub stigma_share: &'static str,
    pub top_outlets: &'static str,
    pub stories_heading: &'static str,
    /// After the latest week's share: "av nyheterna stigmatiserande, mot".
    pub share_against: &'static str,
    pub baseline_share: &'static str,
    /// Read out for the spike mark beside the latest week.
    pub spike_mark: &'static str,
    pub latest_week: &'static str,
    pub spike_weeks: &'static str,
    pub no_spikes: &'static str,
    pub top_frames: &'static str,
    pub stories_note: &'static str,
    pub latest_stigmatizing: &'static str,
    pub latest_positive: &'static str,
    pub compare: &'static str,
    pub compare_button: &'static str,
    pub compare_desc: &'static str,
    pub download_svg: &'static str,
    pub download_csv: &'static str,
    pub period: &'static str,
    pub show: &'static str,
    pub total: &'static str,
    pub none: &'static str,
    pub last_weeks: &'static str,
    pub coverage: &'static str,
    pub all_coverage: &'static str,
    pub sources_title: &'static str,
    pub feed: &'static str,
    pub last_success: &'static str,
    pub last_error: &'static str,
    pub failures: &'static str,
    pub next_due: &'static str,
    pub this_week: &'static str,
    pub never: &'static str,
    pub status: &'static str,
    pub status_ok: &'static str,
    pub status_failing: &'static str,
    pub status_new: &'static str,
    /// Why a feed failed, per `FailureKind`; the HTTP ones are followed by the status.
    pub fail_timeout: &'static str,
    pub fail_gone: &'static str,
    pub fail_denied: &'static str,
    pub fail_wait: &'static str,
    pub fail_server: &'static str,
    pub fail_http: &'static str,
    pub fail_too_large: &'static str,
    pub fail_refused: &'static str,
    pub fail_network: &'static str,
    pub fail_not_feed: &'static str,
    pub fail_malformed: &'static str,
    pub stigmatizing: &'static str,
    pub negative: &'static str,
    pub neutral: &'static str,
    pub positive: &'static str,
    pub viewer: &'static str,
    pub editor: &'static str,
    pub admin: &'static str,
}

impl Tr {
    pub fn label(&self, l: Label) -> &'static str {
        match l {
            Label::Stigmatizing => self.stigmatizing,
            Label::Negative => self.negative,
            Label::Neutral => self.neutral,
            Label::Positive => self.positive,
        }
    }

    /// A feed failure in the reader's words, from its stored `FailureKind` code.
    pub fn failure(&self, kind: FailureKind) -> String {
        match kind {
            FailureKind::Timeout => self.fail_timeout.into(),
            FailureKind::Http(status) => {
                let why = match status {
                    404 | 410 => self.fail_gone,
                    401 | 403 => self.fail_denied,
                    429 => self.fail_wait,
                    500..=599 => self.fail_server,
                    _ => self.fail_http,
                };
                format!("{why} (HTTP {status})")
            }
            FailureKind::TooLarge => self.fail_too_large.into(),
            FailureKind::Refused => self.fail_refused.into(),
            FailureKind::Network => self.fail_network.into(),
            FailureKind::NotAFeed => self.fail_not_feed.into(),
            FailureKind::Malformed => self.fail_malformed.into(),
        }
    }

    pub fn role(&self, r: Role) -> &'static str {
        match r {
            Role::Viewer => self.viewer,
            Role::Editor => self.editor,
            Role::Admin => self.admin,
        }
    }
}
