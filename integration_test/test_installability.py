"""Every wheel works where its tag says: the installer check against real pip, the audit step
(abi3audit on the host) and the wheels' provenance and reproducibility.

Images: bullseye x86_64 (python3.9, old enough for pip 19.3) and bookworm x86_64.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import zipfile
from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import copy_example, run_cli

from cibuildwheel_like.report.installability import check_wheel

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import LocalImage

pytestmark = pytest.mark.engine

BOOKWORM = {
    "CIBW_MANYLINUX_X86_64_IMAGE": "debian-bookworm",
    "CIBW_BUILD": "cp311-manylinux_x86_64",
    "CIBW_ARCHS": "x86_64",
}


# -- the installer check against real pip -----------------------------------------------------
def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def small_wheel(folder: Path) -> Path:
    """A small py3-none-any wheel, as a build backend writes it."""
    files = {
        "probe/__init__.py": b"VALUE = 42\n",
        "probe-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: probe\nVersion: 1.0\n",
        "probe-1.0.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    return _write_wheel(folder / "probe-1.0-py3-none-any.whl", files)


def _write_wheel(path: Path, files: dict[str, bytes]) -> Path:
    record = "probe-1.0.dist-info/RECORD"
    lines = [_record_line(n, d) for n, d in files.items()] + [f"{record},,"]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr(record, "\n".join(lines) + "\n")
    return path


def retag(wheel: Path, platform: str) -> Path:
    """``wheel tags --platform-tag`` by hand: the WHEEL file's Tag, RECORD and the file name."""
    with zipfile.ZipFile(wheel) as zf:
        files = {n: zf.read(n) for n in zf.namelist() if not n.endswith("/RECORD")}
    key = next(n for n in files if n.endswith(".dist-info/WHEEL"))
    text = files[key].decode().replace("Root-Is-Purelib: true", "Root-Is-Purelib: false")
    text = re.sub(r"^Tag: py3-none-.*$", f"Tag: py3-none-{platform}", text, flags=re.MULTILINE)
    files[key] = text.encode()
    name = wheel.name.replace("-any.whl", f"-{platform}.whl")
    return _write_wheel(wheel.with_name(name), files)


# (pip version, platform tag, installs?) : both sides of each boundary in TAG_FAMILIES
PIP_CASES = (
    ("20.2.4", "manylinux_2_17_x86_64", False),
    ("20.3", "manylinux_2_17_x86_64", True),
    ("19.2.3", "manylinux2014_x86_64", False),
    ("19.3", "manylinux2014_x86_64", True),
)

PIP_SCRIPT = r"""
python=/opt/python/cp39-cp39/bin/python
for case in "$@"; do
    pip_version=${case%%:*}; wheel=${case#*:}
    venv=/tmp/venv-$pip_version
    # a fresh venv, given the pip under test by the image's own (newer) pip
    $python -m venv --without-pip "$venv" \
        && $python -m pip --python "$venv/bin/python" install -q --disable-pip-version-check \
            "pip==$pip_version" \
        || { echo "SETUP-FAILED $pip_version"; continue; }
    "$venv/bin/python" -m pip --version
    "$venv/bin/python" -m pip install --no-index --no-deps --disable-pip-version-check \
        "/wheels/$wheel" > "/tmp/out-$pip_version" 2>&1
    code=$?
    "$venv/bin/python" -c 'import probe' 2>/dev/null && imported=yes || imported=no
    echo "RESULT $pip_version $wheel exit=$code imported=$imported"
    tail -n 2 "/tmp/out-$pip_version"
done
"""


