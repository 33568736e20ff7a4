//! The two kinds of failure the command line tells apart: bad input (exit 2)
//! and everything else (exit 1).

use std::fmt;

/// Input the coach can fix: a typo, an unknown client, an impossible date.
/// Shown as one line; the process exits with code 2 and the book is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadInput(pub String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Build a `BadInput` error from a format string.
#[macro_export]
macro_rules! bad_input {
    ($($arg:tt)*) => {
        $crate::error::BadInput(format!($($arg)*))
    };
}

/// Return early with a `BadInput` error.
#[macro_export]
macro_rules! refuse {
    ($($arg:tt)*) => {
        return Err($crate::error::BadInput(format!($($arg)*)).into())
    };
}

/// The exit code for an error: 2 for bad input anywhere in the chain, else 1.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if err.chain().any(|e| e.downcast_ref::<BadInput>().is_some()) {
        2
    } else {
        1
    }
}

/// One line for the coach: the outermost message, with causes joined by ": ".
pub fn one_line(err: &anyhow::Error) -> String {
    let parts: Vec<String> = err.chain().map(|e| e.to_string()).collect();
    let mut line = String::new();
    for part in parts {
        if line.contains(&part) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&part);
    }
    crate::text::error_line(&line.replace('\n', " "))
}
