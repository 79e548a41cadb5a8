//! What can go wrong while connecting to Microsoft or keeping the connection alive, each with a
//! stable code and a sentence telling the person what to do.
//! Source for the AADSTS codes:
//! <https://learn.microsoft.com/entra/identity-platform/reference-error-codes>.

use crate::error::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error(
        "Set the application (client) ID of your Entra app registration in Settings before \
         connecting."
    )]
    NotConfigured,
    #[error("Microsoft Teams is not connected. Select CONNECT on the Connectors page.")]
    NotConnected,
    #[error(
        "You declined the permissions, so OX Teams Connector is not connected. Try again and \
         choose Accept to connect."
    )]
    ConsentDeclined,
    #[error(
        "An administrator of your organisation must approve {permissions} for this app first. \
         Ask them to open the app's page in the Entra admin center and grant admin consent, then \
         connect again."
    )]
    AdminConsentRequired { permissions: String },
    #[error(
        "Your organisation requires multi-factor authentication for this app. Reconnect to \
         complete it; nothing waiting to be sent is lost."
    )]
    MfaRequired,
    #[error(
        "Your organisation's Conditional Access policy blocked the sign-in ({detail}). Ask your \
         administrator which policy applies to OX Teams Connector."
    )]
    BlockedByPolicy { detail: String },
    #[error(
        "Microsoft no longer accepts this connection: {reason} Reconnect to continue; messages \
         waiting to be sent are kept."
    )]
    GrantExpired { reason: String },
    #[error(
        "The OS keychain this app can reach holds no refresh token for the connection to \
         Microsoft Teams (it may have been made in another user session or with another \
         keychain). Reconnect here to continue; messages waiting to be sent are kept."
    )]
    RefreshTokenMissing,
    #[error(
        "The app registration does not accept this app's sign-in address {redirect_uri}. In the \
         Entra admin center, add the platform \"Mobile and desktop applications\" with the \
         redirect URI http://localhost to the registration."
    )]
    RedirectUriMismatch { redirect_uri: String },
    #[error(
        "Microsoft does not know the application (client) ID {client_id} in tenant {tenant}. \
         Check the application ID, the tenant and the cloud in Settings."
    )]
    AppNotFound { client_id: String, tenant: String },
    #[error(
        "The app registration is not a public client. In the Entra admin center, under \
         Authentication, set \"Allow public client flows\" to Yes."
    )]
    NotPublicClient,
    #[error(
        "The browser came back with an answer for a different sign-in attempt, so it was \
         ignored. Select CONNECT to try again."
    )]
    StateMismatch,
    #[error(
        "No answer came back from the browser within {minutes} minutes. Select CONNECT to try again."
    )]
    TimedOut { minutes: u64 },
    #[error("Sign-in was cancelled.")]
    Cancelled,
    #[error(
        "The browser could not be opened ({detail}). Open the sign-in address shown in the app \
         in a browser yourself."
    )]
    BrowserFailed { detail: String },
    #[error("The sign-in listener could not start on this computer: {0}")]
    Listener(String),
    #[error("Microsoft refused the sign-in: {description}")]
    Refused {
        error: String,
        code: Option<u32>,
        description: String,
    },
    #[error("Microsoft's answer could not be read: {0}")]
    BadResponse(String),
    #[error(transparent)]
    Network(crate::http::HttpError),
}

impl AuthError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AuthError::NotConfigured => ErrorCode::NotConfigured,
            AuthError::NotConnected => ErrorCode::NotConnected,
            AuthError::ConsentDeclined => ErrorCode::ConsentDeclined,
            AuthError::AdminConsentRequired { .. } => ErrorCode::AdminConsentRequired,
            AuthError::MfaRequired => ErrorCode::MfaRequired,
            AuthError::BlockedByPolicy { .. } => ErrorCode::BlockedByPolicy,
            AuthError::GrantExpired { .. } => ErrorCode::GrantExpired,
            AuthError::RedirectUriMismatch { .. } => ErrorCode::RedirectUriMismatch,
            AuthError::AppNotFound { .. } => ErrorCode::AppNotFound,
            AuthError::NotPublicClient => ErrorCode::NotPublicClient,
            AuthError::StateMismatch => ErrorCode::SignInStateMismatch,
            AuthError::TimedOut { .. } => ErrorCode::SignInTimedOut,
            AuthError::Cancelled => ErrorCode::SignInCancelled,
            AuthError::RefreshTokenMissing => ErrorCode::SecretMissing,
            AuthError::BrowserFailed { .. } => ErrorCode::BrowserFailed,
            AuthError::Listener(_) => ErrorCode::Internal,
            AuthError::Refused { .. } => ErrorCode::SignInRefused,
            AuthError::BadResponse(_) => ErrorCode::ServiceError,
            AuthError::Network(e) => e.code(),
        }
    }

    /// Whether the connection itself is gone (the person must connect again), as opposed to a
    /// passing failure.
    pub fn needs_reconnect(&self) -> bool {
        matches!(
            self,
            AuthError::GrantExpired { .. }
                | AuthError::RefreshTokenMissing
                | AuthError::MfaRequired
                | AuthError::BlockedByPolicy { .. }
                | AuthError::AdminConsentRequired { .. }
                | AuthError::AppNotFound { .. }
                | AuthError::NotPublicClient
        )
    }

    /// Maps an OAuth error (`error`, and the AADSTS number Microsoft puts first in
    /// `error_description`) to what the person can do about it.
    pub fn from_oauth(error: &str, description: &str, context: &OAuthContext) -> AuthError {
        let code = aadsts_code(description);
        let first_sentence = without_trace(description);
        match (error, code) {
            (_, Some(65004)) | ("access_denied", None) => AuthError::ConsentDeclined,
            (_, Some(90094 | 90095 | 65001)) | ("consent_required", _) => AuthError::AdminConsentRequired {
                permissions: context.admin_permissions.clone(),
            },
            (_, Some(50076 | 50079 | 50078)) => AuthError::MfaRequired,
            (_, Some(code @ (53003 | 53000))) => AuthError::BlockedByPolicy {
                detail: if code == 53003 { "access blocked".into() } else { "device not compliant".into() },
            },
            (_, Some(50173)) => AuthError::GrantExpired {
                reason: "the grant was revoked (a password change, or an administrator ended your sessions).".into(),
            },
            (_, Some(700082 | 70008)) => AuthError::GrantExpired {
                reason: "the connection went unused for too long and expired.".into(),
            },
            (_, Some(70043 | 50089 | 50132 | 50133 | 50057 | 9002313)) => AuthError::GrantExpired {
                reason: "your sign-in is no longer valid.".into(),
            },
            (_, Some(50011)) => AuthError::RedirectUriMismatch { redirect_uri: context.redirect_uri.clone() },
            (_, Some(700016 | 90002 | 500011 | 50194)) => AuthError::AppNotFound {
                client_id: context.client_id.clone(),
                tenant: context.tenant.clone(),
            },
            (_, Some(7000218)) => AuthError::NotPublicClient,
            ("interaction_required", _) => AuthError::MfaRequired,
            ("invalid_grant", _) => AuthError::GrantExpired { reason: format!("{first_sentence}.") },
            _ => AuthError::Refused { error: error.to_string(), code, description: first_sentence },
        }
    }
}

