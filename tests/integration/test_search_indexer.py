"""The indexer's writes to the index file in S3 (moto): conditional on the ETag it read, so a
writer that loses a race re-reads and applies its changes again; nothing is lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsdesk.errors import NotFoundError, StorageError
from newsdesk.models import Article
from newsdesk.search.index import Removal, SearchIndex, Upsert
from newsdesk.service.indexing import IndexerService
from newsdesk.storage.index_files import IndexFileStore
from newsdesk_cli.resources import LocalResources
from tests.integration.moto_stack import template_stack
from tests.unit.search_support import article

KEY = "search/articles.sqlite"
A = article("a", "Harbour wind farm approved", ["The harbour gets a wind farm."])
B = article("b", "Council budget passes", ["The council budget passed narrowly."])
C = article("c", "Chess olympiad won", ["An underdog team won the chess olympiad."])


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, LocalResources]]:
    with template_stack(monkeypatch) as created:
        yield created


def _service(stack: tuple[Any, LocalResources], work: Path) -> IndexerService:
    session, resources = stack
    files = IndexFileStore(session.client("s3"), resources.bucket, KEY)

    def no_fetch(article_id: str) -> Article:
        raise NotFoundError(article_id)

    return IndexerService(files, work_dir=work, fetch_article=no_fetch)


def _indexed(stack: tuple[Any, LocalResources], tmp_path: Path) -> set[str]:
    session, resources = stack
    path = tmp_path / "check.sqlite"
    session.client("s3").download_file(resources.bucket, KEY, str(path))
    index = SearchIndex.open(path, read_only=True)
    try:
        return index.ids()
    finally:
        index.close()


def test_a_lost_race_is_retried_on_the_new_version(
    stack: tuple[Any, LocalResources], tmp_path: Path
) -> None:
    first = _service(stack, tmp_path / "first")
    other = _service(stack, tmp_path / "other")
    first.apply([Upsert(A, "v1")])
    # Given another writer updates the index between our read and our upload
    real_upload = first._files.upload
    raced = []

    def upload_after_a_rival(path: Path, *, replacing: str | None) -> str:
        if not raced:
            raced.append(other.apply([Upsert(B, "v1")]))
        return real_upload(path, replacing=replacing)

    first._files.upload = upload_after_a_rival  # type: ignore[method-assign]
    # When we apply our change
    update = first.apply([Upsert(C, "v1")])
    # Then our first upload was refused, the second went over the rival's version: all three
    assert update.attempts == 2
    assert _indexed(stack, tmp_path) == {A.id, B.id, C.id}


def test_the_first_upload_never_overwrites_an_index_created_meanwhile(
    stack: tuple[Any, LocalResources], tmp_path: Path
) -> None:
    first = _service(stack, tmp_path / "first")
    other = _service(stack, tmp_path / "other")
    real_upload = first._files.upload

    def upload_after_a_rival(path: Path, *, replacing: str | None) -> str:
        if replacing is None:
            other.apply([Upsert(B, "v1")])
        return real_upload(path, replacing=replacing)

    first._files.upload = upload_after_a_rival  # type: ignore[method-assign]
    first.apply([Upsert(A, "v1")])
    assert _indexed(stack, tmp_path) == {A.id, B.id}


def test_nothing_to_change_uploads_nothing(
    stack: tuple[Any, LocalResources], tmp_path: Path
) -> None:
    service = _service(stack, tmp_path / "work")
    first = service.apply([Upsert(A, "v2")])
    again = service.apply([Upsert(A, "v1"), Removal(A.id, "v1")])
    assert again.skipped == 2 and again.etag == first.etag


def test_rebuild_replaces_the_index_with_the_articles_given(
    stack: tuple[Any, LocalResources], tmp_path: Path
) -> None:
    service = _service(stack, tmp_path / "work")
    service.apply([Upsert(A, "v1"), Upsert(B, "v1")])
    update = service.rebuild([Upsert(C, "v1")])
    assert update.articles == 1
    assert _indexed(stack, tmp_path) == {C.id}
    # And the next update starts from the rebuilt index
    service.apply([Upsert(A, "v2")])
    assert _indexed(stack, tmp_path) == {A.id, C.id}


def test_an_object_that_is_no_index_is_a_clear_error(
    stack: tuple[Any, LocalResources], tmp_path: Path
) -> None:
    session, resources = stack
    session.client("s3").put_object(Bucket=resources.bucket, Key=KEY, Body=b"garbage" * 100)
    with pytest.raises(StorageError, match="reindex --search"):
        _service(stack, tmp_path / "work").apply([Upsert(A, "v1")])


def test_the_sample_stream_events_index_and_unindex_an_article(
    stack: tuple[Any, LocalResources], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.indexer import app as indexer
    from newsdesk.settings import get_settings
    from newsdesk_cli.lambda_context import LocalLambdaContext
    from tests.conftest import load_event

    monkeypatch.setenv("SEARCH_CACHE_DIR", str(tmp_path / "cache"))
    get_settings.cache_clear()
    indexer.get_service.cache_clear()
    context = LocalLambdaContext(function_name="IndexerFunction")
    try:
        # The same files `sam local invoke IndexerFunction -e events/…` takes
        stored = indexer.lambda_handler(load_event("dynamodb_article_stored"), context)
        assert stored == {"changes": 1, "articles": 1}  # the listing record is not a change
        assert _indexed(stack, tmp_path) == {"9756e21451246e96"}
        removed = indexer.lambda_handler(load_event("dynamodb_article_removed"), context)
        assert removed == {"changes": 1, "articles": 0}
        assert _indexed(stack, tmp_path) == set()
    finally:
        indexer.get_service.cache_clear()
