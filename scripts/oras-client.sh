#!/usr/bin/env bash
# The ORAS Python SDK (PyPI package `oras`) as a small command line, for the OCI tests:
#   scripts/oras-client.sh version
#   scripts/oras-client.sh pull REFERENCE OUTDIR [USER PASSWORD]
# REFERENCE is `host:port/repository:tag` (or `@sha256:...`); the files of its layers are
# written to OUTDIR, named by their title annotations, and their paths printed one a line. The
# registry's certificate is trusted from $REQUESTS_CA_BUNDLE (a bundle that holds it).
# Installs the SDK into .cache/venv-oras on first use.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/venv.sh"
venv=$(venv oras 'oras.client' 'oras==0.2.43')
exec "$venv/bin/python" - "$@" <<'PY'
import sys
import oras.client
import oras.version

command = sys.argv[1] if len(sys.argv) > 1 else "version"
if command == "version":
    print(f"oras-py {oras.version.__version__}")
    sys.exit(0)
if command != "pull":
    sys.exit(f"unknown command {command}")
reference, outdir = sys.argv[2], sys.argv[3]
client = oras.client.OrasClient(hostname=reference.split("/", 1)[0], tls_verify=True)
if len(sys.argv) > 5:
    # Basic credentials for the registry's token realm; nothing is written to a Docker config.
    client.auth.set_basic_auth(sys.argv[4], sys.argv[5])
for path in client.pull(target=reference, outdir=outdir):
    print(path)
PY
