"""The install step runs `npm ci` from server/frontend's lock file, then copies what the package
ships from it: the built YASGUI and Chart.js bundles into server/static/vendor, and the township-level
division table (the china-division package) into loaders/data. Nothing is fetched at run time."""
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
FRONTEND = ROOT / "server" / "frontend"
VENDOR = ROOT / "server" / "static" / "vendor"
ASSETS = {
    "@triply/yasgui/build/yasgui.min.js": VENDOR / "yasgui.min.js",
    "@triply/yasgui/build/yasgui.min.css": VENDOR / "yasgui.min.css",
    "chart.js/dist/chart.umd.min.js": VENDOR / "chart.umd.min.js",
    "china-division/dist/streets.csv": ROOT / "loaders" / "data" / "townships.csv",
}


def build_frontend() -> None:
    modules = FRONTEND / "node_modules"
    if not all((modules / source).exists() for source in ASSETS):
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("building the web front end needs npm (Node.js) on PATH: install Node.js and retry")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=FRONTEND, check=True)
    VENDOR.mkdir(parents=True, exist_ok=True)
    for source, target in ASSETS.items():
        shutil.copyfile(modules / source, target)


class BuildWithFrontend(build_py):
    def run(self):
        build_frontend()
        super().run()


setup(cmdclass={"build_py": BuildWithFrontend})
