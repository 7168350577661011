#!/usr/bin/env bash
# Builds tfreg's container image with buildah, from scratch: no base image and no registry are
# needed, so it works offline. The image holds the binary, the few shared libraries it links
# (glibc, libgcc_s) at the paths the loader looks for, the CA certificates, a non-root user
# (65532), a /data volume as the store, and a health check (`tfreg health` against the
# plain-HTTP probe listener). `Containerfile` beside it describes the same image as a
# multi-stage build for builders that can pull base images.
#
#   examples/deploy/container/build.sh target/release/tfreg [localhost/tfreg:latest]
#   podman run -p 8443:8443 -v tfreg-data:/data -e TFREG_MASTER_TOKEN=... localhost/tfreg
set -euo pipefail
binary=${1:?usage: build.sh path/to/tfreg [image]}
image=${2:-localhost/tfreg:latest}
version=$("$binary" --version | awk '{print $2}')
work=$(mktemp -d)
ctr=$(buildah from --format docker scratch)
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

buildah copy --chmod 0755 "$ctr" "$binary" /usr/local/bin/tfreg >/dev/null
ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
  buildah copy "$ctr" "$(readlink -f "$lib")" "$lib" >/dev/null
done
buildah copy "$ctr" /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt >/dev/null
# The user, /tmp (where uploads spool) and /data, with their owners and modes: added as an
# archive, which keeps both.
mkdir -p "$work/root/etc" "$work/root/tmp" "$work/root/data"
printf 'root:x:0:0:root:/root:/sbin/nologin\ntfreg:x:65532:65532:tfreg:/data:/sbin/nologin\n' >"$work/root/etc/passwd"
printf 'root:x:0:\ntfreg:x:65532:\n' >"$work/root/etc/group"
chmod 1777 "$work/root/tmp"
chmod 0700 "$work/root/data"
tar -C "$work/root" --numeric-owner --owner=0 --group=0 -cf "$work/layout.tar" etc tmp
tar -C "$work/root" --numeric-owner --owner=65532 --group=65532 -rf "$work/layout.tar" data
buildah add "$ctr" "$work/layout.tar" / >/dev/null

buildah config \
  --user 65532:65532 \
  --workingdir /data \
  --volume /data \
  --port 8443 \
  --env TFREG_STORAGE=file:///data \
  --env TFREG_LISTEN=0.0.0.0:8443 \
  --env TFREG_METRICS_LISTEN=127.0.0.1:9464 \
  --env TFREG_LOG_FORMAT=json \
  --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --healthcheck 'CMD /usr/local/bin/tfreg health http://127.0.0.1:9464/readyz' \
  --healthcheck-interval 10s --healthcheck-timeout 3s --healthcheck-retries 3 --healthcheck-start-period 5s \
  --entrypoint '["/usr/local/bin/tfreg"]' \
  --cmd serve \
  --label org.opencontainers.image.title=tfreg \
  --label org.opencontainers.image.description="A private Terraform registry" \
  --label org.opencontainers.image.version="$version" \
  "$ctr"
# Docker's format: the OCI image format has no health check.
buildah commit --quiet --format docker --rm "$ctr" "$image" >/dev/null
trap 'rm -rf "$work"' EXIT
echo "$image"
