"""`newsdesk` entry point: dispatches to one module per subcommand, imported only when used."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

DESCRIPTION = """\
newsdesk turns article files (plain text, HTML, Markdown, JSON) uploaded to an S3 bucket into
structured article records, and serves them over an HTTP API with full-text search.
Run the whole service on this machine with `newsdesk dev` (no AWS account needed)."""

EPILOG = """\
examples:
  newsdesk parse article.txt               print the record parsed from a file (no AWS)
  newsdesk dev                             local stack: API on http://127.0.0.1:3000/docs
  newsdesk upload article.txt              upload to the local stack's bucket
  newsdesk search '"offshore wind" OR solar'   search the articles
  newsdesk COMMAND --help                  the options of one command"""

# name -> (module under newsdesk_cli.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "parse": ("parse", "parse article files and print the records as JSON (no AWS)"),
    "dev": ("dev", "run the whole service locally (moto, pollers, API on :3000)"),
    "upload": ("upload", "upload article files to the bucket's incoming/ prefix"),
    "reindex": ("reindex", "re-enqueue every object under incoming/ (after a parser upgrade)"),
    "redrive": ("redrive", "move messages from the dead-letter queue back to the ingest queue"),
    "search": ("search", "search the articles (the index the local stack or AWS keeps)"),
    "events": ("events", "print the Article Published/Updated/Removed events of the bus"),
    "invoke": (
        "invoke",
        "run one function of template.yaml on an event file, like sam local invoke",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(f"newsdesk_cli.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"newsdesk_cli.commands.{module_name}":
                raise
            continue  # subcommand not built yet
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newsdesk")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`newsdesk parse FILE | head`): stop quietly, as Unix tools do.
        # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    return result


if __name__ == "__main__":
    sys.exit(main())
