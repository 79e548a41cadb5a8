//! Talking OAuth 2.0 to Entra ID with the `oauth2` crate: the authorize URL (PKCE S256, a
//! random `state`), code redemption and refresh. HTTP goes through the app's one client.

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointNotSet, EndpointSet, ExtraTokenFields,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::error::{AuthError, OAuthContext};
use crate::http::{HttpClient, HttpError};
use crate::secrets::Secret;

/// The ID token, kept out of logs like any credential.
#[derive(Clone, Deserialize, Serialize)]
#[serde(transparent)]
pub struct IdToken(String);

impl std::fmt::Debug for IdToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Entra's additions to the standard token response.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct EntraFields {
    #[serde(default)]
    pub id_token: Option<IdToken>,
}

impl ExtraTokenFields for EntraFields {}

type EntraTokenResponse = StandardTokenResponse<EntraFields, BasicTokenType>;
type EntraClient = oauth2::Client<
    BasicErrorResponse,
    EntraTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Where and as whom to sign in.
#[derive(Debug, Clone)]
pub struct EntraApp {
    /// e.g. `https://login.microsoftonline.com`
    pub authority: String,
    /// `organizations`, a tenant id or a domain.
    pub tenant: String,
    pub client_id: String,
}

/// Tokens from one redemption or refresh.
pub struct Tokens {
    pub access_token: Secret,
    pub expires_in: std::time::Duration,
    pub refresh_token: Option<Secret>,
    pub id_token: Option<Secret>,
    /// The scopes the access token is valid for, as Microsoft wrote them (`None` when the
    /// response had no `scope`).
    pub scope: Option<Vec<String>>,
}

/// The secrets of one sign-in attempt; they live in memory only, for its duration.
pub struct Attempt {
    pub authorize_url: String,
    pub state: String,
    pub verifier: Secret,
    pub redirect_uri: String,
    /// Sent with the request and expected back in the ID token, so a token minted for another
    /// sign-in cannot be passed off as this one's.
    pub nonce: String,
}

impl EntraApp {
    fn client(&self, redirect_uri: Option<&str>) -> Result<EntraClient, AuthError> {
        let base = format!(
            "{}/{}/oauth2/v2.0",
            self.authority.trim_end_matches('/'),
            self.tenant
        );
        let bad = |e: url::ParseError| {
            AuthError::BadResponse(format!("the sign-in address is not valid: {e}"))
        };
        let client = oauth2::Client::new(ClientId::new(self.client_id.clone()))
            .set_auth_uri(AuthUrl::new(format!("{base}/authorize")).map_err(bad)?)
            .set_token_uri(TokenUrl::new(format!("{base}/token")).map_err(bad)?);
        Ok(match redirect_uri {
            Some(uri) => client.set_redirect_uri(RedirectUrl::new(uri.to_string()).map_err(bad)?),
            None => client,
        })
    }

    /// The browser's address for a sign-in asking for `scopes`. `state`, the PKCE verifier and
    /// the nonce come from the caller's randomness.
    pub fn attempt(
        &self,
        redirect_uri: &str,
        scopes: &[String],
        state: String,
        verifier: String,
        nonce: String,
        login_hint: Option<&str>,
    ) -> Result<Attempt, AuthError> {
        let verifier = PkceCodeVerifier::new(verifier);
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
        let client = self.client(Some(redirect_uri))?;
        let mut request = client
            .authorize_url(|| CsrfToken::new(state.clone()))
            .add_scopes(scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .add_extra_param("response_mode", "query")
            .add_extra_param("nonce", nonce.clone());
        if let Some(hint) = login_hint {
            request = request.add_extra_param("login_hint", hint);
        }
        let (url, _) = request.url();
        Ok(Attempt {
            authorize_url: url.to_string(),
            state,
            verifier: Secret::new(verifier.secret().clone()),
            redirect_uri: redirect_uri.to_string(),
            nonce,
        })
    }

    /// Redeems the code of `attempt`. Boxed as `Send` here, where its lifetimes are concrete,
    /// so callers on any runtime thread can await it.
    pub fn redeem<'a>(
        &'a self,
        http: &'a HttpClient,
        attempt: &'a Attempt,
        code: &'a Secret,
        context: &'a OAuthContext,
    ) -> TokenFuture<'a> {
        Box::pin(async move {
            let client = self.client(Some(&attempt.redirect_uri))?;
            let response = client
                .exchange_code(AuthorizationCode::new(code.expose().to_string()))
                .set_pkce_verifier(PkceCodeVerifier::new(attempt.verifier.expose().to_string()))
                .request_async(&Transport(http.clone()))
                .await;
            tokens(response, context)
        })
    }

    pub fn refresh<'a>(
        &'a self,
        http: &'a HttpClient,
        refresh_token: &'a Secret,
        context: &'a OAuthContext,
    ) -> TokenFuture<'a> {
        Box::pin(async move {
            let client = self.client(None)?;
            let token = RefreshToken::new(refresh_token.expose().to_string());
            let response = client
                .exchange_refresh_token(&token)
                .request_async(&Transport(http.clone()))
                .await;
            tokens(response, context)
        })
    }
}

