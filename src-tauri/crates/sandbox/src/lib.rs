//! `ox-teams-sandbox`: a stateful, strict stand-in for Entra ID sign-in, Microsoft Graph v1.0
//! and the Bot Connector on 127.0.0.1, for tests and the demo. Every fact it imitates comes
//! from Microsoft's documentation on learn.microsoft.com, which each module cites; where
//! Microsoft's behaviour is unknown it errs on the strict side.
//!
//! Identity lives under `/{tenant}/`, Graph under `/v1.0/`, the Bot Connector under `/v3/`
//! (the root is the bot's service URL) and the sandbox's own controls under `/_sandbox/`.

// Handlers return early with a finished `Response` as their error; boxing it would buy nothing.
#![allow(clippy::result_large_err)]

pub mod bot;
pub mod control;
pub mod github;
pub mod graph;
pub mod identity;
pub mod scopes;
pub mod tenant;
pub mod throttle;
pub mod tls;
pub mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::Mutex;

use crate::tenant::Tenant;
use crate::world::{LoggedRequest, World};

pub type Shared = Arc<Mutex<World>>;

pub struct SandboxOptions {
    pub tenant: Tenant,
    pub seed: u64,
    /// Enforce Microsoft's rate limits (on by default).
    pub throttling: bool,
    /// Where `adaptivecards.min.js` is, for the people page.
    pub assets_dir: Option<PathBuf>,
}

impl SandboxOptions {
    pub fn new(tenant: Tenant) -> Self {
        SandboxOptions {
            tenant,
            seed: 1,
            throttling: true,
            assets_dir: default_assets_dir(),
        }
    }
}

