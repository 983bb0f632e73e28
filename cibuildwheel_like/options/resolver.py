"""From configuration file, environment and command line to typed options.

``resolve_options`` validates everything it can up front (file, platform, selectors and their
brace expansion, archs, enable groups, requires-python, removed image names, test-groups) and
returns a Resolver; ``Resolver.build_options(config)`` resolves one identifier's options through
the cascade (overrides included) and ``Resolver.explain(config)`` says which layer gave each
value, for ``plan``.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch, parse_archs
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options import image_choice as images
from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options import removed as removed_settings
from cibuildwheel_like.options import values as ov
from cibuildwheel_like.options.ca_bundle import resolve_ca_bundle
from cibuildwheel_like.options.cascade import COMMAND_LINE, Cascade, Resolved
from cibuildwheel_like.options.config_file import load_config, locate_config_file
from cibuildwheel_like.options.cross_support import project_blockers
from cibuildwheel_like.options.dependency_groups import DependencyGroups, load_dependency_groups
from cibuildwheel_like.options.dependency_versions import parse_dependency_versions
from cibuildwheel_like.options.environment import parse_environment
from cibuildwheel_like.options.model import BuildOptions, GlobalOptions, PythonConfiguration
from cibuildwheel_like.options.platform import check_platform, only_configuration
from cibuildwheel_like.options.project_files import ProjectFiles
from cibuildwheel_like.options.requires_python import resolve_requires_python
from cibuildwheel_like.options.selector import (
    BuildSelector,
    EnableGroup,
    TestSelector,
    check_build_selector,
    expand_selector,
    parse_enable,
    select,
)
from cibuildwheel_like.options.test_image import resolve_test_image
from cibuildwheel_like.options.wheel_checks import (
    parse_audit_commands,
    parse_installer_requirement,
)
from cibuildwheel_like.options.wheel_reuse import reuse_hint

if TYPE_CHECKING:
    from collections.abc import Mapping

    from packaging.specifiers import SpecifierSet


@dataclasses.dataclass(frozen=True, kw_only=True)
class CliValues:
    """What the command line can set; None / False / () means "not given"."""

    platform: str | None = None
    archs: str | None = None
    output_dir: Path | None = None
    config_file: Path | None = None
    package_dir: Path = Path()
    only: str | None = None
    enable: tuple[str, ...] = ()
    allow_empty: bool = False
    debug_traceback: bool = False
    print_build_identifiers: bool = False
    jobs: str | None = None  # --jobs N
    no_cache: bool = False  # --no-cache
    keep_going: bool = False  # --keep-going
    shard: str | None = None  # --shard I/N


def resolve_options(
    *,
    project_dir: Path,
    package_dir: Path,
    config_file: Path | None,
    environ: Mapping[str, str],
    cli: CliValues,
) -> Resolver:
    """Read and check the configuration. Relative paths (config file, output dir) are taken
    relative to the process's working directory, as cibuildwheel does."""
    check_platform(platform=cli.platform, only=cli.only, archs=cli.archs, environ=environ)
    path = locate_config_file(
        project_dir=project_dir,
        package_dir=package_dir,
        config_file=config_file if config_file is not None else cli.config_file,
    )
    files = ProjectFiles(package_dir)
    shared = path is not None and path == files.pyproject_path
    config = load_config(path, document=files.pyproject if shared else None)
    cli_options: dict[str, str] = {}
    if cli.archs is not None:
        cli_options["archs"] = cli.archs
    if cli.jobs is not None:
        cli_options["jobs"] = cli.jobs
    if cli.no_cache:
        cli_options["cache"] = "false"
    if cli.keep_going:
        cli_options["keep-going"] = "true"
    cascade = Cascade(config=config, environ=dict(environ), cli=cli_options)
    resolver = Resolver(
        cascade=cascade,
        cli=cli,
        project_dir=project_dir,
        files=files,
        config_file=path,
        environ=dict(environ),
    )
    resolver.validate()
    return resolver


