"""template.yaml declares the search as DESIGN.md section 1 has it: one indexer on the stream,
filtered to article records, batched, the index's only writer, with least-privilege S3 rights."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsdesk.settings import Settings
from newsdesk.storage.article_stream import ARTICLE_RECORD_PATTERN
from newsdesk_cli.template import load_template


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    resources: dict[str, Any] = load_template()["Resources"]
    return resources


def _statements(function: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for policy in function["Properties"]["Policies"] for s in policy["Statement"]]


def test_the_indexer_is_the_only_writer_and_batches_changes(resources: dict[str, Any]) -> None:
    indexer = resources["IndexerFunction"]["Properties"]
    assert indexer["ReservedConcurrentExecutions"] == 1
    (event,) = indexer["Events"].values()
    assert event["Type"] == "DynamoDB"
    assert event["Properties"]["Stream"] == {"Fn::GetAtt": ["ArticlesTable", "StreamArn"]}
    assert event["Properties"]["MaximumBatchingWindowInSeconds"] >= 1
    assert event["Properties"]["BatchSize"] >= 100
    on_failure = event["Properties"]["DestinationConfig"]["OnFailure"]
    assert on_failure["Destination"] == {"Fn::GetAtt": ["IndexerFailureQueue", "Arn"]}


def test_the_stream_filter_passes_article_records_only(resources: dict[str, Any]) -> None:
    (event,) = resources["IndexerFunction"]["Properties"]["Events"].values()
    (entry,) = event["Properties"]["FilterCriteria"]["Filters"]
    # The same pattern the code documents (and the local stack's handler applies again).
    assert json.loads(entry["Pattern"]) == ARTICLE_RECORD_PATTERN


def test_search_functions_get_the_packaged_sqlite_and_ingest_does_not(
    resources: dict[str, Any],
) -> None:
    search_layer = {"Ref": "SearchLayer"}
    assert search_layer in resources["ApiFunction"]["Properties"]["Layers"]
    assert search_layer in resources["IndexerFunction"]["Properties"]["Layers"]
    assert search_layer not in resources["IngestFunction"]["Properties"].get("Layers", [])
    assert resources["SearchLayer"]["Properties"]["ContentUri"] == "layers/search/"


def test_s3_rights_stop_at_the_search_prefix(resources: dict[str, Any]) -> None:
    for name, allowed in (
        ("IndexerFunction", {"s3:GetObject", "s3:PutObject", "s3:ListBucket"}),
        ("ApiFunction", {"s3:GetObject", "s3:ListBucket"}),
    ):
        s3 = [s for s in _statements(resources[name]) if "s3:" in json.dumps(s["Action"])]
        actions = set()
        for statement in s3:
            listed = statement["Action"]
            actions |= {listed} if isinstance(listed, str) else set(listed)
            resource = statement["Resource"]["Fn::Sub"]
            if statement["Action"] == "s3:ListBucket":
                assert statement["Condition"]["StringLike"]["s3:prefix"] == "search/*"
            else:
                assert resource.endswith("/search/*"), name
        assert actions == allowed, name


def test_the_index_key_can_never_be_ingested(resources: dict[str, Any]) -> None:
    for name in ("IndexerFunction", "ApiFunction"):
        key = resources[name]["Properties"]["Environment"]["Variables"]["SEARCH_INDEX_KEY"]
        assert key.startswith("search/") and not key.startswith("incoming/")
    with pytest.raises(ValueError, match="would be ingested"):
        Settings.from_environ({"SEARCH_INDEX_KEY": "incoming/index.sqlite"})


def test_the_api_loads_the_packaged_sqlite_only_when_it_searches() -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    program = (
        "import sys, functions.api.app, newsdesk.search.index, newsdesk.service.search; "
        "print('sqlean' in sys.modules)"
    )
    env = {"PYTHONPATH": f"{ROOT / 'shared'}:{ROOT}", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
