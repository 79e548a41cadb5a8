//! Paging as GitHub does it: `per_page` (30 by default, at most 100) and `page` with a `Link`
//! header naming the `prev`, `next`, `last` and `first` pages; or, where `before` or `after`
//! is given (even empty) or the list knows no other way (Dependabot), opaque cursors with
//! `prev` and `next` links. Links keep the request's other parameters.
//! <https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api>

use axum::http::StatusCode;
use base64::Engine;

/// The query, in order, with the parameters the lists understand.
pub struct ListQuery {
    pub pairs: Vec<(String, String)>,
    per_page: usize,
    page: Option<usize>,
    before: Option<String>,
    after: Option<String>,
}

impl ListQuery {
    pub fn parse(raw: Option<&str>) -> ListQuery {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .into_owned()
                .collect();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let per_page = get("per_page")
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(30)
            .min(100);
        let page = get("page").map(|v| v.parse::<usize>().unwrap_or(1).max(1));
        ListQuery {
            per_page,
            page,
            before: get("before"),
            after: get("after"),
            pairs,
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The comma-separated values of a filter, if given.
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
    }

    pub fn descending(&self, default: bool) -> bool {
        match self.get("direction") {
            Some("asc") => false,
            Some("desc") => true,
            _ => default,
        }
    }

    pub fn by_updated(&self) -> bool {
        self.get("sort") == Some("updated")
    }

    pub fn flag(&self, name: &str) -> bool {
        self.get(name) == Some("true")
    }

    /// This URL with the paging parameters replaced.
    fn link(&self, url: &str, paging: &[(&str, String)]) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            if !matches!(k.as_str(), "page" | "before" | "after") {
                query.append_pair(k, v);
            }
        }
        for (k, v) in paging {
            query.append_pair(k, v);
        }
        format!("{url}?{}", query.finish())
    }
}

/// Where an item sits in a list: (timestamp in ms, repository id, number).
pub type Key = (i64, u64, u64);

fn encode_cursor(key: Key) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(format!("cursor:v2:{}:{}:{}", key.0, key.1, key.2))
}

fn decode_cursor(cursor: &str) -> Option<Key> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let mut parts = text.strip_prefix("cursor:v2:")?.split(':');
    Some((
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    ))
}

/// One page of `items` and its `Link` header: by `page` (with first/prev/next/last), or by
/// cursor when `before` or `after` is given (even empty) or the list knows no other way.
pub fn paginate<T>(
    mut items: Vec<(Key, T)>,
    query: &ListQuery,
    descending: bool,
    cursor_only: bool,
    url: &str,
) -> Result<(Vec<T>, Option<String>), (StatusCode, String)> {
    items.sort_by(|a, b| {
        if descending {
            b.0.cmp(&a.0)
        } else {
            a.0.cmp(&b.0)
        }
    });
    let per_page = query.per_page;
    let cursor_mode = cursor_only || query.before.is_some() || query.after.is_some();
    if !cursor_mode {
        let page = query.page.unwrap_or(1);
        let last = items.len().div_ceil(per_page).max(1);
        let mut rels = Vec::new();
        let at = |p: usize| format!("<{}>", query.link(url, &[("page", p.to_string())]));
        if page > 1 {
            rels.push(format!("{}; rel=\"prev\"", at((page - 1).min(last))));
        }
        if page < last {
            rels.push(format!("{}; rel=\"next\"", at(page + 1)));
            rels.push(format!("{}; rel=\"last\"", at(last)));
        }
        if page > 1 {
            rels.push(format!("{}; rel=\"first\"", at(1)));
        }
        let start = (page - 1).saturating_mul(per_page).min(items.len());
        let end = (start + per_page).min(items.len());
        let page_items = items.drain(start..end).map(|(_, t)| t).collect();
        return Ok((page_items, (!rels.is_empty()).then(|| rels.join(", "))));
    }
    let beyond = |key: &Key, cursor: &Key| {
        if descending {
            key < cursor
        } else {
            key > cursor
        }
    };
    let parse = |c: &Option<String>| -> Result<Option<Key>, (StatusCode, String)> {
        match c.as_deref() {
            None | Some("") => Ok(None),
            Some(text) => decode_cursor(text)
                .map(Some)
                .ok_or((StatusCode::BAD_REQUEST, "Invalid cursor".to_string())),
        }
    };
    let (after, before) = (parse(&query.after)?, parse(&query.before)?);
    let (start, end) = match (after, before) {
        (_, Some(before)) => {
            let end = items
                .iter()
                .position(|(k, _)| !beyond(&before, k))
                .unwrap_or(items.len());
            (end.saturating_sub(per_page), end)
        }
        (Some(after), None) => {
            let start = items
                .iter()
                .position(|(k, _)| beyond(k, &after))
                .unwrap_or(items.len());
            (start, (start + per_page).min(items.len()))
        }
        (None, None) => (0, per_page.min(items.len())),
    };
    let mut rels = Vec::new();
    if start > 0 && start < items.len() {
        let cursor = encode_cursor(items[start].0);
        rels.push(format!(
            "<{}>; rel=\"prev\"",
            query.link(url, &[("before", cursor)])
        ));
    }
    if end < items.len() && end > 0 {
        let cursor = encode_cursor(items[end - 1].0);
        rels.push(format!(
            "<{}>; rel=\"next\"",
            query.link(url, &[("after", cursor)])
        ));
    }
    let page_items = items.drain(start..end).map(|(_, t)| t).collect();
    Ok((page_items, (!rels.is_empty()).then(|| rels.join(", "))))
}
