//! `tfreg mirror import DIR`: ingest what `terraform providers mirror DIR` wrote.
//!
//! The packed layout is `DIR/{host}/{namespace}/{type}/terraform-provider-{type}_{version}_{os}_{arch}.zip`
//! beside `index.json` and `{version}.json` (whose `archives.{os}_{arch}.hashes` are checked
//! against each package).

use std::path::Path;
use std::sync::Arc;

use tfreg_core::protocol::MirrorVersion;
use tfreg_core::types::{Platform, ProviderAddress, Version};
use tfreg_core::Registry;

use crate::cli::ImportArgs;

/// Imports every package under `args.dir`; fails on the first package that does not check out.
pub(crate) fn run(args: ImportArgs) -> crate::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        let storage = Arc::new(tfreg_storage::from_url(&args.storage)?);
        let registry = Registry::builder(storage).build().await?;
        let mut imported = 0;
        for host in subdirs(&args.dir)? {
            for namespace in subdirs(&host)? {
                for type_dir in subdirs(&namespace)? {
                    let [host_name, ns, ty] = [&host, &namespace, &type_dir].map(|p| file_name(p));
                    let addr = ProviderAddress::on_host(&host_name, &ns, &ty)?;
                    imported += import_type(&registry, &addr, &type_dir).await?;
                }
            }
        }
        if imported == 0 {
            return Err(format!(
                "no provider packages found under {}: expected HOST/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip",
                args.dir.display()
            )
            .into());
        }
        println!("imported {imported} provider package(s) into {}", args.storage);
        Ok(())
    })
}

async fn import_type(registry: &Registry, addr: &ProviderAddress, dir: &Path) -> crate::Result<usize> {
    let prefix = format!("terraform-provider-{}_", addr.r#type);
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix).and_then(|r| r.strip_suffix(".zip")) else {
            continue;
        };
        // VERSION_OS_ARCH, where the version has no `_`.
        let mut parts = rest.splitn(2, '_');
        let (Some(version), Some(platform)) = (parts.next(), parts.next()) else {
            return Err(format!("cannot read version and platform from {name}").into());
        };
        let version = Version::parse(version)?;
        let platform = Platform::parse(platform)?;
        let hashes = expected_hashes(dir, &version, &platform)?;
        let package = std::fs::File::open(entry.path())?;
        registry.import_provider_package(None, addr, &version, &platform, package, &hashes).await?;
        println!("  {addr} {version} {platform}");
        count += 1;
    }
    Ok(count)
}

/// The hashes `{version}.json` lists for the platform, if that file is there.
fn expected_hashes(dir: &Path, version: &Version, platform: &Platform) -> crate::Result<Vec<String>> {
    let path = dir.join(format!("{version}.json"));
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let document: MirrorVersion = serde_json::from_slice(&std::fs::read(&path)?)
        .map_err(|e| format!("{} is not a mirror version document: {e}", path.display()))?;
    Ok(document.archives.get(&platform.to_string()).map(|a| a.hashes.clone()).unwrap_or_default())
}

fn subdirs(dir: &Path) -> crate::Result<Vec<std::path::PathBuf>> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    Ok(out)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
