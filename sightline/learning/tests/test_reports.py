import csv
import datetime as dt
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.learning import actions, reports, statistics
from sightline.learning.tests.helpers import record

pytestmark = pytest.mark.django_db


def themes_for(i, spec):
    """The themes of review i: spec maps a code to how many of the first reviews have it."""
    return tuple(code for code, n in spec.items() if i < n)


@pytest.fixture
def corpus():
    """FY 2023: 20 reviews on version 1, then 5 on version 2 (which adds a theme).
    FY 2022: 10 reviews on version 1."""
    this_year = [
        record(
            f"A{i}",
            themes=themes_for(i, {"risk_assessment": 8, "neglect": 3}),
            notified_on=dt.date(2023, 4, 1) + dt.timedelta(days=i * 17),
            nature="death" if i < 17 else "serious_harm",
        )
        for i in range(20)
    ]
    last_year = [
        record(
            f"B{i}",
            themes=themes_for(i, {"risk_assessment": 5}),
            notified_on=dt.date(2022, 9, 1),
        )
        for i in range(10)
    ]
    actions.import_review_corpus(actor=None, origin=CLI, records=this_year + last_year)
    draft = actions.draft_taxonomy(actor=None, origin=CLI)
    actions.record_theme(
        actor=None,
        origin=CLI,
        taxonomy=draft,
        code="racism_identity",
        group="practice",
        label="Racism and identity",
    )
    actions.publish_taxonomy(actor=None, origin=CLI, taxonomy=draft)
    later = [
        record(f"C{i}", themes=("racism_identity",), notified_on=dt.date(2024, 2, 1))
        for i in range(5)
    ]
    actions.import_review_corpus(actor=None, origin=CLI, records=later)


def rows_by_code(report):
    return {row.code: row for _, rows in report.groups for row in rows}


def test_it_counts_each_theme_out_of_the_reviews_whose_version_had_it(corpus):
    report = reports.annual_report(2023)
    assert (report.label, report.reviews, report.previous_reviews) == ("2023-24", 25, 10)
    rows = rows_by_code(report)
    # Both versions have risk assessment: 8 of 25. Only version 2 has racism: 5 of 5.
    assert (rows["risk_assessment"].count, rows["risk_assessment"].reviews) == (8, 25)
    assert rows["risk_assessment"].share == pytest.approx(0.32)
    assert (rows["risk_assessment"].low, rows["risk_assessment"].high) == pytest.approx(
        statistics.wilson_interval(8, 25)
    )
    assert rows["risk_assessment"].previous_share == pytest.approx(0.5)
    assert (rows["racism_identity"].count, rows["racism_identity"].reviews) == (5, 5)
    assert rows["racism_identity"].share == 1.0
    assert rows["racism_identity"].group == "practice"


def test_it_suppresses_small_counts_and_what_would_reveal_them(corpus):
    report = reports.annual_report(2023)
    rows = rows_by_code(report)
    neglect = rows["neglect"]
    assert (neglect.count, neglect.shown, neglect.share, neglect.low) == (3, "c", None, None)
    assert rows["optimism_bias"].shown == 0
    assert rows["optimism_bias"].share == 0.0
    nature = next(b for b in report.breakdowns if b.title == "Nature of incident")
    # 22 deaths (17 + 5 later), 3 serious harm: the 3 is hidden, and so is the 22 that
    # with the published total of 25 would give it away.
    assert nature.rows == [("Death", "c"), ("Serious harm", "c"), ("Other", 0)]


def test_the_threshold_is_a_setting(corpus, settings):
    settings.SIGHTLINE_SUPPRESS_BELOW = 3
    assert rows_by_code(reports.annual_report(2023))["neglect"].shown == 3


def test_a_year_without_reviews_is_empty_not_an_error():
    report = reports.annual_report(2010)
    assert report.reviews == 0
    assert report.groups == []
    assert report.agreement is None


def test_the_csv_has_one_row_per_figure_with_c_for_suppressed(corpus):
    rows = list(csv.DictReader(io.StringIO(reports.annual_report_csv(reports.annual_report(2023)))))
    by_category = {row["category"]: row for row in rows}
    assert by_category["Weak risk assessment and decision making"]["percent"] == "32.0"
    assert (
        by_category["Weak risk assessment and decision making"]["previous_year_percent"] == "50.0"
    )
    assert by_category["Neglect"]["count"] == "c"
    assert by_category["Neglect"]["percent"] == ""
    assert by_category["All reviews with a final coding"]["count"] == "25"


