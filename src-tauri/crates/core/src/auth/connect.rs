//! The Identity provider connection as the core offers it to the app and the CLI.

use super::Auth;
use std::future::Future;
use std::time::Duration;

use tokio::sync::oneshot;

use super::entra::{EntraApp, Expected, read_id_token};
use super::error::OAuthContext;
use super::loopback::{Callback, LoopbackListener};
use super::{
    Account, AuthError, CUSTOM_SCHEME_REDIRECT, ConnectionState, PermissionReport,
    PermissionStatus, REFRESH_TOKEN_SECRET, SignInWaiting, TenantGrant, TenantRecords, short_scope,
};
use crate::error::{ErrorCode, Result};
use crate::graph::{Graph, GraphError};
use crate::permissions::requested_scopes;

use crate::Error;
use crate::secrets::Secret;
use crate::settings::{Cloud, Settings, SignInRedirect};
use crate::store::ConnectionRecord;

/// What a sign-in needs from its host.
pub struct SignInRequest<'a> {
    /// Ask for just these permissions (incremental consent); `None` asks for all nine.
    pub only: Option<Vec<String>>,
    /// Opens an address in the system browser (used when no browser command is set).
    pub open_browser: &'a (dyn Fn(&str) -> std::result::Result<(), String> + Send + Sync),
    /// Called once the browser was asked to open the sign-in page.
    pub on_waiting: &'a (dyn Fn(&SignInWaiting) + Send + Sync),
    /// For the custom-scheme redirect: where the shell delivers the `ox-teams://auth/callback`
    /// link. Without it the loopback redirect is used.
    pub link_callback: Option<oneshot::Receiver<String>>,
    /// A browser command that overrides the one in Settings (`ox-teams-cli connect --open-with`).
    pub browser_command: Option<String>,
    pub timeout: Duration,
}

const METHOD: &str = "identity";

fn admin_permissions() -> String {
    let names: Vec<String> = requested_scopes()
        .into_iter()
        .filter(|s| s.admin_consent)
        .map(|s| s.name)
        .collect();
    names.join(" and ")
}

