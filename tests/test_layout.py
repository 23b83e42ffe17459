"""The layout of DESIGN.md §3: role packages by topic, no import cycles, lower layers never
import upward."""

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "audit", "cases", "triage", "risk", "advocacy", "interventions", "reporting")
PACKAGES = (*APPS, "config")
PLATFORM = ("accounts", "audit")
DOMAIN = tuple(app for app in APPS if app not in PLATFORM)
ROLES = ("views", "api", "serializers", "forms", "urls", "tasks", "selectors", "services")


def project_modules():
    """Module name -> source path for every project module outside migrations."""
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imported_modules(path, name, modules):
    """Every project module ``path`` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()

    def nearest(dotted):
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(nearest(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules else nearest(base))
    found.discard("")
    found.discard(name)
    return found


def import_graph():
    modules = project_modules()
    return {name: imported_modules(path, name, modules) for name, path in modules.items()}


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back():
    assert cycles(import_graph()) == []


def test_accounts_and_audit_import_no_domain_app():
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module.split(".")[0] in PLATFORM
        for target in targets
        if target.split(".")[0] in DOMAIN
    )
    assert upward == []


def test_no_role_module_is_named_by_prefix_or_suffix():
    pattern = re.compile(r"/([a-z]+_views|(views|api|serializers|forms|urls|tasks)_[a-z]+)\.py$")
    misnamed = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if pattern.search("/" + str(path.relative_to(ROOT)))
    ]
    assert misnamed == []


def test_role_packages_re_export_nothing():
    """Callers import the topic module (cases.views.record), never the package."""
    exporting = []
    for app in APPS:
        for role in ROLES:
            init = ROOT / app / role / "__init__.py"
            if init.exists():
                tree = ast.parse(init.read_text())
                if any(isinstance(n, ast.Import | ast.ImportFrom) for n in tree.body):
                    exporting.append(str(init.relative_to(ROOT)))
    assert exporting == []


def test_a_role_package_and_a_role_module_never_sit_side_by_side():
    both = [
        f"{app}/{role}"
        for app in APPS
        for role in ROLES
        if (ROOT / app / role).is_dir() and (ROOT / app / f"{role}.py").exists()
    ]
    assert both == []


def test_topics_of_an_app_are_shared_across_its_role_packages():
    """A topic module in a role package names a topic the app's models, selectors or
    services also have (or core), so the topic and the role give the file."""
    strays = defaultdict(list)
    for app in APPS:
        topics = {"core"}
        for layer in ("models", "selectors", "services"):
            if (ROOT / app / layer).is_dir():
                topics |= {p.stem for p in (ROOT / app / layer).glob("*.py")}
        for role in ("views", "api", "serializers", "forms", "urls"):
            for path in (ROOT / app / role).glob("*.py") if (ROOT / app / role).is_dir() else ():
                if path.stem != "__init__" and path.stem not in topics:
                    strays[app].append(f"{role}/{path.name}")
    assert dict(strays) == {}
