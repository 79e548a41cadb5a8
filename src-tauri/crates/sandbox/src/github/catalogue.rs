//! What alerts are made of: CodeQL rules (<https://codeql.github.com/codeql-query-help/>),
//! real GitHub advisories (<https://github.com/advisories>) and secret scanning's secret types
//! (<https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns>).
//! Every secret is a fake. The security severities of the rules are the demo's, chosen to show
//! every level.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// A CodeQL rule, as the alert's `rule` summary shows it.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    /// `none`, `note`, `warning` or `error`.
    pub severity: String,
    /// `low`, `medium`, `high` or `critical`.
    pub security_severity_level: Option<String>,
    pub description: String,
    pub tags: Vec<String>,
    /// `javascript` or `python`: the analysis category and the files it finds.
    pub language: String,
    /// The alert's message.
    pub message: String,
}

/// A GitHub security advisory and the package range it affects.
#[derive(Debug, Clone)]
pub struct Advisory {
    pub ghsa_id: String,
    pub cve_id: Option<String>,
    pub summary: String,
    pub description: String,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    pub cvss_score: f64,
    pub cvss_vector: Option<String>,
    pub cwes: Vec<(String, String)>,
    pub ecosystem: String,
    pub package: String,
    pub vulnerable_version_range: String,
    pub first_patched_version: Option<String>,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A secret scanning pattern.
#[derive(Debug, Clone)]
pub struct SecretKind {
    pub secret_type: String,
    pub display_name: String,
    pub provider: String,
    pub provider_slug: String,
    /// The fake secret's prefix and the length of its random tail.
    pub prefix: String,
    pub tail: usize,
}

/// Noon UTC of a `YYYY-MM-DD` date.
pub fn date(text: &str) -> DateTime<Utc> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .expect("a valid date")
        .and_hms_opt(12, 0, 0)
        .expect("noon")
        .and_utc()
}

/// id | severity | security severity | description | CWE tags | message
const RULES: &str = "\
js/sql-injection|error|high|Database query built from user-controlled sources|external/cwe/cwe-089|This query string depends on a user-provided value.
js/xss|error|medium|Client-side cross-site scripting|external/cwe/cwe-079 external/cwe/cwe-116|Cross-site scripting vulnerability due to a user-provided value.
js/path-injection|error|high|Uncontrolled data used in path expression|external/cwe/cwe-022 external/cwe/cwe-023 external/cwe/cwe-036 external/cwe/cwe-073 external/cwe/cwe-099|This path depends on a user-provided value.
js/code-injection|error|critical|Code injection|external/cwe/cwe-094 external/cwe/cwe-095 external/cwe/cwe-079 external/cwe/cwe-116|This code execution depends on a user-provided value.
js/insecure-randomness|warning|high|Insecure randomness|external/cwe/cwe-338|This uses a cryptographically insecure random number generated at Math.random() in a security context.
js/missing-rate-limiting|warning|high|Missing rate limiting|external/cwe/cwe-770 external/cwe/cwe-307 external/cwe/cwe-400|This route handler performs a database access, but is not rate-limited.
js/log-injection|error|low|Log injection|external/cwe/cwe-117|Log entry depends on a user-provided value.
py/sql-injection|error|high|SQL query built from user-controlled sources|external/cwe/cwe-089|This SQL query depends on a user-provided value.
py/path-injection|error|high|Uncontrolled data used in path expression|external/cwe/cwe-022 external/cwe/cwe-023 external/cwe/cwe-036 external/cwe/cwe-073 external/cwe/cwe-099|This path depends on a user-provided value.
py/command-line-injection|error|critical|Uncontrolled command line|external/cwe/cwe-078 external/cwe/cwe-088|This command line depends on a user-provided value.
py/flask-debug|error|high|Flask app is run in debug mode|external/cwe/cwe-215 external/cwe/cwe-489|A Flask app appears to be run in debug mode. This may allow an attacker to run arbitrary code through the debugger.
py/stack-trace-exposure|error|medium|Information exposure through an exception|external/cwe/cwe-209 external/cwe/cwe-497|Stack trace information flows to this location and may be exposed to an external user.
py/log-injection|error|low|Log Injection|external/cwe/cwe-117|This log entry depends on a user-provided value.";

