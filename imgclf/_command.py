"""What `python -m imgclf` and `python -m imgclf.course` share: a positive count on the
command line, and running the chosen command with one clear line on stderr when it fails."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable


def positive(text: str) -> int:
    """A command-line count of at least 1 (argparse's `type=`)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text!r}")
    return value


def run_command(prog: str, args: argparse.Namespace,
                before: Callable[[], None] | None = None) -> int:
    """Run `args.run(args)` and print what it returns: 0. A ValueError, OSError or
    RuntimeError (from `before` too) prints "PROG COMMAND: message" on stderr: 1; Ctrl-C: 130."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        if before is not None:
            before()
        print(args.run(args), flush=True)
    except (ValueError, OSError, RuntimeError) as error:
        print(f"{prog} {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog} {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0
