"""The engine-free parts of container.py: exec scripts and safe extraction."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine.container import Container, Mount
from cibuildwheel_like.engine.tar_stream import extract as extract_stream
from cibuildwheel_like.engine.tar_stream import safe_member_path
from cibuildwheel_like.errors import AlreadyBuiltWheelError, FatalError
from cibuildwheel_like.options.model import EngineConfig
from cibuildwheel_like.pipeline.deliver import Delivery


def test_script_sets_exact_environment_and_cwd(tmp_path: Path):
    script = Container.script(
        ["sh", "-c", 'printf "%s|%s|%s" "$A" "$B" "$PWD"'],
        env={"A": "it's $HOME", "B": "x y"},
        cwd=str(tmp_path),
    )
    # The same script, run by a local POSIX shell the way the container runs it.
    done = subprocess.run(
        ["/bin/sh", "-c", 'eval "$(cat)"'], input=script, capture_output=True, check=True
    )
    assert done.stdout.decode() == f"it's $HOME|x y|{tmp_path}"


def test_script_env_is_only_what_is_given():
    script = Container.script(["env"], env={"ONLY": "1"}, cwd="/")
    done = subprocess.run(
        ["/bin/sh", "-c", 'eval "$(cat)"'], input=script, capture_output=True, check=True
    )
    assert done.stdout.decode().split() == ["ONLY=1"]


def test_script_missing_cwd_exits_125():
    script = Container.script(["true"], env={}, cwd="/does/not/exist")
    done = subprocess.run(
        ["/bin/sh", "-c", 'eval "$(cat)"'], input=script, capture_output=True, check=False
    )
    assert done.returncode == 125


def _tar(members: list[tarfile.TarInfo], data: bytes = b"wheel") -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for m in members:
            if m.isfile():
                m.size = len(data)
                tar.addfile(m, io.BytesIO(data))
            else:
                tar.addfile(m)
    buffer.seek(0)
    return buffer


def test_extract_stream_regular_files(tmp_path: Path):
    d = tarfile.TarInfo("sub")
    d.type = tarfile.DIRTYPE
    written = extract_stream(_tar([d, tarfile.TarInfo("sub/a.whl")]), tmp_path)
    assert written == [tmp_path / "sub" / "a.whl"]
    assert (tmp_path / "sub" / "a.whl").read_bytes() == b"wheel"


@pytest.mark.parametrize("name", ["../evil.whl", "/etc/evil", "a/../../evil"])
def test_extract_stream_refuses_escapes(tmp_path: Path, name: str):
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(FatalError, match="refusing archive member"):
        extract_stream(_tar([tarfile.TarInfo(name)]), root)
    assert not (tmp_path / "evil.whl").exists()


def test_extract_stream_refuses_links(tmp_path: Path):
    link = tarfile.TarInfo("a.whl")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    with pytest.raises(FatalError, match="only regular files"):
        extract_stream(_tar([link]), tmp_path)


def test_extract_refuses_through_symlinked_dir(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "sub").symlink_to(outside)
    with pytest.raises(FatalError):
        safe_member_path(root, "sub/x.whl")


def test_delivery_claims_each_name_once(tmp_path: Path):
    delivery = Delivery(tmp_path)
    delivery.claim("a-1-cp311-cp311-linux_x86_64.whl", "cp311-manylinux_x86_64")
    with pytest.raises(AlreadyBuiltWheelError) as info:
        delivery.claim("a-1-cp311-cp311-linux_x86_64.whl", "cp311-musllinux_x86_64")
    assert info.value.exit_code == 6


def _container(**kw: Any) -> Container:
    return Container(
        image="img",
        arch=Arch.x86_64,
        engine=EngineConfig(name="docker"),
        output=None,  # type: ignore[arg-type]  # not reached: nothing runs
        host_environ={},
        **kw,
    )


def test_create_mounts_the_caches_read_write(tmp_path: Path):
    mount = Mount(source=tmp_path / "containers/x86_64", target=PurePosixPath("/var/cache/x"))
    argv = _container(mounts=[mount]).create_argv("linux/amd64")
    assert f"--volume={tmp_path}/containers/x86_64:/var/cache/x:z" in argv
    # before the image: everything after it is the keep-alive command
    assert argv.index(f"--volume={tmp_path}/containers/x86_64:/var/cache/x:z") < argv.index("img")


def test_create_without_mounts_has_only_the_host_mount():
    argv = _container().create_argv("linux/amd64")
    assert [a for a in argv if a.startswith("--volume")] == ["--volume=/:/host:ro"]


@pytest.mark.parametrize("source", ["/a:b", "/a,b"])
def test_a_mount_path_the_volume_syntax_cannot_carry_is_refused(source: str):
    mount = Mount(source=Path(source), target=PurePosixPath("/x"))
    with pytest.raises(FatalError, match="cannot mount"):
        _container(mounts=[mount]).create_argv("linux/amd64")


def test_copy_in_leaves_out_excluded_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "mod.py").write_text("x = 1\n")
    (project / "wheelhouse").mkdir()
    (project / "wheelhouse" / "old.whl").write_bytes(b"old")
    (project / "wheelhouse-notes.txt").write_text("kept: only the folder itself is left out\n")
    sent: list[str] = []

    def record(self: Container, dest: PurePosixPath, fill: Any) -> None:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            fill(tar)
        buffer.seek(0)
        with tarfile.open(fileobj=buffer) as tar:
            sent.extend(tar.getnames())

    monkeypatch.setattr(Container, "_send_tar", record)
    _container().copy_in(project, PurePosixPath("/project"), exclude=[project / "wheelhouse"])
    assert sorted(sent) == [".", "./pkg", "./pkg/mod.py", "./wheelhouse-notes.txt"]
