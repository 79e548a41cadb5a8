//! Plain HTML pages for people trying the demo: every repository and its alerts with buttons
//! to dismiss, fix, reopen or resolve them and a form to add one (`/_sandbox/github`), one
//! repository (`/_sandbox/github/{owner}/{repo}`), and one alert, the `html_url` of every
//! alert (`/_sandbox/github/{owner}/{repo}/{kind}/{number}`). No external assets.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::{GitHubWorld, Kind, Repo, json as js, urls};
use crate::Shared;
use crate::identity::escape;

/// At most this many alerts of a kind are shown per repository on the overview.
const SHOWN: usize = 50;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328;background:#fff}\
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}\
h3{font-size:1rem;margin-bottom:.3rem}table{border-collapse:collapse;width:100%;margin-bottom:1rem}\
td,th{border-bottom:1px solid #eaeef2;padding:.3rem .5rem;text-align:left;font-size:.9rem}\
.state{font-weight:600}.open{color:#1a7f37}.dismissed,.auto_dismissed,.resolved{color:#656d76}\
.fixed{color:#8250df}.sev-critical{color:#a40e26;font-weight:600}.sev-high{color:#bc4c00}\
.sev-medium{color:#9a6700}.sev-low{color:#656d76}button{margin-right:.3rem;cursor:pointer}\
form{background:#f6f8fa;padding:1rem;border:1px solid #d0d7de;border-radius:6px}\
label{margin-right:1rem}pre{background:#f6f8fa;padding:1rem;overflow:auto;font-size:.8rem}\
dt{font-weight:600;margin-top:.5rem}";

const SCRIPT: &str = "document.addEventListener('click',async e=>{\
const b=e.target.closest('button[data-post]');if(!b)return;\
const r=await fetch(b.dataset.post,{method:'POST'});\
if(!r.ok){alert(await r.text());}location.reload();});\
const f=document.getElementById('add');if(f)f.addEventListener('submit',async e=>{e.preventDefault();\
const d=Object.fromEntries(new FormData(f).entries());for(const k in d){if(d[k]==='')delete d[k];}\
if(d.line)d.line=Number(d.line);\
const r=await fetch('/_sandbox/github/alerts',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(d)});\
if(!r.ok){alert(await r.text());}location.reload();});";

fn layout(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
<style>{STYLE}</style></head><body>{body}<script>{SCRIPT}</script></body></html>",
        escape(title)
    ))
}

/// The actions that make sense for an alert in `state`.
fn actions(kind: Kind, state: &str) -> &'static [&'static str] {
    if state != "open" {
        &["reopen"]
    } else if kind == Kind::SecretScanning {
        &["resolve", "dismiss"]
    } else {
        &["dismiss", "fix"]
    }
}

fn buttons(repo: &Repo, kind: Kind, number: u64, state: &str) -> String {
    actions(kind, state)
        .iter()
        .map(|action| {
            let path = format!(
                "/_sandbox/github/repos/{}/{}/{}/{number}/{action}",
                repo.owner,
                repo.name,
                kind.url_form()
            );
            format!("<button data-post=\"{}\">{action}</button>", escape(&path))
        })
        .collect()
}

/// (number, state, severity, title, where) of an alert.
struct Row {
    number: u64,
    state: String,
    severity: String,
    title: String,
    place: String,
}

fn rows(repo: &Repo, kind: Kind) -> Vec<Row> {
    let mut rows: Vec<Row> = match kind {
        Kind::CodeScanning => repo
            .code_scanning
            .iter()
            .map(|a| Row {
                number: a.number,
                state: a.state.clone(),
                severity: a.rule.security_severity_level.clone().unwrap_or_default(),
                title: format!("{} ({})", a.rule.description, a.rule.id),
                place: format!("{}:{}", a.path, a.start_line),
            })
            .collect(),
        Kind::Dependabot => repo
            .dependabot
            .iter()
            .map(|a| Row {
                number: a.number,
                state: a.state.clone(),
                severity: a.advisory.severity.clone(),
                title: format!("{} ({})", a.advisory.summary, a.advisory.ghsa_id),
                place: format!("{} in {}", a.advisory.package, a.manifest_path),
            })
            .collect(),
        Kind::SecretScanning => repo
            .secret_scanning
            .iter()
            .map(|a| Row {
                number: a.number,
                state: a.state.clone(),
                severity: String::new(),
                title: a.kind.display_name.clone(),
                place: format!("{}:{}", a.path, a.line),
            })
            .collect(),
    };
    rows.sort_by_key(|r| std::cmp::Reverse(r.number));
    rows
}

fn repo_section(repo: &Repo, limit: usize) -> String {
    let full = repo.full_name();
    let mut html = format!(
        "<h2><a href=\"/_sandbox/github/{0}\">{0}</a></h2>",
        escape(&full)
    );
    for kind in Kind::ALL {
        let rows = rows(repo, kind);
        html.push_str(&format!(
            "<h3>{} ({})</h3><table><tr><th>#</th><th>State</th><th>Severity</th><th>Alert</th><th>Where</th><th></th></tr>",
            kind.title(),
            rows.len()
        ));
        for row in rows.iter().take(limit) {
            html.push_str(&format!(
                "<tr><td><a href=\"/_sandbox/github/{}/{}/{}\">{}</a></td><td class=\"state {}\">{}</td>\
<td class=\"sev-{}\">{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                escape(&full),
                kind.url_form(),
                row.number,
                row.number,
                escape(&row.state),
                escape(&row.state),
                escape(&row.severity),
                escape(&row.severity),
                escape(&row.title),
                escape(&row.place),
                buttons(repo, kind, row.number, &row.state),
            ));
        }
        html.push_str("</table>");
        if rows.len() > limit {
            html.push_str(&format!(
                "<p>{} more: see <a href=\"/_sandbox/github/state\">the state</a>.</p>",
                rows.len() - limit
            ));
        }
    }
    html
}

fn add_form(github: &GitHubWorld) -> String {
    let first = github
        .repos
        .first()
        .map(Repo::full_name)
        .unwrap_or_else(|| "contoso/payments-api".into());
    format!(
        "<form id=\"add\"><strong>Add an alert</strong><br><br>\
<label>Repository <input name=\"repo\" value=\"{}\" required></label>\
<label>Kind <select name=\"kind\"><option value=\"code_scanning\">Code scanning</option>\
<option value=\"dependabot\">Dependabot</option><option value=\"secret_scanning\">Secret scanning</option></select></label>\
<label>Rule / package / secret type <input name=\"rule\" placeholder=\"js/sql-injection\"></label>\
<label>Severity <select name=\"severity\"><option value=\"\">(the rule's)</option><option>low</option>\
<option>medium</option><option>high</option><option>critical</option></select></label>\
<label>Path <input name=\"path\"></label><label>Line <input name=\"line\" type=\"number\" min=\"1\"></label>\
<button type=\"submit\">Add</button></form>",
        escape(&first)
    )
}

/// `GET /_sandbox/github`.
pub async fn index(State(shared): State<Shared>) -> Html<String> {
    let world = shared.lock().await;
    let github = &world.github;
    let mut body = format!(
        "<h1>Sandbox GitHub</h1><p>REST API at <code>{}</code>; the demo token is \
<code>{}</code>. JSON: <a href=\"/_sandbox/github/state\">state</a>.</p>",
        escape(&urls(&world).api),
        super::DEMO_TOKEN
    );
    body.push_str(&add_form(github));
    for repo in &github.repos {
        body.push_str(&repo_section(repo, SHOWN));
    }
    layout("Sandbox GitHub", &body)
}

/// `GET /_sandbox/github/{owner}/{repo}`.
pub async fn repo(
    State(shared): State<Shared>,
    Path((owner, name)): Path<(String, String)>,
) -> Response {
    let world = shared.lock().await;
    let Some(repo) = world.github.repo(&owner, &name) else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    let body = format!(
        "<p><a href=\"/_sandbox/github\">Sandbox GitHub</a></p>{}",
        repo_section(repo, usize::MAX)
    );
    layout(&repo.full_name(), &body).into_response()
}

/// `GET /_sandbox/github/{owner}/{repo}/{kind}/{number}`: an alert's `html_url`.
pub async fn alert(
    State(shared): State<Shared>,
    Path((owner, name, kind, number)): Path<(String, String, String, u64)>,
) -> Response {
    let world = shared.lock().await;
    let urls = urls(&world);
    let github = &world.github;
    let found = Kind::parse(&kind).and_then(|kind| {
        let repo = github.repo(&owner, &name)?;
        let json = js::alert(&urls, github, repo, kind, number)?;
        let row = rows(repo, kind).into_iter().find(|r| r.number == number)?;
        Some((repo, kind, json, row))
    });
    let Some((repo, kind, json, row)) = found else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    let full = repo.full_name();
    let title = format!("{} alert {number} in {full}", kind.title());
    let body = format!(
        "<p><a href=\"/_sandbox/github\">Sandbox GitHub</a> / <a href=\"/_sandbox/github/{0}\">{0}</a></p>\
<h1>{1}</h1><dl><dt>Alert</dt><dd>{2}</dd><dt>State</dt><dd class=\"state {3}\">{3}</dd>\
<dt>Severity</dt><dd class=\"sev-{4}\">{4}</dd><dt>Where</dt><dd><code>{5}</code></dd>\
<dt>Updated</dt><dd>{6}</dd></dl><p>{7}</p><h2>API</h2><pre>{8}</pre>",
        escape(&full),
        escape(&title),
        escape(&row.title),
        escape(&row.state),
        escape(&row.severity),
        escape(&row.place),
        escape(json["updated_at"].as_str().unwrap_or_default()),
        buttons(repo, kind, number, &row.state),
        escape(&serde_json::to_string_pretty(&json).unwrap_or_default()),
    );
    layout(&title, &body).into_response()
}
