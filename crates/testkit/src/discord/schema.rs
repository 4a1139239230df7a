//! The JSON Schema subset the specification's request bodies are checked with.
//!
//! Handled: `$ref` (into `components/schemas`), `type` (one or a list, including `"null"`),
//! `const`, `enum`, `allOf`, `anyOf` and `oneOf` (both pass when any alternative passes),
//! `properties`, `required`, `additionalProperties`, `items`, `minItems`, `maxItems`,
//! `uniqueItems`, `minLength`, `maxLength`, `minimum`, `maximum` and the `snowflake` format.
//! `pattern` is not checked.
//!
//! Three choices make the checks both strict and true to what Discord accepts:
//! - Discord's schemas list `properties` but hardly ever say `additionalProperties: false`.
//!   An object schema with `properties` and no `additionalProperties` is treated as closed
//!   all the same, so a misspelt or misplaced field is reported. A property it does not list
//!   is accepted only when it holds a default value (`null`, `false`, `0`, `""`, `[]`, `{}`):
//!   serializers such as serenity's send every field they have, and Discord ignores those.
//! - A `snowflake` may be a JSON number too, as Discord accepts and serenity sends for the
//!   placeholder ids of new attachments.
//! - [`SPEC_GAPS`] lists the few fields Discord documents and accepts but the specification
//!   lacks or types differently; they are not checked.

use serde_json::{Map, Value};

/// `(schema, property)`: fields Discord documents but the specification lacks or mistypes.
const SPEC_GAPS: [(&str, &str); 4] = [
    // Documented for commands; missing from the create and update schemas.
    ("ApplicationCommandUpdateRequest", "nsfw"),
    ("ApplicationCommandCreateRequest", "nsfw"),
    // Documented as a string of permission bits (serenity sends one); the schemas say integer.
    (
        "ApplicationCommandUpdateRequest",
        "default_member_permissions",
    ),
    (
        "ApplicationCommandCreateRequest",
        "default_member_permissions",
    ),
];

/// The component schemas of the specification, which `$ref`s point into.
pub(crate) struct Schemas<'a> {
    pub(crate) components: &'a Value,
}

