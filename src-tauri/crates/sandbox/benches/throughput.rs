//! How fast the sandbox serves on loopback, and how long the large tenant takes to generate.
//! It must never be the bottleneck of the app's own benchmarks. Run with `cargo bench -p
//! ox-teams-sandbox`; it prints figures and asserts nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ox_teams_sandbox::tenant;
use ox_teams_sandbox::world::{AccessToken, Audience, Principal};
use ox_teams_sandbox::{Sandbox, SandboxOptions};

const CONCURRENCY: usize = 32;
const RUN_FOR: Duration = Duration::from_secs(3);

async fn token_for(sandbox: &Sandbox, scopes: &[&str]) -> String {
    let mut world = sandbox.world().lock().await;
    let token = world.token("bench.", 24);
    let expires = world.now() + chrono::Duration::hours(1);
    world.access_tokens.insert(
        token.clone(),
        AccessToken {
            client_id: "bench".into(),
            principal: Principal::User(0),
            permissions: scopes.iter().map(|s| s.to_string()).collect(),
            audience: Audience::Graph,
            expires,
            revoked: false,
        },
    );
    world.throttle.set_enabled(false);
    token
}

/// Requests per second from `CONCURRENCY` keep-alive clients for `RUN_FOR`.
async fn hammer(
    make: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync + 'static,
) -> f64 {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let make = Arc::new(make);
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (client, make, done) = (client.clone(), make.clone(), done.clone());
            tokio::spawn(async move {
                while started.elapsed() < RUN_FOR {
                    let response = make(&client).send().await.unwrap();
                    assert!(response.status().is_success(), "{}", response.status());
                    let _ = response.bytes().await.unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    println!(
        "ox-teams-sandbox throughput ({} cores, {CONCURRENCY} concurrent clients, {}s each)",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        RUN_FOR.as_secs()
    );

    let mut generation = Vec::new();
    let mut large = None;
    for _ in 0..3 {
        let started = Instant::now();
        large = Some(tenant::large(1, 100_000, 5_000));
        generation.push(started.elapsed());
    }
    generation.sort();
    println!(
        "large tenant (100,000 people, 5,000 teams) generated in {:?} (median of 3)",
        generation[1]
    );

    let small = Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap();
    let token = token_for(
        &small,
        &["User.Read", "Chat.ReadWrite", "ChannelMessage.Send"],
    )
    .await;
    let (url, auth) = (
        format!("{}/v1.0/me", small.url()),
        format!("Bearer {token}"),
    );
    let rps = hammer(move |c| c.get(&url).header("Authorization", &auth)).await;
    println!("GET /v1.0/me: {rps:.0} requests/s");

    let chat = small.world().lock().await.tenant.chats[0].id.clone();
    let (url, auth) = (
        format!("{}/v1.0/chats/{chat}/messages", small.url()),
        format!("Bearer {token}"),
    );
    let body = serde_json::json!({ "body": { "content": "benchmark message" } });
    let rps = hammer(move |c| c.post(&url).header("Authorization", &auth).json(&body)).await;
    println!("POST chat message (limits off): {rps:.0} requests/s");

    let sandbox = Sandbox::start(SandboxOptions::new(large.take().unwrap()), 0)
        .await
        .unwrap();
    let token = token_for(&sandbox, &["User.Read.All"]).await;
    let client = reqwest::Client::new();
    let mut latencies = Vec::new();
    for n in 0..200 {
        let term = ["ada", "ben", "kim", "sato", "nora", "lee", "pa", "zoe"][n % 8];
        let started = Instant::now();
        let response = client
            .get(format!(
                "{}/v1.0/users?$search=\"displayName:{term}\"&$top=25&$count=true",
                sandbox.url()
            ))
            .bearer_auth(&token)
            .header("ConsistencyLevel", "eventual")
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        let _ = response.bytes().await.unwrap();
        latencies.push(started.elapsed());
    }
    latencies.sort();
    println!(
        "people search over 100,000 people: p50 {:?}, p95 {:?}, max {:?} (200 searches)",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        latencies[latencies.len() - 1]
    );
}
