//! The one way the app talks HTTP: a client built in one place (user agent, timeouts, no
//! redirects) and a retry loop that retries only transient failures and always honours
//! `Retry-After`, as Microsoft asks of Graph and Bot Framework clients.
//!
//! A POST is never replayed once it may have reached the service: a timeout, a dropped
//! connection or a gateway status (502/503/504) after the request left says nothing about
//! whether the message was posted, so the caller gets [`HttpError::Unanswered`] and decides
//! (read the chat back, or ask the person). Only answers that say the request was not
//! processed (429, and the Bot Connector's 412) and connections that were never made are
//! retried in place. See <https://learn.microsoft.com/graph/throttling> and
//! <https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#errors>.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, Request, Response, StatusCode};

use crate::clock::Clock;
use crate::entropy::Entropy;
use crate::error::ErrorCode;

#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub user_agent: String,
    /// Whole-request limit.
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            user_agent: format!(
                "OXTeamsConnector/{} ({}; {})",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::OS,
                std::env::consts::ARCH
            ),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// When and how often to try again.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first backoff when the service gives no `Retry-After`; doubles each time.
    pub base_delay: Duration,
    /// The longest backoff the app picks by itself.
    pub max_delay: Duration,
    /// The longest `Retry-After` the app waits for in place; beyond it the call fails with
    /// [`HttpError::Throttled`] so a queue can wait instead of a person.
    pub max_retry_after: Duration,
    /// Statuses worth another attempt of a request that may be repeated.
    pub retry_statuses: &'static [u16],
    /// Statuses that say a POST was not processed, so it may be sent again.
    pub not_processed_statuses: &'static [u16],
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            // Graph: 429, 503, 504; Bot Framework adds 412 and 502.
            retry_statuses: &[412, 429, 502, 503, 504],
            not_processed_statuses: &[412, 429],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("The app could not start its network client: {0}")]
    Client(String),
    #[error(
        "Could not reach {host}: {detail}. Check the network connection, proxy and the URLs in \
         Settings."
    )]
    Network { host: String, detail: String },
    #[error(
        "{host}'s certificate is not trusted by this computer ({detail}). If your organisation \
         inspects TLS traffic or runs a private cloud with its own certificate authority, add \
         that authority's certificate to the system's trust store (or point SSL_CERT_FILE at \
         it), then try again."
    )]
    Untrusted { host: String, detail: String },
    #[error(
        "{host} is limiting how fast the app may send and asked it to wait {}. Nothing was \
         lost; the app tries again after that.", seconds(.retry_after)
    )]
    Throttled { host: String, retry_after: Duration },
    #[error("{host} answered {status} after {attempts} attempts. Try again in a few minutes.")]
    Unavailable {
        host: String,
        status: u16,
        attempts: u32,
    },
    /// The request left, but its answer never came back whole: it may or may not have been
    /// carried out.
    #[error("{host} did not answer ({detail}), so whether it carried out the request is unknown.")]
    Unanswered { host: String, detail: String },
}

impl HttpError {
    pub fn code(&self) -> ErrorCode {
        match self {
            HttpError::Client(_) => ErrorCode::Internal,
            HttpError::Network { .. } | HttpError::Untrusted { .. } => ErrorCode::Network,
            HttpError::Throttled { .. } => ErrorCode::Throttled,
            HttpError::Unavailable { .. } => ErrorCode::ServiceError,
            HttpError::Unanswered { .. } => ErrorCode::ReplyLost,
        }
    }
}

/// "1 second", "30 seconds".
fn seconds(duration: &Duration) -> String {
    match duration.as_secs() {
        1 => "1 second".to_string(),
        n => format!("{n} seconds"),
    }
}

/// The HTTP client every part of the core uses.
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    policy: RetryPolicy,
    clock: Arc<dyn Clock>,
    entropy: Arc<dyn Entropy>,
}

