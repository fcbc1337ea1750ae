"""The settings registry is the one place settings are read, and the README documents all of it."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mzkg import settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_FOLDERS = ("mzkg", "kg", "loaders", "ontology", "queries", "server")


def package_sources():
    for folder in PACKAGE_FOLDERS:
        yield from (ROOT / folder).rglob("*.py")


def test_the_readme_table_is_the_registry():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert settings.markdown_table() in readme, "README.md: paste the output of `kg settings --markdown`"


def test_every_setting_the_code_names_is_registered_and_read_only_through_the_registry():
    registered = {s.env for s in settings.SETTINGS}
    for path in package_sources():
        text = path.read_text("utf-8")
        named = set(re.findall(r"\bKG_[A-Z_]+\b", text))
        assert named <= registered, f"{path}: {named - registered} not in mzkg/settings.py"
        if path.name != "settings.py" or path.parent.name != "mzkg":
            assert not re.search(r"os\.environ(\.get)?\(|os\.getenv\(|environ\.get\(\"KG_", text), \
                f"{path} reads the environment itself; read settings with mzkg.settings.value"


def test_every_registered_setting_is_used():
    code = "\n".join(p.read_text("utf-8") for p in package_sources() if p.name != "settings.py")
    for setting in settings.SETTINGS:
        assert re.search(rf'["\.]{setting.name}\b', code), f"{setting.name} is registered but nothing reads it"


def test_values_come_from_the_environment_and_bad_ones_are_one_line_errors():
    assert settings.value("query_timeout", {}) == 30.0
    assert settings.value("query_timeout", {"KG_QUERY_TIMEOUT": "2.5"}) == 2.5
    assert settings.value("allowed_services", {"KG_ALLOWED_SERVICES": "http://a/ http://b/"}) == {"http://a/", "http://b/"}
    with pytest.raises(settings.SettingError, match=r"^KG_MAX_ROWS: 'many' is not an integer$"):
        settings.value("max_rows", {"KG_MAX_ROWS": "many"})
    with pytest.raises(settings.SettingError, match="must not be negative"):
        settings.value("workers", {"KG_WORKERS": "-1"})


def kg(*args, **env):
    return subprocess.run([sys.executable, "-m", "mzkg.kg.cli", *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", **env}, cwd=ROOT)


@pytest.mark.parametrize("command", ["build", "load", "query", "export", "validate", "serve"])
def test_each_command_takes_its_settings_as_options(command):
    help_text = kg(command, "--help").stdout
    for setting in settings.for_command(command):
        assert setting.option in help_text and f"${setting.env}" in help_text
    others = [s for s in settings.SETTINGS if s not in settings.for_command(command)]
    assert not any(f"{s.option} " in help_text for s in others)


def test_a_bad_option_or_variable_is_one_line_naming_it(tmp_path):
    result = kg("query", "plans", "--store", str(tmp_path), KG_REMOTE_TIMEOUT="soon")
    assert result.returncode == 1 and result.stderr == "kg query: KG_REMOTE_TIMEOUT: 'soon' is not a number\n"
    result = kg("serve", "--port", "eighty")
    assert result.returncode == 1 and result.stderr == "kg serve: --port: 'eighty' is not an integer\n"


def test_kg_settings_lists_every_setting_with_its_value():
    out = kg("settings", KG_MAX_ROWS="7").stdout
    for setting in settings.SETTINGS:
        assert setting.env in out
    assert re.search(r"KG_MAX_ROWS\s+7\s", out)
