"""What will be built, in which image and container group: a pure function, no engine.

``make_plan`` groups identifiers the way cibuildwheel does (same platform tag, image, before-all
and engine share one container), preserving identifier order. The ``Plan`` carries everything
the executor, the report and the views need: the groups, the run-wide options and where each
option's value came from, so nothing downstream reaches back into option resolution.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from cibuildwheel_like.archs import Arch
    from cibuildwheel_like.options.cascade import Resolved
    from cibuildwheel_like.options.model import BuildOptions, EngineConfig, GlobalOptions


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
    globals: GlobalOptions
    groups: tuple[ContainerGroup, ...]
    selected: tuple[str, ...]  # identifiers in selection order (--print-build-identifiers)
    run_options: Mapping[str, Resolved]  # run-wide option values and their sources
    build_sources: Mapping[str, Mapping[str, Resolved]]  # per identifier

    @property
    def builds(self) -> tuple[BuildOptions, ...]:
        return tuple(b for g in self.groups for b in g.builds)

    def sources_of(self, identifier: str) -> Mapping[str, Resolved]:
        return self.build_sources[identifier]


def make_plan(
    *,
    globals: GlobalOptions,  # noqa: A002  # cibuildwheel's name for run-wide options
    builds: Iterable[BuildOptions],
    run_options: Mapping[str, Resolved],
    build_sources: Mapping[str, Mapping[str, Resolved]],
) -> Plan:
    ordered = tuple(builds)
    grouped: dict[tuple[str, str, EngineConfig, str], list[BuildOptions]] = {}
    for build in ordered:
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
    return Plan(
        globals=globals,
        groups=groups,
        selected=tuple(b.identifier for b in ordered),
        run_options=MappingProxyType(dict(run_options)),
        build_sources=MappingProxyType(
            {b.identifier: MappingProxyType(dict(build_sources[b.identifier])) for b in ordered}
        ),
    )
