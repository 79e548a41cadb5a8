//! People-search latency through the core (Graph `$search` over the directory, the answer
//! cached in SQLite) against the sandbox's large tenant: 100,000 people, 5,000 teams. Run with `cargo bench -p ox-teams-tests --bench
//! people_search`; it prints figures and asserts nothing.

use std::time::{Duration, Instant};

use ox_teams_core::directory::Freshness;
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::browser::Decision;
use ox_teams_tests::{core_against, sign_in_as};

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let started = Instant::now();
    let mut options = SandboxOptions::new(tenant::large(7, 100_000, 5_000));
    // The rate limits would measure the sandbox's patience, not the search.
    options.throttling = false;
    let sandbox = Sandbox::start(options, 0).await.unwrap();
    println!("large tenant ready in {:?}", started.elapsed());
    let t = core_against(
        sandbox.url(),
        "fabrikam.onmicrosoft.com",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    );
    let admin = {
        let world = sandbox.world().lock().await;
        world
            .tenant
            .users
            .iter()
            .find(|u| u.admin)
            .map(|u| u.upn.clone())
            .unwrap()
    };
    sign_in_as(&t.core, &admin, Decision::Accept, None)
        .await
        .unwrap();

    // Two-letter and longer prefixes of real names, each asked once (no cache hits).
    let names: Vec<String> = {
        let world = sandbox.world().lock().await;
        world
            .tenant
            .users
            .iter()
            .step_by(997)
            .map(|u| u.display_name.clone())
            .collect()
    };
    let mut fresh = Vec::new();
    let mut found = 0;
    for (i, name) in names.iter().enumerate() {
        let query: String = name.chars().take(2 + i % 6).collect();
        let started = Instant::now();
        let listing = t
            .core
            .directory()
            .people(&query, Freshness::Recent)
            .await
            .unwrap();
        fresh.push(started.elapsed());
        found += listing.items.len();
    }
    // The same queries again: answered from SQLite.
    let mut cached = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let query: String = name.chars().take(2 + i % 6).collect();
        let started = Instant::now();
        std::hint::black_box(
            t.core
                .directory()
                .people(&query, Freshness::Cached)
                .await
                .unwrap(),
        );
        cached.push(started.elapsed());
    }
    println!(
        "people search, {} queries over 100,000 people ({} results): p50 {:?}, p95 {:?}, max {:?}",
        fresh.len(),
        found,
        percentile(&mut fresh, 0.5),
        percentile(&mut fresh, 0.95),
        percentile(&mut fresh, 1.0)
    );
    println!(
        "people search from the SQLite cache: p50 {:?}, p95 {:?}",
        percentile(&mut cached, 0.5),
        percentile(&mut cached, 0.95)
    );

    // The same path without the search: `GET /me` through the core, for comparison.
    let mut me = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        std::hint::black_box(t.core.auth().check().await.unwrap());
        me.push(started.elapsed());
    }
    println!(
        "GET /me through the core (token, HTTP, JSON): p50 {:?}, p95 {:?}",
        percentile(&mut me, 0.5),
        percentile(&mut me, 0.95)
    );

    let started = Instant::now();
    let teams = t
        .core
        .directory()
        .teams(Freshness::Recent)
        .await
        .unwrap()
        .items;
    println!(
        "joined teams of the administrator: {} in {:?}",
        teams.len(),
        started.elapsed()
    );
}
