//! What a person configures: which Microsoft cloud, which tenant, which application, and how to
//! open the browser for sign-in. Every base URL the app calls comes from here, so the national
//! clouds and the local sandbox are just other configurations.

use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use crate::error::ErrorCode;

/// A Microsoft cloud. Each one has its own sign-in, Graph and Bot Connector hosts, and tokens
/// from one are useless in another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Cloud {
    Global,
    Gcc,
    GccHigh,
    Dod,
    China,
    Custom,
}

impl Cloud {
    pub const ALL: [Cloud; 6] = [
        Cloud::Global,
        Cloud::Gcc,
        Cloud::GccHigh,
        Cloud::Dod,
        Cloud::China,
        Cloud::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::Gcc => "gcc",
            Cloud::GccHigh => "gcchigh",
            Cloud::Dod => "dod",
            Cloud::China => "china",
            Cloud::Custom => "custom",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Cloud::Global => "Global (commercial)",
            Cloud::Gcc => "US Government GCC",
            Cloud::GccHigh => "US Government GCC High",
            Cloud::Dod => "US Government DoD",
            Cloud::China => "China (operated by 21Vianet)",
            Cloud::Custom => "Custom",
        }
    }

    /// Microsoft's published hosts for this cloud (`None` for `Custom`).
    /// Source: learn.microsoft.com/graph/deployments and the Bot Framework cloud pages.
    fn preset(self) -> Option<[&'static str; 3]> {
        match self {
            Cloud::Global => Some([
                "https://login.microsoftonline.com",
                "https://graph.microsoft.com",
                "https://smba.trafficmanager.net/teams",
            ]),
            // GCC (moderate) stays on the worldwide identity and Graph hosts.
            Cloud::Gcc => Some([
                "https://login.microsoftonline.com",
                "https://graph.microsoft.com",
                "https://smba.infra.gcc.teams.microsoft.com/teams",
            ]),
            Cloud::GccHigh => Some([
                "https://login.microsoftonline.us",
                "https://graph.microsoft.us",
                "https://smba.infra.gov.teams.microsoft.us/teams",
            ]),
            Cloud::Dod => Some([
                "https://login.microsoftonline.us",
                "https://dod-graph.microsoft.us",
                "https://smba.infra.dod.teams.microsoft.us/teams",
            ]),
            // Microsoft lists no fallback Teams service URL for 21Vianet; the bot learns it from
            // the conversation instead.
            Cloud::China => Some([
                "https://login.partner.microsoftonline.cn",
                "https://microsoftgraph.chinacloudapi.cn",
                "",
            ]),
            Cloud::Custom => None,
        }
    }
}

impl FromStr for Cloud {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_', ' '], "");
        Cloud::ALL
            .into_iter()
            .find(|cloud| cloud.as_str() == wanted)
            .ok_or_else(|| {
                format!(
                    "“{text}” is not a cloud. Choose one of: {}.",
                    Cloud::ALL.map(Cloud::as_str).join(", ")
                )
            })
    }
}

/// Where the browser returns after sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SignInRedirect {
    /// `http://localhost:{port}/`, a listener of the app's own (Entra's default for desktop apps).
    #[default]
    Loopback,
    /// `ox-teams://auth/callback`, for tenants that register the app's scheme instead.
    CustomScheme,
}

impl SignInRedirect {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInRedirect::Loopback => "loopback",
            SignInRedirect::CustomScheme => "custom-scheme",
        }
    }
}

impl FromStr for SignInRedirect {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "loopback" => Ok(SignInRedirect::Loopback),
            "custom-scheme" => Ok(SignInRedirect::CustomScheme),
            _ => Err(format!(
                "“{text}” is not a sign-in redirect. Choose loopback or custom-scheme."
            )),
        }
    }
}

/// The base URLs the app calls, resolved from the cloud (or typed in for a custom cloud).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Endpoints {
    /// Entra ID sign-in, e.g. `https://login.microsoftonline.com`.
    pub authority: String,
    /// Microsoft Graph, e.g. `https://graph.microsoft.com`.
    pub graph: String,
    /// The Bot Connector service URL, when the cloud publishes one.
    pub bot_connector: Option<String>,
}

impl Endpoints {
    pub fn authority_url(&self) -> Url {
        Url::parse(&self.authority).expect("validated when saved")
    }

    pub fn graph_url(&self) -> Url {
        Url::parse(&self.graph).expect("validated when saved")
    }
}

