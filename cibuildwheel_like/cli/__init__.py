"""The command line: argument parsing and one module per subcommand; argparse stops here."""

from cibuildwheel_like.cli.app import main

__all__ = ["main"]
