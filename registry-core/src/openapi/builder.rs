//! A terse way to write the operation table: [`Op`] builds one [`Operation`], naming path
//! parameters from the template, and [`Schemas`] turns the handlers' own document types into
//! JSON Schemas under `#/components/schemas`.

use std::collections::BTreeMap;

use schemars::generate::{Contract, SchemaSettings};
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

use super::document::{Header, In, MediaType, Operation, Parameter, RequestBody, Response};

/// Where the schemas of named documents live in the OpenAPI document.
const DEFINITIONS: &str = "/components/schemas";

/// The schemas of the documents the registry answers with (as they are serialised) and of
/// those it reads (as they are deserialised: defaults are optional, unknown fields refused).
pub(crate) struct Schemas {
    answers: SchemaGenerator,
    requests: SchemaGenerator,
}

impl Schemas {
    pub(crate) fn new() -> Self {
        let generator = |contract: Contract| {
            SchemaSettings::draft2020_12()
                .with(|s| {
                    s.definitions_path = DEFINITIONS.into();
                    s.contract = contract;
                })
                .into_generator()
        };
        Self { answers: generator(Contract::Serialize), requests: generator(Contract::Deserialize) }
    }

    /// A reference to the schema of `T` as the registry writes it.
    pub(crate) fn answer<T: JsonSchema>(&mut self) -> Value {
        self.answers.subschema_for::<T>().to_value()
    }

    /// A reference to the schema of `T` as the registry reads it.
    pub(crate) fn request<T: JsonSchema>(&mut self) -> Value {
        self.requests.subschema_for::<T>().to_value()
    }

    /// Every named schema. A name both generators define (a type used both ways) must mean the
    /// same schema, or the document would describe one of them wrongly.
    pub(crate) fn finish(mut self) -> Result<Map<String, Value>, String> {
        let mut all = self.answers.take_definitions(true);
        for (name, schema) in self.requests.take_definitions(true) {
            match all.get(&name) {
                Some(existing) if *existing != schema => {
                    return Err(format!("schema {name} differs between requests and answers"))
                }
                _ => {
                    all.insert(name, schema);
                }
            }
        }
        Ok(all)
    }
}

/// Who may call an operation, as the document says it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Auth {
    /// Anyone, without credentials.
    Public,
    /// A link the registry signed (`expires` and `signature` in the query).
    Signed,
    /// A token that may read the namespace, or none when the registry allows anonymous reads.
    Reader,
    /// A token of the tier the description names.
    Token,
}

/// One operation: its method and path template, and the [`Operation`] object.
pub(crate) struct Op {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) operation: Operation,
}

impl Op {
    fn new(
        method: &'static str,
        path: &'static str,
        id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        let parameters = path_parameters(path);
        let mut responses = BTreeMap::new();
        responses.insert(
            "default".to_owned(),
            Response {
                description: "An error: the status says what kind, `errors` what went wrong.",
                headers: BTreeMap::new(),
                content: json_content(json!({ "$ref": format!("#{DEFINITIONS}/Errors") })),
            },
        );
        let operation = Operation {
            operation_id: id,
            summary,
            description: None,
            tags: vec![tag],
            parameters,
            request_body: None,
            responses,
            security: Vec::new(),
            servers: None,
        };
        Op { method, path, operation }.auth(Auth::Reader)
    }

    /// `GET path`.
    pub(crate) fn get(
        path: &'static str,
        id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        Self::new("get", path, id, tag, summary)
    }

    /// `PUT path`.
    pub(crate) fn put(
        path: &'static str,
        id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        Self::new("put", path, id, tag, summary)
    }

    /// `POST path`.
    pub(crate) fn post(
        path: &'static str,
        id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        Self::new("post", path, id, tag, summary)
    }

    /// `PATCH path`.
    pub(crate) fn patch(
        path: &'static str,
        id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        Self::new("patch", path, id, tag, summary)
    }

    /// `DELETE path`.
    pub(crate) fn delete(
        path: &'static str,
        id: &'static str,
        tag: &'static str,
        summary: &'static str,
    ) -> Self {
        Self::new("delete", path, id, tag, summary)
    }

    /// A longer description (Markdown).
    pub(crate) fn describe(mut self, text: &'static str) -> Self {
        self.operation.description = Some(text);
        self
    }

