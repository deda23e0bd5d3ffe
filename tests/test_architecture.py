"""Which way imports go (docs/architecture.md), checked on the source text.

Every import in the project's apps, function-level ones included, is an arrow
from one module to another. The arrows must form no circle, and no lower
room may reach up into a higher one.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("admissions", "programs", "sheer_site")

# Room -> rooms it must never import (prefixes of module names).
NEVER_IMPORTS = {
    "admissions.phi": ("admissions.",),  # bottom: nothing of ours but itself
    "admissions.contact": (
        "admissions.models",
        "admissions.intake",
        "admissions.staff",
        "admissions.access",
        "admissions.services",
        "admissions.eligibility",
    ),
    "admissions.models": (
        "admissions.intake",
        "admissions.staff",
        "admissions.access",
        "admissions.services",
    ),
    "admissions.access": (
        "admissions.intake",
        "admissions.staff",
        "admissions.services",
        "admissions.eligibility",
    ),
    "admissions.services": ("admissions.intake", "admissions.staff", "admissions.admin"),
    "admissions.eligibility": ("admissions.intake", "admissions.staff", "admissions.admin"),
    "admissions.handoff": ("admissions.intake", "admissions.staff", "admissions.admin"),
    "admissions.intake": ("admissions.staff", "admissions.admin"),
    "admissions.staff": ("admissions.intake", "admissions.admin"),
    "programs": ("admissions",),
}
# Within a room these may import each other's parts; the eligibility engine's
# pure modules are also kept apart from Django models.
ENGINE = (
    "admissions.eligibility.records",
    "admissions.eligibility.plain_words",
    "admissions.eligibility.codes",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Project modules that `name` imports, anywhere in its text."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # `from package import module` imports the module; `from module
            # import name` imports the module the name is defined in.
            candidates = [
                f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in known else origin
                for alias in node.names
            ]
        else:
            continue
        for candidate in candidates:
            # The longest known module the name starts with.
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            # Python imports a module's own packages first; that is no arrow.
            if candidate and candidate != name and not name.startswith(candidate + "."):
                targets.add(candidate)
    return targets


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = project_modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_imports_it_should(graph):
    # A check that reads nothing would pass anything: prove it reads.
    assert "admissions.phi.crypto" in graph["admissions.contact"]
    assert "admissions.staff.eligibility" in graph["admissions.staff.lead_page"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles(graph):
    assert cycles(graph) == []


def test_no_arrow_runs_up_from_a_lower_room(graph):
    upward = [
        f"{module} -> {target}"
        for module, targets in graph.items()
        for room, forbidden in NEVER_IMPORTS.items()
        if module == room or module.startswith(room + ".")
        for target in targets
        if target.startswith(forbidden) and not (target == room or target.startswith(room + "."))
    ]
    assert upward == []


def test_the_eligibility_engine_knows_no_django_model(graph):
    reaching_models = [
        f"{module} -> {target}"
        for module in ENGINE
        for target in graph[module]
        if target.startswith(("admissions.models", "programs.models"))
    ]
    assert reaching_models == []
