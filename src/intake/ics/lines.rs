//! Content lines (RFC 5545 §3.1, RFC 6350 §3.2): unfolding and the
//! `NAME;PARAM=VALUE:value` split, tolerant of what real exporters write.

/// One logical line: a property with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ContentLine {
    /// The physical line it started on (1-based), for messages.
    pub line_no: usize,
    /// A vCard group (`item1` of `item1.EMAIL`).
    pub group: Option<String>,
    /// Upper-cased.
    pub name: String,
    /// Names upper-cased; values unquoted. A vCard 2.1 bare parameter
    /// (`TEL;WORK;VOICE`) becomes `TYPE=WORK`, `QUOTED-PRINTABLE` and
    /// `BASE64` become `ENCODING=…`.
    pub params: Vec<(String, String)>,
    pub value: String,
    /// The line was malformed (a quote swallowed the value) and was read
    /// by ignoring its quotes.
    pub recovered: bool,
}

impl ContentLine {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_param_value(&self, name: &str, value: &str) -> bool {
        self.params
            .iter()
            .any(|(n, v)| n == name && v.eq_ignore_ascii_case(value))
    }
}

/// A line that could not be read as a property.
#[derive(Debug, Clone, PartialEq)]
pub struct BadLine {
    pub line_no: usize,
    /// The property name, when at least that was readable.
    pub name: Option<String>,
    pub reason: String,
}

/// Unfold: CRLF, LF or lone CR line ends; a line starting with a space or
/// a TAB continues the previous one (the one whitespace is dropped). Blank
/// lines are dropped. A leading UTF-8 BOM is ignored.
pub fn unfold(text: &str) -> Vec<(usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out: Vec<(usize, String)> = Vec::new();
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    for (index, physical) in normalized.split('\n').enumerate() {
        if let Some(rest) = physical
            .strip_prefix(' ')
            .or_else(|| physical.strip_prefix('\t'))
            && let Some(last) = out.last_mut()
        {
            last.1.push_str(rest);
            continue;
        }
        if physical.trim().is_empty() {
            continue;
        }
        out.push((index + 1, physical.to_string()));
    }
    out
}

/// Split a logical line into name, parameters and value. A quoted parameter
/// value may hold `:`, `;` and `,`. When the quotes leave no value (Exchange's
/// `DTSTART;TZID="W. Europe Standard Time:20200609T090000"`), the line is
/// read again ignoring quotes, and marked `recovered`.
pub fn parse_line(line_no: usize, raw: &str) -> Result<ContentLine, BadLine> {
    match split(line_no, raw, true) {
        Ok(line) => Ok(line),
        Err(first) if raw.contains('"') => match split(line_no, raw, false) {
            Ok(mut line) => {
                for (_, value) in &mut line.params {
                    *value = value.trim_matches('"').to_string();
                }
                line.value = line.value.trim_end_matches('"').to_string();
                line.recovered = true;
                Ok(line)
            }
            Err(_) => Err(first),
        },
        Err(first) => Err(first),
    }
}

fn split(line_no: usize, raw: &str, honour_quotes: bool) -> Result<ContentLine, BadLine> {
    let name_end = raw.find([';', ':']).ok_or_else(|| BadLine {
        line_no,
        name: None,
        reason: "not a property line (no ':')".into(),
    })?;
    let full_name = &raw[..name_end];
    let (group, name) = match full_name.rsplit_once('.') {
        Some((group, name)) => (Some(group.to_string()), name),
        None => (None, full_name),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(BadLine {
            line_no,
            name: None,
            reason: format!("not a property name: '{}'", shorten(full_name)),
        });
    }
    let name = name.to_ascii_uppercase();
    let bad = |reason: String| BadLine {
        line_no,
        name: Some(name.clone()),
        reason,
    };
    let mut params = Vec::new();
    let chars: Vec<char> = raw.chars().collect();
    let mut i = raw.get(..name_end).unwrap_or_default().chars().count();
    loop {
        match chars.get(i) {
            Some(':') => {
                let value: String = chars.get(i + 1..).unwrap_or_default().iter().collect();
                return Ok(ContentLine {
                    line_no,
                    group,
                    name,
                    params,
                    value,
                    recovered: false,
                });
            }
            Some(';') => {
                i += 1;
                let start = i;
                while chars.get(i).is_some_and(|c| !matches!(c, '=' | ';' | ':')) {
                    i += 1;
                }
                let pname: String = chars
                    .get(start..i)
                    .unwrap_or_default()
                    .iter()
                    .collect::<String>()
                    .to_ascii_uppercase();
                if chars.get(i) != Some(&'=') {
                    // vCard 2.1 bare parameter.
                    params.push(bare_param(pname.trim()));
                    continue;
                }
                i += 1;
                let mut value = String::new();
                loop {
                    match chars.get(i) {
                        Some('"') if honour_quotes => {
                            let rest = chars.get(i + 1..).unwrap_or_default();
                            let close = rest.iter().position(|&c| c == '"');
                            let Some(close) = close else {
                                return Err(bad(format!(
                                    "parameter {pname} has an unclosed quote"
                                )));
                            };
                            value.extend(rest.get(..close).unwrap_or_default());
                            i += close + 2;
                        }
                        Some(';' | ':') | None => break,
                        Some(&c) => {
                            value.push(c);
                            i += 1;
                        }
                    }
                }
                params.push((pname, value));
            }
            _ => {
                return Err(bad(format!(
                    "no value: the line ends inside its parameters ('{}')",
                    shorten(raw)
                )));
            }
        }
    }
}

