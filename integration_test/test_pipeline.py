"""The pipeline end to end with Docker: real images, real wheels, tests run in the container.

Runs that several assertions can share are module fixtures, so the suite builds each example
once. Images: `cibuildwheel-like images build --suite sid` and `--suite bookworm` (x86_64).
"""

from __future__ import annotations

import re
import zipfile
from typing import TYPE_CHECKING

import pytest
from test_pipeline_support import (
    Run,
    copy_example,
    ensure_image,
    run_cli,
    wheel_platforms,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.engine

SID = {
    "CIBW_MANYLINUX_X86_64_IMAGE": "debian-sid",
    "CIBW_BUILD": "cp313-manylinux* cp314-manylinux*",
}
BOOKWORM = {"CIBW_MANYLINUX_X86_64_IMAGE": "debian-bookworm", "CIBW_BUILD": "cp311-manylinux*"}


def markers(run: Run) -> list[str]:
    return re.findall(r"^ORDER (.+?)\s*$", run.output, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def sid_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """C extension, two Pythons in one sid container, hooks, environment, custom repair."""
    ensure_image("docker", "sid")
    project = copy_example("c-extension", tmp_path_factory.mktemp("sid"))
    env = {
        **SID,
        # one lane: these tests are about the hooks' order within one container
        "CIBWL_JOBS": "1",
        "CIBW_ENVIRONMENT": 'GREETING="hello $(echo world)" SEEN_PASS="$PASSED_FROM_HOST"',
        "CIBW_ENVIRONMENT_PASS_LINUX": "PASSED_FROM_HOST",
        "PASSED_FROM_HOST": "host value with spaces",
        "CIBW_BEFORE_ALL": (
            'echo "ORDER before-all CIBUILDWHEEL=$CIBUILDWHEEL"'
            """ && awk '$2 == "/host" { split($4, o, ","); print "HOST-MOUNT " o[1] }'"""
            " /proc/mounts"
        ),
        "CIBW_BEFORE_BUILD": (
            'echo "ORDER before-build $CIBUILDWHEEL_BUILD_IDENTIFIER"'
            ' && echo "ENV $GREETING|$SEEN_PASS|$PASSED_FROM_HOST|${#PASSED_FROM_HOST}|$(command'
            ' -v python)"'
        ),
        "CIBW_REPAIR_WHEEL_COMMAND": 'echo "ORDER repair {package}" && cp {wheel} {dest_dir}/',
        "CIBWL_ALLOW_LINUX_TAG": "1",  # the copy keeps the linux_x86_64 tag
        "CIBW_BEFORE_TEST": 'echo "ORDER before-test $CIBUILDWHEEL_BUILD_IDENTIFIER"',
        "CIBW_TEST_SOURCES": "tests",  # copied into the test directory: `pytest tests` works
        "CIBW_TEST_COMMAND": (
            'echo "ORDER test $CIBUILDWHEEL_BUILD_IDENTIFIER in $PWD, $(command -v pip)"'
            " && pytest tests"
        ),
    }
    return run_cli(project, env)


def test_several_pythons_in_one_container(sid_run: Run):
    assert sid_run.returncode == 0
    names = [w.name for w in sid_run.wheels]
    assert len(names) == 2, names
    assert names[0].startswith("cibwl_example_sumsq-1.0.0-cp313-cp313-")
    assert names[1].startswith("cibwl_example_sumsq-1.0.0-cp314-cp314-")
    assert sid_run.output.count("starting a container from") == 1
    assert not list(sid_run.wheelhouse.glob(".cibwl-incoming-*"))


def test_custom_repair_command_replaced_auditwheel(sid_run: Run):
    # `cp` keeps the wheel as built: tagged linux_x86_64, not manylinux.
    for wheel in sid_run.wheels:
        assert wheel_platforms(wheel) == ["linux_x86_64"]


def test_hook_order(sid_run: Run):
    order = [re.sub(r"/tmp/cibwl-test\.\w+", "TMP", m) for m in markers(sid_run)]
    expected = ["before-all CIBUILDWHEEL=1"]
    for ident in ("cp313-manylinux_x86_64", "cp314-manylinux_x86_64"):
        expected += [
            f"before-build {ident}",
            "repair /project",
            f"before-test {ident}",
            f"test {ident} in TMP/test_cwd, TMP/venv/bin/pip",
        ]
    assert order == expected


def test_environment_and_environment_pass(sid_run: Run):
    lines = re.findall(r"^ENV (.+?)\s*$", sid_run.output, flags=re.MULTILINE)
    # an environment-pass value is masked wherever we write, the commands' output included
    # (docs/timeouts-certificates-secrets.md#secrets); its length shows it arrived whole
    value = "host value with spaces"
    assert value not in sid_run.output
    assert lines == [
        f"hello world|***|***|{len(value)}|/opt/python/{tag}/bin/python"
        for tag in ("cp313-cp313", "cp314-cp314")
    ]


def test_test_sources_and_test_groups(sid_run: Run):
    assert re.search(r"^tests/test_sumsq\.py \.\.\.\.", sid_run.output, flags=re.MULTILINE)
    assert "/project/tests" not in sid_run.output
    assert sid_run.output.count("'pytest>=8'") == 2  # [dependency-groups], pip or uv


def test_host_mounted_read_only(sid_run: Run):
    assert re.findall(r"^HOST-MOUNT (\w+)", sid_run.output, flags=re.MULTILINE) == ["ro"]


def test_no_container_left(sid_run: Run):
    assert sid_run.containers() == []


def test_abi3_built_once_tested_on_each_python(tmp_path: Path):
    ensure_image("docker", "sid")
    run = run_cli(copy_example("abi3", tmp_path), SID)
    assert run.returncode == 0
    assert [w.name.split("-")[2:4] for w in run.wheels] == [["cp39", "abi3"]]
    assert "cp314-manylinux_x86_64: reusing cibwl_example_abi3-1.0.0-cp39-abi3-" in run.output
    tested = re.findall(r"is an abi3 wheel, tested on Python (3\.\d+)", run.output)
    # two lanes: each build's log is printed when it ends, so either test may come first
    assert sorted(tested) == ["3.13", "3.14"]
    assert "manylinux_2_41_x86_64" in wheel_platforms(run.wheels[0])  # sid: auditwheel's cap


def test_failing_test_keeps_earlier_wheels_and_no_container(tmp_path: Path):
    ensure_image("docker", "sid")
    env = {**SID, "CIBW_TEST_ENVIRONMENT": "FAIL_ON=cp314-manylinux_x86_64"}
    run = run_cli(copy_example("failing-test", tmp_path), env)
    assert run.returncode == 1
    assert [w.name.split("-")[2] for w in run.wheels] == ["cp313"]
    assert "cp314-manylinux_x86_64: step 'test' failed" in run.output
    assert "python /project/tests/run_tests.py" in run.output
    assert "exited with 1" in run.output
    assert run.containers() == []


@pytest.mark.parametrize("example", ["shared-lib", "cpp-scikit-build", "cython"])
def test_example_on_bookworm(example: str, tmp_path: Path):
    ensure_image("docker", "bookworm")
    run = run_cli(copy_example(example, tmp_path), BOOKWORM)
    assert run.returncode == 0
    assert len(run.wheels) == 1
    wheel = run.wheels[0]
    assert "-cp311-cp311-" in wheel.name
    assert "manylinux_2_36_x86_64" in wheel_platforms(wheel)
    assert re.search(r"\d+ passed", run.output)
    if example == "shared-lib":
        with zipfile.ZipFile(wheel) as zf:
            assert any(".libs/libyaml" in n for n in zf.namelist())
        assert "grafted: cibwl_example_yamlver.libs/libyaml" in run.output


def test_same_wheel_name_twice_is_exit_6(tmp_path: Path):
    ensure_image("docker", "sid")
    fixed = "cibwl_example_sumsq-1.0.0-cp313-cp313-linux_x86_64.whl"
    env = {
        **SID,
        "CIBW_REPAIR_WHEEL_COMMAND": f"cp {{wheel}} {{dest_dir}}/{fixed}",
        "CIBWL_ALLOW_LINUX_TAG": "1",
        "CIBW_TEST_COMMAND": "",
    }
    run = run_cli(copy_example("c-extension", tmp_path), env)
    assert run.returncode == 6
    assert (
        f"Build failed because a wheel named {fixed} was already generated in the current run"
        in run.output
    )
    assert [w.name for w in run.wheels] == [fixed]
    assert run.containers() == []


def test_constraints_file_leaves_build_requirements_alone(tmp_path: Path):
    """cibuildwheel #2583: `dependency-versions` never constrains the project's build
    requirements. The example needs setuptools>=69; the file pins an older one."""
    ensure_image("docker", "bookworm")
    project = copy_example("c-extension", tmp_path)
    (project / "constraints.txt").write_text("setuptools==68.2.2\n")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.cibuildwheel]\n",
            '[tool.cibuildwheel]\ndependency-versions = {file = "constraints.txt"}\n',
        )
    )
    run = run_cli(project, BOOKWORM)
    assert run.returncode == 0
    assert [w.name.split("-")[2] for w in run.wheels] == ["cp311"]
    assert "Cannot install" not in run.output
