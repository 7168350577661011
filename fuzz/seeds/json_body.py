"""Seeds of `json_body`: a selector byte (the kind, modulo 9, in the order of
`tfreg_core::fuzzing::JSON_BODY_KINDS`) and a JSON document. `-ok` documents deserialise."""

import json

TOKENS, KEYS, SHASUMS, UPLOADS, DISCOVERY, MODULE_VERSIONS, LOCATION, PROVIDER_VERSIONS, DOWNLOAD = range(9)

ARMOR = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF...\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n"
SUMS = "0123456789abcdef" * 4 + "  terraform-provider-demo_1.0.0_linux_amd64.zip\n"


def doc(kind, value):
    text = value if isinstance(value, (str, bytes)) else json.dumps(value)
    return bytes([kind]) + (text.encode() if isinstance(text, str) else text)


def seeds():
    download = {
        "protocols": ["5.0"], "os": "linux", "arch": "amd64",
        "filename": "terraform-provider-demo_1.0.0_linux_amd64.zip",
        "download_url": "https://example.invalid/x.zip", "shasums_url": "https://example.invalid/SHA256SUMS",
        "shasums_signature_url": "https://example.invalid/SHA256SUMS.sig", "shasum": "0123" * 16,
        "signing_keys": {"gpg_public_keys": [{"key_id": "9646C94FD9EE0B0E", "ascii_armor": ARMOR}]},
    }
    versions = {"versions": [{"version": "1.0.0", "protocols": ["5.0", "6.0"],
                              "platforms": [{"os": "linux", "arch": "amd64"}]}], "warnings": ["old"]}
    return {
        "token-ok": doc(TOKENS, {"tier": "uploader", "namespaces": ["acme", "Acme", "b-c"],
                                 "description": "ci", "expires_in_days": 90}),
        "token-minimal-ok": doc(TOKENS + 9, {"tier": "downloader"}),
        "token-nulls-ok": doc(TOKENS, '{"tier":"uploader","namespaces":null,"description":null}'),
        "token-unknown-tier-ok": doc(TOKENS, {"tier": "admin"}),
        "token-empty-namespaces-ok": doc(TOKENS, {"tier": "uploader", "namespaces": []}),
        "token-bad-namespace-ok": doc(TOKENS, {"tier": "uploader", "namespaces": ["-acme", "caf\u00e9"]}),
        "token-zero-days-ok": doc(TOKENS, {"tier": "uploader", "expires_in_days": 0}),
        "token-long-description-ok": doc(TOKENS, {"tier": "uploader", "description": "\u00e9" * 257}),
        "token-escapes-ok": doc(TOKENS, '{"tier":"up\\u006coader","description":"\\ud83d\\ude00\\n"}'),
        "token-unknown-field": doc(TOKENS, {"tier": "uploader", "admin": True}),
        "token-duplicate-field": doc(TOKENS, '{"tier":"uploader","tier":"downloader"}'),
        "token-wrong-type": doc(TOKENS, {"tier": 5}),
        "token-negative-days": doc(TOKENS, {"tier": "uploader", "expires_in_days": -1}),
        "token-huge-days": doc(TOKENS, '{"tier":"uploader","expires_in_days":1e400}'),
        "token-lone-surrogate": doc(TOKENS, '{"tier":"\\ud800"}'),
        "token-not-utf8": doc(TOKENS, b'{"tier":"\xff"}'),
        "token-truncated": doc(TOKENS, '{"tier":"upl'),
        "token-deep": doc(TOKENS, "[" * 200 + "]" * 200),
        "token-empty": doc(TOKENS, ""),
        "key-ok": doc(KEYS, {"namespace": "acme", "ascii_armor": ARMOR}),
        "key-bad-namespace-ok": doc(KEYS, {"namespace": "bad ns", "ascii_armor": ""}),
        "key-missing-armor": doc(KEYS, {"namespace": "acme"}),
        "shasums-ok": doc(SHASUMS, {"shasums": SUMS, "signature": "iQEzBAABCAAdFiEE\n"}),
        "shasums-bad-ok": doc(SHASUMS, {"shasums": "nope", "signature": "%%%"}),
        # serde reads a struct from an array of its fields, in order, too.
        "shasums-array-ok": doc(SHASUMS, [SUMS, "x"]),
        "upload-ok": doc(UPLOADS, {}),
        "upload-array-ok": doc(UPLOADS, []),
        "upload-field": doc(UPLOADS, {"size": 1}),
        "upload-null": doc(UPLOADS, "null"),
        "discovery-ok": doc(DISCOVERY, {"modules.v1": "/v1/modules/", "providers.v1": "/v1/providers/"}),
        "discovery-extra-ok": doc(DISCOVERY, {"login.v1": {"client": "x"}, "modules.v1": None}),
        "discovery-wrong-type": doc(DISCOVERY, {"modules.v1": 1}),
        "module-versions-ok": doc(MODULE_VERSIONS, {"modules": [{"source": "acme/vpc/aws",
                                                                  "versions": [{"version": "1.0.0"}]}]}),
        "module-versions-missing": doc(MODULE_VERSIONS, {"versions": []}),
        "location-ok": doc(LOCATION, {"location": "https://example.invalid/a.tar.gz"}),
        "location-number": doc(LOCATION, {"location": 1}),
        "provider-versions-ok": doc(PROVIDER_VERSIONS, versions),
        "provider-versions-empty-ok": doc(PROVIDER_VERSIONS, {}),
        "provider-versions-bad": doc(PROVIDER_VERSIONS, {"versions": [{"protocols": []}]}),
        "download-ok": doc(DOWNLOAD, download),
        "download-missing-keys": doc(DOWNLOAD, {k: v for k, v in download.items() if k != "signing_keys"}),
    }
