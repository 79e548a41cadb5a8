//! The loopback listener the browser returns to after sign-in: `http://localhost:{port}/`, as
//! Entra matches `localhost` redirect URIs on any port. It answers one GET carrying the right
//! `state` with a short page, then stops; it refuses other methods, other paths, oversized
//! requests and answers for another attempt, and gives up after a timeout. It serves at most
//! [`MAX_CONNECTIONS`] connections at once (more are closed on arrival), rests after a failed
//! accept instead of spinning, and listens on both 127.0.0.1 and ::1 — or says why not.

use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::AuthError;
use crate::secrets::Secret;

const MAX_REQUEST_BYTES: usize = 8 * 1024;
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A browser opens a handful of connections; anything beyond this is not a browser.
pub const MAX_CONNECTIONS: usize = 32;
/// How long the listener rests after `accept` fails (say, out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What the identity provider sent back.
#[derive(Debug)]
pub enum Callback {
    Code(Secret),
    Error {
        error: String,
        description: String,
    },
    /// An administrator consented (`/adminconsent`); `tenant` is as Microsoft sent it and is
    /// shown, never trusted for decisions.
    AdminConsent {
        tenant: String,
    },
}

impl Callback {
    /// Reads a redirect's query; `None` when its `state` is not `expected_state`.
    pub fn from_query(query: &str, expected_state: &str) -> Option<Callback> {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        if get("state").as_deref() != Some(expected_state) {
            return None;
        }
        if get("admin_consent").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Some(Callback::AdminConsent {
                tenant: get("tenant").unwrap_or_default(),
            });
        }
        match (get("code"), get("error")) {
            (Some(code), None) if !code.is_empty() => Some(Callback::Code(Secret::new(code))),
            (_, Some(error)) => Some(Callback::Error {
                error,
                description: get("error_description").unwrap_or_default(),
            }),
            _ => Some(Callback::Error {
                error: "invalid_request".into(),
                description: "The answer had neither a code nor an error.".into(),
            }),
        }
    }

    /// Reads a `ox-teams://auth/callback?…` link (the custom-scheme redirect).
    pub fn from_link(link: &str, expected_state: &str) -> Option<Callback> {
        let url = url::Url::parse(link).ok()?;
        Callback::from_query(url.query().unwrap_or_default(), expected_state)
    }
}

pub struct LoopbackListener {
    v4: TcpListener,
    v6: Option<TcpListener>,
    port: u16,
}

impl LoopbackListener {
    /// Listens on a free port of both 127.0.0.1 and ::1, since a browser may resolve
    /// `localhost` to either. A port free on one but taken on the other is given up for
    /// another; a system without IPv6 loopback is listened to on 127.0.0.1 alone (and
    /// logged); any other failure on ::1 is an error, not a silent half-listener.
    pub async fn bind() -> Result<LoopbackListener, AuthError> {
        let failed = |address: &str, e: std::io::Error| {
            AuthError::Listener(format!(
                "the sign-in listener could not listen on {address} ({e})"
            ))
        };
        for _ in 0..16 {
            let v4 = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                .await
                .map_err(|e| failed("127.0.0.1", e))?;
            let port = v4.local_addr().map_err(|e| failed("127.0.0.1", e))?.port();
            match TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).await {
                Ok(v6) => {
                    return Ok(LoopbackListener {
                        v4,
                        v6: Some(v6),
                        port,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
                Err(e) if no_ipv6(&e) => {
                    log::warn!("no IPv6 loopback here ({e}): listening on 127.0.0.1 only");
                    return Ok(LoopbackListener { v4, v6: None, port });
                }
                Err(e) => return Err(failed(&format!("[::1]:{port}"), e)),
            }
        }
        Err(AuthError::Listener(
            "the sign-in listener found no port free on both 127.0.0.1 and ::1".into(),
        ))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn redirect_uri(&self) -> String {
        format!("http://localhost:{}/", self.port)
    }

    /// Waits for the browser's answer for `state`, until `timeout` or `cancelled` resolves.
    pub async fn wait(
        self,
        state: &str,
        timeout: Duration,
        cancelled: impl Future<Output = ()>,
    ) -> Result<Callback, AuthError> {
        let (found_tx, mut found) = mpsc::channel::<Callback>(1);
        let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
        let accept = async {
            loop {
                let accepted = match &self.v6 {
                    Some(v6) => tokio::select! {
                        a = self.v4.accept() => a,
                        a = v6.accept() => a,
                    },
                    None => self.v4.accept().await,
                };
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        log::warn!("the sign-in listener could not accept a connection: {e}");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                        continue;
                    }
                };
                // Closed on arrival when all slots are taken.
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    continue;
                };
                // Each connection on its own task: a browser's idle speculative connection must
                // not hold up the one that carries the answer.
                let (tx, state) = (found_tx.clone(), state.to_string());
                tokio::spawn(async move {
                    let _slot = slot;
                    if let Some(callback) = serve(stream, &state).await {
                        let _ = tx.send(callback).await;
                    }
                });
            }
        };
        tokio::select! {
            _ = accept => unreachable!("the accept loop never ends"),
            callback = found.recv() => callback.ok_or(AuthError::Cancelled),
            _ = tokio::time::sleep(timeout) => Err(AuthError::TimedOut { minutes: timeout.as_secs().div_ceil(60).max(1) }),
            _ = cancelled => Err(AuthError::Cancelled),
        }
        // Dropping the listeners here closes the port: a second request finds nobody.
    }
}

