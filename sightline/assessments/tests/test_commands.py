import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sightline import challenges
from sightline.assessments.models import ChallengeRuleSet

pytestmark = pytest.mark.django_db


def test_administrators_export_edit_and_publish_the_rules(administrator, tmp_path, capsys):
    call_command("challenge-rules", "show")
    data = json.loads(capsys.readouterr().out)
    assert data == challenges.rule_set_to_data(challenges.SHIPPED)
    data["version"] = "CR2025.2"
    data["rules"][0]["title"] = "Closing while concerns rise (reworded)"
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data))
    call_command("challenge-rules", "publish", str(path), "--as", "ada.admin", "--note", "Reworded")
    assert "Published challenge rules CR2025.2; now in use." in capsys.readouterr().out
    call_command("challenge-rules", "list")
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith("CR2025.2")
    assert listing[0].endswith("Reworded  (in use)")
    assert listing[1] == "CR2025.1  shipped with Sightline"
    call_command("challenge-rules", "show", "CR2025.2")
    shown = json.loads(capsys.readouterr().out)
    assert shown["rules"][0]["title"] == "Closing while concerns rise (reworded)"


def test_publishing_explains_bad_input(administrator, social_worker, tmp_path):
    path = tmp_path / "rules.json"
    data = challenges.rule_set_to_data(challenges.SHIPPED)
    data["version"] = "CR2025.3"
    data["rules"][1]["params"]["window_days"] = 1000
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r"rules: rules\[1\]\.params\.window_days: must be"):
        call_command("challenge-rules", "publish", str(path), "--as", "ada.admin", "--note", "x")
    with pytest.raises(CommandError, match="Only administrators"):
        call_command("challenge-rules", "publish", str(path), "--as", "sally.social", "--note", "x")
    with pytest.raises(CommandError, match="--as: no user 'nobody'"):
        call_command("challenge-rules", "publish", str(path), "--as", "nobody", "--note", "x")
    path.write_text("[1, 2]")
    with pytest.raises(CommandError, match="must hold a JSON object"):
        call_command("challenge-rules", "publish", str(path), "--as", "ada.admin", "--note", "x")
    with pytest.raises(CommandError, match="no published version 'CR9'"):
        call_command("challenge-rules", "show", "CR9")
    assert not ChallengeRuleSet.objects.exists()
