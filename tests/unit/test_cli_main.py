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
    # Given `newsdesk parse FILES | head -c 10`, with more output than a pipe buffer holds:
    # the reader takes 10 bytes and goes away while the command is still writing
    command = [sys.executable, "-m", "newsdesk_cli.main", "parse", *[str(SAMPLE)] * 80]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'shared'}:{ROOT}", "PATH": "/usr/bin:/bin"},
    )
    assert process.stdout is not None and process.stderr is not None
    head = process.stdout.read(10)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    code = process.wait(timeout=60)
    # Then no traceback, and the exit status says "broken pipe" as Unix tools do
    assert head == b"[\n  {\n    "
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    assert code == 141


def test_search_snippets_read_well_in_a_terminal() -> None:
    assert _plain("…the <mark>wind</mark> farm &amp; the &lt;quay&gt;") == (
        "…the [wind] farm & the <quay>"
    )
