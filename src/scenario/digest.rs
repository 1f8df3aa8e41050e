//! The source digest: the claims a scenario's values cite (docs/architecture.md §3).
//!
//! A digest file (`seeds/*.ron`) lists what a source says, one claim per entry, paraphrased in the
//! project's own words. Scenario values cite claim ids in `because`; `detente check` rejects an
//! unknown id and `detente explain` prints each value beside the claims it rests on.

use serde::{Deserialize, Serialize};

/// A digest file: one source and the claims drawn from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Digest")]
pub struct Digest {
    /// What was read.
    pub source: Source,
    /// The claims, in the order of the source.
    pub claims: Vec<Claim>,
}

/// Bibliographic description of a source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Source")]
pub struct Source {
    /// Title of the piece.
    pub title: String,
    /// When it was published (free text, e.g. `"2025-04"`).
    pub date: String,
    /// How paragraphs are numbered in `Claim::paragraph`.
    pub paragraphs: String,
}

/// Whether a claim reports something that happened or gives the author's reading of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClaimKind {
    /// A reported fact: a statement, a meeting, a law signed.
    Fact,
    /// The author's (or a quoted analyst's) assessment or interpretation.
    Assessment,
}

/// One claim of the source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Claim")]
pub struct Claim {
    /// Identifier cited by scenarios (`"C01"`...).
    pub id: String,
    /// Paragraph of the source it comes from (see `Source::paragraphs`).
    pub paragraph: u32,
    /// The actors it concerns (ids as used by the scenarios built on this digest).
    pub actors: Vec<String>,
    /// Fact or assessment.
    pub kind: ClaimKind,
    /// One line in the project's own words (no copied sentences).
    pub text: String,
}
