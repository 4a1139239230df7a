//! The HTTP side of the fake: routes, authorization and reading bodies (JSON or multipart).

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::gateway;
use super::rest::Incoming;
use super::spec::spec;
use super::state::{Shared, Upload};
use super::TOKEN;

/// The prefix serenity keeps when its proxy replaces `https://discord.com`.
const API_PREFIX: &str = "/api/v10";
/// The largest body the fake reads; Discord takes uploads of up to 25 MB without Nitro.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// The routes of one fake: the gateway websocket and the REST API under `/api/v10`.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/gateway", get(gateway::upgrade))
        .route("/api/v10/{*path}", any(handle))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

async fn not_found() -> Response {
    let body = json!({"code": 0, "message": "404: Not Found"});
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path();
    let path = path.strip_prefix(API_PREFIX).unwrap_or(path).to_owned();
    let expected = format!("Bot {TOKEN}");
    let authorization = request.headers().get(AUTHORIZATION);
    let authorized = authorization.is_some_and(|value| value == expected.as_str());
    let spec = spec();
    let operation = spec.operation(&method, &path);
    let label = operation.as_ref().map_or_else(
        || format!("{method} {path}"),
        |operation| operation.label.clone(),
    );
    let body = read_body(request, &label).await;
    let mut violations = body.errors;
    if let Some(operation) = &operation {
        violations.extend(spec.check(operation, &body.json));
    }
    let incoming = Incoming {
        method,
        path,
        authorized,
        body: body.json,
        files: body.files,
        violations,
    };
    let answer = shared.lock().answer(incoming, &shared.gateway_url);
    shared.activity.notify_waiters();
    // New bot messages are dispatched as MESSAGE_CREATE.
    shared.dispatches.notify_waiters();
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST);
    match answer.body {
        Some(body) => (status, Json(body)).into_response(),
        None => status.into_response(),
    }
}

/// A request body: JSON (for multipart bodies `payload_json`), files and reading errors.
struct Body {
    json: Value,
    files: Vec<Upload>,
    errors: Vec<String>,
}

async fn read_body(request: Request, label: &str) -> Body {
    let mut body = Body {
        json: Value::Null,
        files: Vec::new(),
        errors: Vec::new(),
    };
    let content_type = request.headers().get(CONTENT_TYPE);
    let content_type = content_type.and_then(|v| v.to_str().ok());
    let multipart = content_type.is_some_and(|t| t.starts_with("multipart/form-data"));
    let bytes = if multipart {
        match read_multipart(request, &mut body.files).await {
            Ok(Some(payload)) => payload.into_bytes(),
            Ok(None) => Vec::new(),
            Err(error) => {
                body.errors
                    .push(format!("{label}: unreadable multipart body: {error}"));
                return body;
            }
        }
    } else {
        match to_bytes(request.into_body(), BODY_LIMIT).await {
            Ok(bytes) => bytes.to_vec(),
            Err(error) => {
                body.errors
                    .push(format!("{label}: unreadable body: {error}"));
                return body;
            }
        }
    };
    if bytes.trim_ascii().is_empty() {
        if multipart {
            // Discord also takes the fields as separate parts; the fake expects payload_json.
            body.json = Value::Object(Map::new());
        }
        return body;
    }
    match serde_json::from_slice(&bytes) {
        Ok(json) => body.json = json,
        Err(error) => body
            .errors
            .push(format!("{label}: the body is not JSON: {error}")),
    }
    body
}

/// Reads the parts of a multipart body: file parts into `files`, and `payload_json`.
async fn read_multipart(
    request: Request,
    files: &mut Vec<Upload>,
) -> Result<Option<String>, String> {
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| e.body_text())?;
    let mut payload = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| e.body_text())? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| e.body_text())?;
        match file_name {
            Some(file_name) => files.push((name, file_name, bytes.to_vec())),
            None if name == "payload_json" => {
                payload = Some(String::from_utf8_lossy(&bytes).into_owned());
            }
            None => return Err(format!("unexpected text part \"{name}\"")),
        }
    }
    Ok(payload)
}