impl Auth<'_> {
    fn app_of(record: &ConnectionRecord) -> EntraApp {
        EntraApp {
            authority: record.authority.clone(),
            tenant: record.tenant.clone(),
            client_id: record.client_id.clone(),
        }
    }

    fn context(&self, app: &EntraApp, redirect_uri: &str) -> OAuthContext {
        OAuthContext {
            client_id: app.client_id.clone(),
            tenant: app.tenant.clone(),
            redirect_uri: redirect_uri.to_string(),
            admin_permissions: admin_permissions(),
        }
    }

    /// Connects (or reconnects, or asks for missing permissions): opens the browser at Microsoft's
    /// sign-in, waits for it to come back, redeems the code, and keeps the refresh token in the
    /// OS keychain.
    pub async fn sign_in(
        self,
        request: SignInRequest<'_>,
        cancelled: impl Future<Output = ()>,
    ) -> Result<ConnectionState> {
        let settings = self.core.settings()?;
        if settings.client_id.is_empty() {
            return Err(AuthError::NotConfigured.into());
        }
        let endpoints = settings.endpoints();
        let previous = self.core.store.load_connection()?;
        let graph_base = endpoints.graph.clone();
        let wanted: Vec<String> = match &request.only {
            // Asking for more keeps what was granted: the new token must still carry it.
            Some(only) => only
                .iter()
                .chain(previous.iter().flat_map(|p| &p.granted_scopes))
                .filter(|s| !matches!(s.as_str(), "openid" | "profile" | "offline_access"))
                .fold(Vec::<String>::new(), |mut all, s| {
                    if !all.iter().any(|a| a.eq_ignore_ascii_case(s)) {
                        all.push(s.clone());
                    }
                    all
                }),
            None => requested_scopes()
                .into_iter()
                .filter(|s| !s.openid)
                .map(|s| s.name)
                .collect(),
        };
        let mut scopes: Vec<String> = wanted.iter().map(|s| format!("{graph_base}/{s}")).collect();
        scopes.extend(["openid", "profile", "offline_access"].map(String::from));
        let app = EntraApp {
            authority: endpoints.authority.clone(),
            tenant: settings.tenant.clone(),
            client_id: settings.client_id.clone(),
        };

        let (listener, redirect_uri) =
            match (settings.sign_in_redirect, request.link_callback.is_some()) {
                (SignInRedirect::CustomScheme, true) => (None, CUSTOM_SCHEME_REDIRECT.to_string()),
                _ => {
                    let listener = LoopbackListener::bind().await?;
                    let uri = listener.redirect_uri();
                    (Some(listener), uri)
                }
            };
        let hint = previous.as_ref().map(|p| p.user_mail.clone());
        let attempt = app.attempt(
            &redirect_uri,
            &scopes,
            self.core.random_text(32),
            self.core.random_text(64),
            self.core.random_text(16),
            hint.as_deref(),
        )?;

        send_browser_to(
            &attempt.authorize_url,
            request
                .browser_command
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .unwrap_or(&settings.browser_command),
            request.open_browser,
            request.on_waiting,
        );
        log::info!("waiting for the browser to come back from sign-in");

        let callback = match (listener, request.link_callback) {
            (Some(listener), _) => {
                listener
                    .wait(&attempt.state, request.timeout, cancelled)
                    .await?
            }
            (None, Some(link)) => {
                let received = tokio::select! {
                    link = link => link.map_err(|_| AuthError::Cancelled),
                    _ = tokio::time::sleep(request.timeout) => Err(AuthError::TimedOut { minutes: request.timeout.as_secs().div_ceil(60).max(1) }),
                    _ = cancelled => Err(AuthError::Cancelled),
                }?;
                Callback::from_link(&received, &attempt.state).ok_or(AuthError::StateMismatch)?
            }
            (None, None) => unreachable!("a sign-in has a listener or a link"),
        };
        let context = self.context(&app, &redirect_uri);
        let code = match callback {
            Callback::Code(code) => code,
            Callback::Error { error, description } => {
                return Err(AuthError::from_oauth(&error, &description, &context).into());
            }
            Callback::AdminConsent { .. } => {
                return Err(AuthError::BadResponse(
                    "the browser came back from admin consent instead of sign-in".into(),
                )
                .into());
            }
        };
        let tokens = app
            .redeem(&self.core.http, &attempt, &code, &context)
            .await?;
        let Some(refresh_token) = tokens.refresh_token.clone() else {
            return Err(AuthError::Refused {
                error: "no_refresh_token".into(),
                code: None,
                description:
                    "Microsoft did not grant offline_access, so the connection could not stay alive"
                        .into(),
            }
            .into());
        };
        let claims = match &tokens.id_token {
            Some(id_token) => Some(read_id_token(
                id_token,
                &Expected {
                    client_id: &app.client_id,
                    nonce: &attempt.nonce,
                    tenant: &app.tenant,
                    now: self.core.clock.now(),
                },
            )?),
            None => None,
        };
        let me = Graph {
            http: self.core.http.clone(),
            base: graph_base.clone(),
            token: tokens.access_token.clone(),
        }
        .me()
        .await?;

        let token_scopes: Vec<String> = tokens.scope.clone().unwrap_or_else(|| scopes.clone());
        let granted = granted_scopes(
            &token_scopes,
            claims.is_some(),
            request.only.is_some(),
            previous
                .as_ref()
                .map(|p| (p.user_id.as_str(), p.granted_scopes.as_slice())),
            &me.id,
        );

        // The keychain first: the database never says "connected" without a refresh token.
        self.core
            .secret(move |store| store.set(REFRESH_TOKEN_SECRET, &refresh_token))
            .await?;
        let now = self.core.clock.now();
        let mut requested_names: Vec<String> =
            requested_scopes().into_iter().map(|s| s.name).collect();
        requested_names.push("profile".into());
        let record = ConnectionRecord {
            method: METHOD.into(),
            user_id: me.id.clone(),
            user_name: me
                .display_name
                .clone()
                .or(claims.as_ref().and_then(|c| c.name.clone()))
                .unwrap_or_default(),
            user_mail: me
                .mail
                .clone()
                .or(me.user_principal_name.clone())
                .unwrap_or_default(),
            tenant_id: claims
                .as_ref()
                .and_then(|c| c.tid.clone())
                .unwrap_or_default(),
            tenant: settings.tenant.clone(),
            cloud: settings.cloud.as_str().into(),
            authority: endpoints.authority.clone(),
            graph: graph_base,
            client_id: settings.client_id.clone(),
            requested_scopes: requested_names,
            granted_scopes: granted,
            connected_at: match (&previous, &request.only) {
                (Some(previous), Some(_)) if previous.user_id == me.id => previous.connected_at,
                _ => now,
            },
            refreshed_at: Some(now),
            problem: None,
        };
        if previous
            .as_ref()
            .is_none_or(|p| p.user_id != record.user_id)
        {
            // Teams, channels and chats were someone else's.
            self.core.store.clear_cache()?;
        }
        if let Some(before) = previous.as_ref().filter(|p| p.user_id != record.user_id) {
            // What they queued is not sent as someone else without asking; held before the
            // new connection is saved, so no moment sends it as the new person.
            self.core
                .outbox()
                .hold_for_new_account(&before.user_mail, &record.user_mail)?;
        }
        self.core.store.save_connection(&record)?;
        self.core.session.store_for(
            Some(&record.user_id),
            tokens.access_token,
            now + chrono::Duration::from_std(tokens.expires_in).unwrap_or_default(),
        );
        log::info!("connected to Microsoft Teams as user {}", record.user_id);
        // Deliveries paused for want of the connection go out now.
        self.core.outbox().wake();
        Ok(self.state_of(Some(record), &settings))
    }

    fn state_of(&self, record: Option<ConnectionRecord>, settings: &Settings) -> ConnectionState {
        let Some(record) = record else {
            return ConnectionState::NotConnected;
        };
        let endpoints = settings.endpoints();
        let settings_changed = record.authority != endpoints.authority
            || record.graph != endpoints.graph
            || record.client_id != settings.client_id
            || record.tenant != settings.tenant;
        let account = Account {
            name: record.user_name.clone(),
            mail: record.user_mail.clone(),
            user_id: record.user_id.clone(),
            tenant_id: record.tenant_id.clone(),
            tenant: record.tenant.clone(),
            cloud_label: record
                .cloud
                .parse::<Cloud>()
                .map(|c| c.label().to_string())
                .unwrap_or(record.cloud.clone()),
            connected_at: record.connected_at,
            refreshed_at: record.refreshed_at,
            granted_scopes: record.granted_scopes.clone(),
            settings_changed,
        };
        match record.problem {
            None => ConnectionState::Connected { account },
            Some((code, reason, since)) => ConnectionState::ReconnectNeeded {
                account,
                code: serde_json::from_value(serde_json::Value::String(code))
                    .unwrap_or(ErrorCode::GrantExpired),
                reason,
                since,
            },
        }
    }

    /// The connection as last known, without calling Microsoft.
    pub fn state(&self) -> Result<ConnectionState> {
        Ok(self.state_of(self.core.store.load_connection()?, &self.core.settings()?))
    }

    /// An access token for Graph, renewed with the refresh token a few minutes before it
    /// expires. However many callers wait, one renewal runs; the rest take its result.
    pub async fn access_token(self) -> Result<Secret> {
        // Whose token is wanted is read each time: another process may have connected
        // someone else, and a token in memory is only ever its own person's.
        let owner = || -> Result<_> {
            let record = self
                .core
                .store
                .load_connection()?
                .ok_or(AuthError::NotConnected)?;
            let fresh = self
                .core
                .session
                .fresh_for(Some(&record.user_id), self.core.clock.now());
            Ok((record, fresh))
        };
        if let (_, Some(token)) = owner()? {
            return Ok(token);
        }
        let _renewal = self.core.session.renewal.lock().await;
        let mut record = match owner()? {
            (_, Some(token)) => return Ok(token),
            (record, None) => record,
        };
        if let Some((_, reason, _)) = &record.problem {
            return Err(AuthError::GrantExpired {
                reason: reason.clone(),
            }
            .into());
        }
        let refresh_token = self
            .core
            .secret(|store| store.get(REFRESH_TOKEN_SECRET))
            .await?;
        let Some(refresh_token) = refresh_token else {
            // Said, not saved: the database is shared, and another process (another session's
            // keychain) may hold the token and keep the connection working.
            log::warn!("{}", AuthError::RefreshTokenMissing);
            return Err(AuthError::RefreshTokenMissing.into());
        };
        let app = Self::app_of(&record);
        let context = self.context(&app, "");
        match app.refresh(&self.core.http, &refresh_token, &context).await {
            Ok(tokens) => {
                if let Some(rotated) = tokens.refresh_token {
                    // Replaced in one step; the old token is gone with it.
                    self.core
                        .secret(move |store| store.set(REFRESH_TOKEN_SECRET, &rotated))
                        .await?;
                }
                let now = self.core.clock.now();
                record.refreshed_at = Some(now);
                self.core.store.save_connection(&record)?;
                self.core.session.store_for(
                    Some(&record.user_id),
                    tokens.access_token.clone(),
                    now + chrono::Duration::from_std(tokens.expires_in).unwrap_or_default(),
                );
                log::info!("renewed the Microsoft Graph access token");
                Ok(tokens.access_token)
            }
            Err(error) if error.needs_reconnect() => {
                self.mark_reconnect(&mut record, &error)?;
                Err(error.into())
            }
            Err(error) => Err(error.into()),
        }
    }

    fn mark_reconnect(&self, record: &mut ConnectionRecord, error: &AuthError) -> Result<()> {
        log::warn!("Microsoft Teams needs reconnecting: {error}");
        let code = serde_json::to_value(error.code())
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        record.problem = Some((code, error.to_string(), self.core.clock.now()));
        self.core.session.clear();
        Ok(self.core.store.save_connection(record)?)
    }

    /// Runs a Graph call as the signed-in person, renewing the token once if Graph refuses it.
    pub(crate) async fn as_user<T, F, Fut>(self, call: F) -> Result<T>
    where
        F: Fn(Graph) -> Fut,
        Fut: Future<Output = std::result::Result<T, GraphError>>,
    {
        let record = self
            .core
            .store
            .load_connection()?
            .ok_or(AuthError::NotConnected)?;
        let graph = |token| Graph {
            http: self.core.http.clone(),
            base: record.graph.clone(),
            token,
        };
        Ok(self
            .core
            .session
            .once_more_if_refused(
                || self.access_token(),
                |token| call(graph(token)),
                GraphError::is_unauthorized,
            )
            .await??)
    }

    /// Asks Microsoft whether the connection still works (`GET /me`) and returns the result.
    pub async fn check(self) -> Result<ConnectionState> {
        let settings = self.core.settings()?;
        let Some(record) = self.core.store.load_connection()? else {
            return Ok(ConnectionState::NotConnected);
        };
        if record.problem.is_some() {
            return Ok(self.state_of(Some(record), &settings));
        }
        let checked = self.as_user(|graph| async move { graph.me().await }).await;
        match checked {
            Ok(_) => self.state(),
            Err(Error::Auth(error @ AuthError::RefreshTokenMissing)) => {
                // Shown to this process only; see `access_token`.
                let mut record = record;
                record.problem = Some((
                    "secret_missing".into(),
                    error.to_string(),
                    self.core.clock.now(),
                ));
                Ok(self.state_of(Some(record), &settings))
            }
            Err(Error::Auth(error)) if error.needs_reconnect() => self.state(),
            Err(error) => Err(error),
        }
    }

    /// Forgets the connection: the refresh token leaves the keychain, the profile the database.
    pub async fn disconnect(self) -> Result<()> {
        self.core
            .secret(|store| store.delete(REFRESH_TOKEN_SECRET))
            .await?;
        self.core.store.delete_connection()?;
        self.core.store.clear_cache()?;
        self.core.session.clear();
        log::info!("disconnected Microsoft Teams");
        Ok(())
    }

    /// The nine permissions, requested versus granted, and the tenant's own records.
    pub async fn permissions(self) -> Result<PermissionReport> {
        let settings = self.core.settings()?;
        let record = self.core.store.load_connection()?;
        let granted: Option<Vec<String>> = record
            .as_ref()
            .map(|r| r.granted_scopes.iter().map(|s| s.to_lowercase()).collect());
        let status = |scope: crate::permissions::PermissionScope| {
            let is_granted = granted
                .as_ref()
                .map(|g| g.contains(&scope.name.to_lowercase()));
            PermissionStatus {
                scope,
                granted: is_granted,
            }
        };
        let permissions: Vec<PermissionStatus> =
            requested_scopes().into_iter().map(status).collect();
        let optional: Vec<PermissionStatus> = crate::permissions::optional_scopes()
            .into_iter()
            .map(status)
            .collect();
        let missing: Vec<String> = permissions
            .iter()
            .filter(|p| p.granted == Some(false))
            .map(|p| p.scope.name.clone())
            .collect();
        let tenant_records = match &record {
            None => TenantRecords::Unavailable {
                reason: "Connect first: the tenant's records are read as the signed-in person."
                    .into(),
            },
            Some(record) if record.problem.is_some() => TenantRecords::Unavailable {
                reason: "Reconnect first: the connection does not work at the moment.".into(),
            },
            Some(record) => self.tenant_records(&record.client_id).await,
        };
        let client_id = record
            .as_ref()
            .map(|r| r.client_id.clone())
            .unwrap_or(settings.client_id.clone());
        Ok(PermissionReport {
            connected: record.as_ref().is_some_and(|r| r.problem.is_none()),
            permissions,
            missing,
            optional,
            tenant_records,
            admin_center_url: admin_center_url(settings.cloud, &client_id),
        })
    }

    async fn tenant_records(self, client_id: &str) -> TenantRecords {
        let principals = self
            .as_user(|graph| async move { graph.service_principals_of(client_id).await })
            .await;
        let principal = match principals {
            Ok(list) => match list.into_iter().next() {
                Some(principal) => principal,
                None => return TenantRecords::Missing,
            },
            Err(Error::Graph(GraphError::Forbidden { .. })) => {
                return TenantRecords::Unavailable {
                    reason: "Reading the tenant's own records of this app needs Application.Read.All and Directory.Read.All with a directory role, which this connection does not have. An administrator can check them in the admin center.".into(),
                };
            }
            Err(error) => {
                return TenantRecords::Unavailable {
                    reason: format!("The tenant's records could not be read: {error}"),
                };
            }
        };
        let id = &principal.id;
        let grants = self
            .as_user(|graph| async move { graph.permission_grants_of(id).await })
            .await;
        let grants = match grants {
            Ok(grants) => grants,
            Err(Error::Graph(GraphError::Forbidden { .. })) => {
                return TenantRecords::Unavailable {
                    reason: "The app's service principal is visible, but its permission grants need Directory.Read.All and a directory role to read.".into(),
                };
            }
            Err(error) => {
                return TenantRecords::Unavailable {
                    reason: format!("The tenant's permission grants could not be read: {error}"),
                };
            }
        };
        let mut records = Vec::new();
        for grant in grants {
            let principal = match &grant.principal_id {
                Some(id) => {
                    let name = self
                        .as_user(|graph| async move { graph.user_name(id).await })
                        .await;
                    Some(name.unwrap_or_else(|_| id.clone()))
                }
                None => None,
            };
            records.push(TenantGrant {
                consent_type: grant.consent_type,
                principal,
                scopes: grant.scope.split_whitespace().map(str::to_string).collect(),
            });
        }
        TenantRecords::Found {
            service_principal_id: principal.id,
            display_name: principal.display_name.unwrap_or_default(),
            grants: records,
        }
    }
}

