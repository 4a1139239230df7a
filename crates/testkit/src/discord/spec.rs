//! Discord's OpenAPI specification and the request body checks.
//!
//! The specification is compiled in from `specs/discord-openapi.json` and parsed once; it is
//! immutable, so sharing it between fakes does not couple the tests that run them.
//!
//! Each request body is checked against the `application/json` schema of its operation
//! with the JSON Schema subset of the `schema` module, which also says how strict it is.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::schema::Schemas;

const SPEC_JSON: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/specs/discord-openapi.json"
));

/// The parsed specification and the path templates of its routes.
pub(crate) struct Spec {
    document: Value,
    /// `(template, its segments)`, such as `/users/@me/channels`.
    routes: Vec<(String, Vec<String>)>,
}

/// One operation of the specification, such as `POST /users/@me/channels`.
pub(crate) struct Operation<'a> {
    /// `POST /interactions/{interaction_id}/{interaction_token}/callback`.
    pub(crate) label: String,
    /// The `application/json` request body schema, if the operation takes a body.
    schema: Option<&'a Value>,
    body_required: bool,
}

/// The specification, parsed on first use.
pub(crate) fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let document: Value =
            serde_json::from_str(SPEC_JSON).expect("specs/discord-openapi.json is valid JSON");
        let paths = document["paths"].as_object();
        let routes = paths.into_iter().flat_map(Map::keys).map(|template| {
            let segments = template.trim_start_matches('/').split('/');
            (template.clone(), segments.map(str::to_owned).collect())
        });
        let routes = routes.collect();
        Spec { document, routes }
    })
}

impl Spec {
    /// The operation for `method` on `path` (after `/api/v10`), if the specification has it.
    /// Literal segments such as `@original` win over parameters such as `{message_id}`.
    pub(crate) fn operation(&self, method: &str, path: &str) -> Option<Operation<'_>> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let method = method.to_ascii_lowercase();
        let matches = self.routes.iter().filter(|(template, parts)| {
            let fits = |(part, segment): (&String, &&str)| {
                part == segment || (part.starts_with('{') && !segment.is_empty())
            };
            parts.len() == segments.len()
                && parts.iter().zip(&segments).all(fits)
                && self.document["paths"][template].get(&method).is_some()
        });
        let literal = |(_, parts): &&(String, Vec<String>)| {
            parts.iter().filter(|p| !p.starts_with('{')).count()
        };
        let (template, _) = matches.max_by_key(literal)?;
        let operation = &self.document["paths"][template][&method];
        let body = &operation["requestBody"];
        Some(Operation {
            label: format!("{} {template}", method.to_ascii_uppercase()),
            schema: body["content"]["application/json"].get("schema"),
            body_required: body["required"] == true,
        })
    }

    /// Every way `body` (`null` when the request had none) breaks the operation's schema,
    /// one readable line each.
    pub(crate) fn check(&self, operation: &Operation<'_>, body: &Value) -> Vec<String> {
        let label = &operation.label;
        let Some(schema) = operation.schema else {
            return Vec::new();
        };
        if body.is_null() {
            if operation.body_required {
                return vec![format!("{label}: body: missing")];
            }
            return Vec::new();
        }
        let schemas = Schemas {
            components: &self.document["components"]["schemas"],
        };
        let mut issues = Vec::new();
        schemas.validate(schema, body, "body", None, &mut issues);
        let issues = issues.into_iter();
        issues
            .map(|i| format!("{label}: {}: {}", i.path, i.message))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(method: &str, path: &str, body: Value) -> Vec<String> {
        let spec = spec();
        let operation = spec.operation(method, path).expect("a route of the spec");
        spec.check(&operation, &body)
    }

    const CALLBACK: &str = "/interactions/5000001/itok-5000001/callback";

    #[test]
    fn templates_prefer_literal_segments() {
        let spec = spec();
        let original = spec.operation("PATCH", "/webhooks/2000/tok/messages/@original");
        assert_eq!(
            original.map(|o| o.label).as_deref(),
            Some("PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original")
        );
        let by_id = spec.operation("PATCH", "/webhooks/2000/tok/messages/42");
        assert!(by_id.is_some_and(|o| o.label.ends_with("/{message_id}")));
        assert!(spec.operation("GET", "/nowhere").is_none());
    }

    #[test]
    fn serenity_shaped_bodies_pass() {
        let message = json!({"type": 4, "data": {"content": "hi", "flags": 64,
            "components": [{"type": 1, "components": [{"type": 2, "style": 1,
                "custom_id": "yes", "label": "Yes", "disabled": false}]}],
            "attachments": [{"id": 0, "filename": "a.png", "description": null}]}});
        assert_eq!(check("POST", CALLBACK, message), Vec::<String>::new());
        assert!(check("POST", CALLBACK, json!({"type": 6, "data": null})).is_empty());
        let command = json!([{"name": "ask", "name_localizations": {},
            "description": "Ask", "description_localizations": {"de": "Frag"}, "nsfw": false,
            "options": [{"type": 3, "name": "text", "description": "text", "required": true,
                "choices": [], "options": [], "channel_types": [], "min_value": null,
                "autocomplete": false}], "contexts": [0, 1]}]);
        assert!(check("PUT", "/applications/2000/commands", command).is_empty());
        let dm = json!({"recipient_id": "7001"});
        assert!(check("POST", "/users/@me/channels", dm).is_empty());
    }

    #[test]
    fn wrong_types_and_unknown_properties_are_reported() {
        let flags = json!({"type": 4, "data": {"content": "hi", "flags": "64"}});
        assert_eq!(
            check("POST", CALLBACK, flags),
            [
                "POST /interactions/{interaction_id}/{interaction_token}/callback: \
              body.data.flags: expected integer or null, got a string"
            ]
        );
        let typo = json!({"type": 4, "data": {"contnet": "hi"}});
        let found = check("POST", CALLBACK, typo);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].ends_with("body.data.contnet: unknown property"));
        let too_long = json!({"type": 4, "data": {"content": "x".repeat(2001)}});
        let found = check("POST", CALLBACK, too_long);
        assert!(found[0].ends_with("body.data.content: 2001 characters, at most 2000 allowed"));
        let found = check(
            "POST",
            "/users/@me/channels",
            json!({"recipient_id": "ann"}),
        );
        assert!(found[0].contains("not a snowflake"), "{found:?}");
        assert!(!check("POST", "/users/@me/channels", json!({"recipient": "1"})).is_empty());
    }

    #[test]
    fn a_missing_body_is_reported_where_one_is_required() {
        let found = check("POST", CALLBACK, Value::Null);
        assert_eq!(found.len(), 1);
        assert!(found[0].ends_with("body: missing"));
        assert!(check("GET", "/gateway", Value::Null).is_empty());
    }
}