/// Microsoft's error description without the trace and correlation ids it appends.
pub fn without_trace(description: &str) -> String {
    description
        .split(" Trace ID:")
        .next()
        .unwrap_or(description)
        .trim()
        .to_string()
}

/// What an error message needs to name.
#[derive(Debug, Clone, Default)]
pub struct OAuthContext {
    pub client_id: String,
    pub tenant: String,
    pub redirect_uri: String,
    pub admin_permissions: String,
}

/// `AADSTS50173: The provided grant…` → 50173.
pub fn aadsts_code(description: &str) -> Option<u32> {
    let rest = description.trim_start().strip_prefix("AADSTS")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(error: &str, description: &str) -> AuthError {
        let context = OAuthContext {
            client_id: "3fa85f64-5717-4562-b3fc-2c963f66afa6".into(),
            tenant: "contoso.onmicrosoft.com".into(),
            redirect_uri: "http://localhost:51234/".into(),
            admin_permissions: "Team.ReadBasic.All and User.Read.All".into(),
        };
        AuthError::from_oauth(error, description, &context)
    }

    #[test]
    fn every_documented_sign_in_failure_has_its_own_code_and_advice() {
        let cases = [
            (
                "access_denied",
                "AADSTS65004: User declined to consent to access the app.",
                ErrorCode::ConsentDeclined,
            ),
            (
                "consent_required",
                "AADSTS90094: Need admin approval.",
                ErrorCode::AdminConsentRequired,
            ),
            (
                "invalid_grant",
                "AADSTS65001: The user or administrator has not consented.",
                ErrorCode::AdminConsentRequired,
            ),
            (
                "interaction_required",
                "AADSTS50076: Due to a configuration change ... multi-factor",
                ErrorCode::MfaRequired,
            ),
            (
                "invalid_grant",
                "AADSTS53003: Access has been blocked by Conditional Access policies.",
                ErrorCode::BlockedByPolicy,
            ),
            (
                "invalid_grant",
                "AADSTS50173: The provided grant has expired due to it being revoked.",
                ErrorCode::GrantExpired,
            ),
            (
                "invalid_grant",
                "AADSTS700082: The refresh token has expired due to inactivity.",
                ErrorCode::GrantExpired,
            ),
            (
                "invalid_request",
                "AADSTS50011: The redirect URI does not match.",
                ErrorCode::RedirectUriMismatch,
            ),
            (
                "unauthorized_client",
                "AADSTS700016: Application with identifier was not found.",
                ErrorCode::AppNotFound,
            ),
            (
                "invalid_client",
                "AADSTS7000218: The request body must contain client_assertion.",
                ErrorCode::NotPublicClient,
            ),
            (
                "server_error",
                "AADSTS90033: A transient error has occurred.",
                ErrorCode::SignInRefused,
            ),
        ];
        for (error, description, expected) in cases {
            let mapped = map(error, description);
            assert_eq!(mapped.code(), expected, "{description}");
            let sentence = mapped.to_string();
            assert!(sentence.ends_with('.'), "{sentence}");
        }
    }

    #[test]
    fn messages_name_what_to_fix() {
        assert!(
            map("invalid_request", "AADSTS50011: x")
                .to_string()
                .contains("http://localhost:51234/")
        );
        assert!(
            map("x", "AADSTS700016: x")
                .to_string()
                .contains("3fa85f64-5717-4562-b3fc-2c963f66afa6")
        );
        assert!(
            map("consent_required", "AADSTS90094: x")
                .to_string()
                .contains("Team.ReadBasic.All and User.Read.All")
        );
        assert!(map("invalid_grant", "AADSTS50173: x").needs_reconnect());
        assert!(!map("access_denied", "AADSTS65004: x").needs_reconnect());
    }

    #[test]
    fn reads_the_aadsts_number() {
        assert_eq!(aadsts_code("AADSTS50173: The provided grant"), Some(50173));
        assert_eq!(aadsts_code("no code here"), None);
    }
}
