"""API tokens read only unless given write (issue 13).

Until now a token without a ``TokenPolicy`` had the scopes of the setting
``SIGHTLINE_API_DEFAULT_SCOPES``: read and write, unless a deployment set it otherwise.
Each such token gets a policy with exactly what it had, so no running integration loses
its access by the change; every token issued from now on reads only until write is given
(``create-api-token --write``, ``set-token-scopes``). The setting is gone; it is read
here from the environment one last time. Going back leaves the policies (harmless: they
say what the old default said).
"""

import os

from django.db import migrations

KNOWN = {"read", "write"}


def keep_existing_scopes(apps, schema_editor):  # type: ignore[no-untyped-def]
    token_model = apps.get_model("authtoken", "Token")
    policy_model = apps.get_model("access", "TokenPolicy")
    setting = os.environ.get("SIGHTLINE_API_DEFAULT_SCOPES", "read,write")
    had = sorted({scope.strip() for scope in setting.split(",")} & KNOWN)
    policy_model.objects.bulk_create(
        policy_model(token=token, scopes=had, rate="")
        for token in token_model.objects.filter(policy__isnull=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_enrolment_code"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(keep_existing_scopes, migrations.RunPython.noop)]