/// The renderer from the UI's npm dependencies, when this is a checkout of the project.
pub fn default_assets_dir() -> Option<PathBuf> {
    std::env::var_os("OX_TEAMS_SANDBOX_ASSETS")
        .map(PathBuf::from)
        .or_else(|| {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../ui/node_modules/adaptivecards/dist");
            dir.is_dir().then_some(dir)
        })
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    url: String,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Sandbox {
    /// Starts on 127.0.0.1:`port` (0 for any free port).
    pub async fn start(options: SandboxOptions, port: u16) -> std::io::Result<Sandbox> {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Self::world_at(options, &url);
        let app = router(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the sandbox serves");
        });
        Ok(Sandbox { url, shared, task })
    }

    /// Starts on a free port of 127.0.0.1, over HTTPS with `identity`'s certificate: a
    /// private cloud whose certificate authority only the client's trust store can vouch for.
    pub async fn start_tls(
        options: SandboxOptions,
        identity: &tls::TlsIdentity,
    ) -> std::io::Result<Sandbox> {
        let tcp = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("https://{}", tcp.local_addr()?);
        let (listener, accept_loop) = tls::TlsListener::new(tcp, identity)?;
        let shared = Self::world_at(options, &url);
        let app = router(shared.clone());
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app);
            tokio::select! {
                served = serve => served.expect("the sandbox serves"),
                () = accept_loop => {}
            }
        });
        Ok(Sandbox { url, shared, task })
    }

    fn world_at(options: SandboxOptions, url: &str) -> Shared {
        let mut world = World::new(options.tenant, options.seed, options.throttling);
        world.base_url = url.to_string();
        world.assets_dir = options.assets_dir;
        Arc::new(Mutex::new(world))
    }

    /// `http://127.0.0.1:PORT`, the base of every cloud URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The sandbox's state, for tests that look inside.
    pub fn world(&self) -> &Shared {
        &self.shared
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// All routes over one shared state.
pub fn router(shared: Shared) -> Router {
    let microsoft = Router::new()
        // Entra ID
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(identity::authorize_page).post(identity::authorize_submit),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(identity::token))
        .route(
            "/{tenant}/v2.0/adminconsent",
            get(identity::admin_consent_page).post(identity::admin_consent_submit),
        )
        // Graph v1.0
        .route("/v1.0/me", get(graph::me))
        .route("/v1.0/me/joinedTeams", get(graph::joined_teams))
        .route("/v1.0/me/chats", get(graph::my_chats))
        .route("/v1.0/chats", get(graph::my_chats).post(graph::create_chat))
        .route("/v1.0/chats/{chat_id}", get(graph::chat))
        .route(
            "/v1.0/chats/{chat_id}/messages",
            get(graph::list_chat_messages).post(graph::post_chat_message),
        )
        .route(
            "/v1.0/chats/{chat_id}/messages/{message_id}",
            axum::routing::patch(graph::update_chat_message),
        )
        .route("/v1.0/users", get(graph::users))
        .route("/v1.0/users/{id}", get(graph::user))
        .route(
            "/v1.0/users/{id}/joinedTeams",
            get(graph::user_joined_teams),
        )
        .route(
            "/v1.0/users/{id}/teamwork/installedApps",
            get(graph::user_installed_apps),
        )
        .route("/v1.0/teams", get(graph::all_teams))
        .route("/v1.0/teams/{team_id}/channels", get(graph::channels))
        .route(
            "/v1.0/teams/{team_id}/channels/{channel_id}",
            get(graph::channel),
        )
        .route(
            "/v1.0/teams/{team_id}/channels/{channel_id}/messages",
            post(graph::post_channel_message),
        )
        .route(
            "/v1.0/teams/{team_id}/channels/{channel_id}/messages/{message_id}",
            get(graph::get_channel_message),
        )
        .route(
            "/v1.0/teams/{team_id}/channels/{channel_id}/messages/{message_id}/replies",
            post(graph::post_channel_reply),
        )
        .route(
            "/v1.0/teams/{team_id}/installedApps",
            get(graph::team_installed_apps),
        )
        .route("/v1.0/appCatalogs/teamsApps", get(graph::catalog_apps))
        .route("/v1.0/servicePrincipals", get(graph::service_principals))
        .route(
            "/v1.0/oauth2PermissionGrants",
            get(graph::permission_grants),
        )
        .route("/v1.0/$batch", post(graph::batch))
        // Bot Connector v3
        .route("/v3/conversations", post(bot::create_conversation))
        .route(
            "/v3/conversations/{conversation_id}/activities",
            post(bot::send_activity),
        )
        .route(
            "/v3/conversations/{conversation_id}/activities/{activity_id}",
            post(bot::reply_to_activity).put(bot::update_activity),
        )
        // GitHub REST (logged like the Microsoft APIs)
        .merge(github::api_routes())
        .fallback(unknown_route)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            faults_latency_and_log,
        ));

    let sandbox = Router::new()
        .route("/_sandbox", get(control::people_page))
        .route("/_sandbox/", get(control::people_page))
        .route("/_sandbox/health", get(control::health))
        .route("/_sandbox/tenant", get(control::tenant))
        .route("/_sandbox/messages", get(control::messages))
        .route(
            "/_sandbox/requests",
            get(control::requests).delete(control::clear_requests),
        )
        .route(
            "/_sandbox/faults",
            get(control::faults)
                .post(control::add_fault)
                .delete(control::clear_faults),
        )
        .route(
            "/_sandbox/messages/{message_id}",
            axum::routing::delete(control::delete_message),
        )
        .route(
            "/_sandbox/messages/{message_id}/reactions",
            post(control::react),
        )
        .route(
            "/_sandbox/messages/{message_id}/replies",
            post(control::answer),
        )
        .route("/_sandbox/latency", post(control::latency))
        .route("/_sandbox/throttling", post(control::throttling))
        .route("/_sandbox/clock", post(control::advance_clock))
        .route("/_sandbox/users/{key}/{action}", post(control::user_action))
        .route(
            "/_sandbox/teams/{team_id}/{action}",
            post(control::team_action),
        )
        .route(
            "/_sandbox/teams/{team_id}/channels/{channel_id}",
            axum::routing::delete(control::delete_channel),
        )
        .route("/_sandbox/assets/{name}", get(control::asset))
        .merge(github::control_routes());

    sandbox.merge(microsoft).with_state(shared)
}

