"""The CRMQL Jupyter kernel (see ``kernel.py``) and its installation.

    python -m crmql.kernel install --user      registers the "CRMQL" kernel
    python -m crmql.kernel -f CONNECTION_FILE  what Jupyter runs
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import List, Optional

KERNEL_NAME = "crmql"


def kernel_spec(python: Optional[str] = None, environment: Optional[dict] = None) -> dict:
    """The kernel.json of the CRMQL kernel for interpreter ``python``."""
    spec = {
        "argv": [python or sys.executable, "-m", "crmql.kernel", "-f", "{connection_file}"],
        "display_name": "CRMQL",
        "language": "crmql",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }
    if environment:
        spec["env"] = environment
    return spec


def install(user: bool = False, prefix: Optional[str] = None, name: str = KERNEL_NAME,
            environment: Optional[dict] = None) -> str:
    """Registers the kernel with Jupyter and returns the directory it went to."""
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, "kernel.json"), "w") as handle:
            json.dump(kernel_spec(environment=environment), handle, indent=2)
        return KernelSpecManager().install_kernel_spec(directory, kernel_name=name, user=user, prefix=prefix)


def main(argv: List[str]) -> int:
    """``python -m crmql.kernel``: ``install`` or run the kernel."""
    if argv[:1] == ["install"]:
        import argparse

        parser = argparse.ArgumentParser(prog="python -m crmql.kernel install",
                                         description="Register the CRMQL kernel with Jupyter.")
        parser.add_argument("--user", action="store_true", help="install for this user only")
        parser.add_argument("--sys-prefix", action="store_true", help="install into this Python environment")
        parser.add_argument("--prefix", help="install under this prefix")
        parser.add_argument("--name", default=KERNEL_NAME, help="the kernel's name (default crmql)")
        parser.add_argument("--data", help="start every session on this directory of CSV files")
        parser.add_argument("--snapshot", help="start every session on this snapshot file")
        options = parser.parse_args(argv[1:])
        prefix = sys.prefix if options.sys_prefix else options.prefix
        environment = {}
        if options.data:
            environment["CRMQL_KERNEL_DATA"] = os.path.abspath(options.data)
        if options.snapshot:
            environment["CRMQL_KERNEL_SNAPSHOT"] = os.path.abspath(options.snapshot)
        where = install(user=options.user, prefix=prefix, name=options.name, environment=environment or None)
        print("installed the CRMQL kernel in " + where)
        return 0
    from ipykernel.kernelapp import IPKernelApp

    from .kernel import CRMQLKernel

    IPKernelApp.launch_instance(argv=argv, kernel_class=CRMQLKernel)
    return 0