/// One setting, as the CLI names it (`config set KEY VALUE`) and as field errors refer to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SettingKey {
    Cloud,
    AuthorityUrl,
    GraphUrl,
    BotUrl,
    Tenant,
    ClientId,
    BrowserCommand,
    SignInRedirect,
}

impl SettingKey {
    pub const ALL: [SettingKey; 8] = [
        SettingKey::Cloud,
        SettingKey::AuthorityUrl,
        SettingKey::GraphUrl,
        SettingKey::BotUrl,
        SettingKey::Tenant,
        SettingKey::ClientId,
        SettingKey::BrowserCommand,
        SettingKey::SignInRedirect,
    ];

    /// The CLI's name, also the key in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SettingKey::Cloud => "cloud",
            SettingKey::AuthorityUrl => "authority-url",
            SettingKey::GraphUrl => "graph-url",
            SettingKey::BotUrl => "bot-url",
            SettingKey::Tenant => "tenant",
            SettingKey::ClientId => "client-id",
            SettingKey::BrowserCommand => "browser-command",
            SettingKey::SignInRedirect => "sign-in-redirect",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SettingKey::Cloud => "Cloud",
            SettingKey::AuthorityUrl => "Sign-in (authority) URL",
            SettingKey::GraphUrl => "Microsoft Graph URL",
            SettingKey::BotUrl => "Bot Connector URL",
            SettingKey::Tenant => "Tenant",
            SettingKey::ClientId => "Application (client) ID",
            SettingKey::BrowserCommand => "Browser command",
            SettingKey::SignInRedirect => "Sign-in redirect",
        }
    }
}

impl FromStr for SettingKey {
    type Err = SettingsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase().replace('_', "-");
        SettingKey::ALL
            .into_iter()
            .find(|key| key.as_str() == wanted)
            .ok_or_else(|| SettingsError::UnknownKey(text.to_string()))
    }
}

/// The settings as stored and as edited. Text fields are kept as typed; [`Settings::problems`]
/// says what is wrong with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    pub cloud: Cloud,
    /// Used only when `cloud` is `custom`.
    pub authority_url: String,
    /// Used only when `cloud` is `custom`.
    pub graph_url: String,
    /// Used only when `cloud` is `custom`; may stay empty.
    pub bot_url: String,
    /// `organizations`, a tenant ID (GUID) or a verified domain.
    pub tenant: String,
    /// The Entra application (client) ID; empty until someone registers the app.
    pub client_id: String,
    /// A program that opens the sign-in page instead of the system browser; empty for the default.
    pub browser_command: String,
    pub sign_in_redirect: SignInRedirect,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            cloud: Cloud::Global,
            authority_url: String::new(),
            graph_url: String::new(),
            bot_url: String::new(),
            tenant: "organizations".to_string(),
            client_id: String::new(),
            browser_command: String::new(),
            sign_in_redirect: SignInRedirect::Loopback,
        }
    }
}

/// One thing wrong with one field, worded for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FieldProblem {
    pub field: SettingKey,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "“{0}” is not a setting. Settings are: cloud, authority-url, graph-url, bot-url, tenant, \
         client-id, browser-command, sign-in-redirect."
    )]
    UnknownKey(String),
    #[error("{}", .0.iter().map(|p| format!("{}: {}", p.field.label(), p.message)).collect::<Vec<_>>().join(" "))]
    Invalid(Vec<FieldProblem>),
}

impl SettingsError {
    pub fn code(&self) -> ErrorCode {
        ErrorCode::InvalidSetting
    }
}

impl Settings {
    /// The value of one setting as text.
    pub fn get(&self, key: SettingKey) -> String {
        match key {
            SettingKey::Cloud => self.cloud.as_str().to_string(),
            SettingKey::AuthorityUrl => self.authority_url.clone(),
            SettingKey::GraphUrl => self.graph_url.clone(),
            SettingKey::BotUrl => self.bot_url.clone(),
            SettingKey::Tenant => self.tenant.clone(),
            SettingKey::ClientId => self.client_id.clone(),
            SettingKey::BrowserCommand => self.browser_command.clone(),
            SettingKey::SignInRedirect => self.sign_in_redirect.as_str().to_string(),
        }
    }

