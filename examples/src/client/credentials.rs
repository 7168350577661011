//! Where the client finds a registry's token, the places Terraform itself reads, in its order:
//! `TF_TOKEN_{host}` (dots as `_`, dashes as `__`), then a `credentials "HOST" { token = ... }`
//! block in the CLI configuration (the file `TF_CLI_CONFIG_FILE` names, else `~/.terraformrc`),
//! then `credentials.tfrc.json` in Terraform's configuration folder (`~/.terraform.d`), which
//! `tfreg login` writes, so one sign-in serves both Terraform and tfreg.

use std::path::PathBuf;

use serde_json::{json, Value};

/// `~/.terraform.d/credentials.tfrc.json`.
pub(crate) fn file() -> crate::Result<PathBuf> {
    let home =
        std::env::var_os("HOME").ok_or("HOME is not set: cannot find Terraform's configuration folder")?;
    Ok(PathBuf::from(home).join(".terraform.d").join("credentials.tfrc.json"))
}

/// The `TF_TOKEN_*` variable Terraform reads for `host` (`127.0.0.1:8443` as `TF_TOKEN_127_0_0_1:8443`
/// is not a valid name: Terraform takes the host without its port there, and so do we).
fn variable(host: &str) -> String {
    let name = host.split(':').next().unwrap_or(host).replace('-', "__").replace('.', "_");
    format!("TF_TOKEN_{name}")
}

/// The token for `host`, if there is one.
pub(crate) fn token(host: &str) -> crate::Result<Option<String>> {
    if let Ok(token) = std::env::var(variable(host)) {
        return Ok(Some(token));
    }
    if let Some(token) = configured(host)? {
        return Ok(Some(token));
    }
    let path = file()?;
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    let document: Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    Ok(document["credentials"][host]["token"].as_str().map(str::to_owned))
}

/// The CLI configuration file Terraform reads: `TF_CLI_CONFIG_FILE`, else `~/.terraformrc`.
pub(crate) fn cli_config() -> Option<PathBuf> {
    match std::env::var_os("TF_CLI_CONFIG_FILE") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".terraformrc")),
    }
}

/// The token of a `credentials "HOST"` block in the CLI configuration (HCL, or JSON when the
/// file name ends in `.json`, as Terraform reads it).
pub(crate) fn configured(host: &str) -> crate::Result<Option<String>> {
    let Some(path) = cli_config() else { return Ok(None) };
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    let unreadable = |e: &dyn std::fmt::Display| format!("cannot read {}: {e}", path.display());
    if path.extension().is_some_and(|e| e == "json") {
        let document: Value = serde_json::from_str(&text).map_err(|e| unreadable(&e))?;
        return Ok(document["credentials"][host]["token"].as_str().map(str::to_owned));
    }
    let body = hcl::parse(&text).map_err(|e| unreadable(&e))?;
    let token = body
        .blocks()
        .filter(|block| block.identifier() == "credentials")
        .find(|block| block.labels().first().is_some_and(|label| label.as_str() == host))
        .and_then(|block| block.body().attributes().find(|a| a.key() == "token").cloned())
        .and_then(|attribute| match attribute.expr {
            hcl::Expression::String(token) => Some(token),
            _ => None,
        });
    Ok(token)
}

/// Writes (`Some`) or removes (`None`) the token for `host`, keeping every other entry, in a
/// file only its owner may read.
pub(crate) fn store(host: &str, token: Option<&str>) -> crate::Result<PathBuf> {
    let path = file()?;
    let mut document: Value = match std::fs::read_to_string(&path) {
        Ok(text) => {
            serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?
        }
        Err(_) => json!({ "credentials": {} }),
    };
    let credentials = document
        .as_object_mut()
        .ok_or("the credentials file is not a JSON object")?
        .entry("credentials")
        .or_insert_with(|| json!({}));
    let credentials = credentials.as_object_mut().ok_or("its credentials are not a JSON object")?;
    match token {
        Some(token) => {
            credentials.insert(host.to_owned(), json!({ "token": token }));
        }
        None => {
            credentials.remove(host);
        }
    }
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let text = serde_json::to_string_pretty(&document)?;
    write_private(&path, text.as_bytes())?;
    Ok(path)
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file =
        std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::variable;

    #[test]
    fn terraform_names_its_token_variables_so() {
        assert_eq!(variable("registry.example.com"), "TF_TOKEN_registry_example_com");
        assert_eq!(variable("my-registry.example.com:8443"), "TF_TOKEN_my__registry_example_com");
    }
}
