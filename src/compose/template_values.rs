//! The values a template may use. Every value is optional here; a template
//! that uses one without a value refuses to render.

use std::collections::BTreeMap;

use minijinja::Value;

/// Values for placeholders. Text already formatted for the reader: times in
/// the client's zone (see `client_time_text`), names as they should appear.
/// An empty or blank value counts as missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateValues {
    pub client_first_name: Option<String>,
    /// The client's full name (for the partner brief).
    pub client_name: Option<String>,
    /// How the partner can reach the client.
    pub client_contact: Option<String>,
    /// The session time being moved, in the client's zone.
    pub old_time: Option<String>,
    /// The session a recap is about, in the client's zone.
    pub session_time: Option<String>,
    /// The next booked session, in the client's zone.
    pub next_time: Option<String>,
    /// Offered times, each in the client's zone.
    pub options: Vec<String>,
    /// What the client takes away from a session.
    pub action_items: Vec<String>,
    pub coach_name: Option<String>,
    pub signature: Option<String>,
    /// When the coach promises to get back, in the client's zone.
    pub promised_time: Option<String>,
    pub partner_name: Option<String>,
    /// How the client can reach the partner.
    pub partner_contact: Option<String>,
    /// What is at stake for the client right now.
    pub context: Option<String>,
    /// The client's request in a line: its mail subject or first line.
    pub request_summary: Option<String>,
    /// Further values for the coach's own templates.
    pub extra: BTreeMap<String, String>,
}

impl TemplateValues {
    /// The non-empty values by placeholder name, ready for the template
    /// engine. Missing and blank values are left out so strict rendering
    /// refuses them.
    pub(crate) fn to_context(&self) -> BTreeMap<String, Value> {
        let texts = [
            ("client_first_name", &self.client_first_name),
            ("client_name", &self.client_name),
            ("client_contact", &self.client_contact),
            ("old_time", &self.old_time),
            ("session_time", &self.session_time),
            ("next_time", &self.next_time),
            ("coach_name", &self.coach_name),
            ("signature", &self.signature),
            ("promised_time", &self.promised_time),
            ("partner_name", &self.partner_name),
            ("partner_contact", &self.partner_contact),
            ("context", &self.context),
            ("request_summary", &self.request_summary),
        ];
        let mut context = BTreeMap::new();
        for (name, value) in self.extra.iter().map(|(n, v)| (n.as_str(), Some(v))) {
            insert_text(&mut context, name, value);
        }
        for (name, value) in texts {
            insert_text(&mut context, name, value.as_ref());
        }
        insert_list(&mut context, "options", &self.options);
        insert_list(&mut context, "action_items", &self.action_items);
        context
    }
}

fn insert_text(context: &mut BTreeMap<String, Value>, name: &str, value: Option<&String>) {
    if let Some(value) = value.map(|v| v.trim()).filter(|v| !v.is_empty()) {
        context.insert(name.to_string(), Value::from(value));
    }
}

fn insert_list(context: &mut BTreeMap<String, Value>, name: &str, items: &[String]) {
    let items: Vec<Value> = items
        .iter()
        .map(|item| item.trim())
        .filter(|item| !item.is_empty())
        .map(Value::from)
        .collect();
    if !items.is_empty() {
        context.insert(name.to_string(), Value::from(items));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_values_and_empty_lists_are_left_out() {
        let values = TemplateValues {
            client_first_name: Some("  ".to_string()),
            coach_name: Some("Sam".to_string()),
            options: vec![String::new(), " ".to_string()],
            action_items: vec!["Call the bank".to_string(), String::new()],
            ..TemplateValues::default()
        };
        let context = values.to_context();
        assert!(!context.contains_key("client_first_name"));
        assert!(!context.contains_key("options"));
        assert_eq!(context.get("coach_name"), Some(&Value::from("Sam")));
        assert_eq!(context.get("action_items").map(|v| v.len()), Some(Some(1)));
    }

    #[test]
    fn named_fields_win_over_extra_values_of_the_same_name() {
        let values = TemplateValues {
            coach_name: Some("Sam".to_string()),
            extra: BTreeMap::from([
                ("coach_name".to_string(), "Other".to_string()),
                ("room".to_string(), "Blue room".to_string()),
            ]),
            ..TemplateValues::default()
        };
        let context = values.to_context();
        assert_eq!(context.get("coach_name"), Some(&Value::from("Sam")));
        assert_eq!(context.get("room"), Some(&Value::from("Blue room")));
    }
}
