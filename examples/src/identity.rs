//! `terraform login` through an OpenID Connect provider for `tfreg serve` (`--oidc-*`): the
//! settings read from the flags and files, with the client of [`crate::oidc_http`] (which also
//! forwards AWS callers' signed requests to STS, `--aws-sts-url`).

use std::time::Duration;

use tfreg_core::identity::{ClaimRules, OidcConfig};

use crate::cli::ServeArgs;

/// Sets up `terraform login` as `tfreg serve`'s flags say (without `--oidc-issuer`, only the
/// client trusted publishing reaches issuers with).
pub(crate) fn configure(
    builder: tfreg_core::RegistryBuilder,
    args: &ServeArgs,
) -> crate::Result<tfreg_core::RegistryBuilder> {
    let http = crate::oidc_http::client()?;
    let builder = match &args.aws_sts_url {
        Some(url) => builder.aws_sts_url(url.clone()),
        None => builder,
    };
    // Trusted publishing reaches the issuers its rules name, with or without sign-in.
    let Some(issuer) = &args.oidc_issuer else { return Ok(builder.oidc_http(http)) };
    let client_id = args.oidc_client_id.clone().ok_or("--oidc-issuer needs --oidc-client-id")?;
    let secret_file =
        args.oidc_client_secret_file.as_ref().ok_or("--oidc-issuer needs --oidc-client-secret-file")?;
    let client_secret = std::fs::read_to_string(secret_file)
        .map_err(|e| format!("cannot read the OIDC client secret file {}: {e}", secret_file.display()))?
        .trim()
        .to_owned();
    let rules: ClaimRules = match &args.oidc_rules {
        None => ClaimRules::default(),
        Some(path) => {
            let text = std::fs::read(path)
                .map_err(|e| format!("cannot read the OIDC rules {}: {e}", path.display()))?;
            serde_json::from_slice(&text)
                .map_err(|e| format!("the OIDC rules {} are not valid: {e}", path.display()))?
        }
    };
    rules.check().map_err(|e| format!("the OIDC rules are not valid: {e}"))?;
    let config = OidcConfig {
        issuer: issuer.trim_end_matches('/').to_owned(),
        client_id,
        client_secret,
        rules,
        token_lifetime: Duration::from_secs(args.oidc_token_lifetime_secs.max(60)),
        scopes: args.oidc_scopes.clone(),
    };
    Ok(builder.oidc(config, http))
}
