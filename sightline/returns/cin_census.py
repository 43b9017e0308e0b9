"""The CIN census (children in need), the DfE's XML return: read it and write it.

One ``Message`` per local authority per collection year: a header, then every child with
an episode of need open at any time in the year. The structure follows the DfE's
specification element for element (no namespace); ``write`` produces it in the order the
DfE's schema sets and ``read`` accepts what ``write`` produces and what case systems send.

``read`` is all-or-nothing: the first problem (malformed or truncated XML, an unknown
element or code, an impossible date, an end before its start, a plan outside a child)
raises ``ReturnError`` naming the element path, its line and the field.

The parser is expat through ``pyexpat``, with document type declarations refused, so no
entity can be declared or expanded (no "billion laughs", no external entities). Pure: no
Django.
"""

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pyexpat import ExpatError, ParserCreate
from typing import TypeVar

from sightline.returns import codes
from sightline.returns.errors import ReturnError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Header:
    year: int
    reference_date: dt.date
    lea: str
    software_code: str
    release: str
    serial_no: str
    date_time: dt.datetime
    collection: str = "CIN"
    source_level: str = "L"


@dataclass(frozen=True, slots=True)
class Assessment:
    start_date: dt.date
    internal_review_date: dt.date | None = None
    authorisation_date: dt.date | None = None
    factors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CINPlan:
    start_date: dt.date
    end_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Section47:
    start_date: dt.date
    icpc_target: dt.date | None = None
    icpc_date: dt.date | None = None
    icpc_not_required: bool = False


@dataclass(frozen=True, slots=True)
class CPPlan:
    start_date: dt.date
    initial_category: str
    latest_category: str
    end_date: dt.date | None = None
    previous_plans: int = 0
    review_dates: tuple[dt.date, ...] = ()


@dataclass(frozen=True, slots=True)
class CINDetails:
    """One episode of need: referral to closure."""

    referral_date: dt.date
    referral_source: str
    referral_nfa: bool = False
    primary_need: str | None = None
    closure_date: dt.date | None = None
    closure_reason: str | None = None
    initial_cpc_date: dt.date | None = None
    assessments: tuple[Assessment, ...] = ()
    cin_plans: tuple[CINPlan, ...] = ()
    section47s: tuple[Section47, ...] = ()
    cp_plans: tuple[CPPlan, ...] = ()


@dataclass(frozen=True, slots=True)
class Child:
    la_child_id: str
    sex: str
    ethnicity: str
    upn: str | None = None
    former_upn: str | None = None
    upn_unknown: str | None = None
    birth_date: dt.date | None = None
    expected_birth_date: dt.date | None = None
    death_date: dt.date | None = None
    disabilities: tuple[str, ...] = ()
    episodes: tuple[CINDetails, ...] = ()


@dataclass(frozen=True, slots=True)
class Message:
    header: Header
    children: tuple[Child, ...] = field(default=())


# --- reading -------------------------------------------------------------------------


@dataclass(slots=True)
class _Node:
    tag: str
    line: int
    children: list["_Node"] = field(default_factory=list)
    text: str = ""


def _parse(data: bytes) -> _Node:
    """The element tree of ``data`` with each element's line, through expat."""
    root = _Node("", 0)
    stack = [root]
    parser = ParserCreate()
    parser.buffer_text = True

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        stack[-1].text += text

    def refuse_doctype(*args: object) -> None:
        raise ReturnError(
            "document", "a document type declaration is not allowed", line=parser.CurrentLineNumber
        )

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    try:
        parser.Parse(data, True)
    except ExpatError as error:
        raise ReturnError(
            "document", f"not well-formed XML ({_expat_reason(error)})", line=error.lineno
        ) from error
    return root.children[0]


def _expat_reason(error: ExpatError) -> str:
    text = str(error).split(":")[0]
    if text in {"no element found", "unclosed token"}:
        return f"{text}: the file is truncated or incomplete"
    return text


