"""Strong authentication: TOTP outside demo mode, lockout, session limits, disabled
accounts, security headers and CSP, API token scopes and rates."""

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.access.actions import issue_enrolment_code
from sightline.access.models import TokenPolicy
from sightline.accounts.actions import create_api_token
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's
T0 = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)


class HttpsClient(Client):
    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


@pytest.fixture
def two_factor(settings):
    settings.SIGHTLINE_REQUIRE_2FA = True


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True


def code_for(device, at):
    """The authenticator app's code at ``at``."""
    counter = int((at.timestamp() - device.t0) // device.step)
    return f"{hotp(device.bin_key, counter, digits=device.digits):06d}"


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def denials(intent):
    return AuditEvent.objects.filter(action=AuditAction.DENIED, detail__intent=intent)


# -- two-factor authentication ---------------------------------------------------------------


def test_a_first_sign_in_sets_up_an_authenticator_app(two_factor, social_worker):
    code = issue_enrolment_code(actor=None, user=social_worker, origin=CLI).code
    client = HttpsClient()
    with time_machine.travel(T0, tick=False):
        response = sign_in(client, social_worker)
        assert response.status_code == 302
        home = client.get(reverse("home"))
        assert home.status_code == 302
        assert home["Location"].startswith(reverse("two-factor"))
        setup = client.get(home["Location"], follow=True)
        assert setup.redirect_chain[-1][0].startswith(reverse("two-factor-setup"))
        # The enrolment code from an administrator first (tests/test_enrolment.py).
        setup = client.post(reverse("two-factor-setup"), {"enrolment_code": code}, follow=True)
        html = setup.content.decode()
        assert 'src="data:image/svg+xml' in html
        device = TOTPDevice.objects.get(user=social_worker, confirmed=False)
        wrong = client.post(reverse("two-factor-setup"), {"code": "000000"})
        assert wrong.status_code == 400
    # After a wrong code django-otp makes the next try wait a moment.
    later = T0 + dt.timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        done = client.post(
            reverse("two-factor-setup"), {"code": code_for(device, later), "next": "/people/"}
        )
        assert done.status_code == 302
        assert done["Location"] == "/people/"
        assert client.get(reverse("home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(
        action=AuditAction.ENROL_TWO_FACTOR, actor=social_worker
    ).exists()


def test_later_sign_ins_need_a_code_and_a_wrong_one_is_refused_and_audited(
    two_factor, social_worker
):
    device = TOTPDevice.objects.create(user=social_worker, name="phone", confirmed=True)
    client = HttpsClient()
    with time_machine.travel(T0, tick=False):
        sign_in(client, social_worker)
        page = client.get(reverse("people-search"))
        assert page["Location"].startswith(reverse("two-factor"))
        assert "next=/people/" in page["Location"]
        assert client.get(reverse("two-factor")).status_code == 200
        refused = client.post(reverse("two-factor"), {"code": "123456", "next": "/people/"})
        assert refused.status_code == 400
        assert "The code is not right" in refused.content.decode()
        assert denials("two_factor").count() == 1
    # django-otp makes the next try wait after a failure.
    with time_machine.travel(T0 + dt.timedelta(seconds=5), tick=False):
        right = code_for(device, T0 + dt.timedelta(seconds=5))
        accepted = client.post(reverse("two-factor"), {"code": right, "next": "/people/"})
        assert accepted.status_code == 302
        assert accepted["Location"] == "/people/"
        assert client.get(reverse("people-search")).status_code == 200
        # The same code cannot be used twice.
        other = HttpsClient()
        sign_in(other, social_worker)
        again = other.post(reverse("two-factor"), {"code": right})
        assert again.status_code == 400
    assert AuditEvent.objects.filter(action=AuditAction.VERIFY_TWO_FACTOR).count() == 1


def test_an_unsafe_next_address_is_ignored(two_factor, social_worker):
    device = TOTPDevice.objects.create(user=social_worker, name="phone", confirmed=True)
    client = HttpsClient()
    with time_machine.travel(T0, tick=False):
        sign_in(client, social_worker)
        response = client.post(
            reverse("two-factor"), {"code": code_for(device, T0), "next": "https://evil.example/"}
        )
    assert response["Location"] == reverse("home")


def test_the_api_refuses_an_unverified_session_but_not_a_token(two_factor, social_worker, child):
    client = HttpsClient()
    client.force_login(social_worker)
    response = client.get(f"/api/v1/people/{child.public_id}/")
    assert response.status_code == 403
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=social_worker).key}")
    assert api.get(f"/api/v1/people/{child.public_id}/", secure=True).status_code == 200


