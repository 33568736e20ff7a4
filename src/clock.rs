//! The clock, injected everywhere: the system's, or fixed by `COACHBOOK_NOW`
//! (RFC 3339) for scripts, demos and tests.

use chrono::{DateTime, Utc};

use crate::error::BadInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// `COACHBOOK_NOW` when set, else the system clock.
    pub fn from_env() -> Result<Clock, BadInput> {
        match std::env::var("COACHBOOK_NOW") {
            Ok(text) if !text.trim().is_empty() => {
                let at = DateTime::parse_from_rfc3339(text.trim()).map_err(|_| {
                    BadInput(format!(
                        "COACHBOOK_NOW {} is not an RFC 3339 time like 2026-11-23T09:00:00+01:00",
                        crate::text::quoted(&text)
                    ))
                })?;
                let at = crate::domain::bounds::instant(at.with_timezone(&Utc))
                    .map_err(|err| BadInput(format!("COACHBOOK_NOW: {err}")))?;
                Ok(Clock::Fixed(at))
            }
            _ => Ok(Clock::System),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => *at,
        }
    }
}
