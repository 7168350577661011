//! The operations Terraform and OpenTofu call: discovery, the module and provider registry
//! protocols, the network mirror, and the signed links their answers point at.

use crate::openapi::builder::{Auth, Op, Schemas};
use crate::protocol::{
    Discovery, DownloadLocation, Health, MirrorIndex, MirrorVersion, ModuleVersions, ProviderDownload,
    ProviderVersions,
};

const TAG: &str = "protocol";

pub(crate) fn operations(s: &mut Schemas) -> Vec<Op> {
    let download = "The version's archive: `204` with `X-Terraform-Get` (what Terraform reads), or `200` with the same location as JSON for a client that sends `Accept: application/json`.";
    vec![
        Op::get("/.well-known/terraform.json", "discovery", TAG, "Service discovery")
            .auth(Auth::Public)
            .answers(200, "Where each service is.", s.answer::<Discovery>()),
        Op::get("/healthz", "health", TAG, "The process answers").auth(Auth::Public).answers(
            200,
            "Up.",
            s.answer::<Health>(),
        ),
        Op::get("/readyz", "ready", TAG, "The store (and a required upstream) answers")
            .auth(Auth::Public)
            .describe("`503` while the store cannot be reached.")
            .answers(200, "Ready.", s.answer::<Health>()),
        Op::get("/v1/openapi.json", "openapi", TAG, "This document").auth(Auth::Public).answers(
            200,
            "The OpenAPI 3.1 document.",
            serde_json::json!({"type": "object"}),
        ),
        Op::get("/v1/modules/{ns}/{name}/{system}/versions", "moduleVersions", TAG, "A module's versions")
            .answers(200, "Every version, newest first.", s.answer::<ModuleVersions>()),
        Op::get(
            "/v1/modules/{ns}/{name}/{system}/download",
            "moduleLatestDownload",
            TAG,
            "Redirect to the latest version's download",
        )
        .redirect("The latest version's download endpoint."),
        Op::get(
            "/v1/modules/{ns}/{name}/{system}/{version}/download",
            "moduleDownload",
            TAG,
            "Where a version's archive is",
        )
        .describe(download)
        .empty(204, "The archive's location is in `X-Terraform-Get`.")
        .header(204, "X-Terraform-Get", "The archive's location (a signed link or the store's).")
        .answers(200, "The archive's location.", s.answer::<DownloadLocation>()),
        Op::get(
            "/v1/archives/modules/{ns}/{name}/{system}/{version}/{sha256}.tar.gz",
            "moduleArchive",
            TAG,
            "A module archive, by signed link",
        )
        .auth(Auth::Signed)
        .file_answer("The archive.", &["application/gzip"]),
        Op::get(
            "/v1/providers/{ns}/{type}/versions",
            "providerVersions",
            TAG,
            "A provider's versions and platforms",
        )
        .answers(
            200,
            "Every version with its protocols and platforms.",
            s.answer::<ProviderVersions>(),
        ),
        Op::get(
            "/v1/providers/{ns}/{type}/{version}/download/{os}/{arch}",
            "providerDownload",
            TAG,
            "One platform's package",
        )
        .answers(200, "The package's links, hash and signing keys.", s.answer::<ProviderDownload>()),
        Op::get(
            "/v1/archives/providers/{host}/{ns}/{type}/{version}/{file}",
            "providerFile",
            TAG,
            "A provider package or its signed sums, by signed link",
        )
        .auth(Auth::Signed)
        .file_answer(
            "The file.",
            &["application/zip", "text/plain; charset=utf-8", "application/octet-stream"],
        ),
        Op::get(
            "/v1/mirror/{host}/{ns}/{type}/index.json",
            "mirrorIndex",
            TAG,
            "Network mirror: a provider's versions",
        )
        .answers(200, "The versions.", s.answer::<MirrorIndex>()),
        Op::get(
            "/v1/mirror/{host}/{ns}/{type}/{version}.json",
            "mirrorVersion",
            TAG,
            "Network mirror: a version's packages",
        )
        .answers(200, "Each platform's package and hash.", s.answer::<MirrorVersion>()),
    ]
}
