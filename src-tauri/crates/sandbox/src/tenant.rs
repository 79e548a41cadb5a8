//! The directory the sandbox serves: people, teams with their channels, existing chats, the
//! applications registered in it and the bot. `small` is for the demo, `large` (100,000 people,
//! 5,000 teams) for load, and any tenant can come from a JSON file ([`TenantSpec`]).

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Membership {
    Standard,
    Private,
    Shared,
}

impl Membership {
    pub fn as_str(self) -> &'static str {
        match self {
            Membership::Standard => "standard",
            Membership::Private => "private",
            Membership::Shared => "shared",
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    pub upn: String,
    pub job_title: String,
    pub admin: bool,
    /// Removed from the directory by fault injection.
    pub removed: bool,
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub membership: Membership,
    /// For private and shared channels: who may see them (user indices).
    pub members: Vec<usize>,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub struct Team {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub members: Vec<usize>,
    pub channels: Vec<Channel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatType {
    OneOnOne,
    Group,
}

impl ChatType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatType::OneOnOne => "oneOnOne",
            ChatType::Group => "group",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Chat {
    pub id: String,
    pub chat_type: ChatType,
    pub topic: Option<String>,
    pub members: Vec<usize>,
}

/// An application registered in the tenant (a public client unless it has a secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppRegistration {
    pub client_id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Exact redirect URIs; `http://localhost` ones match on any port, as in Entra.
    #[serde(default = "default_redirects")]
    pub redirect_uris: Vec<String>,
}

fn default_redirects() -> Vec<String> {
    vec!["http://localhost".to_string()]
}

/// The organisation's bot ("OX Security Alerts"): its app id and secret, and where it is
/// installed.
#[derive(Debug, Clone)]
pub struct Bot {
    pub app_id: String,
    pub secret: String,
    pub name: String,
    /// Teams app catalog id of the published app.
    pub catalog_id: String,
    pub installed_for_users: Vec<usize>,
    pub installed_in_teams: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub domain: String,
    pub users: Vec<User>,
    pub teams: Vec<Team>,
    pub chats: Vec<Chat>,
    /// Empty: any client id is a registered multi-tenant public client.
    pub apps: Vec<AppRegistration>,
    pub bot: Bot,
    by_upn: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
}

impl Tenant {
    fn index(mut self) -> Tenant {
        self.by_upn = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.upn.to_lowercase(), i))
            .collect();
        self.by_id = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
        self
    }

    /// A user by object id or UPN (case-insensitive), as Graph accepts either.
    pub fn find_user(&self, key: &str) -> Option<usize> {
        self.by_id
            .get(key)
            .or_else(|| self.by_upn.get(&key.to_lowercase()))
            .copied()
            .filter(|&i| !self.users[i].removed)
    }

    /// Whether a tenant segment of an identity URL names this tenant.
    pub fn matches_segment(&self, segment: &str) -> bool {
        let segment = segment.to_lowercase();
        segment == "organizations"
            || segment == "common"
            || segment == self.id
            || segment == self.domain
    }

    pub fn admin(&self) -> usize {
        self.users.iter().position(|u| u.admin).unwrap_or(0)
    }
}

// ---------------------------------------------------------------------------------------------
// Tenant files

