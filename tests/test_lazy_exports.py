"""Packages with lazy exports: every name resolves, and the command line loads no heavy library."""

import importlib
import subprocess
import sys

import pytest

LAZY_PACKAGES = ["ecgnas.data", "ecgnas.predictor", "ecgnas.training", "ecgnas.search", "ecgnas.baselines"]


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_export_resolves(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_dir_lists_exports(package):
    module = importlib.import_module(package)
    assert set(module.__all__) <= set(dir(module))


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_unknown_name_raises(package):
    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        module.no_such_name  # noqa: B018


def test_baseline_names_match_registry():
    from ecgnas.baselines import BASELINE_NAMES, BASELINES

    assert tuple(sorted(BASELINES)) == BASELINE_NAMES


def test_cli_parser_loads_no_heavy_library():
    # Building the parser is all that `ecgnas --help` does; it must not pay for these.
    heavy = "('torch', 'scipy', 'torch_geometric', 'wfdb', 'mlflow')"
    code = (
        "import sys; from ecgnas.cli.main import build_parser; build_parser(); "
        f"print(sorted(m for m in {heavy} if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]"
