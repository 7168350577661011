# Shared by the scripts in bench/ (source it): the nginx baseline's configuration and the large
# provider package the memory benchmarks send and fetch.

# nginx_config WORK HTTP: writes WORK/nginx.conf, whose pid file and error log are in WORK and
# whose http block holds HTTP (servers and settings) after `access_log off;`.
nginx_config() {
  cat >"$1/nginx.conf" <<NGINX
worker_processes auto;
pid $1/nginx.pid;
error_log $1/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
$2
}
NGINX
}

# big_provider_zip PATH MB: a provider package of MB MiB at PATH, stored (not deflated): one
# incompressible, executable terraform-provider-big_v1.0.0.
big_provider_zip() {
  python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
path, mb = sys.argv[1], int(sys.argv[2])
with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
    info = zipfile.ZipInfo("terraform-provider-big_v1.0.0")
    info.external_attr = 0o100755 << 16
    with z.open(info, "w", force_zip64=True) as f:
        for _ in range(mb):
            f.write(os.urandom(1 << 20))
PY
}
