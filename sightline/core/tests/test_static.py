import os
import secrets
import subprocess
import sys


def test_collectstatic_succeeds_with_the_production_storage(tmp_path):
    """The demo and production serve hashed, compressed files: every reference must resolve."""
    leaks = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "SIGHTLINE_TESTING", "SIGHTLINE_DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in leaks}
    env |= {
        "SIGHTLINE_SECRET_KEY": secrets.token_urlsafe(50),
        "SIGHTLINE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "sightline.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "sightline", "collectstatic", "--no-input", "-v0"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
