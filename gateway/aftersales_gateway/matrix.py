"""The permission matrix (role × operation), generated from the route table.

`python -m aftersales_gateway.matrix > docs/permissions.md` writes it; a test checks
that the file in the repository is the one the table gives, so the doc never drifts.
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales_core.tenancy import ROLES

from .routing import Route

HUMAN_ROLES = tuple(role for role in ROLES if role != "system")
ANYONE, YES, NO = "any", "✓", ""

HEADER = """# Permission matrix

Generated from the gateway's route table by `python -m aftersales_gateway.matrix`;
do not edit by hand (a test compares this file with the table).

- **✓**: the role may call the operation. The owning service still scopes every
  record to the caller: site staff see only their sites, headquarters (`hq_manager`)
  its group, an OEM only what is addressed to it, another group nothing.
- **any**: any signed-in user; **public**: no token needed.
- `system` is the services' own role and is never accepted in a token.
"""


def matrix(routes: Sequence[Route]) -> str:
    lines = [HEADER]
    tags: dict[str, list[Route]] = {}
    for route in routes:
        if route.hidden:
            continue
        tags.setdefault(route.tags[0] if route.tags else "other", []).append(route)
    abbreviations = ", ".join(f"{i + 1} `{role}`" for i, role in enumerate(HUMAN_ROLES))
    lines.append(f"Columns: {abbreviations}.\n")
    head = "| operation | " + " | ".join(str(i + 1) for i in range(len(HUMAN_ROLES))) + " |"
    rule = "| --- |" + " :-: |" * len(HUMAN_ROLES)
    for tag, rows in tags.items():
        lines += [f"## {tag}\n", head, rule]
        for route in rows:
            if route.public:
                cells = ["public"] * len(HUMAN_ROLES)
            elif route.roles is None:
                cells = [ANYONE] * len(HUMAN_ROLES)
            else:
                cells = [YES if role in route.roles else NO for role in HUMAN_ROLES]
            name = f"`{route.method} {route.path}` {route.summary}".replace("|", "\\|")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    from .routes import TABLE

    print(matrix(TABLE), end="")


if __name__ == "__main__":
    main()
