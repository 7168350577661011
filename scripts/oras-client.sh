#!/usr/bin/env bash
# The ORAS Python SDK (PyPI package `oras`) as a small command line, for the OCI tests:
#   scripts/oras-client.sh version
#   scripts/oras-client.sh pull REFERENCE OUTDIR [USER PASSWORD]
#   scripts/oras-client.sh push-module REFERENCE ZIP [USER PASSWORD]
#   scripts/oras-client.sh push-provider REFERENCE DIR [USER PASSWORD]
# REFERENCE is `host:port/repository:tag` (or `@sha256:...`). `pull` writes the files of its
# layers to OUTDIR, named by their title annotations, and prints their paths one a line.
# `push-module` pushes ZIP as an OpenTofu module package (`oras push` with the artifact type as
# the config's media type, as ORAS clients without `artifactType` write it). `push-provider`
# pushes every `terraform-provider-*_OS_ARCH.zip` in DIR as OpenTofu's provider artifact: each
# package in chunks, a platform manifest for each by digest, then the index by tag; it prints
# the index's digest. The registry's certificate is trusted from $REQUESTS_CA_BUNDLE.
# Installs the SDK into .cache/venv-oras on first use.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/venv.sh"
venv=$(venv oras 'oras.client' 'oras==0.2.43')
exec "$venv/bin/python" - "$@" <<'PY'
import sys
import oras.client
import oras.oci
import oras.version

command = sys.argv[1] if len(sys.argv) > 1 else "version"
if command == "version":
    print(f"oras-py {oras.version.__version__}")
    sys.exit(0)
if command not in ("pull", "push-module", "push-provider"):
    sys.exit(f"unknown command {command}")
reference, path = sys.argv[2], sys.argv[3]
client = oras.client.OrasClient(hostname=reference.split("/", 1)[0], tls_verify=True)
if len(sys.argv) > 5:
    # Basic credentials for the registry's token realm; nothing is written to a Docker config.
    client.auth.set_basic_auth(sys.argv[4], sys.argv[5])
if command == "pull":
    for written in client.pull(target=reference, outdir=path):
        print(written)
    sys.exit(0)

import hashlib
import json
import os
import tempfile

EMPTY = "application/vnd.oci.empty.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"
empty = os.path.join(tempfile.mkdtemp(), "config.json")
with open(empty, "w") as f:
    f.write("{}")

if command == "push-module":
    os.chdir(os.path.dirname(os.path.abspath(path)))
    response = client.push(
        target=reference,
        files=[f"{os.path.basename(path)}:archive/zip"],
        manifest_config=f"{empty}:application/vnd.opentofu.modulepkg",
        disable_path_validation=True,
    )
    if response.status_code != 201:
        sys.exit(f"push failed: {response.status_code} {response.text}")
    sys.exit(0)

container = client.get_container(reference)
provider = None
config = oras.oci.NewLayer(empty, EMPTY)
client.upload_blob(empty, container, config)


def put_manifest(document, media_type, tag):
    body = json.dumps(document).encode()
    url = f"{client.prefix}://{container.manifest_url(tag)}"
    response = client.do_request(url, "PUT", data=body, headers={"Content-Type": media_type})
    if response.status_code != 201:
        sys.exit(f"PUT {url} failed: {response.status_code} {response.text}")
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    if response.headers.get("Docker-Content-Digest") != digest:
        sys.exit(f"the registry says {response.headers.get('Docker-Content-Digest')}, not {digest}")
    return digest, len(body)


entries = []
for name in sorted(os.listdir(path)):
    if not name.endswith(".zip"):
        continue
    os_, arch = name[: -len(".zip")].split("_")[-2:]
    package = os.path.join(path, name)
    layer = oras.oci.NewLayer(package, "archive/zip")
    layer["annotations"] = {"org.opencontainers.image.title": name}
    response = client.upload_blob(package, container, layer, do_chunked=True)
    if response.status_code not in (200, 201):
        sys.exit(f"uploading {name} failed: {response.status_code} {response.text}")
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "artifactType": "application/vnd.opentofu.provider-target",
        "config": config,
        "layers": [layer],
    }
    digest, size = put_manifest(manifest, MANIFEST, "sha256:" + hashlib.sha256(json.dumps(manifest).encode()).hexdigest())
    entries.append({
        "mediaType": MANIFEST,
        "artifactType": "application/vnd.opentofu.provider-target",
        "digest": digest,
        "size": size,
        "platform": {"os": os_, "architecture": arch},
    })
index = {
    "schemaVersion": 2,
    "mediaType": INDEX,
    "artifactType": "application/vnd.opentofu.provider",
    "manifests": entries,
}
digest, _ = put_manifest(index, INDEX, container.tag)
print(digest)
PY
