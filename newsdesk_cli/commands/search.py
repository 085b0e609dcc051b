"""`newsdesk search QUERY`: search the articles in the index the stack keeps (local or AWS).

The index file is read from the bucket (as the API reads it) and queried here with the same
code, so the answer is the API's; no API key or URL is needed, only read access to the bucket.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

DEFAULT_INDEX_KEY = "search/articles.sqlite"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from newsdesk_cli.aws_target import add_target_arguments

    parser.add_argument(
        "query", metavar="QUERY", help="e.g. '\"offshore wind\" OR solar NOT nuclear'"
    )
    parser.add_argument("--limit", type=int, default=10, help="hits to show (1-50, default 10)")
    parser.add_argument("--order", choices=("relevance", "newest"), default="relevance")
    for name in ("section", "author", "tag"):
        parser.add_argument(f"--{name}", help=f"only articles with this {name} slug")
    parser.add_argument("--lang", help="only articles in this language (ISO 639-1)")
    parser.add_argument("--from", dest="start", help="only articles of this date or later")
    parser.add_argument("--to", dest="end", help="only articles of this date or earlier")
    parser.add_argument("--json", action="store_true", help="print the API's JSON answer")
    parser.add_argument("--index-key", default=DEFAULT_INDEX_KEY, help="the index object's key")
    parser.add_argument("--stack-name", help="on AWS: read the bucket from this stack's outputs")
    add_target_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from newsdesk.errors import InvalidRequestError
    from newsdesk.models import ArticleFilters
    from newsdesk.service.content import parse_time_bound
    from newsdesk.service.search import SearchQuery, SearchService
    from newsdesk.storage.index_files import IndexFileStore
    from newsdesk_cli.aws_target import TargetError, connect, describe_error
    from newsdesk_cli.commands.reindex import resolve_stack_outputs

    try:
        target = connect(args, bucket_required=False)
    except TargetError as exc:
        print(f"newsdesk search: {exc}", file=sys.stderr)
        return 2
    try:
        bucket = args.bucket or target.bucket
        if not target.is_local and args.stack_name:
            bucket = bucket or resolve_stack_outputs(target, args.stack_name).get("BucketName")
        if not bucket:
            print("newsdesk search: on AWS give --stack-name or --bucket", file=sys.stderr)
            return 2
        query = SearchQuery(
            q=args.query,
            filters=ArticleFilters(
                section=args.section,
                author=args.author,
                tag=args.tag,
                lang=args.lang,
                start=parse_time_bound(args.start, parameter="from", end=False),
                end=parse_time_bound(args.end, parameter="to", end=True),
            ),
            order=args.order,
            limit=max(1, min(args.limit, 50)),
        )
        with tempfile.TemporaryDirectory(prefix="newsdesk-search-") as scratch:
            service = SearchService(
                IndexFileStore(target.client("s3"), bucket, args.index_key),
                cache_dir=Path(scratch),
                refresh_seconds=0,
                cursor_secret="newsdesk-cli",
            )
            page = service.search(query)
    except InvalidRequestError as exc:
        print(f"newsdesk search: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        message = describe_error(exc, target)
        if message is None:
            raise
        print(f"newsdesk search: {message}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(page.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return 0
    if not page.items:
        print("no articles match (an upload is searchable once the indexer has run)")
        return 0
    for number, hit in enumerate(page.items, 1):
        print(_line(number, hit.model_dump(mode="json")))
    return 0


def _line(number: int, hit: dict[str, Any]) -> str:
    when = (hit.get("published_at") or "")[:10]
    facts = ", ".join(part for part in (hit.get("section"), when) if part)
    head = f"{number:>2}. {hit['headline']}" + (f" ({facts})" if facts else "")
    snippet = _plain(hit.get("snippet") or "")
    return f"{head}\n    {hit['id']}  score {hit['score']:.2f}\n    {snippet}"


def _plain(snippet: str) -> str:
    """The HTML snippet for a terminal: matches between [ ], entities decoded."""
    import html

    return html.unescape(re.sub(r"</?mark>", lambda m: "]" if "/" in m.group() else "[", snippet))