pub type TokenFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Tokens, AuthError>> + Send + 'a>>;

/// The `oauth2` crate's HTTP hook, served by the app's own client (timeouts, retries of
/// transient failures, no redirects). A named type rather than a closure, so the futures that
/// use it stay `Send`.
struct Transport(HttpClient);

impl<'c> oauth2::AsyncHttpClient<'c> for Transport {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, HttpError>> + Send + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(send(self.0.clone(), request))
    }
}

async fn send(
    http: HttpClient,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let url =
        url::Url::parse(&parts.uri.to_string()).map_err(|e| HttpError::Client(e.to_string()))?;
    let built = http
        .request(parts.method, url)
        .headers(parts.headers)
        .body(body)
        .build()
        .map_err(|e| HttpError::Client(e.to_string()))?;
    // Token requests give the same answer however often they arrive.
    let response = http.send_repeatable(built).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let host = response.url().host_str().unwrap_or_default().to_string();
    let body = response.bytes().await.map_err(|e| HttpError::Network {
        host,
        detail: e.to_string(),
    })?;
    let mut answer = oauth2::http::Response::builder().status(status);
    if let Some(map) = answer.headers_mut() {
        *map = headers;
    }
    answer
        .body(body.to_vec())
        .map_err(|e| HttpError::Client(e.to_string()))
}

fn tokens(
    response: Result<EntraTokenResponse, RequestTokenError<HttpError, BasicErrorResponse>>,
    context: &OAuthContext,
) -> Result<Tokens, AuthError> {
    match response {
        Ok(token) => Ok(Tokens {
            access_token: Secret::new(token.access_token().secret().clone()),
            expires_in: token
                .expires_in()
                .unwrap_or(std::time::Duration::from_secs(3600))
                .min(crate::http::MAX_SERVER_DURATION),
            refresh_token: token
                .refresh_token()
                .map(|t| Secret::new(t.secret().clone())),
            id_token: token
                .extra_fields()
                .id_token
                .clone()
                .map(|t| Secret::new(t.0)),
            scope: token
                .scopes()
                .map(|s| s.iter().map(|scope| scope.to_string()).collect()),
        }),
        Err(RequestTokenError::ServerResponse(error)) => Err(AuthError::from_oauth(
            error.error().as_ref(),
            error
                .error_description()
                .map(String::as_str)
                .unwrap_or_default(),
            context,
        )),
        Err(RequestTokenError::Request(error)) => Err(AuthError::Network(error)),
        Err(RequestTokenError::Parse(error, _)) => Err(AuthError::BadResponse(error.to_string())),
        Err(RequestTokenError::Other(error)) => Err(AuthError::BadResponse(error)),
    }
}

/// The claims of an ID token the app uses: who signed in, in which tenant. The token comes
/// straight from the token endpoint over TLS, so its signature is not checked (OpenID Connect
/// Core 3.1.3.7); its audience, expiry, nonce and (for a tenant given by its id) tenant are
/// (3.1.3.7 items 3, 9 and 11; https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference).
#[derive(Debug, Clone, Deserialize)]
pub struct IdClaims {
    pub oid: Option<String>,
    pub tid: Option<String>,
    pub name: Option<String>,
    pub preferred_username: Option<String>,
    pub aud: Option<String>,
    pub exp: Option<i64>,
    pub nonce: Option<String>,
}