    /// Who may call it.
    pub(crate) fn auth(mut self, auth: Auth) -> Self {
        let bearer = || BTreeMap::from([("token", Vec::new())]);
        self.operation.security = match auth {
            Auth::Public | Auth::Signed => vec![BTreeMap::new()],
            Auth::Reader => vec![bearer(), BTreeMap::new()],
            Auth::Token => vec![bearer()],
        };
        if let Auth::Signed = auth {
            self = self
                .query(
                    "expires",
                    "When the link stops working (Unix seconds).",
                    true,
                    json!({"type": "integer", "minimum": 0}),
                )
                .query(
                    "signature",
                    "The registry's signature over the path and `expires`.",
                    true,
                    json!({"type": "string"}),
                );
        }
        self
    }

    /// An optional query parameter.
    pub(crate) fn param(self, name: &'static str, description: &'static str, schema: Value) -> Self {
        self.query(name, description, false, schema)
    }

    /// A query parameter.
    pub(crate) fn query(
        mut self,
        name: &'static str,
        description: &'static str,
        required: bool,
        schema: Value,
    ) -> Self {
        let parameter = Parameter { name, location: In::Query, required, description, schema, example: None };
        self.operation.parameters.push(parameter);
        self
    }

    /// A JSON request body.
    pub(crate) fn body(mut self, required: bool, schema: Value) -> Self {
        self.operation.request_body = Some(RequestBody { required, content: json_content(schema) });
        self
    }

    /// A request body that is one of several JSON documents, each with its own media type (an
    /// OCI image index or image manifest).
    pub(crate) fn body_as(mut self, documents: Vec<(&'static str, Value)>) -> Self {
        let content = documents.into_iter().map(|(media, schema)| (media, MediaType { schema })).collect();
        self.operation.request_body = Some(RequestBody { required: true, content });
        self
    }

    /// A file as the request body.
    pub(crate) fn file(mut self, media_types: &[&'static str]) -> Self {
        let content = media_types.iter().map(|m| (*m, MediaType { schema: binary() })).collect();
        self.operation.request_body = Some(RequestBody { required: true, content });
        self
    }

    /// A JSON answer with `status`.
    pub(crate) fn answers(mut self, status: u16, description: &'static str, schema: Value) -> Self {
        let response = Response { description, headers: BTreeMap::new(), content: json_content(schema) };
        self.operation.responses.insert(status.to_string(), response);
        self
    }

    /// A file answer (200) of one of `media_types`.
    pub(crate) fn file_answer(mut self, description: &'static str, media_types: &[&'static str]) -> Self {
        let content = media_types.iter().map(|m| (*m, MediaType { schema: binary() })).collect();
        self.operation
            .responses
            .insert("200".into(), Response { description, headers: BTreeMap::new(), content });
        self
    }

    /// An answer without a body.
    pub(crate) fn empty(mut self, status: u16, description: &'static str) -> Self {
        let response = Response { description, headers: BTreeMap::new(), content: BTreeMap::new() };
        self.operation.responses.insert(status.to_string(), response);
        self
    }

    /// A header the answer with `status` carries (which must already be listed).
    pub(crate) fn header(mut self, status: u16, name: &'static str, description: &'static str) -> Self {
        if let Some(response) = self.operation.responses.get_mut(&status.to_string()) {
            let header = Header { description, required: true, schema: json!({"type": "string"}) };
            response.headers.insert(name, header);
        }
        self
    }

    /// A redirect (302) to where the file is.
    pub(crate) fn redirect(self, description: &'static str) -> Self {
        self.empty(302, description).header(302, "Location", "Where to fetch it.")
    }

    /// An answer with `status` whose body is one of several JSON documents, each with its own
    /// media type (an OCI image index or image manifest).
    pub(crate) fn answers_as(
        mut self,
        status: u16,
        description: &'static str,
        documents: Vec<(&'static str, Value)>,
    ) -> Self {
        let content = documents.into_iter().map(|(media, schema)| (media, MediaType { schema })).collect();
        self.operation
            .responses
            .insert(status.to_string(), Response { description, headers: BTreeMap::new(), content });
        self
    }

    /// Errors as the OCI distribution API words them (`errors` of `code`, `message`, `detail`),
    /// in place of the registry's own error document.
    pub(crate) fn oci_errors(mut self, schema: Value) -> Self {
        let response = Response {
            description: "An error: the status says what kind, each error's `code` (`NAME_UNKNOWN`, `MANIFEST_UNKNOWN`, `BLOB_UNKNOWN`, `UNAUTHORIZED`, `DENIED`, ...) what went wrong; a 401 carries a `Bearer` challenge naming the token realm.",
            headers: BTreeMap::new(),
            content: json_content(schema),
        };
        self.operation.responses.insert("default".to_owned(), response);
        self
    }
}

fn json_content(schema: Value) -> BTreeMap<&'static str, MediaType> {
    BTreeMap::from([("application/json", MediaType { schema })])
}

fn binary() -> Value {
    json!({"type": "string", "contentMediaType": "application/octet-stream"})
}

/// The parameters a path template names (`{ns}`, `{version}.json`), each with the grammar the
/// router checks.
fn path_parameters(path: &'static str) -> Vec<Parameter> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = start + rest[start..].find('}').expect("a closed path parameter");
        let name = &rest[start + 1..end];
        let (description, schema) = path_grammar(path, name);
        let example = path_example(name);
        out.push(Parameter { name, location: In::Path, required: true, description, schema, example });
        rest = &rest[end + 1..];
    }
    out
}