# --- pages, exports and the command --------------------------------------------------


@pytest.mark.parametrize("persona", ["social_worker", "police_officer", "teacher"])
def test_practitioners_cannot_produce_reports(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("learning:annual-report")).status_code == 404
    assert (
        client.get(reverse("learning:annual-report-export", args=[2023, "csv"])).status_code == 404
    )


def test_the_report_page_has_a_chart_and_the_same_figures_in_a_table(client, team_manager, corpus):
    client.force_login(team_manager)
    response = client.get(reverse("learning:annual-report"), {"year": 2023})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-chart-source="practice-chart-data"' in html
    assert "learning/vendor/chart-4.6.1.umd.min.js" in html
    data = re.search(
        r'<script id="practice-chart-data" type="application/json">(.*?)</script>', html
    )
    assert data is not None
    chart = json.loads(data.group(1))
    assert (
        chart["values"][chart["labels"].index("Weak risk assessment and decision making")] == 32.0
    )
    assert "Weak risk assessment and decision making" in html.split('id="table-practice-themes"')[1]
    audit = AuditEvent.objects.order_by("-id").first()
    assert audit is not None
    assert audit.action == AuditAction.PRODUCE_LEARNING_REPORT
    assert audit.detail == {"report": "annual", "year": 2023, "format": "html"}


def test_the_report_page_defaults_to_the_latest_coded_year(client, panel_analyst, corpus):
    client.force_login(panel_analyst)
    assert "2023-24" in client.get(reverse("learning:annual-report")).content.decode()