    /// A copy with one setting changed. Text is trimmed; an unknown cloud is refused here,
    /// everything else by [`Settings::problems`].
    pub fn with(&self, key: SettingKey, value: &str) -> Result<Settings, SettingsError> {
        let mut next = self.clone();
        let value = value.trim().to_string();
        match key {
            SettingKey::Cloud => {
                next.cloud = value.parse().map_err(|message| {
                    SettingsError::Invalid(vec![FieldProblem {
                        field: key,
                        message,
                    }])
                })?
            }
            SettingKey::AuthorityUrl => next.authority_url = value,
            SettingKey::GraphUrl => next.graph_url = value,
            SettingKey::BotUrl => next.bot_url = value,
            SettingKey::Tenant => next.tenant = value,
            SettingKey::ClientId => next.client_id = value,
            SettingKey::BrowserCommand => next.browser_command = value,
            SettingKey::SignInRedirect => {
                next.sign_in_redirect = value.parse().map_err(|message| {
                    SettingsError::Invalid(vec![FieldProblem {
                        field: key,
                        message,
                    }])
                })?
            }
        }
        Ok(next)
    }

    /// The same settings with surrounding blanks removed and URLs without a trailing slash.
    pub fn normalized(&self) -> Settings {
        let url = |text: &str| text.trim().trim_end_matches('/').to_string();
        Settings {
            cloud: self.cloud,
            authority_url: url(&self.authority_url),
            graph_url: url(&self.graph_url),
            bot_url: url(&self.bot_url),
            tenant: self.tenant.trim().to_string(),
            client_id: self.client_id.trim().to_ascii_lowercase(),
            browser_command: self.browser_command.trim().to_string(),
            sign_in_redirect: self.sign_in_redirect,
        }
    }

    /// Everything wrong with these settings; empty when they can be saved.
    /// `path` is the `PATH` used to find the browser command.
    pub fn problems(&self, path: Option<&std::ffi::OsStr>) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        let mut add = |field, message: String| problems.push(FieldProblem { field, message });
        if self.cloud == Cloud::Custom {
            for (field, value, required) in [
                (SettingKey::AuthorityUrl, &self.authority_url, true),
                (SettingKey::GraphUrl, &self.graph_url, true),
                (SettingKey::BotUrl, &self.bot_url, false),
            ] {
                if let Err(message) = check_base_url(value, required) {
                    add(field, message);
                }
            }
        }
        if let Err(message) = check_tenant(&self.tenant) {
            add(SettingKey::Tenant, message);
        }
        if !self.client_id.trim().is_empty() && !is_guid(self.client_id.trim()) {
            add(
                SettingKey::ClientId,
                "The application (client) ID is a GUID such as \
                 3fa85f64-5717-4562-b3fc-2c963f66afa6. Copy it from Entra admin center › App \
                 registrations › your app › Overview."
                    .to_string(),
            );
        }
        if let Err(message) = check_browser_command(&self.browser_command, path) {
            add(SettingKey::BrowserCommand, message);
        }
        problems
    }

    /// The settings as loaded from the database, with every value that would be refused if it
    /// were typed now replaced by its default, and what was refused. An edited database (or one
    /// from an older version) can then not point sign-in at plain http://, send tokens to a
    /// malformed host or run a program that is not there.
    pub fn checked(self, path: Option<&std::ffi::OsStr>) -> (Settings, Vec<FieldProblem>) {
        let problems = self.problems(path);
        let defaults = Settings::default();
        let mut settings = self;
        for problem in &problems {
            settings = settings
                .with(problem.field, &defaults.get(problem.field))
                .expect("defaults are valid values");
        }
        (settings, problems)
    }

    /// The base URLs in force: the cloud's own, or the custom ones.
    pub fn endpoints(&self) -> Endpoints {
        let settings = self.normalized();
        match settings.cloud.preset() {
            Some([authority, graph, bot]) => Endpoints {
                authority: authority.to_string(),
                graph: graph.to_string(),
                bot_connector: (!bot.is_empty()).then(|| bot.to_string()),
            },
            None => Endpoints {
                authority: settings.authority_url,
                graph: settings.graph_url,
                bot_connector: (!settings.bot_url.is_empty()).then_some(settings.bot_url),
            },
        }
    }
}

