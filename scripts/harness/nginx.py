"""nginx on 127.0.0.1 in a directory of its own: the deployed site
(deploy/nginx/sheer-recovery.conf) or any configuration a benchmark writes."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import ROOT
from .process import Group, Proc, free_port_or_fail, port_open, wait_for
from .site import STATIC_ROOT, manage


@dataclass
class Nginx:
    proc: Proc
    dir: Path


def start(group: Group, conf: str, *, directory: Path, wait_ports: list[int]) -> Nginx:
    """nginx -c directory/nginx.conf (checked with nginx -t first) in the foreground."""
    conf_path = directory / "nginx.conf"
    conf_path.write_text(conf)
    nginx = ["nginx", "-p", str(directory), "-e", str(directory / "error.log"), "-c", str(conf_path)]
    check = subprocess.run([*nginx, "-t", "-q"], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t failed: {check.stderr}")
    proc = group.start("nginx", [*nginx, "-g", "daemon off;"])
    for port in wait_ports:
        wait_for(lambda port=port: port_open(port), timeout=10, what=f"nginx on {port}", proc=proc)
    return Nginx(proc, directory)


def deploy_site(
    group: Group, env: dict, upstream_ports: list[int], *, https_port: int = 8843, http_port: int = 8880
) -> Nginx:
    """deploy/nginx/sheer-recovery.conf itself, with only its host paths,
    ports and certificate swapped for local ones (each swap must match, so
    the file tested is the file deployed); its outage page rendered by the app."""
    for port in (https_port, http_port):
        free_port_or_fail(port)
    nginx_dir = group.work / "nginx"
    for sub in ("cache", "tmp", "outage", "public", "acme"):
        (nginx_dir / sub).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", str(nginx_dir / "key.pem"),
         "-out", str(nginx_dir / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (ROOT / "deploy/nginx/sheer-recovery.conf").read_text()
    upstreams = "".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in upstream_ports)
    swaps = [
        ("    server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;\n    server 127.0.0.1:8001 max_fails=3 fail_timeout=10s;\n", upstreams),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n"),
        ("    listen [::]:80;\n", ""),
        ("    server_name www.sheerrecovery.com;\n", "    server_name www.sheerrecovery.com 127.0.0.1;\n"),
        ("/etc/letsencrypt/live/www.sheerrecovery.com/fullchain.pem", str(nginx_dir / "cert.pem")),
        ("/etc/letsencrypt/live/www.sheerrecovery.com/privkey.pem", str(nginx_dir / "key.pem")),
        ("    ssl_stapling on;\n    ssl_stapling_verify on;\n", ""),
        ("/var/cache/nginx/sheer", str(nginx_dir / "cache")),
        ("/srv/sheer/staticfiles/", f"{STATIC_ROOT}/"),
        ("/srv/sheer/outage", str(nginx_dir / "outage")),
        ("/srv/sheer/public", str(nginx_dir / "public")),
        ("/var/www/acme", str(nginx_dir / "acme")),
        ("/etc/nginx/snippets/sheer-proxy.conf", str(ROOT / "deploy/nginx/sheer-proxy.conf")),
        # The scripts read the status, the time and the cache status of each
        # request from their own log (load_fleet counts 5xx and cache hits there).
        ("    access_log /var/log/nginx/sheer-access.log sheer_no_query;\n", ""),
    ]  # fmt: skip
    for old, new in swaps:
        if old not in site:
            raise RuntimeError(f"deploy/nginx/sheer-recovery.conf changed: {old.strip()!r} not found")
        site = site.replace(old, new)
    (nginx_dir / "site.conf").write_text(site)
    manage(env, "render_outage_page", str(nginx_dir / "outage" / "50x.html"))
    tmp = nginx_dir / "tmp"
    main_conf = f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {nginx_dir}/nginx.pid;
error_log {nginx_dir}/error.log warn;
events {{ worker_connections 2048; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format timed '$status $request_method $uri $request_time $upstream_cache_status';
    access_log {nginx_dir}/access.log timed;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    sendfile on;
    keepalive_timeout 65;
    gzip on;
    include {nginx_dir}/site.conf;
}}
"""
    return start(group, main_conf, directory=nginx_dir, wait_ports=[https_port])
