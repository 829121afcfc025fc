"""Where each step of a path sits in the route drawing, computed on the server (no JS framework).

The steps are laid out top to bottom in layers: a step's layer is one below the deepest of its
prerequisites on the same path, so every arrow points downwards. A layer wider than ``COLUMNS``
steps wraps onto further rows, which keeps the drawing narrow enough to read on a 390 px phone.
The result is plain numbers for the template: node boxes, arrow curves and the drawing's size.
"""

import unicodedata
from dataclasses import dataclass, field

COLUMNS = 2
NODE_WIDTH = 210
NODE_HEIGHT = 52
GAP_X = 28
GAP_Y = 44
MARGIN = 12
#: The widest label, in half-width character cells (a CJK character takes two).
LABEL_CELLS = 26


@dataclass
class Node:
    step: object
    layer: int
    x: int = 0
    y: int = 0
    label: str = ""

    @property
    def centre_x(self) -> int:
        return self.x + NODE_WIDTH // 2

    @property
    def text_y(self) -> int:
        return self.y + NODE_HEIGHT // 2


@dataclass
class Edge:
    before: Node
    after: Node

    @property
    def d(self) -> str:
        """An SVG path from the bottom of ``before`` to the top of ``after``, as a smooth curve."""
        x1, y1 = self.before.centre_x, self.before.y + NODE_HEIGHT
        x2, y2 = self.after.centre_x, self.after.y - 1  # the arrowhead ends on the box
        bend = max((y2 - y1) // 2, 12)
        return f"M{x1},{y1} C{x1},{y1 + bend} {x2},{y2 - bend} {x2},{y2}"


@dataclass
class Route:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    width: int = 0
    height: int = 0


def cells(text: str) -> int:
    """How many half-width cells ``text`` takes: East Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def shorten(text: str, limit: int = LABEL_CELLS) -> str:
    """``text`` cut to ``limit`` cells, with an ellipsis when anything was cut."""
    if cells(text) <= limit:
        return text
    kept, used = [], 0
    for character in text:
        width = cells(character)
        if used + width > limit - 1:
            break
        kept.append(character)
        used += width
    return "".join(kept).rstrip() + "…"


def layers(steps: list, prerequisites: dict[int, list[int]]) -> dict[int, int]:
    """Each step's layer: 0 without prerequisites on the path, else 1 + the deepest prerequisite's.

    ``prerequisites`` maps a step's pk to its prerequisites' pks; those off the path are ignored.
    The graph is acyclic (the admin and the API refuse cycles); a cycle that slipped in anyway
    would be cut rather than loop forever.
    """
    on_path = {s.pk for s in steps}
    depth: dict[int, int] = {}
    for step in steps:
        stack = [(step.pk, False)]
        visiting: set[int] = set()
        while stack:
            pk, expanded = stack.pop()
            if pk in depth:
                continue
            before = [p for p in prerequisites.get(pk, ()) if p in on_path and p not in visiting]
            if expanded:
                depth[pk] = 1 + max((depth.get(p, 0) for p in before), default=-1)
                visiting.discard(pk)
                continue
            visiting.add(pk)
            stack.append((pk, True))
            stack.extend((p, False) for p in before if p not in depth)
    return depth


def route(steps: list, prerequisites: dict[int, list[int]], label=lambda s: str(s)) -> Route:
    """The drawing of ``steps`` (in path order) with arrows from each prerequisite to its step."""
    if not steps:
        return Route()
    depth = layers(steps, prerequisites)
    by_layer: dict[int, list] = {}
    for step in steps:
        by_layer.setdefault(depth[step.pk], []).append(step)
    columns = min(COLUMNS, max(len(group) for group in by_layer.values()))
    width = 2 * MARGIN + columns * NODE_WIDTH + (columns - 1) * GAP_X
    nodes: dict[int, Node] = {}
    row = 0
    for layer in sorted(by_layer):
        group = by_layer[layer]
        for start in range(0, len(group), COLUMNS):
            chunk = group[start : start + COLUMNS]
            used = len(chunk) * NODE_WIDTH + (len(chunk) - 1) * GAP_X
            left = (width - used) // 2
            for index, step in enumerate(chunk):
                nodes[step.pk] = Node(
                    step=step,
                    layer=layer,
                    x=left + index * (NODE_WIDTH + GAP_X),
                    y=MARGIN + row * (NODE_HEIGHT + GAP_Y),
                    label=shorten(label(step)),
                )
            row += 1
    edges = [
        Edge(before=nodes[before], after=nodes[step.pk])
        for step in steps
        for before in prerequisites.get(step.pk, ())
        if before in nodes
    ]
    height = 2 * MARGIN + row * NODE_HEIGHT + (row - 1) * GAP_Y
    return Route(nodes=[nodes[s.pk] for s in steps], edges=edges, width=width, height=height)