impl HttpClient {
    /// The factory: the only place a `reqwest::Client` is built. Redirects are off, because
    /// neither the token endpoint nor Graph's JSON APIs should be followed blindly.
    pub fn new(
        options: &HttpOptions,
        policy: RetryPolicy,
        clock: Arc<dyn Clock>,
        entropy: Arc<dyn Entropy>,
    ) -> Result<Self, HttpError> {
        let inner = reqwest::Client::builder()
            .user_agent(&options.user_agent)
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| HttpError::Client(e.to_string()))?;
        Ok(HttpClient {
            inner,
            policy,
            clock,
            entropy,
        })
    }

    /// The same client with another retry policy (a service whose limits differ).
    pub fn with_policy(&self, policy: RetryPolicy) -> HttpClient {
        HttpClient {
            policy,
            ..self.clone()
        }
    }

    /// For building requests: `client.request(Method::GET, url)`.
    pub fn request(&self, method: Method, url: url::Url) -> reqwest::RequestBuilder {
        self.inner.request(method, url)
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Sends `request`, retrying transient failures. Any other status comes back as the
    /// response for the caller to read. GET, PUT, DELETE and the like are repeated after any
    /// transient failure; POST and PATCH only when the service certainly did not act on them.
    pub async fn send(&self, request: Request) -> Result<Response, HttpError> {
        let repeatable = matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        self.send_with(request, repeatable).await
    }

    /// Sends a POST that does the same thing however often it arrives (a token request, a
    /// read), so it is retried like a GET.
    pub async fn send_repeatable(&self, request: Request) -> Result<Response, HttpError> {
        self.send_with(request, true).await
    }

    async fn send_with(&self, request: Request, repeatable: bool) -> Result<Response, HttpError> {
        let host = request
            .url()
            .host_str()
            .unwrap_or("the service")
            .to_string();
        let retry_statuses = if repeatable {
            self.policy.retry_statuses
        } else {
            self.policy.not_processed_statuses
        };
        let mut pending = Some(request);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let current = pending.take().expect("a request for every attempt");
            let replay = current.try_clone();
            let (method, path) = (current.method().clone(), current.url().path().to_string());
            let last_attempt = attempt >= self.policy.max_attempts || replay.is_none();
            let wait = match self.inner.execute(current).await {
                Ok(response) => {
                    let status = response.status();
                    if !retry_statuses.contains(&status.as_u16()) {
                        if !repeatable && self.policy.retry_statuses.contains(&status.as_u16()) {
                            // A gateway gave up waiting; the service behind it may have acted.
                            return Err(HttpError::Unanswered {
                                host,
                                detail: format!("it answered {status}"),
                            });
                        }
                        return Ok(response);
                    }
                    let retry_after = retry_after(response.headers(), self.clock.now());
                    if let Some(wait) = retry_after.filter(|w| *w > self.policy.max_retry_after) {
                        return Err(HttpError::Throttled {
                            host,
                            retry_after: wait,
                        });
                    }
                    if last_attempt {
                        return Err(match (status, retry_after) {
                            (StatusCode::TOO_MANY_REQUESTS, Some(wait)) => HttpError::Throttled {
                                host,
                                retry_after: wait,
                            },
                            _ => HttpError::Unavailable {
                                host,
                                status: status.as_u16(),
                                attempts: attempt,
                            },
                        });
                    }
                    let wait = retry_after.unwrap_or_else(|| self.backoff(attempt));
                    log::info!(
                        "{method} {host}{path} answered {status}; attempt {attempt} of {}, \
                         waiting {wait:?}",
                        self.policy.max_attempts
                    );
                    wait
                }
                Err(error) => {
                    // Asking again would meet the same certificate.
                    if let Some(detail) = certificate_problem(&error) {
                        return Err(HttpError::Untrusted { host, detail });
                    }
                    // A connection that was never made never reached the service; anything
                    // later (a timeout, a dropped connection) might have.
                    let never_sent = error.is_connect();
                    if !never_sent && !repeatable {
                        return Err(HttpError::Unanswered {
                            host,
                            detail: describe(&error),
                        });
                    }
                    let transient = never_sent || error.is_timeout() || error.is_request();
                    if !transient || last_attempt {
                        return Err(HttpError::Network {
                            host,
                            detail: describe(&error),
                        });
                    }
                    let wait = self.backoff(attempt);
                    log::info!(
                        "{method} {host}{path} failed ({}); waiting {wait:?}",
                        describe(&error)
                    );
                    wait
                }
            };
            self.clock.sleep(wait).await;
            pending = replay;
        }
    }

    /// Exponential backoff with jitter: half fixed, half random, so clients spread out.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self
            .policy
            .base_delay
            .saturating_mul(1 << (attempt - 1).min(16));
        let capped = exponential.min(self.policy.max_delay);
        capped.mul_f64(0.5 + 0.5 * self.entropy.unit())
    }
}

