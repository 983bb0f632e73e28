"""The container engine (Docker or Podman) on the host: version, images, containers, QEMU."""