/// What an ID token must say to be this sign-in's.
pub struct Expected<'a> {
    pub client_id: &'a str,
    pub nonce: &'a str,
    /// The tenant as configured: checked against `tid` when it is a GUID.
    pub tenant: &'a str,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// How far the clocks of this computer and Microsoft's may disagree.
const CLOCK_SKEW_SECONDS: i64 = 300;

pub fn read_id_token(id_token: &Secret, expected: &Expected) -> Result<IdClaims, AuthError> {
    use base64::Engine;
    let payload = id_token
        .expose()
        .split('.')
        .nth(1)
        .ok_or_else(|| AuthError::BadResponse("the ID token is not a JWT".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| AuthError::BadResponse("the ID token is not base64url".into()))?;
    let claims: IdClaims = serde_json::from_slice(&bytes)
        .map_err(|e| AuthError::BadResponse(format!("the ID token's claims: {e}")))?;
    let refuse = |why: &str| Err(AuthError::BadResponse(format!("the ID token {why}")));
    if claims.aud.as_deref() != Some(expected.client_id) {
        return refuse("was issued to another application");
    }
    match claims.exp {
        Some(exp) if exp + CLOCK_SKEW_SECONDS > expected.now.timestamp() => {}
        Some(_) => return refuse("has expired (check this computer's clock)"),
        None => return refuse("has no expiry"),
    }
    if claims.nonce.as_deref() != Some(expected.nonce) {
        return refuse("belongs to another sign-in (its nonce differs)");
    }
    if uuid_like(expected.tenant)
        && claims
            .tid
            .as_deref()
            .is_some_and(|tid| !tid.eq_ignore_ascii_case(expected.tenant))
    {
        return refuse("was issued by another tenant");
    }
    Ok(claims)
}

fn uuid_like(text: &str) -> bool {
    text.len() == 36
        && text.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

#[cfg(test)]
mod id_token_tests {
    use super::*;
    use base64::Engine;

    fn token(claims: serde_json::Value) -> Secret {
        let encode = |v: &serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        Secret::new(format!(
            "{}.{}.sig",
            encode(&serde_json::json!({ "alg": "RS256" })),
            encode(&claims)
        ))
    }

    #[test]
    fn an_id_token_must_be_for_this_app_this_sign_in_this_tenant_and_current() {
        let now = chrono::Utc::now();
        let tenant = "67d5707b-abc2-4d84-ace0-0c3a4e42a0d8";
        let expected = Expected {
            client_id: "app",
            nonce: "n1",
            tenant,
            now,
        };
        let good = serde_json::json!({ "aud": "app", "exp": now.timestamp() + 600, "nonce": "n1", "tid": tenant, "oid": "o" });
        assert!(read_id_token(&token(good.clone()), &expected).is_ok());
        for (field, value, says) in [
            (
                "aud",
                serde_json::json!("another-app"),
                "another application",
            ),
            ("aud", serde_json::Value::Null, "another application"),
            (
                "exp",
                serde_json::json!(now.timestamp() - 3600),
                "has expired",
            ),
            ("exp", serde_json::Value::Null, "no expiry"),
            ("nonce", serde_json::json!("n2"), "another sign-in"),
            ("nonce", serde_json::Value::Null, "another sign-in"),
            (
                "tid",
                serde_json::json!("00000000-0000-0000-0000-000000000000"),
                "another tenant",
            ),
        ] {
            let mut claims = good.clone();
            claims[field] = value;
            let error = read_id_token(&token(claims), &expected)
                .unwrap_err()
                .to_string();
            assert!(error.contains(says), "{field}: {error}");
        }
        // A tenant given by name (or "organizations") is not compared with the token's id.
        let by_name = Expected {
            tenant: "contoso.onmicrosoft.com",
            ..expected
        };
        let mut other_tenant = good;
        other_tenant["tid"] = serde_json::json!("00000000-0000-0000-0000-000000000000");
        assert!(read_id_token(&token(other_tenant), &by_name).is_ok());
    }
}
