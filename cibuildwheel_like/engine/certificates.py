"""The certificate authorities a build container trusts: one file, one set of variables.

``CA_PATH`` is where the bundle lives in every container. Our images are built with the
image-building host's bundle there and their ENV points at it (images/recipe.py); at run time
the bundle chosen by ``ca-bundle`` (options/ca_bundle.py: the option, else the host's
SSL_CERT_FILE, REQUESTS_CA_BUNDLE or PIP_CERT) is written to the same place in every container,
whatever its image, and the same variables point at it, so pip, uv and requests trust what the
host trusts. The identifier's ``environment`` is evaluated on top and may set them otherwise.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pathlib import Path

CA_PATH = PurePosixPath("/etc/ssl/certs/cibuildwheel-like-ca-bundle.crt")
# pip reads PIP_CERT (and ignores SSL_CERT_FILE where it uses truststore); OpenSSL-based tools,
# Python's ssl module and uv read SSL_CERT_FILE; requests reads REQUESTS_CA_BUNDLE.
CA_VARIABLES = ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")


class WritesFiles(Protocol):
    def write_file(self, dest: PurePosixPath, data: bytes) -> None: ...


def environment() -> dict[str, str]:
    """The variables that point pip, uv and requests at ``CA_PATH``."""
    return dict.fromkeys(CA_VARIABLES, str(CA_PATH))


def install(container: WritesFiles, bundle: Path) -> dict[str, str]:
    """Write ``bundle`` (a host file; its contents, even through a symlink) to ``CA_PATH`` in
    ``container`` and return the variables for the container's base environment."""
    container.write_file(CA_PATH, bundle.read_bytes())
    return environment()