/// Whether binding ::1 failed because this system has no IPv6 loopback at all.
fn no_ipv6(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::AddrNotAvailable || error.raw_os_error() == Some(97) // EAFNOSUPPORT on Linux: IPv6 disabled
}

/// Reads one request and answers it; returns the callback when it was the right one.
async fn serve(mut stream: TcpStream, state: &str) -> Option<Callback> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let head_end = loop {
        if let Some(end) = find_head_end(&buffer) {
            break end;
        }
        if buffer.len() > MAX_REQUEST_BYTES {
            respond(
                &mut stream,
                431,
                "Request too large",
                "This request is too large for the sign-in listener.",
            )
            .await;
            return None;
        }
        match tokio::time::timeout(READ_TIMEOUT, stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buffer.extend_from_slice(&chunk[..n]),
            _ => return None,
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]);
    let request_line = head.lines().next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (method, target) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    if method != "GET" {
        respond(
            &mut stream,
            405,
            "Method not allowed",
            "The sign-in listener only answers the browser's redirect.",
        )
        .await;
        return None;
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/" {
        respond(&mut stream, 404, "Not found", "Nothing here.").await;
        return None;
    }
    match Callback::from_query(query, state) {
        None => {
            respond(&mut stream, 400, "Unexpected answer", "This answer belongs to a different sign-in attempt, so OX Teams Connector ignored it. You can close this tab.").await;
            None
        }
        Some(callback @ Callback::Code(_)) => {
            respond(
                &mut stream,
                200,
                "Signed in",
                "You are signed in. You can close this tab and return to OX Teams Connector.",
            )
            .await;
            Some(callback)
        }
        Some(callback @ Callback::AdminConsent { .. }) => {
            respond(
                &mut stream,
                200,
                "Consent granted",
                "The bot's permissions are approved. You can close this tab; OX Teams Connector is checking the bot now.",
            )
            .await;
            Some(callback)
        }
        Some(callback @ Callback::Error { .. }) => {
            respond(&mut stream, 200, "Sign-in did not complete", "Sign-in did not complete. You can close this tab; OX Teams Connector says what happened and what to do.").await;
            Some(callback)
        }
    }
}

fn find_head_end(buffer: &[u8]) -> Option<usize> {
    buffer.windows(4).position(|w| w == b"\r\n\r\n")
}

