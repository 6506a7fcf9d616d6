"""``python -m ecgnas`` runs the same command as the installed ``ecgnas`` script."""

import subprocess
import sys


def test_module_prints_version():
    result = subprocess.run(
        [sys.executable, "-m", "ecgnas", "--version"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0
    assert result.stdout.startswith("ecgnas ")
