"""The suite's own rules, read from its source with ``ast``:

* no module imports a test module (``tests.x.test_y``) or a conftest: what tests share lives in
  tests/helpers.py, tests/processes.py, tests/factories.py, tests/fuzz/strategies.py and the
  like, and fixtures reach tests through conftest.py files, never by import;
* a fixture name is defined in one place only, so that a name means one thing everywhere
  (``curator`` is the same user in every folder).
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([ROOT / "conftest.py", *(ROOT / "tests").rglob("*.py")])


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imported_modules(path: Path, tree: ast.AST) -> list[tuple[int, str]]:
    """Every module an import statement of the file names, with its line, relative ones resolved."""
    package = module_name(path).rsplit(".", 1)[0] if "." in module_name(path) else ""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}".strip(".")
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def is_test_module_or_conftest(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last == "conftest" or (name.startswith("tests.") and last.startswith("test_"))


def is_fixture(node: ast.AST) -> bool:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
        "fixture" in ast.unparse(decorator) for decorator in node.decorator_list
    )


def parsed():
    for path in SOURCES:
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_no_module_imports_a_test_module_or_a_conftest():
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path, tree in parsed()
        for line, name in imported_modules(path, tree)
        if is_test_module_or_conftest(name)
    ]
    assert not offences, "move what is shared to a helper module:\n" + "\n".join(sorted(set(offences)))


def test_each_fixture_name_is_defined_once():
    places = defaultdict(list)
    for path, tree in parsed():
        for node in ast.walk(tree):
            if is_fixture(node):
                places[node.name].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    twice = {name: where for name, where in places.items() if len(where) > 1}
    assert not twice, "fixtures defined in more than one place (give them distinct names): " + repr(twice)


def test_the_checks_see_what_they_look_for():
    """The walk finds the fixtures and imports it checks (a broken walk would pass anything)."""
    names = {node.name for _path, tree in parsed() for node in ast.walk(tree) if is_fixture(node)}
    assert {"curator", "curator_client", "reader_api", "api", "celery_worker_process"} <= names
    tree = ast.parse("from tests.faults.conftest import x\nfrom .test_views import y\nimport conftest\n")
    names = [name for _line, name in imported_modules(ROOT / "tests" / "web" / "test_z.py", tree)]
    assert [n for n in names if is_test_module_or_conftest(n)] == [
        "tests.faults.conftest",
        "tests.web.test_views",
        "conftest",
    ]
