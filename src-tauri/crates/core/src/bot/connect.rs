//! Connecting the bot: its setup (application ID, tenant, secret in the keychain), the
//! administrator's consent in the browser, and the proof that the setup works.

use super::Bot;
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::connector::{Connector, ConnectorError};
use super::{
    APP_NAME, BotAccount, BotCheck, BotError, BotRecord, BotSetup, BotSetupDraft, BotState,
    CLIENT_SECRET, CLIENT_SECRET_ORIGIN, connector_scope, setup_problems,
};
use crate::Error;
use crate::auth::error::{aadsts_code, without_trace};
use crate::auth::loopback::{Callback, LoopbackListener};
use crate::auth::{AuthError, SignInWaiting, send_browser_to};
use crate::error::Result;
use crate::graph::{Graph, GraphError, Page};
use crate::http::HttpError;
use crate::secrets::Secret;
use crate::settings::{Cloud, Settings};

/// What an admin consent needs from its host.
pub struct ConsentRequest<'a> {
    /// Opens an address in the system browser (used when no browser command is set).
    pub open_browser: &'a (dyn Fn(&str) -> std::result::Result<(), String> + Send + Sync),
    /// Called once the browser was asked to open the consent page.
    pub on_waiting: &'a (dyn Fn(&SignInWaiting) + Send + Sync),
    /// A browser command that overrides the one in Settings.
    pub browser_command: Option<String>,
    pub timeout: Duration,
}

#[derive(Clone, Copy)]
enum Audience {
    Graph,
    Connector,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

impl Bot<'_> {
    /// The bot card's fields; the secret only as set or not set.
    pub async fn setup(self) -> Result<BotSetup> {
        let row = self.core.store.load_bot()?;
        let settings = self.core.settings()?;
        // Without a keychain the card still shows what is configured; CONNECT then says why.
        let authority = settings.endpoints().authority;
        let (secret_set, secret_problem) = match self.client_secret(&authority).await {
            Ok(secret) => (secret.is_some(), None),
            Err(Error::Bot(error @ BotError::SecretForAnotherHost { .. })) => {
                (false, Some(error.to_string()))
            }
            Err(error) => {
                log::warn!("the bot's client secret cannot be looked up: {error}");
                (false, None)
            }
        };
        Ok(BotSetup {
            app_id: row.app_id,
            tenant: row.tenant,
            secret_set,
            secret_problem,
            cloud_label: settings.cloud.label().to_string(),
            connector_url: settings.endpoints().bot_connector,
            teams_admin_center: super::teams_admin_center(settings.cloud).map(str::to_string),
        })
    }

    /// Saves the bot card. A typed secret goes to the OS keychain and nowhere else.
    pub async fn save_setup(self, draft: BotSetupDraft) -> Result<BotSetup> {
        let app_id = draft.app_id.trim().to_ascii_lowercase();
        let tenant = draft.tenant.trim().to_string();
        let problems = setup_problems(&app_id, &tenant);
        if !problems.is_empty() {
            return Err(BotError::Invalid(problems.join(" ")).into());
        }
        if let Some(secret) = draft.secret {
            let trimmed = Secret::new(secret.expose().trim());
            if !trimmed.expose().is_empty() {
                let origin = Secret::new(origin_of(&settings_authority(self.core)?));
                self.core
                    .secret(move |store| {
                        store.set(CLIENT_SECRET, &trimmed)?;
                        store.set(CLIENT_SECRET_ORIGIN, &origin)
                    })
                    .await?;
                self.core.bot_sessions.graph.clear();
                self.core.bot_sessions.connector.clear();
                log::info!("the bot's client secret was replaced in the keychain");
            }
        }
        let mut row = self.core.store.load_bot()?;
        row.app_id = app_id;
        row.tenant = tenant;
        self.core.store.save_bot(&row, self.core.clock.now())?;
        self.setup().await
    }