def test_a_bad_year_is_named(client, panel_analyst):
    client.force_login(panel_analyst)
    html = client.get(reverse("learning:annual-report"), {"year": "soon"}).content.decode()
    assert "There is a problem" in html
    assert "Enter a whole number" in html


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("csv", "text/csv", b"period,"),
        ("pdf", "application/pdf", b"%PDF"),
        ("png", "image/png", b"\x89PNG"),
    ],
)
def test_exports_are_files_with_an_audit_row(
    client, administrator, corpus, fmt, content_type, magic
):
    client.force_login(administrator)
    response = client.get(reverse("learning:annual-report-export", args=[2023, fmt]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(magic)
    assert 'filename="sightline-themes-2023-24.' in response["Content-Disposition"]
    audit = AuditEvent.objects.order_by("-id").first()
    assert audit is not None
    assert audit.detail["format"] == fmt


def test_an_unknown_export_format_is_a_404(client, administrator):
    client.force_login(administrator)
    assert (
        client.get(reverse("learning:annual-report-export", args=[2023, "xls"])).status_code == 404
    )


def test_the_command_writes_csv_to_stdout_and_pdf_to_a_file(corpus, tmp_path):
    out = io.StringIO()
    call_command("annual-report", "--year", "2023", stdout=out)
    assert out.getvalue().startswith("period,")
    call_command(
        "annual-report",
        "--year",
        "2023",
        "--format",
        "pdf",
        "--out",
        str(tmp_path / "r.pdf"),
        stdout=io.StringIO(),
    )
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert (
        AuditEvent.objects.filter(action=AuditAction.PRODUCE_LEARNING_REPORT, via="cli").count()
        == 2
    )


def test_the_pdf_says_what_the_page_says(corpus):
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(reports.annual_report_pdf(reports.annual_report(2023))))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "notified in 2023-24" in text
    assert "25 reviews with a final coding (10 the year before)" in text
    low, high = statistics.wilson_interval(8, 25)
    interval = f"{round(100 * low)}\u2013{round(100 * high)}%"  # en dash
    assert f"Weak risk assessment and decision making 8 32% {interval} 50%" in text
    assert "Neglect c c c" in text
    assert len(pdf.pages[0].images) == 1  # the chart


# --- any period: the panel's first report (July 2018 to December 2019) ----------------


@pytest.fixture
def panel_period():
    """50 coded reviews notified July 2018 to December 2019, 27 (54%) about a child known
    to children's social care; 6 in June 2018 and 6 in January 2020 just outside; and 10
    in 2016-17, which only the trend sees."""
    inside = [
        record(
            f"P{i}",
            notified_on=dt.date(2018, 7, 1) + dt.timedelta(days=i * 11),
            known_to_social_care=i < 27,
        )
        for i in range(50)
    ]
    assert inside[-1].notified_on <= dt.date(2019, 12, 31)
    outside = [
        record(f"J{i}", notified_on=dt.date(2018, 6, 30), known_to_social_care=False)
        for i in range(6)
    ] + [
        record(f"N{i}", notified_on=dt.date(2020, 1, 1), known_to_social_care=True)
        for i in range(6)
    ]
    earlier = [
        record(f"E{i}", notified_on=dt.date(2016, 5, 1), known_to_social_care=i < 5)
        for i in range(10)
    ]
    actions.import_review_corpus(actor=None, origin=CLI, records=inside + outside + earlier)


def test_any_period_counts_only_the_incidents_notified_within_it(panel_period):
    report = reports.period_report(dt.date(2018, 7, 1), dt.date(2019, 12, 31))
    assert report.label == "July 2018 to December 2019"
    assert report.reviews == 50
    # The comparison is the 18 months before (January 2017 to June 2018): June 2018's 6.
    assert report.previous_reviews == 6
    social_care = next(b for b in report.breakdowns if b.title == reports.SOCIAL_CARE)
    assert social_care.rows == [("Known", 27), ("Not known", 23)]
    assert [percent for _, _, percent in social_care.rows_with_percent] == [54, 46]


def test_the_trend_runs_across_every_financial_year_up_to_the_period(panel_period):
    report = reports.period_report(dt.date(2018, 7, 1), dt.date(2019, 12, 31))
    trend = {row.label: row for row in report.trend}
    assert list(trend) == ["2016-17", "2017-18", "2018-19", "2019-20"]
    assert (trend["2016-17"].reviews, trend["2016-17"].known_to_social_care) == (10, 5)
    assert trend["2016-17"].share_known_to_social_care == pytest.approx(0.5)
    assert trend["2017-18"].reviews == 0
    # 2018-19: June 2018's 6 (not known) and the period's reviews up to March 2019.
    in_2018_19 = [
        i
        for i in range(50)
        if dt.date(2018, 7, 1) + dt.timedelta(days=i * 11) < dt.date(2019, 4, 1)
    ]
    assert trend["2018-19"].reviews == 6 + len(in_2018_19)
    # 2019-20 includes January 2020, outside the period but inside the financial year.
    assert trend["2019-20"].reviews == 50 - len(in_2018_19) + 6


def test_a_financial_year_keeps_its_label_and_gains_the_breakdown(panel_period):
    report = reports.annual_report(2016)
    assert report.label == "2016-17"
    social_care = next(b for b in report.breakdowns if b.title == reports.SOCIAL_CARE)
    assert social_care.rows == [("Known", 5), ("Not known", 5)]


def test_the_command_reports_any_period_and_audits_it(panel_period, tmp_path):
    out = io.StringIO()
    call_command(
        "annual-report",
        "--from",
        "2018-07-01",
        "--to",
        "2019-12-31",
        "--format",
        "json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert (report["label"], report["reviews"]) == ("July 2018 to December 2019", 50)
    assert report["start"] == "2018-07-01"
    assert len(report["trend"]) == 4
    csv_out = io.StringIO()
    call_command("annual-report", "--from", "2018-07-01", "--to", "2019-12-31", stdout=csv_out)
    rows = list(csv.DictReader(io.StringIO(csv_out.getvalue())))
    known = next(
        r for r in rows if r["section"] == reports.SOCIAL_CARE and r["category"] == "Known"
    )
    assert (known["period"], known["count"], known["percent"]) == (
        "July 2018 to December 2019",
        "27",
        "54.0",
    )
    audit = AuditEvent.objects.filter(action=AuditAction.PRODUCE_LEARNING_REPORT).last()
    assert audit is not None
    assert audit.detail == {
        "report": "annual",
        "from": "2018-07-01",
        "to": "2019-12-31",
        "format": "csv",
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2018-07-01"], "go together"),
        (["--from", "2018-07-01", "--to", "2018-06-30"], "before --from"),
        (["--from", "1/7/2018", "--to", "2019-12-31"], "YYYY-MM-DD"),
        (["--year", "2018", "--from", "2018-07-01", "--to", "2019-12-31"], "not both"),
    ],
)
def test_the_command_refuses_a_period_it_cannot_read(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("annual-report", *arguments, stdout=io.StringIO())


def test_the_page_shows_the_social_care_breakdown_and_the_trend(
    client, panel_analyst, panel_period
):
    client.force_login(panel_analyst)
    html = client.get(reverse("learning:annual-report"), {"year": 2018}).content.decode()
    assert "Known to children&#x27;s social care" in html
    assert 'id="trend"' in html
    assert "2016-17" in html