def test_htmx_requests_are_sent_to_the_code_page_as_a_whole_page(two_factor, social_worker, child):
    client = HttpsClient()
    client.force_login(social_worker)
    response = client.get(
        reverse("person-chronology", kwargs={"public_id": child.public_id}),
        headers={"HX-Request": "true"},
    )
    assert response["HX-Redirect"].startswith(reverse("two-factor"))


def test_re_authentication_for_emergency_access_needs_the_code_too(two_factor, teacher, child):
    device = TOTPDevice.objects.create(user=teacher, name="phone", confirmed=True)
    client = HttpsClient()
    with time_machine.travel(T0, tick=False):
        sign_in(client, teacher)
        client.post(reverse("two-factor"), {"code": code_for(device, T0)})
    url = reverse("access-break-glass", kwargs={"public_id": child.public_id})
    form = {
        "reason_code": "missing_child",
        "reason_text": "Reported missing overnight",
        "password": PASSWORD,
    }
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        missing = client.post(url, form)
        assert missing.status_code == 400
        assert "Enter the authentication code" in missing.content.decode()
        ok = client.post(url, {**form, "code": code_for(device, T0 + dt.timedelta(minutes=1))})
        assert ok.status_code == 302


def test_settings_require_two_factor_except_in_demo_mode(tmp_path):
    def required(**extra):
        env = _production_env(tmp_path) | extra
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from django.conf import settings; "
                "print(settings.SIGHTLINE_REQUIRE_2FA)",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    assert required() == "True"
    assert required(SIGHTLINE_DEMO_MODE="1") == "False"


# -- lockout ---------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_username(lockout, social_worker, teacher):
    client = HttpsClient()
    for _ in range(5):
        response = sign_in(client, social_worker, password="not the password")
    assert response.status_code == 429
    assert "Your account is locked for now" in response.content.decode()
    # Even the right password is refused now, from anywhere.
    elsewhere = HttpsClient(REMOTE_ADDR="192.0.2.99")
    assert sign_in(elsewhere, social_worker).status_code == 429
    # Other users are not affected.
    assert sign_in(HttpsClient(), teacher).status_code == 302
    assert denials("sign_in").filter(actor=social_worker).count() >= 5


def test_an_address_trying_many_usernames_is_locked(lockout, settings, agencies):
    from sightline.testing import factories

    settings.AXES_FAILURE_LIMIT = 3
    settings.SIGHTLINE_LOCKOUT_ADDRESS_FACTOR = 2
    users = [factories.UserFactory.create() for _ in range(4)]
    client = HttpsClient()
    statuses = [sign_in(client, user, password="guess").status_code for user in users]
    # Three failures per username would lock it; six from one address lock the address.
    assert statuses[:3] == [200, 200, 200]
    late = factories.UserFactory.create()
    for user in users:
        sign_in(client, user, password="guess")
    assert sign_in(client, late).status_code == 429


PROXY = "10.0.0.5"


