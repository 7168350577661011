#!/usr/bin/env bash
# Installs the system tools the test suite needs from Debian's packages when they are missing:
# gnupg (the OpenPGP interoperability tests). Idempotent; only talks to the Debian mirrors.
set -euo pipefail
missing=()
command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-tools: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
gpg --version | head -n 1 >&2
