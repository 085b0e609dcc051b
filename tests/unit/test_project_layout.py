"""The layout rules of STYLE.md and the template, checked so they cannot rot silently."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from newsdesk_cli.template import load_template, resources_of_type

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "shared" / "newsdesk"


def _python_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.py") if "__pycache__" not in p.parts]


def test_every_function_folder_holds_only_its_handler() -> None:
    for folder in (ROOT / "functions").iterdir():
        if not folder.is_dir():
            continue
        files = {p.name for p in folder.iterdir() if p.name != "__pycache__"}
        assert files == {"app.py"}, f"{folder.name} holds {sorted(files)}"
        assert "def lambda_handler" in (folder / "app.py").read_text(encoding="utf-8")


def test_template_functions_point_at_existing_handlers() -> None:
    functions = resources_of_type(load_template(), "AWS::Serverless::Function")
    assert functions, "template.yaml declares no functions"
    for logical_id, properties in functions.items():
        code = ROOT / properties["CodeUri"]
        module, _, attribute = properties["Handler"].partition(".")
        assert (code / f"{module}.py").is_file(), logical_id
        assert f"def {attribute}" in (code / f"{module}.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", sorted((ROOT / "events").glob("*.json")), ids=lambda p: p.name)
def test_sample_events_are_json_objects(path: Path) -> None:
    assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict)


def test_only_settings_reads_the_environment() -> None:
    readers = [
        p.relative_to(ROOT)
        for p in _python_files(PACKAGE) + _python_files(ROOT / "functions")
        if re.search(r"os\.environ|os\.getenv", p.read_text(encoding="utf-8"))
    ]
    assert [str(p) for p in readers] == ["shared/newsdesk/settings.py"]


def test_only_storage_talks_to_aws() -> None:
    pattern = re.compile(r"^\s*(import|from)\s+(boto3|botocore)\b", re.MULTILINE)
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in _python_files(PACKAGE)
        if pattern.search(p.read_text(encoding="utf-8")) and p.parent.name != "storage"
    ]
    assert offenders == []


def test_pure_modules_import_nothing_from_aws_or_powertools() -> None:
    pattern = re.compile(
        r"^\s*(import|from)\s+(boto3|botocore|aws_lambda_powertools)\b", re.MULTILINE
    )
    pure = [*_python_files(PACKAGE / "parsing"), PACKAGE / "models.py", PACKAGE / "errors.py"]
    offenders = [str(p.relative_to(PACKAGE)) for p in pure if pattern.search(p.read_text("utf-8"))]
    assert offenders == []
