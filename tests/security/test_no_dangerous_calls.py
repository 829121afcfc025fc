"""No user input can reach eval, a shell or pickle: the product's code never calls them.

A static check over the syntax tree of every module of portal/, resources/, accounts/ and
tutorials/ (migrations included), and a runtime check that Celery accepts and writes JSON only,
so a message on the broker cannot carry a pickle.
"""

import ast
from pathlib import Path

import pytest

from tests.processes import ROOT

PACKAGES = ("portal", "resources", "accounts", "tutorials")
FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "jsonpickle"}
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_ATTRIBUTES = {
    ("os", "system"),
    ("os", "popen"),
    ("os", "execl"),
    ("os", "execlp"),
    ("os", "execv"),
    ("os", "execvp"),
    ("os", "spawnl"),
    ("os", "spawnlp"),
    ("yaml", "unsafe_load"),
    ("yaml", "unsafe_load_all"),
    ("yaml", "full_load"),
    ("yaml", "full_load_all"),
    ("subprocess", "getoutput"),
    ("subprocess", "getstatusoutput"),
}
SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}


def python_files() -> list[Path]:
    files = sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))
    assert len(files) > 50
    return files


def dotted(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return ""


def safe_loader(name: str, module: str | None) -> bool:
    """A loader named in SAFE_LOADERS, or a module-level name that is bound to a class with
    PyYAML's safe constructor and not the full one (a subclass of SafeLoader or CSafeLoader)."""
    import importlib

    import yaml

    if name.rsplit(".", 1)[-1] in SAFE_LOADERS:
        return True
    if module is None or "." in name or not name:
        return False
    loader = getattr(importlib.import_module(module), name, None)
    return (
        isinstance(loader, type)
        and issubclass(loader, yaml.constructor.SafeConstructor)
        and not issubclass(loader, yaml.constructor.FullConstructor)
    )


def problems_in(source: str, filename: str = "<test>", module: str | None = None) -> list[str]:
    tree = ast.parse(source, filename)
    found = []
    for node in ast.walk(tree):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [
                f"{where} imports {a.name}" for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
            found.append(f"{where} imports from {node.module}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            names = {a.name for a in node.names}
            found += [f"{where} imports os.{n}" for n in names if ("os", n) in FORBIDDEN_ATTRIBUTES]
        elif isinstance(node, ast.Call):
            name = dotted(node.func)
            parts = tuple(name.rsplit(".", 1)) if "." in name else ("", name)
            if name in FORBIDDEN_BUILTINS:
                found.append(f"{where} calls {name}()")
            if parts in FORBIDDEN_ATTRIBUTES:
                found.append(f"{where} calls {name}()")
            if parts[1] in {"load", "load_all"} and parts[0].endswith("yaml"):
                loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                if loader is None and len(node.args) > 1:
                    loader = node.args[1]
                if loader is None or not safe_loader(dotted(loader), module):
                    found.append(f"{where} calls {name}() without a safe Loader")
            for keyword in node.keywords:
                if keyword.arg == "shell" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    found.append(f"{where} calls {name}() with shell={ast.unparse(keyword.value)}")
    return found


def test_the_product_code_has_no_eval_shell_or_pickle():
    found = []
    for path in python_files():
        relative = path.relative_to(ROOT)
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        found += problems_in(path.read_text(encoding="utf-8"), str(relative), module)
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        "eval(request.GET['q'])",
        "exec(code)",
        "import pickle",
        "from marshal import loads",
        "import shelve as s",
        "yaml.load(text)",
        "yaml.load(text, Loader=yaml.Loader)",
        "yaml.load(text, yaml.FullLoader)",
        "yaml.unsafe_load(text)",
        "subprocess.run(cmd, shell=True)",
        "subprocess.Popen(cmd, shell=flag)",
        "os.system('ls ' + name)",
        "os.popen(name)",
        "from os import system",
    ],
)
def test_the_checker_catches_each_pattern(source):
    """The control: each forbidden call in a one-line module is reported."""
    assert problems_in(source), source


@pytest.mark.parametrize(
    "source",
    [
        "yaml.load(text, Loader=yaml.SafeLoader)",
        "yaml.load(text, Loader=yaml.CSafeLoader)",
        "yaml.safe_load(text)",
        "subprocess.run(['ls'], shell=False)",
        "json.loads(text)",
        "re.compile(pattern)",
    ],
)
def test_the_checker_lets_safe_calls_through(source):
    assert problems_in(source) == []


def test_celery_accepts_and_writes_json_only():
    from portal.celery import app

    assert set(app.conf.accept_content) == {"json"}
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert set(app.conf.result_accept_content or app.conf.accept_content) == {"json"}
    assert app.conf.event_serializer == "json"
