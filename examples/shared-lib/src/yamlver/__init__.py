from yamlver._yamlver import libyaml_version

__all__ = ["libyaml_version"]