class Resolver:
    def __init__(
        self,
        *,
        cascade: Cascade,
        cli: CliValues,
        project_dir: Path,
        files: ProjectFiles,
        config_file: Path | None,
        environ: Mapping[str, str],
    ) -> None:
        self._cascade = cascade
        self._cli = cli
        self._environ = environ
        self._project_dir = project_dir
        self._files = files
        self._package_dir = files.package_dir
        self._config_file = config_file
        self._cache: dict[str, BuildOptions] = {}
        self._groups: DependencyGroups | None = None  # parsed on first use

    # -- global options ---------------------------------------------------------------------

    def value(self, name: str, config: PythonConfiguration | None = None) -> str:
        """The resolved string form of any option (for options BuildOptions does not carry)."""
        return self._cascade.resolve(name, None if config is None else config.identifier).value

    @functools.cached_property
    def enable_groups(self) -> frozenset[EnableGroup]:
        resolved = self._cascade.resolve("enable", None)
        groups = parse_enable(resolved.value, option=f"enable (from {resolved.layer})")
        groups |= parse_enable(" ".join(self._cli.enable), option="--enable")
        return frozenset(EnableGroup) if self._cli.only is not None else groups

    @functools.cached_property
    def requires_python(self) -> SpecifierSet | None:
        """CIBW_PROJECT_REQUIRES_PYTHON, else the project's declaration, else None."""
        return resolve_requires_python(self._files, self._environ)

    @functools.cached_property
    def build_selector(self) -> BuildSelector:
        g = self.globals
        return BuildSelector(
            build=g.build_selector,
            skip=g.skip_selector,
            requires_python=self.requires_python,
            enable=self.enable_groups,
        )

    @functools.cached_property
    def test_selector(self) -> TestSelector:
        return TestSelector(skip=self.globals.test_skip_selector)

    @functools.cached_property
    def globals(self) -> GlobalOptions:
        cli, env = self._cli, self._environ
        build = self.value("build") or "*"
        skip = self.value("skip")
        resolved = self._cascade.resolve("archs", None)
        source = "--archs" if resolved.layer == COMMAND_LINE else f"archs ({resolved.layer})"
        archs = parse_archs(resolved.value, option=source)  # checked even with --only
        if cli.only is not None:
            only = only_configuration(cli.only)
            build, skip, archs = only.identifier, "", frozenset(Arch)
        requires = self.requires_python
        output = cli.output_dir or Path(env.get("CIBW_OUTPUT_DIR") or "wheelhouse")
        return GlobalOptions(
            package_dir=self._package_dir,
            project_dir=self._project_dir,
            output_dir=_resolved(output, option="--output-dir / CIBW_OUTPUT_DIR"),
            config_file=self._config_file,
            build_selector=build,
            skip_selector=skip,
            test_skip_selector=self.value("test-skip"),
            enable=frozenset(g.value for g in self.enable_groups),
            archs=archs,
            allow_empty=cli.allow_empty or ov.parse_bool(env.get("CIBW_ALLOW_EMPTY", "")),
            debug_traceback=cli.debug_traceback
            or ov.parse_bool(env.get("CIBW_DEBUG_TRACEBACK", "")),
            debug_keep_container=ov.parse_bool(env.get("CIBW_DEBUG_KEEP_CONTAINER", "")),
            requires_python=None if requires is None else str(requires),
            jobs=ov.parse_jobs(self.value("jobs"), option=self._option_label("jobs")),
            cache_enabled=ov.parse_switch(self.value("cache"), option=self._option_label("cache")),
            container_tmp=ov.parse_container_tmp(
                self.value("container-tmp"), option=self._option_label("container-tmp")
            ),
            keep_going=ov.parse_switch(
                self.value("keep-going"), option=self._option_label("keep-going")
            ),
            wheel_reuse_hint=reuse_hint(self._files),
            cross_blockers=project_blockers(self._files) if self._cross_asked() else (),
            only_an_empty_pyproject=self._files.only_an_empty_pyproject(),
            ca_bundle=resolve_ca_bundle(
                self.value("ca-bundle"),
                option=self._option_label("ca-bundle"),
                base_dir=self._project_dir,
                environ=env,
            ),
        )

    def _cross_asked(self) -> bool:
        """Whether some build's emulation may be cross or auto (the run-wide value, or an
        override below the environment): only then are the project's files read for it."""
        resolved = self._cascade.resolve("emulation", None)
        if resolved.value != "emulate":
            return True
        if resolved.layer.startswith("env ") or resolved.layer == COMMAND_LINE:
            return False  # above every override
        return any(
            str(o.options.get("emulation", "emulate")) != "emulate"
            for o in self._cascade.config.ours_overrides
        )

    def _option_label(self, name: str) -> str:
        """A run-wide option as messages name it: ``--jobs`` or ``jobs (from env CIBWL_JOBS)``."""
        layer = self._cascade.resolve(name, None).layer
        if layer == COMMAND_LINE:
            return {"jobs": "--jobs", "cache": "--no-cache", "keep-going": "--keep-going"}.get(
                name, name
            )
        return _label(name, layer)

    def selected_configurations(self) -> list[PythonConfiguration]:
        """The identifiers to build, in build order (``validate`` has checked ``build``)."""
        configs = identifiers.all_configurations()
        return select(configs, archs=self.globals.archs, build_selector=self.build_selector)

    # -- per-identifier options -------------------------------------------------------------

    def validate(self) -> None:
        """Check everything that does not depend on an identifier (overrides are checked by
        ``build_options`` for the identifiers they select): ConfigurationError on the first
        problem. ``resolve_options`` calls it."""
        _ = self.globals, self.build_selector
        build = self._cascade.resolve("build", None)
        self._check_selectors(build_layer=build.layer)
        check_build_selector(
            self.globals.build_selector,
            enable=self.enable_groups,
            option="--only" if self._cli.only else _label("build", build.layer),
            each_word=not self._cli.print_build_identifiers,
        )
        removed_settings.check_environment(self._environ)
        resolved = {
            s.name: self._cascade.resolve(s.name, None)
            for s in reg.OPTIONS
            if not s.env_only and not s.global_only
        }
        _typed_check(resolved, base_dir=self._project_dir)
        # as cibuildwheel (which resolves them all for every run), whatever arch is built
        _check_removed_images(resolved)
        self._group_requirements(
            ov.split_words(resolved["test-groups"].value),
            option=_label("test-groups", resolved["test-groups"].layer),
        )

    def _check_selectors(self, *, build_layer: str) -> None:
        """Every selector expands within the brace-expansion limit (exit 2 naming it)."""
        g = self.globals
        build_option = "--only" if self._cli.only else _label("build", build_layer)
        expand_selector(g.build_selector, option=build_option)
        for name, text in (("skip", g.skip_selector), ("test-skip", g.test_skip_selector)):
            expand_selector(text, option=_label(name, self._cascade.resolve(name, None).layer))
        config = self._cascade.config
        for override in config.overrides:
            where = f"{config.path}: [[tool.cibuildwheel.overrides]] #{override.number} select"
            expand_selector(override.select, option=where)
        for override in config.ours_overrides:
            where = f"{config.path}: [[tool.cibuildwheel-like.overrides]] #{override.number} select"
            expand_selector(override.select, option=where)

    def _group_requirements(self, groups: tuple[str, ...], *, option: str) -> tuple[str, ...]:
        """The requirements of ``groups`` (test-groups); the table is parsed once, when a
        group is first asked for, so a project that uses no groups is never refused for it."""
        if not groups:
            return ()
        if self._groups is None:
            self._groups = load_dependency_groups(
                self._files.pyproject,
                path=self._files.pyproject_path,
                groups=groups,
                option=option,
            )
        return self._groups.requirements(groups, option=option)

    def build_options(self, config: PythonConfiguration) -> BuildOptions:
        cached = self._cache.get(config.identifier)
        if cached is None:
            cached = self._compute(config)
            self._cache[config.identifier] = cached
        return cached

    def _compute(self, config: PythonConfiguration) -> BuildOptions:
        ident = config.identifier
        resolved = {
            s.name: self._cascade.resolve(s.name, ident)
            for s in reg.OPTIONS
            if not s.env_only and not s.global_only
        }

        def get(name: str) -> str:
            return resolved[name].value

        def label(name: str) -> str:
            return _label(name, resolved[name].layer, ident)

        # as cibuildwheel: for the selected identifiers only (so an empty selection is exit 3)
        for name in removed_settings.PLACEHOLDER_OPTIONS:
            removed_settings.check_placeholders(name, get(name), option=label(name))

        # PyPy: the pypy-specific option when the user set it; otherwise, like cibuildwheel
        # (which builds PyPy in the arch's image), the first option set at any layer.
        candidates = images.image_options_for(config)
        image_option = next(
            (name for name in candidates if resolved[name].layer != "default"), candidates[0]
        )
        test_extras = get("test-extras")
        test_groups = ov.split_words(get("test-groups"))
        # cibuildwheel checks every image option for each identifier, overrides included
        _check_removed_images(resolved, identifier=ident)
        test_container = ov.parse_test_container(
            get("test-container"), option=label("test-container")
        )
        return BuildOptions(
            config=config,
            image=images.resolve_image(
                get(image_option), config=config, option=label(image_option)
            ),
            container_engine=ov.parse_engine(
                get("container-engine"), option=label("container-engine")
            ),
            build_frontend=ov.parse_frontend(get("build-frontend"), option=label("build-frontend")),
            config_settings=tuple(
                ov.parse_key_values(
                    get("config-settings"), option=label("config-settings"), allow_bare=True
                )
            ),
            environment=parse_environment(get("environment"), option=label("environment")),
            environment_pass=ov.split_words(get("environment-pass")),
            before_all=get("before-all"),
            before_build=get("before-build"),
            repair_wheel_command=get("repair-wheel-command"),
            dependency_versions=parse_dependency_versions(
                get("dependency-versions"),
                option=label("dependency-versions"),
                base_dir=self._project_dir,
            ),
            test_command=get("test-command"),
            before_test=get("before-test"),
            test_sources=ov.split_quoted(get("test-sources"), option=label("test-sources")),
            test_requires=ov.split_quoted(get("test-requires"), option=label("test-requires")),
            test_extras=tuple(e.strip() for e in test_extras.split(",") if e.strip()),
            test_groups=test_groups,
            # installed after test-requires: together they are cibuildwheel's test_requires
            test_group_requirements=self._group_requirements(
                test_groups, option=label("test-groups")
            ),
            test_environment=parse_environment(
                get("test-environment"), option=label("test-environment")
            ),
            build_verbosity=ov.parse_verbosity(
                get("build-verbosity"), option=label("build-verbosity")
            ),
            test_skipped=not self.test_selector(ident),
            emulated_tests=ov.parse_emulated_tests(get("emulated-tests")),
            test_installer=ov.parse_installer(
                get("test-installer"), option=label("test-installer")
            ),
            build_installer=ov.parse_installer(
                get("build-installer"), option=label("build-installer")
            ),
            test_container=test_container,
            emulation=ov.parse_emulation(get("emulation"), option=label("emulation")),
            test_image=resolve_test_image(
                get("test-image"),
                test_container=test_container,
                config=config,
                option=label("test-image"),
            ),
            audit_commands=parse_audit_commands(
                get("audit-command"), option=label("audit-command")
            ),
            audit_requires=ov.split_quoted(get("audit-requires"), option=label("audit-requires")),
            require_installable_by=parse_installer_requirement(
                get("require-installable-by"), option=label("require-installable-by")
            ),
            allow_linux_tag=ov.parse_switch(
                get("allow-linux-tag"), option=label("allow-linux-tag")
            ),
            build_timeout=ov.parse_minutes(get("build-timeout"), option=label("build-timeout")),
            test_timeout=ov.parse_minutes(get("test-timeout"), option=label("test-timeout")),
        )

    def explain(self, config: PythonConfiguration | None) -> dict[str, Resolved]:
        """Every option's value and the layer it came from, for ``config`` (None: run-wide)."""
        identifier = None if config is None else config.identifier
        result: dict[str, Resolved] = {}
        for spec in reg.OPTIONS:
            if spec.env_only:
                result[spec.name] = self._explain_env_only(spec)
            else:
                result[spec.name] = self._cascade.resolve(spec.name, identifier)
        if self._cli.only is not None:
            for name in ("build", "skip", "archs", "enable"):
                value = {"build": self._cli.only, "skip": "", "archs": "all", "enable": "all"}
                result[name] = Resolved(
                    value=value[name], layer=COMMAND_LINE, layers=(COMMAND_LINE,)
                )
        elif self._cli.enable:
            previous = result["enable"]
            result["enable"] = Resolved(
                value=" ".join([previous.value, *self._cli.enable]).strip(),
                layer=COMMAND_LINE,
                layers=(*previous.layers, COMMAND_LINE),
            )
        return result

    def _explain_env_only(self, spec: reg.OptionSpec) -> Resolved:
        cli_values: dict[str, object] = {
            "platform": self._cli.platform,
            "output-dir": self._cli.output_dir,
            "allow-empty": self._cli.allow_empty or None,
            "debug-traceback": self._cli.debug_traceback or None,
            "shard": self._cli.shard,
        }
        cli_value = cli_values.get(spec.name)
        if cli_value is not None:
            return Resolved(value=str(cli_value), layer=COMMAND_LINE, layers=(COMMAND_LINE,))
        env_value = self._environ.get(spec.env_var)
        if env_value:
            layer = f"env {spec.env_var}"
            return Resolved(value=env_value, layer=layer, layers=(layer,))
        default = spec.default
        text = str(default).lower() if isinstance(default, bool) else str(default)
        return Resolved(value=text, layer="default", layers=("default",))


