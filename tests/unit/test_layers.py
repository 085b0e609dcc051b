"""Lean deployments: each layer's pinned list follows pyproject.toml, holds nothing the runtime
has, and each function finds everything it imports in its own layers (newsdesk_cli/layers.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from newsdesk_cli import layers
from newsdesk_cli.template import (
    function_layers,
    handler_module,
    load_template,
    resources_of_type,
)
from tests.conftest import CORPUS_DIR, FIXTURES_DIR, ROOT

TEMPLATE = load_template()
FUNCTIONS = resources_of_type(TEMPLATE, "AWS::Serverless::Function")
TEMPLATE_LAYERS = resources_of_type(TEMPLATE, "AWS::Serverless::LayerVersion")
LAYERS = {layer.logical_id: layer for layer in layers.layers()}
RUNTIME = layers.runtime_provided()
NEVER_IMPORTED = layers.never_imported()

LOADED_BY = """
import importlib, json, sys, sysconfig
from pathlib import Path
before = set(sys.modules)
importlib.import_module(sys.argv[1])
if len(sys.argv) > 2:
    from newsdesk.errors import ParseError
    from newsdesk.parsing import parse_article
    for path in sys.argv[2:]:
        try:
            parse_article(Path(path).read_bytes(), filename=Path(path).name)
        except ParseError:
            pass  # a bad file is refused the same way on Lambda; its imports still count
site = tuple(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
new = {name.split(".")[0] for name in set(sys.modules) - before}
# Installed packages only: not the stdlib, our code, or modules without a file.
files = {name: getattr(sys.modules.get(name), "__file__", None) or "" for name in new}
print(json.dumps(sorted(name for name, file in files.items() if file.startswith(site))))
"""


def _locks() -> dict[str, dict[str, str]]:
    return {layer_id: layers.read_lock(layer.lock_path) for layer_id, layer in LAYERS.items()}


@cache
def _installed() -> dict[str, layers.Resolved]:
    """The resolution, as the distributions installed here describe it (names, requirements)."""
    found = {}
    for distribution in metadata.distributions():
        name = canonicalize_name(distribution.metadata["Name"])
        found[name] = layers.Resolved(
            distribution.metadata["Name"], distribution.version, tuple(distribution.requires or ())
        )
    return found


def test_each_layer_pins_the_requirements_pyproject_states() -> None:
    for layer in LAYERS.values():
        pins = layers.read_lock(layer.lock_path)
        for line in layer.requirements:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            assert name in pins, f"{layer.logical_id} lacks {name}: run `make requirements`"
            assert requirement.specifier.contains(pins[name], prereleases=True), (
                f"{layer.logical_id} pins {name}=={pins[name]}, outside {requirement.specifier}"
            )


def test_each_layer_holds_the_closure_of_its_requirements_and_nothing_else() -> None:
    # Given the dependencies the installed distributions declare, without the runtime's and
    # the never-imported ones, when each layer's closure is computed as make requirements does
    stop = RUNTIME | NEVER_IMPORTED
    shared = layers.closure(LAYERS["SharedLayer"].requirements, _installed(), stop)
    for layer_id, pins in _locks().items():
        expected = layers.closure(LAYERS[layer_id].requirements, _installed(), stop)
        if layer_id != "SharedLayer":
            expected -= shared
        # Then the pinned list is exactly that: complete for --no-deps, nothing extra
        assert set(pins) == expected, f"{layer_id}: run `make requirements`"


def test_no_layer_carries_what_the_runtime_has_or_what_nothing_imports() -> None:
    seen: dict[str, str] = {}
    for layer_id, pins in _locks().items():
        assert not set(pins) & RUNTIME, f"{layer_id} carries runtime packages"
        assert not set(pins) & NEVER_IMPORTED, f"{layer_id} carries never-imported packages"
        for name in pins:
            assert name not in seen, f"{name} is in both {seen.get(name)} and {layer_id}"
            seen[name] = layer_id


def test_template_layers_are_built_from_their_pinned_lists() -> None:
    for layer_id, properties in TEMPLATE_LAYERS.items():
        assert layer_id in LAYERS, f"{layer_id} has no group in pyproject.toml"
        assert ROOT / properties["ContentUri"] == LAYERS[layer_id].content_dir
        build = TEMPLATE["Resources"][layer_id]["Metadata"]
        assert (build["BuildMethod"], build.get("ContextPath")) == ("makefile", "layers")
    assert (ROOT / "shared" / "newsdesk" / "__init__.py").is_file()


def test_every_function_carries_the_shared_layer_first() -> None:
    for function_id in FUNCTIONS:
        assert function_layers(TEMPLATE, function_id)[:1] == ["SharedLayer"], function_id


def _distributions_loaded(function_id: str, files: list[Path]) -> set[str]:
    """Canonical names of the installed distributions a fresh interpreter loads when it imports
    the function's handler (and parses `files`)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT)]),
        "POWERTOOLS_TRACE_DISABLED": "1",
    }
    module = handler_module(FUNCTIONS[function_id])
    result = subprocess.run(
        [sys.executable, "-c", LOADED_BY, module, *map(str, files)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    owners = metadata.packages_distributions()
    loaded: set[str] = set()
    for name in json.loads(result.stdout.strip().splitlines()[-1]):
        assert name in owners, f"{function_id} loads {name}, which no distribution provides"
        loaded.update(canonicalize_name(owner) for owner in owners[name])
    return loaded


# Imported when present, with a fallback when not: botocore takes certifi's CA bundle if it can
# import it (the ParsingLayer has it), else its own.
OPTIONAL = {"certifi"}


def _carried(function_id: str) -> set[str]:
    locks = _locks()
    carried = RUNTIME.union(*(locks[layer] for layer in function_layers(TEMPLATE, function_id)))
    return carried | OPTIONAL


@pytest.mark.parametrize("function_id", sorted(FUNCTIONS))
def test_each_handler_finds_what_it_imports_in_its_own_layers(function_id: str) -> None:
    loaded = _distributions_loaded(function_id, [])
    assert loaded <= _carried(function_id), f"missing: {sorted(loaded - _carried(function_id))}"


def test_the_parser_on_every_format_imports_only_what_the_ingest_function_carries() -> None:
    # Given every fixture and sample file (and the shared corpus when it is beside the repo)
    files = [p for p in FIXTURES_DIR.rglob("*") if p.is_file()]
    files += [p for p in (ROOT / "newsdesk_cli" / "samples").iterdir() if p.is_file()]
    if CORPUS_DIR.is_dir():
        files += [p for p in CORPUS_DIR.rglob("*") if p.suffix in {".txt", ".html", ".md"}]
    # When the ingest handler is imported and parses each of them in a fresh interpreter
    loaded = _distributions_loaded("IngestFunction", files)
    # Then the parser's libraries were used, all from the function's own layers, and none of
    # the packages left out of every layer was imported
    assert {"trafilatura", "lxml", "pyyaml"} <= loaded
    assert loaded <= _carried("IngestFunction"), sorted(loaded - _carried("IngestFunction"))
    assert not loaded & NEVER_IMPORTED
