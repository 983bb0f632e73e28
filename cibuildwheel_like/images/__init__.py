"""Build manylinux-contract images from Debian root filesystems, and check any image against it.

``recipe`` is the pure data (suites, packages, names, policies), ``rootfs`` makes and provisions
the root filesystem, ``build`` turns it into an engine image, ``check`` inspects an image, and
``cli`` exposes ``images build|check`` and ``doctor``.
"""