def through(remote, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return HttpsClient(**extra)


@pytest.fixture
def spraying(lockout, settings, agencies):
    """Three failures lock a username, six an address; four users to spray."""
    from sightline.testing import factories

    settings.AXES_FAILURE_LIMIT = 3
    settings.SIGHTLINE_LOCKOUT_ADDRESS_FACTOR = 2
    return [factories.UserFactory.create() for _ in range(4)]


def spray(client, users):
    for user in users * 2:  # eight failures, none reaching a username's limit of three
        sign_in(client, user, password="guess")


def test_behind_a_trusted_proxy_two_clients_are_counted_apart(settings, spraying, teacher):
    settings.SIGHTLINE_TRUSTED_PROXIES = [PROXY]
    spray(through(PROXY, "198.51.100.7"), spraying)
    # The sprayer's own address is locked ...
    assert sign_in(through(PROXY, "198.51.100.7"), teacher).status_code == 429
    # ... but not everyone else who comes through the same proxy.
    assert sign_in(through(PROXY, "203.0.113.9"), teacher).status_code == 302


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_counts(
    settings, spraying, teacher
):
    settings.SIGHTLINE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    # The client makes up a new left-hand address each time; the proxies add the real one.
    for number, user in enumerate(spraying * 2):
        client = through(PROXY, f"192.0.2.{number}, 198.51.100.7, 10.0.0.9")
        sign_in(client, user, password="guess")
    assert sign_in(through(PROXY, "192.0.2.200, 198.51.100.7"), teacher).status_code == 429


def test_without_a_trusted_proxy_a_spoofed_forwarded_for_is_ignored(spraying, teacher):
    for number, user in enumerate(spraying * 2):
        sign_in(through("198.51.100.7", f"192.0.2.{number}"), user, password="guess")
    assert sign_in(through("198.51.100.7", "203.0.113.1"), teacher).status_code == 429
    assert sign_in(through("203.0.113.1"), teacher).status_code == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        ("198.51.100.7", None, [], "198.51.100.7"),
        ("198.51.100.7", "192.0.2.1", [], "198.51.100.7"),
        ("198.51.100.7", "192.0.2.1", ["10.0.0.5"], "198.51.100.7"),
        ("10.0.0.5", None, ["10.0.0.5"], "10.0.0.5"),
        ("10.0.0.5", "192.0.2.1", ["10.0.0.5"], "192.0.2.1"),
        ("10.0.0.5", "6.6.6.6, 192.0.2.1", ["10.0.0.5"], "192.0.2.1"),
        ("10.0.0.5", "6.6.6.6, 192.0.2.1, 10.0.0.9", ["10.0.0.0/24"], "192.0.2.1"),
        ("10.0.0.5", "10.0.0.8, 10.0.0.9", ["10.0.0.0/24"], "10.0.0.8"),
        ("10.0.0.5", "192.0.2.1, not-an-address", ["10.0.0.5"], "10.0.0.5"),
        ("10.0.0.5", "192.0.2.1:51000", ["10.0.0.5"], "192.0.2.1"),
        ("::ffff:10.0.0.5", "[2001:db8::1]:443", ["10.0.0.5"], "2001:db8::1"),
    ],
)
def test_the_client_address(remote, forwarded, trusted, client):
    from sightline.access.clientip import client_address, parse_proxies

    assert client_address(remote, forwarded, parse_proxies(tuple(trusted))) == client


def test_a_bad_trusted_proxy_entry_is_named():
    from sightline.access.clientip import parse_proxies

    with pytest.raises(ValueError, match=r"'proxy\.example' is not an address"):
        parse_proxies(("10.0.0.5", "proxy.example"))


def test_a_successful_sign_in_resets_the_count(lockout, social_worker):
    client = HttpsClient()
    for _ in range(4):
        sign_in(client, social_worker, password="not the password")
    assert sign_in(client, social_worker).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, social_worker, password="not the password")
    assert sign_in(client, social_worker).status_code == 302


# -- sessions ----------------------------------------------------------------------------------


