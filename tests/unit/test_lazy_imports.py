"""Parsing plain text never loads the HTML, YAML or charset-detection libraries (cold start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

HEAVY = ("trafilatura", "lxml", "charset_normalizer", "yaml")
PROGRAM = """
import json, sys
from newsdesk.parsing import parse_article
parse_article(b"Headline\\n\\nThe body, in UTF-8 \\xe2\\x80\\x94 plain text.", filename="a.txt")
parse_article(b'{"headline": "A", "body": "B"}', filename="a.json")
print(json.dumps(sorted(m for m in %r if m in sys.modules)))
"""


def test_text_and_json_paths_do_not_import_heavy_libraries() -> None:
    # Given a fresh interpreter, when a text file and a JSON file are parsed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT)])}
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM % (HEAVY,)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    # Then none of the heavy libraries was loaded
    assert json.loads(result.stdout) == []
