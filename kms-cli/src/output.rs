//! Printing a response: `--query` (a JMESPath expression, as in the AWS CLI) picks what to
//! print, `--output` picks JSON or text.

use std::rc::Rc;

use jmespath::{Expression, JmespathError, Variable};
use serde_json::Value;
use zeroize::Zeroize;

use crate::cli::OutputFormat;

/// A `--query`, compiled before the command runs so that a bad expression changes nothing.
#[derive(Debug)]
pub(crate) struct Query(Expression<'static>);

impl Query {
    /// Compiles a JMESPath expression (<https://jmespath.org/specification.html>), such as
    /// `Keys[*].KeyId`, `Aliases[?TargetKeyId=='…'].AliasName` or `length(Keys)`.
    pub(crate) fn compile(expression: &str) -> Result<Self, String> {
        jmespath::compile(expression)
            .map(Self)
            .map_err(|error| query_error(expression, &error))
    }
}

/// The text to print for `value`, after `query`; `Err` names a query that cannot be applied
/// to it (a function given the wrong type of value).
pub(crate) fn render(
    value: &Value,
    format: OutputFormat,
    query: Option<&Query>,
) -> Result<String, String> {
    let Some(Query(expression)) = query else {
        return Ok(format_value(value, format));
    };
    let input =
        Rc::new(Variable::from_serializable(value).map_err(|error| {
            format!("--query: the response cannot be searched: {}", error.reason)
        })?);
    let searched = expression.search(Rc::clone(&input));
    let rendered = searched
        .map_err(|error| query_error(expression.as_str(), &error))
        .and_then(|result| {
            let selected = serde_json::to_value(&*result)
                .map_err(|error| format!("--query: cannot print the result: {error}"));
            drop(result);
            selected
        })
        .map(|mut selected| {
            let rendered = format_value(&selected, format);
            wipe(&mut selected);
            rendered
        });
    wipe_variable(input);
    rendered
}

/// `value` printed in `format`.
fn format_value(value: &Value, format: OutputFormat) -> String {
    match format {
        OutputFormat::Json => pretty(value),
        OutputFormat::Text => text(value),
    }
}

/// A one-line message for a query that does not compile or cannot be applied, worded as the
/// AWS CLI words it (`Bad value for --query EXPRESSION: …`), with the column. JMESPath's own
/// errors name types, never the values of the response.
fn query_error(expression: &str, error: &JmespathError) -> String {
    format!(
        "Bad value for --query {}: {}, at column {}",
        expression.escape_debug(),
        error.reason,
        error.column + 1
    )
}

/// JSON indented by four spaces, as the AWS CLI prints it.
fn pretty(value: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    match serde::Serialize::serialize(value, &mut serializer) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => value.to_string(),
    }
}

/// Plain text: a scalar as is, a list of scalars tab-separated, an object as the
/// tab-separated values of its scalar fields then one line per nested object or list item,
/// headed by the field name in capitals.
fn text(value: &Value) -> String {
    let mut lines = Vec::new();
    text_lines(None, value, &mut lines);
    lines.join("\n")
}

fn text_lines(name: Option<&str>, value: &Value, lines: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            let scalars: Vec<String> = fields
                .values()
                .filter(|v| is_scalar(v))
                .map(scalar)
                .collect();
            if !scalars.is_empty() {
                let mut line = name.map(str::to_uppercase).into_iter().collect::<Vec<_>>();
                line.extend(scalars);
                lines.push(line.join("\t"));
            }
            for (field, nested) in fields.iter().filter(|(_, v)| !is_scalar(v)) {
                text_lines(Some(field), nested, lines);
            }
        }
        Value::Array(items) if items.iter().all(is_scalar) => {
            let mut line = name.map(str::to_uppercase).into_iter().collect::<Vec<_>>();
            line.extend(items.iter().map(scalar));
            lines.push(line.join("\t"));
        }
        Value::Array(items) => {
            for item in items {
                text_lines(name, item, lines);
            }
        }
        scalar_value => lines.push(scalar(scalar_value)),
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "None".to_owned(),
        Value::Bool(flag) => if *flag { "True" } else { "False" }.to_owned(),
        other => other.to_string(),
    }
}

/// Overwrites every string of `value` (plaintexts among them) before it is dropped.
pub(crate) fn wipe(value: &mut Value) {
    match value {
        Value::String(text) => text.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(fields) => fields.values_mut().for_each(wipe),
        _ => {}
    }
}

/// Overwrites every string of the searched copy of a response, once nothing else holds it.
fn wipe_variable(variable: Rc<Variable>) {
    let Ok(variable) = Rc::try_unwrap(variable) else {
        return;
    };
    match variable {
        Variable::String(mut text) => text.zeroize(),
        Variable::Array(items) => items.into_iter().for_each(wipe_variable),
        Variable::Object(fields) => fields.into_values().for_each(wipe_variable),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn query(value: &Value, expression: &str) -> Result<String, String> {
        let query = Query::compile(expression)?;
        render(value, OutputFormat::Text, Some(&query))
    }

    #[test]
    fn query_is_jmespath() {
        let value = json!({
            "Keys": [{ "KeyId": "k1", "KeyArn": "arn1" }, { "KeyId": "k2", "KeyArn": "arn2" }],
            "Aliases": [
                { "AliasName": "alias/a", "TargetKeyId": "k1" },
                { "AliasName": "alias/b", "TargetKeyId": "k2" },
                { "AliasName": "alias/c", "TargetKeyId": "k1" }
            ],
            "KeyMetadata": { "KeyId": "abc" }
        });
        assert_eq!(query(&value, "KeyMetadata.KeyId"), Ok("abc".to_owned()));
        assert_eq!(query(&value, "Keys[0].KeyArn"), Ok("arn1".to_owned()));
        assert_eq!(query(&value, "Keys[*].KeyId"), Ok("k1\tk2".to_owned()));
        assert_eq!(
            query(&value, "Aliases[?TargetKeyId=='k1'].AliasName"),
            Ok("alias/a\talias/c".to_owned())
        );
        assert_eq!(query(&value, "length(Keys)"), Ok("2".to_owned()));
        assert_eq!(query(&value, "Missing"), Ok("None".to_owned()));
        let json = render(
            &value,
            OutputFormat::Json,
            Some(&Query::compile("Keys[-1]").unwrap()),
        );
        assert_eq!(
            json,
            Ok("{\n    \"KeyArn\": \"arn2\",\n    \"KeyId\": \"k2\"\n}".to_owned())
        );
    }

    #[test]
    fn a_bad_query_is_named_on_one_line() {
        let err = Query::compile("Keys[").unwrap_err();
        assert!(
            err.starts_with("Bad value for --query Keys[: Parse error"),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
        let value = json!({ "KeyMetadata": { "KeyId": "secret-looking" } });
        let err = query(&value, "length(KeyMetadata.Enabled)").unwrap_err();
        assert!(err.contains("Runtime error"), "{err}");
        assert!(!err.contains("secret-looking"), "{err}");
    }

    #[test]
    fn json_is_indented_by_four_spaces() {
        let out = render(&json!({ "KeyId": "k" }), OutputFormat::Json, None).unwrap();
        assert_eq!(out, "{\n    \"KeyId\": \"k\"\n}");
    }

    #[test]
    fn text_prints_values_tab_separated() {
        let value = json!({ "KeyId": "k", "Enabled": true, "Algorithms": ["A", "B"] });
        assert_eq!(text(&value), "k\tTrue\nALGORITHMS\tA\tB");
    }
}
