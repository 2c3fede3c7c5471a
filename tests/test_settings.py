"""Settings resolve as flag > environment > config file > default, and bad values are clear errors."""

from __future__ import annotations

import json

import pytest

from lasna import settings
from lasna.cli import main
from lasna.errors import ConfigError


def test_default_database_is_a_sqlite_file_in_the_user_data_dir(monkeypatch):
    monkeypatch.delenv("LASNA_DATABASE_URL")
    assert settings.get("database_url") == f"sqlite:///{settings.user_data_dir() / 'lasna.db'}"


def test_config_file_is_used_below_the_environment(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('retention_days = 30\nbsky_appview = "http://127.0.0.1:9"\n', encoding="utf-8")
    monkeypatch.setenv("LASNA_CONFIG", str(config))
    assert settings.get("retention_days") == 30
    monkeypatch.setenv("LASNA_RETENTION_DAYS", "45")
    assert settings.get("retention_days") == 45
    assert settings.get("retention_days", override=7) == 7
    assert settings.get("bsky_appview") == "http://127.0.0.1:9"


@pytest.mark.parametrize("name, raw", [("retention_days", "soon"), ("allow_private_urls", "maybe")])
def test_malformed_values_name_their_origin(monkeypatch, name, raw):
    monkeypatch.setenv(f"LASNA_{name.upper()}", raw)
    with pytest.raises(ConfigError, match=f"LASNA_{name.upper()}"):
        settings.get(name)


def test_broken_config_file_is_a_config_error(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text("retention_days = [", encoding="utf-8")
    monkeypatch.setenv("LASNA_CONFIG", str(config))
    with pytest.raises(ConfigError, match="cannot read config file"):
        settings.get("retention_days")


def test_settings_command_lists_every_setting(capsys):
    assert main(["settings", "--json"]) == 0
    names = {row["name"] for row in json.loads(capsys.readouterr().out)}
    assert names == set(settings.SETTINGS)
