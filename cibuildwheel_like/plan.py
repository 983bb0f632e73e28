"""What will be built, in which image and container group: a pure function, no engine.

OWNED BY: integrator. ``make_plan`` groups identifiers the way cibuildwheel does (same platform
tag, image, before-all and engine share one container), preserving identifier order.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cibuildwheel_like.archs import Arch
    from cibuildwheel_like.options.model import BuildOptions, EngineConfig


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContainerGroup:
    platform_tag: str  # e.g. "manylinux_x86_64"
    image: str
    engine: EngineConfig
    before_all: str
    arch: Arch
    builds: tuple[BuildOptions, ...]

    @property
    def identifiers(self) -> tuple[str, ...]:
        return tuple(b.identifier for b in self.builds)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Plan:
    groups: tuple[ContainerGroup, ...]

    @property
    def builds(self) -> tuple[BuildOptions, ...]:
        return tuple(b for g in self.groups for b in g.builds)


def make_plan(builds: Iterable[BuildOptions]) -> Plan:
    grouped: dict[tuple[str, str, EngineConfig, str], list[BuildOptions]] = {}
    for build in builds:
        key = (build.config.platform_part, build.image, build.container_engine, build.before_all)
        grouped.setdefault(key, []).append(build)
    groups = tuple(
        ContainerGroup(
            platform_tag=platform_tag,
            image=image,
            engine=engine,
            before_all=before_all,
            arch=members[0].arch,
            builds=tuple(members),
        )
        for (platform_tag, image, engine, before_all), members in grouped.items()
    )
    return Plan(groups=groups)
