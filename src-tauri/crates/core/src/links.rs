//! `ox-teams://` links: every message the app sends links back to an issue or a workflow, and a
//! second launch of the app hands its link to the running window.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

pub const SCHEME: &str = "ox-teams";

/// A page of the app, as a link or the navigation can open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "page", rename_all = "snake_case")]
#[ts(export)]
pub enum Route {
    Connectors,
    Issues {
        #[ts(optional = nullable)]
        issue_id: Option<String>,
    },
    Workflows {
        #[ts(optional = nullable)]
        workflow_id: Option<String>,
    },
    Sources,
    Owners,
    Activity,
    Settings,
}

/// What the window does with a link it was handed: open a page, or say why it cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum LinkEvent {
    Open { route: Route },
    Rejected { message: String },
}

impl LinkEvent {
    pub fn from_link(link: &str) -> LinkEvent {
        match parse_link(link) {
            Ok(route) => LinkEvent::Open { route },
            Err(error) => LinkEvent::Rejected {
                message: error.to_string(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("“{link}” is not an OX Teams Connector link; links start with ox-teams://.")]
    NotOurs { link: String },
    #[error(
        "The link {link} points to “{page}”, which this app does not have. Links can open \
         connectors, issues, sources, owners, workflows, activity and settings."
    )]
    UnknownPage { link: String, page: String },
    #[error("The link {link} has an identifier the app cannot use: {reason}.")]
    BadIdentifier { link: String, reason: &'static str },
    #[error("The link {link} has more parts than the app understands.")]
    TooDeep { link: String },
    /// Never echoes the link: it carries an authorization code.
    #[error(
        "An answer from Microsoft sign-in arrived, but no sign-in is waiting for it. Select \
         CONNECT to start one."
    )]
    UnexpectedSignInAnswer,
}

const MAX_LINK_CHARS: usize = 2048;
const MAX_ID_CHARS: usize = 200;

/// Reads an `ox-teams://page[/id]` link.
pub fn parse_link(link: &str) -> Result<Route, LinkError> {
    let link = link.trim();
    let shown = shorten(link);
    let url = match Url::parse(link) {
        Ok(url) if url.scheme() == SCHEME && link.len() <= MAX_LINK_CHARS => url,
        _ => return Err(LinkError::NotOurs { link: shown }),
    };
    let page = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if page == "auth" {
        return Err(LinkError::UnexpectedSignInAnswer);
    }
    let parts: Vec<&str> = url
        .path()
        .split('/')
        .filter(|part| !part.is_empty())
        .collect();
    let id = match parts.as_slice() {
        [] => None,
        [id] => Some(decode_id(id).map_err(|reason| LinkError::BadIdentifier {
            link: shown.clone(),
            reason,
        })?),
        _ => return Err(LinkError::TooDeep { link: shown }),
    };
    let no_id = |route: Route| match id {
        None => Ok(route),
        Some(_) => Err(LinkError::TooDeep {
            link: shown.clone(),
        }),
    };
    match page.as_str() {
        "connectors" => no_id(Route::Connectors),
        "activity" => no_id(Route::Activity),
        "sources" => no_id(Route::Sources),
        "owners" => no_id(Route::Owners),
        "settings" => no_id(Route::Settings),
        "issues" => Ok(Route::Issues { issue_id: id }),
        "workflows" => Ok(Route::Workflows { workflow_id: id }),
        _ => Err(LinkError::UnknownPage {
            link: shown.clone(),
            page: shorten(&page),
        }),
    }
}

/// Whether a message's address may be opened in the browser: https on Microsoft Teams' own
/// hosts (every cloud), or the custom cloud's Graph origin (the sandbox serves its messages
/// there). Anything else is refused with its host.
pub fn teams_address(address: &str, graph: &url::Url) -> Result<(), String> {
    let url = url::Url::parse(address).map_err(|_| "not a web address".to_string())?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let on_teams = [
        "teams.microsoft.com",
        "teams.microsoft.us",
        "teams.microsoftonline.cn",
    ]
    .iter()
    .any(|teams| host == *teams || host.ends_with(&format!(".{teams}")));
    if (url.scheme() == "https" && on_teams) || url.origin() == graph.origin() {
        Ok(())
    } else {
        Err(host)
    }
}

/// The link that opens an issue.
pub fn issue_link(issue_id: &str) -> String {
    format!("{SCHEME}://issues/{}", encode_id(issue_id))
}

/// The link that opens a workflow.
pub fn workflow_link(workflow_id: &str) -> String {
    format!("{SCHEME}://workflows/{}", encode_id(workflow_id))
}

