import re

import yamlver


def test_libyaml_version():
    assert re.fullmatch(r"\d+\.\d+\.\d+", yamlver.libyaml_version())
