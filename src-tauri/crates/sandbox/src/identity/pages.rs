//! The HTML Entra shows: sign-in and consent, admin consent, "need admin approval" and errors.
//! Everything echoed is escaped.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::app_name;
use super::authorize::Requested;
use crate::scopes;
use crate::world::World;

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const STYLE: &str = "body{font-family:'Segoe UI',system-ui,sans-serif;background:#f3f2f1;margin:0;color:#242424}\
main{max-width:480px;margin:48px auto;background:#fff;padding:36px 44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}\
h1{font-size:24px;font-weight:600;margin:0 0 8px}.sub{color:#616161;margin:0 0 20px}\
ul{padding:0;list-style:none;margin:0 0 20px}li{padding:8px 0;border-bottom:1px solid #edebe9}\
li b{display:block}.admin{display:inline-block;margin-top:4px;font-size:12px;color:#8a3707;background:#fdf6f3;padding:1px 6px;border-radius:4px}\
label{display:block;font-weight:600;margin:12px 0 4px}input[type=text],input[type=email]{width:100%;box-sizing:border-box;padding:8px;border:1px solid #8a8886;font-size:15px}\
.row{display:flex;gap:8px;justify-content:flex-end;margin-top:24px}button{padding:8px 20px;font-size:14px;border:1px solid #8a8886;background:#fff;cursor:pointer}\
button.primary{background:#0067b8;color:#fff;border-color:#0067b8}.error{color:#a4262c;margin:8px 0}.hint{font-size:13px;color:#616161}\
.org{font-weight:400;display:flex;gap:6px;align-items:center}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        escape(title)
    )
}

fn permission_list(names: &[&str], raw: &[String]) -> String {
    let mut items = String::new();
    for name in names {
        let p = scopes::find(name).expect("known");
        items.push_str(&format!(
            "<li><b>{}</b>{}{}</li>",
            escape(p.name),
            escape(p.reason),
            if p.admin_only {
                "<br><span class=\"admin\">Requires an administrator's consent</span>"
            } else {
                ""
            }
        ));
    }
    for scope in raw {
        if let Some(reason) = scopes::openid_reason(scope) {
            items.push_str(&format!(
                "<li><b>{}</b>{}</li>",
                escape(scope),
                escape(reason)
            ));
        }
    }
    format!("<ul>{items}</ul>")
}

pub(super) fn sign_in_page(
    world: &World,
    client_id: &str,
    requested: &Requested,
    username: &str,
    error: Option<&str>,
) -> String {
    let users: String = world
        .tenant
        .users
        .iter()
        .filter(|u| !u.removed)
        .take(40)
        .map(|u| {
            format!(
                "<option value=\"{}\">{}</option>",
                escape(&u.upn),
                escape(&u.display_name)
            )
        })
        .collect();
    let admin = &world.tenant.users[world.tenant.admin()];
    let body = format!(
        "<h1>Sign in and accept permissions</h1>\
         <p class=\"sub\">{app} wants to access {tenant} (sandbox tenant) as you. It asks to:</p>\
         {permissions}\
         <form method=\"post\">\
         <label for=\"username\">Account</label>\
         <input type=\"email\" id=\"username\" name=\"username\" list=\"people\" value=\"{username}\" placeholder=\"someone@{domain}\" autocomplete=\"username\" required>\
         <datalist id=\"people\">{users}</datalist>\
         {error}\
         <p class=\"hint\">This is the local sandbox: no password. {admin_name} ({admin_upn}) is the administrator.</p>\
         <label class=\"org\"><input type=\"checkbox\" name=\"consent_for_organization\" value=\"on\"> Consent on behalf of your organization (administrators only)</label>\
         <div class=\"row\"><button type=\"submit\" name=\"decision\" value=\"cancel\" formnovalidate>Cancel</button>\
         <button class=\"primary\" type=\"submit\" name=\"decision\" value=\"accept\">Accept</button></div>\
         </form>",
        app = escape(&app_name(world, client_id)),
        tenant = escape(&world.tenant.name),
        permissions = permission_list(&requested.graph, &requested.raw),
        username = escape(username),
        domain = escape(&world.tenant.domain),
        error = error
            .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
            .unwrap_or_default(),
        admin_name = escape(&admin.display_name),
        admin_upn = escape(&admin.upn),
    );
    page("Sign in to your account", &body)
}

pub(super) fn admin_consent_form(world: &World, client_id: &str, error: Option<&str>) -> String {
    let is_bot = client_id.eq_ignore_ascii_case(&world.tenant.bot.app_id);
    let what = if is_bot {
        let roles: String = scopes::BOT_APP_ROLES
            .iter()
            .map(|r| {
                format!(
                    "<li><b>{}</b>Application permission, for the whole organization.</li>",
                    escape(r)
                )
            })
            .collect();
        format!("<ul>{roles}</ul>")
    } else {
        "<p>The permissions configured for the app, for every user.</p>".to_string()
    };
    let body = format!(
        "<h1>Permissions requested — accept for your organization</h1>\
         <p class=\"sub\">{app} wants these permissions for everyone at {tenant}:</p>{what}\
         <form method=\"post\"><label for=\"username\">Administrator account</label>\
         <input type=\"email\" id=\"username\" name=\"username\" value=\"{admin}\" required>{error}\
         <div class=\"row\"><button type=\"submit\" name=\"decision\" value=\"cancel\" formnovalidate>Cancel</button>\
         <button class=\"primary\" type=\"submit\" name=\"decision\" value=\"accept\">Accept</button></div></form>",
        app = escape(if is_bot {
            &world.tenant.bot.name
        } else {
            "OX Teams Connector"
        }),
        tenant = escape(&world.tenant.name),
        admin = escape(&world.tenant.users[world.tenant.admin()].upn),
        error = error
            .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
            .unwrap_or_default(),
    );
    page("Permissions requested", &body)
}

pub(super) fn admin_approval_page(text: &str, back: &str) -> String {
    let body = format!(
        "<h1>Need admin approval</h1><p>{}</p>\
         <p><a id=\"return\" href=\"{}\">Return to the application without granting consent</a></p>",
        escape(text),
        escape(back)
    );
    page("Need admin approval", &body)
}

pub(super) fn error_page(status: StatusCode, code: u32, text: &str) -> Response {
    let body = format!(
        "<h1>Sorry, but we're having trouble signing you in.</h1><p class=\"error\" id=\"error\">AADSTS{code}: {}</p>",
        escape(text)
    );
    (status, Html(page("Sign in error", &body))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_what_they_echo() {
        assert_eq!(
            escape("<script>\"x\"&'"),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;"
        );
    }
}
