//! Everything the sandbox remembers: the tenant, grants and tokens, what every conversation
//! received, injected faults and the request log. One mutex guards it; every handler is short.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::Value;

use crate::tenant::Tenant;
use crate::throttle::Throttle;

/// Who a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    User(usize),
    App(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Graph,
    BotFramework,
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub client_id: String,
    pub principal: Principal,
    /// Delegated scopes (short names) or application roles.
    pub permissions: HashSet<String>,
    pub audience: Audience,
    pub expires: DateTime<Utc>,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: Option<String>,
    pub challenge_method: String,
    /// The scopes as requested (short or long form), OpenID ones included.
    pub requested: Vec<String>,
    pub user: usize,
    pub nonce: Option<String>,
    pub expires: DateTime<Utc>,
    pub redeemed: bool,
}

#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub client_id: String,
    pub user: usize,
    pub requested: Vec<String>,
    pub last_used: DateTime<Utc>,
    pub revoked: bool,
}

/// A message as a conversation received it, in Graph's chatMessage shape (bot activities are
/// converted when stored).
#[derive(Debug, Clone, Serialize)]
pub struct StoredMessage {
    pub id: String,
    #[serde(rename = "replyToId")]
    pub reply_to: Option<String>,
    /// `graph` (sent as a user) or `bot` (sent by the bot).
    pub via: &'static str,
    pub sender: String,
    pub message: Value,
}

/// A conversation the bot created (personal or channel thread).
#[derive(Debug, Clone)]
pub struct BotConversation {
    /// `chat:<id>` or `channel:<team>/<channel>` — where its messages are stored.
    pub thread: String,
    pub user: Option<usize>,
    pub team: Option<usize>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Fault {
    /// `GET`, `POST`, ... or absent for any method.
    #[serde(default)]
    pub method: Option<String>,
    /// A path pattern: `*` matches one segment, `**` the rest, e.g. `/v1.0/chats/*/messages`.
    pub path: String,
    /// The status to answer with (for `lose_reply: "status"`, the gateway's status).
    #[serde(default = "gateway_timeout")]
    pub status: u16,
    /// Handle the call for real, then lose its reply, so the caller cannot tell that the
    /// work was done (absent: fail the call without handling it).
    #[serde(default)]
    pub lose_reply: Option<LostReply>,
    /// How many matching calls fail (then the fault is gone).
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default)]
    pub retry_after: Option<u64>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// How a reply is lost after the call was handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LostReply {
    /// A gateway answers `status` (504 by default) instead of the real reply.
    Status,
    /// The connection is dropped without any answer.
    Drop,
    /// The real reply comes, but after `late_ms` (longer than the caller waits).
    Late { late_ms: u64 },
}

fn one() -> u32 {
    1
}

fn gateway_timeout() -> u16 {
    504
}

impl Fault {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if let Some(m) = &self.method
            && !m.eq_ignore_ascii_case(method)
        {
            return false;
        }
        let pattern: Vec<&str> = self.path.trim_matches('/').split('/').collect();
        let actual: Vec<&str> = path.trim_matches('/').split('/').collect();
        for (i, part) in pattern.iter().enumerate() {
            match *part {
                "**" => return true,
                "*" if i < actual.len() => {}
                _ if actual.get(i).is_some_and(|a| a == part) => {}
                _ => return false,
            }
        }
        pattern.len() == actual.len()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    pub at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    pub status: u16,
    /// The signed-in UPN, `app:<id>`, or empty. Never a token.
    pub caller: String,
}

pub struct World {
    pub tenant: Tenant,
    pub base_url: String,
    pub codes: HashMap<String, AuthCode>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    pub access_tokens: HashMap<String, AccessToken>,
    /// Per-user delegated consent: (user, client id) → scopes.
    pub user_consents: HashMap<(usize, String), HashSet<String>>,
    /// Tenant-wide delegated consent by an admin: client id → scopes.
    pub admin_consents: HashMap<String, HashSet<String>>,
    /// Application permissions an admin granted: app id → roles.
    pub app_roles: HashMap<String, HashSet<String>>,
    pub mfa_required: HashSet<usize>,
    pub blocked_by_policy: HashSet<usize>,
    pub messages: HashMap<String, Vec<StoredMessage>>,
    pub bot_conversations: HashMap<String, BotConversation>,
    pub faults: Vec<Fault>,
    pub latency: Duration,
    /// Whether the latency comes after the call was handled (a reply lost on the way back).
    pub latency_after: bool,
    pub log: VecDeque<LoggedRequest>,
    pub throttle: Throttle,
    pub clock_offset: chrono::Duration,
    /// Where the Adaptive Cards renderer is served from.
    pub assets_dir: Option<std::path::PathBuf>,
    /// The GitHub stand-in under `/github`.
    pub github: crate::github::GitHubWorld,
    rng: StdRng,
    sequence: u64,
}

