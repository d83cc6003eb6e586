//! Printing a response: `--query` picks a field, `--output` picks JSON or text.

use serde_json::Value;
use zeroize::Zeroize;

use crate::cli::OutputFormat;

/// The text to print for `value`, after `query` (a dotted path such as `KeyMetadata.KeyId` or
/// `Keys[0].KeyArn`); `Err` names a path that is not well formed.
pub(crate) fn render(
    value: &Value,
    format: OutputFormat,
    query: Option<&str>,
) -> Result<String, String> {
    let selected = match query {
        Some(path) => select(value, path)?,
        None => value,
    };
    Ok(match format {
        OutputFormat::Json => pretty(selected),
        OutputFormat::Text => text(selected),
    })
}

/// The value at `path`, or `null` where it leads nowhere (as the AWS CLI prints `None`).
fn select<'a>(value: &'a Value, path: &str) -> Result<&'a Value, String> {
    const NULL: &Value = &Value::Null;
    let mut current = value;
    for segment in path.split('.') {
        let (name, indexes) = match segment.find('[') {
            Some(at) => segment.split_at(at),
            None => (segment, ""),
        };
        if name.is_empty() && indexes.is_empty() {
            return Err(format!("--query: '{path}' has an empty field name"));
        }
        if !name.is_empty() {
            current = current.get(name).unwrap_or(NULL);
        }
        let mut rest = indexes;
        while let Some(open) = rest.strip_prefix('[') {
            let Some((index, after)) = open.split_once(']') else {
                return Err(format!("--query: '{path}' has an unclosed '['"));
            };
            let index: usize = index
                .parse()
                .map_err(|_| format!("--query: '{index}' in '{path}' is not an index"))?;
            current = current.get(index).unwrap_or(NULL);
            rest = after;
        }
        if !rest.is_empty() {
            return Err(format!("--query: '{path}' is not a dotted path"));
        }
    }
    Ok(current)
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn query_selects_by_dotted_path_and_index() {
        let value = json!({ "KeyMetadata": { "KeyId": "abc" }, "Keys": [{ "KeyArn": "arn1" }] });
        let render = |q| render(&value, OutputFormat::Text, Some(q));
        assert_eq!(render("KeyMetadata.KeyId"), Ok("abc".to_owned()));
        assert_eq!(render("Keys[0].KeyArn"), Ok("arn1".to_owned()));
        assert_eq!(render("Missing"), Ok("None".to_owned()));
        assert!(render("Keys[x]").is_err());
        assert!(render("a..b").is_err());
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