/// GHSA | CVE | summary | severity | CVSS score | CVSS vector | CWE | CWE name | ecosystem |
/// package | vulnerable range | first patched | published
const ADVISORIES: &str = "\
GHSA-p6mc-m468-83gw|CVE-2020-8203|Prototype Pollution in lodash|high|7.4|CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H|CWE-1321|Improperly Controlled Modification of Object Prototype Attributes ('Prototype Pollution')|npm|lodash|>= 3.7.0, < 4.17.19|4.17.19|2020-07-15
GHSA-35jh-r3h4-6jhm|CVE-2021-23337|Command Injection in lodash|high|7.2|CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H|CWE-94|Improper Control of Generation of Code ('Code Injection')|npm|lodash|< 4.17.21|4.17.21|2021-05-06
GHSA-xvch-5gv4-984h|CVE-2021-44906|Prototype Pollution in minimist|critical|9.8|CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H|CWE-1321|Improperly Controlled Modification of Object Prototype Attributes ('Prototype Pollution')|npm|minimist|< 0.2.4|0.2.4|2022-03-18
GHSA-wf5p-g6vw-rhxx|CVE-2023-45857|Axios Cross-Site Request Forgery Vulnerability|medium|6.5|CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N|CWE-352|Cross-Site Request Forgery (CSRF)|npm|axios|>= 0.8.1, < 0.28.0|0.28.0|2023-11-08
GHSA-c2qf-rxjj-qqgw|CVE-2022-25883|semver vulnerable to Regular Expression Denial of Service|medium|5.3|CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L|CWE-1333|Inefficient Regular Expression Complexity|npm|semver|>= 7.0.0, < 7.5.2|7.5.2|2023-06-21
GHSA-pxg6-pf52-xh8x|CVE-2024-47764|cookie accepts cookie name, path, and domain with out of bounds characters|low|0||CWE-74|Improper Neutralization of Special Elements in Output Used by a Downstream Component ('Injection')|npm|cookie|< 0.7.0|0.7.0|2024-10-04
GHSA-j8r2-6x86-q33q|CVE-2023-32681|Unintended leak of Proxy-Authorization header in requests|medium|6.1|CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N|CWE-200|Exposure of Sensitive Information to an Unauthorized Actor|pip|requests|>= 2.3.0, < 2.31.0|2.31.0|2023-05-22
GHSA-9wx4-h78v-vm56|CVE-2024-35195|Requests `Session` object does not verify requests after making first request with verify=False|medium|5.6|CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N|CWE-670|Always-Incorrect Control Flow Implementation|pip|requests|< 2.32.0|2.32.0|2024-05-20
GHSA-8q59-q68h-6hv4|CVE-2020-14343|Improper Input Validation in PyYAML|critical|9.8|CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H|CWE-20|Improper Input Validation|pip|pyyaml|< 5.4|5.4|2021-03-25
GHSA-rf4j-j272-fj86|CVE-2018-6188|Django allows remote attackers to obtain potentially sensitive information by leveraging data exposure from the confirm_login_allowed() method|high|7.5|CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N|CWE-200|Exposure of Sensitive Information to an Unauthorized Actor|pip|django|>= 2.0.0, < 2.0.2|2.0.2|2018-10-03";

/// type | display name | provider | provider slug | fake prefix | random tail length
const SECRETS: &str = "\
github_personal_access_token|GitHub Personal Access Token|GitHub|github|ghp_FAKE|32
aws_access_key_id|Amazon AWS Access Key ID|Amazon AWS|aws|AKIAFAKE|12
slack_api_token|Slack API Token|Slack|slack|xoxb-FAKE-|40
stripe_api_key|Stripe API Key|Stripe|stripe|sk_live_FAKE|24
azure_storage_account_key|Azure Storage Account Access Key|Azure|azure|FAKE|84";

fn rows(table: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    table.lines().map(|line| line.split('|').collect())
}

