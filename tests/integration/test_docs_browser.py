"""/docs in a real browser: headless Chromium renders Swagger UI from the local stack's API."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.integration.devstack import running_stack

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def render_dom(url: str, profile_dir: Path) -> str:
    """The DOM after Swagger UI's scripts ran (virtual time lets them finish), as HTML."""
    process = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile_dir}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        dom, _ = process.communicate(timeout=90)
    finally:
        # Chromium starts helper processes; none may outlive the test.
        with contextlib.suppress(ProcessLookupError):  # the group already ended
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return dom


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed: `make test` installs Debian's chromium package with "
    "apt-get when it can; it could not on this machine",
)
def test_docs_page_lists_every_route(tmp_path: Path) -> None:
    with running_stack("--no-samples") as stack:
        # Given the routes the API documents
        status, _, spec = stack.get("/openapi.json")
        assert status == 200
        routes = set(spec["paths"])
        assert {"/articles", "/health"} <= routes

        # When a browser opens /docs
        dom = render_dom(f"{stack.api_url}/docs", tmp_path / "chromium-profile")

    # Then the rendered page shows an operation for each of them
    rendered = set(re.findall(r'data-path="([^"]+)"', dom))
    assert rendered == routes, (
        f"Swagger UI rendered {sorted(rendered)}; the API has {sorted(routes)}"
    )
    assert "newsdesk" in dom
