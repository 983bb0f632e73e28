"""container-tmp: the /tmp tmpfs, and when it is left out."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from cibuildwheel_like.engine.tmpfs import Tmpfs, mounts_tmp, tmp_mounts
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import values

TMP = Tmpfs(target=PurePosixPath("/tmp"))


def test_memory_mounts_an_executable_world_writable_tmpfs() -> None:
    assert tmp_mounts("memory", keep=False, create_args=()) == (TMP,)
    assert TMP.volume_arg() == "--tmpfs=/tmp:rw,exec,nosuid,nodev,mode=1777"


def test_disk_and_a_kept_container_keep_the_images_tmp() -> None:
    assert tmp_mounts("disk", keep=False, create_args=()) == ()
    assert tmp_mounts("memory", keep=True, create_args=()) == ()


@pytest.mark.parametrize(
    "args",
    [
        ("--tmpfs", "/tmp"),
        ("--tmpfs=/tmp:size=2g",),
        ("-v", "/scratch:/tmp"),
        ("--volume=/scratch:/tmp/:rw",),
        ("--mount", "type=tmpfs,target=/tmp"),
        ("--mount=type=bind,src=/scratch,dst=/tmp",),
    ],
)
def test_a_tmp_mount_in_create_args_wins(args: tuple[str, ...]) -> None:
    assert mounts_tmp(("--cpus=2", *args))
    assert tmp_mounts("memory", keep=False, create_args=args) == ()


@pytest.mark.parametrize(
    "args",
    [
        ("-v", "/tmp:/data"),
        ("--tmpfs", "/run"),
        ("--mount", "type=bind,src=/tmp,dst=/x"),
        ("/tmp",),
    ],
)
def test_other_mounts_leave_tmp_to_us(args: tuple[str, ...]) -> None:
    assert not mounts_tmp(args)


def test_a_bad_value_names_the_option_and_the_choices() -> None:
    with pytest.raises(ConfigurationError, match=r"container-tmp = 'ram'.*memory, disk"):
        values.parse_container_tmp("ram")
