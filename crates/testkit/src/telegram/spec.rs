//! The Bot API specification and the checks every request goes through.
//!
//! The specification is compiled in from `specs/telegram-api.json` and parsed once; it is
//! immutable, so sharing it between fakes does not couple the tests that run them.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

const SPEC_JSON: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/specs/telegram-api.json"
));

/// Types a form or multipart body sends as plain text rather than as JSON.
const PLAIN: [&str; 5] = ["String", "Integer", "Boolean", "Float", "InputFile"];

/// The parsed specification: methods by lowercase name, types by name.
pub(crate) struct Spec {
    methods: HashMap<String, Method>,
    types: HashMap<String, TypeDef>,
}

/// One Bot API method.
#[derive(Deserialize)]
pub(crate) struct Method {
    /// The canonical spelling, such as `sendMessage`.
    pub(crate) name: String,
    #[serde(default)]
    fields: Vec<Field>,
}

#[derive(Deserialize)]
struct Field {
    name: String,
    types: Vec<String>,
    required: bool,
}

/// An object type (with `fields`), a union (with `subtypes`), or an opaque type (neither).
#[derive(Deserialize)]
struct TypeDef {
    fields: Option<Vec<Field>>,
    #[serde(default)]
    subtypes: Vec<String>,
}

#[derive(Deserialize)]
struct RawSpec {
    methods: HashMap<String, Method>,
    types: HashMap<String, TypeDef>,
}

/// The specification, parsed on first use.
pub(crate) fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let raw: RawSpec =
            serde_json::from_str(SPEC_JSON).expect("specs/telegram-api.json is valid");
        Spec {
            methods: raw
                .methods
                .into_values()
                .map(|m| (m.name.to_ascii_lowercase(), m))
                .collect(),
            types: raw.types,
        }
    })
}

impl Spec {
    /// The method called `name`, matched case-insensitively as the Bot API does.
    pub(crate) fn method(&self, name: &str) -> Option<&Method> {
        self.methods.get(&name.to_ascii_lowercase())
    }

    /// Every way the request breaks the specification. `is_file` tells which top-level fields
    /// hold uploaded files; `textual` says the body came as a form, so scalars arrive as text.
    pub(crate) fn check(
        &self,
        method: &Method,
        body: &Map<String, Value>,
        is_file: &dyn Fn(&str) -> bool,
        textual: bool,
    ) -> Vec<String> {
        let mut found = Vec::new();
        let object = Object {
            path: &method.name,
            declared: &method.fields,
            is_file,
            textual,
        };
        self.check_object(&object, body, &mut found);
        found
    }

    fn check_object(&self, object: &Object<'_>, value: &Map<String, Value>, out: &mut Vec<String>) {
        let path = object.path;
        for field in object.declared.iter().filter(|f| f.required) {
            if value.get(&field.name).is_none_or(Value::is_null) {
                out.push(format!("{path}: missing required field \"{}\"", field.name));
            }
        }
        for (key, item) in value {
            let Some(field) = object.declared.iter().find(|f| f.name == *key) else {
                out.push(format!("{path}: unknown field \"{key}\""));
                continue;
            };
            let path = format!("{path}.{key}");
            if (object.is_file)(key) {
                if !field.types.iter().any(|t| t == "InputFile") {
                    out.push(format!(
                        "{path}: got a file, expected {}",
                        field.types.join(" or ")
                    ));
                }
            } else if !item.is_null() {
                self.check_any(&path, &field.types, item, object.textual, out);
            }
        }
    }