def test_installer_check_agrees_with_real_pip(local_image: LocalImage, tmp_path: Path):
    image = local_image("bullseye")
    base = small_wheel(tmp_path)
    wheels = {p: retag(base, p) for p in {case[1] for case in PIP_CASES}}
    # our table's verdicts, which real pip must agree with
    assert str(check_wheel(wheels["manylinux_2_17_x86_64"].name).oldest_pip) == "20.3"
    assert str(check_wheel(wheels["manylinux2014_x86_64"].name).oldest_pip) == "19.3"
    args = [f"{version}:{wheels[platform].name}" for version, platform, _ in PIP_CASES]
    docker = ["docker", "run", "--rm", "-v", f"{tmp_path}:/wheels:ro", image]
    done = subprocess.run(
        [*docker, "sh", "-c", PIP_SCRIPT, "sh", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    print(done.stdout, done.stderr)
    assert "SETUP-FAILED" not in done.stdout
    for version, platform, installs in PIP_CASES:
        checked = check_wheel(wheels[platform].name)
        assert checked.oldest_pip is not None
        assert (checked.oldest_pip <= type(checked.oldest_pip)(version)) is installs
        assert f"pip {version} from /tmp/venv-{version}/" in done.stdout  # the pip under test
        line = re.escape(f"RESULT {version} {wheels[platform].name} ")
        expected = "exit=0 imported=yes" if installs else "exit=[1-9][0-9]* imported=no"
        assert re.search(line + expected, done.stdout), (version, platform)
        if not installs:
            refused = f"{wheels[platform].name} is not a supported wheel on this platform"
            assert refused in done.stdout


# -- the audit step ---------------------------------------------------------------------------
def report_of(project: Path) -> dict:
    return json.loads((project / "build-report.json").read_text())


def test_audit_runs_abi3audit_on_the_abi3_example(local_image: LocalImage, tmp_path: Path):
    local_image("bookworm")
    project = copy_example("abi3", tmp_path)
    run = run_cli(project, {**BOOKWORM, "CIBW_TEST_COMMAND": ""})  # the audit is the point
    assert run.returncode == 0
    (wheel,) = run.wheels
    assert "-cp39-abi3-" in wheel.name
    build = report_of(project)["builds"][0]
    steps = [s["name"] for s in build["steps"]]
    assert steps.index("repair") < steps.index("audit") < steps.index("deliver")
    assert all(s["ok"] for s in build["steps"])
    assert "abi3audit --strict --report " in run.output  # the default audit-command, on the host
    assert '"specs"' in run.output  # abi3audit's JSON report (--report), folded with the build


def test_audit_fails_a_wheel_tagged_abi3_that_is_not(local_image: LocalImage, tmp_path: Path):
    local_image("bookworm")
    project = copy_example("abi3", tmp_path)
    setup = project / "setup.py"
    # the full C API (no Py_LIMITED_API), yet tagged cp39-abi3 by bdist_wheel
    setup.write_text(
        setup.read_text().replace('define_macros=[("Py_LIMITED_API", "0x03090000")],', "")
    )
    source = project / "src" / "abi3demo" / "_core.c"
    text = source.read_text().replace(
        'return PyUnicode_FromFormat("hello, %U", name);',
        "const char *raw = PyUnicode_AsUTF8(name);  /* not in the 3.9 stable ABI */\n"
        '    return raw ? PyUnicode_FromFormat("hello, %s", raw) : NULL;',
    )
    source.write_text(text)
    run = run_cli(project, {**BOOKWORM, "CIBW_TEST_COMMAND": ""})
    assert run.returncode == 9, run.output[-3000:]
    assert run.wheels == []
    report = report_of(project)
    build = report["builds"][0]
    assert build["status"] == "failed"
    assert [(s["name"], s["ok"]) for s in build["steps"]][-1] == ("audit", False)
    assert "step 'audit' failed: audit command `abi3audit --strict --report" in build["error"]
    assert "PyUnicode_AsUTF8" in run.output


# -- provenance and reproducible wheels -------------------------------------------------------
def test_source_date_epoch_gives_identical_wheels(local_image: LocalImage, tmp_path: Path):
    local_image("bookworm")
    env = {**BOOKWORM, "CIBW_ENVIRONMENT": "SOURCE_DATE_EPOCH=1700000000", "CIBW_TEST_COMMAND": ""}
    runs = []
    # the first compiles from scratch (no caches), the second as a user's next run would
    for name, args in (("first", ("--no-cache",)), ("second", ())):
        project = copy_example("c-extension", tmp_path / name)
        run = run_cli(project, env, *args)
        assert run.returncode == 0
        runs.append((project, run))
    (first,), (second,) = (run.wheels for _, run in runs)
    assert first.name == second.name
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        # 2023-11-14 22:13:20 UTC; zip times are local time without a zone, as written
        assert {i.date_time[:3] for i in zf.infolist()} == {(2023, 11, 14)}
    project, run = runs[0]
    build = report_of(project)["builds"][0]
    provenance = build["provenance"]
    assert provenance["image"] == "cibuildwheel-like/debian-bookworm:x86_64"
    inspected = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", provenance["image"]],
        capture_output=True,
        text=True,
        check=True,
    )
    assert provenance["image_id"] == inspected.stdout.strip()
    assert provenance["repo_digests"] == []  # built locally, never pushed
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", provenance["auditwheel_version"] or "")
    # auditwheel (AUDITWHEEL_PLAT manylinux_2_36) proved the small extension needs no more
    # than glibc 2.5, and tagged it so: manylinux1_x86_64.manylinux_2_36_x86_64.manylinux_2_5_x86_64
    assert provenance["auditwheel_policy"] == "manylinux_2_5_x86_64"
    assert provenance["source_date_epoch"] == "1700000000"
    assert "manylinux1_x86_64" in first.name
    installability = build["wheel"]["installability"]
    assert installability["oldest_pip"] == "8.1"  # by the manylinux1 alias
    assert (installability["libc"], installability["libc_version"]) == ("glibc", "2.5")
    assert installability["pypi_accepts"] is True
    assert "Installs with" in run.output
    assert "pip 8.1+, glibc 2.5+: cp311-manylinux_x86_64" in run.output
