"""Reads template.yaml (CloudFormation tags included) so local resources follow the template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns `!Ref X` / `!GetAtt A.B` / `!Sub s` … into their long forms."""


def _construct_tag(loader: _CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.load(handle, Loader=_CfnLoader)
    return data


def resources_of_type(template: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    """Logical id -> Properties for every resource of one CloudFormation type."""
    return {
        logical_id: resource.get("Properties", {})
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == type_name
    }


def function_settings(template: dict[str, Any], logical_id: str) -> tuple[float, int]:
    """(Timeout seconds, MemorySize MB) of one function, Globals applied (Lambda: 3 s, 128 MB)."""
    defaults = template.get("Globals", {}).get("Function", {})
    properties = template["Resources"][logical_id].get("Properties", {})
    timeout = properties.get("Timeout", defaults.get("Timeout", 3))
    memory = properties.get("MemorySize", defaults.get("MemorySize", 128))
    return float(timeout), int(memory)


def function_environment(template: dict[str, Any], logical_id: str) -> dict[str, str]:
    """A function's environment variables in template.yaml (Globals, then its own), literals only:
    values built from intrinsics (!Ref, !Sub, !If) depend on the stack and are left out."""
    global_env = template.get("Globals", {}).get("Function", {}).get("Environment", {})
    own_env = template["Resources"][logical_id]["Properties"].get("Environment", {})
    merged = {**global_env.get("Variables", {}), **own_env.get("Variables", {})}
    return {name: str(value) for name, value in merged.items() if not isinstance(value, dict)}


def handler_module(properties: dict[str, Any]) -> str:
    """The handler module of a function: functions.api.app for functions/api/ and app.x."""
    package = str(properties["CodeUri"]).strip("/").replace("/", ".")
    return f"{package}.{str(properties['Handler']).rsplit('.', 1)[0]}"


def function_layers(template: dict[str, Any], logical_id: str) -> list[str]:
    """Logical ids of a function's layers: Globals' then its own, as SAM concatenates lists."""
    global_layers = template.get("Globals", {}).get("Function", {}).get("Layers", [])
    own_layers = template["Resources"][logical_id]["Properties"].get("Layers", [])
    return [layer["Ref"] for layer in [*global_layers, *own_layers] if "Ref" in layer]
