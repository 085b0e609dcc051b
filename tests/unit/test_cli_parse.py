"""`newsdesk parse FILE...` prints records as JSON and reports bad files on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk_cli.main import main
from tests.conftest import FIXTURES_DIR

TEXT_ARTICLE = b"Opinion | Night trains are back\nBy Ana Lima\nNight trains returned on Friday.\n"


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_one_file_prints_one_indented_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "story.txt", TEXT_ARTICLE)

    assert main(["parse", path]) == 0

    out = capsys.readouterr().out
    record = json.loads(out)
    assert isinstance(record, dict)
    assert out.startswith("{\n  ")
    assert record["headline"] == "Night trains are back"
    assert record["source"]["key"] == path
    assert record["source"]["format"] == "text"


def test_id_is_derived_from_the_path_as_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    path = write(tmp_path, "story.txt", TEXT_ARTICLE)
    main(["parse", path])
    assert (
        json.loads(capsys.readouterr().out)["id"] == hashlib.sha256(path.encode()).hexdigest()[:16]
    )


def test_several_files_print_an_array(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(FIXTURES_DIR / "html/article.html"), str(FIXTURES_DIR / "json/article.json")]

    assert main(["parse", *files]) == 0

    records = json.loads(capsys.readouterr().out)
    assert [r["source"]["format"] for r in records] == ["html", "json"]


def test_jsonl_prints_an_array(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(FIXTURES_DIR / "json/feed.jsonl")]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3


def test_format_can_be_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "story.txt", b"---\ntitle: Forced\n---\nBody of the story.\n")

    assert main(["parse", "--format", "markdown", path]) == 0

    assert json.loads(capsys.readouterr().out)["headline"] == "Forced"


def test_a_bad_file_is_one_line_on_stderr_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, "good.txt", TEXT_ARTICLE)
    empty = write(tmp_path, "empty.txt", b"")

    assert main(["parse", empty, good]) == 1

    captured = capsys.readouterr()
    assert captured.err == f"newsdesk: {empty}: empty: the file is empty\n"
    # the other file is still printed
    assert [r["headline"] for r in json.loads(captured.out)] == ["Night trains are back"]


def test_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nope.txt")

    assert main(["parse", missing]) == 1

    captured = capsys.readouterr()
    assert captured.err.startswith(f"newsdesk: {missing}: unreadable: ")
    assert captured.out == ""


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["parse", "--format", "pdf", "a.txt"])
    assert info.value.code == 2
