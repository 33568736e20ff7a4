//! The keymap is data: one table of bindings (key, scope, command,
//! description) drives dispatch, the help overlay and the status-bar hints.
//! The config's `[keys]` section (key text → command name) is laid over it.

mod defaults;
mod key;
mod scope;

use std::collections::BTreeMap;

use ratatui::crossterm::event::KeyCode;

use crate::error::BadInput;
use crate::tui::action::Command;
use defaults::DEFAULTS;
pub use key::Key;
pub use scope::Scope;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub key: Key,
    pub scope: Scope,
    pub command: Command,
    pub description: &'static str,
}

/// The config's word for "this key does nothing".
pub const UNBIND: &str = "none";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Keymap {
    pub fn defaults() -> Keymap {
        let bindings = DEFAULTS
            .iter()
            .map(|(key, scope, command, description)| Binding {
                // The table is checked by a test; a typo there is a bug.
                key: Key::parse(key).unwrap_or(Key::plain(KeyCode::Null)),
                scope: *scope,
                command: *command,
                description,
            })
            .collect();
        Keymap { bindings }
    }

    /// The defaults with the config's `[keys]` laid over them. A key given a
    /// command replaces what that key did where the command applies; the
    /// command's other keys stay. `key = "none"` unbinds a key everywhere.
    /// An unknown command, a bad key or two commands on one key is refused.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Keymap, BadInput> {
        let fail = |what: String| BadInput(format!("config [keys]: {what}"));
        let defaults = Keymap::defaults();
        // The default table is conflict-free (its test says so): nothing
        // to check on the usual launch, which has no [keys].
        if overrides.is_empty() {
            return Ok(defaults);
        }
        let mut keymap = defaults.clone();
        let mut given: Vec<(Key, &str, Option<Command>)> = Vec::new();
        for (text, name) in overrides {
            let key = Key::parse(text).map_err(fail)?;
            let command = if name.trim().eq_ignore_ascii_case(UNBIND) {
                None
            } else {
                Some(Command::from_name(name).ok_or_else(|| {
                    let known: Vec<&str> = Command::ALL.iter().map(|c| c.name()).collect();
                    fail(format!(
                        "unknown action '{name}' for key '{text}' (known: {}, {UNBIND})",
                        known.join(", ")
                    ))
                })?)
            };
            if let Some((_, other_text, other)) = given.iter().find(|(k, _, _)| *k == key)
                && *other != command
            {
                return Err(fail(format!(
                    "'{other_text}' and '{text}' are the same key ({key}) but name different actions"
                )));
            }
            given.push((key, text.as_str(), command));
        }
        // The coach's own keys go first, so every hint names them.
        let mut chosen: Vec<Binding> = Vec::new();
        for (key, _, command) in &given {
            let Some(command) = command else {
                keymap.bindings.retain(|b| b.key != *key);
                continue;
            };
            let homes = defaults.home_scopes(*command);
            let scopes: Vec<Scope> = homes
                .into_iter()
                // A plain letter stays typeable in the prompt.
                .filter(|s| {
                    !s.takes_text() || command.is_prompt_command() || key.typed_char().is_none()
                })
                .collect();
            keymap
                .bindings
                .retain(|b| !(b.key == *key && scopes.iter().any(|s| s.overlaps(b.scope))));
            let description = defaults.description(*command);
            for scope in scopes {
                chosen.push(Binding {
                    key: *key,
                    scope,
                    command: *command,
                    description,
                });
            }
        }
        keymap.bindings.splice(0..0, chosen);
        if let Some(conflict) = keymap.conflicts().first() {
            return Err(fail(conflict.clone()));
        }
        Ok(keymap)
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The command a key means in the given chain of scopes (most specific
    /// first), if any.
    pub fn command_for(&self, scopes: &[Scope], key: Key) -> Option<Command> {
        scopes.iter().find_map(|scope| {
            self.bindings
                .iter()
                .find(|b| b.scope == *scope && b.key == key)
                .map(|b| b.command)
        })
    }

    /// The keys that reach `command` in the chain of scopes.
    pub fn keys_for(&self, scopes: &[Scope], command: Command) -> Vec<Key> {
        let mut keys = Vec::new();
        for scope in scopes {
            for b in self.bindings.iter().filter(|b| b.scope == *scope) {
                if b.command == command
                    && !keys.contains(&b.key)
                    && self.command_for(scopes, b.key) == Some(command)
                {
                    keys.push(b.key);
                }
            }
        }
        keys
    }

    /// "Ctrl-S send": the first key bound to `command` in `scopes` and a
    /// few words, or nothing when no key reaches it. Every hint in a title,
    /// prompt or form is made here, so it stays true after a `[keys]`
    /// override.
    pub fn hint(&self, scopes: &[Scope], command: Command, words: &str) -> Option<String> {
        self.keys_for(scopes, command)
            .first()
            .map(|key| format!("{key} {words}"))
    }

    /// The first key bound to `command` in `scopes`, for a sentence ("D
    /// retries"); a command no key reaches is named as in `[keys]`.
    pub fn key_name(&self, scopes: &[Scope], command: Command) -> String {
        self.keys_for(scopes, command)
            .first()
            .map_or_else(|| format!("[{}]", command.name()), |key| key.to_string())
    }

    /// Hints joined for a border title: " Tab next field · Enter saves ".
    pub fn hint_line(&self, scopes: &[Scope], list: &[(Command, &str)]) -> String {
        let parts: Vec<String> = list
            .iter()
            .filter_map(|(command, words)| self.hint(scopes, *command, words))
            .collect();
        format!(" {} ", parts.join(" · "))
    }

    /// Status-bar hints for the chain of scopes: (keys, hint), help first,
    /// then the most specific scope's commands, quit last.
    pub fn hints(&self, scopes: &[Scope]) -> Vec<(String, &'static str)> {
        let mut commands: Vec<Command> = Vec::new();
        for scope in scopes {
            for b in self.bindings.iter().filter(|b| b.scope == *scope) {
                if b.command.hinted() && !commands.contains(&b.command) {
                    commands.push(b.command);
                }
            }
        }
        let rank = |c: &Command| match c {
            Command::Help => 0,
            Command::Quit => 2,
            _ => 1,
        };
        commands.sort_by_key(rank);
        commands
            .into_iter()
            .filter_map(|command| {
                let keys = self.keys_for(scopes, command);
                let first = keys.first()?;
                Some((first.to_string(), command.hint()))
            })
            .collect()
    }

    /// The help overlay's sections: per scope, (keys, description) rows.
    pub fn help_sections(&self) -> Vec<(Scope, Vec<(String, &'static str)>)> {
        let mut sections = Vec::new();
        for scope in Scope::ALL {
            let mut rows: Vec<(Command, Vec<String>, &'static str)> = Vec::new();
            for b in self.bindings.iter().filter(|b| b.scope == *scope) {
                match rows.iter_mut().find(|(c, _, _)| *c == b.command) {
                    Some((_, keys, _)) => keys.push(b.key.to_string()),
                    None => rows.push((b.command, vec![b.key.to_string()], b.description)),
                }
            }
            if !rows.is_empty() {
                let rows = rows
                    .into_iter()
                    .map(|(_, keys, description)| (keys.join(", "), description))
                    .collect();
                sections.push((*scope, rows));
            }
        }
        sections
    }

    /// Scopes where `command` has a default binding.
    fn home_scopes(&self, command: Command) -> Vec<Scope> {
        let mut scopes: Vec<Scope> = Vec::new();
        for b in self.bindings.iter().filter(|b| b.command == command) {
            if !scopes.contains(&b.scope) {
                scopes.push(b.scope);
            }
        }
        scopes
    }

    fn description(&self, command: Command) -> &'static str {
        self.bindings
            .iter()
            .find(|b| b.command == command)
            .map_or(command.hint(), |b| b.description)
    }

    /// Keys that mean two different commands in scopes live at once.
    pub fn conflicts(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (i, a) in self.bindings.iter().enumerate() {
            for b in self.bindings.iter().skip(i + 1) {
                if a.key == b.key && a.command != b.command && a.scope.overlaps(b.scope) {
                    found.push(format!(
                        "key '{}' would mean both '{}' ({}) and '{}' ({})",
                        a.key,
                        a.command.name(),
                        a.scope.title().to_lowercase(),
                        b.command.name(),
                        b.scope.title().to_lowercase()
                    ));
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyEvent, KeyModifiers};

    fn overrides(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const DASHBOARD: &[Scope] = &[Scope::Sessions, Scope::Dashboard, Scope::Anywhere];

    #[test]
    fn the_default_table_parses_and_has_no_conflicts() {
        for (text, ..) in DEFAULTS {
            assert!(Key::parse(text).is_ok(), "{text}");
        }
        assert_eq!(Keymap::defaults().conflicts(), Vec::<String>::new());
    }

    #[test]
    fn every_command_has_a_default_key() {
        let keymap = Keymap::defaults();
        for command in Command::ALL {
            assert!(
                keymap.bindings().iter().any(|b| b.command == *command),
                "{command:?} has no key"
            );
            assert_eq!(Command::from_name(command.name()), Some(*command));
        }
    }

    #[test]
    fn keys_parse_from_config_text() {
        let key = |t: &str| Key::parse(t).expect(t);
        assert_eq!(key("G"), Key::plain(KeyCode::Char('G')));
        assert_eq!(key("shift-g"), Key::plain(KeyCode::Char('G')));
        assert_eq!(key("shift-tab"), Key::plain(KeyCode::BackTab));
        assert_eq!(
            key("Ctrl-R"),
            Key::new(KeyCode::Char('r'), KeyModifiers::CONTROL)
        );
        assert_eq!(key("-"), Key::plain(KeyCode::Char('-')));
        assert_eq!(key("f5"), Key::plain(KeyCode::F(5)));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("").is_err());
    }

    #[test]
    fn shift_is_folded_into_the_character_from_terminal_events() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&event), Key::plain(KeyCode::Char('G')));
        let event = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&event), Key::plain(KeyCode::BackTab));
    }

    #[test]
    fn the_most_specific_scope_wins() {
        let keymap = Keymap::defaults();
        let esc = Key::plain(KeyCode::Esc);
        assert_eq!(
            keymap.command_for(&[Scope::Prompt], esc),
            Some(Command::PromptCancel)
        );
        assert_eq!(
            keymap.command_for(&[Scope::Detail, Scope::Anywhere], esc),
            Some(Command::Back)
        );
        assert_eq!(keymap.command_for(DASHBOARD, esc), None);
        let q = Key::plain(KeyCode::Char('q'));
        assert_eq!(keymap.command_for(&[Scope::Prompt], q), None);
    }

    #[test]
    fn an_override_rebinds_a_key_and_keeps_the_commands_other_keys() {
        let keymap =
            Keymap::with_overrides(&overrides(&[("x", "quit"), ("h", "help")])).expect("valid");
        let key = |c| Key::plain(KeyCode::Char(c));
        assert_eq!(keymap.command_for(DASHBOARD, key('x')), Some(Command::Quit));
        assert_eq!(keymap.command_for(DASHBOARD, key('q')), Some(Command::Quit));
        // h was previous-day in the sessions pane; now it is help everywhere.
        assert_eq!(keymap.command_for(DASHBOARD, key('h')), Some(Command::Help));
        // A letter bound to quit still types in the prompt.
        assert_eq!(keymap.command_for(&[Scope::Prompt], key('x')), None);
        let help = keymap.help_sections();
        assert!(
            help.iter()
                .any(|(_, rows)| rows.iter().any(|(k, _)| k.contains('x')))
        );
    }

    #[test]
    fn none_unbinds_a_key() {
        let keymap = Keymap::with_overrides(&overrides(&[("q", "none")])).expect("valid");
        assert_eq!(
            keymap.command_for(DASHBOARD, Key::plain(KeyCode::Char('q'))),
            None
        );
    }

    #[test]
    fn unknown_actions_bad_keys_and_conflicts_are_one_line_refusals() {
        let err = Keymap::with_overrides(&overrides(&[("x", "qiut")])).expect_err("unknown");
        assert!(
            err.0
                .starts_with("config [keys]: unknown action 'qiut' for key 'x'"),
            "{}",
            err.0
        );
        let err = Keymap::with_overrides(&overrides(&[("hyper-x", "quit")])).expect_err("bad key");
        assert!(err.0.contains("'hyper-x' is not a key"), "{}", err.0);
        let err = Keymap::with_overrides(&overrides(&[("G", "top"), ("shift-g", "bottom")]))
            .expect_err("same key twice");
        assert!(err.0.contains("are the same key"), "{}", err.0);
        assert!(!err.0.contains('\n'));
    }

    #[test]
    fn hints_follow_the_bindings_in_effect() {
        let keymap = Keymap::with_overrides(&overrides(&[("n", "next-day")])).expect("valid");
        let hints = keymap.hints(DASHBOARD);
        assert_eq!(hints.first().map(|h| h.1), Some("help"));
        assert_eq!(hints.last().map(|h| h.1), Some("quit"));
        // The coach's own key is the one the hint names.
        assert!(
            hints.iter().any(|(k, h)| k == "n" && *h == "next day"),
            "{hints:?}"
        );
        let requests = keymap.hints(&[Scope::Requests, Scope::Dashboard, Scope::Anywhere]);
        assert!(!requests.iter().any(|(_, h)| *h == "next day"));
    }
}