    pub(crate) fn record(&self) -> Result<Option<BotRecord>> {
        let row = self.core.store.load_bot()?;
        Ok(row.connection.as_deref().and_then(|json| {
            serde_json::from_str(json)
                .map_err(|e| log::warn!("the stored bot connection is unreadable: {e}"))
                .ok()
        }))
    }

    fn save_bot_record(&self, record: Option<&BotRecord>) -> Result<()> {
        let mut row = self.core.store.load_bot()?;
        row.connection = record.map(|r| serde_json::to_string(r).expect("records serialise"));
        Ok(self.core.store.save_bot(&row, self.core.clock.now())?)
    }

    /// The bot's connection as last known, without calling Microsoft.
    pub fn state(&self) -> Result<BotState> {
        let Some(record) = self.record()? else {
            return Ok(BotState::NotConnected);
        };
        let row = self.core.store.load_bot()?;
        let settings = self.core.settings()?;
        let endpoints = settings.endpoints();
        let bot = BotAccount {
            settings_changed: record.app_id != row.app_id
                || record.tenant != row.tenant
                || record.authority != endpoints.authority
                || Some(&record.connector) != endpoints.bot_connector.as_ref(),
            app_id: record.app_id,
            app_name: record.app_name,
            catalog_id: record.catalog_id,
            tenant: record.tenant,
            tenant_id: record.tenant_id,
            cloud_label: record
                .cloud
                .parse::<Cloud>()
                .map(|c| c.label().to_string())
                .unwrap_or(record.cloud),
            connector_url: record.connector,
            checks: record.checks,
            connected_at: record.connected_at,
        };
        Ok(match record.problem {
            None => BotState::Connected { bot },
            Some((code, reason, since)) => BotState::ReconnectNeeded {
                bot,
                code,
                reason,
                since,
            },
        })
    }

    /// Connects the bot: the administrator consents in the browser
    /// (`/{tenant}/v2.0/adminconsent`, loopback redirect), then the app proves the setup.
    pub async fn connect(
        self,
        request: ConsentRequest<'_>,
        cancelled: impl Future<Output = ()>,
    ) -> Result<BotState> {
        let settings = self.core.settings()?;
        let row = self.core.store.load_bot()?;
        self.require_bot_setup(&row.app_id, &row.tenant, &settings)
            .await?;
        let endpoints = settings.endpoints();
        let listener = LoopbackListener::bind().await?;
        let redirect_uri = listener.redirect_uri();
        let state = self.core.random_text(32);
        let mut url = url::Url::parse(&format!(
            "{}/{}/v2.0/adminconsent",
            endpoints.authority.trim_end_matches('/'),
            row.tenant
        ))
        .map_err(|e| BotError::Invalid(format!("The consent address is not valid: {e}")))?;
        url.query_pairs_mut()
            .append_pair("client_id", &row.app_id)
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("state", &state)
            .append_pair("scope", &format!("{}/.default", endpoints.graph));
        send_browser_to(
            url.as_str(),
            request
                .browser_command
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .unwrap_or(&settings.browser_command),
            request.open_browser,
            request.on_waiting,
        );
        log::info!("waiting for the administrator's consent for the bot");
        let consented_tenant = match listener.wait(&state, request.timeout, cancelled).await? {
            Callback::AdminConsent { tenant } => tenant,
            Callback::Error { error, description } => {
                return Err(consent_error(&error, &description).into());
            }
            Callback::Code(_) => {
                return Err(AuthError::BadResponse(
                    "the browser came back from sign-in instead of admin consent".into(),
                )
                .into());
            }
        };
        self.verify(Some(&consented_tenant)).await
    }

