#!/usr/bin/env bash
# Runs moto's server (from PyPI, as scripts/s3-server.sh does) on 127.0.0.1 as AWS STS and IAM
# for the tests of AWS workload identity:
#   scripts/sts-server.sh PORT ROLE...
# Creates each IAM role in account 123456789012, assumes it (session `job-42`), prints one line
# `credentials {"ROLE": {"AccessKeyId", "SecretAccessKey", "SessionToken"}, ...}`, then "ready",
# and keeps the server in the foreground (the caller kills it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/venv.sh"
venv=$(venv moto 'moto.server, boto3' 'moto[server]==5.2.5')
port=${1:?usage: sts-server.sh PORT ROLE...}
shift
exec "$venv/bin/python" - "$port" "$@" <<'PY'
import json, sys, threading, time
import boto3
from werkzeug.serving import make_server
from moto.server import DomainDispatcherApplication, create_backend_app

port, roles = int(sys.argv[1]), sys.argv[2:]
app = DomainDispatcherApplication(create_backend_app)
server = make_server("127.0.0.1", port, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
endpoint = f"http://127.0.0.1:{port}"
keys = dict(region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
iam = boto3.client("iam", endpoint_url=endpoint, **keys)
sts = boto3.client("sts", endpoint_url=endpoint, **keys)
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}
credentials = {}
for role in roles:
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    got = sts.assume_role(RoleArn=arn, RoleSessionName="job-42")["Credentials"]
    credentials[role] = {k: got[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")}
print("credentials " + json.dumps(credentials), flush=True)
print("ready", flush=True)
while True:
    time.sleep(3600)
PY
