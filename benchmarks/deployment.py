"""Each function's unzipped deployment (its code plus its layers), with its largest packages.

From `sam build`'s output (.aws-sam/build) when it is there, else estimated from the layers'
pinned lists and the sizes of those distributions as installed here (another platform's wheels:
close, not exact). Two checks per function, the lean-deployment budget of DESIGN §9:
- runtime packages: what the python3.13 runtime already has (boto3 and its dependencies);
- layers not imported: a layer none of whose packages the function's code imports. The code
  is read, not run: the handler and every newsdesk module it reaches, lazy imports included.
"""

from __future__ import annotations

import ast
import csv
import time
from collections import Counter
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from newsdesk_cli import layers
from newsdesk_cli.template import (
    ROOT,
    TEMPLATE_PATH,
    function_layers,
    load_template,
    resources_of_type,
)

BUILD = ROOT / ".aws-sam" / "build"
PACKAGE_ROOT = ROOT / "shared"
OWN = "newsdesk (our package)"


def measure() -> dict[str, Any]:
    template = load_template()
    built = (BUILD / "template.yaml").is_file()
    layer_sizes = {
        layer.logical_id: (_built_layer(BUILD / layer.logical_id) if built else _estimated(layer))
        for layer in layers.layers()
        if layer.logical_id in resources_of_type(template, "AWS::Serverless::LayerVersion")
    }
    runtime = layers.runtime_provided()
    locks = {layer.logical_id: layers.read_lock(layer.lock_path) for layer in layers.layers()}
    result: dict[str, Any] = {
        "source": "sam build (.aws-sam/build)" if built else "estimate: pinned lists, local sizes",
        "layers": {},
        "functions": {},
    }
    if built:
        built_at = (BUILD / "template.yaml").stat().st_mtime
        inputs = [TEMPLATE_PATH, *(layer.lock_path for layer in layers.layers())]
        result["built_at"] = datetime.fromtimestamp(built_at, UTC).isoformat(timespec="seconds")
        result["stale"] = any(path.stat().st_mtime > built_at for path in inputs if path.exists())
    for layer_id, packages in layer_sizes.items():
        result["layers"][layer_id] = {
            "bytes": sum(packages.values()),
            "packages": sorted(name for name in packages if name != OWN),
        }
    for function_id, properties in sorted(
        resources_of_type(template, "AWS::Serverless::Function").items()
    ):
        code_dir = (BUILD / function_id) if built else ROOT / properties["CodeUri"]
        code_bytes = sum(p.stat().st_size for p in _files(code_dir))
        attached = function_layers(template, function_id)
        packages: Counter[str] = Counter({"function code": code_bytes})
        for layer_id in attached:
            packages.update(layer_sizes.get(layer_id, {}))
        imported = _imported_top_levels(ROOT / properties["CodeUri"] / "app.py")
        result["functions"][function_id] = {
            "bytes": sum(packages.values()),
            "layers": attached,
            "largest": [[name, size] for name, size in packages.most_common(5)],
            "runtime_packages": sorted(
                name
                for layer_id in attached
                for name in locks.get(layer_id, {})
                if canonicalize_name(name) in runtime
            ),
            "layers_not_imported": [
                layer_id
                for layer_id in attached
                if layer_id != layers.SHARED_LAYER
                and not any(_provides(name, imported) for name in locks.get(layer_id, {}))
            ],
        }
    return result


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def _built_layer(folder: Path) -> Counter[str]:
    """Bytes per distribution in a built layer, .pyc files counted with their sources."""
    site = folder / "python"
    owner: dict[str, str] = {}
    for record in site.glob("*.dist-info/RECORD"):
        distribution = canonicalize_name(record.parent.name.split("-")[0])
        with record.open(encoding="utf-8") as handle:
            for row in csv.reader(handle):
                if row:
                    owner[row[0]] = distribution
    sizes: Counter[str] = Counter()
    for path in _files(site):
        relative = path.relative_to(site)
        key = relative.as_posix()
        if relative.parent.name == "__pycache__":  # x/__pycache__/y.cpython-313.pyc -> x/y.py
            key = (relative.parent.parent / (relative.name.split(".")[0] + ".py")).as_posix()
        top = relative.parts[0].split(".")[0]
        sizes[owner.get(key) or (OWN if top == "newsdesk" else f"({top})")] += path.stat().st_size
    return sizes


def _estimated(layer: layers.Layer) -> Counter[str]:
    """Bytes per distribution of a layer's pinned list, as installed in this environment."""
    sizes: Counter[str] = Counter()
    for name in layers.read_lock(layer.lock_path):
        distribution = metadata.distribution(name)
        sizes[canonicalize_name(distribution.metadata["Name"])] += sum(
            (distribution.locate_file(file)).stat().st_size
            for file in distribution.files or []
            if distribution.locate_file(file).is_file()
        )
    if layer.logical_id == layers.SHARED_LAYER:
        sizes[OWN] = sum(p.stat().st_size for p in _files(PACKAGE_ROOT / "newsdesk"))
    return sizes


def _imported_top_levels(handler: Path) -> set[str]:
    """Top-level names of everything the handler imports, following newsdesk's own modules."""
    seen: set[Path] = set()
    found: set[str] = set()
    pending = [handler]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            for name in names:
                found.add(name.split(".")[0])
                module = PACKAGE_ROOT.joinpath(*name.split("."))
                for candidate in (module.with_suffix(".py"), module / "__init__.py"):
                    if name.startswith("newsdesk") and candidate.is_file():
                        pending.append(candidate)
    return found


def _provides(distribution: str, top_levels: set[str]) -> bool:
    owners = _owners()
    return any(canonicalize_name(distribution) in owners.get(name, ()) for name in top_levels)


_OWNERS: dict[str, set[str]] = {}


def _owners() -> dict[str, set[str]]:
    if not _OWNERS:
        for name, owners in metadata.packages_distributions().items():
            _OWNERS[name] = {canonicalize_name(owner) for owner in owners}
    return _OWNERS


if __name__ == "__main__":
    import json

    start = time.perf_counter()
    print(json.dumps(measure(), indent=1))
    print(f"{time.perf_counter() - start:.1f} s")
