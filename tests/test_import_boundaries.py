"""The apps import one another only in the directions DESIGN.md draws, and never in a circle.

Every module of every app of ours is read with ``ast`` (not imported): ``import x`` and
``from x import y``, string references to a model (``"tutorials.Tutorial"``), and
``apps.get_model("tutorials", ...)`` all count as naming the other app. ``portal`` is the
project: its leaf modules (the Celery app, the health checks, the DRF kit) import no app and any
app may use them; the rest of ``portal`` (settings, URLs, site-wide views) may name every app,
and no app may import it.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "resources", "tutorials", "accounts", "notifications", "paths")

#: app -> the apps it may name. ``resources`` names none: what it shows of other apps reaches it
#: through the registries in ``resources/personal.py`` and ``resources/registry.py``.
ALLOWED = {
    "resources": set(),
    "tutorials": {"resources"},
    "accounts": {"resources"},
    "paths": {"resources", "tutorials"},
    "notifications": {"resources", "tutorials", "paths"},
    "portal": {"resources", "tutorials", "accounts", "notifications", "paths"},
}
#: Modules of ``portal`` that any app may import; each of them names no app itself.
PORTAL_LEAVES = ("portal.celery", "portal.health", "portal.api")
MODEL_STRING = re.compile(r"([a-z_]+)\.([A-Z][A-Za-z0-9]+)")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def names(path: Path) -> set[str]:
    """The dotted names a module imports or names by string (first part an app of ours)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "get_model" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value.split(".")[0] + ".models")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = MODEL_STRING.fullmatch(node.value)
            if match and match.group(1) in APPS:
                found.add(f"{match.group(1)}.models")
    return {name for name in found if name.split(".")[0] in APPS}


def modules() -> dict[str, set[str]]:
    result = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                result[module_name(path)] = names(path)
    return result


def is_leaf(name: str) -> bool:
    return any(name == leaf or name.startswith(leaf + ".") for leaf in PORTAL_LEAVES)


def test_every_app_names_only_the_apps_it_may():
    wrong = []
    for module, named in modules().items():
        app = module.split(".")[0]
        for name in named:
            other = name.split(".")[0]
            if other == app:
                continue
            if other == "portal" and is_leaf(name):
                continue
            if other not in ALLOWED[app]:
                wrong.append(f"{module} names {name}")
    assert wrong == [], "\n".join(sorted(wrong))


def test_the_portal_leaves_name_no_app():
    wrong = [
        f"{module} names {name}"
        for module, named in modules().items()
        if is_leaf(module)
        for name in named
        if name.split(".")[0] != "portal" or not is_leaf(name)
    ]
    assert wrong == [], "\n".join(sorted(wrong))


def test_the_apps_form_no_circle():
    edges = {app: set() for app in APPS}
    for module, named in modules().items():
        app = module.split(".")[0]
        if app == "portal" and is_leaf(module):
            continue
        for name in named:
            other = name.split(".")[0]
            if other != app and not (other == "portal" and is_leaf(name)):
                edges[app].add(other)
    visiting, done = set(), set()

    def visit(app, trail):
        assert app not in visiting, "circle: " + " → ".join([*trail, app])
        if app in done:
            return
        visiting.add(app)
        for other in sorted(edges[app]):
            visit(other, [*trail, app])
        visiting.discard(app)
        done.add(app)

    for app in APPS:
        visit(app, [])


def test_the_walk_sees_each_kind_of_reference(tmp_path):
    """The checks above can fail: each kind of reference is found in a sample module."""
    path = tmp_path / "sample.py"
    path.write_text(
        "import tutorials.models\n"
        "from paths import services\n"
        "X = 'accounts.Bookmark'\n"
        "apps.get_model('notifications', 'Follow')\n"
        "Y = 'not.a model'\n",
        encoding="utf-8",
    )
    assert names(path) == {
        "tutorials.models",
        "paths",
        "paths.services",
        "accounts.models",
        "notifications.models",
    }


def test_no_module_of_an_app_imports_itself_back():
    """Within the apps, module imports (at the top or inside a function) form no circle either:
    e.g. ``tutorials.models`` checks a tutorial's demo from the demo specs, not from the services
    that import the models."""
    graph = modules()
    known = set(graph)

    def targets(name: str) -> set[str]:
        # ``from tutorials import services`` names tutorials.services; ``import x.y`` names x.y.
        return {n for n in graph[name] if n in known} - {name}

    visiting, done = [], set()

    def visit(name):
        assert name not in visiting, "circle: " + " → ".join([*visiting[visiting.index(name) :], name])
        if name in done:
            return
        visiting.append(name)
        for other in sorted(targets(name)):
            visit(other)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
