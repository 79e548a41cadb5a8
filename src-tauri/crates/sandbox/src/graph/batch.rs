//! `POST /$batch`: up to 20 requests, each run through the same router with the batch's token,
//! with `dependsOn` (a request whose dependency failed answers 424).
//! <https://learn.microsoft.com/en-us/graph/json-batching>.

use std::collections::HashSet;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tower::ServiceExt;

use super::graph_error;
use crate::Shared;

pub async fn batch(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let requests = match serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|b| b["requests"].as_array().cloned())
    {
        Some(r) => r,
        None => {
            let mut world = shared.lock().await;
            return graph_error(
                &mut world,
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "A $batch body is {\"requests\": [...]}.",
            );
        }
    };
    if requests.len() > 20 {
        let mut world = shared.lock().await;
        return graph_error(
            &mut world,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The number of batch requests exceeds the limit of 20.",
        );
    }
    let router = crate::router(shared.clone());
    let mut responses: Vec<Value> = Vec::new();
    let mut failed: HashSet<String> = HashSet::new();
    for inner in &requests {
        let id = inner["id"].as_str().unwrap_or_default().to_string();
        let depends: Vec<String> = inner["dependsOn"]
            .as_array()
            .map(|d| {
                d.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if depends.iter().any(|d| failed.contains(d)) {
            failed.insert(id.clone());
            responses.push(json!({ "id": id, "status": 424, "body": { "error": { "code": "FailedDependency", "message": "A request this one depends on failed." } } }));
            continue;
        }
        let method = inner["method"].as_str().unwrap_or("GET").to_uppercase();
        let url = inner["url"].as_str().unwrap_or_default();
        let path = format!(
            "/v1.0{}{}",
            if url.starts_with('/') { "" } else { "/" },
            url
        );
        let mut builder = Request::builder().method(method.as_str()).uri(path);
        if let Some(auth) = headers.get(header::AUTHORIZATION) {
            builder = builder.header(header::AUTHORIZATION, auth.clone());
        }
        if let Some(inner_headers) = inner["headers"].as_object() {
            for (k, v) in inner_headers {
                if let Some(v) = v.as_str() {
                    builder = builder.header(k.as_str(), v);
                }
            }
        }
        let has_body = !inner["body"].is_null();
        if has_body
            && inner["headers"]["Content-Type"].is_null()
            && inner["headers"]["content-type"].is_null()
        {
            responses.push(json!({ "id": id, "status": 400, "body": { "error": { "code": "BadRequest", "message": "Content-Type header must be specified when a body is present." } } }));
            failed.insert(id);
            continue;
        }
        let request = builder
            .body(if has_body {
                Body::from(inner["body"].to_string())
            } else {
                Body::empty()
            })
            .expect("a valid inner request");
        let response = router.clone().oneshot(request).await.expect("infallible");
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status >= 400 {
            failed.insert(id.clone());
        }
        let mut entry = json!({ "id": id, "status": status, "headers": { "Content-Type": "application/json" }, "body": body });
        if let Some(seconds) = retry_after {
            entry["headers"]["Retry-After"] = json!(seconds);
        }
        responses.push(entry);
    }
    Json(json!({ "responses": responses })).into_response()
}
