"""The shape of the tree (docs/DEVELOPING.md, "Shape of a service"), checked over every file by
reading its syntax tree, not by grep:

- code in one service imports another service only through that service's `contract/`; the gateway
  likewise; services reach the gateway only through `gateway/contract/`; `ims_common` imports no
  service and not the gateway (tests, bench/, scripts/ and examples/ may import what they need);
- every service folder has the same parts;
- each word has one owner: modes, statuses, roles and the command -> roles table are assigned once;
- a domain imports no framework, driver or I/O library;
- each contract's rpc.py names exactly the RPC methods its service.py serves.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "service.py").exists())
EXEMPT_TOP = {"tests", "bench", "scripts", "examples", ".venv", "var", "test-artifacts", "docs", "deploy"}
SHAPE = ("contract/__init__.py", "contract/rpc.py", "domain/__init__.py", "app/__init__.py",
         "adapters/__init__.py", "bootstrap.py", "service.py", "cli.py", "tests/__init__.py")
APP_MODULE_MAX_LINES = 320
ONE_OWNER = {
    "MODES": "services/booking/contract/vocabulary.py",
    "STATUSES": "services/booking/contract/vocabulary.py",
    "ROLES": "services/auth/contract/vocabulary.py",
    "COMMAND_ROLES": "services/booking/contract/vocabulary.py",
}
# What a domain may import beyond the standard library: the pure parts of ims_common and contracts.
DOMAIN_FORBIDDEN = {"nameko", "flask", "kombu", "amqp", "pymongo", "gridfs", "bson", "sqlite3", "eventlet",
                    "requests", "urllib3", "werkzeug", "gunicorn", "argon2", "jwt", "smtplib", "socket",
                    "fpdf", "marshmallow", "subprocess"}
DOMAIN_COMMON = {"ims_common.errors", "ims_common.validation", "ims_common.times", "ims_common.money",
                 "ims_common.envelope", "ims_common.files", "ims_common.csv_cells"}


def product_files(root: Path = ROOT):
    """Every .py file of the product (not tests, benchmarks, scripts or examples)."""
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] in EXEMPT_TOP or "tests" in rel.parts or rel.name.startswith("test_"):
            continue
        yield rel


def imported_modules(path: Path, rel: Path):
    """(line, absolute module name) of every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(), filename=str(rel))
    package = list(rel.parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if "." not in module or (module.startswith("services.") and module.count(".") == 1):
                for alias in node.names:   # `from services.booking import domain`: the module named
                    yield node.lineno, f"{module}.{alias.name}"
            else:
                yield node.lineno, module


def owner_of(rel: Path) -> str:
    """'services.<name>', 'gateway' or 'ims_common': the package a file belongs to."""
    if rel.parts[0] == "services" and len(rel.parts) > 2:
        return f"services.{rel.parts[1]}"
    return rel.parts[0]


def offence(owner: str, module: str) -> str | None:
    parts = module.split(".")
    if owner == "ims_common" and parts[0] in ("services", "gateway"):
        return "ims_common imports no service and not the gateway"
    if parts[0] == "services" and len(parts) > 1:
        target = f"services.{parts[1]}"
        if target == owner or (len(parts) > 2 and parts[2] == "contract"):
            return None
        return None if target == owner else f"reaches into {target} (only {target}.contract may be imported)"
    if parts[0] == "gateway" and owner != "gateway":
        return None if len(parts) > 1 and parts[1] == "contract" else "reaches into the gateway (only gateway.contract)"
    return None


def boundary_offences(root: Path = ROOT) -> list[str]:
    found = []
    for rel in product_files(root):
        owner = owner_of(rel)
        if owner not in ("gateway", "ims_common") and not owner.startswith("services."):
            continue
        for line, module in imported_modules(root / rel, rel):
            why = offence(owner, module)
            if why:
                found.append(f"{rel}:{line}: {module}: {why}")
    return sorted(set(found))


def test_packages_reach_each_other_only_through_contracts():
    offences = boundary_offences()
    assert not offences, "imports across a boundary:\n" + "\n".join(offences)


def test_the_boundary_check_names_a_deliberate_cross_service_import(tmp_path):
    """The check itself fails on an offending import, naming the file, the line and the module."""
    for name in ("booking", "payroll"):
        (tmp_path / "services" / name / "contract").mkdir(parents=True)
        (tmp_path / "services" / name / "contract" / "__init__.py").write_text("")
    (tmp_path / "services" / "payroll" / "app.py").write_text(
        "from services.booking.contract.fold import apply\n"
        "from services.booking.domain.events import evolve_in_place\n")
    (tmp_path / "ims_common").mkdir()
    (tmp_path / "ims_common" / "x.py").write_text("import gateway.web\n")
    (tmp_path / "gateway").mkdir()
    (tmp_path / "gateway" / "y.py").write_text("from services.payroll.domain import business_hours\n")
    assert boundary_offences(tmp_path) == [
        "gateway/y.py:1: services.payroll.domain: reaches into services.payroll (only services.payroll.contract may be imported)",
        "ims_common/x.py:1: gateway.web: ims_common imports no service and not the gateway",
        "services/payroll/app.py:2: services.booking.domain.events: reaches into services.booking (only services.booking.contract may be imported)",
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_folder_has_the_same_shape(service):
    folder = ROOT / "services" / service
    missing = [part for part in SHAPE if not (folder / part).exists()]
    assert not missing, f"services/{service} lacks {', '.join(missing)}"
    stray = sorted(p.name for p in folder.glob("*.py")
                   if p.name not in ("__init__.py", "bootstrap.py", "service.py", "cli.py"))
    assert not stray, f"services/{service}: modules outside contract/ domain/ app/ adapters/: {stray}"
    long = [f"{p.relative_to(ROOT)} ({n} lines)" for p in (folder / "app").glob("*.py")
            if (n := len(p.read_text().splitlines())) > APP_MODULE_MAX_LINES]
    assert not long, f"use-case modules over {APP_MODULE_MAX_LINES} lines: {long}"


def test_each_word_has_one_owner():
    defined: dict[str, list[str]] = {name: [] for name in ONE_OWNER}
    for rel in product_files():
        for node in ast.parse((ROOT / rel).read_text()).body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name) and target.id in defined:
                    defined[target.id].append(str(rel))
    assert {name: places for name, places in defined.items()} == {name: [place] for name, place in ONE_OWNER.items()}


def test_domains_import_no_framework_driver_or_io():
    found = []
    for service in SERVICES:
        for path in sorted((ROOT / "services" / service / "domain").rglob("*.py")):
            rel = path.relative_to(ROOT)
            for line, module in imported_modules(path, rel):
                top = module.split(".")[0]
                if top in DOMAIN_FORBIDDEN or (top == "ims_common" and not any(
                        module == allowed or module.startswith(allowed + ".") for allowed in DOMAIN_COMMON)):
                    found.append(f"{rel}:{line}: {module}")
    assert not found, "domains must stay plain Python:\n" + "\n".join(sorted(set(found)))


def _rpc_methods(service_py: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(service_py.read_text())):
        if isinstance(node, ast.FunctionDef) and any(
                (isinstance(d, ast.Name) and d.id == "rpc") or (isinstance(d, ast.Call) and getattr(d.func, "id", "") == "rpc")
                for d in node.decorator_list):
            names.add(node.name)
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_each_contract_names_the_rpc_methods_its_service_serves(service):
    import importlib
    rpc = importlib.import_module(f"services.{service}.contract.rpc")
    assert rpc.SERVICE == service
    assert set(rpc.METHODS) == _rpc_methods(ROOT / "services" / service / "service.py")
    assert set(rpc.METHODS.values()) <= {rpc.READ, rpc.WRITE}
