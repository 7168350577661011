#!/usr/bin/env bash
# Installs the tools the test suite needs when they are missing: from Debian's packages git
# (with git http-backend: the external-source tests serve repositories with it), gnupg
# (the OpenPGP interoperability tests), chromium and chromium-driver (the web UI's browser
# tests), skopeo (an OCI client for the OCI distribution tests), buildah (the container
# image's test); from npm axe-core (the
# accessibility check the browser tests run), kept in .cache/tools/axe, and oidc-provider (the
# OpenID Connect provider `terraform login` signs in with in the tests), in .cache/tools/oidc; from PyPI schemathesis
# (which checks the live server against its OpenAPI document), kept in
# .cache/venv-schemathesis, and the ORAS Python SDK (the other OCI client), in
# .cache/venv-oras (see scripts/oras-client.sh). Idempotent; only talks to the Debian mirrors,
# the npm registry and PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v git >/dev/null 2>&1 && [ -x "$(git --exec-path)/git-http-backend" ] || missing+=(git)
command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v buildah >/dev/null 2>&1 || missing+=(buildah)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-tools: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
axe=.cache/tools/axe/node_modules/axe-core/axe.min.js
if [ ! -f "$axe" ]; then
  echo "install-tools: installing axe-core from npm" >&2
  mkdir -p .cache/tools/axe
  npm install --silent --no-audit --no-fund --prefix .cache/tools/axe axe-core@4 >&2
fi
oidc=.cache/tools/oidc/node_modules/oidc-provider/package.json
if [ ! -f "$oidc" ]; then
  echo "install-tools: installing oidc-provider from npm" >&2
  mkdir -p .cache/tools/oidc
  npm install --silent --no-audit --no-fund --prefix .cache/tools/oidc oidc-provider@8.8.1 >&2
fi
. scripts/venv.sh
schemathesis=$(venv schemathesis schemathesis 'schemathesis==4.32.5')
bash scripts/oras-client.sh version >&2
git --version >&2
gpg --version | head -n 1 >&2
skopeo --version >&2
chromium --version >&2
chromedriver --version | head -n 1 >&2
buildah --version >&2
echo "axe-core $(node -p "require('./.cache/tools/axe/node_modules/axe-core/package.json').version")" >&2
echo "oidc-provider $(node -p "require('./.cache/tools/oidc/node_modules/oidc-provider/package.json').version")" >&2
"$schemathesis/bin/st" --version >&2
