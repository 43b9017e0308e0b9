"""Two-factor enrolment needs a one-time code an administrator issued: a password alone
never sets up an authenticator app (issue 13)."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.access import actions
from sightline.access.models import EnrolmentCode
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's
T0 = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)


class HttpsClient(Client):
    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


@pytest.fixture(autouse=True)
def two_factor(settings):
    settings.SIGHTLINE_REQUIRE_2FA = True


def code_for(device, at):
    counter = int((at.timestamp() - device.t0) // device.step)
    return f"{hotp(device.bin_key, counter, digits=device.digits):06d}"


def signed_in_with_password(user):
    client = HttpsClient()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def admin_client(administrator):
    client = HttpsClient()
    client.force_login(administrator)
    device = TOTPDevice.objects.create(user=administrator, name="phone", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def issue(user):
    return actions.issue_enrolment_code(actor=None, user=user, origin=CLI).code


def setup(client, **data):
    return client.post(reverse("two-factor-setup"), data)


def denials():
    return AuditEvent.objects.filter(
        action=AuditAction.DENIED, detail__intent="two_factor_enrolment"
    )


def test_a_password_alone_does_not_enrol_an_authenticator(social_worker):
    """The attack: with only the password, set up one's own authenticator app."""
    client = signed_in_with_password(social_worker)
    home = client.get(reverse("home"))
    page = client.get(home["Location"], follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("two-factor-setup"))
    html = page.content.decode()
    assert "data:image/svg+xml" not in html
    assert 'id="otp-key"' not in html
    assert "Enrolment code" in html
    assert not TOTPDevice.objects.filter(user=social_worker).exists()
    # Neither a code from an app nor a guessed enrolment code gets any further.
    assert setup(client, code="123456").status_code == 400
    guessed = setup(client, enrolment_code="ABCD-EFGH-JKMN")
    assert guessed.status_code == 400
    assert "not right, or has expired" in guessed.content.decode()
    assert not TOTPDevice.objects.filter(user=social_worker).exists()
    assert client.get(reverse("people-search")).status_code == 302
    assert denials().filter(actor=social_worker).count() == 1