    async fn require_bot_setup(
        self,
        app_id: &str,
        tenant: &str,
        settings: &Settings,
    ) -> Result<()> {
        let missing = if app_id.is_empty() {
            Some("application ID")
        } else if tenant.is_empty() {
            Some("tenant")
        } else if self
            .client_secret(&settings.endpoints().authority)
            .await?
            .is_none()
        {
            Some("client secret")
        } else {
            None
        };
        if let Some(missing) = missing {
            return Err(BotError::NotConfigured {
                missing: missing.into(),
            }
            .into());
        }
        let problems = setup_problems(app_id, tenant);
        if !problems.is_empty() {
            return Err(BotError::Invalid(problems.join(" ")).into());
        }
        if settings.endpoints().bot_connector.is_none() {
            return Err(BotError::NoConnectorUrl {
                cloud: settings.cloud.label().into(),
            }
            .into());
        }
        Ok(())
    }

    /// Proves the bot's setup without a browser: a client-credentials token for Graph, reads of
    /// the directory and the teams, the app catalog, and a token for the Bot Connector. Saves
    /// the connection with what was verified.
    pub async fn verify(self, consented_tenant: Option<&str>) -> Result<BotState> {
        let settings = self.core.settings()?;
        let row = self.core.store.load_bot()?;
        self.require_bot_setup(&row.app_id, &row.tenant, &settings)
            .await?;
        let endpoints = settings.endpoints();
        let connector_url = endpoints.bot_connector.clone().unwrap_or_default();
        self.core.bot_sessions.graph.clear();
        self.core.bot_sessions.connector.clear();
        let previous = self.record()?;
        let mut checks = Vec::new();
        let graph_scope = format!("{}/.default", endpoints.graph);
        let (graph_token, graph_tid) = self
            .request_bot_token(&endpoints.authority, &row.tenant, &row.app_id, &graph_scope)
            .await?;
        checks.push(BotCheck {
            label: "Microsoft Graph token".into(),
            detail: format!("Issued to the bot by tenant {}.", row.tenant),
            ok: true,
        });
        let graph = Graph {
            http: self.core.http.clone(),
            base: endpoints.graph.clone(),
            token: graph_token.0.clone(),
        };
        for (path, label, what, permission) in [
            (
                "/users?$top=1&$select=id",
                "Directory",
                "look up people in the directory",
                "User.Read.All",
            ),
            (
                "/teams?$top=1&$select=id,displayName",
                "Teams",
                "list the organisation's teams",
                "Team.ReadBasic.All",
            ),
        ] {
            let read: std::result::Result<Page<Value>, GraphError> = graph.get(path).await;
            match read {
                Ok(_) => checks.push(BotCheck {
                    label: label.into(),
                    detail: format!("Can {what} ({permission})."),
                    ok: true,
                }),
                Err(GraphError::Forbidden { .. }) => {
                    return Err(BotError::MissingPermission {
                        what: what.into(),
                        permission,
                    }
                    .into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        let catalog: std::result::Result<Page<Value>, GraphError> =
            graph.get(&super::catalog_lookup(&row.app_id)).await;
        let (catalog_id, app_name) = match catalog {
            Ok(page) => match page.value.first() {
                Some(app) => {
                    let name = app["displayName"].as_str().unwrap_or(APP_NAME).to_string();
                    checks.push(BotCheck {
                        label: "Teams app catalog".into(),
                        detail: format!("Published to the organisation as “{name}”."),
                        ok: true,
                    });
                    (app["id"].as_str().map(str::to_string), name)
                }
                None => {
                    checks.push(BotCheck {
                        label: "Teams app catalog".into(),
                        detail: "Not published yet: save the app package below and upload it in \
                                 Teams admin center › Teams apps › Manage apps."
                            .into(),
                        ok: false,
                    });
                    (None, APP_NAME.to_string())
                }
            },
            Err(GraphError::Forbidden { .. }) => {
                checks.push(BotCheck {
                    label: "Teams app catalog".into(),
                    detail: "Cannot be read: add the application permission AppCatalog.Read.All \
                             so the app can tell where it is installed."
                        .into(),
                    ok: false,
                });
                (None, APP_NAME.to_string())
            }
            Err(e) => return Err(e.into()),
        };
        let (connector_token, connector_tid) = self
            .request_bot_token(
                &endpoints.authority,
                &row.tenant,
                &row.app_id,
                connector_scope(settings.cloud),
            )
            .await?;
        checks.push(BotCheck {
            label: "Bot Connector token".into(),
            detail: format!("Issued for {connector_url}."),
            ok: true,
        });
        let tenant_id = [
            Some(row.tenant.to_ascii_lowercase()).filter(|t| crate::settings::is_guid(t)),
            graph_tid.or(connector_tid),
            consented_tenant
                .map(str::to_string)
                .filter(|t| !t.is_empty()),
            previous.as_ref().map(|p| p.tenant_id.clone()),
        ]
        .into_iter()
        .flatten()
        .find(|t| !t.is_empty())
        .unwrap_or_else(|| row.tenant.clone());
        let now = self.core.clock.now();
        if previous.as_ref().is_some_and(|p| p.app_id != row.app_id) {
            // Conversation ids belong to one bot.
            self.core.store.forget_bot_conversations(None)?;
        }
        let record = BotRecord {
            app_id: row.app_id.clone(),
            app_name,
            catalog_id,
            tenant: row.tenant.clone(),
            tenant_id,
            cloud: settings.cloud.as_str().into(),
            authority: endpoints.authority.clone(),
            graph: endpoints.graph.clone(),
            connector: connector_url,
            checks,
            connected_at: now,
            problem: None,
        };
        self.save_bot_record(Some(&record))?;
        self.core
            .bot_sessions
            .graph
            .store(graph_token.0, graph_token.1);
        self.core
            .bot_sessions
            .connector
            .store(connector_token.0, connector_token.1);
        log::info!("the bot {} is connected", record.app_id);
        // Deliveries paused for want of the bot go out now.
        self.core.outbox().wake();
        self.state()
    }

    /// Forgets the bot's connection; with `forget_secret`, its client secret leaves the keychain.
    pub async fn disconnect(self, forget_secret: bool) -> Result<()> {
        if forget_secret {
            self.core
                .secret(|store| store.delete(CLIENT_SECRET))
                .await?;
        }
        self.save_bot_record(None)?;
        self.core.store.forget_bot_conversations(None)?;
        self.core.bot_sessions.graph.clear();
        self.core.bot_sessions.connector.clear();
        log::info!("disconnected the bot");
        Ok(())
    }

    /// The client secret, when it was entered for `authority`'s origin. A secret saved by a
    /// version that did not record its origin is bound, once, to the origin it was last used
    /// with (the connected bot's), else to `authority`.
    async fn client_secret(self, authority: &str) -> Result<Option<Secret>> {
        let origin = origin_of(authority);
        let last_used = self.record()?.map(|record| origin_of(&record.authority));
        let bound = self
            .core
            .secret(move |store| {
                let Some(secret) = store.get(CLIENT_SECRET)? else {
                    return Ok(None);
                };
                let entered_for = match store.get(CLIENT_SECRET_ORIGIN)? {
                    Some(entered_for) => entered_for.expose().to_string(),
                    None => {
                        let entered_for = last_used.unwrap_or(origin);
                        store.set(CLIENT_SECRET_ORIGIN, &Secret::new(entered_for.as_str()))?;
                        entered_for
                    }
                };
                Ok(Some((entered_for, secret)))
            })
            .await?;
        let Some((entered_for, secret)) = bound else {
            return Ok(None);
        };
        let now = origin_of(authority);
        if entered_for != now {
            return Err(BotError::SecretForAnotherHost { entered_for, now }.into());
        }
        Ok(Some(secret))
    }

    /// A client-credentials token, with the tenant id when the token says (`tid`).
    async fn request_bot_token(
        self,
        authority: &str,
        tenant: &str,
        app_id: &str,
        scope: &str,
    ) -> Result<((Secret, DateTime<Utc>), Option<String>)> {
        let secret = self
            .client_secret(authority)
            .await?
            .ok_or(BotError::NotConfigured {
                missing: "client secret".into(),
            })?;
        let url = url::Url::parse(&format!(
            "{}/{tenant}/oauth2/v2.0/token",
            authority.trim_end_matches('/')
        ))
        .map_err(|e| BotError::Invalid(format!("The sign-in address is not valid: {e}")))?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", app_id),
            ("client_secret", secret.expose()),
            ("scope", scope),
        ];
        let request = self
            .core
            .http
            .request(reqwest::Method::POST, url)
            .form(&form)
            .build()
            .map_err(|e| HttpError::Client(e.to_string()))?;
        // Token requests give the same answer however often they arrive.
        let response = self.core.http.send_repeatable(request).await?;
        let bytes = response.bytes().await.map_err(|e| BotError::TokenRefused {
            description: e.to_string(),
        })?;
        let answer: TokenAnswer =
            serde_json::from_slice(&bytes).map_err(|e| BotError::TokenRefused {
                description: format!("the answer could not be read ({e})"),
            })?;
        match (answer.access_token, answer.error) {
            (Some(token), None) => {
                let expires = self.core.clock.now()
                    + chrono::Duration::from_std(crate::http::server_seconds(
                        answer.expires_in.unwrap_or(3600),
                    ))
                    .unwrap_or_default();
                let tid = token_tenant(&token);
                Ok(((Secret::new(token), expires), tid))
            }
            (_, error) => Err(token_error(
                error.as_deref().unwrap_or_default(),
                answer.error_description.as_deref().unwrap_or_default(),
                app_id,
                tenant,
            )
            .into()),
        }
    }

    /// A fresh token for Graph or the Bot Connector; a refusal that needs the bot to be
    /// connected again is remembered, so sending pauses with the reason.
    async fn bot_token(self, audience: Audience) -> Result<Secret> {
        let session = match audience {
            Audience::Graph => &self.core.bot_sessions.graph,
            Audience::Connector => &self.core.bot_sessions.connector,
        };
        let now = self.core.clock.now();
        if let Some(token) = session.fresh(now) {
            return Ok(token);
        }
        let _renewal = session.renewal.lock().await;
        if let Some(token) = session.fresh(self.core.clock.now()) {
            return Ok(token);
        }
        let mut record = self.record()?.ok_or(BotError::NotConnected)?;
        if let Some((code, reason, _)) = &record.problem {
            return Err(BotError::ReconnectNeeded {
                code: *code,
                reason: reason.clone(),
            }
            .into());
        }
        let scope = match audience {
            Audience::Graph => format!("{}/.default", record.graph),
            Audience::Connector => {
                connector_scope(record.cloud.parse().unwrap_or(Cloud::Custom)).to_string()
            }
        };
        match self
            .request_bot_token(&record.authority, &record.tenant, &record.app_id, &scope)
            .await
        {
            Ok(((token, expires), _)) => {
                session.store(token.clone(), expires);
                Ok(token)
            }
            Err(Error::Bot(error)) if error.needs_reconnect() => {
                log::warn!("the bot needs reconnecting: {error}");
                record.problem = Some((error.code(), error.to_string(), self.core.clock.now()));
                self.save_bot_record(Some(&record))?;
                Err(error.into())
            }
            Err(error) => Err(error),
        }
    }

    /// Runs a Graph call as the bot, renewing its token once if Graph refuses it.
    pub(crate) async fn as_bot<T, F, Fut>(self, call: F) -> Result<T>
    where
        F: Fn(Graph) -> Fut,
        Fut: Future<Output = std::result::Result<T, GraphError>>,
    {
        let record = self.record()?.ok_or(BotError::NotConnected)?;
        let graph = |token| Graph {
            http: self.core.http.clone(),
            base: record.graph.clone(),
            token,
        };
        Ok(self
            .core
            .bot_sessions
            .graph
            .once_more_if_refused(
                || self.bot_token(Audience::Graph),
                |token| call(graph(token)),
                GraphError::is_unauthorized,
            )
            .await??)
    }

    /// Runs a Bot Connector call, renewing the token once if the Connector refuses it. The outer
    /// error is the bot's own (no token); the inner one is the Connector's answer.
    pub(crate) async fn with_connector<T, F, Fut>(
        self,
        call: F,
    ) -> Result<std::result::Result<T, ConnectorError>>
    where
        F: Fn(Connector) -> Fut,
        Fut: Future<Output = std::result::Result<T, ConnectorError>>,
    {
        let record = self.record()?.ok_or(BotError::NotConnected)?;
        let connector = |token| Connector {
            http: self.core.http.clone(),
            service_url: record.connector.clone(),
            token,
        };
        self.core
            .bot_sessions
            .connector
            .once_more_if_refused(
                || self.bot_token(Audience::Connector),
                |token| call(connector(token)),
                |e| matches!(e, ConnectorError::Unauthorized { .. }),
            )
            .await
    }
}

/// The tenant id in a JWT access token (`tid`), when the token is one.
fn token_tenant(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims["tid"].as_str().map(str::to_string)
}

/// What a refused client-credentials request means for the person (AADSTS codes, §3).
fn token_error(error: &str, description: &str, app_id: &str, tenant: &str) -> BotError {
    match aadsts_code(description) {
        Some(7000215) => BotError::SecretRejected,
        Some(7000222) => BotError::SecretExpired,
        Some(700016 | 90002 | 500011 | 50194) => BotError::AppNotFound {
            app_id: app_id.into(),
            tenant: tenant.into(),
        },
        _ if error == "invalid_client" => BotError::SecretRejected,
        _ if description.trim().is_empty() => BotError::TokenRefused {
            description: error.to_string(),
        },
        _ => BotError::TokenRefused {
            description: without_trace(description),
        },
    }
}

/// What the admin-consent redirect's error means
/// (<https://learn.microsoft.com/entra/identity-platform/v2-admin-consent>).
fn consent_error(error: &str, description: &str) -> BotError {
    match (error, aadsts_code(description)) {
        (_, Some(65004)) | ("access_denied", _) => BotError::ConsentDeclined,
        (_, Some(90094 | 90095 | 65001)) | ("consent_required", _) => BotError::ConsentNeedsAdmin,
        _ => BotError::ConsentRefused {
            description: without_trace(description),
        },
    }
}

/// The scheme, host and port a secret may be sent to (`https://login.microsoftonline.com`).
fn origin_of(authority: &str) -> String {
    url::Url::parse(authority)
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_else(|_| authority.trim_end_matches('/').to_string())
}

fn settings_authority(core: &crate::Core) -> Result<String> {
    Ok(core.settings()?.endpoints().authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_refusals_say_what_to_fix() {
        assert_eq!(
            token_error(
                "invalid_client",
                "AADSTS7000215: Invalid client secret provided.",
                "a",
                "t"
            ),
            BotError::SecretRejected
        );
        assert_eq!(
            token_error("invalid_client", "AADSTS7000222: expired", "a", "t"),
            BotError::SecretExpired
        );
        assert!(matches!(
            token_error("unauthorized_client", "AADSTS700016: not found", "a", "t"),
            BotError::AppNotFound { .. }
        ));
        assert_eq!(
            consent_error("access_denied", "AADSTS65004: declined"),
            BotError::ConsentDeclined
        );
        assert_eq!(
            consent_error("consent_required", "AADSTS90094: admin"),
            BotError::ConsentNeedsAdmin
        );
    }

    #[test]
    fn the_tenant_is_read_from_a_jwt_and_ignored_otherwise() {
        use base64::Engine;
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"tid":"72f988bf-86f1-41af-91ab-2d7cd011db47"}"#);
        assert_eq!(
            token_tenant(&format!("h.{payload}.s")).as_deref(),
            Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
        );
        assert_eq!(token_tenant("sbx-app.opaque"), None);
    }
}
