//! Text holding a control character is refused at the door (422), the same
//! on every backend: PostgreSQL cannot store NUL in text at all, SQLite
//! would keep it, and no title, comment or note needs one.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use greenlight_domain::validation::is_refused_control;
use greenlight_service::Error;
use serde_json::Value;

use crate::{AppState, problem::Problem};

/// Checks the query string and JSON or form bodies; other bodies (uploads)
/// pass untouched.
pub async fn refuse_control_characters(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(field) = req.uri().query().and_then(|q| form_field_with_control(q.as_bytes())) {
        return refused(field);
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let json = content_type.starts_with("application/json") || content_type.contains("+json");
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    if !json && !form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let limit = state.settings.max_body_bytes;
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        let detail = format!("the body is over its length limit of {limit} bytes");
        return Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "urn:greenlight:problem:too-large", "Too large", detail).into_response();
    };
    let found = if json { json_field_with_control(&bytes) } else { form_field_with_control(&bytes) };
    match found {
        Some(field) => refused(field),
        None => next.run(Request::from_parts(parts, Body::from(bytes))).await,
    }
}

fn refused(field: String) -> Response {
    Problem::from(Error::field(&field, "holds a control character (such as NUL); only tabs and line breaks are allowed in text"))
        .into_response()
}

/// The first form field (or query parameter) whose name or value holds a
/// refused control character.
fn form_field_with_control(bytes: &[u8]) -> Option<String> {
    let pairs = serde_html_form::from_bytes::<Vec<(String, String)>>(bytes).ok()?;
    pairs.into_iter().find(|(name, value)| has_control(name) || has_control(value)).map(|(name, _)| name)
}

/// The dotted path of the first JSON string (or key) holding a refused
/// control character. Control characters in JSON strings are always
/// escaped (`\u0000`), so the bytes are scanned for those escapes first and
/// the body is parsed only when one is there.
fn json_field_with_control(bytes: &[u8]) -> Option<String> {
    let escaped = bytes.windows(6).any(|w| {
        w.starts_with(b"\\u")
            && std::str::from_utf8(&w[2..])
                .ok()
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .and_then(char::from_u32)
                .is_some_and(is_refused_control)
    });
    if !escaped {
        return None;
    }
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else { return None };
    path_to_control(&value, String::new())
}

fn path_to_control(value: &Value, path: String) -> Option<String> {
    let join = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    match value {
        Value::String(s) => has_control(s).then_some(if path.is_empty() { "body".to_owned() } else { path }),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| path_to_control(v, join(&i.to_string()))),
        Value::Object(map) => map.iter().find_map(|(k, v)| if has_control(k) { Some(join(k)) } else { path_to_control(v, join(k)) }),
        _ => None,
    }
}

fn has_control(text: &str) -> bool {
    text.chars().any(is_refused_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_field_that_holds_a_control_character() {
        assert_eq!(json_field_with_control(br#"{"title": "ok\tfine\nand\r\n"}"#), None);
        assert_eq!(json_field_with_control(br#"{"content": {"text": "a\u0000b"}}"#).as_deref(), Some("content.text"));
        assert_eq!(json_field_with_control(br#"{"tags": ["x", "\u001b[31m"]}"#).as_deref(), Some("tags.1"));
        // An escaped backslash before "u0000" is text, not a NUL.
        assert_eq!(json_field_with_control(br#"{"title": "C:\\u0000"}"#), None);
        assert_eq!(form_field_with_control(b"title=a%00b&text=fine").as_deref(), Some("title"));
        assert_eq!(form_field_with_control(b"title=line%0D%0Abreak%09tab"), None);
    }
}
