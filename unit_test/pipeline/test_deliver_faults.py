"""Delivery under faults: broken wheels refused, I/O errors named, nothing partial left, the
output directory held by one run at a time. No engine: a fake container hands out the bytes."""

from __future__ import annotations

import errno
import io
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from fakes import context, wheel_bytes

from cibuildwheel_like.errors import DeliveryError, InvalidWheelError, OutputDirBusyError
from cibuildwheel_like.pipeline.deliver import Delivery, check_wheel_name
from cibuildwheel_like.pipeline.output_lock import output_dir_lock
from cibuildwheel_like.pipeline.repair_output import Entry, parse_entries, split_entries

GOOD = "spam-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"
OTHER = "spam-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
ID = "cp311-manylinux_x86_64"


class Source:
    """copy_out writes the given bytes under the wheel's name (or raises)."""

    def __init__(self, data: bytes, *, error: OSError | None = None) -> None:
        self.data = data
        self.error = error

    def copy_out(self, source: PurePosixPath, dest_dir: Path) -> list[Path]:
        target = dest_dir / source.name
        target.write_bytes(self.data[: len(self.data) // 2] if self.error else self.data)
        if self.error is not None:
            raise self.error
        return [target]


def deliver(delivery: Delivery, data: bytes, name: str = GOOD, **kw: OSError) -> Path:
    return delivery.deliver(Source(data, **kw), PurePosixPath("/w") / name, ID)  # type: ignore[arg-type]


def entries(output_dir: Path) -> list[str]:
    return sorted(p.name for p in output_dir.iterdir())


def corrupt(data: bytes) -> bytes:
    """Flip a byte of the first member's data: the zip opens, its CRC fails."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.infolist()[0]
    offset = info.header_offset + 30 + len(info.filename.encode())
    return data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :]


def test_a_good_wheel_is_delivered_and_no_temporary_entry_stays(tmp_path):
    delivery = Delivery(tmp_path)
    assert deliver(delivery, wheel_bytes(GOOD)) == tmp_path / GOOD
    assert entries(tmp_path) == [GOOD]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip at all", "not a readable zip archive"),
        (corrupt(wheel_bytes(GOOD)), r"is corrupt \(CRC mismatch\)"),
        (wheel_bytes(GOOD)[:40], "not a readable zip archive"),
    ],
)
def test_a_broken_zip_is_refused_before_delivery(tmp_path, data, message):
    delivery = Delivery(tmp_path)
    deliver(delivery, wheel_bytes(OTHER), OTHER)
    with pytest.raises(InvalidWheelError, match=message):
        deliver(delivery, data)
    assert entries(tmp_path) == [OTHER]


def test_a_zip_without_wheel_metadata_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("spam.py", "x = 1\n")
    with pytest.raises(InvalidWheelError, match=r"no \.dist-info/WHEEL"):
        deliver(Delivery(tmp_path), buf.getvalue())
    assert entries(tmp_path) == []


@pytest.mark.parametrize("name", ["spam.whl", "spam-1.0.whl", "sp am-1.0-py3-none-any.whl"])
def test_a_name_that_does_not_parse_is_refused(name):
    with pytest.raises(InvalidWheelError, match="not a valid wheel file name"):
        check_wheel_name(name)


@pytest.mark.parametrize(
    ("code", "text"), [(errno.ENOSPC, "No space left"), (errno.EROFS, "Read-only")]
)
def test_an_io_error_names_the_directory_and_keeps_earlier_wheels(tmp_path, code, text):
    delivery = Delivery(tmp_path)
    deliver(delivery, wheel_bytes(OTHER), OTHER)
    with pytest.raises(DeliveryError) as info:
        deliver(delivery, wheel_bytes(GOOD), error=OSError(code, text))
    message = str(info.value)
    assert f"could not deliver {GOOD} into the output directory {tmp_path}: {text}" in message
    assert f"the 1 wheel(s) delivered before are left as they were: {OTHER}" in message
    assert entries(tmp_path) == [OTHER]  # the half-written copy went with its folder


def test_an_unwritable_output_directory_is_a_delivery_error(tmp_path, monkeypatch):
    real_mkdir = Path.mkdir

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        if self.parent == tmp_path:
            raise OSError(errno.EROFS, "Read-only file system")
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(DeliveryError, match="Read-only file system"):
        deliver(Delivery(tmp_path), wheel_bytes(GOOD))


def test_an_output_directory_removed_mid_run_is_not_recreated(tmp_path):
    out = tmp_path / "wheelhouse"
    out.mkdir()
    delivery = Delivery(out)
    deliver(delivery, wheel_bytes(OTHER), OTHER)
    for p in out.iterdir():
        p.unlink()
    out.rmdir()
    with pytest.raises(DeliveryError, match="was removed \\(or replaced\\) during the run"):
        deliver(delivery, wheel_bytes(GOOD))
    assert not out.exists()
    out.mkdir()  # a new directory of the same name is not the one the run started with
    third = "spam-1.0-cp313-cp313-manylinux_2_17_x86_64.whl"
    with pytest.raises(DeliveryError, match="was removed \\(or replaced\\) during the run"):
        deliver(delivery, wheel_bytes(third), third)
    assert entries(out) == []


def test_a_second_run_on_the_same_output_directory_stops_with_the_holder(tmp_path):
    out = tmp_path / "wheelhouse"
    out.mkdir()
    (out / ".cibwl-incoming-abc").mkdir()  # a SIGKILLed run's temporary folder
    (out / ".cibwl-incoming-abc" / GOOD).write_bytes(b"half")
    ctx = context(tmp_path)
    with output_dir_lock(out, cache=ctx.cache, output=ctx.output):
        assert entries(out) == []
        with pytest.raises(OutputDirBusyError) as info:  # noqa: SIM117  # nested on purpose
            with output_dir_lock(out, cache=ctx.cache, output=ctx.output):
                pass
        assert f"the output directory {out} is in use by another cibuildwheel-like run" in str(
            info.value
        )
        assert "(pid " in str(info.value)
    with output_dir_lock(out, cache=ctx.cache, output=ctx.output):  # released on exit
        pass


def test_repair_entries_keep_only_regular_wheels():
    text = "".join(
        f"{k}\t{n}\t{t}\0"
        for k, n, t in [
            ("file", GOOD, ""),
            ("link", "evil.whl", "/etc/passwd"),
            ("special", "dev.whl", ""),
            ("dir", "sub", ""),
            ("file", "junk.bin", ""),
            ("file", ".hidden.whl", ""),
        ]
    )
    wheels, refused = split_entries(parse_entries(text + "garbage\0"))
    assert wheels == [Entry(kind="file", name=GOOD)]
    assert [e.refusal() for e in refused] == [
        "'.hidden.whl' (a hidden file)",
        "'dev.whl' (a device, FIFO or socket)",
        "'evil.whl' (a symbolic link to '/etc/passwd')",
        "'junk.bin' (not a .whl file)",
        "'sub' (a directory)",
    ]
