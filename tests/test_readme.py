"""The README's quick start and the CI script agree."""

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def shell_blocks(text: str) -> list[str]:
    blocks, inside, current = [], False, []
    for line in text.splitlines():
        if line.startswith("```bash"):
            inside, current = True, []
        elif line.startswith("```") and inside:
            inside = False
            blocks.append("\n".join(current).strip())
        elif inside:
            current.append(line)
    return blocks


def test_ci_runs_readme_test_command():
    test_command = shell_blocks((REPOSITORY / "README.md").read_text())[1]
    ci_lines = [line.strip() for line in (REPOSITORY / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_quick_start_installs_then_runs():
    first = shell_blocks((REPOSITORY / "README.md").read_text())[0]
    assert "pip install -e" in first
    assert first.rstrip().split("&&")[-1].strip().startswith("ecgnas ")