/// The app's permissions page in the admin center of its cloud (none for a custom cloud).
/// Opens `url` with the browser command (when one is set) or the system browser, and tells
/// the host where the browser was sent and whether it opened.
pub(crate) fn send_browser_to(
    url: &str,
    command: &str,
    open_browser: &(dyn Fn(&str) -> std::result::Result<(), String> + Send + Sync),
    on_waiting: &(dyn Fn(&SignInWaiting) + Send + Sync),
) {
    let browser_problem = if command.trim().is_empty() {
        open_browser(url).err()
    } else {
        launch(command, url).err()
    };
    if let Some(problem) = &browser_problem {
        log::warn!("the browser could not be opened: {problem}");
    }
    on_waiting(&SignInWaiting {
        authorize_url: url.to_string(),
        browser_problem,
    });
}

pub fn admin_center_url(cloud: Cloud, client_id: &str) -> Option<String> {
    let host = match cloud {
        Cloud::Global | Cloud::Gcc => "https://entra.microsoft.com",
        Cloud::GccHigh | Cloud::Dod => "https://portal.azure.us",
        Cloud::China => "https://portal.azure.cn",
        Cloud::Custom => return None,
    };
    (!client_id.is_empty()).then(|| {
        format!(
            "{host}/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Permissions/appId/{client_id}"
        )
    })
}

