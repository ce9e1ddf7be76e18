"""Builds or finds libcrmql_c and puts it inside the package.

The library is, in order: the file named by the CRMQL_LIBRARY environment
variable; else built with `swift build -c release --product crmql_c` in the
Swift package this folder belongs to (so `pip install ./python` from a
checkout with Swift on the PATH just works). The wheel is platform-specific
because it carries the library.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
NAME = "libcrmql_c.dylib" if sys.platform == "darwin" else "libcrmql_c.so"


def find_or_build_library() -> Path:
    given = os.environ.get("CRMQL_LIBRARY")
    if given:
        path = Path(given)
        if not path.is_file():
            sys.exit("CRMQL_LIBRARY=%s: no such file" % given)
        return path
    root = HERE.parent
    if not (root / "Package.swift").exists():
        sys.exit("crmql: no Swift package next to this folder; set CRMQL_LIBRARY to a built " + NAME)
    swift = shutil.which("swift")
    if swift is None:
        sys.exit("crmql: building " + NAME + " needs Swift on the PATH (or set CRMQL_LIBRARY to a built one)")
    print("crmql: swift build -c release --product crmql_c (a few minutes the first time)", file=sys.stderr)
    subprocess.run([swift, "build", "-c", "release", "--product", "crmql_c"], cwd=root, check=True)
    path = root / ".build" / "release" / NAME
    if not path.is_file():
        sys.exit("crmql: swift build finished without " + str(path))
    return path


class BuildWithLibrary(build_py):
    """build_py that also copies libcrmql_c into the built package."""

    def run(self):
        super().run()
        library = find_or_build_library()
        target = Path(self.build_lib) / "crmql" / NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(library, target)


class BinaryDistribution(Distribution):
    """The package carries a native library: its wheel names the platform."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithLibrary}, distclass=BinaryDistribution)
