//! `coachbook review`: the end-of-day review as text, Markdown, CSV or JSON.

use anyhow::Result;

use super::Ctx;
use super::args::ReviewArgs;
use super::output::print_json;
use crate::error::BadInput;
use crate::review::{self, ReviewRange};

/// The forms the review can be printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewFormat {
    Text,
    Markdown,
    Csv,
    Json,
}

impl ReviewFormat {
    pub fn parse(text: &str) -> Result<ReviewFormat, BadInput> {
        match text.trim().to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(ReviewFormat::Text),
            "md" | "markdown" => Ok(ReviewFormat::Markdown),
            "csv" => Ok(ReviewFormat::Csv),
            "json" => Ok(ReviewFormat::Json),
            _ => Err(BadInput(format!(
                "unknown format '{text}' (expected one of: text, md, csv, json)"
            ))),
        }
    }
}

/// The days asked for: `--date DAY`, or `--from DAY --to DAY` (either may
/// be left out: `--to` defaults to today, `--from` to the `--to` day).
pub fn review_range(ctx: &Ctx, args: &ReviewArgs) -> Result<ReviewRange, BadInput> {
    if args.date.is_some() && (args.from.is_some() || args.to.is_some()) {
        return Err(BadInput(
            "--date names one day; use either --date or --from/--to".into(),
        ));
    }
    if let Some(date) = &args.date {
        return Ok(ReviewRange::day(ctx.day(date)?));
    }
    let to = match &args.to {
        Some(to) => ctx.day(to)?,
        None => ctx.today(),
    };
    let from = match &args.from {
        Some(from) => ctx.day(from)?,
        None => to,
    };
    ReviewRange::new(from, to)
}

pub fn review(ctx: &Ctx, args: ReviewArgs) -> Result<()> {
    let format = ReviewFormat::parse(&args.format)?;
    let range = review_range(ctx, &args)?;
    let store = ctx.open()?;
    let review = review::gather(&store, &ctx.config, range, ctx.now())?;
    match format {
        ReviewFormat::Text => say!("{}", review::text::review_text(&review)),
        ReviewFormat::Markdown => say!("{}", review::markdown::review_markdown(&review)),
        ReviewFormat::Csv => say!("{}", review::csv_rows::review_csv(&review)?),
        ReviewFormat::Json => print_json(&review::json::review_json(&review)),
    }
    Ok(())
}
