"""`newsdesk` entry point: dispatches to one module per subcommand, imported only when used."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> (module under newsdesk_cli.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "parse": ("parse", "parse article files and print the records as JSON (no AWS)"),
    "dev": ("dev", "run the whole service locally (moto, pollers, API on :3000)"),
    "upload": ("upload", "upload article files to the bucket's incoming/ prefix"),
    "reindex": ("reindex", "re-enqueue every object under incoming/ (after a parser upgrade)"),
    "redrive": ("redrive", "move messages from the dead-letter queue back to the ingest queue"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdesk", description=__doc__)
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
