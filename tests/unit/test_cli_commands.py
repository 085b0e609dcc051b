"""The upload/reindex commands' pure parts: which keys files get, what a synthetic event holds."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from newsdesk_cli.aws_target import LOCAL_ENDPOINT, TargetError, connect
from newsdesk_cli.commands.reindex import s3_event
from newsdesk_cli.commands.upload import collect_uploads
from newsdesk_cli.main import build_parser


def test_files_keep_their_name_and_directories_their_relative_paths(tmp_path: Path) -> None:
    # Given a folder with nested and hidden files, and a single file elsewhere
    folder = tmp_path / "batch"
    (folder / "world" / "asia").mkdir(parents=True)
    (folder / "a.txt").write_text("a")
    (folder / "world" / "asia" / "b.md").write_text("b")
    (folder / ".DS_Store").write_text("x")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("x")
    single = tmp_path / "single.json"
    single.write_text("{}")

    # When the uploads are planned
    planned = list(collect_uploads([folder, single], "incoming"))

    # Then keys sit under the prefix, keep the folder structure, and skip hidden files
    assert [(path.name, key) for path, key in planned] == [
        ("a.txt", "incoming/a.txt"),
        ("b.md", "incoming/world/asia/b.md"),
        ("single.json", "incoming/single.json"),
    ]


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(collect_uploads([tmp_path / "nope.txt"], "incoming/"))


def test_synthetic_event_looks_like_an_s3_notification() -> None:
    event = s3_event(
        bucket="b",
        key="incoming/a b+c/é.txt",
        size=12,
        etag='"abc"',
        version_id="v1",
        region="eu-west-1",
        sequencer="00AB",
    )

    record = event["Records"][0]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["awsRegion"] == "eu-west-1"
    assert record["s3"]["bucket"]["name"] == "b"
    # Keys are form-encoded as S3 sends them; slashes stay.
    assert record["s3"]["object"] == {
        "key": "incoming/a+b%2Bc/%C3%A9.txt",
        "size": 12,
        "eTag": "abc",
        "versionId": "v1",
        "sequencer": "00AB",
    }


def test_synthetic_event_for_aws_has_no_made_up_sequencer() -> None:
    event = s3_event(
        bucket="b", key="k", size=1, etag="e", version_id="null", region="us-east-1", sequencer=None
    )
    assert event["Records"][0]["s3"]["object"] == {"key": "k", "size": 1, "eTag": "e"}


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def test_commands_target_the_local_stack_unless_told_otherwise() -> None:
    local = connect(parse("upload", "x.txt"))
    assert local.endpoint_url == LOCAL_ENDPOINT
    assert local.bucket == "newsdesk-local"

    other = connect(parse("upload", "x.txt", "--endpoint-url", "http://h:1", "--bucket", "b"))
    assert (other.endpoint_url, other.bucket) == ("http://h:1", "b")

    with pytest.raises(TargetError, match="--bucket"):
        connect(parse("upload", "x.txt", "--aws"))
    real = connect(parse("upload", "x.txt", "--aws", "--bucket", "b", "--region", "eu-west-1"))
    assert real.endpoint_url is None
    assert real.session.region_name == "eu-west-1"
