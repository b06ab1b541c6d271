//! Where the organization header must not be sent.

use crate::client::Api;

/// Provider-level paths that reject `x-org-id` even when the client has an organization
/// configured, relative to each API's base URL. A path matches an entry when it equals it or
/// continues it with `/` (so `/organizations` covers `/organizations/{id}`, not
/// `/organizationsX`).
///
/// These act on the MSP provider or the administrator rather than on one organization; a
/// multi-tenant key gets an error when it names an organization there. The list is the one
/// JumpCloud's own PowerShell SDK keeps: v1 `/organizations`, `/search/organizations`, `/users`
/// (administrator accounts, not system users); v2 `/organizations`, `/administrators`,
/// `/providers`, `/integrations`. Directory Insights accepts the header everywhere.
///
/// Keep every such path here, and only here: the generated clients carry no per-operation
/// `x-org-id` parameters, the runtime adds the header.
pub const ORG_ID_EXEMPT_PATHS: &[(Api, &str)] = &[
    (Api::V1, "/organizations"),
    (Api::V1, "/search/organizations"),
    (Api::V1, "/users"),
    (Api::V2, "/organizations"),
    (Api::V2, "/administrators"),
    (Api::V2, "/providers"),
    (Api::V2, "/integrations"),
];

/// Whether a request to `path` (relative to the base URL of `api`, without query) carries the
/// configured `x-org-id`.
///
/// Limitation: matching is by path prefix per API; a provider-level endpoint outside these
/// prefixes gets the header until it is added here (or the call uses
/// [`Request::without_org_id`](crate::Request::without_org_id)).
pub fn sends_org_id(api: Api, path: &str) -> bool {
    !ORG_ID_EXEMPT_PATHS.iter().any(|&(exempt_api, prefix)| {
        exempt_api == api
            && path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_level_paths_are_exempt_per_api() {
        assert!(!sends_org_id(Api::V1, "/organizations"));
        assert!(!sends_org_id(Api::V1, "/organizations/abc"));
        assert!(!sends_org_id(Api::V1, "/search/organizations"));
        assert!(!sends_org_id(Api::V1, "/users"));
        assert!(!sends_org_id(Api::V2, "/providers/p1/administrators"));
        assert!(!sends_org_id(Api::V2, "/integrations/"));
        assert!(!sends_org_id(
            Api::V2,
            "/administrators/a1/organizationlinks"
        ));

        assert!(sends_org_id(Api::V2, "/users/u1/associations"));
        assert!(sends_org_id(Api::V1, "/systemusers"));
        assert!(sends_org_id(Api::V2, "/usergroups"));
        assert!(sends_org_id(Api::V2, "/organizationsettings"));
        assert!(sends_org_id(Api::Insights, "/events"));
    }
}
