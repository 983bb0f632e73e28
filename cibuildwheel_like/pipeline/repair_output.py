"""What a repair command left in its output directory, and which entry is the one wheel.

A repair command is user code: it may leave a symlink (to a file anywhere, or to a directory
outside), a device or FIFO, a sub-directory, a name that climbs with ``..`` or gigabytes of
junk. Only a regular ``*.whl`` file directly inside the directory is a candidate; everything
else is refused by name and kind, and never copied anywhere (the junk is not even read).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pathlib import PurePosixPath

    from cibuildwheel_like.pipeline.state import BuildRun

EntryKind = Literal["file", "link", "dir", "special"]

# One NUL-terminated record per entry of "$1" (hidden ones included): kind TAB name TAB target.
# `-L` first: a link is a link whatever it points to (test -f would follow it).
LIST_ENTRIES = (
    'cd -- "$1" || exit 1; for f in * .[!.]* ..?*; do'
    ' if [ -L "$f" ]; then k=link; elif [ ! -e "$f" ]; then continue;'
    ' elif [ -f "$f" ]; then k=file; elif [ -d "$f" ]; then k=dir; else k=special; fi;'
    ' t=; [ "$k" = link ] && t=$(readlink -- "$f");'
    ' printf \'%s\\t%s\\t%s\\0\' "$k" "$f" "$t"; done; true'
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Entry:
    kind: EntryKind
    name: str
    target: str = ""  # a link's target

    @property
    def is_wheel(self) -> bool:
        return self.kind == "file" and self.name.endswith(".whl") and not self.name.startswith(".")

    def refusal(self) -> str:
        """Why this entry is not delivered, for the warning."""
        match self.kind:
            case "link":
                return f"{self.name!r} (a symbolic link to {self.target!r})"
            case "dir":
                return f"{self.name!r} (a directory)"
            case "special":
                return f"{self.name!r} (a device, FIFO or socket)"
            case "file" if self.name.startswith("."):
                return f"{self.name!r} (a hidden file)"
            case "file":
                return f"{self.name!r} (not a .whl file)"


def parse_entries(text: str) -> list[Entry]:
    entries: list[Entry] = []
    for record in text.split("\0"):
        parts = record.split("\t", 2)
        if len(parts) != 3 or parts[0] not in {"file", "link", "dir", "special"}:  # noqa: PLR2004
            continue
        kind, name, target = parts
        entries.append(Entry(kind=kind, name=name, target=target))  # type: ignore[arg-type]
    return sorted(entries, key=lambda e: e.name)


def list_entries(build: BuildRun, directory: PurePosixPath) -> list[Entry]:
    return parse_entries(build.capture(["sh", "-c", LIST_ENTRIES, "sh", str(directory)]))


def split_entries(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """(regular wheel files, everything else)."""
    wheels = [e for e in entries if e.is_wheel]
    return wheels, [e for e in entries if not e.is_wheel]