def _resolved(path: Path, *, option: str) -> Path:
    try:
        return path.resolve()
    except (ValueError, OSError, RuntimeError) as e:  # a NUL byte, a symlink loop
        raise ConfigurationError(f"{option} = {str(path)!r} is not a usable path ({e})") from None


def _label(name: str, layer: str, identifier: str | None = None) -> str:
    """How messages name an option: with the layer that set it (and the identifier)."""
    if layer == "default":
        return name
    return f"{name} (from {layer}{f', for {identifier}' if identifier else ''})"


def _check_removed_images(resolved: Mapping[str, Resolved], identifier: str | None = None) -> None:
    """A removed image name (manylinux1, ...) in any image option is exit 4."""
    for name in images.image_option_names():
        layer = resolved[name].layer
        images.check_not_removed(resolved[name].value, option=_label(name, layer, identifier))


def _typed_check(resolved: Mapping[str, Resolved], *, base_dir: Path) -> None:
    def label(name: str) -> str:
        return _label(name, resolved[name].layer)

    def get(name: str) -> str:
        return resolved[name].value

    ov.parse_engine(get("container-engine"), option=label("container-engine"))
    ov.parse_frontend(get("build-frontend"), option=label("build-frontend"))
    ov.parse_key_values(get("config-settings"), option=label("config-settings"), allow_bare=True)
    parse_environment(get("environment"), option=label("environment"))
    parse_environment(get("test-environment"), option=label("test-environment"))
    ov.parse_verbosity(get("build-verbosity"), option=label("build-verbosity"))
    parse_dependency_versions(
        get("dependency-versions"), option=label("dependency-versions"), base_dir=base_dir
    )
    ov.parse_emulated_tests(get("emulated-tests"))
    for name in ("test-installer", "build-installer"):
        ov.parse_installer(get(name), option=label(name))
    ov.parse_test_container(get("test-container"), option=label("test-container"))
    ov.parse_emulation(get("emulation"), option=label("emulation"))
    parse_audit_commands(get("audit-command"), option=label("audit-command"))
    parse_installer_requirement(
        get("require-installable-by"), option=label("require-installable-by")
    )
    ov.parse_switch(get("allow-linux-tag"), option=label("allow-linux-tag"))
    ov.parse_minutes(get("build-timeout"), option=label("build-timeout"))
    ov.parse_minutes(get("test-timeout"), option=label("test-timeout"))
    runtime = get("test-runtime")  # parsed (and so checked) on every platform by cibuildwheel
    if runtime:
        ov.parse_fields(runtime, option=label("test-runtime"), positional=[], keywords=["args"])
