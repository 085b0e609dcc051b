"""The SQLite that `sam build` puts in the search layer is the packaged one, for arm64, with FTS5.

Inspects .aws-sam/build/SearchLayer when `make build` made it, else builds that one layer with
the SAM CLI of `make install-sam` into a temporary directory (a few seconds: one wheel from
PyPI). The layer must hold sqlean for linux aarch64 / CPython 3.13, compiled with FTS5, and the
same sqlean release (this machine's wheel: an arm64 binary cannot run here) runs an FTS5 query
with our index code. Skips, saying why, when neither a build nor the SAM CLI is there.
"""

from __future__ import annotations

import os
import re
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from newsdesk.search.index import SearchIndex, SearchRequest, Upsert
from newsdesk.search.query import parse_query
from tests.unit.search_support import article

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / ".aws-sam" / "build" / "SearchLayer" / "python"
EM_AARCH64 = 183  # ELF e_machine


SAM = ROOT / ".venv-sam" / "bin" / "sam"


def _python313() -> Path | None:
    """The python3.13 sam build needs for the layer (as the Makefile finds it)."""
    candidates = sorted((Path.home() / ".pyenv" / "versions").glob("3.13*/bin/python3.13"))
    found = [path for path in candidates if path.is_file()]
    if found:
        return found[-1]
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        path = Path(folder) / "python3.13"
        if path.is_file():
            return path
    return None


@pytest.fixture(scope="module")
def built_layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if LAYER.is_dir():
        return LAYER
    python = _python313()
    if not SAM.is_file() or python is None:
        pytest.skip("no built search layer, and no SAM CLI (make install-sam) or python3.13")
    build_dir = tmp_path_factory.mktemp("sam-build")
    env = {**os.environ, "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env["SAM_CLI_TELEMETRY"] = "0"
    result = subprocess.run(
        [
            str(SAM),
            "build",
            "SearchLayer",
            "--template",
            "template.yaml",
            "--build-dir",
            str(build_dir),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"sam build SearchLayer failed:\n{result.stdout}{result.stderr}"
    return build_dir / "SearchLayer" / "python"


def _native_modules(layer: Path) -> list[Path]:
    return sorted((layer / "sqlean").glob("_sqlite3*.so"))


def test_the_layer_holds_sqlean_for_arm64_and_python_3_13(built_layer: Path) -> None:
    modules = _native_modules(built_layer)
    assert modules, f"no sqlean native module in {built_layer}"
    for module in modules:
        assert "cpython-313-aarch64-linux-gnu" in module.name, module.name
        header = module.read_bytes()[:20]
        assert header[:4] == b"\x7fELF"
        assert int.from_bytes(header[18:20], "little") == EM_AARCH64, "not an arm64 binary"
    # And nothing of the runtime's own sqlite3 is shadowed or needed
    assert not (built_layer / "sqlite3").exists()


def test_the_layer_sqlite_is_compiled_with_fts5(built_layer: Path) -> None:
    (module,) = _native_modules(built_layer)
    binary = module.read_bytes()
    # SQLite keeps its compile options as strings (PRAGMA compile_options reads them).
    assert b"ENABLE_FTS5" in binary
    assert b"fts5: syntax error near" in binary  # the FTS5 query parser itself is linked in


def test_the_same_sqlean_release_runs_an_fts5_query(built_layer: Path, tmp_path: Path) -> None:
    dist = sorted(built_layer.glob("sqlean_py-*.dist-info"))
    assert dist, "no sqlean_py dist-info in the layer"
    layer_version = re.sub(r"^sqlean_py-|\.dist-info$", "", dist[-1].name)
    # This machine cannot execute the arm64 binary; it runs the same release built for it.
    assert version("sqlean.py") == layer_version
    index = SearchIndex.create(tmp_path / "index.sqlite")
    index.apply([Upsert(article("fts5", "FTS5 works in the layer", ["Phrase queries run."]), "v1")])
    (hit,) = index.search(SearchRequest(parse_query('"phrase queries" layer'))).hits
    assert "<mark>" in hit.snippet
