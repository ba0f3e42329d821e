"""``mirix-desktop repair``: mend the damaged parts ``doctor`` names."""

from __future__ import annotations

import argparse
import sys

from mirix_desktop.commands import EXIT_ERROR
from mirix_desktop.services.context import Context


def cmd_repair(ctx: Context, args: argparse.Namespace) -> int:
    from mirix_desktop.services.damage import describe, find_damage
    from mirix_desktop.services.repair import Repair

    done = Repair(ctx, progress=lambda line: print(line, file=sys.stderr)).run(
        reset_vault=args.reset_vault
    )
    for line in done.lines:
        print(line)
    left = find_damage(ctx)
    ctx.close()
    if not left.ok:
        print("still to do:", file=sys.stderr)
        for line in describe(left):
            print(line, file=sys.stderr)
        return EXIT_ERROR
    return 0
