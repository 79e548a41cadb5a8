//! Microsoft Graph v1.0: the calls the app makes as the signed-in person.

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::ErrorCode;
use crate::http::{HttpClient, HttpError};
use crate::secrets::Secret;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// The access token was refused; the caller refreshes once and tries again.
    #[error("Microsoft Graph did not accept the sign-in ({message}).")]
    Unauthorized { message: String },
    #[error("Microsoft Graph refused: {message}")]
    Forbidden { code: String, message: String },
    #[error("Microsoft Graph found nothing at {path}: {message}")]
    NotFound { path: String, message: String },
    #[error("Microsoft Graph answered {status}: {message}")]
    Failed {
        status: u16,
        code: String,
        message: String,
    },
    #[error("Microsoft Graph's answer could not be read: {0}")]
    Decode(String),
    #[error(transparent)]
    Http(#[from] HttpError),
}

impl GraphError {
    pub fn code(&self) -> ErrorCode {
        match self {
            GraphError::Unauthorized { .. } => ErrorCode::GrantExpired,
            GraphError::Forbidden { .. } => ErrorCode::Forbidden,
            GraphError::NotFound { .. } => ErrorCode::NotFound,
            GraphError::Failed { .. } | GraphError::Decode(_) => ErrorCode::ServiceError,
            GraphError::Http(e) => e.code(),
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// Graph under one base URL (`https://graph.microsoft.com` or a national cloud's or the
/// sandbox's) with one access token.
pub struct Graph<'a> {
    pub http: &'a HttpClient,
    pub base: &'a str,
    pub token: &'a Secret,
}

/// `GET /me`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub id: String,
    pub display_name: Option<String>,
    pub mail: Option<String>,
    pub user_principal_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Collection<T> {
    pub value: Vec<T>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: String,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionGrant {
    pub consent_type: String,
    pub principal_id: Option<String>,
    pub scope: String,
}

impl Graph<'_> {
    pub async fn get<T: DeserializeOwned>(&self, path_and_query: &str) -> Result<T, GraphError> {
        self.call(Method::GET, path_and_query, None).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<T, GraphError> {
        let url = url::Url::parse(&format!(
            "{}/v1.0{path_and_query}",
            self.base.trim_end_matches('/')
        ))
        .map_err(|e| GraphError::Decode(format!("bad address: {e}")))?;
        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(self.token.expose());
        if let Some(body) = body {
            request = request.json(body);
        }
        let request = request
            .build()
            .map_err(|e| HttpError::Client(e.to_string()))?;
        let response = self.http.send(request).await?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| GraphError::Decode(e.to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| GraphError::Decode(e.to_string()));
        }
        let detail = serde_json::from_slice::<ErrorBody>(&bytes)
            .map(|b| (b.error.code, b.error.message))
            .unwrap_or_else(|_| {
                (
                    String::new(),
                    String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                )
            });
        let (code, message) = detail;
        Err(match status.as_u16() {
            401 => GraphError::Unauthorized { message },
            403 => GraphError::Forbidden { code, message },
            404 => GraphError::NotFound {
                path: path_and_query
                    .split('?')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                message,
            },
            other => GraphError::Failed {
                status: other,
                code,
                message,
            },
        })
    }

    pub async fn me(&self) -> Result<Me, GraphError> {
        self.get("/me?$select=id,displayName,mail,userPrincipalName")
            .await
    }

    pub async fn service_principals_of(
        &self,
        app_id: &str,
    ) -> Result<Vec<ServicePrincipal>, GraphError> {
        let filter =
            url::form_urlencoded::byte_serialize(format!("appId eq '{app_id}'").as_bytes())
                .collect::<String>();
        Ok(self
            .get::<Collection<ServicePrincipal>>(&format!("/servicePrincipals?$filter={filter}"))
            .await?
            .value)
    }

    pub async fn permission_grants_of(
        &self,
        service_principal_id: &str,
    ) -> Result<Vec<PermissionGrant>, GraphError> {
        let filter = url::form_urlencoded::byte_serialize(
            format!("clientId eq '{service_principal_id}'").as_bytes(),
        )
        .collect::<String>();
        Ok(self
            .get::<Collection<PermissionGrant>>(&format!(
                "/oauth2PermissionGrants?$filter={filter}"
            ))
            .await?
            .value)
    }

    pub async fn user_name(&self, id: &str) -> Result<String, GraphError> {
        let user: Me = self
            .get(&format!(
                "/users/{id}?$select=id,displayName,mail,userPrincipalName"
            ))
            .await?;
        Ok(user
            .display_name
            .or(user.user_principal_name)
            .unwrap_or_else(|| id.to_string()))
    }
}