/// The rules, advisories and secret types alerts are made from.
pub struct Catalogue {
    pub rules: Vec<Arc<Rule>>,
    pub advisories: Vec<Arc<Advisory>>,
    pub secrets: Vec<Arc<SecretKind>>,
}

impl Default for Catalogue {
    fn default() -> Catalogue {
        Catalogue::new()
    }
}

impl Catalogue {
    pub fn new() -> Catalogue {
        let rules = rows(RULES)
            .map(|row| {
                let id = row[0];
                Arc::new(Rule {
                    id: id.into(),
                    severity: row[1].into(),
                    security_severity_level: Some(row[2].into()),
                    description: row[3].into(),
                    tags: std::iter::once("security")
                        .chain(row[4].split(' '))
                        .map(str::to_string)
                        .collect(),
                    language: if id.starts_with("py/") {
                        "python"
                    } else {
                        "javascript"
                    }
                    .into(),
                    message: row[5].into(),
                })
            })
            .collect();
        let advisories = rows(ADVISORIES)
            .map(|row| {
                let (summary, package, range, patched) = (row[2], row[9], row[10], row[11]);
                let published = date(row[12]);
                Arc::new(Advisory {
                    ghsa_id: row[0].into(),
                    cve_id: Some(row[1].into()),
                    summary: summary.into(),
                    description: format!(
                        "{summary}. Versions of `{package}` {range} are affected; upgrade to {patched} or later."
                    ),
                    severity: row[3].into(),
                    cvss_score: row[4].parse().expect("a CVSS score"),
                    cvss_vector: (!row[5].is_empty()).then(|| row[5].into()),
                    cwes: vec![(row[6].into(), row[7].into())],
                    ecosystem: row[8].into(),
                    package: package.into(),
                    vulnerable_version_range: range.into(),
                    first_patched_version: Some(patched.into()),
                    published_at: published,
                    updated_at: published + Duration::days(200),
                })
            })
            .collect();
        let secrets = rows(SECRETS)
            .map(|row| {
                Arc::new(SecretKind {
                    secret_type: row[0].into(),
                    display_name: row[1].into(),
                    provider: row[2].into(),
                    provider_slug: row[3].into(),
                    prefix: row[4].into(),
                    tail: row[5].parse().expect("a length"),
                })
            })
            .collect();
        Catalogue {
            rules,
            advisories,
            secrets,
        }
    }

    pub fn rule(&self, id: &str) -> Option<Arc<Rule>> {
        self.rules.iter().find(|r| r.id == id).cloned()
    }

    /// The first advisory for a package (or with that GHSA or CVE id).
    pub fn advisory(&self, key: &str) -> Option<Arc<Advisory>> {
        self.advisories
            .iter()
            .find(|a| {
                a.package.eq_ignore_ascii_case(key)
                    || a.ghsa_id.eq_ignore_ascii_case(key)
                    || a.cve_id
                        .as_deref()
                        .is_some_and(|c| c.eq_ignore_ascii_case(key))
            })
            .cloned()
    }

    pub fn secret(&self, secret_type: &str) -> Option<Arc<SecretKind>> {
        self.secrets
            .iter()
            .find(|s| s.secret_type == secret_type)
            .cloned()
    }
}

/// SplitMix64: small, fast and the same everywhere, for deterministic data.
pub struct Mix(u64);

impl Mix {
    pub fn new(seed: u64) -> Mix {
        Mix(seed)
    }

    pub fn seeded(text: &str) -> Mix {
        // FNV-1a of the text.
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Mix(hash)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit((self.next_u64() % 16) as u32, 16).expect("a hex digit"))
            .collect()
    }

    /// A GHSA id: three groups of four from GitHub's alphabet for them.
    pub fn ghsa(&mut self) -> String {
        const CHARS: &[u8] = b"23456789cfghjmpqrvwx";
        let mut group = || -> String {
            (0..4)
                .map(|_| CHARS[self.below(CHARS.len())] as char)
                .collect()
        };
        format!("GHSA-{}-{}-{}", group(), group(), group())
    }

    pub fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| CHARS[self.below(CHARS.len())] as char)
            .collect()
    }
}