impl Schemas<'_> {
    /// Checks `value` at `path` against `schema`; `name` is the component schema it came from.
    pub(crate) fn validate(
        &self,
        schema: &Value,
        value: &Value,
        path: &str,
        name: Option<&str>,
        out: &mut Vec<Issue>,
    ) {
        let Some(schema) = schema.as_object() else {
            return;
        };
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let target = reference.strip_prefix("#/components/schemas/");
            let resolved = target.map(|t| (t, &self.components[t]));
            if let Some((target, resolved)) = resolved.filter(|(_, r)| r.is_object()) {
                self.validate(resolved, value, path, Some(target), out);
            }
        }
        if let Some(expected) = schema.get("type") {
            let expected = types(expected);
            let snowflake = schema.get("format").is_some_and(|f| f == "snowflake");
            let fits = expected.iter().any(|t| is_type(t, value)) || (snowflake && value.is_u64());
            if !fits {
                out.push(Issue::wrong_type(path, expected, value));
                return;
            }
        }
        if let Some(constant) = schema.get("const").filter(|c| *c != value) {
            out.push(Issue::new(
                path,
                format!("expected {constant}, got {value}"),
            ));
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.contains(value) {
                let allowed: Vec<String> = allowed.iter().map(Value::to_string).collect();
                let allowed = allowed.join(", ");
                out.push(Issue::new(path, format!("{value} is not one of {allowed}")));
            }
        }
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.validate(part, value, path, None, out);
        }
        for keyword in ["anyOf", "oneOf"] {
            if let Some(alternatives) = schema.get(keyword).and_then(Value::as_array) {
                self.validate_any(alternatives, value, path, out);
            }
        }
        match value {
            Value::String(text) => check_string(schema, text, path, out),
            Value::Number(number) => check_number(schema, number.as_f64(), path, out),
            Value::Array(items) => self.validate_array(schema, items, path, out),
            Value::Object(fields) => self.validate_object(schema, fields, path, name, out),
            Value::Null | Value::Bool(_) => {}
        }
    }

    /// Passes when any alternative passes; otherwise reports the closest miss, or merges the
    /// expected types when every alternative failed on the type alone.
    fn validate_any(
        &self,
        alternatives: &[Value],
        value: &Value,
        path: &str,
        out: &mut Vec<Issue>,
    ) {
        let mut misses = Vec::new();
        for alternative in alternatives {
            let mut issues = Vec::new();
            self.validate(alternative, value, path, None, &mut issues);
            if issues.is_empty() {
                return;
            }
            misses.push(issues);
        }
        let type_only = |issues: &Vec<Issue>| match issues.as_slice() {
            [only] if only.path == path => only.expected.clone(),
            _ => None,
        };
        let expected: Option<Vec<Vec<String>>> = misses.iter().map(type_only).collect();
        if let Some(expected) = expected.filter(|e| !e.is_empty()) {
            let mut merged: Vec<String> = Vec::new();
            for name in expected.into_iter().flatten() {
                if !merged.contains(&name) {
                    merged.push(name);
                }
            }
            out.push(Issue::wrong_type(path, merged, value));
            return;
        }
        // The closest miss has the right type, then fails least at this level, then least
        // overall.
        let rank = |issues: &Vec<Issue>| {
            let shallow = issues.iter().filter(|i| i.path == path);
            let wrong_type = shallow.clone().any(|i| i.expected.is_some());
            (wrong_type, shallow.count(), issues.len())
        };
        let closest = misses.into_iter().min_by_key(rank);
        out.extend(closest.unwrap_or_default());
    }

    fn validate_array(
        &self,
        schema: &Map<String, Value>,
        items: &[Value],
        path: &str,
        out: &mut Vec<Issue>,
    ) {
        let count = items.len() as f64;
        if let Some(min) = bound(schema, "minItems").filter(|min| count < *min) {
            out.push(Issue::new(
                path,
                format!("{count} items, at least {min} expected"),
            ));
        }
        if let Some(max) = bound(schema, "maxItems").filter(|max| count > *max) {
            out.push(Issue::new(
                path,
                format!("{count} items, at most {max} allowed"),
            ));
        }
        if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
            let repeated = items
                .iter()
                .enumerate()
                .find(|(i, item)| items[..*i].contains(item));
            if let Some((i, item)) = repeated {
                out.push(Issue::new(path, format!("item {i} repeats {item}")));
            }
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                self.validate(item_schema, item, &format!("{path}[{i}]"), None, out);
            }
        }
    }

    fn validate_object(
        &self,
        schema: &Map<String, Value>,
        fields: &Map<String, Value>,
        path: &str,
        name: Option<&str>,
        out: &mut Vec<Issue>,
    ) {
        let required = schema.get("required").and_then(Value::as_array);
        for key in required.into_iter().flatten().filter_map(Value::as_str) {
            if !fields.contains_key(key) {
                out.push(Issue::new(
                    path,
                    format!("missing required property \"{key}\""),
                ));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        for (key, item) in fields {
            let item_path = format!("{path}.{key}");
            if name.is_some_and(|name| SPEC_GAPS.contains(&(name, key.as_str()))) {
                continue;
            }
            if let Some(property) = properties.and_then(|p| p.get(key)) {
                self.validate(property, item, &item_path, None, out);
                continue;
            }
            match additional {
                Some(Value::Bool(false)) => {
                    out.push(Issue::new(&item_path, "unknown property".to_owned()));
                }
                Some(extra @ Value::Object(_)) => {
                    self.validate(extra, item, &item_path, None, out);
                }
                None if properties.is_some() && !is_default(item) => {
                    out.push(Issue::new(&item_path, "unknown property".to_owned()));
                }
                _ => {}
            }
        }
    }
}

/// One way a value breaks a schema.
pub(crate) struct Issue {
    pub(crate) path: String,
    pub(crate) message: String,
    /// The expected types, when the value had the wrong type.
    expected: Option<Vec<String>>,
}

impl Issue {
    fn new(path: &str, message: String) -> Self {
        Self {
            path: path.to_owned(),
            message,
            expected: None,
        }
    }

    fn wrong_type(path: &str, expected: Vec<String>, value: &Value) -> Self {
        let message = format!("expected {}, got {}", expected.join(" or "), kind(value));
        Self {
            expected: Some(expected),
            ..Self::new(path, message)
        }
    }
}

fn check_string(schema: &Map<String, Value>, text: &str, path: &str, out: &mut Vec<Issue>) {
    let length = text.chars().count() as f64;
    if let Some(min) = bound(schema, "minLength").filter(|min| length < *min) {
        out.push(Issue::new(
            path,
            format!("{length} characters, at least {min} expected"),
        ));
    }
    if let Some(max) = bound(schema, "maxLength").filter(|max| length > *max) {
        out.push(Issue::new(
            path,
            format!("{length} characters, at most {max} allowed"),
        ));
    }
    let snowflake = schema.get("format").is_some_and(|f| f == "snowflake");
    if snowflake && (text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit())) {
        out.push(Issue::new(path, format!("\"{text}\" is not a snowflake")));
    }
}