/// A tenant as written in a JSON file (`--tenant FILE.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantSpec {
    pub name: String,
    pub domain: String,
    #[serde(default)]
    pub id: Option<String>,
    pub users: Vec<UserSpec>,
    #[serde(default)]
    pub teams: Vec<TeamSpec>,
    #[serde(default)]
    pub chats: Vec<ChatSpec>,
    #[serde(default)]
    pub apps: Vec<AppRegistration>,
    #[serde(default)]
    pub bot: Option<BotSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserSpec {
    pub name: String,
    /// Defaults to `first.last@domain`.
    #[serde(default)]
    pub upn: Option<String>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub admin: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// UPNs.
    pub members: Vec<String>,
    #[serde(default)]
    pub channels: Vec<ChannelSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChannelSpec {
    pub name: String,
    #[serde(default = "standard")]
    pub membership: Membership,
    #[serde(default)]
    pub description: String,
    /// UPNs, for private and shared channels.
    #[serde(default)]
    pub members: Vec<String>,
}

fn standard() -> Membership {
    Membership::Standard
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChatSpec {
    #[serde(default)]
    pub topic: Option<String>,
    /// UPNs; two make a one-on-one chat.
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BotSpec {
    pub app_id: String,
    pub secret: String,
    #[serde(default = "bot_name")]
    pub name: String,
    /// UPNs the app is installed for.
    #[serde(default)]
    pub installed_for: Vec<String>,
    /// Team names the app is installed in.
    #[serde(default)]
    pub installed_in_teams: Vec<String>,
}

fn bot_name() -> String {
    "OX Security Alerts".to_string()
}

/// The bot credentials used when the tenant names none. They are the sandbox's own, printed at
/// start-up, and mean nothing anywhere else.
pub const DEFAULT_BOT_APP_ID: &str = "b07a1e47-0000-4000-8000-00000000b075";
pub const DEFAULT_BOT_SECRET: &str = "sandbox-bot-secret";

#[derive(Debug)]
pub struct SpecError(pub String);

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TenantSpec {
    pub fn build(&self, seed: u64) -> Result<Tenant, SpecError> {
        let mut ids = Ids::new(seed);
        let domain = self.domain.to_lowercase();
        let users: Vec<User> = self
            .users
            .iter()
            .map(|spec| {
                let (given, surname) = split_name(&spec.name);
                let upn = spec.upn.clone().unwrap_or_else(|| {
                    format!(
                        "{}.{}@{domain}",
                        given.to_lowercase(),
                        surname.to_lowercase()
                    )
                    .replace(' ', "")
                });
                User {
                    id: ids.guid(),
                    display_name: spec.name.clone(),
                    given_name: given,
                    surname,
                    upn,
                    job_title: spec.job_title.clone().unwrap_or_default(),
                    admin: spec.admin,
                    removed: false,
                }
            })
            .collect();
        if !users.iter().any(|u| u.admin) {
            return Err(SpecError(
                "the tenant needs one user with \"admin\": true".into(),
            ));
        }
        let lookup = |upn: &str| {
            users
                .iter()
                .position(|u| u.upn.eq_ignore_ascii_case(upn))
                .ok_or_else(|| SpecError(format!("no user with UPN {upn}")))
        };
        let lookup_all = |upns: &[String]| {
            upns.iter()
                .map(|u| lookup(u))
                .collect::<Result<Vec<_>, _>>()
        };
        let mut teams = Vec::new();
        for spec in &self.teams {
            let members = lookup_all(&spec.members)?;
            let mut channels = vec![Channel {
                id: ids.thread("tacv2"),
                display_name: "General".into(),
                description: String::new(),
                membership: Membership::Standard,
                members: Vec::new(),
                deleted: false,
            }];
            for channel in &spec.channels {
                channels.push(Channel {
                    id: ids.thread("tacv2"),
                    display_name: channel.name.clone(),
                    description: channel.description.clone(),
                    membership: channel.membership,
                    members: lookup_all(&channel.members)?,
                    deleted: false,
                });
            }
            teams.push(Team {
                id: ids.guid(),
                display_name: spec.name.clone(),
                description: spec.description.clone(),
                members,
                channels,
            });
        }
        let mut chats = Vec::new();
        for spec in &self.chats {
            let members = lookup_all(&spec.members)?;
            chats.push(new_chat(&users, &mut ids, members, spec.topic.clone()));
        }
        let bot = match &self.bot {
            Some(bot) => Bot {
                app_id: bot.app_id.clone(),
                secret: bot.secret.clone(),
                name: bot.name.clone(),
                catalog_id: ids.guid(),
                installed_for_users: lookup_all(&bot.installed_for)?,
                installed_in_teams: bot
                    .installed_in_teams
                    .iter()
                    .map(|name| {
                        teams
                            .iter()
                            .position(|t: &Team| &t.display_name == name)
                            .ok_or_else(|| SpecError(format!("no team named {name}")))
                    })
                    .collect::<Result<_, _>>()?,
            },
            None => Bot {
                app_id: DEFAULT_BOT_APP_ID.into(),
                secret: DEFAULT_BOT_SECRET.into(),
                name: bot_name(),
                catalog_id: ids.guid(),
                installed_for_users: (0..users.len()).collect(),
                installed_in_teams: (0..teams.len()).collect(),
            },
        };
        Ok(Tenant {
            id: self.id.clone().unwrap_or_else(|| ids.guid()),
            name: self.name.clone(),
            domain,
            users,
            teams,
            chats,
            apps: self.apps.clone(),
            bot,
            by_upn: HashMap::new(),
            by_id: HashMap::new(),
        }
        .index())
    }
}

fn new_chat(users: &[User], ids: &mut Ids, members: Vec<usize>, topic: Option<String>) -> Chat {
    if members.len() == 2 {
        let mut pair = [users[members[0]].id.clone(), users[members[1]].id.clone()];
        pair.sort();
        Chat {
            id: format!("19:{}_{}@unq.gbl.spaces", pair[0], pair[1]),
            chat_type: ChatType::OneOnOne,
            topic: None,
            members,
        }
    } else {
        Chat {
            id: ids.thread("v2"),
            chat_type: ChatType::Group,
            topic,
            members,
        }
    }
}

fn split_name(name: &str) -> (String, String) {
    match name.split_once(' ') {
        Some((given, surname)) => (given.to_string(), surname.to_string()),
        None => (name.to_string(), String::new()),
    }
}

/// Deterministic identifiers from the seed.
struct Ids(StdRng);

impl Ids {
    fn new(seed: u64) -> Self {
        Ids(StdRng::seed_from_u64(seed))
    }

    fn guid(&mut self) -> String {
        let bytes: [u8; 16] = self.0.random();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-4{}-a{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            &hex[17..20],
            &hex[20..32]
        )
    }

    fn thread(&mut self, suffix: &str) -> String {
        let bytes: [u8; 16] = self.0.random();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("19:{hex}@thread.{suffix}")
    }
}

// ---------------------------------------------------------------------------------------------
// Built-in tenants

/// The demo tenant, written as a tenant file: the same format `--tenant FILE.json` reads.
const SMALL: &str = include_str!("../tenants/small.json");

/// A few dozen people at Contoso, their security and engineering teams, and some chats. The bot
/// is installed for all but the last two people: the demo shows what an incomplete rollout
/// looks like.
pub fn small(seed: u64) -> Tenant {
    small_spec().build(seed).expect("the small tenant is valid")
}

fn small_spec() -> TenantSpec {
    serde_json::from_str(SMALL).expect("tenants/small.json is a tenant file")
}

const FIRST: &[&str] = &[
    "Ada", "Aiko", "Alan", "Amara", "Ana", "Andre", "Anika", "Arjun", "Astrid", "Ben", "Bianca",
    "Carlos", "Chen", "Chloe", "Dana", "Daniel", "Dario", "Elena", "Eli", "Emma", "Farah", "Felix",
    "Fatima", "Gabriel", "Grace", "Hana", "Hugo", "Ibrahim", "Ines", "Ivan", "Jade", "James",
    "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leo", "Lina", "Luca", "Maya", "Mateo", "Mei",
    "Mila", "Nadia", "Noah", "Nora", "Oliver", "Olga", "Omar", "Paula", "Pedro", "Priya", "Rafael",
    "Rosa", "Sam", "Sara", "Sven", "Tariq", "Tessa", "Theo", "Uma", "Victor", "Wen", "Yara", "Zoe",
];
const LAST: &[&str] = &[
    "Abe", "Adler", "Alvarez", "Andersen", "Baker", "Becker", "Bianchi", "Brown", "Castro", "Chen",
    "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Gupta", "Haddad", "Hansen", "Ito",
    "Jensen", "Kaur", "Khan", "Kim", "Kowalski", "Larsen", "Lee", "Lopez", "Martin", "Meyer",
    "Moreau", "Müller", "Nakamura", "Novak", "Okafor", "Olsen", "Patel", "Perez", "Petrov",
    "Quinn", "Rossi", "Santos", "Sato", "Schmidt", "Silva", "Singh", "Smith", "Tanaka", "Torres",
    "Weber", "Wong",
];
const JOBS: &[&str] = &[
    "Software Engineer",
    "Security Engineer",
    "SRE",
    "Product Manager",
    "Data Scientist",
    "SOC Analyst",
    "DevOps Engineer",
    "Engineering Manager",
    "QA Engineer",
    "Architect",
];
const ADJECTIVES: &[&str] = &[
    "Blue", "Swift", "Quiet", "Bright", "Northern", "Iron", "Silver", "Rapid", "Golden", "Hidden",
];
const NOUNS: &[&str] = &[
    "Falcon", "Harbor", "Summit", "Orchid", "Beacon", "Canyon", "Meadow", "Comet", "Forge", "Delta",
];

/// 100,000 people and 5,000 teams (by default), the same for the same seed.
pub fn large(seed: u64, people: usize, team_count: usize) -> Tenant {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let mut ids = Ids::new(seed);
    let domain = "fabrikam.onmicrosoft.com".to_string();
    let users: Vec<User> = (0..people)
        .map(|n| {
            let given = FIRST[n % FIRST.len()];
            let surname = LAST[(n / FIRST.len()) % LAST.len()];
            let round = n / (FIRST.len() * LAST.len());
            let suffix = if round == 0 {
                String::new()
            } else {
                round.to_string()
            };
            User {
                id: ids.guid(),
                display_name: format!("{given} {surname}"),
                given_name: given.to_string(),
                surname: surname.to_string(),
                upn: format!("{}.{}{suffix}@{domain}", ascii(given), ascii(surname)),
                job_title: JOBS[n % JOBS.len()].to_string(),
                admin: n == 0,
                removed: false,
            }
        })
        .collect();
    // The first ten people belong to many teams, so a picker has plenty to show.
    let busy: Vec<usize> = (0..people.min(10)).collect();
    let teams: Vec<Team> = (0..team_count)
        .map(|t| {
            let size = rng.random_range(8..40);
            let mut members: Vec<usize> = (0..size).map(|_| rng.random_range(0..people)).collect();
            for &b in &busy {
                if t % (b + 2) == 0 {
                    members.push(b);
                }
            }
            members.sort_unstable();
            members.dedup();
            let mut channels = vec![Channel {
                id: ids.thread("tacv2"),
                display_name: "General".into(),
                description: String::new(),
                membership: Membership::Standard,
                members: Vec::new(),
                deleted: false,
            }];
            for c in 0..rng.random_range(1..5) {
                let membership = match rng.random_range(0..10) {
                    0..=1 => Membership::Private,
                    2 => Membership::Shared,
                    _ => Membership::Standard,
                };
                let inner = if membership == Membership::Standard {
                    Vec::new()
                } else {
                    members
                        .choose_multiple(&mut rng, members.len().min(5))
                        .copied()
                        .collect()
                };
                channels.push(Channel {
                    id: ids.thread("tacv2"),
                    display_name: format!(
                        "{} {}",
                        ["Alerts", "Builds", "Triage", "Releases", "Ops"][c % 5],
                        t
                    ),
                    description: String::new(),
                    membership,
                    members: inner,
                    deleted: false,
                });
            }
            Team {
                id: ids.guid(),
                display_name: format!(
                    "{} {} {:04}",
                    ADJECTIVES[t % ADJECTIVES.len()],
                    NOUNS[(t / ADJECTIVES.len()) % NOUNS.len()],
                    t
                ),
                description: String::new(),
                members,
                channels,
            }
        })
        .collect();
    let chats = (1..people.min(20))
        .map(|other| new_chat(&users, &mut ids, vec![0, other], None))
        .collect();
    let bot = Bot {
        app_id: DEFAULT_BOT_APP_ID.into(),
        secret: DEFAULT_BOT_SECRET.into(),
        name: bot_name(),
        catalog_id: ids.guid(),
        installed_for_users: (0..people).collect(),
        installed_in_teams: (0..team_count).collect(),
    };
    Tenant {
        id: ids.guid(),
        name: "Fabrikam".into(),
        domain,
        users,
        teams,
        chats,
        apps: Vec::new(),
        bot,
        by_upn: HashMap::new(),
        by_id: HashMap::new(),
    }
    .index()
}

fn ascii(text: &str) -> String {
    text.to_lowercase().replace('ü', "u")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_tenant() {
        let (a, b) = (small(7), small(7));
        assert_eq!(a.id, b.id);
        assert_eq!(a.users[3].id, b.users[3].id);
        assert_ne!(small(8).users[3].id, a.users[3].id);
        let (x, y) = (large(1, 2_000, 50), large(1, 2_000, 50));
        assert_eq!(x.teams[10].channels[0].id, y.teams[10].channels[0].id);
        assert_eq!(x.teams[10].members, y.teams[10].members);
    }

    #[test]
    fn the_embedded_small_tenant_loads_with_its_people_teams_channels_and_chats() {
        let spec = small_spec();
        assert_eq!(spec.name, "Contoso");
        assert_eq!(spec.users.len(), 30);
        assert_eq!(spec.teams.len(), 5);
        let channels: Vec<usize> = spec.teams.iter().map(|t| t.channels.len()).collect();
        assert_eq!(channels, [4, 3, 3, 1, 0]);
        assert_eq!(spec.chats.len(), 5);
        let t = small(1);
        assert_eq!(t.users.len(), 30);
        assert_eq!(
            t.teams.iter().map(|t| t.channels.len()).sum::<usize>(),
            16,
            "every team also has its General channel"
        );
        let one_on_one = t.chats.iter().filter(|c| c.chat_type == ChatType::OneOnOne);
        assert_eq!(one_on_one.count(), 3);
        assert_eq!(t.bot.app_id, DEFAULT_BOT_APP_ID);
        assert_eq!(t.bot.secret, DEFAULT_BOT_SECRET);
        assert_eq!(t.bot.name, bot_name());
        assert_eq!(t.bot.installed_for_users, (0..28).collect::<Vec<_>>());
        assert_eq!(t.bot.installed_in_teams, [0, 1, 2]);
        assert_eq!(t.users[27].upn, "tomas.rivera@contoso.onmicrosoft.com");
    }

    #[test]
    fn small_has_one_admin_private_and_shared_channels_and_chats() {
        let t = small(1);
        assert_eq!(t.users.iter().filter(|u| u.admin).count(), 1);
        assert!(t.users.len() >= 24);
        let kinds: Vec<Membership> = t
            .teams
            .iter()
            .flat_map(|team| team.channels.iter().map(|c| c.membership))
            .collect();
        assert!(kinds.contains(&Membership::Private) && kinds.contains(&Membership::Shared));
        assert!(t.chats.iter().any(|c| c.chat_type == ChatType::Group));
        assert_eq!(t.find_user("MEGAN.BOWEN@contoso.onmicrosoft.com"), Some(0));
        assert_eq!(t.find_user(&t.users[2].id), Some(2));
    }

    #[test]
    fn large_upns_are_unique() {
        let t = large(3, 100_000, 10);
        let mut upns: Vec<&str> = t.users.iter().map(|u| u.upn.as_str()).collect();
        upns.sort_unstable();
        upns.dedup();
        assert_eq!(upns.len(), 100_000);
    }
}
