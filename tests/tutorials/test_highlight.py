"""The stylesheet that colours tutorial code: current with Pygments, served, and covering its classes."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from tests.factories import TutorialFactory
from tutorials.rendering import render_markdown

CODE = '```python\nimport torch\n\ndef step(x):  # one update\n    return x * 0.5 + "done"\n```\n'


def test_the_committed_stylesheet_is_what_pygments_writes():
    call_command("build_highlight_css", "--check", verbosity=0)  # raises CommandError when stale


def test_the_stylesheet_styles_every_class_the_highlighter_writes():
    css = Path(finders.find("tutorials/highlight.css")).read_text(encoding="utf-8")
    light, dark = css.split("@media (prefers-color-scheme: dark)")
    used = set(re.findall(r'<span class="([^"]+)"', render_markdown(CODE)))
    coloured = {"kn", "k", "nf", "c1", "mf", "s2"}  # names and punctuation keep the text colour
    assert coloured <= used
    for token in coloured:
        for scheme in (light, dark):
            assert re.search(rf"\.highlight \.{token} \{{[^}}]*color: #", scheme), token


@pytest.mark.django_db
def test_tutorial_pages_link_the_stylesheet(client):
    tutorial = TutorialFactory(body_en=CODE)
    html = client.get(tutorial.get_absolute_url()).content.decode()
    assert re.search(r'<link rel="stylesheet" href="[^"]*tutorials/highlight\.css"', html)
    assert '<span class="k">' in html
