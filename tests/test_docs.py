"""Every `>>>` example in gradnote's docstrings runs and prints what it shows (so examples cannot go stale)."""

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import gradnote as gn
import gradnote.functional as F
import gradnote.nn as nn
import gradnote.optim as optim

MODULES = sorted(m.name for m in pkgutil.walk_packages(gn.__path__, "gradnote.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    globs = {**vars(module), "gn": gn, "F": F, "nn": nn, "optim": optim, "np": np}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, name, globs=globs):
        gn.manual_seed(0)
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
