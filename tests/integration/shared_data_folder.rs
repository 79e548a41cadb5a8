//! The app and `ox-teams-cli` open the same data folder at the same time: neither may fail,
//! block the other for long, or lose the other's writes.

use std::thread;

use ox_teams_core::settings::SettingKey;
use ox_teams_tests::open_core;

#[test]
fn two_processes_worth_of_writers_share_one_database() {
    let dir = tempfile::tempdir().unwrap();
    // Both "programs" open the file before either writes, as when the app is running and the
    // CLI starts.
    let app = open_core(dir.path());
    let cli = open_core(dir.path());

    let writers = [("app", app), ("cli", cli)].map(|(who, core)| {
        thread::spawn(move || {
            for n in 0..200 {
                let tenant = format!("{who}-{n}.example.com");
                core.set_setting(SettingKey::Tenant, &tenant)
                    .expect("no write is refused");
                assert!(
                    core.settings().is_ok(),
                    "reads never fail while the other writes"
                );
            }
            core
        })
    });
    let cores: Vec<_> = writers
        .map(|w| w.join().expect("writer finished"))
        .into_iter()
        .collect();

    // Whoever wrote last, both now read the same value.
    let seen: Vec<String> = cores
        .iter()
        .map(|core| core.settings().unwrap().tenant)
        .collect();
    assert_eq!(seen[0], seen[1]);
    assert!(seen[0].ends_with("-199.example.com"), "{}", seen[0]);
}

#[test]
fn a_folder_opened_twice_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let path = dir.path().to_path_buf();
            thread::spawn(move || open_core(&path).schema_version().unwrap())
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), ox_teams_core::store::SCHEMA_VERSION);
    }
}
