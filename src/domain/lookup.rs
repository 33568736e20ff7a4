//! Finding a client from what the coach typed: an id, the name, a unique
//! prefix of the name or of one of its words, or a fuzzy match. More than one
//! candidate is an error that lists them, so the wrong client is never picked.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::error::BadInput;

/// How many candidates an ambiguity error lists.
const LIST_AT_MOST: usize = 6;

pub fn find_client(query: &str, clients: &[(i64, String)]) -> Result<i64, BadInput> {
    let query = query.trim();
    if query.is_empty() {
        return Err(BadInput("a client name or id is needed".into()));
    }
    if let Ok(id) = query.parse::<i64>() {
        return clients
            .iter()
            .find(|(cid, _)| *cid == id)
            .map(|(cid, _)| *cid)
            .ok_or_else(|| BadInput(format!("no client has id {id}")));
    }
    let wanted = query.to_lowercase();
    let exact: Vec<&(i64, String)> = clients
        .iter()
        .filter(|(_, name)| name.to_lowercase() == wanted)
        .collect();
    if let [(id, _)] = exact.as_slice() {
        return Ok(*id);
    }
    let prefixed: Vec<&(i64, String)> = clients
        .iter()
        .filter(|(_, name)| {
            let name = name.to_lowercase();
            name.starts_with(&wanted) || name.split_whitespace().any(|w| w.starts_with(&wanted))
        })
        .collect();
    match prefixed.as_slice() {
        [(id, _)] => return Ok(*id),
        [] => {}
        many => return Err(ambiguous(query, many.iter().map(|(_, n)| n.as_str()))),
    }
    let fuzzy = fuzzy_matches(query, clients);
    match fuzzy.as_slice() {
        [(id, _)] => Ok(*id),
        [] => Err(BadInput(format!("no client matches '{query}'"))),
        many => Err(ambiguous(query, many.iter().map(|(_, n)| n.as_str()))),
    }
}

/// Clients whose names fuzzily match, best first.
pub fn fuzzy_matches(query: &str, clients: &[(i64, String)]) -> Vec<(i64, String)> {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, &(i64, String))> = clients
        .iter()
        .filter_map(|client| {
            let haystack = Utf32Str::new(&client.1, &mut buf);
            pattern
                .score(haystack, &mut matcher)
                .map(|score| (score, client))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.1.cmp(&b.1.1)));
    scored.into_iter().map(|(_, c)| c.clone()).collect()
}

fn ambiguous<'a>(query: &str, names: impl Iterator<Item = &'a str>) -> BadInput {
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    let shown: Vec<&str> = names.iter().take(LIST_AT_MOST).copied().collect();
    let more = names.len().saturating_sub(LIST_AT_MOST);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    BadInput(format!(
        "'{query}' could be {}{tail}; say which",
        shown.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Vec<(i64, String)> {
        vec![
            (1, "Amara Okafor".into()),
            (2, "Amir Haddad".into()),
            (3, "Chen Wei".into()),
            (4, "Sofia Lindqvist".into()),
            (5, "Sofia Lind".into()),
        ]
    }

    #[test]
    fn finds_by_id_exact_name_and_unique_prefix() {
        assert_eq!(find_client("3", &book()), Ok(3));
        assert_eq!(find_client("chen wei", &book()), Ok(3));
        assert_eq!(find_client("Okaf", &book()), Ok(1));
        assert_eq!(find_client("amar", &book()), Ok(1));
        // Exact beats prefix: "Sofia Lind" is also a prefix of "Sofia Lindqvist".
        assert_eq!(find_client("Sofia Lind", &book()), Ok(5));
    }

    #[test]
    fn finds_by_fuzzy_match_when_nothing_else_does() {
        assert_eq!(find_client("okfr", &book()), Ok(1));
    }

    #[test]
    fn an_ambiguous_name_lists_the_candidates() {
        let err = find_client("am", &book()).unwrap_err();
        assert_eq!(err.0, "'am' could be Amara Okafor, Amir Haddad; say which");
        let err = find_client("sofia", &book()).unwrap_err();
        assert_eq!(
            err.0,
            "'sofia' could be Sofia Lind, Sofia Lindqvist; say which"
        );
    }

    #[test]
    fn unknown_names_and_ids_are_refused() {
        assert_eq!(
            find_client("Zebedee", &book()).unwrap_err().0,
            "no client matches 'Zebedee'"
        );
        assert_eq!(
            find_client("42", &book()).unwrap_err().0,
            "no client has id 42"
        );
        assert!(find_client("  ", &book()).is_err());
    }
}
