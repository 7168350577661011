//! The wire documents: one serde type for every JSON document the registry serves, reads from a
//! request body or reads from an upstream registry, so the format is a type rather than a
//! `json!` literal. Field names and optional fields follow what the Terraform CLI (and OpenTofu)
//! read; `tests/snapshots.rs` pins the rendered JSON of the answers.

mod admin;
mod catalogue;
mod discovery;
mod identity;
mod lifecycle;
mod mirror;
mod module_docs;
mod modules;
mod provider_docs;
mod providers;
mod requests;
mod scm;
mod uploads;

pub use admin::{
    AuditEntry, AuditPage, CreatedToken, KeyList, KeyRecord, PinList, PinRecord, Pinned, ReindexReport,
    TokenList, TokenView,
};
pub use catalogue::{
    ListMeta, ModuleList, ModuleSummary, NamespaceList, NamespaceSummary, ProviderList, ProviderSummary,
};
pub use discovery::{Discovery, Health, LoginV1};
pub use identity::{CreateTrust, ExchangeRequest, Exchanged, TrustList, TrustView};
pub use lifecycle::{DeprecateRequest, Deprecation, Yank, YankRequest};
pub use mirror::{MirrorArchive, MirrorIndex, MirrorVersion, NoAttributes};
pub use module_docs::{Input, ModuleCall, ModuleDocs, ModulePart, Output, ProviderRequirement, Resource};
pub use modules::{
    DownloadLocation, ModuleDetail, ModuleVersionDetail, ModuleVersionView, ModuleVersions,
    ModuleVersionsEntry, VersionEntry,
};
pub use provider_docs::{DocEntry, DocPage, DocsIndex, DocsRef, ProviderDocs};
pub use providers::{
    GpgPublicKey, PlatformEntry, ProviderDetail, ProviderDownload, ProviderPlatformView, ProviderPublished,
    ProviderVersionDetail, ProviderVersionEntry, ProviderVersionView, ProviderVersions, ShaSumsPublished,
    SigningKeys,
};
pub use requests::{AddKey, CreateToken, OpenUpload, PublishShaSums, RegisterExternal};
pub use scm::{
    CreateSource, DeliveryList, DeliveryResult, DeliveryView, ModuleRule, MonorepoRule, SourceList,
    SourceView, SyncReport,
};
pub use uploads::{UploadOpened, UploadReceived, UploadStatus};

use serde::{Deserialize, Serialize};

/// `{"errors": ["..."]}`: every error answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Errors {
    /// What went wrong, for a person to read.
    pub errors: Vec<String>,
}
