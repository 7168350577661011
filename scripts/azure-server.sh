#!/usr/bin/env bash
# Runs a real Azure Blob Storage emulator (Azurite, from npm) on 127.0.0.1 for the tests:
#   scripts/azure-server.sh PORT CONTAINER
# Installs Azurite into .cache/azurite and the Azure SDK for Python (to create CONTAINER) into
# .cache/venv-azure on first use, prints "ready" and keeps the emulator in the foreground until
# the caller kills this script. Data lives in a temporary folder removed on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${1:?usage: azure-server.sh PORT CONTAINER}
container=${2:?usage: azure-server.sh PORT CONTAINER}
azurite="$root/.cache/azurite/node_modules/.bin/azurite-blob"
if [ ! -x "$azurite" ]; then
  npm install --silent --no-audit --no-fund --prefix "$root/.cache/azurite" azurite@3.35.0 >&2
fi
venv="$root/.cache/venv-azure"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import azure.storage.blob' 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'azure-storage-blob==12.25.1' >&2
fi
data=$(mktemp -d)
"$azurite" --blobHost 127.0.0.1 --blobPort "$port" --location "$data" --silent --skipApiVersionCheck --disableTelemetry \
  --disableProductStyleUrl >&2 &
emulator=$!
trap 'kill $emulator 2>/dev/null; wait $emulator 2>/dev/null; rm -rf "$data"' EXIT
trap 'exit 0' TERM INT
"$venv/bin/python" - "$port" "$container" <<'PY'
import sys, time
from azure.storage.blob import BlobServiceClient
port, container = sys.argv[1], sys.argv[2]
# Azurite's well-known development account.
key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
url = f"http://127.0.0.1:{port}/devstoreaccount1"
deadline = time.time() + 60
while True:
    try:
        client = BlobServiceClient(account_url=url, credential={"account_name": "devstoreaccount1", "account_key": key})
        client.create_container(container)
        break
    except Exception:
        if time.time() > deadline:
            raise
        time.sleep(0.2)
PY
echo ready
wait $emulator
