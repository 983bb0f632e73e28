"""Build manylinux-contract images from Debian root filesystems, and check any image against it.

``recipe`` is the pure data (suites, packages, image names, policies: the only place that knows
suites and image names), ``rootfs`` makes and provisions the root filesystem, ``build`` turns it
into an engine image, ``check`` inspects an image. ``cli/images.py`` exposes them.
"""