class _Reader:
    """The children of one element, by tag, with typed access that names the place."""

    def __init__(self, node: _Node, path: str, allowed: frozenset[str]) -> None:
        self.node = node
        self.path = path
        self.by_tag: dict[str, list[_Node]] = {}
        for child in node.children:
            if child.tag not in allowed:
                home = _BELONGS_IN.get(child.tag)
                raise ReturnError(
                    f"{path}/{child.tag}",
                    f"unexpected element in {node.tag}"
                    + (f" (it belongs in {home})" if home else ""),
                    line=child.line,
                )
            self.by_tag.setdefault(child.tag, []).append(child)
        if node.children and node.text.strip():
            raise ReturnError(path, f"unexpected text {node.text.strip()[:30]!r}", line=node.line)

    def error(self, tag: str, problem: str, node: _Node | None = None) -> ReturnError:
        return ReturnError(self.path, problem, field=tag, line=(node or self.node).line)

    def nodes(self, tag: str) -> list[_Node]:
        return self.by_tag.get(tag, [])

    def one(self, tag: str) -> _Node | None:
        found = self.nodes(tag)
        if len(found) > 1:
            raise self.error(tag, "given more than once", found[1])
        return found[0] if found else None

    def text(self, tag: str) -> str | None:
        node = self.one(tag)
        if node is None:
            return None
        if node.children:
            raise self.error(tag, "expected a value, found elements", node)
        value = node.text.strip()
        return value or None

    def required(self, tag: str) -> str:
        value = self.text(tag)
        if value is None:
            raise self.error(tag, "is required")
        return value

    def convert(self, tag: str, value: str | None, parse: Callable[[str], T]) -> T | None:
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as error:
            raise self.error(tag, f"{value!r} is not {error}", self.one(tag)) from error

    def required_value(self, tag: str, parse: Callable[[str], T]) -> T:
        value = self.required(tag)
        try:
            return parse(value)
        except ValueError as error:
            raise self.error(tag, f"{value!r} is not {error}", self.one(tag)) from error

    def date(self, tag: str) -> dt.date | None:
        return self.convert(tag, self.text(tag), _date)

    def required_date(self, tag: str) -> dt.date:
        return self.required_value(tag, _date)

    def code(self, tag: str, code_list: Mapping[str, str]) -> str | None:
        value = self.text(tag)
        if value is not None and value not in code_list:
            raise self.error(tag, f"unknown code {value!r}", self.one(tag))
        return value

    def required_code(self, tag: str, code_list: Mapping[str, str]) -> str:
        value = self.code(tag, code_list)
        if value is None:
            raise self.error(tag, "is required")
        return value

    def boolean(self, tag: str) -> bool | None:
        return self.convert(tag, self.text(tag), _boolean)

    def after(self, later: str, value: dt.date | None, earlier: str, start: dt.date | None) -> None:
        if value is not None and start is not None and value < start:
            raise self.error(later, f"{value.isoformat()} is before {earlier} {start.isoformat()}")


