//! Reply templates: shipped defaults, each overridable by a file of the same
//! name in the coach's templates folder, rendered strictly so a placeholder
//! without a value is refused rather than sent.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use minijinja::{Environment, ErrorKind, UndefinedBehavior, syntax::SyntaxConfig};

use super::template_values::TemplateValues;

/// The shipped templates, by name. A coach's file `<name>.txt` replaces one.
const SHIPPED: &[(&str, &str)] = &[
    (
        "emergency_apology",
        include_str!("../../assets/templates/emergency_apology.txt"),
    ),
    (
        "reschedule",
        include_str!("../../assets/templates/reschedule.txt"),
    ),
    (
        "acknowledgement",
        include_str!("../../assets/templates/acknowledgement.txt"),
    ),
    (
        "options",
        include_str!("../../assets/templates/options.txt"),
    ),
    (
        "handoff_client",
        include_str!("../../assets/templates/handoff_client.txt"),
    ),
    (
        "partner_brief",
        include_str!("../../assets/templates/partner_brief.txt"),
    ),
    ("recap", include_str!("../../assets/templates/recap.txt")),
    (
        "session_moved",
        include_str!("../../assets/templates/session_moved.txt"),
    ),
    (
        "check_in",
        include_str!("../../assets/templates/check_in.txt"),
    ),
    (
        "reminder",
        include_str!("../../assets/templates/reminder.txt"),
    ),
    (
        "parting",
        include_str!("../../assets/templates/parting.txt"),
    ),
    (
        "crisis_booked",
        include_str!("../../assets/templates/crisis_booked.txt"),
    ),
    (
        "session_stands",
        include_str!("../../assets/templates/session_stands.txt"),
    ),
    (
        "session_cancelled",
        include_str!("../../assets/templates/session_cancelled.txt"),
    ),
];

/// The extension of template files in the coach's folder.
const TEMPLATE_EXTENSION: &str = "txt";

/// A template is sandboxed: it reads only the values it is given, and
/// these bound how much work it may do and how much text it may make.
/// Fuel counts the engine's instructions (a shipped template uses a few
/// hundred); the recursion limit bounds nested macros and includes.
pub const TEMPLATE_FUEL: u64 = 200_000;
pub const TEMPLATE_RECURSION: usize = 50;
/// The most text one part (subject or body) may render to.
pub const TEMPLATE_MAX_OUTPUT: usize = 256 * 1024;

/// Collects rendered text and refuses to grow past the cap.
struct CappedOutput {
    text: Vec<u8>,
}

impl io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.text.len().saturating_add(buf.len()) > TEMPLATE_MAX_OUTPUT {
            return Err(io::Error::other("output cap"));
        }
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Why a template could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template {template} needs a value for {}", .missing.join(", "))]
    MissingValue {
        template: String,
        missing: Vec<String>,
    },
    #[error("no template named {name}; known templates: {}", .known.join(", "))]
    UnknownTemplate { name: String, known: Vec<String> },
    #[error("template file {}: {message}", .file.display())]
    BadFile { file: PathBuf, message: String },
    #[error("cannot read template file {}: {source}", .file.display())]
    Read { file: PathBuf, source: io::Error },
    #[error("template {template} could not be rendered: {message}")]
    Render { template: String, message: String },
}

/// A rendered message, ready for the preview and for `build_message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

/// Where a template's text came from, for error messages.
#[derive(Debug, Clone)]
enum Origin {
    Shipped,
    Override(PathBuf),
}

impl Origin {
    fn file(&self, name: &str) -> PathBuf {
        match self {
            Origin::Shipped => PathBuf::from(format!("assets/templates/{name}.txt (built in)")),
            Origin::Override(path) => path.clone(),
        }
    }
}

/// A template split into its two parts.
#[derive(Debug, Clone)]
struct TemplateText {
    subject: String,
    body: String,
    /// Lines in the file before the body, so errors point at file lines.
    lines_before_body: usize,
    origin: Origin,
}

