from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from cibuildwheel_like.options.model import FrontendConfig
from cibuildwheel_like.options.values import FRONTEND_NAMES
from cibuildwheel_like.pipeline import uv_tools
from cibuildwheel_like.pipeline.state import WORK, ContainerPaths

# cibuildwheel 4.3.5 puts uv on PATH for exactly these two frontends.
USES_UV = {"pip": False, "build": False, "build[uv]": True, "uv": True}


def test_the_expectations_cover_every_frontend():
    assert set(USES_UV) == set(FRONTEND_NAMES)


@pytest.mark.parametrize(("name", "expected"), USES_UV.items())
def test_uses_uv_exactly_for_the_uv_frontends(name, expected):
    assert uv_tools.uses_uv(FrontendConfig(name=name)) is expected


def test_uses_uv_ignores_frontend_args():
    frontend = FrontendConfig(name="build[uv]", args=("--no-isolation",))
    assert uv_tools.uses_uv(frontend)


@pytest.mark.parametrize("name", ["uv", "build[uv]"])
def test_uv_frontends_install_test_requirements_with_uv_pip(name):
    argv = uv_tools.install_argv(FrontendConfig(name=name), "/w/x.whl[test]", "pytest>=8")
    assert argv == ["uv", "pip", "install", "/w/x.whl[test]", "pytest>=8"]


@pytest.mark.parametrize("name", ["pip", "build"])
def test_other_frontends_install_with_the_venv_pip(name):
    argv = uv_tools.install_argv(FrontendConfig(name=name), "/w/x.whl")
    assert argv == ["python", "-m", "pip", "install", "/w/x.whl"]


def test_path_entry_is_appended_so_earlier_entries_win():
    tools = PurePosixPath("/tmp/cibuildwheel-like/tools/bin")
    path = "/opt/python/cp311-cp311/bin:/usr/bin:/bin"
    assert uv_tools.with_path_entry(path, tools) == f"{path}:{tools}"


def test_path_entry_not_repeated_and_empty_entries_dropped():
    tools = PurePosixPath("/t/bin")
    assert uv_tools.with_path_entry("/a:/t/bin:/b", tools) == "/a:/t/bin:/b"
    assert uv_tools.with_path_entry("", tools) == "/t/bin"
    assert uv_tools.with_path_entry("/a::/b:", tools) == "/a:/b:/t/bin"


def test_tools_live_under_the_container_work_directory():
    tools = ContainerPaths().tools
    assert tools.parent == WORK
    assert tools not in {ContainerPaths().built, ContainerPaths().repaired, ContainerPaths().wheels}
