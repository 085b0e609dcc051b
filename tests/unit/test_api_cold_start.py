"""The API function must not pay for the parser: no trafilatura, charset detection or parsing."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

HEAVY = ("trafilatura", "charset_normalizer", "lxml", "newsdesk.parsing", "newsdesk.enrichment")


def test_importing_the_api_and_its_storage_loads_nothing_of_the_parser() -> None:
    code = (
        "import sys, functions.api.app, newsdesk.storage.queries, newsdesk.service.content; "
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'shared'}:{ROOT}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "[]"
