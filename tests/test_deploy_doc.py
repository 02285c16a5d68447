"""The deployment guide: its nginx configuration is the file the two-node test runs."""

from __future__ import annotations

import re
from pathlib import Path

from cluster_nodes import NGINX_CONFIG, nginx_site

REPOSITORY = Path(__file__).resolve().parent.parent
GUIDE = REPOSITORY / "docs" / "deploy.md"


def test_the_guide_shows_the_tested_nginx_configuration() -> None:
    blocks = re.findall(r"^```nginx\n(.*?)^```$", GUIDE.read_text(encoding="utf-8"), re.M | re.S)
    assert blocks == [NGINX_CONFIG.read_text(encoding="utf-8")]


def test_the_test_puts_its_own_nodes_and_port_into_the_configuration() -> None:
    site = nginx_site(["127.0.0.1:8101", "127.0.0.1:8102", "127.0.0.1:8103"], 8100)
    servers = re.findall(r"^\s*server (\S+) (.*);$", site, re.M)
    assert servers == [
        (f"127.0.0.1:{port}", "max_fails=1 fail_timeout=10s") for port in (8101, 8102, 8103)
    ]
    assert "listen 127.0.0.1:8100;" in site and "listen 80;" not in site
    assert "10.0.0." not in site  # the guide's example nodes are all replaced


def test_the_readme_links_the_guide() -> None:
    assert "(docs/deploy.md)" in (REPOSITORY / "README.md").read_text(encoding="utf-8")
