"""What keeps a small rerun cheap gives the same data and the same reports as the slow way."""
from __future__ import annotations

import pytest
import yaml

from casualties.errors import DataFileError
from casualties.langpack import LANG_DIR, read_yaml


@pytest.mark.parametrize("path", sorted(LANG_DIR.rglob("*.yaml")), ids=lambda path: str(path.relative_to(LANG_DIR)))
def test_language_files_read_as_the_pure_python_loader_reads_them(path):
    with open(path, encoding="utf-8") as handle:
        expected = yaml.load(handle, Loader=yaml.SafeLoader)
    assert read_yaml(path) == expected


def test_a_broken_language_file_is_reported_with_its_line(tmp_path):
    path = tmp_path / "numbers.yaml"
    path.write_text("words:\n  one: 1\nqualifiers: [\n  about: x: y\n", encoding="utf-8")
    with pytest.raises(DataFileError) as error:
        read_yaml(path)
    assert error.value.path == str(path)
    assert error.value.where in ("line 3", "line 4")
    assert "not valid YAML" in error.value.problem
