"""The checks after repair, with the fake container: the audit step (host commands), the
installer check (linux_* tags, require-installable-by) and the provenance of each wheel."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fakes import (
    FAKE_IMAGE_ID,
    IMAGE,
    FakeEngine,
    Rule,
    build_options,
    console_text,
    context,
    global_options,
    no_preflight,
    plan_of,
)

from cibuildwheel_like.errors import AuditFailedError, UninstallableWheelError
from cibuildwheel_like.options.environment import parse_environment
from cibuildwheel_like.options.wheel_checks import parse_installer_requirement
from cibuildwheel_like.pipeline import audit
from cibuildwheel_like.pipeline.executor import execute

if TYPE_CHECKING:
    from pathlib import Path

    from cibuildwheel_like.report.results import BuildResult

ID = "cp311-manylinux_x86_64"
ABI3 = "spam-1.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
PLAIN = "spam-1.0-cp311-cp311-manylinux_2_28_x86_64.whl"
LINUX = "spam-1.0-cp311-cp311-linux_x86_64.whl"
# a host command that shows the wheel it was given really is a file on the host
SHOW = 'test -s {abi3_wheel} && echo "AUDITED $(basename {abi3_wheel}) in $PWD"'


def go(tmp_path: Path, wheel: str, *rules: Rule, **changes) -> tuple[list[BuildResult], str]:
    seen: list[BuildResult] = []
    ctx = context(tmp_path)
    (tmp_path / "project").mkdir(parents=True, exist_ok=True)
    plan = plan_of([build_options(ID, **changes)], global_options(tmp_path))
    engine = FakeEngine(*rules, wheel_name=lambda _: wheel)
    error: BaseException | None = None
    try:
        execute(plan, ctx, on_result=seen.append, containers=engine, preflight=no_preflight)
    except Exception as e:  # noqa: BLE001  # returned for the test to check
        error = e
    if error is not None:
        seen.append(error)  # type: ignore[arg-type]
    return seen, console_text(ctx)


def test_audit_runs_on_the_host_for_an_abi3_wheel(tmp_path):
    seen, text = go(tmp_path, ABI3, audit_commands=(SHOW,))
    (result,) = seen
    assert result.status == "built"
    assert f"AUDITED {ABI3} in {tmp_path / 'project'}" in text
    steps = [s.name for s in result.steps]
    assert steps.index("repair") < steps.index("audit") < steps.index("deliver")
    # made once, kept in the cache directory, with no pip when there is nothing to install
    (venv,) = (tmp_path / "cache" / "audit-envs").glob("*/pyvenv.cfg")
    assert not list(venv.parent.glob("lib/python*/site-packages/pip"))


def test_no_audit_step_for_a_wheel_that_is_not_abi3(tmp_path):
    seen, text = go(tmp_path, PLAIN, audit_commands=(SHOW,))
    (result,) = seen
    assert result.status == "built"
    assert "audit" not in [s.name for s in result.steps]
    assert "AUDITED" not in text
    assert not (tmp_path / "cache" / "audit-envs").exists()


def test_a_failing_audit_fails_the_build_with_exit_9(tmp_path):
    seen, _ = go(tmp_path, PLAIN, audit_commands=("false {wheel}",))
    result, error = seen
    assert isinstance(error, AuditFailedError)
    assert error.exit_code == 9
    assert f"{ID}: step 'audit' failed: audit command `false " in str(error)
    assert PLAIN in str(error)
    assert result.status == "failed"
    assert (result.steps[-1].name, result.steps[-1].ok) == ("audit", False)
    assert not (tmp_path / "wheelhouse" / PLAIN).exists()


def test_audit_constraints_follow_dependency_versions(tmp_path):
    from cibuildwheel_like.options.dependency_versions import (  # noqa: PLC0415
        LATEST,
        PINNED,
        ConstraintPackages,
    )

    assert audit.constraints(["abi3audit"], PINNED) == b"abi3audit==0.0.26\n"
    assert audit.constraints(["abi3audit"], LATEST) is None
    pinned = ConstraintPackages(packages=("abi3audit==0.0.20",))
    assert audit.constraints(["abi3audit"], pinned) == b"abi3audit==0.0.20\n"
    assert audit.constraints(["abi3audit", "twine"], PINNED) is None  # the user's own list


def test_a_linux_wheel_is_a_failed_build_unless_allowed(tmp_path):
    seen, _ = go(tmp_path / "refused", LINUX)
    result, error = seen
    assert isinstance(error, UninstallableWheelError)
    assert error.exit_code == 1
    message = str(error)
    assert f"{ID}: step 'repair': {LINUX} is tagged linux_x86_64" in message
    assert "repair-wheel-command is empty" in message
    assert "allow-linux-tag = true" in message
    assert "unlike cibuildwheel" in message
    assert result.status == "failed"
    assert result.steps[-1].name == "repair"
    seen, text = go(tmp_path / "allowed", LINUX, allow_linux_tag=True)
    assert [r.status for r in seen] == ["built"]
    assert "installs with pip 1.4+, no libc promise, not on PyPI" in text


@pytest.mark.parametrize(
    ("wheel", "fails"),
    [(PLAIN, True), (ABI3, False)],  # manylinux_2_28 needs pip 20.3; the 2014 alias pip 19.3
)
def test_require_installable_by(tmp_path, wheel, fails):
    requirement = parse_installer_requirement("pip>=19.3", option="require-installable-by")
    seen, _ = go(tmp_path, wheel, require_installable_by=requirement)
    if not fails:
        assert [r.status for r in seen] == ["built"]
        return
    result, error = seen
    assert isinstance(error, UninstallableWheelError)
    assert str(error).startswith(
        f"{ID}: step 'repair': require-installable-by = 'pip>=19.3': {wheel} has platform tag"
        " manylinux_2_28_x86_64 (PEP 600), which pip 20.3 or newer installs; pip 19.3 does not"
        " recognise it"
    )
    assert result.status == "failed"


def test_provenance_of_a_repaired_wheel(tmp_path):
    version = Rule(
        contains="auditwheel --version",
        stdout="auditwheel 6.4.2 installed at /opt/_internal/tools/lib/python3.9 (python 3.9)\n",
    )
    seen, _ = go(
        tmp_path,
        ABI3,
        version,
        repair_wheel_command="auditwheel repair -w {dest_dir} {wheel}",
        environment=parse_environment("SOURCE_DATE_EPOCH=1700000000", option="environment"),
    )
    (result,) = seen
    provenance = result.provenance
    assert provenance is not None
    assert provenance.image == IMAGE
    assert provenance.image_id == FAKE_IMAGE_ID
    assert provenance.repo_digests == (f"{IMAGE}@sha256:{'0' * 64}",)
    assert provenance.auditwheel_version == "6.4.2"
    assert provenance.auditwheel_policy == "manylinux_2_17_x86_64"
    assert provenance.source_date_epoch == "1700000000"


def test_provenance_without_auditwheel(tmp_path):
    seen, _ = go(tmp_path, PLAIN)
    (result,) = seen
    assert result.provenance is not None
    assert result.provenance.auditwheel_version is None
    assert result.provenance.auditwheel_policy is None
    assert result.provenance.source_date_epoch is None


def test_the_audit_environment_is_kept_for_later_runs(tmp_path):
    go(tmp_path, ABI3, audit_commands=(SHOW,))
    (first,) = (tmp_path / "cache" / "audit-envs").glob("*/pyvenv.cfg")
    made = first.stat().st_mtime_ns
    seen, text = go(tmp_path, ABI3, audit_commands=(SHOW,))
    assert [r.status for r in seen] == ["built"]
    assert "-m venv" not in text  # the second run found it
    assert first.stat().st_mtime_ns == made
