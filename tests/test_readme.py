"""The README stays the user's manual: its error table is the code's."""
from pathlib import Path

from provider.errors import markdown_table
from provider.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_error_table_matches_code() -> None:
    assert markdown_table() in README


def test_every_setting_is_documented() -> None:
    import inspect

    source = inspect.getsource(Settings.from_env)
    import re

    for variable in set(re.findall(r"MITROO_[A-Z0-9_]+", source)):
        assert f"`{variable}`" in README or f"`{variable}`," in README, variable
