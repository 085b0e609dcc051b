"""The `newsdesk` command itself: --version, a top-level help a new user can read, and output
piped into a reader that stops early (`newsdesk parse FILE | head`) ends quietly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk_cli.commands.search import _plain
from newsdesk_cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "newsdesk_cli" / "samples" / "harbour-wind-farm.txt"


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("newsdesk 0.")


def test_help_says_what_newsdesk_is_and_how_to_start(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "article files" in text and "newsdesk dev" in text and "examples:" in text
    assert "entry point" not in text and "dispatches" not in text
    for command in ("parse", "dev", "upload", "reindex", "redrive", "search"):
        assert f"    {command}" in text


def test_parse_into_a_reader_that_stops_early_ends_quietly() -> None:
    # Given `newsdesk parse FILE | head -1`
    script = f"{sys.executable} -m newsdesk_cli.main parse {SAMPLE} {SAMPLE} {SAMPLE} | head -c 10"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'shared'}:{ROOT}", "PATH": "/usr/bin:/bin"},
    )
    # Then no traceback, and the exit status says "broken pipe" as Unix tools do
    assert result.stdout == "[\n  {\n    "
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
    assert result.returncode == 141


def test_search_snippets_read_well_in_a_terminal() -> None:
    assert _plain("…the <mark>wind</mark> farm &amp; the &lt;quay&gt;") == (
        "…the [wind] farm & the <quay>"
    )