/// The set of templates in effect: shipped ones, with the coach's files
/// laid over them.
#[derive(Clone)]
pub struct Templates {
    env: Environment<'static>,
    texts: BTreeMap<String, TemplateText>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("names", &self.names())
            .finish()
    }
}

impl Templates {
    /// The shipped templates, overridden by every `<name>.txt` in
    /// `override_dir`. A file with a new name adds a template. A folder
    /// that does not exist yet means no overrides.
    pub fn load(override_dir: Option<&Path>) -> Result<Templates, TemplateError> {
        let mut texts = BTreeMap::new();
        for (name, source) in SHIPPED {
            let text = split_template(source, Origin::Shipped, name)?;
            texts.insert((*name).to_string(), text);
        }
        if let Some(dir) = override_dir {
            for (name, path) in override_files(dir)? {
                let source = read_template(&path)?;
                let text = split_template(&source, Origin::Override(path), &name)?;
                texts.insert(name, text);
            }
        }
        let mut env = new_environment();
        for (name, text) in &texts {
            let parts = [
                ("subject", &text.subject, 0),
                ("body", &text.body, text.lines_before_body),
            ];
            for (part, source, lines_before) in parts {
                env.add_template_owned(part_name(name, part), source.clone())
                    .map_err(|error| TemplateError::BadFile {
                        file: text.origin.file(name),
                        message: engine_message(&error, lines_before),
                    })?;
            }
        }
        Ok(Templates { env, texts })
    }

    /// Names of every template in effect, sorted.
    pub fn names(&self) -> Vec<String> {
        self.texts.keys().cloned().collect()
    }

    /// The file a template came from: the coach's override, or the shipped
    /// default.
    pub fn source_file(&self, name: &str) -> Option<PathBuf> {
        self.texts.get(name).map(|text| text.origin.file(name))
    }

    /// Render a template. Any placeholder it uses without a (non-blank)
    /// value is refused with its name.
    pub fn render(&self, name: &str, values: &TemplateValues) -> Result<Rendered, TemplateError> {
        let Some(text) = self.texts.get(name) else {
            return Err(TemplateError::UnknownTemplate {
                name: name.to_string(),
                known: self.names(),
            });
        };
        let context = values.to_context();
        let subject = self.render_part(name, "subject", &text.subject, 0, &context)?;
        let body = self.render_part(name, "body", &text.body, text.lines_before_body, &context)?;
        Ok(Rendered {
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            body: format!("{}\n", body.trim_end()),
        })
    }

    fn render_part(
        &self,
        name: &str,
        part: &str,
        source: &str,
        lines_before: usize,
        context: &BTreeMap<String, minijinja::Value>,
    ) -> Result<String, TemplateError> {
        let render_error = |message: String| TemplateError::Render {
            template: name.to_string(),
            message,
        };
        let template = self
            .env
            .get_template(&part_name(name, part))
            .map_err(|error| render_error(engine_message(&error, lines_before)))?;
        let mut output = CappedOutput { text: Vec::new() };
        let rendered = template.render_captured_to(context, &mut output);
        rendered
            .map(|_| String::from_utf8_lossy(&output.text).into_owned())
            .map_err(|error| {
                if error.kind() == ErrorKind::WriteFailure {
                    return render_error(format!(
                        "it would be longer than {} KB",
                        TEMPLATE_MAX_OUTPUT / 1024
                    ));
                }
                if error.kind() == ErrorKind::OutOfFuel {
                    return render_error(
                        "it does too much work (a loop that does not end?)".to_string(),
                    );
                }
                if error.kind() != ErrorKind::UndefinedError {
                    return render_error(engine_message(&error, lines_before));
                }
                let missing = missing_placeholders(source, &error, &template, context);
                if missing.is_empty() {
                    render_error(engine_message(&error, lines_before))
                } else {
                    TemplateError::MissingValue {
                        template: name.to_string(),
                        missing,
                    }
                }
            })
    }
}

fn new_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // A template is the coach's own file, but a loop in it must still end.
    env.set_fuel(Some(TEMPLATE_FUEL));
    env.set_recursion_limit(TEMPLATE_RECURSION);
    // Spans on errors let us name the exact placeholder that is missing.
    env.set_debug(true);
    // Plain text mail: never HTML-escape.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    // `{% for %}` lines should not leave blank lines behind.
    if let Ok(syntax) = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env
}