const NAME: &str = "^[A-Za-z0-9]([A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$";
const VERSION: &str = concat!(
    "^v?(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})",
    "(-(0|[1-9][0-9]{0,8}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\\.(0|[1-9][0-9]{0,8}|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?",
    "(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$"
);

/// The value the document suggests for a path parameter: together they name the module
/// `acme/net/aws` 1.0.0 and the provider `acme/null` 1.0.0 for `linux_amd64`.
fn path_example(name: &str) -> Option<&'static str> {
    Some(match name {
        "ns" => "acme",
        "name" => "net",
        "system" => "aws",
        "type" => "null",
        "version" => "1.0.0",
        "os" => "linux",
        "arch" => "amd64",
        "reference" => "1.0.0",
        "installation" => "4242",
        "kind" => "gitlab",
        _ => return None,
    })
}

fn path_grammar(path: &str, name: &str) -> (&'static str, Value) {
    let pattern = |p: &str| json!({"type": "string", "pattern": p});
    match name {
        "ns" => ("The namespace.", pattern(NAME)),
        "name" => ("The module name.", pattern(NAME)),
        "system" => ("The target system (the provider a module is for).", pattern("^[a-z0-9]{1,64}$")),
        "type" => ("The provider type.", pattern("^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")),
        "version" => ("A semantic version.", pattern(VERSION)),
        "os" => ("The operating system (`linux`).", pattern("^[a-z][a-z0-9]{0,31}$")),
        "arch" => ("The architecture (`amd64`).", pattern("^[a-z0-9]{1,32}$")),
        "host" => (
            "The provider's origin host as its source address names it.",
            pattern("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$"),
        ),
        "file" => (
            "A package (`{sha256}.zip`), `SHA256SUMS` or `SHA256SUMS.sig`.",
            pattern("^([0-9a-f]{64}\\.zip|SHA256SUMS|SHA256SUMS\\.sig)$"),
        ),
        "sha256" => ("The archive's SHA-256, lower-case hex.", pattern("^[0-9a-f]{64}$")),
        "id" if path.starts_with("/v1/tokens/") => ("The token's id.", pattern("^[0-9a-f]{20}$")),
        "id" if path.starts_with("/v1/auth/trust/") => ("The rule's id.", pattern("^[0-9a-f]{32}$")),
        "installation" => ("The GitHub App installation's id.", json!({"type": "integer", "minimum": 1})),
        "id" if path.starts_with("/v1/sources/") || path.starts_with("/v1/webhooks/") => {
            ("The source's id.", pattern("^[0-9a-f]{32}$"))
        }
        "kind" => (
            "The host's kind (`bitbucket` for Cloud and Data Center).",
            pattern("^(github|gitlab|bitbucket)$"),
        ),
        "id" => ("The session's id.", pattern("^[0-9a-f]{32}$")),
        "category" => {
            ("The page's category (`resources`, `data-sources`, `guides`...).", pattern("^[a-z0-9_-]{1,64}$"))
        }
        "slug" => ("The page's name.", pattern("^[A-Za-z0-9_.-]{1,128}$")),
        "reference" => (
            "A tag (a version, `+` written `_`; `latest` for a module) or a manifest's digest.",
            pattern("^([A-Za-z0-9_][A-Za-z0-9._-]{0,127}|sha256:[0-9a-f]{64})$"),
        ),
        "digest" => ("The blob's digest.", pattern("^sha256:[0-9a-f]{64}$")),
        other => panic!("the path parameter {{{other}}} has no grammar"),
    }
}