fn bare_param(word: &str) -> (String, String) {
    match word {
        "QUOTED-PRINTABLE" | "BASE64" | "8BIT" | "7BIT" | "B" => ("ENCODING".into(), word.into()),
        _ => ("TYPE".into(), word.into()),
    }
}

/// RFC 5545 TEXT: `\n`, `\,`, `\;`, `\\` (and `\:` from some exporters).
pub fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Split on a separator that is not escaped with a backslash.
pub fn split_unescaped(value: &str, separator: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            if let Some(part) = parts.last_mut() {
                part.push('\\');
                part.push(c);
            }
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == separator {
            parts.push(String::new());
        } else if let Some(part) = parts.last_mut() {
            part.push(c);
        }
    }
    parts
}

fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_crlf_lf_and_tab_continuations() {
        let text =
            "\u{feff}BEGIN:VEVENT\r\nSUMMARY:Long ti\r\n tle\r\nDESCRIPTION:a\n\tb\nEND:VEVENT";
        let lines = unfold(text);
        assert_eq!(
            lines,
            vec![
                (1, "BEGIN:VEVENT".to_string()),
                (2, "SUMMARY:Long title".to_string()),
                (4, "DESCRIPTION:ab".to_string()),
                (6, "END:VEVENT".to_string()),
            ]
        );
    }

    #[test]
    fn a_continuation_keeps_its_inner_spaces() {
        let lines = unfold("NOTE:one\r\n  two\r\n");
        assert_eq!(lines[0].1, "NOTE:one two");
    }

    #[test]
    fn quoted_params_may_hold_colons_commas_and_semicolons() {
        let line = parse_line(
            3,
            "DTSTART;TZID=\"Kuala Lumpur, Singapore\":20081031T093000",
        )
        .expect("parses");
        assert_eq!(line.name, "DTSTART");
        assert_eq!(line.param("TZID"), Some("Kuala Lumpur, Singapore"));
        assert_eq!(line.value, "20081031T093000");
        let line =
            parse_line(1, "ATTENDEE;CN=\"Doe; J: x\";ROLE=REQ:mailto:j@x.org").expect("parses");
        assert_eq!(line.param("CN"), Some("Doe; J: x"));
        assert_eq!(line.value, "mailto:j@x.org");
        assert!(!line.recovered);
    }

    #[test]
    fn a_quote_that_swallows_the_value_is_recovered() {
        let line = parse_line(
            9,
            "DTSTART;TZID=\"W. Europe Standard Time:20200609T090000\"",
        )
        .expect("recovered");
        assert!(line.recovered);
        assert_eq!(line.param("TZID"), Some("W. Europe Standard Time"));
        assert_eq!(line.value, "20200609T090000");
    }

    #[test]
    fn hopeless_lines_are_reported_with_their_name() {
        let err = parse_line(4, "DTSTART;TZID=Europe/Berlin").expect_err("no value");
        assert_eq!(err.name.as_deref(), Some("DTSTART"));
        assert_eq!(err.line_no, 4);
        let err = parse_line(5, "just some words").expect_err("no colon");
        assert_eq!(err.name, None);
    }

    #[test]
    fn vcard_groups_and_bare_params() {
        let line = parse_line(1, "item1.EMAIL;type=INTERNET:a@b.c").expect("parses");
        assert_eq!(line.group.as_deref(), Some("item1"));
        assert_eq!(line.param("TYPE"), Some("INTERNET"));
        let line = parse_line(1, "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:x").expect("ok");
        assert!(line.has_param_value("ENCODING", "quoted-printable"));
        let line = parse_line(1, "TEL;WORK;VOICE:123").expect("parses");
        assert!(line.has_param_value("TYPE", "work"));
        let line = parse_line(1, "LABEL;QUOTED-PRINTABLE:a=3Db").expect("parses");
        assert!(line.has_param_value("ENCODING", "QUOTED-PRINTABLE"));
    }

    #[test]
    fn text_unescaping_and_splitting() {
        assert_eq!(unescape_text("a\\, b\\; c\\nd\\\\e"), "a, b; c\nd\\e");
        assert_eq!(
            split_unescaped("Doe;John;Richter\\, James", ';'),
            vec!["Doe", "John", "Richter\\, James"]
        );
    }
}