def test_a_session_ends_after_30_minutes_idle(social_worker):
    client = HttpsClient()
    with time_machine.travel(T0, tick=False):
        client.force_login(social_worker)
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(T0 + dt.timedelta(minutes=29), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(T0 + dt.timedelta(minutes=59, seconds=30), tick=False):
        response = client.get(reverse("people-search"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    ended = AuditEvent.objects.get(action=AuditAction.SESSION_ENDED)
    assert (ended.actor, ended.detail) == (social_worker, {"limit": "idle"})
    with time_machine.travel(T0 + dt.timedelta(minutes=60), tick=False):
        assert client.get(reverse("home")).status_code == 302


def test_a_session_ends_12_hours_after_sign_in_however_busy(social_worker):
    client = HttpsClient()
    with time_machine.travel(T0, tick=False):
        client.force_login(social_worker)
        client.get(reverse("home"))
    moment = T0 + dt.timedelta(minutes=25)
    while moment < T0 + dt.timedelta(hours=11, minutes=55):
        with time_machine.travel(moment, tick=False):
            assert client.get(reverse("home")).status_code == 200
        moment += dt.timedelta(minutes=25)
    with time_machine.travel(T0 + dt.timedelta(hours=12, minutes=1), tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert AuditEvent.objects.get(action=AuditAction.SESSION_ENDED).detail == {"limit": "absolute"}


def test_disabling_an_account_ends_its_sessions_and_its_token(social_worker, child):
    client = HttpsClient()
    client.force_login(social_worker)
    assert client.get(reverse("home")).status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=social_worker).key}")
    assert api.get(f"/api/v1/people/{child.public_id}/", secure=True).status_code == 200
    social_worker.is_active = False
    social_worker.save()
    assert client.get(reverse("home")).status_code == 302
    assert api.get(f"/api/v1/people/{child.public_id}/", secure=True).status_code == 401


# -- headers ------------------------------------------------------------------------------------


def test_pages_have_a_strict_content_security_policy_and_security_headers(client, social_worker):
    client.force_login(social_worker)
    response = client.get(reverse("home"), secure=True)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "max-age=31536000" in response["Strict-Transport-Security"]


TEMPLATES = Path(django_settings.BASE_DIR) / "sightline" / "templates"


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
        offenders += [
            f"{path.relative_to(TEMPLATES)}: {m.group(0)}"
            for m in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text)
        ]
        offenders += [
            f"{path.relative_to(TEMPLATES)}: javascript: URL"
            for _ in re.finditer(r"javascript:", text, re.IGNORECASE)
        ]
    assert offenders == []


def test_the_api_docs_load_their_script_from_a_file(client):
    html = client.get("/api/docs/", secure=True).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all("src=" in tag for tag in scripts)
    assert "cdn." not in html


def _production_env(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SIGHTLINE_") and k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return env | {
        "SIGHTLINE_SECRET_KEY": secrets.token_urlsafe(50),
        "SIGHTLINE_VAR_DIR": str(tmp_path),
        "SIGHTLINE_ALLOWED_HOSTS": "sightline.example.org",
        "DJANGO_SETTINGS_MODULE": "sightline.settings",
    }


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sightline", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


# -- API tokens ---------------------------------------------------------------------------------


def token_client(user, *, scopes=None, rate=""):
    token = Token.objects.create(user=user)
    if scopes is not None:
        TokenPolicy.objects.create(token=token, scopes=scopes, rate=rate)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_a_read_only_token_reads_but_cannot_submit(social_worker, child):
    client = token_client(social_worker, scopes=["read"])
    assert client.get(f"/api/v1/people/{child.public_id}/", secure=True).status_code == 200
    response = client.post("/api/v1/person-records/", {}, format="json", secure=True)
    assert response.status_code == 403
    assert "scope" in response.json()["detail"]
    [denied] = denials("token_scope")
    assert (denied.actor, denied.detail["needed"]) == (social_worker, "write")


def test_a_new_token_reads_only_and_its_post_is_refused_naming_the_scope(social_worker, child):
    """The attack: a token issued for reading submits records (tokens defaulted to write)."""
    key = create_api_token(actor=None, user=social_worker, origin=CLI)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"/api/v1/people/{child.public_id}/", secure=True).status_code == 200
    response = client.post("/api/v1/person-records/", {}, format="json", secure=True)
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "'write' scope" in detail
    assert "its scopes: read" in detail
    [denied] = denials("token_scope")
    assert (denied.actor, denied.detail["needed"]) == (social_worker, "write")


