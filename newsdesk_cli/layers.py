"""Which packages each Lambda layer carries, pinned for the python3.13 runtime on arm64.

pyproject.toml lists the runtime dependencies once: `dependencies` are the SharedLayer's (every
function carries it) and each extra but `dev` is a layer of its own (`parsing`: ParsingLayer in
layers/parsing/, for IngestFunction alone). `make requirements` (`python -m newsdesk_cli.layers`)
resolves them with pip for the Lambda platform and writes each layer's complete pinned list;
layers/Makefile installs those with `--no-deps`, so a layer holds exactly what is listed:
- nothing the python3.13 runtime already has: boto3 and its dependencies (AWS warns that a copy
  of urllib3 in a deployment breaks when the runtime's botocore is updated);
- nothing no code path imports (`[tool.newsdesk.layers] never-imported` in pyproject.toml, with
  what only they pull in), which tests/unit/test_layers.py checks;
- nothing twice: a package the SharedLayer has is left out of the other layers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
SHARED_LAYER = "SharedLayer"

# The Lambda platform the layers are built for (template.yaml: python3.13, arm64).
PIP_PLATFORM = [
    "--only-binary=:all:",
    "--implementation",
    "cp",
    "--python-version",
    "3.13",
    "--platform",
    "manylinux2014_aarch64",
    "--platform",
    "manylinux_2_28_aarch64",
]
MARKER_ENVIRONMENT = {
    **default_environment(),
    "python_version": "3.13",
    "python_full_version": "3.13.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "aarch64",
}


@dataclass(frozen=True)
class Layer:
    logical_id: str  # in template.yaml
    extra: str | None  # the pyproject extra; None for `dependencies`
    requirements: tuple[str, ...]  # as pyproject.toml states them
    lock_path: Path  # the pinned, complete list layers/Makefile installs

    @property
    def content_dir(self) -> Path:
        return self.lock_path.parent


def layer_id(extra: str) -> str:
    """The template's logical id of an extra's layer: parsing -> ParsingLayer."""
    return "".join(part.capitalize() for part in extra.replace("_", "-").split("-")) + "Layer"


def load_pyproject() -> dict[str, Any]:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


def layers(project: dict[str, Any] | None = None) -> list[Layer]:
    """The SharedLayer, then one layer per extra (dev excluded), as pyproject.toml declares."""
    project = project or load_pyproject()
    found = [
        Layer(
            SHARED_LAYER,
            None,
            tuple(project["project"]["dependencies"]),
            ROOT / "shared" / "requirements.txt",
        )
    ]
    for extra, requirements in project["project"].get("optional-dependencies", {}).items():
        if extra != "dev":
            lock = ROOT / "layers" / extra / "requirements.txt"
            found.append(Layer(layer_id(extra), extra, tuple(requirements), lock))
    return found


def runtime_provided(project: dict[str, Any] | None = None) -> frozenset[str]:
    """Canonical names of the packages the Lambda runtime brings (boto3 and its dependencies)."""
    config = (project or load_pyproject())["tool"]["newsdesk"]["layers"]
    return frozenset(canonicalize_name(name) for name in config["runtime-provided"])


def never_imported(project: dict[str, Any] | None = None) -> frozenset[str]:
    """Canonical names of declared dependencies no newsdesk code path imports."""
    config = (project or load_pyproject())["tool"]["newsdesk"]["layers"]
    return frozenset(canonicalize_name(name) for name in config["never-imported"])


def read_lock(path: Path) -> dict[str, str]:
    """Canonical name -> pinned version of one layer's requirements.txt."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    return pins


@dataclass(frozen=True)
class Resolved:
    """One distribution of pip's resolution for the Lambda platform."""

    name: str  # as published
    version: str
    requires: tuple[str, ...]


def resolve(requirements: Iterable[str]) -> dict[str, Resolved]:
    """pip's resolution of the requirements for python3.13 on manylinux aarch64 (from PyPI)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--dry-run",
                "--ignore-installed",
                "--report",
                str(report),
                "--target",
                str(Path(scratch) / "target"),
                *PIP_PLATFORM,
                *requirements,
            ],
            check=True,
        )
        installs = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {
        canonicalize_name(item["metadata"]["name"]): Resolved(
            item["metadata"]["name"],
            item["metadata"]["version"],
            tuple(item["metadata"].get("requires_dist") or ()),
        )
        for item in installs
    }


def closure(roots: Iterable[str], resolved: dict[str, Resolved], stop: frozenset[str]) -> set[str]:
    """Canonical names reached from the root requirements, not entering `stop` packages."""
    visited: set[tuple[str, str]] = set()
    pending = [Requirement(root) for root in roots]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in stop:
            continue
        for extra in {"", *requirement.extras}:
            if (name, extra) in visited:
                continue
            visited.add((name, extra))
            for line in resolved[name].requires:
                dependency = Requirement(line)
                environment = {**MARKER_ENVIRONMENT, "extra": extra}
                if dependency.marker is None or dependency.marker.evaluate(environment):
                    pending.append(dependency)
    return {name for name, _ in visited}


def lock_layers() -> dict[str, dict[str, str]]:
    """Layer logical id -> {published name: version}, resolved together so versions agree."""
    project = load_pyproject()
    all_layers = layers(project)
    resolved = resolve(requirement for layer in all_layers for requirement in layer.requirements)
    stop = runtime_provided(project) | never_imported(project)
    shared = closure(all_layers[0].requirements, resolved, stop)
    locks: dict[str, dict[str, str]] = {}
    for layer in all_layers:
        names = closure(layer.requirements, resolved, stop)
        if layer.logical_id != SHARED_LAYER:
            names -= shared
        locks[layer.logical_id] = {
            resolved[name].name: resolved[name].version for name in sorted(names)
        }
    return locks


def write_locks() -> list[Path]:
    written = []
    locks = lock_layers()
    for layer in layers():
        who = "every function" if layer.extra is None else f"the `{layer.extra}` extra"
        lines = [
            f"# {layer.logical_id} ({who}): written by `make requirements` from pyproject.toml,",
            "# resolved for the python3.13 runtime on arm64. Complete: layers/Makefile installs it",
            "# with --no-deps. Left out: what the runtime has, what no code path imports, and what",
            "# the SharedLayer already carries.",
            *(f"{name}=={version}" for name, version in locks[layer.logical_id].items()),
        ]
        layer.lock_path.parent.mkdir(parents=True, exist_ok=True)
        layer.lock_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(layer.lock_path)
    return written


if __name__ == "__main__":
    for path in write_locks():
        print(f"wrote {path.relative_to(ROOT)}")