def test_an_administrator_issues_a_code_from_the_users_page_and_it_is_shown_once(
    administrator, social_worker, teacher
):
    admin = admin_client(administrator)
    nav = admin.get(reverse("home")).content.decode()
    assert reverse("access-users") in nav
    listing = admin.get(reverse("access-users"), {"q": "sally"})
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Sally Social" in html
    assert "Tess Teacher" not in html
    assert reverse("access-issue-enrolment-code", kwargs={"user_id": social_worker.pk}) in html
    response = admin.post(
        reverse("access-issue-enrolment-code", kwargs={"user_id": social_worker.pk})
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = response.context["issued"].code
    assert shown in response.content.decode()
    stored = EnrolmentCode.objects.get(user=social_worker)
    assert shown not in stored.code_hash
    assert stored.expires_at - stored.issued_at == dt.timedelta(hours=72)
    row = AuditEvent.objects.get(action=AuditAction.ISSUE_ENROLMENT_CODE)
    assert (row.actor, row.detail["username"], row.detail["enrolment_code"]) == (
        administrator,
        "sally.social",
        stored.pk,
    )
    assert shown not in str(row.detail)
    assert "Enrolment code valid until" in admin.get(reverse("access-users")).content.decode()


def test_the_code_lets_the_user_set_up_their_app_once(social_worker):
    code = issue(social_worker)
    client = signed_in_with_password(social_worker)
    with time_machine.travel(T0, tick=False):
        started = setup(client, enrolment_code=code.lower().replace("-", " "), next="/people/")
        assert started.status_code == 302
        page = client.get(started["Location"])
        assert 'src="data:image/svg+xml' in page.content.decode()
        device = TOTPDevice.objects.get(user=social_worker, confirmed=False)
        done = setup(client, code=code_for(device, T0), next="/people/")
    assert done.status_code == 302
    assert done["Location"] == "/people/"
    device.refresh_from_db()
    assert device.confirmed
    used = EnrolmentCode.objects.get(user=social_worker)
    assert used.used_at is not None
    row = AuditEvent.objects.get(action=AuditAction.ENROL_TWO_FACTOR)
    assert (row.actor, row.detail["enrolment_code"]) == (social_worker, used.pk)
    # Used once: another session cannot enrol a second authenticator with it.
    other = signed_in_with_password(social_worker)
    assert setup(other, enrolment_code=code).status_code == 400
    assert TOTPDevice.objects.filter(user=social_worker).count() == 1


def test_the_code_expires_after_the_configured_hours(settings, social_worker):
    settings.SIGHTLINE_ENROLMENT_CODE_HOURS = 24
    with time_machine.travel(T0, tick=False):
        code = issue(social_worker)
    client = signed_in_with_password(social_worker)
    with time_machine.travel(T0 + dt.timedelta(hours=24, seconds=1), tick=False):
        assert setup(client, enrolment_code=code).status_code == 400
    with time_machine.travel(T0 + dt.timedelta(hours=23), tick=False):
        assert setup(client, enrolment_code=code).status_code == 302


def test_a_new_code_revokes_the_older_one(social_worker):
    old = issue(social_worker)
    new = issue(social_worker)
    client = signed_in_with_password(social_worker)
    assert setup(client, enrolment_code=old).status_code == 400
    assert setup(client, enrolment_code=new).status_code == 302


def test_wrong_codes_are_limited(settings, social_worker):
    settings.SIGHTLINE_ENROLMENT_CODE_RATE = "3/hour"
    code = issue(social_worker)
    client = signed_in_with_password(social_worker)
    for _ in range(3):
        assert setup(client, enrolment_code="WRONG-WRONG-WRON").status_code == 400
    refused = setup(client, enrolment_code=code)
    assert refused.status_code == 400
    assert "Too many tries" in refused.content.decode()
    assert denials().filter(detail__too_many_tries=True).count() == 1


def test_a_code_replaces_a_lost_authenticator(social_worker):
    lost = TOTPDevice.objects.create(user=social_worker, name="old phone", confirmed=True)
    client = signed_in_with_password(social_worker)
    code_page = client.get(reverse("two-factor"))
    assert reverse("two-factor-setup") in code_page.content.decode()
    assert setup(client, enrolment_code=issue(social_worker)).status_code == 302
    device = TOTPDevice.objects.get(user=social_worker, confirmed=False)
    with time_machine.travel(T0, tick=False):
        assert setup(client, code=code_for(device, T0)).status_code == 302
    assert list(TOTPDevice.objects.filter(user=social_worker)) == [device]
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    assert AuditEvent.objects.get(action=AuditAction.ENROL_TWO_FACTOR).detail["replaced"] == 1


@pytest.mark.parametrize("persona", ["social_worker", "team_manager", "panel_analyst"])
def test_only_administrators_reach_the_users_page_or_issue_codes(request, persona, teacher):
    user = request.getfixturevalue(persona)
    client = admin_client(user)
    assert client.get(reverse("access-users")).status_code == 404
    url = reverse("access-issue-enrolment-code", kwargs={"user_id": teacher.pk})
    assert client.post(url).status_code == 404
    assert not EnrolmentCode.objects.exists()
    intents = set(
        AuditEvent.objects.filter(actor=user, action=AuditAction.DENIED).values_list(
            "detail__intent", flat=True
        )
    )
    assert intents == {"users", "issue_enrolment_code"}


def test_an_administrator_cannot_issue_their_own_code(administrator):
    admin = admin_client(administrator)
    url = reverse("access-issue-enrolment-code", kwargs={"user_id": administrator.pk})
    response = admin.post(url, follow=True)
    assert "Another administrator must issue your own enrolment code" in (response.content.decode())
    assert not EnrolmentCode.objects.exists()


def test_the_command_prints_a_code_once(social_worker, capsys):
    call_command("issue-enrolment-code", social_worker.username)
    captured = capsys.readouterr()
    code = captured.out.strip()
    assert len(code) == 14
    assert "usable once until" in captured.err
    client = signed_in_with_password(social_worker)
    assert setup(client, enrolment_code=code).status_code == 302
    with pytest.raises(CommandError, match="no user called"):
        call_command("issue-enrolment-code", "ghost")
