"""The runnable examples in the docstrings of the extraction stages stay true (a policy change
that forgets its example fails here). The writers' and reconcile's examples sketch usage with
names they do not define, so they are not run."""
from __future__ import annotations

import doctest
import importlib

import pytest

RUNNABLE = ["api", "attribution", "corpus", "dates", "gazetteer", "langpack", "numbers", "periods", "store"]


@pytest.mark.parametrize("name", RUNNABLE)
def test_docstring_examples_hold(name):
    module = importlib.import_module(f"casualties.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"casualties.{name} has no example"
    assert result.failed == 0
