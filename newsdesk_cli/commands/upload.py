"""`newsdesk upload FILE|DIR...`: put article files under the bucket's incoming/ prefix."""

from __future__ import annotations

import argparse
import mimetypes
import sys
from collections.abc import Iterator
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from newsdesk_cli.aws_target import add_target_arguments

    parser.add_argument(
        "paths",
        nargs="+",
        metavar="FILE|DIR",
        help="files, or directories uploaded recursively (keys keep the relative path)",
    )
    parser.add_argument("--prefix", default="incoming/", help="key prefix (default incoming/)")
    add_target_arguments(parser)


def normalize_prefix(prefix: str) -> str:
    prefix = prefix.lstrip("/")
    return prefix if not prefix or prefix.endswith("/") else f"{prefix}/"


def collect_uploads(paths: list[Path], prefix: str) -> Iterator[tuple[Path, str]]:
    """(file, key) pairs: a file keeps its name, a directory's files their path inside it."""
    prefix = normalize_prefix(prefix)
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(path)
                # Hidden files and folders (.DS_Store, .git/…) are never articles.
                if file.is_file() and not any(part.startswith(".") for part in relative.parts):
                    yield file, prefix + relative.as_posix()
        elif path.is_file():
            yield path, prefix + path.name
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from newsdesk_cli.aws_target import TargetError, connect, describe_error

    try:
        uploads = list(collect_uploads([Path(p) for p in args.paths], args.prefix))
    except FileNotFoundError as exc:
        print(f"newsdesk upload: {exc}", file=sys.stderr)
        return 2
    if not uploads:
        print("newsdesk upload: no files to upload", file=sys.stderr)
        return 2
    try:
        target = connect(args)
    except TargetError as exc:
        print(f"newsdesk upload: {exc}", file=sys.stderr)
        return 2

    s3 = target.client("s3")
    bucket = target.bucket
    assert bucket is not None
    try:
        s3.head_bucket(Bucket=bucket)
        many = len(uploads) > 1
        progress = tqdm(uploads, unit="file", disable=not many or None, file=sys.stderr)
        for path, key in progress:
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type})
            if not many:
                print(f"uploaded {path} → s3://{bucket}/{key}")
    except Exception as exc:
        message = describe_error(exc, target)
        if message is None:
            raise
        print(f"newsdesk upload: {message}", file=sys.stderr)
        return 1
    if many:
        print(f"uploaded {len(uploads)} files to s3://{bucket}/{normalize_prefix(args.prefix)}")
    return 0
