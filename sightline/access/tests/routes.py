"""One entry per named route: who may use it, as a rule of (persona, state).

Add an entry when you add a route (``test_matrix.py`` fails until you do). Rules:

- ``record()``: a page or endpoint about the child: those who may see the record
  (``people.view_person``); 404 for everyone else, who may not know it exists.
- ``legitimate()``: exports and bulk reads: a relationship, not emergency access.
- ``signed_in(status)``: every signed-in persona gets ``status`` (404 for an id that does
  not exist, 400 for an empty submission).
- ``only(*personas)``: a role-gated page; others get ``denied`` (404, or 403 where the
  app says "you may not" about a page whose existence is no secret).

``AUDITED``: routes that read a child's record; each request writes exactly one audit
row (the read, or the denial).
"""

from sightline.access.tests.matrix import (
    Route,
    allocated_or_manager,
    everyone,
    legitimate,
    only,
    record,
    sees,
    signed_in,
    tracers,
)

POST = "POST"
HTMX = {"HX-Request": "true"}
CASE_WORKERS = ("social_worker", "police_officer", "teacher", "team_manager")
MANAGERS_AND_ANALYSTS = ("team_manager", "panel_analyst", "administrator")


def _htmx_record(persona: str, state: str) -> int:
    # htmx gets 200 with HX-Redirect to sign in when signed out.
    if persona == "anonymous":
        return 200
    return 200 if sees(persona, state) else 404


def _may_change_case(ok: int) -> "Route":
    """Seeing the record is not enough to change the case: the social worker and the
    team manager may (``ok``); other viewers get 403; the rest 404."""

    def expect(persona: str, state: str) -> int:
        if persona == "anonymous":
            return 302
        if not sees(persona, state):
            return 404
        return ok if persona in {"social_worker", "team_manager"} else 403

    return Route(expect, method=POST if ok == 302 else "GET")


