"""The install step builds the web pages' front-end files: `npm ci` from server/frontend's lock
file, then the built YASGUI and Chart.js bundles are copied into server/static/vendor, which is
shipped as package data. Nothing is fetched from a CDN at run time."""
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
FRONTEND = ROOT / "server" / "frontend"
VENDOR = ROOT / "server" / "static" / "vendor"
ASSETS = {
    "@triply/yasgui/build/yasgui.min.js": "yasgui.min.js",
    "@triply/yasgui/build/yasgui.min.css": "yasgui.min.css",
    "chart.js/dist/chart.umd.min.js": "chart.umd.min.js",
}


def build_frontend() -> None:
    modules = FRONTEND / "node_modules"
    if not all((modules / source).exists() for source in ASSETS):
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("building the web front end needs npm (Node.js) on PATH: install Node.js and retry")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=FRONTEND, check=True)
    VENDOR.mkdir(parents=True, exist_ok=True)
    for source, name in ASSETS.items():
        shutil.copyfile(modules / source, VENDOR / name)


class BuildWithFrontend(build_py):
    def run(self):
        build_frontend()
        super().run()


setup(cmdclass={"build_py": BuildWithFrontend})