/// Runs a browser command with the address as its last argument.
pub fn launch(command: &str, url: &str) -> std::result::Result<(), String> {
    let words = shell_words::split(command).map_err(|e| e.to_string())?;
    let (program, args) = words.split_first().ok_or("the browser command is empty")?;
    let mut child = std::process::Command::new(program)
        .args(args)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    // Reap it whenever it ends, so it leaves no zombie behind.
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// What a new connection may do: the token's scopes (short names), and, when only a few
/// permissions were asked for, what the same person granted before. Another person's grants
/// are theirs and never merged in.
fn granted_scopes(
    token_scopes: &[String],
    id_token: bool,
    asked_for_some: bool,
    previous: Option<(&str, &[String])>,
    user_id: &str,
) -> Vec<String> {
    let mut granted: Vec<String> = token_scopes
        .iter()
        .map(|s| short_scope(s).to_string())
        .collect();
    if id_token {
        granted.extend(["openid".to_string(), "profile".to_string()]);
    }
    granted.push("offline_access".into());
    if asked_for_some
        && let Some((_, before)) = previous.filter(|(previous_user, _)| *previous_user == user_id)
    {
        granted.extend(before.iter().cloned());
    }
    granted.sort();
    granted.dedup();
    granted
}

#[cfg(test)]
mod granted_tests {
    use super::granted_scopes;

    #[test]
    fn asking_for_a_few_permissions_keeps_only_the_same_persons_earlier_grants() {
        let before = ["ChannelMessage.Send".to_string(), "User.Read".to_string()];
        let token = ["https://graph.microsoft.com/Chat.Create".to_string()];
        let same = granted_scopes(&token, true, true, Some(("megan", &before)), "megan");
        assert_eq!(
            same,
            [
                "ChannelMessage.Send",
                "Chat.Create",
                "User.Read",
                "offline_access",
                "openid",
                "profile"
            ]
        );
        let other = granted_scopes(&token, true, true, Some(("megan", &before)), "adele");
        assert_eq!(
            other,
            ["Chat.Create", "offline_access", "openid", "profile"]
        );
        let full = granted_scopes(&token, false, false, Some(("megan", &before)), "megan");
        assert_eq!(full, ["Chat.Create", "offline_access"]);
    }
}
