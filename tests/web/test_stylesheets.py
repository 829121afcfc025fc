"""The project's own stylesheets are well nested: a brace lost in a merge makes the browser read
every later rule as part of the open block, so whole sections stop applying without an error."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
#: Outputs and third-party folders, not the project's own sources.
NOT_OURS = {"vendor", "staticfiles", "var", "test-artifacts", "node_modules"}
STYLESHEETS = sorted(
    path
    for path in ROOT.glob("**/static/**/*.css")
    if not any(part in NOT_OURS or part.startswith(".") for part in path.relative_to(ROOT).parts)
)


def test_the_stylesheets_are_found():
    assert ROOT / "static" / "css" / "site.css" in STYLESHEETS


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_brace_is_closed_where_it_should_be(path):
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, f"{path.name}: a '}}' with no block to close, line {number}"
    assert depth == 0, f"{path.name}: {depth} block(s) left open at the end"
