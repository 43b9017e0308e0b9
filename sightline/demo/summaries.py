"""Short practitioner-style summaries for synthetic chronology events. Pure, no Django.

Templates are keyed by category and tone: ``routine`` for the everyday contacts of a quiet
history, ``concern`` for the events of a planted escalation. Placeholders: ``{child}``
(the child's given name as the agency records it), ``{carer}`` (a parent or carer's
given name), ``{adult}`` (another adult), ``{worker}`` (the social worker), ``{age}`` (an
infant's age, e.g. "6 weeks") and ``{category}`` (a child protection category).
"""

import random

ROUTINE = "routine"
CONCERN = "concern"
CORE_GROUP = "core_group"  # the tone of an "other" event that is a core group meeting

TEMPLATES: dict[tuple[str, str], tuple[str, ...]] = {
    # Children's social care
    ("contact", ROUTINE): (
        "Contact from school about {child}'s attendance. Information and advice given; no further action.",
        "Anonymous contact about noise at the property. Checks completed, no concerns for {child}. NFA.",
        "Contact from GP requesting early help for {carer}. Signposted to the family hub.",
    ),
    ("contact", CONCERN): (
        "Contact from school: {child} arrived hungry and in unwashed clothes for the third time this week.",
        "Police notification of a domestic incident at the home; {child} present. Passed to the front door for screening.",
        "Contact from health visitor: home conditions poor, {carer} not engaging with advice.",
        "Contact from a neighbour worried that {child} is out late and picked up by unknown adults in cars.",
        "Contact from hospital: {child} brought in with an injury the explanation does not fit.",
    ),
    ("referral", ROUTINE): (
        "Referral accepted for a child and family assessment; {carer} consents.",
        "Referral from school about {child}'s wellbeing; accepted for assessment.",
    ),
    ("referral", CONCERN): (
        "Referral accepted. Repeated concerns about {child}'s basic care from school and health.",
        "Referral following police notifications of domestic abuse in the household; {child} witnessed incidents.",
        "Referral: {child} missing from home on several occasions, found in another town; exploitation concerns.",
        "Referral from ED: unexplained injury to {child}. Strategy discussion requested.",
    ),
    ("assessment_started", ROUTINE): (
        "Child and family assessment started. Allocated to {worker}.",
    ),
    ("assessment_started", CONCERN): (
        "Child and family assessment started; urgent visit planned within 24 hours.",
        "Assessment started. Checks requested from police, health and school.",
    ),
    ("assessment_completed", ROUTINE): (
        "Assessment completed. Needs met by universal services; case to close.",
        "Assessment completed. Family would benefit from early help; step-down recommended.",
    ),
    ("assessment_completed", CONCERN): (
        "Assessment completed. {child}'s needs are not being met; child in need plan recommended.",
        "Assessment completed. Risk of significant harm identified; strategy discussion held.",
        "Assessment completed. Pattern of neglect over 18 months; {carer} has limited insight.",
    ),
    ("strategy_discussion", CONCERN): (
        "Strategy discussion with police and health. Threshold for section 47 enquiries met.",
        "Strategy discussion held. Agreed joint visit with police; {child} to be seen today.",
        "Strategy discussion: safety plan agreed, {child} to stay with grandparents during enquiries.",
    ),
    ("section47_started", CONCERN): (
        "Section 47 enquiry started. Single-agency enquiry led by {worker}.",
        "Section 47 enquiry started; joint investigation with police.",
    ),
    ("section47_outcome", CONCERN): (
        "Section 47 outcome: concerns substantiated; initial child protection conference to be convened.",
        "Section 47 outcome: concerns substantiated, {child} judged at continuing risk of significant harm.",
    ),
    ("initial_conference", CONCERN): (
        "Initial child protection conference. {child} made subject to a child protection plan.",
        "ICPC held; all agencies attended except housing. Plan agreed, core group within 10 working days.",
    ),
    ("review_conference", CONCERN): (
        "Review conference. Some progress; plan to continue for a further six months.",
        "Review conference. Limited change; {carer} missed two core groups. Plan continues.",
        "Review conference. Risks reduced; recommendation to step down to a child in need plan.",
    ),
    ("cp_plan_started", CONCERN): (
        "Child protection plan started under the category of {category}.",
    ),
    ("cp_plan_ended", CONCERN): (
        "Child protection plan ended; stepped down to a child in need plan.",
        "Child protection plan ended following review conference.",
    ),
    ("cin_plan_started", ROUTINE): (
        "Child in need plan started. Family support worker to visit weekly.",
    ),
    ("cin_plan_started", CONCERN): (
        "Child in need plan started; review in three months.",
        "Child in need plan started after child protection plan ended.",
    ),
    ("cin_plan_ended", ROUTINE): (
        "Child in need plan ended: outcomes achieved.",
        "Child in need plan ended; support continues through early help.",
    ),
    ("cin_plan_ended", CONCERN): (
        "Child in need plan ended; family disengaged, concerns escalated.",
    ),
    ("looked_after_started", CONCERN): (
        "{child} became looked after (section 20, {carer} consented); placed with foster carers.",
        "{child} became looked after under an interim care order; placed with kinship carers.",
    ),
    ("looked_after_ended", CONCERN): (
        "{child} returned home to {carer} under a placement with parents plan.",
        "Looked after period ended; special guardianship order granted to grandparents.",
    ),
    ("case_closed", ROUTINE): (
        "Case closed. No further role for children's social care.",
        "Case closed following completion of the plan.",
    ),
    ("case_closed", CONCERN): ("Case closed after review; concerns addressed.",),
    ("step_down_early_help", ROUTINE): ("Stepped down to early help. Family hub worker to lead.",),
    ("step_down_early_help", CONCERN): (
        "Stepped down to early help despite ongoing worries from school.",
    ),
    ("home_visit", ROUTINE): (
        "Home visit. Home warm and tidy; {child} happy and playing.",
        "Home visit. {carer} engaged well and agreed next steps.",
    ),
    ("home_visit", CONCERN): (
        "Home visit. Little food in the house; dog mess in the kitchen. {carer} says money is tight.",
        "Unannounced home visit. No answer; {child} seen at the window. Letter left.",
        "Home visit. {child}'s bedroom has no bedding. Discussed with {carer}, who became angry.",
        "Home visit. {adult} present despite the safety plan. Discussed with {carer}.",
        "Home visit. House cleaner than last visit; {carer} has been attending the parenting course.",
        "Home visit. {child} not at home, whereabouts unknown to {carer}.",
    ),
    ("child_seen_alone", ROUTINE): (
        "{child} seen alone at school. Says things are 'fine' at home.",
    ),
    ("child_seen_alone", CONCERN): (
        "{child} seen alone in their bedroom. Says they are often hungry at the weekend.",
        "{child} seen alone at school. Spoke about shouting at home and hiding under the bed.",
        "{child} seen alone. Would not talk about where they go at night.",
        "{child} seen alone; drew a picture of their family without {adult}.",
    ),
    # Police
    ("domestic_abuse_incident", CONCERN): (
        "Domestic incident at the home address. {adult} arrested on suspicion of assault; {child} present.",
        "Verbal argument between {carer} and {adult}; children in the house. DASH risk: medium.",
        "999 call from {carer}: {adult} smashing property. {child} hiding upstairs. DASH risk: high.",
        "Domestic incident: {carer} declined to support a prosecution. Children present.",
    ),
    ("missing_episode", CONCERN): (
        "{child} reported missing by {carer}; last seen leaving school with older males.",
        "{child} missing overnight from the home address. Phone switched off.",
        "{child} reported missing from placement; believed to be in another force area.",
    ),
    ("found_after_missing", CONCERN): (
        "{child} found in a flat in another town with adults known to police. Return interview offered.",
        "{child} returned home of own accord; would not say where they had been.",
        "{child} located by officers at a train station with a large amount of cash.",
    ),
    ("arrest", CONCERN): (
        "{child} arrested for possession with intent to supply; released under investigation.",
        "{child} arrested following an assault in the town centre; appropriate adult present.",
    ),
    ("police_protection", CONCERN): (
        "Police protection powers used; {child} taken to a place of safety.",
    ),
    ("victim_of_crime", ROUTINE): (
        "{child} victim of theft (mobile phone) on the way home from school.",
        "{child} victim of an assault in the park; suspect not identified.",
    ),
    ("victim_of_crime", CONCERN): (
        "{child} robbed of a phone and threatened by older youths; believed to be a debt.",
    ),
    ("suspect_in_crime", CONCERN): (
        "{child} named as a suspect in a shop theft with two older males.",
        "{child} suspect in criminal damage at the bus station.",
    ),
    ("concern_for_welfare", ROUTINE): (
        "Concern for welfare call from a neighbour; officers attended, all well.",
    ),
    ("concern_for_welfare", CONCERN): (
        "Concern for welfare: children heard crying for several hours. Officers attended, {carer} intoxicated.",
        "Concern for welfare: {child} seen out alone late at night.",
    ),
    ("exploitation_intelligence", CONCERN): (
        "Intelligence: {child} seen with a known county lines nominal.",
        "Intelligence: {child} linked to a phone line used for drug supply.",
        "Intelligence: {child} given new trainers and a phone by an adult male.",
    ),
    # Health
    ("emergency_attendance", ROUTINE): (
        "ED attendance with a high temperature. Discharged with advice.",
        "ED attendance after a fall from a trampoline. Wrist X-ray normal.",
        "ED attendance with breathing difficulties; treated for asthma.",
    ),
    ("emergency_attendance", CONCERN): (
        "ED attendance, brought in late at night by {adult}. Minor head injury; delay in seeking care.",
        "ED attendance intoxicated; found by police in a park.",
        "ED attendance with a stab wound to the leg; explanation vague.",
    ),
    ("injury", ROUTINE): (
        "Minor burn to hand from a hair straightener; explanation consistent.",
        "Sprained ankle at football practice.",
    ),
    ("injury", CONCERN): (
        "Bruising to the upper arm; {child} says they fell. Safeguarding referral considered.",
        "Facial injury; {child} gave two different accounts.",
    ),
    ("unexplained_injury", CONCERN): (
        "Unexplained bruising to both ears and the back; safeguarding team informed.",
        "Unexplained injury: finger-tip bruising on the torso.",
    ),
    ("injury_non_mobile_infant", CONCERN): (
        "Bruise to the cheek of a non-mobile infant ({age}). Bruising protocol followed; referral to CSC.",
        "Torn frenulum in a non-mobile infant ({age}). Paediatric assessment and skeletal survey arranged.",
    ),
    ("was_not_brought", ROUTINE): (
        "{child} was not brought to the dental appointment. Letter sent to {carer}.",
        "{child} was not brought to the asthma review. Rebooked.",
    ),
    ("was_not_brought", CONCERN): (
        "{child} was not brought to the paediatric appointment; third missed appointment this year.",
        "{child} was not brought to the immunisation clinic. Two previous reminders sent.",
        "{child} was not brought to the audiology appointment; no contact from {carer}.",
    ),
    ("health_visitor_contact", ROUTINE): (
        "New birth visit. {child} feeding well; {carer} has good family support.",
        "6-8 week review. Growth on the 50th centile. No concerns.",
        "9-12 month review. Development within the expected range.",
        "2-2½ year review. Speech slightly delayed; referral to speech and language therapy.",
        "Telephone contact with {carer} about sleep. Advice given.",
        "Weighing clinic. Weight gain satisfactory.",
    ),
    ("health_visitor_contact", CONCERN): (
        "Home visit. {child}'s weight has dropped across two centiles. {carer} low in mood.",
        "Home visit. Home cold, nappy rash untreated. Advice given; follow-up in one week.",
        "Targeted visit. {carer} disclosed arguments with {adult}. Routine enquiry about domestic abuse made.",
        "Visit not possible: no answer at the door, third attempt.",
    ),
    ("maternity_booking", ROUTINE): ("Maternity booking. {carer} 10 weeks pregnant.",),
    ("mental_health_contact", ROUTINE): (
        "Seen by the children's mental health service for anxiety; six sessions offered.",
    ),
    ("mental_health_contact", CONCERN): (
        "CAMHS assessment after self-harm; {child} describes low mood and trouble sleeping.",
        "Crisis team contact: {child} expressed suicidal thoughts.",
    ),
    ("substance_misuse_contact", CONCERN): (
        "Young people's substance misuse service: {child} using cannabis daily.",
    ),
    ("self_harm", CONCERN): (
        "Self-harm: superficial cuts to forearms; seen by the liaison psychiatry team.",
        "Overdose of paracetamol; admitted overnight.",
    ),
    # Education
    ("persistent_absence", ROUTINE): ("Attendance 88% this term; letter sent to {carer}.",),
    ("persistent_absence", CONCERN): (
        "Attendance 71% this term; {child} often late and without breakfast.",
        "Attendance 62%: unexplained absences on Mondays and Fridays.",
        "Attendance 54%. Fixed penalty notice warning issued to {carer}.",
    ),
    ("suspension", CONCERN): (
        "Suspended for 3 days after a fight in the playground.",
        "Suspended for 5 days: found with a knife in bag.",
        "Suspended for 2 days for verbal abuse of staff.",
    ),
    ("permanent_exclusion", CONCERN): (
        "Permanently excluded after repeated serious incidents; place at the pupil referral unit requested.",
    ),
    ("missing_education", CONCERN): (
        "{child} not attending any school; removed from roll after 20 days' unexplained absence.",
    ),
    ("disclosure", CONCERN): (
        "{child} told the class teacher that {adult} hit {carer} last night. DSL informed.",
        "{child} disclosed to a teaching assistant that there is no food at home.",
        "{child} told a friend they are being paid to carry packages; friend told a teacher.",
    ),
    ("behaviour_concern", ROUTINE): (
        "Low-level disruption in class; parents informed.",
        "Behaviour report for a week after incidents at lunchtime.",
    ),
    ("behaviour_concern", CONCERN): (
        "{child} withdrawn and tearful; falling asleep in lessons.",
        "{child} aggressive towards peers; change in behaviour since half term.",
        "{child} has a new expensive phone and has been leaving school at lunchtime.",
    ),
    ("safeguarding_concern", ROUTINE): (
        "DSL logged a concern: {child} upset about {carer}'s illness. Pastoral support offered.",
    ),
    ("safeguarding_concern", CONCERN): (
        "DSL concern: {child} smelling strongly, head lice untreated, lunch money not provided.",
        "DSL concern: bruise on {child}'s arm, said {adult} grabbed them.",
        "DSL concern: {child} collected from school by unknown adult males.",
        "DSL concern: {child} frequently hungry; school providing breakfast.",
    ),
    # Housing
    ("eviction_notice", CONCERN): (
        "Notice seeking possession served for rent arrears of £1,850.",
        "Section 21 notice served by private landlord; family at risk of homelessness.",
    ),
    ("temporary_accommodation", CONCERN): (
        "Family placed in temporary accommodation (one room) after fleeing domestic abuse.",
        "Family placed in temporary accommodation following eviction.",
    ),
    ("disrepair", ROUTINE): (
        "Disrepair reported: damp and mould in the children's bedroom. Works ordered.",
        "Broken boiler reported; repair within 24 hours.",
    ),
    ("disrepair", CONCERN): (
        "Tenancy visit: property in very poor condition, rubbish in the garden, windows boarded.",
    ),
    ("anti_social_behaviour", ROUTINE): (
        "Neighbour complaint about noise late at night; advice letter sent.",
    ),
    ("anti_social_behaviour", CONCERN): (
        "Repeated complaints of visitors at all hours and cannabis smell; warning issued.",
        "Complaints of shouting and banging from the property; police attended twice.",
    ),
    ("other", ROUTINE): ("Information shared with the school nursing team.",),
    ("other", CORE_GROUP): (
        "Core group meeting. Plan reviewed; school reports better attendance.",
        "Core group meeting. {carer} did not attend; health visitor and school attended.",
        "Core group meeting. Actions from the last meeting outstanding; escalated to team manager.",
        "Core group meeting. {child}'s views shared by the social worker.",
    ),
    ("other", CONCERN): ("Information shared at the multi-agency risk assessment conference.",),
}


def summary(rng: random.Random, category: str, tone: str, placeholders: dict[str, str]) -> str:
    """A summary for ``category`` in ``tone``; falls back to the other tone if needed."""
    templates = _RESOLVED.get((category, tone))
    if templates is None:
        templates = (
            TEMPLATES.get((category, tone))
            or TEMPLATES.get((category, CONCERN if tone == ROUTINE else ROUTINE))
            or TEMPLATES[("other", CONCERN if tone == CONCERN else ROUTINE)]
        )
        _RESOLVED[(category, tone)] = templates
    return templates[int(rng.random() * len(templates))].format_map(placeholders)


_RESOLVED: dict[tuple[str, str], tuple[str, ...]] = {}
