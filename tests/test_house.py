"""The house's rules, read from the source: no module of ``playground`` imports another that (through any chain,
imports inside functions included) imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "playground"


def _modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """module → the package's modules it imports, anywhere in its source."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # a relative import: from the importing module's package
                    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                    for _ in range(node.level - 1):
                        package = package.rpartition(".")[0]
                    base = f"{package}.{base}" if base else package
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            graph[name].update(target for target in targets if target in modules and target != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_the_package():
    graph = import_graph()
    assert "playground.registry" in graph and graph["playground.catalog"] >= {"playground.registry"}
    assert cycles(graph) == [], "modules that import each other (through any chain)"


# ---------------------------------------------------------------- public APIs of the libraries only

LIBRARIES = {"torch", "torchvision", "onnxruntime", "gradio"}
APP_SOURCES = sorted(PACKAGE.rglob("*.py")) + [PACKAGE.parent / "app.py"]
ATTRIBUTE_FUNCTIONS = {"getattr", "setattr", "hasattr", "delattr"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _root(node: ast.AST) -> str | None:
    """The name an expression such as ``torch._C._get_tracing_state()`` or ``gr.Blocks()._queue`` starts from."""
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _imports(tree: ast.AST) -> tuple[set[str], set[str]]:
    """(names bound to a library or something imported from one, names bound to any other imported module)."""
    library, other = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                (library if alias.name.split(".")[0] in LIBRARIES else other).add(bound)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                bound = alias.asname or alias.name
                (library if node.module.split(".")[0] in LIBRARIES else other).add(bound)
    return library, other


def defined_names(trees: list[ast.AST]) -> set[str]:
    """Every name the app's own code defines: functions, classes, parameters, variables and attributes it assigns."""
    names = set()
    for tree in trees:
        library, _ = _imports(tree)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _root(node) not in library:
                names.add(node.attr)
    return names


def library_private_names() -> set[str]:
    """The private names the libraries' main objects have now (a module's ``_forward_hooks``, a session's ``_sess``)."""
    import io
    import warnings

    import gradio
    import onnxruntime
    import torch
    from torch.nn.modules import module

    graph = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(torch.nn.Linear(2, 2), (torch.zeros(1, 2),), graph, dynamo=False)
    session = onnxruntime.InferenceSession(graph.getvalue(), providers=["CPUExecutionProvider"])
    objects = [torch, torch.nn.Linear(2, 2), torch.zeros(1), module, onnxruntime, session, gradio,
               gradio.Blocks(), gradio.components.Component]
    return {name for thing in objects for name in dir(thing) if _private(name)}


def private_uses(tree: ast.AST, own: set[str], library_names: set[str] = frozenset()) -> list[tuple[int, str]]:
    """(line, what) for every private name (``_x``, not ``__x__``) of a library the code touches:
    - reached from a name imported from torch, onnxruntime or gradio (``torch._C``, ``gr.Blocks()._queue``);
    - imported from a private module or by a private name (``from torch._C import …``);
    - on any other object (a session, a module), when the app never defines that name itself (``session._sess``,
      ``getattr(module, "_forward_hooks")``), unless it starts from another imported module (``os._exit``);
    - spelled as a string that is one of ``library_names`` and not the app's own (a name for getattr, later)."""
    library, other = _imports(tree)
    found = []

    def check(node: ast.AST, base: ast.AST, name: str) -> None:
        root = _root(base)
        if _private(name) and (root in library or (root not in other and name not in own)):
            found.append((node.lineno, ast.unparse(node)))

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            check(node, node.value, node.attr)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ATTRIBUTE_FUNCTIONS
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            check(node, node.args[0], node.args[1].value)
        elif isinstance(node, ast.Constant) and node.value in library_names and node.value not in own:
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module or "" if isinstance(node, ast.ImportFrom) else ""
            paths = [f"{module}.{alias.name}".strip(".") for alias in node.names]
            if any(path.split(".")[0] in LIBRARIES and any(_private(part) for part in path.split("."))
                   for path in paths):
                found.append((node.lineno, ast.unparse(node)))
    return found


PLANTED = '''
import os
import torch
import gradio as gr
import onnxruntime as ort
from torch.nn.modules import module as torch_module
from torch._C import _get_tracing_state

class Mine:
    def __init__(self):
        self._count = 0

def serve(session, module, blocks, mine):
    blocks._our_note = "ours"
    ok = (mine._count, blocks._our_note, getattr(blocks, "_our_note"), os._exit, torch.jit.is_tracing())
    torch._C._get_tracing_state()
    torch_module._global_forward_hooks
    session._sess.run(None, {})
    getattr(module, "_forward_hooks")
    gr.Blocks()._queue
    ort.capi._pybind_state
    return [getattr(module, name) for name in ("_forward_pre_hooks", "_our_note")]
'''


def test_the_private_attribute_finder_flags_a_planted_example():
    tree = ast.parse(PLANTED)
    lines = sorted({line for line, _ in private_uses(tree, defined_names([tree]), library_private_names())})
    # the import of torch._C, then each of the seven reads of a library's private name; not the line of ours / os
    assert lines == [7, 16, 17, 18, 19, 20, 21, 22]


def test_no_module_reads_a_private_attribute_of_torch_onnxruntime_or_gradio():
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in APP_SOURCES}
    assert len(trees) > 100 and PACKAGE / "inference.py" in trees
    own, library_names = defined_names(list(trees.values())), library_private_names()
    assert {"_forward_hooks", "_sess"} <= library_names
    found = [f"{path.relative_to(PACKAGE.parent)}:{line}: {what}"
             for path, tree in trees.items() for line, what in private_uses(tree, own, library_names)]
    assert found == [], "private internals of a library (public APIs only)"
