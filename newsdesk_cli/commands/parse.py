"""`newsdesk parse FILE...`: parse article files locally and print the records as JSON (no AWS)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

FORMATS = ("text", "html", "markdown", "json", "jsonl")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="article files to parse")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="parse every FILE as this format (default: by extension, then by content)",
    )


def run(args: argparse.Namespace) -> int:
    from newsdesk.errors import ParseError
    from newsdesk.parsing import parse_articles

    records: list[dict[str, Any]] = []
    many = len(args.files) > 1
    status = 0
    for path in args.files:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            print(f"newsdesk: {path}: unreadable: {exc.strerror or exc}", file=sys.stderr)
            status = 1
            continue
        try:
            articles = parse_articles(data, filename=path, identity=path, fmt=args.format)
        except ParseError as exc:
            print(f"newsdesk: {path}: {exc.code}: {exc.message}", file=sys.stderr)
            status = 1
            continue
        many = many or any(article.source.format == "jsonl" for article in articles)
        records.extend(article.model_dump(mode="json") for article in articles)
    if records:
        output: Any = records if many or len(records) > 1 else records[0]
        print(json.dumps(output, indent=2, ensure_ascii=False))
    return status
