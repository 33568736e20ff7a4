//! Undo from the undo log's data. A statement is built only from a tracked
//! table's name and its real column names; every value is bound, never
//! spliced in. So whatever a hand-edited book holds in `undo_log`, undo runs
//! no SQL but these three shapes on the book's own tables.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::schema::tracked_columns;

/// One row of the undo log.
pub struct UndoStep {
    pub id: i64,
    pub op: Option<String>,
    pub table: Option<String>,
    pub row_id: Option<i64>,
    pub values: Option<String>,
}

/// Put back what one undo log row recorded. The error says, in words, why
/// the row cannot be used.
pub fn revert(conn: &Connection, step: &UndoStep) -> Result<(), String> {
    let (Some(op), Some(table), Some(row_id)) = (&step.op, &step.table, step.row_id) else {
        return Err(
            "was written by an older coachbook (as SQL text), which undo no longer runs".into(),
        );
    };
    let columns = tracked_columns(conn, table)
        .map_err(|e| format!("cannot be read: {e}"))?
        .ok_or_else(|| format!("names a table undo does not touch ({})", shorten(table)))?;
    let values = match op.as_str() {
        "delete" => Vec::new(),
        "update" | "insert" => parse_values(step.values.as_deref(), &columns)?,
        other => return Err(format!("names an unknown step ({})", shorten(other))),
    };
    let quoted = |c: &str| format!("\"{c}\"");
    let sql = match op.as_str() {
        "delete" => format!("DELETE FROM {} WHERE rowid = ?1", quoted(table)),
        "update" if values.is_empty() => return Ok(()),
        "update" => {
            let sets: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(i, (c, _))| format!("{} = ?{}", quoted(c), i + 2))
                .collect();
            format!(
                "UPDATE {} SET {} WHERE rowid = ?1",
                quoted(table),
                sets.join(", ")
            )
        }
        _ => {
            let names: Vec<String> = values.iter().map(|(c, _)| quoted(c)).collect();
            let marks: Vec<String> = (0..values.len()).map(|i| format!("?{}", i + 2)).collect();
            format!(
                "INSERT INTO {} (rowid, {}) VALUES (?1, {})",
                quoted(table),
                names.join(", "),
                marks.join(", ")
            )
        }
    };
    let mut params: Vec<Value> = vec![Value::Integer(row_id)];
    params.extend(values.into_iter().map(|(_, v)| v));
    conn.execute(&sql, rusqlite::params_from_iter(params))
        .map(|_| ())
        .map_err(|e| format!("failed: {e}"))
}

/// The old values: a JSON object whose keys are real columns of the table.
fn parse_values(text: Option<&str>, columns: &[String]) -> Result<Vec<(String, Value)>, String> {
    let text = text.ok_or("has no values")?;
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|_| "holds values that are not a JSON object")?;
    let mut out = Vec::new();
    for (column, value) in object {
        let Some(known) = columns.iter().find(|c| **c == column) else {
            return Err(format!("names an unknown column ({})", shorten(&column)));
        };
        let value = match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Integer(i64::from(b)),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Integer(i),
                None => Value::Real(n.as_f64().ok_or("holds a number out of range")?),
            },
            serde_json::Value::String(s) => Value::Text(s),
            _ => return Err(format!("holds a nested value for {known}")),
        };
        out.push((known.clone(), value));
    }
    Ok(out)
}

fn shorten(text: &str) -> String {
    let short: String = text.chars().take(40).filter(|c| !c.is_control()).collect();
    if text.chars().count() > 40 {
        format!("{short}…")
    } else {
        short
    }
}