def _date(value: str) -> dt.date:
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError("a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("a date that exists") from None


def _boolean(value: str) -> bool:
    if value in {"1", "true"}:
        return True
    if value in {"0", "false"}:
        return False
    raise ValueError("a boolean (true, false, 1 or 0)")


def _integer(value: str) -> int:
    if not value.isdigit():
        raise ValueError("a whole number")
    return int(value)


def _datetime(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("a date and time (YYYY-MM-DDThh:mm:ss)") from None


#: Where the elements that are a child's details belong, for a clearer message when one
#: stands outside its child (a plan without a child).
_BELONGS_IN = {
    "CINdetails": "a Child",
    "ChildIdentifiers": "a Child",
    "ChildCharacteristics": "a Child",
    "Assessments": "a Child's CINdetails",
    "CINPlanDates": "a Child's CINdetails",
    "Section47": "a Child's CINdetails",
    "ChildProtectionPlans": "a Child's CINdetails",
}


def _tags(*tags: str) -> frozenset[str]:
    return frozenset(tags)


_MESSAGE = _tags("Header", "Children")
_HEADER = _tags("CollectionDetails", "Source")
_COLLECTION = _tags("Collection", "Year", "ReferenceDate")
_SOURCE = _tags("SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime")
_CHILD = _tags("ChildIdentifiers", "ChildCharacteristics", "CINdetails")
_IDENTIFIERS = _tags(
    "LAchildID",
    "UPN",
    "FormerUPN",
    "UPNunknown",
    "PersonBirthDate",
    "ExpectedPersonBirthDate",
    "Sex",
    "PersonDeathDate",
)
_CHARACTERISTICS = _tags("Ethnicity", "Disabilities")
_CIN_DETAILS = _tags(
    "CINreferralDate",
    "ReferralSource",
    "PrimaryNeedCode",
    "CINclosureDate",
    "ReasonForClosure",
    "DateOfInitialCPC",
    "ReferralNFA",
    "Assessments",
    "CINPlanDates",
    "Section47",
    "ChildProtectionPlans",
)
_ASSESSMENT = _tags(
    "AssessmentActualStartDate",
    "AssessmentInternalReviewDate",
    "AssessmentAuthorisationDate",
    "FactorsIdentifiedAtAssessment",
)
_CIN_PLAN = _tags("CINPlanStartDate", "CINPlanEndDate")
_SECTION47 = _tags("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired")
_CP_PLAN = _tags(
    "CPPstartDate",
    "CPPendDate",
    "InitialCategoryOfAbuse",
    "LatestCategoryOfAbuse",
    "NumberOfPreviousCPP",
    "Reviews",
)


def read(data: bytes) -> Message:
    """The census in ``data`` (the XML file's bytes), or ``ReturnError`` naming the place."""
    root = _parse(data)
    if root.tag != "Message":
        raise ReturnError(root.tag, "the document is not a CIN census Message", line=root.line)
    message = _Reader(root, "Message", _MESSAGE)
    header_node = message.one("Header")
    if header_node is None:
        raise message.error("Header", "is required")
    children_node = message.one("Children")
    children: list[Child] = []
    seen: dict[str, int] = {}
    if children_node is not None:
        children_reader = _Reader(children_node, "Message/Children", _tags("Child"))
        for index, node in enumerate(children_reader.nodes("Child"), start=1):
            child = _read_child(node, f"Message/Children/Child[{index}]")
            if child.la_child_id in seen:
                raise ReturnError(
                    f"Message/Children/Child[{index}]/ChildIdentifiers",
                    f"LAchildID {child.la_child_id!r} is also Child[{seen[child.la_child_id]}]",
                    field="LAchildID",
                    line=node.line,
                )
            seen[child.la_child_id] = index
            children.append(child)
    return Message(header=_read_header(header_node), children=tuple(children))


def _read_header(node: _Node) -> Header:
    header = _Reader(node, "Message/Header", _HEADER)
    details_node, source_node = header.one("CollectionDetails"), header.one("Source")
    if details_node is None:
        raise header.error("CollectionDetails", "is required")
    if source_node is None:
        raise header.error("Source", "is required")
    details = _Reader(details_node, "Message/Header/CollectionDetails", _COLLECTION)
    source = _Reader(source_node, "Message/Header/Source", _SOURCE)
    collection = details.required("Collection")
    if collection != "CIN":
        raise details.error("Collection", f"{collection!r} is not CIN")
    return Header(
        collection=collection,
        year=details.required_value("Year", _integer),
        reference_date=details.required_date("ReferenceDate"),
        source_level=source.required("SourceLevel"),
        lea=source.required("LEA"),
        software_code=source.required("SoftwareCode"),
        release=source.required("Release"),
        serial_no=source.required("SerialNo"),
        date_time=source.required_value("DateTime", _datetime),
    )


def _read_child(node: _Node, path: str) -> Child:
    child = _Reader(node, path, _CHILD)
    identifiers_node = child.one("ChildIdentifiers")
    if identifiers_node is None:
        raise child.error(
            "ChildIdentifiers", "is required: a child's details need the child (LAchildID)"
        )
    ids = _Reader(identifiers_node, f"{path}/ChildIdentifiers", _IDENTIFIERS)
    characteristics_node = child.one("ChildCharacteristics")
    if characteristics_node is None:
        raise child.error("ChildCharacteristics", "is required")
    traits = _Reader(characteristics_node, f"{path}/ChildCharacteristics", _CHARACTERISTICS)
    disabilities: list[str] = []
    disabilities_node = traits.one("Disabilities")
    if disabilities_node is not None:
        listed = _Reader(
            disabilities_node, f"{path}/ChildCharacteristics/Disabilities", _tags("Disability")
        )
        for item in listed.nodes("Disability"):
            code = item.text.strip()
            if code not in codes.DISABILITY:
                raise listed.error("Disability", f"unknown code {code!r}", item)
            disabilities.append(code)
    birth, death = ids.date("PersonBirthDate"), ids.date("PersonDeathDate")
    ids.after("PersonDeathDate", death, "PersonBirthDate", birth)
    return Child(
        la_child_id=ids.required("LAchildID"),
        upn=ids.text("UPN"),
        former_upn=ids.text("FormerUPN"),
        upn_unknown=ids.code("UPNunknown", codes.UPN_UNKNOWN),
        birth_date=birth,
        expected_birth_date=ids.date("ExpectedPersonBirthDate"),
        sex=ids.required_code("Sex", codes.SEX),
        death_date=death,
        ethnicity=traits.required_code("Ethnicity", codes.ETHNICITY),
        disabilities=tuple(disabilities),
        episodes=tuple(
            _read_episode(episode, f"{path}/CINdetails[{index}]")
            for index, episode in enumerate(child.nodes("CINdetails"), start=1)
        ),
    )


def _read_episode(node: _Node, path: str) -> CINDetails:
    cin = _Reader(node, path, _CIN_DETAILS)
    referral = cin.required_date("CINreferralDate")
    closure = cin.date("CINclosureDate")
    cin.after("CINclosureDate", closure, "CINreferralDate", referral)
    return CINDetails(
        referral_date=referral,
        referral_source=cin.required_code("ReferralSource", codes.REFERRAL_SOURCE),
        primary_need=cin.code("PrimaryNeedCode", codes.PRIMARY_NEED),
        closure_date=closure,
        closure_reason=cin.code("ReasonForClosure", codes.CLOSURE_REASON),
        initial_cpc_date=cin.date("DateOfInitialCPC"),
        referral_nfa=bool(cin.boolean("ReferralNFA")),
        assessments=_each(cin, "Assessments", _read_assessment),
        cin_plans=_each(cin, "CINPlanDates", _read_cin_plan),
        section47s=_each(cin, "Section47", _read_section47),
        cp_plans=_each(cin, "ChildProtectionPlans", _read_cp_plan),
    )


def _each(parent: _Reader, tag: str, read_one: Callable[[_Node, str], T]) -> tuple[T, ...]:
    return tuple(
        read_one(node, f"{parent.path}/{tag}[{index}]")
        for index, node in enumerate(parent.nodes(tag), start=1)
    )


def _read_assessment(node: _Node, path: str) -> Assessment:
    assessment = _Reader(node, path, _ASSESSMENT)
    start = assessment.required_date("AssessmentActualStartDate")
    authorised = assessment.date("AssessmentAuthorisationDate")
    assessment.after("AssessmentAuthorisationDate", authorised, "AssessmentActualStartDate", start)
    factors: list[str] = []
    factors_node = assessment.one("FactorsIdentifiedAtAssessment")
    if factors_node is not None:
        listed = _Reader(
            factors_node, f"{path}/FactorsIdentifiedAtAssessment", _tags("AssessmentFactors")
        )
        for item in listed.nodes("AssessmentFactors"):
            code = item.text.strip()
            if code not in codes.ASSESSMENT_FACTOR:
                raise listed.error("AssessmentFactors", f"unknown code {code!r}", item)
            factors.append(code)
    return Assessment(
        start_date=start,
        internal_review_date=assessment.date("AssessmentInternalReviewDate"),
        authorisation_date=authorised,
        factors=tuple(factors),
    )


def _read_cin_plan(node: _Node, path: str) -> CINPlan:
    plan = _Reader(node, path, _CIN_PLAN)
    start, end = plan.required_date("CINPlanStartDate"), plan.date("CINPlanEndDate")
    plan.after("CINPlanEndDate", end, "CINPlanStartDate", start)
    return CINPlan(start_date=start, end_date=end)


def _read_section47(node: _Node, path: str) -> Section47:
    s47 = _Reader(node, path, _SECTION47)
    start, conference = s47.required_date("S47ActualStartDate"), s47.date("DateOfInitialCPC")
    s47.after("DateOfInitialCPC", conference, "S47ActualStartDate", start)
    return Section47(
        start_date=start,
        icpc_target=s47.date("InitialCPCtarget"),
        icpc_date=conference,
        icpc_not_required=bool(s47.boolean("ICPCnotRequired")),
    )


def _read_cp_plan(node: _Node, path: str) -> CPPlan:
    plan = _Reader(node, path, _CP_PLAN)
    start, end = plan.required_date("CPPstartDate"), plan.date("CPPendDate")
    plan.after("CPPendDate", end, "CPPstartDate", start)
    reviews: list[dt.date] = []
    reviews_node = plan.one("Reviews")
    if reviews_node is not None:
        listed = _Reader(reviews_node, f"{path}/Reviews", _tags("CPPreviewDate"))
        for item in listed.nodes("CPPreviewDate"):
            try:
                review = _date(item.text.strip())
            except ValueError as error:
                raise listed.error(
                    "CPPreviewDate", f"{item.text.strip()!r} is not {error}", item
                ) from error
            if review < start:
                raise listed.error(
                    "CPPreviewDate", f"{review.isoformat()} is before CPPstartDate", item
                )
            reviews.append(review)
    previous = plan.convert("NumberOfPreviousCPP", plan.text("NumberOfPreviousCPP"), _integer)
    return CPPlan(
        start_date=start,
        end_date=end,
        initial_category=plan.required_code("InitialCategoryOfAbuse", codes.CP_CATEGORY),
        latest_category=plan.required_code("LatestCategoryOfAbuse", codes.CP_CATEGORY),
        previous_plans=previous or 0,
        review_dates=tuple(reviews),
    )


# --- writing -------------------------------------------------------------------------


def _add(parent: ET.Element, tag: str, value: object) -> None:
    """Append ``<tag>value</tag>``, or nothing for None (optional and absent)."""
    if value is None:
        return
    element = ET.SubElement(parent, tag)
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, dt.datetime):
        element.text = value.replace(microsecond=0).isoformat()
    elif isinstance(value, dt.date):
        element.text = value.isoformat()
    else:
        element.text = str(value)


def write(message: Message) -> bytes:
    """The census as the DfE's XML, UTF-8, elements in the schema's order."""
    root = ET.Element("Message")
    header = ET.SubElement(root, "Header")
    details = ET.SubElement(header, "CollectionDetails")
    _add(details, "Collection", message.header.collection)
    _add(details, "Year", message.header.year)
    _add(details, "ReferenceDate", message.header.reference_date)
    source = ET.SubElement(header, "Source")
    _add(source, "SourceLevel", message.header.source_level)
    _add(source, "LEA", message.header.lea)
    _add(source, "SoftwareCode", message.header.software_code)
    _add(source, "Release", message.header.release)
    _add(source, "SerialNo", message.header.serial_no)
    _add(source, "DateTime", message.header.date_time)
    children = ET.SubElement(root, "Children")
    for child in message.children:
        _write_child(ET.SubElement(children, "Child"), child)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _write_child(element: ET.Element, child: Child) -> None:
    ids = ET.SubElement(element, "ChildIdentifiers")
    _add(ids, "LAchildID", child.la_child_id)
    _add(ids, "UPN", child.upn)
    _add(ids, "FormerUPN", child.former_upn)
    _add(ids, "UPNunknown", child.upn_unknown)
    _add(ids, "PersonBirthDate", child.birth_date)
    _add(ids, "ExpectedPersonBirthDate", child.expected_birth_date)
    _add(ids, "Sex", child.sex)
    _add(ids, "PersonDeathDate", child.death_date)
    traits = ET.SubElement(element, "ChildCharacteristics")
    _add(traits, "Ethnicity", child.ethnicity)
    if child.disabilities:
        disabilities = ET.SubElement(traits, "Disabilities")
        for code in child.disabilities:
            _add(disabilities, "Disability", code)
    for episode in child.episodes:
        _write_episode(ET.SubElement(element, "CINdetails"), episode)


def _write_episode(element: ET.Element, episode: CINDetails) -> None:
    _add(element, "CINreferralDate", episode.referral_date)
    _add(element, "ReferralSource", episode.referral_source)
    _add(element, "PrimaryNeedCode", episode.primary_need)
    _add(element, "CINclosureDate", episode.closure_date)
    _add(element, "ReasonForClosure", episode.closure_reason)
    _add(element, "DateOfInitialCPC", episode.initial_cpc_date)
    _add(element, "ReferralNFA", episode.referral_nfa)
    for assessment in episode.assessments:
        node = ET.SubElement(element, "Assessments")
        _add(node, "AssessmentActualStartDate", assessment.start_date)
        _add(node, "AssessmentInternalReviewDate", assessment.internal_review_date)
        _add(node, "AssessmentAuthorisationDate", assessment.authorisation_date)
        if assessment.factors:
            factors = ET.SubElement(node, "FactorsIdentifiedAtAssessment")
            for code in assessment.factors:
                _add(factors, "AssessmentFactors", code)
    for plan in episode.cin_plans:
        node = ET.SubElement(element, "CINPlanDates")
        _add(node, "CINPlanStartDate", plan.start_date)
        _add(node, "CINPlanEndDate", plan.end_date)
    for s47 in episode.section47s:
        node = ET.SubElement(element, "Section47")
        _add(node, "S47ActualStartDate", s47.start_date)
        _add(node, "InitialCPCtarget", s47.icpc_target)
        _add(node, "DateOfInitialCPC", s47.icpc_date)
        _add(node, "ICPCnotRequired", s47.icpc_not_required)
    for cp_plan in episode.cp_plans:
        node = ET.SubElement(element, "ChildProtectionPlans")
        _add(node, "CPPstartDate", cp_plan.start_date)
        _add(node, "CPPendDate", cp_plan.end_date)
        _add(node, "InitialCategoryOfAbuse", cp_plan.initial_category)
        _add(node, "LatestCategoryOfAbuse", cp_plan.latest_category)
        _add(node, "NumberOfPreviousCPP", cp_plan.previous_plans)
        if cp_plan.review_dates:
            reviews = ET.SubElement(node, "Reviews")
            for review in cp_plan.review_dates:
                _add(reviews, "CPPreviewDate", review)
