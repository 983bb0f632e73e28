"""From configuration file, environment and command line to typed options.

``resolve_options`` validates everything it can up front (file, platform, selectors, archs,
enable groups, requires-python) and returns a Resolver; ``Resolver.build_options(config)``
resolves one identifier's options through the cascade (overrides included) and
``Resolver.explain(config)`` says which layer gave each value, for ``plan``.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import platform as host_platform
from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.archs import Arch, parse_archs
from cibuildwheel_like.errors import ConfigurationError
from cibuildwheel_like.options import identifiers
from cibuildwheel_like.options import image_choice as images
from cibuildwheel_like.options import registry as reg
from cibuildwheel_like.options import removed as removed_settings
from cibuildwheel_like.options import values as ov
from cibuildwheel_like.options.cascade import COMMAND_LINE, Cascade, Resolved
from cibuildwheel_like.options.config_file import (
    load_config,
    locate_config_file,
    resolve_dependency_groups,
)
from cibuildwheel_like.options.environment import parse_environment
from cibuildwheel_like.options.model import (
    BuildOptions,
    GlobalOptions,
    PythonConfiguration,
)
from cibuildwheel_like.options.requires_python import resolve_requires_python
from cibuildwheel_like.options.selector import (
    BuildSelector,
    EnableGroup,
    TestSelector,
    check_build_selector,
    parse_enable,
    select,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from packaging.specifiers import SpecifierSet

OTHER_PLATFORMS = ("macos", "windows", "pyodide", "ios", "android")


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
    _check_platform(cli, environ)
    path = locate_config_file(
        project_dir=project_dir,
        package_dir=package_dir,
        config_file=config_file if config_file is not None else cli.config_file,
    )
    config = load_config(path)
    cli_options: dict[str, str] = {}
    if cli.archs is not None:
        cli_options["archs"] = cli.archs
    cascade = Cascade(config=config, environ=dict(environ), cli=cli_options)
    resolver = Resolver(
        cascade=cascade,
        cli=cli,
        project_dir=project_dir,
        package_dir=package_dir,
        config_file=path,
        environ=dict(environ),
    )
    resolver.validate()
    return resolver


def _check_platform(cli: CliValues, environ: Mapping[str, str]) -> None:
    if cli.only is not None and cli.platform is not None:
        raise ConfigurationError(
            "--platform cannot be used with --only: the platform comes from the identifier"
        )
    if cli.only is not None and cli.archs is not None:
        raise ConfigurationError(
            "--archs cannot be used with --only: the architecture comes from the identifier"
        )
    value = cli.platform or environ.get("CIBW_PLATFORM", "") or "auto"
    source = "--platform" if cli.platform else "CIBW_PLATFORM"
    if value in OTHER_PLATFORMS:
        raise ConfigurationError(
            f"{source}={value}: cibuildwheel-like builds Linux wheels only; use cibuildwheel"
            " itself for macOS, Windows, pyodide, iOS and Android (or --platform linux)"
        )
    if value not in {"auto", "linux"}:
        raise ConfigurationError(f"{source}={value}: unknown platform; use auto or linux")
    if value == "auto" and host_platform.system() != "Linux":
        raise ConfigurationError(
            f"platform auto means {host_platform.system()} on this machine, and"
            " cibuildwheel-like builds Linux wheels only: pass --platform linux"
        )


def _only_configuration(only: str) -> PythonConfiguration:
    config = identifiers.get_configuration(only)
    if config is not None:
        return config
    if "linux_" not in only:
        raise ConfigurationError(
            f"--only {only}: not a Linux build identifier; cibuildwheel-like builds Linux wheels"
            " only"
        )
    close = difflib.get_close_matches(only, identifiers.all_identifiers(), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigurationError(f"--only {only}: unknown build identifier.{hint}")


class Resolver:
    def __init__(
        self,
        *,
        cascade: Cascade,
        cli: CliValues,
        project_dir: Path,
        package_dir: Path,
        config_file: Path | None,
        environ: Mapping[str, str],
    ) -> None:
        self._cascade = cascade
        self._cli = cli
        self._environ = environ
        self._project_dir = project_dir
        self._package_dir = package_dir
        self._config_file = config_file
        self._cache: dict[str, BuildOptions] = {}

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
        return resolve_requires_python(self._package_dir, self._environ)

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
            only = _only_configuration(cli.only)
            build, skip, archs = only.identifier, "", frozenset(Arch)
        requires = self.requires_python
        output = cli.output_dir or Path(env.get("CIBW_OUTPUT_DIR") or "wheelhouse")
        return GlobalOptions(
            package_dir=self._package_dir,
            project_dir=self._project_dir,
            output_dir=output.resolve(),
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
        )

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
        _typed_check(resolved, base_dir=self._project_dir, package_dir=self._package_dir)

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
        # checked here (exit 2 before any engine); the pipeline installs the groups'
        # requirements after test-requires, which together are cibuildwheel's test_requires
        resolve_dependency_groups(self._package_dir, test_groups)
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
                ov.parse_key_values(get("config-settings"), option=label("config-settings"))
            ),
            environment=parse_environment(get("environment"), option=label("environment")),
            environment_pass=ov.split_words(get("environment-pass")),
            before_all=get("before-all"),
            before_build=get("before-build"),
            repair_wheel_command=get("repair-wheel-command"),
            dependency_versions=ov.check_dependency_versions(
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
            test_environment=parse_environment(
                get("test-environment"), option=label("test-environment")
            ),
            build_verbosity=ov.parse_verbosity(
                get("build-verbosity"), option=label("build-verbosity")
            ),
            test_skipped=not self.test_selector(ident),
            emulated_tests=ov.parse_emulated_tests(get("emulated-tests")),
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


def _label(name: str, layer: str, identifier: str | None = None) -> str:
    """How messages name an option: with the layer that set it (and the identifier)."""
    if layer == "default":
        return name
    return f"{name} (from {layer}{f', for {identifier}' if identifier else ''})"


def _typed_check(resolved: Mapping[str, Resolved], *, base_dir: Path, package_dir: Path) -> None:
    def label(name: str) -> str:
        return _label(name, resolved[name].layer)

    def get(name: str) -> str:
        return resolved[name].value

    ov.parse_engine(get("container-engine"), option=label("container-engine"))
    ov.parse_frontend(get("build-frontend"), option=label("build-frontend"))
    ov.parse_key_values(get("config-settings"), option=label("config-settings"))
    parse_environment(get("environment"), option=label("environment"))
    parse_environment(get("test-environment"), option=label("test-environment"))
    ov.parse_verbosity(get("build-verbosity"), option=label("build-verbosity"))
    ov.check_dependency_versions(
        get("dependency-versions"), option=label("dependency-versions"), base_dir=base_dir
    )
    ov.parse_emulated_tests(get("emulated-tests"))
    resolve_dependency_groups(package_dir, ov.split_words(get("test-groups")))
    runtime = get("test-runtime")  # parsed (and so checked) on every platform by cibuildwheel
    if runtime:
        ov.parse_fields(runtime, option=label("test-runtime"), positional=[], keywords=["args"])
