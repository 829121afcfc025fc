"""Prerequisites form a directed acyclic graph: the one check both the admin and the API call.

A node's prerequisites are the nodes that must come before it. Adding the edges ``node -> p``
for each ``p`` in ``proposed`` closes a cycle exactly when ``node`` is reachable from one of
them by following prerequisites, or when ``node`` names itself.
"""

from collections.abc import Callable, Hashable, Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def find_cycle(node: Hashable, proposed: Iterable[Hashable], prerequisites_of: Callable) -> list | None:
    """The cycle ``[node, ..., node]`` that the proposed prerequisites would close, or None.

    ``prerequisites_of(n)`` gives the current prerequisites of ``n`` (those of ``node`` itself
    are replaced by ``proposed``). Iterative depth-first search, so a long chain cannot hit
    Python's recursion limit.
    """
    proposed = list(proposed)
    if node in proposed:
        return [node, node]
    parent: dict = {}
    stack = [(p, node) for p in proposed]
    seen = set()
    while stack:
        current, came_from = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        parent[current] = came_from
        for before in prerequisites_of(current):
            if before == node:
                chain = [current]
                while chain[-1] != node:
                    chain.append(parent[chain[-1]])
                return [*reversed(chain), node]
            if before not in seen:
                stack.append((before, current))
    return None


def check_acyclic(
    node: Hashable,
    proposed: Iterable[Hashable],
    prerequisites_of: Callable,
    *,
    field: str = "prerequisites",
    label: Callable = str,
) -> None:
    """Raise a ValidationError on ``field`` naming the cycle the proposed prerequisites would close."""
    cycle = find_cycle(node, proposed, prerequisites_of)
    if cycle is None:
        return
    if len(cycle) == 2:
        message = _("%(item)s cannot be its own prerequisite.") % {"item": label(node)}
    else:
        message = _("These prerequisites would form a cycle: %(cycle)s.") % {
            "cycle": " → ".join(label(n) for n in cycle)
        }
    raise ValidationError({field: [message]})
