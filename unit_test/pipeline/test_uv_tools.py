from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from cibuildwheel_like import hostcmd
from cibuildwheel_like.archs import Arch
from cibuildwheel_like.context import Cache
from cibuildwheel_like.errors import HostCommandError
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


# -- pip settings and uv ------------------------------------------------------------------------
def test_uv_environment_translates_pip_index_and_ca_settings():
    env = {
        "PIP_CERT": "/ca.pem",
        "PIP_INDEX_URL": "https://mirror/simple",
        "PIP_EXTRA_INDEX_URL": "https://a/simple https://b/simple",
        "PATH": "/bin",
    }
    uv_env = uv_tools.uv_environment(env)
    assert uv_env["SSL_CERT_FILE"] == "/ca.pem"
    assert uv_env["UV_INDEX_URL"] == "https://mirror/simple"
    assert uv_env["UV_EXTRA_INDEX_URL"] == "https://a/simple https://b/simple"
    assert {k: uv_env[k] for k in env} == env  # nothing removed or changed


def test_uv_environment_keeps_uv_settings_the_user_chose():
    env = {
        "PIP_CERT": "/pip.pem",
        "SSL_CERT_FILE": "/image.pem",
        "PIP_INDEX_URL": "https://pip/simple",
        "UV_DEFAULT_INDEX": "https://uv/simple",
    }
    assert uv_tools.uv_environment(env) == env


def test_pip_settings_uv_would_ignore_are_listed():
    env = {
        "PIP_CERT": "x",
        "PIP_INDEX_URL": "x",
        "PIP_CACHE_DIR": "x",
        "PIP_ROOT_USER_ACTION": "ignore",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_FIND_LINKS": "/wheels",
        "PIP_PRE": "1",
        "PIPX_HOME": "/x",
    }
    assert uv_tools.pip_settings_uv_ignores(env) == ["PIP_FIND_LINKS", "PIP_PRE"]


# -- the probe ----------------------------------------------------------------------------------
def test_probe_output_is_parsed():
    text = (
        "cibuildwheel-like-uv-probe\npath /usr/local/bin/uv\npipconf /etc/pip.conf\n"
        "pipconf /root/.config/pip/pip.conf\n"
    )
    found = uv_tools.parse_probe(text)
    assert found == uv_tools.Probe(
        ran=True,
        uv=PurePosixPath("/usr/local/bin/uv"),
        pip_config_files=("/etc/pip.conf", "/root/.config/pip/pip.conf"),
    )


def test_probe_remembers_why_uv_is_not_available():
    found = uv_tools.parse_probe("cibuildwheel-like-uv-probe\nnone installing uv failed\n")
    assert found.ran
    assert found.uv is None
    assert found.unavailable == "installing uv failed"


def test_probe_without_its_mark_did_not_run():
    assert uv_tools.parse_probe("") == uv_tools.Probe(ran=False)
    assert not uv_tools.parse_probe("path /usr/bin/uv\n").ran


@pytest.mark.parametrize(
    ("arch", "musl", "platforms"),
    [
        (Arch.x86_64, False, ["manylinux2014_x86_64", "manylinux_2_31_x86_64"]),
        (Arch.aarch64, False, ["manylinux2014_aarch64", "manylinux_2_31_aarch64"]),
        (Arch.i686, True, ["musllinux_1_1_i686"]),
    ],
)
def test_uv_wheel_platforms(arch, musl, platforms):
    assert uv_tools.wheel_platforms(arch, musl=musl) == platforms


# -- the host cache -----------------------------------------------------------------------------
def uv_wheel(name: str = "uv-0.13.9-py3-none-manylinux_2_17_x86_64.whl") -> tuple[str, bytes]:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as wheel:
        wheel.writestr("uv-0.13.9.data/scripts/uv", b"#!uv binary")
        wheel.writestr("uv-0.13.9.data/scripts/uvx", b"#!uvx binary")
        wheel.writestr("uv-0.13.9.dist-info/METADATA", b"Name: uv\n")
    return name, data.getvalue()


def fake_pip_download(calls: list[list[str]], *, fail: bool = False):
    """Stands in for hostcmd.run of `pip download`: writes uv's wheel into --dest."""

    def run(args, **_):
        argv = [str(a) for a in args]
        calls.append(argv)
        if fail:
            raise HostCommandError("command failed with exit code 1: pip download uv\nno index")
        dest = Path(next(a for a in argv if a.startswith("--dest=")).split("=", 1)[1])
        name, data = uv_wheel()
        (dest / name).write_bytes(data)

    return run


def test_uv_binary_is_downloaded_once_per_arch_and_extracted(tmp_path, monkeypatch):
    calls: list[list[str]] = []
    monkeypatch.setattr(hostcmd, "run", fake_pip_download(calls))
    cache = Cache(root=tmp_path / "cache")
    warnings: list[str] = []
    binary = uv_tools.cached_binary(cache, Arch.aarch64, musl=False, warn=warnings.append)
    assert binary == tmp_path / "cache" / "tools" / "uv" / "manylinux_aarch64" / "uv"
    assert binary.read_bytes() == b"#!uv binary"
    assert binary.stat().st_mode & 0o111
    assert (tmp_path / "cache" / "CACHEDIR.TAG").is_file()
    (argv,) = calls
    assert argv[1:4] == ["-m", "pip", "download"]
    assert "--only-binary=:all:" in argv
    assert "--platform=manylinux2014_aarch64" in argv
    assert argv[-1] == "uv"
    again = uv_tools.cached_binary(cache, Arch.aarch64, musl=False, warn=warnings.append)
    assert again == binary
    assert len(calls) == 1  # cached: no second download
    leftovers = [p.name for p in binary.parent.iterdir() if p.name.startswith(".download-")]
    assert leftovers == []
    assert warnings == []


def test_failed_uv_download_is_remembered_and_warned_once(tmp_path, monkeypatch):
    calls: list[list[str]] = []
    monkeypatch.setattr(hostcmd, "run", fake_pip_download(calls, fail=True))
    cache = Cache(root=tmp_path / "cache")
    warnings: list[str] = []
    for _ in range(2):
        assert uv_tools.cached_binary(cache, Arch.x86_64, musl=True, warn=warnings.append) is None
    assert len(calls) == 1
    (warning,) = warnings
    assert "no index" in warning
    assert "x86_64" in warning
    assert (tmp_path / "cache" / "tools" / "uv" / "musllinux_x86_64" / "download-failed").is_file()
