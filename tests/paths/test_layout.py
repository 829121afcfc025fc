"""The route drawing's layout: layers follow the prerequisites, arrows point down, wide layers wrap
onto further rows, and labels are cut by display width (a Chinese character counts twice)."""

from types import SimpleNamespace

from paths import layout


def steps(*pks):
    return [SimpleNamespace(pk=pk) for pk in pks]


def test_a_chain_is_one_column_with_an_arrow_between_each_pair():
    route = layout.route(steps(1, 2, 3), {2: [1], 3: [2]}, label=lambda s: f"step {s.pk}")
    assert [n.layer for n in route.nodes] == [0, 1, 2]
    assert len({n.x for n in route.nodes}) == 1
    assert [(e.before.step.pk, e.after.step.pk) for e in route.edges] == [(1, 2), (2, 3)]
    assert route.width == 2 * layout.MARGIN + layout.NODE_WIDTH
    assert route.height == 2 * layout.MARGIN + 3 * layout.NODE_HEIGHT + 2 * layout.GAP_Y
    for edge in route.edges:
        assert edge.after.y > edge.before.y + layout.NODE_HEIGHT  # every arrow points downwards


def test_a_step_sits_below_its_deepest_prerequisite_and_off_path_ones_are_ignored():
    # 1 -> 2 -> 4 and 1 -> 3 -> 4 with 3 also after 2: 4 is in layer 3. 99 is on another path.
    route = layout.route(steps(1, 2, 3, 4), {2: [1], 3: [1, 2], 4: [2, 3, 99]})
    assert {n.step.pk: n.layer for n in route.nodes} == {1: 0, 2: 1, 3: 2, 4: 3}
    assert len(route.edges) == 5


def test_a_wide_layer_wraps_and_stays_within_the_drawing():
    route = layout.route(steps(*range(1, 8)), {})
    rows = sorted({n.y for n in route.nodes})
    assert layout.COLUMNS == 2 and len(rows) == 4  # 7 independent steps, 2 per row
    assert route.width == 2 * layout.MARGIN + 2 * layout.NODE_WIDTH + layout.GAP_X
    assert all(n.x >= 0 and n.x + layout.NODE_WIDTH <= route.width for n in route.nodes)
    assert route.nodes[6].centre_x == route.width // 2  # a lone step on the last row is centred


def test_a_cycle_that_slipped_in_does_not_loop():
    route = layout.route(steps(1, 2), {1: [2], 2: [1]})
    assert len(route.nodes) == 2


def test_labels_are_cut_by_display_width():
    assert layout.shorten("short") == "short"
    cut = layout.shorten("Attention Is All You Need, and then some more words")
    assert cut.endswith("…") and layout.cells(cut) <= layout.LABEL_CELLS
    chinese = layout.shorten("一" * 20)
    assert chinese == "一" * 12 + "…" and layout.cells(chinese) == 25


def test_no_steps_no_drawing():
    assert layout.route([], {}).nodes == []