ROUTES: dict[str, Route] = {
    # -- core ------------------------------------------------------------------------------
    "home": Route(signed_in(200)),
    "login": Route(lambda p, s: 200 if p == "anonymous" else 302),
    "logout": Route(everyone(302), method=POST),
    "healthz": Route(everyone(200)),
    "schema": Route(everyone(200)),
    "api-docs": Route(everyone(200)),
    # -- people ----------------------------------------------------------------------------
    "people-search": Route(signed_in(200)),
    "person-detail": Route(record()),
    "person-chronology": Route(_htmx_record, headers=HTMX),
    "person-panel": Route(record(), kwargs={"panel": "decisions"}),
    # A step of the case (pages.case_views): social care's worker and manager record it;
    # others who may see the record get 403.
    "case-step": Route(_may_change_case(200).expect, kwargs={"step": "allocate"}),
    # Choosing a record of the case to correct or withdraw, then doing it (a record that
    # is not, or no longer, current sends those who may record back to the case).
    "case-records": Route(_may_change_case(200).expect),
    "case-record-change": Route(
        _may_change_case(302).expect,
        kwargs={
            "kind": "looked-after-review",
            "record_id": "00000000-0000-4000-8000-000000000000",
            "change": "correct",
        },
    ),
    # Ending a family relationship: one that is not the child's is not found (404) for
    # those who may record; others who may see the record get 403.
    "case-end-relationship": Route(
        _may_change_case(404).expect, kwargs={"relationship_id": "999999"}
    ),
    # "Add to the chronology": those who may see the record (a GET shows the form).
    "person-add-event": Route(record()),
    "api-people": Route(signed_in(400, api=True)),  # no criteria
    "api-person": Route(record(api=True)),
    # A bulk read: the export rules (emergency access is not enough; 404 as for an unknown id).
    "api-chronology": Route(legitimate(api=True)),
    "api-person-records": Route(signed_in(400, api=True), method=POST),
    "api-person-records-batch": Route(signed_in(400, api=True), method=POST),
    "api-agencies": Route(signed_in(200, api=True)),
    "api-categories": Route(signed_in(200, api=True)),
    "api-events": Route(signed_in(400, api=True), method=POST),
    "api-events-batch": Route(signed_in(400, api=True), method=POST),
    "api-match": Route(signed_in(400, api=True), method=POST),
    # -- access --------------------------------------------------------------------------------
    "access-break-glass": Route(tracers(200)),
    "access-end-break-glass": Route(signed_in(404), method=POST),
    "access-seen-by": Route(allocated_or_manager(200)),
    "access-export-chronology": Route(legitimate(200)),
    "access-export-caseload": Route(only("team_manager")),
    "access-reviews": Route(only("team_manager")),
    "access-review": Route(signed_in(404)),
    "access-finding": Route(signed_in(404)),
    "two-factor": Route(signed_in(302)),  # no authenticator yet: to set-up
    "two-factor-setup": Route(signed_in(200)),  # asks for the enrolment code
    "access-users": Route(only("administrator")),
    "administration": Route(only("administrator")),
    "administration-new-user": Route(only("administrator")),
    "administration-teams": Route(only("administrator")),
    "administration-tokens": Route(only("administrator")),
    "administration-agencies": Route(only("administrator")),
    "administration-closure-days": Route(only("administrator")),
    "administration-challenge-rules": Route(only("administrator")),
    "administration-categories": Route(only("administrator")),
    # Unknown user, agency, closure day, rule or category: 404 for everyone.
    "administration-user": Route(signed_in(404)),
    "administration-user-role": Route(signed_in(404)),
    "administration-issue-token": Route(signed_in(404)),
    "administration-revoke-token": Route(signed_in(404)),
    "administration-agency": Route(signed_in(404)),
    "administration-remove-closure-day": Route(signed_in(404)),
    "administration-challenge-rule": Route(signed_in(404)),
    "administration-category": Route(signed_in(404)),
    "access-issue-enrolment-code": Route(signed_in(404), method=POST),  # unknown user
    # -- sharing -------------------------------------------------------------------------------
    "sharing-inbox": Route(signed_in(200)),
    "sharing-mark-read": Route(signed_in(302), method=POST),
    "sharing-flag-check": Route(signed_in(200, panel_analyst=403, administrator=403)),
    "sharing-referrals-sent": Route(signed_in(200)),
    "sharing-new-referral": Route(record()),
    "sharing-referral": Route(signed_in(404)),
    "sharing-referral-acknowledge": Route(signed_in(404), method=POST),
    "sharing-referral-outcome": Route(signed_in(404), method=POST),
    "sharing-new-decision": Route(record()),
    # The agency's report: its safeguarding leads and team managers (no secret it exists).
    "sharing-decisions": Route(only("team_manager", denied=403)),
    "sharing-lawful-bases": Route(only("administrator", denied=403)),
    "sharing-lawful-basis-active": Route(only("administrator", ok=404, denied=403), method=POST),
    # -- retention: information governance officers (not a matrix persona); the schedule
    # also for the administrator who keeps it. A rule named "kind" that does not exist: 404.
    "governance:disposals": Route(only()),
    "governance:disposal": Route(signed_in(404)),
    "governance:schedule": Route(only("administrator")),
    "governance:schedule-edit": Route(signed_in(404), kwargs={"kind": "no_such_kind"}),
    # -- subject access: data quality officers only (not a matrix persona): 404 for all --
    "subjectaccess:list": Route(only()),
    "subjectaccess:find": Route(only()),
    "subjectaccess:new": Route(only()),
    "subjectaccess:detail": Route(signed_in(404)),
    "subjectaccess:verify": Route(signed_in(404), method=POST),
    "subjectaccess:extend": Route(signed_in(404), method=POST),
    "subjectaccess:gather": Route(signed_in(404), method=POST),
    "subjectaccess:decide": Route(signed_in(404), method=POST),
    "subjectaccess:download": Route(signed_in(404), method=POST, kwargs={"kind": "pdf"}),
    "subjectaccess:sent": Route(signed_in(404), method=POST),
    "api-inbox": Route(signed_in(200, api=True)),
    "api-referrals": Route(signed_in(200, api=True)),
    "api-sharing-decisions": Route(signed_in(200, api=True)),
    "api-person-involved": Route(record(api=True)),
    # An empty body is refused (400) before the role check.
    "api-flag-check": Route(signed_in(400, api=True), method=POST),
    "api-referral-acknowledge": Route(signed_in(404, api=True), method=POST),
    "api-referral-outcome": Route(signed_in(404, api=True), method=POST),
    # -- the case (an empty submission is refused, 400, once the record is opened) --------
    "api-case": Route(record(api=True)),
    "api-case-episodes": Route(record(ok=400, api=True), method=POST),
    "api-case-allocations": Route(record(ok=400, api=True), method=POST),
    "api-case-strategy-discussions": Route(record(ok=400, api=True), method=POST),
    "api-case-conferences": Route(record(ok=400, api=True), method=POST),
    "api-case-looked-after": Route(record(ok=400, api=True), method=POST),
    "api-case-looked-after-changes": Route(record(ok=400, api=True), method=POST),
    "api-case-looked-after-end": Route(record(ok=400, api=True), method=POST),
    "api-case-corrections": Route(record(ok=400, api=True), method=POST),
    "api-case-withdrawals": Route(record(ok=400, api=True), method=POST),
    "api-case-episode-close": Route(record(ok=400, api=True), method=POST),
    "api-case-assessments": Route(record(ok=400, api=True), method=POST),
    "api-case-assessment-authorise": Route(record(ok=400, api=True), method=POST),
    "api-case-cin-plans": Route(record(ok=400, api=True), method=POST),
    "api-case-cin-plan-end": Route(record(ok=400, api=True), method=POST),
    "api-case-core-group": Route(record(ok=400, api=True), method=POST),
    "api-case-core-group-confirm": Route(record(ok=400, api=True), method=POST),
    "api-case-core-group-end": Route(record(ok=400, api=True), method=POST),
    "api-case-looked-after-reviews": Route(record(ok=400, api=True), method=POST),
    "api-case-missing": Route(record(ok=400, api=True), method=POST),
    "api-case-family": Route(record(ok=400, api=True), method=POST),
    "api-case-family-end": Route(record(ok=400, api=True), method=POST),
    # -- decisions and assessments ---------------------------------------------------------------
    "assessments:dashboard": Route(signed_in(200)),
    "assessments:report": Route(only(*MANAGERS_AND_ANALYSTS, denied=403)),
    "assessments:rules": Route(signed_in(200, police_officer=403, teacher=403)),
    "assessments:child": Route(record()),
    "assessments:close": _may_change_case(200),
    "assessments:assessment-new": _may_change_case(302),
    "assessments:open-step": Route(record(ok=400), method=POST),  # empty form
    "assessments:decide": Route(signed_in(404)),
    "assessments:decision": Route(signed_in(404)),
    "assessments:change": Route(signed_in(404)),
    "assessments:rationale": Route(signed_in(404), method=POST),
    "assessments:sign-off": Route(signed_in(404), method=POST),
    "assessments:return": Route(signed_in(404), method=POST),
    "assessments:assessment": Route(signed_in(404)),
    "assessments:assessment-review": Route(signed_in(404), method=POST),
    "assessments:assessment-amend": Route(signed_in(404), method=POST),
    # -- networks ----------------------------------------------------------------------------------
    "networks:child-network": Route(record()),
    "networks:child-network-data": Route(record()),
    "networks:new-association": Route(record()),
    "networks:person-concern": Route(record()),
    # Withdraw an association / end a concern: a POST that goes back to the network page
    # (saying why when nothing was withdrawn) for those who may see the record.
    "networks:withdraw-association": Route(record(302), method=POST),
    "networks:end-concern": Route(record(302), method=POST),
    "networks:context-list": Route(only(*CASE_WORKERS)),
    "networks:context-detail": Route(signed_in(404)),
    "networks:context-work": Route(signed_in(404)),
    "networks:event-context": Route(signed_in(404)),
    "networks:meeting-list": Route(only(*CASE_WORKERS)),
    "networks:meeting-detail": Route(signed_in(404)),
    # -- identity resolution -----------------------------------------------------------------------
    "linkage-record-person": Route(signed_in(200, administrator=404)),
    "linkage-recorded": Route(signed_in(404)),
    "linkage-reviews": Route(only("team_manager")),
    "linkage-review": Route(signed_in(404)),
    "linkage-merges": Route(only("team_manager")),
    "linkage-undo-merge": Route(signed_in(404), method=POST),
    # -- imports -------------------------------------------------------------------------------------
    "importing-upload": Route(signed_in(200)),
    "importing-commit": Route(signed_in(404), method=POST),
    "importing-batch": Route(signed_in(404)),
    # -- serious incidents -----------------------------------------------------------------------
    "incidents:dashboard": Route(signed_in(200)),
    "incidents:notification_new": Route(only("team_manager", denied=403)),
    "incidents:notification": Route(signed_in(404)),
    "incidents:notification_export": Route(signed_in(404)),
    "incidents:notification_submit": Route(signed_in(404), method=POST),
    "incidents:review": Route(signed_in(404)),
    "incidents:review_export": Route(signed_in(404)),
    "incidents:review_open": Route(signed_in(404), method=POST),
    "incidents:review_step": Route(signed_in(404), method=POST),
    "incidents:summary": Route(signed_in(404)),
    # -- learning from reviews -------------------------------------------------------------------
    "learning:index": Route(only(*MANAGERS_AND_ANALYSTS)),
    "learning:annual-report": Route(only(*MANAGERS_AND_ANALYSTS)),
    "learning:annual-report-export": Route(only(*MANAGERS_AND_ANALYSTS)),
    "learning:national-statistics": Route(only(*MANAGERS_AND_ANALYSTS)),
    "learning:national-statistics-csv": Route(only(*MANAGERS_AND_ANALYSTS)),
    "learning:regions": Route(only("panel_analyst", "administrator")),
    "learning:taxonomy-list": Route(only("panel_analyst", "administrator")),
    "learning:taxonomy": Route(signed_in(404)),
    "learning:taxonomy-publish": Route(signed_in(404), method=POST),
    "learning:theme-edit": Route(signed_in(404)),
    "learning:theme-remove": Route(signed_in(404), method=POST),
    "learning:review-list": Route(only("panel_analyst")),
    "learning:review": Route(signed_in(404)),
    "learning:adjudicate": Route(signed_in(404)),
    "learning:agreement": Route(only("panel_analyst")),
}

# Routes that read a child's record: one audit row per request, read or denial.
AUDITED = frozenset(
    {
        "person-detail",
        "person-chronology",
        "person-panel",
        "case-step",
        "case-records",
        "case-record-change",
        "case-end-relationship",
        "person-add-event",
        "api-person",
        "api-chronology",
        "api-person-involved",
        "api-case",
        "api-case-episodes",
        "access-break-glass",
        "access-seen-by",
        "access-export-chronology",
        "assessments:child",
        "sharing-new-referral",
        "sharing-new-decision",
        "networks:new-association",
        "networks:person-concern",
        "networks:withdraw-association",
        "networks:end-concern",
    }
)
