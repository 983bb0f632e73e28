"""Which certificate bundle the build containers trust: ``ca-bundle``, else the host's.

A host that trusts extra certificate authorities (a private index, a TLS-inspecting proxy) says
so through SSL_CERT_FILE (OpenSSL, uv), REQUESTS_CA_BUNDLE (requests) or PIP_CERT (pip); the same
bundle is then what the containers need. ``engine/certificates.py`` copies it in.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cibuildwheel_like.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

# In this order: SSL_CERT_FILE is what cibuildwheel reads for its own CA bundle.
HOST_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT")
_PEM_MARK = b"-----BEGIN CERTIFICATE-----"


def resolve_ca_bundle(
    value: str, *, option: str, base_dir: Path, environ: Mapping[str, str]
) -> Path | None:
    """The bundle to copy into the containers, or None (the images keep their own CAs).

    ``value``: the ca-bundle option (relative to ``base_dir``, the project). Empty: the first
    host variable of HOST_VARIABLES that names a file (one naming a directory, as requests
    allows, is passed over: there is no single file to copy)."""
    text = value.strip()
    if text:
        return _checked(_path(text, base_dir=base_dir, source=option), source=option)
    for name in HOST_VARIABLES:
        setting = environ.get(name, "").strip()
        if not setting:
            continue
        source = f"the host's {name}"
        path = _path(setting, base_dir=Path.cwd(), source=source)
        if path.is_dir():
            continue
        return _checked(path, source=source)
    return None


def _path(text: str, *, base_dir: Path, source: str) -> Path:
    try:
        return (base_dir / Path(text).expanduser()).resolve()
    except (ValueError, OSError, RuntimeError) as e:  # a NUL byte, an unknown ~user, a loop
        raise ConfigurationError(f"{source} = {text!r} is not a usable path ({e})") from None


def _checked(path: Path, *, source: str) -> Path:
    fix = (
        "point it at a PEM file of certificates (e.g. /etc/ssl/certs/ca-certificates.crt),"
        " or set ca-bundle (CIBWL_CA_BUNDLE) to one"
    )
    if not path.is_file():
        raise ConfigurationError(f"{source} names {path}, which is not a file; {fix}")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ConfigurationError(f"{source} names {path}, which cannot be read ({e}); {fix}") from e
    if _PEM_MARK not in data:
        raise ConfigurationError(
            f"{source} names {path}, which holds no PEM certificate ({_PEM_MARK.decode()}); {fix}"
        )
    return path