async fn respond(stream: &mut TcpStream, status: u16, title: &str, message: &str) {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} — OX Teams Connector</title>\
         <style>body{{font-family:'Segoe UI',system-ui,sans-serif;display:flex;height:90vh;align-items:center;justify-content:center;color:#242424}}\
         main{{max-width:420px;text-align:center}}h1{{font-size:22px}}</style></head>\
         <body><main><h1>{title}</h1><p>{message}</p></main></body></html>"
    );
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Request Header Fields Too Large",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn send(port: u16, raw: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        stream.write_all(raw.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    fn never() -> impl Future<Output = ()> {
        std::future::pending()
    }

    #[tokio::test]
    async fn takes_one_get_with_the_right_state_and_stops() {
        let listener = LoopbackListener::bind().await.unwrap();
        let port = listener.port();
        assert_eq!(listener.redirect_uri(), format!("http://localhost:{port}/"));
        let waiting =
            tokio::spawn(
                async move { listener.wait("s-1", Duration::from_secs(10), never()).await },
            );
        // A speculative connection that never sends must not block the real one.
        let _idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        assert!(
            send(port, "POST /?code=c&state=s-1 HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .starts_with("HTTP/1.1 405")
        );
        assert!(
            send(port, "GET /favicon.ico HTTP/1.1\r\n\r\n")
                .await
                .starts_with("HTTP/1.1 404")
        );
        assert!(
            send(port, "GET /?code=c&state=other HTTP/1.1\r\n\r\n")
                .await
                .starts_with("HTTP/1.1 400")
        );
        let big = format!("GET /?{} HTTP/1.1\r\n", "x".repeat(9000));
        assert!(send(port, &big).await.starts_with("HTTP/1.1 431"));
        let ok = send(
            port,
            "GET /?code=the-code&state=s-1 HTTP/1.1\r\nHost: localhost\r\n\r\n",
        )
        .await;
        assert!(
            ok.starts_with("HTTP/1.1 200") && ok.contains("You can close this tab"),
            "{ok}"
        );
        match waiting.await.unwrap().unwrap() {
            Callback::Code(code) => assert_eq!(code.expose(), "the-code"),
            other => panic!("{other:?}"),
        }
        // Stopped: a second request finds nobody.
        assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
    }

    #[tokio::test]
    async fn a_flood_of_idle_connections_is_capped_and_the_answer_still_arrives() {
        let listener = LoopbackListener::bind().await.unwrap();
        let port = listener.port();
        let ipv6_here = std::net::TcpListener::bind("[::1]:0").is_ok();
        assert_eq!(
            listener.v6.is_some(),
            ipv6_here,
            "both loopbacks when the system has both"
        );
        let waiting =
            tokio::spawn(
                async move { listener.wait("s-2", Duration::from_secs(30), never()).await },
            );
        let mut idle = Vec::new();
        for _ in 0..MAX_CONNECTIONS {
            idle.push(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
        }
        // One more than the cap is closed at once instead of waiting for the read timeout.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut extra = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let mut byte = [0u8; 1];
        let closed = tokio::time::timeout(Duration::from_secs(2), extra.read(&mut byte)).await;
        assert!(
            matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
            "the extra connection was closed: {closed:?}"
        );
        // The idle ones go; the browser's answer is taken.
        drop(idle);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let ok = send(port, "GET /?code=c2&state=s-2 HTTP/1.1\r\n\r\n").await;
        assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
        assert!(matches!(waiting.await.unwrap().unwrap(), Callback::Code(_)));
    }

    #[tokio::test]
    async fn an_error_redirect_is_an_answer_too() {
        let listener = LoopbackListener::bind().await.unwrap();
        let port = listener.port();
        let waiting =
            tokio::spawn(async move { listener.wait("s", Duration::from_secs(10), never()).await });
        send(port, "GET /?error=access_denied&error_description=AADSTS65004%3A+declined&state=s HTTP/1.1\r\n\r\n").await;
        match waiting.await.unwrap().unwrap() {
            Callback::Error { error, description } => {
                assert_eq!(error, "access_denied");
                assert!(description.starts_with("AADSTS65004"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn gives_up_after_the_timeout_or_when_cancelled() {
        let listener = LoopbackListener::bind().await.unwrap();
        let result = listener.wait("s", Duration::from_millis(50), never()).await;
        assert_eq!(result.unwrap_err(), AuthError::TimedOut { minutes: 1 });
        let listener = LoopbackListener::bind().await.unwrap();
        let result = listener
            .wait("s", Duration::from_secs(60), std::future::ready(()))
            .await;
        assert_eq!(result.unwrap_err(), AuthError::Cancelled);
    }

    #[test]
    fn a_custom_scheme_link_carries_the_same_answer() {
        let callback =
            Callback::from_link("ox-teams://auth/callback?code=abc&state=s", "s").unwrap();
        assert!(matches!(callback, Callback::Code(c) if c.expose() == "abc"));
        assert!(Callback::from_link("ox-teams://auth/callback?code=abc&state=t", "s").is_none());
    }
}
