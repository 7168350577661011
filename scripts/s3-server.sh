#!/usr/bin/env bash
# Runs a real S3-compatible server (moto's server mode, from PyPI) on 127.0.0.1 for the tests:
#   scripts/s3-server.sh PORT BUCKET
# Installs moto into .cache/venv-moto on first use, creates BUCKET, prints "ready" and keeps the
# server in the foreground (the caller kills it). Requests are served one at a time, so S3's
# conditional writes (If-None-Match / If-Match) are atomic as they are on AWS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/venv.sh"
venv=$(venv moto 'moto.server, boto3' 'moto[server]==5.2.5')
port=${1:?usage: s3-server.sh PORT BUCKET}
bucket=${2:?usage: s3-server.sh PORT BUCKET}
exec "$venv/bin/python" - "$port" "$bucket" <<'PY'
import sys, threading, time
import boto3
from werkzeug.serving import make_server
from moto.server import DomainDispatcherApplication, create_backend_app

port, bucket = int(sys.argv[1]), sys.argv[2]
app = DomainDispatcherApplication(create_backend_app)
server = make_server("127.0.0.1", port, app, threaded=False)
threading.Thread(target=server.serve_forever, daemon=True).start()
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test")
s3.create_bucket(Bucket=bucket)
print("ready", flush=True)
while True:
    time.sleep(3600)
PY