fn part_name(name: &str, part: &str) -> String {
    format!("{name}.{part}")
}

/// The engine's message without its multi-line debug dump; line numbers
/// count from the top of the file, `lines_before` being those above the part.
fn engine_message(error: &minijinja::Error, lines_before: usize) -> String {
    let mut message = error.kind().to_string();
    if let Some(detail) = error.detail() {
        message = format!("{message}: {detail}");
    }
    if let Some(line) = error.line() {
        message = format!("{message} (line {})", line + lines_before);
    }
    message
}

/// The placeholders to blame for an undefined-value error: those without a
/// value that appear in the failing expression, else every placeholder the
/// template uses that has no value.
fn missing_placeholders(
    source: &str,
    error: &minijinja::Error,
    template: &minijinja::Template<'_, '_>,
    context: &BTreeMap<String, minijinja::Value>,
) -> Vec<String> {
    let mut unset: Vec<(usize, String)> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|name| !context.contains_key(name))
        .map(|name| (first_use(source, &name).unwrap_or(usize::MAX), name))
        .collect();
    unset.sort();
    let failing = error
        .range()
        .and_then(|range| source.get(range))
        .unwrap_or_default();
    let in_failing: Vec<String> = unset
        .iter()
        .filter(|(_, name)| first_use(failing, name).is_some())
        .map(|(_, name)| name.clone())
        .collect();
    if in_failing.is_empty() {
        unset.into_iter().map(|(_, name)| name).collect()
    } else {
        in_failing
    }
}

/// Byte offset of the first use of `name` as a whole identifier.
fn first_use(source: &str, name: &str) -> Option<usize> {
    let is_ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    source.match_indices(name).map(|(at, _)| at).find(|&at| {
        let before = source[..at].chars().next_back();
        let after = source[at + name.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// `Subject: ...`, a blank line, then the body.
fn split_template(source: &str, origin: Origin, name: &str) -> Result<TemplateText, TemplateError> {
    let source = source.trim_start_matches('\u{feff}');
    let (first_line, rest) = source.split_once('\n').unwrap_or((source, ""));
    let first_line = first_line.trim_end_matches('\r');
    let subject = first_line
        .get(..8)
        .filter(|prefix| prefix.eq_ignore_ascii_case("subject:"))
        .map(|_| first_line[8..].trim().to_string());
    let Some(subject) = subject else {
        return Err(TemplateError::BadFile {
            file: origin.file(name),
            message: "the first line must be `Subject: ...`, then a blank line, then the body"
                .to_string(),
        });
    };
    let (body, lines_before_body) = match rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
    {
        Some(body) => (body, 2),
        None => (rest, 1),
    };
    Ok(TemplateText {
        subject,
        body: body.replace("\r\n", "\n"),
        lines_before_body,
        origin,
    })
}

/// `<name>.txt` files in the override folder, by template name.
fn override_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, TemplateError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(TemplateError::Read {
                file: dir.to_path_buf(),
                source,
            });
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| TemplateError::Read {
            file: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(TEMPLATE_EXTENSION) || path.is_dir() {
            continue;
        }
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if name.starts_with('.') || name.is_empty() {
            continue;
        }
        files.push((name.to_string(), path));
    }
    files.sort();
    Ok(files)
}

/// One override file: a regular file of at most 1 MiB, in UTF-8.
fn read_template(path: &Path) -> Result<String, TemplateError> {
    use crate::intake::limits::{MAX_TEMPLATE_BYTES, ReadError, read_capped};
    let read = |source: io::Error| TemplateError::Read {
        file: path.to_path_buf(),
        source,
    };
    let bytes = read_capped(path, MAX_TEMPLATE_BYTES, "a template").map_err(|err| match err {
        ReadError::Refused(why) => read(io::Error::other(why.0)),
        ReadError::Io(source) => read(source),
    })?;
    String::from_utf8(bytes).map_err(|_| read(io::Error::other("not UTF-8 text")))
}
