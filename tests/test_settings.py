"""Settings read from the environment: strict helpers, a required secret key,
and a production configuration that passes Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kitsu_backend.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent


def run_manage(*args, env):
    """Run ``manage.py`` in a fresh interpreter with exactly ``env`` (plus PATH)."""
    full_env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "kitsu_backend.settings",
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- helpers ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "on"])
def test_env_bool_true_values(monkeypatch, value):
    monkeypatch.setenv("KITSU_TEST_FLAG", value)

    assert env_bool("KITSU_TEST_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "off"])
def test_env_bool_false_values(monkeypatch, value):
    monkeypatch.setenv("KITSU_TEST_FLAG", value)

    assert env_bool("KITSU_TEST_FLAG", True) is False


@pytest.mark.parametrize("value", [None, "", "   "])
def test_env_bool_unset_or_empty_gives_the_default(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("KITSU_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("KITSU_TEST_FLAG", value)

    assert env_bool("KITSU_TEST_FLAG", True) is True
    assert env_bool("KITSU_TEST_FLAG", False) is False


@pytest.mark.parametrize("value", ["maybe", "2", "tru", "enabled"])
def test_env_bool_refuses_anything_else(monkeypatch, value):
    monkeypatch.setenv("KITSU_TEST_FLAG", value)

    with pytest.raises(ImproperlyConfigured, match="KITSU_TEST_FLAG"):
        env_bool("KITSU_TEST_FLAG", False)


def test_env_int(monkeypatch):
    monkeypatch.setenv("KITSU_TEST_NUMBER", " 42 ")
    assert env_int("KITSU_TEST_NUMBER", 7) == 42

    monkeypatch.delenv("KITSU_TEST_NUMBER")
    assert env_int("KITSU_TEST_NUMBER", 7) == 7


@pytest.mark.parametrize("value", ["forty-two", "4.2", "12s"])
def test_env_int_refuses_non_integers(monkeypatch, value):
    monkeypatch.setenv("KITSU_TEST_NUMBER", value)

    with pytest.raises(ImproperlyConfigured, match="KITSU_TEST_NUMBER must be a whole number"):
        env_int("KITSU_TEST_NUMBER", 7)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("KITSU_TEST_LIST", " a.example.com, b.example.com,, ")
    assert env_list("KITSU_TEST_LIST") == ["a.example.com", "b.example.com"]

    monkeypatch.delenv("KITSU_TEST_LIST")
    assert env_list("KITSU_TEST_LIST", ("localhost",)) == ["localhost"]


def test_env_str_strips_and_defaults(monkeypatch):
    monkeypatch.setenv("KITSU_TEST_TEXT", "  value ")
    assert env_str("KITSU_TEST_TEXT", "default") == "value"

    monkeypatch.setenv("KITSU_TEST_TEXT", "  ")
    assert env_str("KITSU_TEST_TEXT", "default") == "default"


# --- the settings module ------------------------------------------------------------


def test_missing_secret_key_is_refused(tmp_path):
    result = run_manage("check", env={"KITSU_VAR_DIR": str(tmp_path)})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_secret_key_is_read_from_the_var_folder(tmp_path):
    (tmp_path / "secret_key").write_text(secrets.token_urlsafe(50) + "\n")

    result = run_manage("check", env={"KITSU_VAR_DIR": str(tmp_path)})

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_unclear_boolean_setting_stops_start_up(tmp_path):
    result = run_manage(
        "check", env={"KITSU_VAR_DIR": str(tmp_path), "SECRET_KEY": "x" * 50, "DEBUG": "maybe"}
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG must be one of" in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        "KITSU_VAR_DIR": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "kitsu.example.com",
    }

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
