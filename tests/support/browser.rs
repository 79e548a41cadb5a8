//! A headless "browser" for sign-in pages: it keeps cookies, fills the one form a page has
//! (account, password, the accept or cancel decision) and follows redirects until the identity
//! provider sends it back to the app's redirect URI. It works with the sandbox's page and with
//! oidc-provider's development interactions.

use std::collections::HashMap;

use reqwest::{Client, Method, redirect};
use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    /// Accept and tick "consent on behalf of your organization" (administrators).
    AcceptForOrganization,
    Decline,
}

pub struct Browser {
    http: Client,
    cookies: HashMap<String, String>,
}

impl Default for Browser {
    fn default() -> Self {
        Browser {
            http: Client::builder()
                .redirect(redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }
}

impl Browser {
    /// Opens `start`, signs in as `user` and follows every redirect, the app's own loopback
    /// address included, as a real browser would; returns the last page.
    pub async fn complete(&mut self, start: &str, user: &str, decision: Decision) -> String {
        self.run(start, None, user, decision).await.1
    }

    /// Opens `start` and signs in as `user`; returns the query the provider redirected to
    /// `redirect_uri` with (without visiting it).
    pub async fn sign_in(
        &mut self,
        start: &str,
        redirect_uri: &str,
        user: &str,
        decision: Decision,
    ) -> Vec<(String, String)> {
        self.run(start, Some(redirect_uri), user, decision).await.0
    }

    async fn run(
        &mut self,
        start: &str,
        stop_at: Option<&str>,
        user: &str,
        decision: Decision,
    ) -> (Vec<(String, String)>, String) {
        let mut method = Method::GET;
        let mut url = Url::parse(start).unwrap();
        let mut form: Vec<(String, String)> = Vec::new();
        for _ in 0..12 {
            let mut request = self.http.request(method.clone(), url.clone());
            if !self.cookies.is_empty() {
                let header = self
                    .cookies
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                request = request.header("Cookie", header);
            }
            if method == Method::POST {
                request = request.form(&form);
            }
            let response = request.send().await.unwrap();
            for cookie in response.headers().get_all("set-cookie") {
                let pair = cookie.to_str().unwrap().split(';').next().unwrap();
                if let Some((name, value)) = pair.split_once('=') {
                    self.cookies
                        .insert(name.trim().to_string(), value.to_string());
                }
            }
            if response.status().is_redirection() {
                let location = response.headers()["location"].to_str().unwrap().to_string();
                let next = url.join(&location).unwrap();
                if stop_at.is_some_and(|stop| next.as_str().starts_with(stop)) {
                    return (next.query_pairs().into_owned().collect(), String::new());
                }
                url = next;
                method = Method::GET;
                continue;
            }
            let page = response.text().await.unwrap();
            let is_provider = url.host_str() != Some("localhost");
            if !is_provider {
                // The app's loopback listener answered: the browser's work is done.
                return (url.query_pairs().into_owned().collect(), page);
            }
            match next_step(&page, &url, user, decision) {
                Step::Get(next) => {
                    url = next;
                    method = Method::GET;
                }
                Step::Post(next, fields) => {
                    url = next;
                    method = Method::POST;
                    form = fields;
                }
            }
        }
        panic!("the provider never sent the browser back to the app");
    }
}

enum Step {
    Get(Url),
    Post(Url, Vec<(String, String)>),
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    Some(tag[start..].split('"').next()?.replace("&amp;", "&"))
}

fn next_step(page: &str, here: &Url, user: &str, decision: Decision) -> Step {
    let links: Vec<String> = page
        .split("<a ")
        .skip(1)
        .filter_map(|a| attribute(a.split('>').next()?, "href"))
        .collect();
    let follow = |pick: &dyn Fn(&str) -> bool| {
        links
            .iter()
            .find(|href| pick(href))
            .map(|href| Step::Get(here.join(href).unwrap()))
    };
    if decision == Decision::Decline
        && let Some(step) = follow(&|href| href.ends_with("/abort"))
    {
        return step;
    }
    let Some(form_start) = page.find("<form") else {
        // A page without a form, such as "need admin approval": its way back to the app.
        return follow(&|href| href.contains("error=")).unwrap_or_else(|| {
            panic!(
                "a page with neither a form nor a way back: {}",
                page.chars().take(1500).collect::<String>()
            )
        });
    };
    let form = &page[form_start
        ..page[form_start..]
            .find("</form>")
            .map_or(page.len(), |end| form_start + end)];
    let open_tag = form.split('>').next().unwrap();
    let action =
        attribute(open_tag, "action").map_or_else(|| here.clone(), |a| here.join(&a).unwrap());
    let mut fields = Vec::new();
    for input in form.split("<input").skip(1) {
        let tag = input.split('>').next().unwrap();
        let Some(name) = attribute(tag, "name") else {
            continue;
        };
        let value = match (name.as_str(), attribute(tag, "type").as_deref()) {
            ("login" | "username", _) => user.to_string(),
            ("password", _) => "password".to_string(),
            (_, Some("checkbox")) if decision == Decision::AcceptForOrganization => {
                attribute(tag, "value").unwrap_or_else(|| "on".into())
            }
            (_, Some("checkbox")) => continue,
            _ => attribute(tag, "value").unwrap_or_default(),
        };
        fields.push((name, value));
    }
    for button in form.split("<button").skip(1) {
        let tag = button.split('>').next().unwrap();
        if attribute(tag, "name").as_deref() == Some("decision") {
            let wanted = if decision == Decision::Decline {
                "cancel"
            } else {
                "accept"
            };
            if attribute(tag, "value").as_deref() == Some(wanted) {
                fields.push(("decision".into(), wanted.into()));
            }
        }
    }
    Step::Post(action, fields)
}
