"""pyproject.toml declares every third-party module src/ imports, at bounds the installed versions
meet, and ships every data file the package reads."""

from __future__ import annotations

import ast
import sys
import tomllib
from fnmatch import fnmatchcase
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

SRC = REPO / "src" / "enablement"


@pytest.fixture(scope="module")
def pyproject() -> dict[str, Any]:
    with (REPO / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


@pytest.fixture(scope="module")
def declared(pyproject: dict[str, Any]) -> dict[str, Requirement]:
    requirements = [Requirement(line) for line in pyproject["project"]["dependencies"]]
    return {canonicalize_name(r.name): r for r in requirements}


def imported_modules(root: Path) -> dict[str, set[str]]:
    """Top-level modules imported under `root` (absolute imports, and importlib.import_module
    of a literal name), with the files importing each; the standard library left out."""
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names = [str(node.args[0].value)]
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(root)))
    return {
        name: files
        for name, files in found.items()
        if name not in sys.stdlib_module_names and name != "enablement"
    }


def test_the_scan_finds_direct_and_lazy_imports() -> None:
    modules = imported_modules(SRC)
    assert {"fastapi", "sqlalchemy", "mcp", "lxml", "starlette"} <= set(modules)
    assert "faiss" in modules  # index/dense.py: importlib.import_module("faiss")
    assert "os" not in modules and "enablement" not in modules


def test_every_imported_module_comes_from_a_declared_distribution(
    declared: dict[str, Requirement],
) -> None:
    providers = metadata.packages_distributions()
    missing = {
        module: sorted(files)
        for module, files in imported_modules(SRC).items()
        if not {canonicalize_name(d) for d in providers.get(module, [])} & set(declared)
    }
    assert missing == {}, f"imported but not in [project].dependencies: {missing}"


def test_the_installed_versions_meet_the_declared_bounds(
    declared: dict[str, Requirement],
) -> None:
    unmet = {}
    for name, requirement in declared.items():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        installed = metadata.version(name)
        if not requirement.specifier.contains(installed, prereleases=True):
            unmet[name] = f"{installed} does not meet {requirement.specifier}"
    assert unmet == {}


def test_mcp_is_bounded_below_by_the_sdk_the_server_is_written_for(
    declared: dict[str, Requirement],
) -> None:
    """mcp_server.py needs 2.1's MCPServer and its ToolError / UnexpectedToolError split."""
    specifier = declared["mcp"].specifier
    assert not specifier.contains("2.0.1") and specifier.contains("2.1.0")
    from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError

    assert issubclass(UnexpectedToolError, ToolError)


def test_every_data_file_is_shipped(pyproject: dict[str, Any]) -> None:
    """Each non-Python file under src/enablement matches a package-data glob (the vendored
    docs and chart libraries included), so an installed package serves it."""
    patterns = pyproject["tool"]["setuptools"]["package-data"]["enablement"]

    def shipped(relative: PurePosixPath) -> bool:
        return any(
            len(relative.parts) == len(PurePosixPath(p).parts)
            and all(map(fnmatchcase, relative.parts, PurePosixPath(p).parts))
            for p in patterns
        )

    files = [
        PurePosixPath(path.relative_to(SRC).as_posix())
        for path in SRC.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc")
    ]
    assert PurePosixPath("web/static/vendor/redoc/redoc.standalone.js") in files
    assert [str(f) for f in files if not shipped(f)] == []