fn encode_id(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn decode_id(raw: &str) -> Result<String, &'static str> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| "it is not valid UTF-8")?;
    if decoded.chars().count() > MAX_ID_CHARS {
        return Err("it is too long");
    }
    if decoded.chars().any(char::is_control) {
        return Err("it contains control characters");
    }
    Ok(decoded.into_owned())
}

/// Links come from outside; never echo an unbounded string back into the UI.
fn shorten(text: &str) -> String {
    const MAX: usize = 120;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_each_page() {
        assert_eq!(parse_link("ox-teams://settings"), Ok(Route::Settings));
        assert_eq!(parse_link("ox-teams://settings/"), Ok(Route::Settings));
        assert_eq!(parse_link("ox-teams://Activity"), Ok(Route::Activity));
        assert_eq!(parse_link("ox-teams://connectors"), Ok(Route::Connectors));
        assert_eq!(
            parse_link("ox-teams://issues"),
            Ok(Route::Issues { issue_id: None })
        );
        assert_eq!(
            parse_link("ox-teams://issues/abc-123"),
            Ok(Route::Issues {
                issue_id: Some("abc-123".into())
            })
        );
        assert_eq!(
            parse_link("ox-teams://workflows/wf%201"),
            Ok(Route::Workflows {
                workflow_id: Some("wf 1".into())
            })
        );
    }

    #[test]
    fn links_made_by_the_app_open_the_same_item() {
        for id in ["plain", "with space", "ünïcode/slash?q=1#x", "100%"] {
            assert_eq!(
                parse_link(&issue_link(id)),
                Ok(Route::Issues {
                    issue_id: Some(id.to_string())
                }),
                "{id}"
            );
            assert_eq!(
                parse_link(&workflow_link(id)),
                Ok(Route::Workflows {
                    workflow_id: Some(id.to_string())
                })
            );
        }
    }

    #[test]
    fn refuses_what_it_cannot_open_with_a_sentence() {
        let err = parse_link("ox-teams://payroll").unwrap_err();
        assert!(matches!(err, LinkError::UnknownPage { .. }));
        assert!(err.to_string().contains("“payroll”"), "{err}");

        assert!(matches!(
            parse_link("https://evil.example"),
            Err(LinkError::NotOurs { .. })
        ));
        assert!(matches!(
            parse_link("not a link"),
            Err(LinkError::NotOurs { .. })
        ));
        assert!(matches!(
            parse_link("ox-teams://settings/x"),
            Err(LinkError::TooDeep { .. })
        ));
        assert!(matches!(
            parse_link("ox-teams://issues/a/b"),
            Err(LinkError::TooDeep { .. })
        ));
        assert!(matches!(
            parse_link("ox-teams://issues/%FF"),
            Err(LinkError::BadIdentifier { .. })
        ));
        let answer = parse_link("ox-teams://auth/callback?code=0.secret-code&state=s").unwrap_err();
        assert!(!answer.to_string().contains("secret-code"), "{answer}");
        let long = format!("ox-teams://{}", "x".repeat(5000));
        let message = parse_link(&long).unwrap_err().to_string();
        assert!(
            message.chars().count() < 400,
            "message echoes the whole link: {message}"
        );
    }

    #[test]
    fn only_teams_addresses_are_opened() {
        let graph = url::Url::parse("https://graph.microsoft.com").unwrap();
        for good in [
            "https://teams.microsoft.com/l/message/19:abc@thread.tacv2/1700000000000",
            "https://gov.teams.microsoft.us/l/message/19:abc/1",
            "https://teams.microsoftonline.cn/l/message/19:abc/1",
        ] {
            assert_eq!(teams_address(good, &graph), Ok(()), "{good}");
        }
        for (bad, host) in [
            (
                "http://teams.microsoft.com/l/message/1",
                "teams.microsoft.com",
            ),
            (
                "https://teams.microsoft.com.evil.example/l/message/1",
                "teams.microsoft.com.evil.example",
            ),
            ("file:///etc/passwd", ""),
            (
                "https://evil.example/?u=teams.microsoft.com",
                "evil.example",
            ),
        ] {
            assert_eq!(teams_address(bad, &graph), Err(host.to_string()), "{bad}");
        }
        // The sandbox (a custom cloud) serves its messages on its own origin.
        let sandbox = url::Url::parse("http://127.0.0.1:9000").unwrap();
        assert_eq!(
            teams_address("http://127.0.0.1:9000/_sandbox/#m1", &sandbox),
            Ok(())
        );
        assert!(teams_address("http://127.0.0.1:9001/_sandbox/#m1", &sandbox).is_err());
    }
}
