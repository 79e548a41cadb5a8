//! The real OS keychain (Secret Service on Linux). `make test` runs this under
//! `dbus-run-session` with a private, unlocked GNOME Keyring (tests/scripts/with-keyring.sh).

use ox_teams_core::secrets::{KeychainStatus, KeychainStore, Secret, SecretStore};

#[test]
#[ignore = "needs a Secret Service: make test runs it through tests/scripts/with-keyring.sh"]
fn stores_replaces_and_deletes_a_refresh_token_in_the_os_keychain() {
    // A service name of its own, so the test never touches a real install's entries.
    let service = format!("com.oxteams.connector.test-{}", std::process::id());
    let store = KeychainStore::new(&service);
    assert!(
        matches!(store.status(), KeychainStatus::Available { .. }),
        "{:?}",
        store.status()
    );

    assert_eq!(store.get("refresh-token").unwrap(), None);
    store
        .set("refresh-token", &Secret::new("0.AXoA-first"))
        .unwrap();
    assert_eq!(
        store.get("refresh-token").unwrap().unwrap().expose(),
        "0.AXoA-first"
    );

    // Rotation replaces the value in place.
    store
        .set("refresh-token", &Secret::new("0.AXoA-rotated"))
        .unwrap();
    assert_eq!(
        store.get("refresh-token").unwrap().unwrap().expose(),
        "0.AXoA-rotated"
    );

    // Another store instance (another process, in real life) sees the same entry.
    let again = KeychainStore::new(&service);
    assert_eq!(
        again.get("refresh-token").unwrap().unwrap().expose(),
        "0.AXoA-rotated"
    );

    store.delete("refresh-token").unwrap();
    store.delete("refresh-token").unwrap();
    assert_eq!(again.get("refresh-token").unwrap(), None);
}
