//! kavosh — a Persian-first full-text search service.
//!
//! Data flows one way: source ([`crawl`] → [`ingest`]) → [`document`] → [`index`] → [`search`] →
//! [`server`]. [`analysis`] turns Persian text into terms, the same way for documents and
//! queries; [`calendar`] converts between Jalali and ISO days. [`insights`] counts what the
//! server's visitors search for; [`progress`] shows long commands' progress on a terminal.

pub mod analysis;
pub mod calendar;
pub mod crawl;
pub mod document;
pub mod index;
pub mod ingest;
pub mod insights;
pub mod progress;
pub mod search;
pub mod server;
