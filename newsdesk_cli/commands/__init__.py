"""One module per `newsdesk` subcommand, each with add_arguments(parser) and run(args) -> int."""
