//! The HTTP side of the fake: routing, reading bodies and long polling.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use axum::body::to_bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header::CONTENT_TYPE, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use serde_json::{json, Map, Value};
use tokio::time::Instant;

use super::spec::{decode_text_fields, spec, Method};
use super::state::{Incoming, Outcome, Shared, Upload};
use super::TOKEN;

/// The largest body the fake reads; the Bot API takes uploads of up to 50 MB.
const BODY_LIMIT: usize = 50 * 1024 * 1024;

/// The routes of one fake: `/{bot<token>}/{method}` by GET or POST, and a JSON 404 otherwise.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{token}/{method}", get(handle).post(handle))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

async fn not_found() -> Response {
    let body = json!({"ok": false, "error_code": 404, "description": "Not Found"});
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((token, method)): Path<(String, String)>,
    request: Request,
) -> Response {
    let spec = spec();
    let known = spec.method(&method);
    let body = read_body(request, known).await;
    let mut violations = body.errors;
    if let Some(known) = known {
        let is_file = |field: &str| body.uploads.contains_key(field);
        violations.extend(spec.check(known, &body.fields, &is_file, body.textual));
    }
    let incoming = Incoming {
        authorized: token.strip_prefix("bot") == Some(TOKEN),
        method: known.map(|m| m.name.clone()),
        raw_method: method,
        body: body.fields,
        uploads: body.uploads,
        violations,
    };
    let outcome = shared.lock().answer(incoming);
    shared.activity.notify_waiters();
    let (status, reply) = match outcome {
        Outcome::Reply(status, reply) => (status, reply),
        Outcome::Poll {
            limit,
            timeout,
            generation,
        } => {
            // Wakes an older poll, which sees it was superseded and answers `[]`.
            shared.updates.notify_waiters();
            let updates = long_poll(&shared, limit, timeout, generation).await;
            (200, json!({"ok": true, "result": updates}))
        }
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(reply)).into_response()
}

/// Answers with the queued updates as soon as there are any, or `[]` once `timeout` passed,
/// a newer `getUpdates` arrived or the fake stopped.
async fn long_poll(shared: &Shared, limit: usize, timeout: Duration, generation: u64) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let woken = shared.updates.notified();
        tokio::pin!(woken);
        // Registers before looking, so a push between the look and the wait still wakes us.
        woken.as_mut().enable();
        {
            let inner = shared.lock();
            if inner.poll_generation != generation {
                return json!([]);
            }
            let batch = inner.batch(limit);
            if !batch.is_empty() || Instant::now() >= deadline {
                return Value::Array(batch);
            }
        }
        tokio::select! {
            () = &mut woken => {}
            () = tokio::time::sleep_until(deadline) => {}
            () = shared.shutdown.cancelled() => return json!([]),
        }
    }
}

/// A request body as fields, whatever its encoding.
#[derive(Default)]
struct Body {
    fields: Map<String, Value>,
    uploads: BTreeMap<String, Upload>,
    /// The fields came as text (query, form or multipart), so scalars are strings.
    textual: bool,
    errors: Vec<String>,
}

async fn read_body(request: Request, method: Option<&Method>) -> Body {
    let name = method.map_or("request", |m| m.name.as_str());
    let mut body = Body::default();
    let mut pairs = query_pairs(request.uri());
    body.textual = !pairs.is_empty();
    let content_type = request.headers().get(CONTENT_TYPE);
    let content_type = content_type
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let content_type = content_type.to_ascii_lowercase();
    let mut json_fields = Map::new();
    let mut attached = HashMap::new();
    if content_type.starts_with("multipart/form-data") {
        body.textual = true;
        match read_multipart(request).await {
            Ok(parts) => attached = sort_parts(parts, &mut pairs, &mut body.uploads),
            Err(e) => body
                .errors
                .push(format!("{name}: unreadable multipart body: {e}")),
        }
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        body.textual = true;
        match Form::<Vec<(String, String)>>::from_request(request, &()).await {
            Ok(Form(form)) => pairs.extend(form),
            Err(e) => body
                .errors
                .push(format!("{name}: unreadable form body: {e}")),
        }
    } else {
        match to_bytes(request.into_body(), BODY_LIMIT).await {
            Ok(bytes) if bytes.trim_ascii().is_empty() => {}
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(Value::Object(fields)) => json_fields = fields,
                Ok(_) => body
                    .errors
                    .push(format!("{name}: the body is not a JSON object")),
                Err(e) => body
                    .errors
                    .push(format!("{name}: the body is not JSON: {e}")),
            },
            Err(e) => body.errors.push(format!("{name}: unreadable body: {e}")),
        }
    }
    body.fields = decode_text_fields(method, pairs);
    body.fields.extend(json_fields);
    for (field, upload) in &body.uploads {
        let file = json!({"file_name": upload.0, "bytes": upload.1.len()});
        body.fields.insert(field.clone(), file);
    }
    for (field, value) in &body.fields {
        let Some(id) = value.as_str().and_then(|v| v.strip_prefix("attach://")) else {
            continue;
        };
        match attached.get(id) {
            Some(upload) => {
                body.uploads.insert(field.clone(), upload.clone());
            }
            None => body
                .errors
                .push(format!("{name}.{field}: no part is named \"{id}\"")),
        }
    }
    body
}

/// One part of a multipart body: its name, file name (for file parts) and bytes.
type Part = (String, Option<String>, Vec<u8>);

async fn read_multipart(request: Request) -> Result<Vec<Part>, String> {
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| e.body_text())?;
    let mut parts = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.body_text())? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| e.body_text())?;
        parts.push((name, file_name, bytes.to_vec()));
    }
    Ok(parts)
}

/// Splits parts into text fields (added to `pairs`), files uploaded straight into a field
/// (added to `uploads`) and files that an `attach://<name>` refers to (returned by name).
fn sort_parts(
    parts: Vec<Part>,
    pairs: &mut Vec<(String, String)>,
    uploads: &mut BTreeMap<String, Upload>,
) -> HashMap<String, Upload> {
    let referenced: HashSet<String> = parts
        .iter()
        .filter(|(_, file_name, _)| file_name.is_none())
        .flat_map(|(_, _, bytes)| attach_ids(&String::from_utf8_lossy(bytes)))
        .collect();
    let mut attached = HashMap::new();
    for (name, file_name, bytes) in parts {
        if referenced.contains(&name) {
            attached.insert(name, (file_name.unwrap_or_default(), bytes));
        } else if let Some(file_name) = file_name {
            uploads.insert(name, (file_name, bytes));
        } else {
            pairs.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    attached
}

/// The names after every `attach://` in a text, also inside JSON such as `InputMedia`.
fn attach_ids(text: &str) -> Vec<String> {
    let id_char = |c: &char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-');
    let rest = text.split("attach://").skip(1);
    rest.map(|r| r.chars().take_while(id_char).collect())
        .collect()
}

fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    Query::try_from_uri(uri).map(|q| q.0).unwrap_or_default()
}