const LOG_LIMIT: usize = 50_000;

impl World {
    pub fn new(tenant: Tenant, seed: u64, throttle: bool) -> World {
        World {
            tenant,
            base_url: String::new(),
            codes: HashMap::new(),
            refresh_tokens: HashMap::new(),
            access_tokens: HashMap::new(),
            user_consents: HashMap::new(),
            admin_consents: HashMap::new(),
            app_roles: HashMap::new(),
            mfa_required: HashSet::new(),
            blocked_by_policy: HashSet::new(),
            messages: HashMap::new(),
            bot_conversations: HashMap::new(),
            faults: Vec::new(),
            latency: Duration::ZERO,
            latency_after: false,
            log: VecDeque::new(),
            throttle: Throttle::new(throttle),
            clock_offset: chrono::Duration::zero(),
            assets_dir: None,
            github: crate::github::GitHubWorld::demo(""),
            rng: StdRng::seed_from_u64(seed ^ 0x70_6b_65_6e),
            sequence: 0,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
    }

    /// An unguessable opaque string with a recognisable prefix.
    pub fn token(&mut self, prefix: &str, bytes: usize) -> String {
        let raw: Vec<u8> = (0..bytes).map(|_| self.rng.random()).collect();
        format!(
            "{prefix}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
        )
    }

    pub fn guid(&mut self) -> String {
        let bytes: [u8; 16] = self.rng.random();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-4{}-8{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            &hex[17..20],
            &hex[20..32]
        )
    }

    /// Access tokens live 60 to 90 minutes, randomised as Microsoft does (in seconds).
    pub fn access_token_lifetime(&mut self) -> i64 {
        self.rng.random_range(60..=90) * 60
    }

    /// Message ids are numeric-string timestamps in Graph; a sequence keeps them unique.
    pub fn message_id(&mut self) -> String {
        self.sequence += 1;
        (self.now().timestamp_millis() as u64 * 1000 + self.sequence % 1000).to_string()
    }

    pub fn record(&mut self, entry: LoggedRequest) {
        if self.log.len() >= LOG_LIMIT {
            self.log.pop_front();
        }
        self.log.push_back(entry);
    }

    pub fn take_fault(&mut self, method: &str, path: &str) -> Option<Fault> {
        let index = self.faults.iter().position(|f| f.matches(method, path))?;
        let fault = self.faults[index].clone();
        self.faults[index].count -= 1;
        if self.faults[index].count == 0 {
            self.faults.remove(index);
        }
        Some(fault)
    }

    pub fn caller_name(&self, principal: &Principal) -> String {
        match principal {
            Principal::User(u) => self.tenant.users[*u].upn.clone(),
            Principal::App(id) => format!("app:{id}"),
        }
    }

    /// Ends every grant and token of a user, as an admin's "revoke sessions" does (with
    /// continuous access evaluation, access tokens stop working too).
    pub fn revoke_user(&mut self, user: usize) {
        for token in self.refresh_tokens.values_mut().filter(|t| t.user == user) {
            token.revoked = true;
        }
        for token in self.access_tokens.values_mut() {
            if token.principal == Principal::User(user) {
                token.revoked = true;
            }
        }
        self.user_consents.retain(|(u, _), _| *u != user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(method: Option<&str>, path: &str) -> Fault {
        Fault {
            method: method.map(str::to_string),
            path: path.into(),
            status: 503,
            lose_reply: None,
            count: 2,
            retry_after: None,
            code: None,
            message: None,
        }
    }

    #[test]
    fn fault_patterns_match_segments() {
        let f = fault(Some("POST"), "/v1.0/chats/*/messages");
        assert!(f.matches("post", "/v1.0/chats/19:abc@thread.v2/messages"));
        assert!(!f.matches("GET", "/v1.0/chats/19:abc@thread.v2/messages"));
        assert!(!f.matches("POST", "/v1.0/chats/x/messages/1/replies"));
        assert!(fault(None, "/v1.0/**").matches("GET", "/v1.0/me/joinedTeams"));
        assert!(!fault(None, "/v1.0/me").matches("GET", "/v1.0/me/joinedTeams"));
    }

    #[test]
    fn a_fault_ends_after_its_count() {
        let mut world = World::new(crate::tenant::small(1), 1, true);
        world.faults.push(fault(None, "/v1.0/me"));
        assert!(world.take_fault("GET", "/v1.0/me").is_some());
        assert!(world.take_fault("GET", "/v1.0/me").is_some());
        assert!(world.take_fault("GET", "/v1.0/me").is_none());
    }
}