fn check_number(
    schema: &Map<String, Value>,
    number: Option<f64>,
    path: &str,
    out: &mut Vec<Issue>,
) {
    let Some(number) = number else {
        return;
    };
    if let Some(min) = bound(schema, "minimum").filter(|min| number < *min) {
        out.push(Issue::new(
            path,
            format!("{number} is below the minimum {min}"),
        ));
    }
    if let Some(max) = bound(schema, "maximum").filter(|max| number > *max) {
        out.push(Issue::new(
            path,
            format!("{number} is above the maximum {max}"),
        ));
    }
}

fn bound(schema: &Map<String, Value>, keyword: &str) -> Option<f64> {
    schema.get(keyword).and_then(Value::as_f64)
}

/// The type names of a `type` keyword, which is one name or a list.
fn types(expected: &Value) -> Vec<String> {
    match expected {
        Value::String(name) => vec![name.clone()],
        Value::Array(names) => names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn is_type(name: &str, value: &Value) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

/// Whether a value is what serializers send for a field they have nothing for.
fn is_default(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(flag) => !flag,
        Value::Number(number) => number.as_f64() == Some(0.0),
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.is_empty(),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a float",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn issues(schema: Value, value: Value) -> Vec<String> {
        let components = json!({"Id": {"type": "string", "format": "snowflake"}});
        let schemas = Schemas {
            components: &components,
        };
        let mut out = Vec::new();
        schemas.validate(&schema, &value, "body", None, &mut out);
        out.into_iter()
            .map(|i| format!("{}: {}", i.path, i.message))
            .collect()
    }

    #[test]
    fn listed_properties_close_an_object_except_for_default_values() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "integer"}},
            "required": ["a"]});
        assert!(issues(
            schema.clone(),
            json!({"a": 1, "b": null, "c": [], "d": false})
        )
        .is_empty());
        assert_eq!(
            issues(schema.clone(), json!({"b": 2})),
            [
                "body: missing required property \"a\"",
                "body.b: unknown property"
            ]
        );
        let open = json!({"type": "object", "additionalProperties": {"type": "string"}});
        assert_eq!(
            issues(open, json!({"de": 1})),
            ["body.de: expected string, got an integer"]
        );
    }

    #[test]
    fn alternatives_report_the_closest_miss_or_the_merged_types() {
        let nullable = json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Id"}]});
        assert!(issues(nullable.clone(), json!(null)).is_empty());
        assert!(issues(nullable.clone(), json!(42)).is_empty());
        assert_eq!(
            issues(nullable.clone(), json!(true)),
            ["body: expected null or string, got a boolean"]
        );
        assert_eq!(
            issues(nullable, json!("x1")),
            ["body: \"x1\" is not a snowflake"]
        );
        let tagged = json!({"anyOf": [
            {"type": "object", "properties": {"type": {"const": 1}}},
            {"type": "object", "properties": {"type": {"const": 2}, "n": {"type": "integer"}}}]});
        assert_eq!(
            issues(tagged, json!({"type": 2, "n": "3"})),
            ["body.n: expected integer, got a string"]
        );
    }
}
