"""A command group with a default command: ``spm fault DISK --on KIND`` still arms a fault, as it
did before ``spm fault list`` and ``spm fault clear`` joined it."""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup

DEFAULT = "arm"


class ArmByDefault(TyperGroup):
    """Anything that is not one of its command names is given to the ``arm`` command.

    (Typed ``Any``: typer carries its own copy of click, whose types it does not export.)
    """

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [DEFAULT, *args]
        return super().resolve_command(ctx, args)
