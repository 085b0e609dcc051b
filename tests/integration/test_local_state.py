"""`newsdesk dev` keeps uploads on disk: killed and started again, it has them back, ingested
through the normal path, and what was deleted stays deleted."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.integration.devstack import DevStack, running_stack, wait_for

pytestmark = pytest.mark.slow

BUCKET = "newsdesk-local"
ARTICLE = b"""World | Ferry crews vote to end the harbour strike after nine days

By Ana Costa

Ferry crews voted on Sunday to end a strike that had stopped every crossing in the harbour for
nine days, after the operator agreed to a new rota and a pay rise over two years.

The first boats leave at six on Monday morning, and the operator says the timetable will be
back to normal by the end of the week.
"""


def article_id(key: str) -> str:
    return hashlib.sha256(f"s3://{BUCKET}/{key}".encode()).hexdigest()[:16]


def failed_code(stack: DevStack, key: str) -> Any:
    status, _, page = stack.get(f"/ingestions?key={key}")
    if status != 200:
        return None
    return page["items"][0].get("code")


def test_uploads_survive_a_kill_and_come_back_through_ingestion(tmp_path: Path) -> None:
    state = tmp_path / "state"
    kept, bad, sample = (
        "incoming/tests/ferry.txt",
        "incoming/tests/noise.bin",
        ("incoming/city-budget-vote.txt"),
    )

    # Given a first start (samples uploaded), an article, a bad file and a deleted sample
    with running_stack(state_dir=state) as first:
        assert f"uploads kept in {state}/" in first.output
        s3 = first.boto_client("s3")
        s3.put_object(Bucket=BUCKET, Key=kept, Body=ARTICLE)
        s3.put_object(Bucket=BUCKET, Key=bad, Body=bytes(range(256)) * 8)
        s3.delete_object(Bucket=BUCKET, Key=sample)
        wait_for("the article", lambda: first.get_ok(f"/articles/{article_id(kept)}"), first)
        wait_for("the failure", lambda: failed_code(first, bad) == "binary", first)
        wait_for(
            "the removal", lambda: first.get(f"/articles/{article_id(sample)}")[0] == 410, first
        )
    # (leaving the block kills the stack with SIGKILL: nothing is saved on the way out)

    # When it starts again on the same folder
    with running_stack(state_dir=state) as second:
        # Then the uploads are ingested again through the normal path
        _, _, article = wait_for(
            "the restored article", lambda: second.get_ok(f"/articles/{article_id(kept)}"), second
        )
        assert article["headline"] == ("Ferry crews vote to end the harbour strike after nine days")
        wait_for("the restored failure", lambda: failed_code(second, bad) == "binary", second)
        wait_for(
            "a restored sample",
            lambda: second.get_ok(f"/articles/{article_id('incoming/river-cleanup.md')}"),
            second,
        )
        assert "restoring" in second.output
        # and what was deleted stays deleted (forgotten with its object: 404, not back)
        assert second.get(f"/articles/{article_id(sample)}")[0] == 404
        assert f"ingest  {sample}" not in second.output

    # And the folder holds bytes under hashed names only, never a path from a key
    names = [path.name for path in (state / "objects").iterdir()]
    assert names and all(len(name.split(".")[0]) == 64 for name in names)