fn check_base_url(value: &str, required: bool) -> Result<(), String> {
    let value = value.trim();
    if value.is_empty() {
        return if required {
            Err("Required for a custom cloud.".to_string())
        } else {
            Ok(())
        };
    }
    let url = Url::parse(value).map_err(|_| {
        format!("“{value}” is not a URL. Write it in full, such as https://login.example.com.")
    })?;
    let host = url.host_str().unwrap_or_default();
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(
                "Use https://. Plain http:// is allowed only for this computer \
                        (127.0.0.1 or localhost)."
                    .to_string(),
            );
        }
        other => return Err(format!("A base URL starts with https://, not {other}://.")),
    }
    if host.is_empty() {
        return Err("The URL has no host name.".to_string());
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err("A base URL has no ?query, #fragment or user name.".to_string());
    }
    Ok(())
}

fn check_tenant(tenant: &str) -> Result<(), String> {
    let tenant = tenant.trim();
    let lower = tenant.to_ascii_lowercase();
    if tenant.is_empty() {
        return Err(
            "Enter organizations, your tenant ID or your tenant's domain (such as \
                    contoso.onmicrosoft.com)."
                .to_string(),
        );
    }
    if lower == "consumers" {
        return Err(
            "Personal Microsoft accounts cannot use Teams chats and channels. Use \
                    organizations, your tenant ID or your domain."
                .to_string(),
        );
    }
    if lower == "organizations" || lower == "common" || is_guid(&lower) || is_domain(&lower) {
        return Ok(());
    }
    Err(format!(
        "“{tenant}” is neither a tenant ID nor a domain. Use organizations, a GUID such as \
         72f988bf-86f1-41af-91ab-2d7cd011db47, or a domain such as contoso.onmicrosoft.com."
    ))
}

fn check_browser_command(command: &str, path: Option<&std::ffi::OsStr>) -> Result<(), String> {
    if command.trim().is_empty() {
        return Ok(());
    }
    let words = shell_words::split(command).map_err(|_| {
        "The command has an unclosed quote. Quote paths with spaces, like \
         \"/opt/My Browser/browser\" --new-window."
            .to_string()
    })?;
    let program = words.first().ok_or("The command is empty.")?;
    if find_program(program, path).is_none() {
        return Err(format!(
            "No program “{program}” was found. Give its full path or the name of a program on \
             PATH; the sign-in address is added as the last argument."
        ));
    }
    Ok(())
}

/// Where `program` would be found, as a shell would look for it.
pub fn find_program(program: &str, path: Option<&std::ffi::OsStr>) -> Option<std::path::PathBuf> {
    let is_runnable = |candidate: &Path| {
        candidate.is_file() && {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                candidate
                    .metadata()
                    .map(|m| m.permissions().mode() & 0o111 != 0)
                    .unwrap_or(false)
            }
            #[cfg(not(unix))]
            {
                true
            }
        }
    };
    if program.contains(std::path::MAIN_SEPARATOR) || program.contains('/') {
        let candidate = Path::new(program);
        return is_runnable(candidate).then(|| candidate.to_path_buf());
    }
    std::env::split_paths(path?)
        .map(|dir| dir.join(program))
        .find(|c| is_runnable(c))
}

pub(crate) fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

