"""The build step pyproject.toml cannot say: ship the presets and the manifest as package data.

The repository keeps `workflows/*.yml` and `app.yml` at its top level (they are what
people read and edit); a wheel must carry them inside the `app` package, where
`app.shipped()` finds them. So building copies them to `app/_shipped/` in the build
tree, never into the checkout. An editable install needs no copy: its `app` package
is the checkout's, beside the top-level files. Everything else is in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
TARGET = Path("app", "_shipped")


def shipped_files() -> list[Path]:
    """The files to carry, relative to the root: app.yml and every preset."""
    files = [Path("app.yml"), *sorted(p.relative_to(ROOT) for p in (ROOT / "workflows").glob("*.yml"))]
    missing = [str(f) for f in files if not (ROOT / f).is_file()]
    if missing or len(files) < 2:
        raise SystemExit(f"setup.py: cannot ship {', '.join(missing) or 'workflows/*.yml'}: not found")
    return files


class BuildPyWithShipped(build_py):
    """build_py, then the shipped files copied into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in shipped_files():
            target = Path(self.build_lib) / TARGET / name
            self.mkpath(str(target.parent))
            self.copy_file(str(ROOT / name), str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            outputs += [str(Path(self.build_lib) / TARGET / name) for name in shipped_files()]
        return outputs


setup(cmdclass={"build_py": BuildPyWithShipped})
