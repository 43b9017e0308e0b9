"""The audit trail: one append-only, hash-chained row per read, write and denial."""

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    VIEW_PERSON = "view_person", "Viewed a person's record"
    VIEW_CHRONOLOGY = "view_chronology", "Viewed a chronology"
    SEARCH = "search", "Searched for people"
    DENIED = "denied", "Denied access"
    IMPORT_PEOPLE = "import_people", "Imported person records"
    IMPORT_EVENTS = "import_events", "Imported chronology events"
    RECORD_PERSON = "record_person", "Recorded a person"
    RECORD_EVENT = "record_event", "Recorded a chronology event"
    RECORD_INVOLVEMENT = "record_involvement", "Recorded an involvement"
    RECORD_RELATIONSHIP = "record_relationship", "Recorded a relationship"
    RECORD_STATUS = "record_status", "Recorded a social care status"
    CREATE_USER = "create_user", "Created a user"
    CREATE_API_TOKEN = "create_api_token", "Created an API token"
    LOAD_DEMO_DATA = "load_demo_data", "Loaded synthetic demo data"
    MATCH_PERSON = "match_person", "Looked for existing persons matching a record"
    MERGE_PERSONS = "merge_persons", "Merged two persons"
    UNMERGE_PERSONS = "unmerge_persons", "Undid a merge of two persons"
    CONFIRM_MATCH = "confirm_match", "Confirmed a proposed match"
    REJECT_MATCH = "reject_match", "Rejected a proposed match"
    RUN_LINKAGE = "run_linkage", "Re-resolved source records into persons"
    REGISTER_LINKAGE_MODEL = "register_linkage_model", "Registered a linkage model version"
    CREATE_AGENCY = "create_agency", "Created an agency"
    CREATE_TEAM = "create_team", "Created a team"
    RESET_PASSWORD = "reset_password", "Issued a new password"
    RECORD_REVIEW_DOCUMENT = "record_review_document", "Recorded a review document for coding"
    VIEW_REVIEW_DOCUMENT = "view_review_document", "Viewed a review document"
    IMPORT_REVIEW_CORPUS = "import_review_corpus", "Imported coded review documents"
    DRAFT_TAXONOMY = "draft_taxonomy", "Drafted a theme taxonomy version"
    EDIT_TAXONOMY = "edit_taxonomy", "Changed a draft theme taxonomy"
    PUBLISH_TAXONOMY = "publish_taxonomy", "Published a theme taxonomy version"
    RECORD_CODING = "record_coding", "Saved a coding of a review"
    SUBMIT_CODING = "submit_coding", "Submitted a coding of a review"
    ADJUDICATE_CODING = "adjudicate_coding", "Decided the final coding of a review"
    IMPORT_NOTIFICATION_RECORDS = "import_notification_records", "Imported notification records"
    IMPORT_RETURN = "import_return", "Imported a national return (CIN census or SSDA903)"
    EXPORT_RETURN = "export_return", "Exported a national return (CIN census or SSDA903)"
    PRODUCE_LEARNING_REPORT = "produce_learning_report", "Produced a learning-from-reviews report"
    SET_AUTHORITY_REGION = "set_authority_region", "Set the region of a local authority"
    RECORD_CLOSURE = "record_closure", "Recorded a local closure day"
    WITHDRAW_CLOSURE = "withdraw_closure", "Withdrew a local closure day"
    RECORD_NOTIFICATION = "record_notification", "Recorded a serious incident notification"
    SUBMIT_NOTIFICATION = "submit_notification", "Sent a serious incident notification"
    VIEW_INCIDENT = "view_incident", "Viewed a serious incident or review"
    EXPORT_INCIDENT = "export_incident", "Exported a serious incident or review"
    OPEN_RAPID_REVIEW = "open_rapid_review", "Opened a rapid review"
    REQUEST_AGENCY_SUMMARY = "request_agency_summary", "Asked an agency for a summary"
    RECORD_AGENCY_SUMMARY = "record_agency_summary", "Recorded an agency summary"
    RECORD_REVIEW_MEETING = "record_review_meeting", "Recorded a rapid review meeting"
    RECORD_SAFETY_ACTION = "record_safety_action", "Recorded an immediate safety action"
    DECIDE_LOCAL_REVIEW = "decide_local_review", "Decided whether to hold a local review"
    SIGN_OFF_RAPID_REVIEW = "sign_off_rapid_review", "Signed off a rapid review"
    RECORD_PANEL_RESPONSE = "record_panel_response", "Recorded the national panel's response"
    COMMISSION_LOCAL_REVIEW = "commission_local_review", "Commissioned a local review"
    RECORD_REVIEW_MILESTONE = "record_review_milestone", "Recorded a local review milestone"
    SEND_INCIDENT_REMINDER = "send_incident_reminder", "Sent an incident deadline reminder"
    VIEW_NETWORK = "view_network", "Viewed a child's network"
    VIEW_CONTEXT = "view_context", "Viewed a place, online space or peer group"
    VIEW_EXPLOITATION_MEETING = "view_exploitation_meeting", "Viewed an exploitation meeting list"
    RECORD_CONTEXT = "record_context", "Recorded a place, online space or peer group"
    RECORD_ASSOCIATION = "record_association", "Recorded an association"
    WITHDRAW_ASSOCIATION = "withdraw_association", "Withdrew an association"
    RECORD_EVENT_CONTEXT = (
        "record_event_context",
        "Recorded where an event happened and who was there",
    )
    RECORD_CONCERN_FLAG = "record_concern_flag", "Recorded a concern about an adult or context"
    END_CONCERN_FLAG = "end_concern_flag", "Ended a concern about an adult or context"
    RECORD_CONTEXT_WORK = "record_context_work", "Recorded a context referral, assessment or plan"
    RECORD_EXPLOITATION_MEETING = "record_exploitation_meeting", "Recorded an exploitation meeting"
    RECORD_MEETING_ACTION = "record_meeting_action", "Recorded an exploitation meeting action"
    CHECK_FLAG = "check_flag", "Checked a child protection flag"
    READ_ALERT = "read_alert", "Marked an alert as read"
    LIST_PERSON = "list_person", "Saw the child named in a list of alerts or referrals"
    LIST_UNNAMED = "list_unnamed", "Was told of an alert about the child, without its name"
    RAISE_REFERRAL = "raise_referral", "Raised a referral"
    VIEW_REFERRAL = "view_referral", "Viewed a referral"
    ACKNOWLEDGE_REFERRAL = "acknowledge_referral", "Acknowledged a referral"
    RECORD_REFERRAL_OUTCOME = "record_referral_outcome", "Recorded a referral outcome"
    ESCALATE_REFERRAL = "escalate_referral", "Escalated an overdue referral"
    NOTIFY_SIGN_OFF_WAITING = (
        "notify_sign_off_waiting",
        "Told a manager a sign-off is waiting for them",
    )
    NOTIFY_STEP_OVERDUE = "notify_step_overdue", "Told the responsible person a step is overdue"
    BREAK_GLASS = "break_glass", "Opened a record without a relationship (emergency access)"
    END_BREAK_GLASS = "end_break_glass", "Ended emergency access"
    REVIEW_BREAK_GLASS = "review_break_glass", "Reviewed an emergency access"
    VIEW_ACCESS_LOG = "view_access_log", "Viewed who has seen a record"
    VIEW_IDENTITY = "view_identity", "Viewed a person's name and date of birth only"
    EXPORT_CHRONOLOGY = "export_chronology", "Exported a chronology"
    EXPORT_CASELOAD = "export_caseload", "Exported a list of children"
    RECORD_CASE_RELATIONSHIP = "record_case_relationship", "Recorded a core group member or invitee"
    END_CASE_RELATIONSHIP = "end_case_relationship", "Ended a core group membership or invitation"
    ENROL_TWO_FACTOR = "enrol_two_factor", "Set up two-factor authentication"
    VERIFY_TWO_FACTOR = "verify_two_factor", "Signed in with an authentication code"
    SESSION_ENDED = "session_ended", "A session ended (idle or absolute time limit)"
    SET_TOKEN_SCOPES = "set_token_scopes", "Set an API token's scopes and rate"
    ISSUE_ENROLMENT_CODE = "issue_enrolment_code", "Issued a two-factor enrolment code"
    EXTEND_BREAK_GLASS = "extend_break_glass", "Granted a further period of emergency access"
    FLAG_ACCESS = "flag_access", "Put a user's reads on the access review queue (monitoring)"
    REVIEW_ACCESS_FINDING = "review_access_finding", "Reviewed an access monitoring finding"
    SET_HOME_POSTCODE = "set_home_postcode", "Recorded a user's home postcode"
    OPEN_DECISION_POINT = "open_decision_point", "Started a step on the statutory clock"
    RECORD_DECISION = "record_decision", "Recorded a decision"
    CHANGE_DECISION = "change_decision", "Changed a challenged decision"
    RECORD_CHALLENGE_RATIONALE = (
        "record_challenge_rationale",
        "Recorded a rationale against a challenge",
    )
    SIGN_OFF_CHALLENGE = "sign_off_challenge", "Signed off a rationale against a challenge"
    RETURN_CHALLENGE = "return_challenge", "Returned a rationale against a challenge"
    PUBLISH_CHALLENGE_RULES = (
        "publish_challenge_rules",
        "Published a version of the challenge rules",
    )
    START_ASSESSMENT = "start_assessment", "Started a structured assessment"
    EDIT_ASSESSMENT = "edit_assessment", "Saved a draft structured assessment"
    SUBMIT_ASSESSMENT = "submit_assessment", "Submitted a structured assessment"
    SIGN_OFF_ASSESSMENT = "sign_off_assessment", "Signed off a structured assessment"
    RETURN_ASSESSMENT = "return_assessment", "Returned a structured assessment"
    AMEND_ASSESSMENT = "amend_assessment", "Started an amended version of an assessment"
    # Issue 17, item 4 (research extracts).
    PRODUCE_RESEARCH_EXTRACT = (
        "produce_research_extract",
        "Produced a de-identified research extract",
    )
    # Subject access requests (issue 17, item 3: sightline/subjectaccess).
    SUBJECT_ACCESS_READ = "subject_access_read", "Read a record to answer a subject access request"
    RECORD_SUBJECT_ACCESS = "record_subject_access", "Logged a subject access request"
    VERIFY_SUBJECT_ACCESS = (
        "verify_subject_access",
        "Verified a subject access requester's identity",
    )
    EXTEND_SUBJECT_ACCESS = "extend_subject_access", "Extended a subject access deadline"
    GATHER_SUBJECT_ACCESS = "gather_subject_access", "Gathered records for a subject access request"
    REVIEW_SUBJECT_ACCESS = "review_subject_access", "Decided a suggested subject access redaction"
    PRODUCE_SUBJECT_ACCESS = "produce_subject_access", "Produced a subject access pack"
    SEND_SUBJECT_ACCESS = "send_subject_access", "Recorded a subject access pack as sent"
    # Issue 17, sharing decisions (sharedec).
    RECORD_SHARING_DECISION = "record_sharing_decision", "Recorded a sharing decision"
    CHANGE_LAWFUL_BASIS = "change_lawful_basis", "Changed the list of lawful bases for sharing"
    # Issue 17, retention and disposal (sightline/governance):
    PROPOSE_DISPOSALS = "propose_disposals", "Proposed records due for disposal"
    APPROVE_DISPOSAL = "approve_disposal", "Approved a disposal and destroyed the record"
    REFUSE_DISPOSAL = "refuse_disposal", "Refused a proposed disposal"
    PLACE_LEGAL_HOLD = "place_legal_hold", "Placed a legal hold on a record"
    RELEASE_LEGAL_HOLD = "release_legal_hold", "Released a legal hold on a record"
    CHANGE_RETENTION_RULE = "change_retention_rule", "Changed the retention schedule"
    # Issue 14, the case itself (sightline/cases).
    OPEN_EPISODE_OF_NEED = "open_episode_of_need", "Opened an episode of need"
    CLOSE_EPISODE_OF_NEED = "close_episode_of_need", "Closed an episode of need"
    RECORD_CIN_ASSESSMENT = "record_cin_assessment", "Recorded a child and family assessment"
    RECORD_CIN_PLAN = "record_cin_plan", "Started or ended a child in need plan"
    RECORD_STRATEGY_DISCUSSION = "record_strategy_discussion", "Recorded a strategy discussion"
    RECORD_SECTION47 = "record_section47", "Recorded a section 47 enquiry"
    RECORD_CP_CONFERENCE = "record_cp_conference", "Recorded a child protection conference"
    START_CP_PLAN = "start_cp_plan", "Started a child protection plan"
    END_CP_PLAN = "end_cp_plan", "Ended a child protection plan"
    RECORD_CORE_GROUP = "record_core_group", "Changed a core group"
    START_LOOKED_AFTER = "start_looked_after", "Recorded a child becoming looked after"
    CHANGE_LOOKED_AFTER = "change_looked_after", "Changed a looked-after legal status or placement"
    END_LOOKED_AFTER = "end_looked_after", "Recorded a child ceasing to be looked after"
    RECORD_LOOKED_AFTER_REVIEW = "record_looked_after_review", "Recorded a looked-after review"
    RECORD_MISSING_EPISODE = "record_missing_episode", "Recorded a missing episode"
    ALLOCATE_CASE = "allocate_case", "Allocated a worker or team to a child"
    END_ALLOCATION = "end_allocation", "Ended an allocation"
    CORRECT_CASE_RECORD = "correct_case_record", "Corrected a case record"
    WITHDRAW_CASE_RECORD = "withdraw_case_record", "Withdrew a case record"
    # Issue 15, the administration area (sightline/access/administration*).
    CHANGE_ROLE = "change_role", "Changed a user's role"
    REVOKE_API_TOKEN = "revoke_api_token", "Revoked an API token"
    UPDATE_AGENCY = "update_agency", "Changed an agency's details"
    ADD_CATEGORY = "add_category", "Added an event category"
    RENAME_CATEGORY = "rename_category", "Renamed an event category"
    RETIRE_CATEGORY = "retire_category", "Retired an event category"
    REINSTATE_CATEGORY = "reinstate_category", "Brought a retired event category back"


class AuditEvent(models.Model):
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    # Copied at the time of the event: users change agency and role.
    actor_username = models.CharField(max_length=150, blank=True)
    agency_code = models.CharField(max_length=32, blank=True)
    role = models.CharField(max_length=32, blank=True)
    # An ``AuditAction`` value. The choices are not on the column: every app adds actions,
    # and an audit table should not need a migration for each (ADR 0004).
    action = models.CharField(max_length=40)
    # The person's key, hashed as it was written. No database constraint: a record disposed
    # of under the retention schedule (docs/governance.md) leaves its audit rows with this
    # key unchanged, pointing at its tombstone, so the chain still verifies.
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    via = models.CharField(max_length=16, blank=True)  # page, api, cli, job
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["person", "at"], name="audit_person_time_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    def get_action_display(self) -> str:
        try:
            return str(AuditAction(self.action).label)
        except ValueError:
            return self.action


class AuditChainHead(models.Model):
    """One row holding the latest hash. Locking it serialises appends to the chain."""

    last_hash = models.CharField(max_length=64)
    last_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.last_hash