    /// Passes when `value` is any one of `types`; otherwise reports the closest miss.
    fn check_any(
        &self,
        path: &str,
        types: &[String],
        value: &Value,
        textual: bool,
        out: &mut Vec<String>,
    ) {
        let mut best: Option<Vec<String>> = None;
        for ty in types.iter().filter(|t| self.fits(t, value, textual)) {
            let mut found = Vec::new();
            self.check_type(path, ty, value, &mut found);
            if found.is_empty() {
                return;
            }
            if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                best = Some(found);
            }
        }
        let Some(best) = best else {
            let expected = types.join(" or ");
            out.push(format!("{path}: expected {expected}, got {}", kind(value)));
            return;
        };
        out.extend(best);
    }

    /// Whether the JSON shape of `value` matches `ty`, without looking inside.
    fn fits(&self, ty: &str, value: &Value, textual: bool) -> bool {
        let text = value.as_str().filter(|_| textual);
        match ty {
            "Integer" => {
                value.is_i64() || value.is_u64() || text.is_some_and(|s| s.parse::<i64>().is_ok())
            }
            "Float" => value.is_number() || text.is_some_and(|s| s.parse::<f64>().is_ok()),
            "Boolean" => value.is_boolean() || matches!(text, Some("true" | "false")),
            "String" | "InputFile" => value.is_string(),
            _ if ty.starts_with("Array of ") => value.is_array(),
            _ => match self.types.get(ty) {
                Some(def) if def.fields.is_some() || !def.subtypes.is_empty() => value.is_object(),
                _ => true,
            },
        }
    }

    /// Checks the inside of an array or object whose shape already fits `ty`.
    fn check_type(&self, path: &str, ty: &str, value: &Value, out: &mut Vec<String>) {
        if let Some(item_type) = ty.strip_prefix("Array of ") {
            let item_type = [item_type.to_owned()];
            for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                self.check_any(&format!("{path}[{i}]"), &item_type, item, false, out);
            }
            return;
        }
        let Some(def) = self.types.get(ty) else {
            return;
        };
        if !def.subtypes.is_empty() {
            self.check_any(path, &def.subtypes, value, false, out);
            return;
        }
        if let (Some(declared), Some(map)) = (&def.fields, value.as_object()) {
            let object = Object {
                path,
                declared,
                is_file: &|_| false,
                textual: false,
            };
            self.check_object(&object, map, out);
        }
    }
}

/// Turns form or multipart text fields into a JSON object: fields whose types are structured
/// (objects, arrays) hold JSON text and are parsed back; scalars stay strings.
pub(crate) fn decode_text_fields(
    method: Option<&Method>,
    pairs: Vec<(String, String)>,
) -> Map<String, Value> {
    let structured = |key: &str| {
        method
            .and_then(|m| m.fields.iter().find(|f| f.name == key))
            .is_some_and(|f| f.types.iter().any(|t| !PLAIN.contains(&t.as_str())))
    };
    pairs
        .into_iter()
        .map(|(key, text)| {
            let value = if structured(&key) {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            } else {
                Value::String(text)
            };
            (key, value)
        })
        .collect()
}

/// What a map of fields is checked against, and how.
struct Object<'a> {
    path: &'a str,
    declared: &'a [Field],
    is_file: &'a dyn Fn(&str) -> bool,
    textual: bool,
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

    fn check(method: &str, body: Value) -> Vec<String> {
        let spec = spec();
        let body = body.as_object().cloned().unwrap_or_default();
        spec.check(spec.method(method).unwrap(), &body, &|_| false, false)
    }

    #[test]
    fn wrong_scalars_and_unions_are_reported() {
        let found = check("sendMessage", json!({"chat_id": true, "text": "hi"}));
        assert_eq!(
            found,
            ["sendMessage.chat_id: expected Integer or String, got a boolean"]
        );
        let scope = json!({"commands": [], "scope": {"type": "chat", "chat_id": 1}});
        assert!(check("setMyCommands", scope).is_empty());
        let scope = json!({"commands": [], "scope": {"type": "chat", "user": 1}});
        assert!(!check("setMyCommands", scope).is_empty());
    }

    #[test]
    fn form_fields_are_text() {
        let m = spec().method("sendDocument");
        let pairs = vec![
            ("chat_id".to_owned(), "42".to_owned()),
            (
                "reply_markup".to_owned(),
                r#"{"inline_keyboard":[]}"#.to_owned(),
            ),
        ];
        let body = decode_text_fields(m, pairs);
        assert_eq!(body["chat_id"], "42");
        assert_eq!(body["reply_markup"], json!({"inline_keyboard": []}));
    }
}