async fn unknown_route(State(shared): State<Shared>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let mut world = shared.lock().await;
    if path.starts_with("/v1.0/") {
        let message = format!(
            "Resource not found for the segment '{}'.",
            path.rsplit('/').next().unwrap_or_default()
        );
        return graph::graph_error(&mut world, StatusCode::BAD_REQUEST, "BadRequest", &message);
    }
    (StatusCode::NOT_FOUND, "Not found").into_response()
}

/// Injected latency and faults first, then the handler; every call is logged (without tokens).
async fn faults_latency_and_log(
    State(shared): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let shown = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let (latency, after, fault) = {
        let mut world = shared.lock().await;
        (
            world.latency,
            world.latency_after,
            world.take_fault(&method, &path),
        )
    };
    if !latency.is_zero() && !after {
        tokio::time::sleep(latency).await;
    }
    let response = match fault {
        Some(fault) => match fault.lose_reply {
            None => {
                let mut world = shared.lock().await;
                fault_response(&mut world, &path, &fault)
            }
            Some(lost) => {
                let handled = next.run(request).await;
                match lost {
                    world::LostReply::Status => {
                        let mut world = shared.lock().await;
                        fault_response(&mut world, &path, &fault)
                    }
                    world::LostReply::Late { late_ms } => {
                        tokio::time::sleep(Duration::from_millis(late_ms)).await;
                        handled
                    }
                    // Unwinding ends the connection's task, so the socket closes without an
                    // answer; `resume_unwind` skips the panic hook, so nothing is printed.
                    world::LostReply::Drop => std::panic::resume_unwind(Box::new(
                        "sandbox: connection dropped after handling the call",
                    )),
                }
            }
        },
        None => next.run(request).await,
    };
    if !latency.is_zero() && after {
        tokio::time::sleep(latency).await;
    }
    let mut world = shared.lock().await;
    let caller = token
        .and_then(|t| world.access_tokens.get(&t).map(|g| g.principal.clone()))
        .map(|p| world.caller_name(&p))
        .unwrap_or_default();
    let entry = LoggedRequest {
        at: world.now(),
        method,
        path: shown,
        status: response.status().as_u16(),
        caller,
    };
    world.record(entry);
    response
}

fn fault_response(world: &mut World, path: &str, fault: &world::Fault) -> Response {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let default_code = match fault.status {
        429 => "TooManyRequests",
        503 => "ServiceNotAvailable",
        504 => "GatewayTimeout",
        401 => "InvalidAuthenticationToken",
        403 => "Forbidden",
        404 => "NotFound",
        _ => "InternalServerError",
    };
    let code = fault
        .code
        .clone()
        .unwrap_or_else(|| default_code.to_string());
    let message = fault
        .message
        .clone()
        .unwrap_or_else(|| "Injected by the sandbox.".to_string());
    let mut response = if path.starts_with("/v1.0") {
        graph::graph_error(world, status, &code, &message)
    } else if path.starts_with("/github/") {
        (
            status,
            axum::Json(github::error_body(
                status,
                &message,
                "https://docs.github.com/rest",
            )),
        )
            .into_response()
    } else if path.starts_with("/v3") {
        (
            status,
            axum::Json(serde_json::json!({ "error": { "code": code, "message": message } })),
        )
            .into_response()
    } else {
        let error = if fault.status >= 500 {
            "temporarily_unavailable"
        } else {
            "invalid_request"
        };
        identity::aad_error(world, status, error, 50196, &message)
    };
    if let Some(seconds) = fault.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, seconds.into());
    }
    response
}