pub(crate) fn is_domain(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    text.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().any(|c| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(settings: &Settings) -> Vec<(SettingKey, String)> {
        settings
            .problems(None)
            .into_iter()
            .map(|p| (p.field, p.message))
            .collect()
    }

    #[test]
    fn defaults_are_valid_and_point_at_the_global_cloud() {
        let settings = Settings::default();
        assert!(problems(&settings).is_empty());
        let endpoints = settings.endpoints();
        assert_eq!(endpoints.authority, "https://login.microsoftonline.com");
        assert_eq!(endpoints.graph, "https://graph.microsoft.com");
    }

    #[test]
    fn each_national_cloud_has_its_own_hosts() {
        let hosts = |cloud| {
            Settings {
                cloud,
                ..Settings::default()
            }
            .endpoints()
        };
        assert_eq!(hosts(Cloud::Gcc).graph, "https://graph.microsoft.com");
        assert_eq!(hosts(Cloud::GccHigh).graph, "https://graph.microsoft.us");
        assert_eq!(hosts(Cloud::Dod).graph, "https://dod-graph.microsoft.us");
        assert_eq!(
            hosts(Cloud::Dod).authority,
            "https://login.microsoftonline.us"
        );
        assert_eq!(
            hosts(Cloud::China).authority,
            "https://login.partner.microsoftonline.cn"
        );
        assert_eq!(hosts(Cloud::China).bot_connector, None);
        assert_ne!(
            hosts(Cloud::Gcc).bot_connector,
            hosts(Cloud::Global).bot_connector
        );
    }

    #[test]
    fn custom_cloud_uses_the_typed_urls_and_requires_two_of_them() {
        let custom = Settings {
            cloud: Cloud::Custom,
            ..Settings::default()
        };
        let fields: Vec<SettingKey> = problems(&custom).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec![SettingKey::AuthorityUrl, SettingKey::GraphUrl]);

        let sandbox = Settings {
            authority_url: "http://127.0.0.1:4010/".into(),
            graph_url: " http://127.0.0.1:4010 ".into(),
            ..custom
        };
        assert!(problems(&sandbox).is_empty(), "{:?}", problems(&sandbox));
        assert_eq!(sandbox.endpoints().authority, "http://127.0.0.1:4010");
        assert_eq!(sandbox.endpoints().bot_connector, None);
    }

    #[test]
    fn refuses_unsafe_or_malformed_urls() {
        for (url, needle) in [
            ("http://login.example.com", "https://"),
            ("ftp://login.example.com", "https://"),
            ("login.example.com", "not a URL"),
            ("https://login.example.com/?x=1", "query"),
        ] {
            let settings = Settings {
                cloud: Cloud::Custom,
                authority_url: url.into(),
                graph_url: "https://graph.example.com".into(),
                ..Settings::default()
            };
            let found = problems(&settings);
            assert_eq!(found.len(), 1, "{url}: {found:?}");
            assert_eq!(found[0].0, SettingKey::AuthorityUrl);
            assert!(found[0].1.contains(needle), "{url}: {}", found[0].1);
        }
    }

    #[test]
    fn tenant_accepts_organizations_guid_and_domain_only() {
        for good in [
            "organizations",
            "common",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "contoso.onmicrosoft.com",
            "Contoso.COM",
        ] {
            let s = Settings {
                tenant: good.into(),
                ..Settings::default()
            };
            assert!(problems(&s).is_empty(), "{good}");
        }
        for (bad, needle) in [
            ("", "Enter organizations"),
            ("consumers", "Personal Microsoft accounts"),
            ("contoso", "neither a tenant ID nor a domain"),
            ("72f988bf-86f1-41af-91ab", "neither"),
            ("bad_domain.com", "neither"),
        ] {
            let s = Settings {
                tenant: bad.into(),
                ..Settings::default()
            };
            let found = problems(&s);
            assert_eq!(found.len(), 1, "{bad}");
            assert!(found[0].1.contains(needle), "{bad}: {}", found[0].1);
        }
    }

    #[test]
    fn client_id_must_be_a_guid_when_given() {
        let s = Settings {
            client_id: "my-app".into(),
            ..Settings::default()
        };
        assert_eq!(problems(&s)[0].0, SettingKey::ClientId);
        let s = Settings {
            client_id: "3FA85F64-5717-4562-B3FC-2C963F66AFA6".into(),
            ..Settings::default()
        };
        assert!(problems(&s).is_empty());
        assert_eq!(
            s.normalized().client_id,
            "3fa85f64-5717-4562-b3fc-2c963f66afa6"
        );
    }

    #[test]
    fn browser_command_must_name_a_program_that_exists() {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("open-browser");
        std::fs::write(&program, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let path = dir.path().as_os_str();
        let with = |command: &str| Settings {
            browser_command: command.into(),
            ..Settings::default()
        };
        assert!(
            with("open-browser --new-window")
                .problems(Some(path))
                .is_empty()
        );
        assert!(with(program.to_str().unwrap()).problems(None).is_empty());
        let missing = with("no-such-browser").problems(Some(path));
        assert!(
            missing[0].message.contains("“no-such-browser”"),
            "{missing:?}"
        );
        let unclosed = with("\"open-browser").problems(Some(path));
        assert!(unclosed[0].message.contains("unclosed quote"));
    }

    #[test]
    fn keys_and_clouds_parse_as_the_cli_writes_them() {
        assert_eq!("client-id".parse::<SettingKey>(), Ok(SettingKey::ClientId));
        assert_eq!(
            "browser_command".parse::<SettingKey>(),
            Ok(SettingKey::BrowserCommand)
        );
        assert!("colour".parse::<SettingKey>().is_err());
        assert_eq!("GCC-High".parse::<Cloud>(), Ok(Cloud::GccHigh));
        let err = Settings::default()
            .with(SettingKey::Cloud, "mars")
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("global, gcc, gcchigh, dod, china, custom"),
            "{err}"
        );
    }
}
