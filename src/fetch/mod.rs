//! Fetching and decoding feeds: the HTTP client (timeouts, caps, conditional GET, politeness) and
//! feed decoding (charset → entity repair → feed-rs), and for backfill robots.txt and sitemaps.
//! Knows nothing of the store or the index.

mod charset;
mod client;
mod dates;
mod decode;
mod entities;
mod failure;
mod robots;
mod sitemap;
mod urls;

pub use charset::decode as decode_text;
pub use client::{ClientSettings, FetchError, Fetched, HttpClient, Page, Validators};
pub use dates::parse_timestamp;
pub use decode::{decode_feed, DecodeError, DecodedFeed};
pub use failure::FailureKind;
pub use robots::{Robots, AGENT};
pub use sitemap::{parse_sitemap, Sitemap, SitemapError, SitemapRef, SitemapUrl};
pub use urls::{canonical_key, check_link, LinkRefused};