def test_write_is_given_only_when_asked_for(social_worker, capsys):
    call_command("create-api-token", social_worker.username)
    assert "read only" in capsys.readouterr().err
    assert not TokenPolicy.objects.exists()
    call_command("create-api-token", social_worker.username, "--write")
    captured = capsys.readouterr()
    assert "read and write" in captured.err
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {captured.out.strip()}")
    # Past the scope check: the empty submission is refused for what it is.
    assert client.post("/api/v1/person-records/", {}, format="json", secure=True).status_code == 400
    assert TokenPolicy.objects.get(token__user=social_worker).scopes == ["read", "write"]
    assert AuditEvent.objects.get(action=AuditAction.SET_TOKEN_SCOPES).detail["scopes"] == [
        "read",
        "write",
    ]


@pytest.mark.parametrize(
    ("setting", "kept"),
    [(None, ["read", "write"]), ("read", ["read"]), ("read, write", ["read", "write"])],
)
def test_tokens_issued_before_keep_the_scopes_they_had(
    monkeypatch, social_worker, teacher, setting, kept
):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("sightline.access.migrations.0003_tokens_keep_their_scopes")
    if setting is None:
        monkeypatch.delenv("SIGHTLINE_API_DEFAULT_SCOPES", raising=False)
    else:
        monkeypatch.setenv("SIGHTLINE_API_DEFAULT_SCOPES", setting)
    old = Token.objects.create(user=social_worker)
    limited = Token.objects.create(user=teacher)
    TokenPolicy.objects.create(token=limited, scopes=[])
    migration.keep_existing_scopes(apps, None)
    assert TokenPolicy.objects.get(token=old).scopes == kept
    assert TokenPolicy.objects.get(token=limited).scopes == []


def test_a_token_without_scopes_can_do_nothing(social_worker, child):
    client = token_client(social_worker, scopes=[])
    assert client.get(f"/api/v1/people/{child.public_id}/", secure=True).status_code == 403


def test_a_token_is_held_to_its_rate(social_worker, child):
    client = token_client(social_worker, scopes=["read", "write"], rate="2/hour")
    statuses = [client.get("/api/v1/agencies/", secure=True).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/agencies/", secure=True)
    assert 0 < int(response["Retry-After"]) <= 3600
    assert denials("api_rate").count() == 2


def test_sessions_on_the_api_have_the_default_rate(settings, social_worker):
    settings.SIGHTLINE_API_DEFAULT_RATE = "1/minute"
    client = APIClient()
    client.force_login(social_worker)
    assert client.get("/api/v1/agencies/", secure=True).status_code == 200
    assert client.get("/api/v1/agencies/", secure=True).status_code == 429


def test_set_token_scopes_command(social_worker, capsys):
    Token.objects.create(user=social_worker)
    call_command(
        "set-token-scopes", social_worker.username, "--scopes", "read", "--rate", "10/minute"
    )
    assert "scopes read, rate 10/minute" in capsys.readouterr().out
    policy = TokenPolicy.objects.get(token__user=social_worker)
    assert (policy.scopes, policy.rate) == (["read"], "10/minute")
    assert AuditEvent.objects.get(action=AuditAction.SET_TOKEN_SCOPES).detail["scopes"] == ["read"]
    with pytest.raises(Exception, match="Unknown scope"):
        call_command("set-token-scopes", social_worker.username, "--scopes", "admin")