/// The longest duration the app takes from a server (`Retry-After`, `expires_in`): anything
/// longer is read as this, so no date arithmetic can overflow on a hostile or broken answer.
pub const MAX_SERVER_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

/// A number of seconds a server sent, clamped to [`MAX_SERVER_DURATION`].
pub fn server_seconds(seconds: u64) -> Duration {
    Duration::from_secs(seconds).min(MAX_SERVER_DURATION)
}

/// The wait a service asked for, in seconds or as an HTTP date, at most a day.
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(server_seconds(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.to_utc();
    Some(
        (at - now)
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(MAX_SERVER_DURATION),
    )
}

/// What was wrong with the server's certificate, when that is why the connection failed
/// (rustls says "invalid peer certificate: UnknownIssuer", "…: Expired", …).
fn certificate_problem(error: &reqwest::Error) -> Option<String> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if let Some(rest) = text.strip_prefix("invalid peer certificate: ") {
            return Some(match rest {
                "UnknownIssuer" => {
                    "it was issued by an authority this computer does not know".into()
                }
                "Expired" => "it has expired".into(),
                "NotValidForName" => "it is for another host name".into(),
                other => other.to_string(),
            });
        }
        source = cause.source();
    }
    None
}

/// A reqwest error in words, without the URL (which may carry a query a person typed).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "the request timed out"
    } else if error.is_connect() {
        "the connection was refused or could not be made"
    } else if error.is_body() || error.is_decode() {
        "the answer was cut off"
    } else {
        "the request failed"
    };
    let mut source = std::error::Error::source(error);
    let mut innermost = None;
    while let Some(cause) = source {
        innermost = Some(cause.to_string());
        source = cause.source();
    }
    match innermost {
        Some(cause) => format!("{kind} ({cause})"),
        None => kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::entropy::SeededEntropy;
    use axum::Router;
    use axum::http::HeaderValue;
    use axum::response::IntoResponse;
    use axum::routing::any;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .unwrap()
            .to_utc()
    }

    /// A loopback server whose route answers with `script[n]` on the n-th call.
    async fn scripted(script: Vec<(u16, Option<&'static str>)>) -> (url::Url, Arc<AtomicU32>) {
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let app = Router::new().route(
            "/v1.0/me",
            any(move || {
                let n = counter.fetch_add(1, Ordering::SeqCst) as usize;
                let (status, retry) = script[n.min(script.len() - 1)];
                async move {
                    let mut response =
                        (StatusCode::from_u16(status).unwrap(), "{}").into_response();
                    if let Some(value) = retry {
                        response
                            .headers_mut()
                            .insert(RETRY_AFTER, HeaderValue::from_static(value));
                    }
                    response
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (format!("http://{address}/v1.0/me").parse().unwrap(), calls)
    }

    fn client(clock: Arc<ManualClock>) -> HttpClient {
        HttpClient::new(
            &HttpOptions::default(),
            RetryPolicy::default(),
            clock,
            Arc::new(SeededEntropy::new(1)),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn waits_exactly_as_long_as_retry_after_says() {
        let (url, calls) = scripted(vec![(429, Some("7")), (503, Some("2")), (200, None)]).await;
        let clock = Arc::new(ManualClock::new(start()));
        let http = client(clock.clone());
        let response = http
            .send(http.request(Method::GET, url).build().unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(
            clock.sleeps(),
            vec![Duration::from_secs(7), Duration::from_secs(2)]
        );
    }

    #[tokio::test]
    async fn backs_off_within_bounds_when_no_retry_after_is_given() {
        let (url, calls) = scripted(vec![(504, None), (504, None), (200, None)]).await;
        let clock = Arc::new(ManualClock::new(start()));
        let http = client(clock.clone());
        let response = http
            .send(http.request(Method::GET, url).build().unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let sleeps = clock.sleeps();
        assert!(sleeps[0] >= Duration::from_millis(250) && sleeps[0] <= Duration::from_millis(500));
        assert!(sleeps[1] >= Duration::from_millis(500) && sleeps[1] <= Duration::from_secs(1));
    }

    #[tokio::test]
    async fn permanent_failures_are_not_retried() {
        let (url, calls) = scripted(vec![(403, None), (200, None)]).await;
        let clock = Arc::new(ManualClock::new(start()));
        let http = client(clock.clone());
        let response = http
            .send(http.request(Method::POST, url).build().unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(clock.sleeps().is_empty());
    }

    #[tokio::test]
    async fn a_long_retry_after_is_handed_back_instead_of_waited_for() {
        let (url, calls) = scripted(vec![(429, Some("3600"))]).await;
        let clock = Arc::new(ManualClock::new(start()));
        let http = client(clock.clone());
        let error = http
            .send(http.request(Method::POST, url).build().unwrap())
            .await
            .unwrap_err();
        assert_eq!(
            error,
            HttpError::Throttled {
                host: "127.0.0.1".into(),
                retry_after: Duration::from_secs(3600)
            }
        );
        assert_eq!(error.code(), ErrorCode::Throttled);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(clock.sleeps().is_empty());
    }

    #[tokio::test]
    async fn gives_up_after_the_last_attempt_with_a_sentence() {
        let (url, calls) = scripted(vec![(503, None)]).await;
        let clock = Arc::new(ManualClock::new(start()));
        let http = client(clock.clone());
        let error = http
            .send(http.request(Method::GET, url).build().unwrap())
            .await
            .unwrap_err();
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert_eq!(clock.sleeps().len(), 3);
        assert!(
            error.to_string().contains("answered 503 after 4 attempts"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn an_unreachable_host_is_a_network_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url: url::Url = format!("http://{}/v1.0/me", listener.local_addr().unwrap())
            .parse()
            .unwrap();
        drop(listener);
        let clock = Arc::new(ManualClock::new(start()));
        let http = client(clock.clone());
        let error = http
            .send(http.request(Method::GET, url).build().unwrap())
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::Network);
        assert_eq!(clock.sleeps().len(), 3, "connection failures are retried");
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(
            retry_after(&headers, start()),
            Some(Duration::from_secs(120))
        );
        headers.insert(
            RETRY_AFTER,
            "Sun, 01 Mar 2026 12:00:30 GMT".parse().unwrap(),
        );
        assert_eq!(
            retry_after(&headers, start()),
            Some(Duration::from_secs(30))
        );
        headers.insert(
            RETRY_AFTER,
            "Sun, 01 Mar 2026 11:00:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers, start()), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers, start()), None);
        // A broken or hostile server cannot make the app wait for ever or overflow a date.
        headers.insert(RETRY_AFTER, "18446744073709551615".parse().unwrap());
        assert_eq!(retry_after(&headers, start()), Some(MAX_SERVER_DURATION));
        headers.insert(
            RETRY_AFTER,
            "Fri, 31 Dec 9999 23:59:59 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers, start()), Some(MAX_SERVER_DURATION));
    }
}
