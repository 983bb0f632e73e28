"""Benchmark: cibuildwheel 4.3.5 against cibuildwheel-like on the same images and configuration.

Run through ``scripts/bench.sh`` (it prepares the host and the repository's virtualenv). Prints
one line per round and the medians; it never judges a figure. Exits non-zero only when a build
fails (or the set-up it needs cannot be made). See docs/performance.md ("Benchmark").

Everything it keeps lives under ``<user cache>/cibuildwheel-like/bench/``: cibuildwheel's venv,
each tool's cache directory (``CIBW_CACHE_PATH``), the work directories and the last run's logs.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Literal

import platformdirs
from filelock import FileLock

from cibuildwheel_like import hostcmd
from cibuildwheel_like.errors import HostCommandError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "c-extension"
BENCH = platformdirs.user_cache_path("cibuildwheel-like") / "bench"
CIBUILDWHEEL_VERSION = "4.3.5"
# cibuildwheel runs its helper commands with this interpreter and puts its directory on PATH for
# before-all; our Debian images have it only on bullseye.
UTILITY_PYTHON = "/opt/python/cp39-cp39/bin/python"
DERIVED_REPO = "cibuildwheel-like-bench"
BASE_LABEL = "org.cibuildwheel-like.bench.base"
PLATFORMS = {
    "x86_64": "linux/amd64",
    "aarch64": "linux/arm64",
    "ppc64le": "linux/ppc64le",
    "s390x": "linux/s390x",
}
ALL_SCENARIOS = ("a", "b", "c", "d", "e", "o")
# (e) is left out of the default: its rounds add about 15 minutes (three tools' runs of an
# emulated matrix), and a fresh machine first builds an s390x image under QEMU.
DEFAULT_SCENARIOS = ("a", "b", "c", "d", "o")
# Variables that would make either tool run differently from the configuration written here.
CI_VARS = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "TRAVIS", "CIRCLECI", "AZURE_HTTP_USER_AGENT")

Tool = Literal["cibuildwheel", "ours"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Config:
    """What both tools build: identifiers, each in a (suite, arch) image of ours."""

    name: str
    builds: tuple[tuple[str, str], ...]  # (identifier, suite)
    # ours gets our images by their own names (cross builds are made only for those), while
    # cibuildwheel keeps the derived ones it needs (bench_image: one symlink more)
    ours_on_base: bool = False

    @property
    def identifiers(self) -> list[str]:
        return [identifier for identifier, _ in self.builds]

    def images(self) -> set[tuple[str, str]]:
        return {(suite, arch_of(identifier)) for identifier, suite in self.builds}

    def foreign_suites(self) -> set[str]:
        """The suites of the builds this x86_64 machine runs under QEMU (their cross images)."""
        return {suite for identifier, suite in self.builds if arch_of(identifier) != "x86_64"}


def arch_of(identifier: str) -> str:
    """'cp39-manylinux_x86_64' -> 'x86_64' (cibuildwheel's own split)."""
    return identifier.split("-", 1)[1].split("_", 1)[1]


def sid(*pythons: str) -> Config:
    return Config(
        name=f"sid {' '.join(pythons)}",
        builds=tuple((f"{p}-manylinux_x86_64", "sid") for p in pythons),
    )


CONFIG_ABC = sid("cp313", "cp314", "cp315")
CONFIG_C = Config(
    name="bullseye cp39 x86_64 + aarch64 (QEMU)",
    builds=(("cp39-manylinux_x86_64", "bullseye"), ("cp39-manylinux_aarch64", "bullseye")),
)
# Six distinct identifiers (one wheel name each), in four images: four containers for both tools.
CONFIG_SIX = Config(
    name="bullseye cp39, bookworm cp311, trixie cp313, sid cp314 cp315 pp311",
    builds=(
        ("cp39-manylinux_x86_64", "bullseye"),
        ("cp311-manylinux_x86_64", "bookworm"),
        ("cp313-manylinux_x86_64", "trixie"),
        ("cp314-manylinux_x86_64", "sid"),
        ("cp315-manylinux_x86_64", "sid"),
        ("pp311-manylinux_x86_64", "sid"),
    ),
)
CONFIGS_D = {1: sid("cp313"), 2: sid("cp313", "cp314"), 3: CONFIG_ABC, 6: CONFIG_SIX}
# (c) plus one s390x build. The mirror serves bullseye for amd64, arm64, armhf and i386 only, so
# the s390x build is bookworm's cp311 (the only big-endian arch: the hardest cross target).
CONFIG_E = Config(
    name="bullseye cp39 x86_64 + aarch64, bookworm cp311 s390x (QEMU)",
    builds=(*CONFIG_C.builds, ("cp311-manylinux_s390x", "bookworm")),
    ours_on_base=True,
)
# Our two ways of making the emulated builds of (e), each timed against cibuildwheel.
VARIANTS_E = {"ours": {"CIBWL_EMULATION": "emulate"}, "ours-cross": {"CIBWL_EMULATION": "cross"}}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Run:
    seconds: float
    project: Path
    report: Path


class BuildFailedError(Exception):
    pass


def say(text: str) -> None:
    print(text, flush=True)


def docker(*args: str, check: bool = True) -> str:
    result = hostcmd.run(["docker", *args], capture=True, check=check)
    return result.stdout.decode(errors="replace").strip() if result.returncode == 0 else ""


# ------------------------------------------------------------------ set-up


# cibuildwheel 4.3.5 names its containers cibuildwheel-<uuid4> (ours: cibuildwheel-like-...)
CIBUILDWHEEL_CONTAINER = re.compile(r"^cibuildwheel-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


def remove_stale_containers() -> None:
    """The stopped containers of cibuildwheel runs that a killed benchmark left behind (a run
    that ends removes its own; ours clean up after themselves at the next run). Running ones
    are left alone: they may be somebody's live run."""
    names = docker(
        "ps", "-a", "--filter", "status=exited", "--filter", "status=created",
        "--format", "{{.Names}}",
    )  # fmt: skip
    for name in names.split():
        if CIBUILDWHEEL_CONTAINER.match(name):
            say(f"bench: removing {name}, left by an earlier, interrupted benchmark")
            docker("rm", "-f", name, check=False)


def install_cibuildwheel() -> Path:
    """cibuildwheel==4.3.5 in its own venv under the bench directory (reused when it works)."""
    venv = (
        BENCH / f"cibuildwheel-{CIBUILDWHEEL_VERSION}-py{sys.version_info[0]}{sys.version_info[1]}"
    )
    python = venv / "bin" / "python"
    probe: list[str | os.PathLike[str]] = [
        python,
        "-c",
        "import cibuildwheel; print(cibuildwheel.__version__)",
    ]
    with FileLock(BENCH / "cibuildwheel-venv.lock", timeout=900):
        if venv.exists():
            ok = hostcmd.run(probe, capture=True, check=False)
            if ok.returncode == 0 and ok.stdout.decode().strip() == CIBUILDWHEEL_VERSION:
                return venv / "bin" / "cibuildwheel"
            shutil.rmtree(venv)
        say(f"bench: installing cibuildwheel=={CIBUILDWHEEL_VERSION} into {venv}")
        hostcmd.run([sys.executable, "-m", "venv", venv], capture=True)
        requirement = f"cibuildwheel=={CIBUILDWHEEL_VERSION}"
        hostcmd.run([python, "-m", "pip", "install", "-q", requirement], capture=True, timeout=900)
        hostcmd.run(probe, capture=True)
    return venv / "bin" / "cibuildwheel"


def ensure_base_images(ours: Path, images: set[tuple[str, str]], *, keep: bool) -> None:
    """`images build` is a no-op for a current image; --keep-images only fills gaps."""
    for suite, arch in sorted(images):
        ref = f"cibuildwheel-like/debian-{suite}:{arch}"
        if keep and docker("image", "inspect", ref, "--format", "{{.Id}}", check=False):
            continue
        slow = " (under QEMU: about 15 minutes)" if arch != "x86_64" else ""
        say(f"bench: cibuildwheel-like images build --suite {suite} --arch {arch}{slow}")
        hostcmd.run([ours, "images", "build", "--suite", suite, "--arch", arch])


def ensure_cross_images(ours: Path, suites: set[str], *, keep: bool) -> None:
    """The cross images (Debian's cross gcc on top of the x86_64 image) that ``emulation =
    cross`` compiles in, one per suite; about a minute each."""
    for suite in sorted(suites):
        ref = f"cibuildwheel-like/debian-{suite}-cross:x86_64"
        if keep and docker("image", "inspect", ref, "--format", "{{.Id}}", check=False):
            continue
        say(f"bench: cibuildwheel-like images build --suite {suite} --arch x86_64 --cross")
        hostcmd.run([ours, "images", "build", "--suite", suite, "--arch", "x86_64", "--cross"])


def symlink_layer(target: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        directory = UTILITY_PYTHON.rsplit("/", 2)[0].lstrip("/")
        for name in (directory, f"{directory}/bin"):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        link = tarfile.TarInfo(UTILITY_PYTHON.lstrip("/"))
        link.type, link.linkname = tarfile.SYMTYPE, target
        tar.addfile(link)
    return buf.getvalue()


def bench_image(suite: str, arch: str) -> str:
    """Our image, or one derived from it with UTILITY_PYTHON present; both tools use it.

    Derived without running anything in it (create, copy a symlink in, commit), so it keeps the
    base's platform, environment and labels; rebuilt only when the base image changed."""
    base = f"cibuildwheel-like/debian-{suite}:{arch}"
    platform = PLATFORMS[arch]
    base_id = docker("image", "inspect", base, "--format", "{{.Id}}")
    run = ["run", "--rm", "--pull=never", f"--platform={platform}", base, "/bin/sh", "-c"]
    find = (
        f"[ -x {UTILITY_PYTHON} ] && {{ echo present; exit 0; }}; for p in /usr/bin/python3 "
        '/opt/python/*/bin/python; do [ -x "$p" ] && { echo "$p"; exit 0; }; done; echo -'
    )
    derived = f"{DERIVED_REPO}/debian-{suite}:{arch}"
    label = docker(
        "image",
        "inspect",
        derived,
        "--format",
        f'{{{{index .Config.Labels "{BASE_LABEL}"}}}}',
        check=False,
    )
    if label == base_id:
        return derived
    target = docker(*run, find)
    if target == "present":
        return base
    if not target.startswith("/"):
        raise HostCommandError(f"{base} has no Python interpreter to stand in for {UTILITY_PYTHON}")
    say(f"bench: deriving {derived} from {base} ({UTILITY_PYTHON} -> {target})")
    container = docker("create", "--pull=never", f"--platform={platform}", base)
    try:
        hostcmd.run(
            ["docker", "cp", "-", f"{container}:/"], input_bytes=symlink_layer(target), capture=True
        )
        docker("commit", "--change", f"LABEL {BASE_LABEL}={base_id}", container, derived)
    finally:
        docker("rm", "-f", container, check=False)
    return derived


# ------------------------------------------------------------------ one run of one tool


def project_copy(config: Config, refs: dict[tuple[str, str], str], work: Path) -> Path:
    """A fresh copy of the example with one override per identifier naming its image."""
    shutil.rmtree(work, ignore_errors=True)
    project = work / "project"
    shutil.copytree(EXAMPLE, project)
    overrides = [
        f'\n[[tool.cibuildwheel.overrides]]\nselect = "{identifier}"\n'
        f'manylinux-{arch_of(identifier)}-image = "{refs[(suite, arch_of(identifier))]}"\n'
        for identifier, suite in config.builds
    ]
    with (project / "pyproject.toml").open("a") as f:
        f.write("".join(overrides))
    return project


def base_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CIBW_", "CIBWL_")) and k not in CI_VARS
    }


def run_tool(
    tool: Tool,
    exe: Path,
    config: Config,
    refs: dict[tuple[str, str], str],
    *,
    label: str,
    jobs: int | None = None,
    path_prefix: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Run:
    work = BENCH / "work" / label
    project = project_copy(config, refs, work)
    env = base_env()
    env["CIBW_BUILD"] = " ".join(config.identifiers)
    env["CIBW_ARCHS"] = " ".join(sorted({arch_of(i) for i in config.identifiers}))
    if any(i.startswith("pp") for i in config.identifiers):
        env["CIBW_ENABLE"] = "pypy"
    env["CIBW_CACHE_PATH"] = str(BENCH / f"cache-{tool}")
    if path_prefix is not None:
        env["PATH"] = f"{path_prefix}{os.pathsep}{env['PATH']}"
    env.update(extra_env or {})
    out, report = work / "wheelhouse", work / "build-report.json"
    argv: list[str | os.PathLike[str]] = [exe]
    if tool == "ours":
        argv += ["run", "--report", report]
        argv += [] if jobs is None else ["--jobs", str(jobs)]
    argv += ["--platform", "linux", "--output-dir", out]
    log = BENCH / "logs" / f"{label}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        sink.write(f"$ {hostcmd.quote(argv)}\n".encode())
        sink.flush()
        start = time.perf_counter()
        result = hostcmd.run(
            argv, check=False, env=env, cwd=project, stdout=sink, log=True, stdin=subprocess.DEVNULL
        )
        seconds = time.perf_counter() - start
    wheels = sorted(p.name for p in out.glob("*.whl"))
    if result.returncode != 0 or len(wheels) != len(config.identifiers):
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        raise BuildFailedError(
            f"{tool} failed ({label}): exit {result.returncode}, {len(wheels)} of "
            f"{len(config.identifiers)} wheels; last lines of {log}:\n{tail}"
        )
    return Run(seconds=seconds, project=project, report=report)


# ------------------------------------------------------------------ orchestration overhead

SHIM = """#!/bin/bash
# Written by scripts/bench.py: records start and end of every engine call, then passes it on.
start=$EPOCHREALTIME
{real} "$@"
rc=$?
printf '%s %s %s\\n' "$start" "$EPOCHREALTIME" "${{1:-}}" >>"$BENCH_ENGINE_LOG"
exit "$rc"
"""


def engine_shim() -> Path:
    shim_dir = BENCH / "shim"
    real = shutil.which(
        "docker",
        path=os.pathsep.join(
            p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p) != shim_dir
        ),
    )
    if real is None:
        raise HostCommandError("docker was not found on PATH")
    shim_dir.mkdir(parents=True, exist_ok=True)
    (shim_dir / "docker").write_text(SHIM.format(real=real))
    (shim_dir / "docker").chmod(0o755)
    return shim_dir


def engine_time(log: Path) -> tuple[float, float]:
    """Seconds covered by any engine call (overlaps counted once), and by `docker exec` alone."""
    calls: list[tuple[float, float, str]] = []
    for line in log.read_text().splitlines():
        # EPOCHREALTIME uses the locale's decimal separator
        begun, ended, *verb = line.replace(",", ".").split(" ", 2)
        calls.append((float(begun), float(ended), "".join(verb).strip()))
    covered, reach = 0.0, float("-inf")
    for start, end, _ in sorted(calls):
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered, sum(end - start for start, end, verb in calls if verb == "exec")


def report_steps(report: Path) -> float:
    data = json.loads(report.read_text())
    return float(sum(step["seconds"] for build in data["builds"] for step in build["steps"]))


# ------------------------------------------------------------------ scenarios


def fmt(seconds: float) -> str:
    return f"{seconds:6.1f} s"


def columns(seconds: dict[str, float]) -> str:
    """``  cibuildwheel X  ours Y  ratio R`` (cibuildwheel first; a ratio per side of ours)."""
    theirs = seconds["cibuildwheel"]
    text = f"  cibuildwheel {fmt(theirs)}"
    for side, value in seconds.items():
        if side != "cibuildwheel":
            text += f"  {side} {fmt(value)}  ratio {value / theirs:.2f}"
    return text


class Bench:
    def __init__(self, *, rounds: int, cibuildwheel: Path, ours: Path) -> None:
        self.rounds = rounds
        self.exe: dict[Tool, Path] = {"cibuildwheel": cibuildwheel, "ours": ours}
        self.refs: dict[tuple[str, str], str] = {}
        self.base_refs: dict[tuple[str, str], str] = {}
        self.summary: list[str] = []

    def once(
        self,
        tool: Tool,
        config: Config,
        label: str,
        *,
        jobs: int | None = None,
        shim: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> Run:
        refs = self.base_refs if tool == "ours" and config.ours_on_base else self.refs
        return run_tool(
            tool,
            self.exe[tool],
            config,
            refs,
            label=label,
            jobs=jobs,
            path_prefix=shim,
            extra_env=extra_env,
        )

    def warm_up(
        self, scenario: str, *configs: Config, variants: dict[str, dict[str, str]] | None = None
    ) -> None:
        for number, config in enumerate(configs):
            for name, extra_env in (variants or {"ours": {}}).items():
                run = self.once(
                    "ours", config, f"{scenario}-warmup{number}-{name}", extra_env=extra_env
                )
                say(f"({scenario}) warm-up ({name}, not counted) {config.name}: {fmt(run.seconds)}")

    def compare(
        self,
        scenario: str,
        config: Config,
        *,
        cold: bool = False,
        variants: dict[str, dict[str, str]] | None = None,
    ) -> tuple[float, float]:
        """Medians of cibuildwheel and of each of our ``variants`` (name -> extra environment;
        default one, "ours", as it is); returns cibuildwheel's and the first variant's."""
        ours_sides = variants or {"ours": {}}
        sides = ["cibuildwheel", *ours_sides]
        times: dict[str, list[float]] = {side: [] for side in sides}
        for number in range(1, self.rounds + 1):
            # rotate who goes first, so drift on the machine hits every side alike
            shift = (number - 1) % len(sides)
            for side in sides[shift:] + sides[:shift]:
                tool: Tool = "cibuildwheel" if side == "cibuildwheel" else "ours"
                if tool == "ours" and cold:
                    shutil.rmtree(BENCH / "cache-ours", ignore_errors=True)
                run = self.once(
                    tool, config, f"{scenario}-{number}-{side}", extra_env=ours_sides.get(side)
                )
                times[side].append(run.seconds)
            say(f"({scenario}) round {number}{columns({s: t[-1] for s, t in times.items()})}")
        medians = {side: statistics.median(t) for side, t in times.items()}
        line = f"({scenario}) median {columns(medians)}"
        say(line)
        self.summary.append(f"{line}   [{config.name}, {len(config.builds)} builds]")
        return medians["cibuildwheel"], medians[sides[1]]

    def scenario_a(self) -> None:
        say(f"(a) cold: {CONFIG_ABC.name}; our cache emptied before each of our rounds")
        self.compare("a", CONFIG_ABC, cold=True)

    def scenario_b(self) -> None:
        say(f"(b) warm: {CONFIG_ABC.name}")
        self.warm_up("b", CONFIG_ABC)
        self.compare("b", CONFIG_ABC)

    def scenario_c(self) -> None:
        say(f"(c) warm: {CONFIG_C.name}")
        self.warm_up("c", CONFIG_C)
        self.compare("c", CONFIG_C)

    def scenario_e(self) -> None:
        say(f"(e) warm: {CONFIG_E.name}; ours with emulation = emulate and = cross")
        self.warm_up("e", CONFIG_E, variants=VARIANTS_E)
        self.compare("e", CONFIG_E, variants=VARIANTS_E)

    def scenario_d(self) -> None:
        say("(d) warm: wall time for 1, 2, 3 and 6 builds")
        self.warm_up("d", CONFIGS_D[3], CONFIGS_D[6])
        medians = {n: self.compare(f"d{n}", config) for n, config in CONFIGS_D.items()}
        say("(d) builds  cibuildwheel  per build     ours  per build  ratio")
        for n, (theirs, ours) in medians.items():
            say(
                f"(d) {n:>6}  {fmt(theirs)}  {fmt(theirs / n)}  {fmt(ours)}  {fmt(ours / n)}"
                f"  {ours / theirs:5.2f}"
            )

    def scenario_o(self) -> None:
        config = CONFIG_ABC
        builds = len(config.builds)
        say(f"(o) orchestration overhead of ours, --jobs 1, warm: {config.name}")
        self.warm_up("o", config)
        shim = engine_shim()
        overheads: list[float] = []
        for number in range(1, self.rounds + 1):
            log = BENCH / "logs" / f"o-{number}-engine-calls.txt"
            log.unlink(missing_ok=True)
            run = self.once(
                "ours",
                config,
                f"o-{number}-ours",
                jobs=1,
                shim=shim,
                extra_env={"BENCH_ENGINE_LOG": str(log)},
            )
            engine, execs = engine_time(log)
            outside_steps = run.seconds - report_steps(run.report)
            overheads.append(run.seconds - engine)
            say(
                f"(o) round {number}  wall {fmt(run.seconds)}  engine calls {fmt(engine)}"
                f" (exec {fmt(execs)})  overhead {fmt(overheads[-1])}"
                f" = {overheads[-1] / builds:.2f} s per build;"
                f" outside report steps {outside_steps / builds:.2f} s per build"
            )
        line = f"(o) median   overhead {statistics.median(overheads) / builds:.2f} s per build"
        say(line)
        self.summary.append(f"{line}   [{config.name}, --jobs 1]")


# ------------------------------------------------------------------ main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench.sh", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds per scenario (default 3)")
    parser.add_argument(
        "--only",
        default=",".join(DEFAULT_SCENARIOS),
        help="comma-separated scenarios: a (cold), b (warm), c (cp39 x86_64 + aarch64 QEMU), "
        "d (1, 2, 3, 6 builds), e (c plus s390x, ours with emulation = emulate and = cross), "
        f"o (our overhead per build); default {','.join(DEFAULT_SCENARIOS)}",
    )
    parser.add_argument(
        "--keep-images",
        action="store_true",
        help="use our images as they are; build only missing ones (default: bring them up to date)",
    )
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(ALL_SCENARIOS))
    if unknown or not chosen:
        parser.error(
            f"--only {args.only!r}: unknown {unknown}; choose from {','.join(ALL_SCENARIOS)}"
        )
    if args.rounds < 1:
        parser.error(f"--rounds {args.rounds}: must be at least 1")
    args.scenarios = [s for s in ALL_SCENARIOS if s in chosen]
    return args


def needed_configs(scenarios: list[str]) -> list[Config]:
    table = {"a": [CONFIG_ABC], "b": [CONFIG_ABC], "c": [CONFIG_C], "d": list(CONFIGS_D.values())}
    table["e"] = [CONFIG_E]
    table["o"] = [CONFIG_ABC]
    return [config for s in scenarios for config in table[s]]


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    BENCH.mkdir(parents=True, exist_ok=True)
    ours = Path(sys.executable).parent / "cibuildwheel-like"
    with FileLock(BENCH / "bench.lock", timeout=5):
        for stale in ("logs", "work"):  # the last invocation's only
            shutil.rmtree(BENCH / stale, ignore_errors=True)
        remove_stale_containers()
        configs = needed_configs(args.scenarios)
        images = set().union(*(c.images() for c in configs))
        ensure_base_images(ours, images, keep=args.keep_images)
        cross = set().union(*(c.foreign_suites() for c in configs if c.ours_on_base))
        ensure_cross_images(ours, cross, keep=args.keep_images)
        bench = Bench(rounds=args.rounds, cibuildwheel=install_cibuildwheel(), ours=ours)
        bench.refs = {image: bench_image(*image) for image in sorted(images)}
        bench.base_refs = {(s, a): f"cibuildwheel-like/debian-{s}:{a}" for s, a in images}
        version = hostcmd.output([ours, "--version"]).strip()
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        say(
            f"bench: {os.cpu_count()} CPUs, load average {load};"
            f" cibuildwheel {CIBUILDWHEEL_VERSION} vs {version} ({ROOT});"
            f" {args.rounds} rounds of {','.join(args.scenarios)}; logs in {BENCH / 'logs'}"
        )
        for image, ref in sorted(bench.refs.items()):
            say(f"bench: image {'/'.join(image)}: {ref}")
        for scenario in args.scenarios:
            getattr(bench, f"scenario_{scenario}")()
        say("bench: summary (ratio = ours / cibuildwheel; medians of wall-clock seconds)")
        for line in bench.summary:
            say(line)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BuildFailedError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        sys.exit(1)
    except HostCommandError as e:
        print(f"bench: error during set-up: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
