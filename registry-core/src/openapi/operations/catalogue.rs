//! The browsing operations: lists, search, and the detail of modules and providers.

use serde_json::json;

use crate::catalogue::MAX_LIMIT;
use crate::openapi::builder::{Op, Schemas};
use crate::protocol::{
    DocPage, DocsIndex, ModuleDetail, ModuleList, ModuleVersionDetail, NamespaceList, ProviderDetail,
    ProviderList, ProviderVersionDetail,
};

const TAG: &str = "catalogue";

pub(crate) fn operations(s: &mut Schemas) -> Vec<Op> {
    let modules = s.answer::<ModuleList>();
    let providers = s.answer::<ProviderList>();
    vec![
        Op::get("/v1/namespaces", "namespaces", TAG, "The namespaces that hold something").answers(
            200,
            "Namespaces the caller may read.",
            s.answer::<NamespaceList>(),
        ),
        paged(Op::get("/v1/modules", "modules", TAG, "Every module"), true, true).answers(
            200,
            "A page of modules.",
            modules.clone(),
        ),
        paged(search(Op::get("/v1/modules/search", "moduleSearch", TAG, "Search modules")), false, true)
            .answers(200, "Matching modules, best first.", modules.clone()),
        paged(Op::get("/v1/modules/{ns}", "namespaceModules", TAG, "A namespace's modules"), true, true)
            .answers(200, "A page of modules.", modules.clone()),
        paged(
            Op::get("/v1/modules/{ns}/{name}", "moduleSystems", TAG, "One module name, every system"),
            true,
            true,
        )
        .answers(200, "A page of modules.", modules),
        Op::get(
            "/v1/modules/{ns}/{name}/{system}",
            "module",
            TAG,
            "A module: its latest version and every version",
        )
        .answers(200, "The module.", s.answer::<ModuleDetail>()),
        Op::get(
            "/v1/modules/{ns}/{name}/{system}/{version}",
            "moduleVersion",
            TAG,
            "One module version and what its code documents",
        )
        .answers(200, "The version.", s.answer::<ModuleVersionDetail>()),
        paged(Op::get("/v1/providers", "providers", TAG, "Every provider"), true, false).answers(
            200,
            "A page of providers.",
            providers.clone(),
        ),
        paged(
            search(Op::get("/v1/providers/search", "providerSearch", TAG, "Search providers")),
            false,
            false,
        )
        .answers(200, "Matching providers, best first.", providers.clone()),
        paged(
            Op::get("/v1/providers/{ns}", "namespaceProviders", TAG, "A namespace's providers"),
            true,
            false,
        )
        .answers(200, "A page of providers.", providers),
        Op::get(
            "/v1/providers/{ns}/{type}",
            "provider",
            TAG,
            "A provider: its latest version and every version",
        )
        .answers(200, "The provider.", s.answer::<ProviderDetail>()),
        Op::get("/v1/providers/{ns}/{type}/{version}", "providerVersion", TAG, "One provider version")
            .answers(200, "The version.", s.answer::<ProviderVersionDetail>()),
        Op::get(
            "/v1/providers/{ns}/{type}/{version}/docs",
            "providerDocs",
            TAG,
            "A provider version's documentation pages",
        )
        .answers(200, "The pages.", s.answer::<DocsIndex>()),
        Op::get(
            "/v1/providers/{ns}/{type}/{version}/docs/{category}/{slug}",
            "providerDocPage",
            TAG,
            "One documentation page",
        )
        .answers(200, "The page, rendered.", s.answer::<DocPage>()),
    ]
}

fn paged(op: Op, sorted: bool, modules: bool) -> Op {
    let op = op.param("offset", "How many entries to skip.", json!({"type": "integer", "minimum": 0})).param(
        "limit",
        "How many entries a page holds.",
        json!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
    );
    let op = if sorted {
        op.param(
            "sort",
            "`name` (the default) or `recent` (newest publish first).",
            json!({"enum": ["name", "recent"]}),
        )
    } else {
        op
    };
    if modules {
        op.param("provider", "Only modules for this target system.", json!({"type": "string"}))
    } else {
        op
    }
}

fn search(op: Op) -> Op {
    op.query(
        "q",
        "Words to find in names, namespaces and descriptions.",
        true,
        json!({"type": "string", "minLength": 1}),
    )
}
