import os
import secrets
import subprocess
import sys


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    # A clean production-like environment: nothing from the test run leaks in (browser
    # tests set DJANGO_ALLOW_ASYNC_UNSAFE while a browser is open; a shell may have it too).
    leaks = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGHTLINE_") and k not in leaks}
    env |= {
        "SIGHTLINE_SECRET_KEY": secrets.token_urlsafe(50),
        "SIGHTLINE_VAR_DIR": str(tmp_path),
        "SIGHTLINE_ALLOWED_HOSTS": "sightline.example.org",
        "DJANGO_SETTINGS_MODULE": "sightline.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "sightline", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGHTLINE_")}
    env |= {"SIGHTLINE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "sightline.settings"}
    result = subprocess.run(
        [sys.executable, "-m", "sightline", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SIGHTLINE_SECRET_KEY" in result.stderr
