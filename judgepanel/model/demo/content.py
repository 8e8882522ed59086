"""Realistic, made-up content for the demo program (deterministic for a seed).

Why a module of its own: the demo must look like a real round so that staff
trying JudgePanel (and screenshots, and manual tests) meet the problems a real
round has — accented names, long answers, a few PDFs, judges who score
differently, conflicts — while ``demo.py`` stays about the workflow. Every
name, city pairing, organisation and e-mail address here is invented; cities
are real US cities of 30,000 people or more, but nothing said about them is.

Nothing here touches a database or a file: it returns plain dataclasses that
``demo.py`` turns into a spreadsheet, PDFs and judges.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from judgepanel.model.staff.prepare.categories import RECOGNITION_COMPONENTS
from judgepanel.text import ascii_slug

# (city, state) — all real US cities of well over 30,000 inhabitants.
CITIES: tuple[tuple[str, str], ...] = (
    ("Boise", "ID"), ("Tacoma", "WA"), ("Dayton", "OH"), ("Fort Collins", "CO"),
    ("Ann Arbor", "MI"), ("Durham", "NC"), ("Lowell", "MA"), ("Santa Fe", "NM"),
    ("Savannah", "GA"), ("Des Moines", "IA"), ("Burlington", "VT"), ("Eugene", "OR"),
    ("Tempe", "AZ"), ("Lansing", "MI"), ("Providence", "RI"), ("Chattanooga", "TN"),
    ("Lafayette", "LA"), ("Sioux Falls", "SD"), ("El Paso", "TX"), ("Bloomington", "IN"),
    ("Salem", "OR"), ("Allentown", "PA"), ("Fargo", "ND"), ("New Haven", "CT"),
    ("Reno", "NV"), ("Columbia", "MO"), ("Knoxville", "TN"), ("Rochester", "MN"),
    ("Asheville", "NC"), ("Springfield", "IL"), ("Hartford", "CT"), ("Waco", "TX"),
    ("Berkeley", "CA"), ("Iowa City", "IA"), ("Flagstaff", "AZ"), ("Portland", "ME"),
    ("Gainesville", "FL"), ("Missoula", "MT"), ("Pueblo", "CO"), ("Yonkers", "NY"),
    ("St. Cloud", "MN"), ("Olympia", "WA"), ("Lawrence", "KS"), ("Macon", "GA"),
)

FIRST_NAMES: tuple[str, ...] = (
    "Zoë", "José", "Mária", "Siobhán", "François", "Nguyễn Thị", "Ayşe", "Björn",
    "Chloé", "Renée", "Darnell", "Priya", "Łukasz", "Inés", "Tomás", "Keanu",
    "Oluwaseun", "Mei-Ling", "Rafael", "Søren", "Aaliyah", "Dmitri", "Noémie",
    "Hiroshi", "Agnieszka", "Jamal", "Ximena", "Théo", "Fatima", "Grace",
)
LAST_NAMES: tuple[str, ...] = (
    "Gutiérrez", "Okafor", "Kowalczyk", "Ní Bhriain", "Lefèvre", "Hoang", "Yılmaz",
    "Sørensen", "Washington", "Patel", "Müller", "Begay", "Castillo", "Nakamura",
    "Abernathy", "Łopatka", "Mendoza", "Johansson", "O'Connell", "Delgado-Ruiz",
    "Haddad", "Ferreira", "Kim", "Brown", "Nuñez", "Thompson", "Zieliński", "Achebe",
)
ROLES = (
    "Director, Office of Equity and Inclusion", "Human Rights Commission coordinator",
    "Deputy Mayor for Community Affairs", "Community engagement manager",
    "Chief Diversity Officer", "Neighborhood services director", "Policy advisor",
)

# One entry per component: (title patterns, problem, approach, partners, outcomes).
# "{city}" is filled in; each component has three initiatives to draw from.
Initiative = tuple[str, str, str, str, str]

INITIATIVES: dict[str, tuple[Initiative, ...]] = {
    "Public leadership": (
        ("{city} Stands Together: a Mayor's Pledge Against Hate",
         "After a string of antisemitic and anti-Asian incidents, residents said city "
         "leaders stayed silent for too long.",
         "The mayor and every council member signed a public pledge with concrete duties: "
         "speaking out within 24 hours of a hate incident, yearly town halls, and a "
         "standing inclusion budget line.",
         "Interfaith council; Chamber of Commerce; local newspaper",
         "Response time to incidents fell from weeks to a day; 14,000 residents signed."),
        ("Welcoming {city} Plan",
         "New arrivals did not know which city services they could use or whom to ask.",
         "A cross-department plan with a named lead in every department and quarterly "
         "public progress reports to the council.",
         "Refugee resettlement agency; public library; community college",
         "All 22 departments adopted the plan; 3 new multilingual service desks."),
        ("Council Listening Tour on Belonging",
         "Neighborhoods with the most reported bias incidents had the lowest turnout at "
         "council meetings.",
         "Council meetings moved to those neighborhoods once a month, with child care, "
         "interpretation and food.",
         "Neighborhood associations; school district",
         "Attendance tripled; two ordinances drafted from residents' proposals."),
    ),
    "Education": (
        ("Schools Without Hate in {city}",
         "Students reported slurs and harassment that staff did not know how to handle.",
         "Training for every teacher and bus driver, student-led peer mediation, and a "
         "curriculum unit on local civil-rights history.",
         "School district; teachers' union; university education department",
         "Reported incidents down 31% over two school years."),
        ("{city} Reads Together",
         "Few shared spaces brought long-time and newly arrived families together.",
         "A citywide book program with bilingual editions, discussion circles in libraries "
         "and authors' visits to every middle school.",
         "Public library; bookstores; parent–teacher associations",
         "6,500 participants; 40 discussion circles, half in a language other than English."),
        ("Civil Rights Trail for Students",
         "Young people knew little about their own city's history of segregation.",
         "A walking trail with markers written by students and elders, used in every "
         "eighth-grade social studies class.",
         "Historical society; NAACP branch; school district",
         "Every eighth-grader walks it; a teacher guide is available to other cities."),
    ),
    "Policing and hate-crime reporting": (
        ("Report It {city}: Hate-Incident Reporting in 12 Languages",
         "Most hate incidents were never reported; victims distrusted the police or could "
         "not report in their language.",
         "A reporting line and web form in 12 languages, with the option to report to a "
         "community organisation instead of the police.",
         "Police department; Asian American community center; legal aid society",
         "Reports rose from 19 to 212 a year; 9 cases prosecuted."),
        ("Bias-Crime Liaison Officers",
         "Officers classified few incidents as bias-motivated, so patterns went unseen.",
         "Two trained liaison officers review every incident report for bias indicators "
         "and follow up with victims.",
         "Police department; district attorney; LGBTQ+ center",
         "Correct classification up from 40% to 85% in an independent audit."),
        ("Community–Police Hate Response Team",
         "Responses to hate incidents were slow and uncoordinated.",
         "A rapid response team of police, clergy and community advocates meets within 48 "
         "hours of a serious incident.",
         "Police department; interfaith alliance; Muslim community association",
         "Met after all 17 serious incidents last year; victims rated support 4.5 of 5."),
    ),
    "Support for victims": (
        ("Safe Harbor Victim Support Network",
         "Victims of hate incidents were left alone to navigate police, courts and "
         "counseling.",
         "Trained volunteer companions, emergency relocation funds and free counseling "
         "sessions for anyone targeted for who they are.",
         "Victim services agency; mental-health clinic; bar association",
         "Supported 146 people; 92% would recommend the service."),
        ("Legal Clinic for Targets of Discrimination",
         "Few victims could afford a lawyer to pursue housing or employment discrimination.",
         "Weekly free legal clinics run with law students and pro bono attorneys.",
         "Law school; legal aid society; fair housing council",
         "310 consultations; 41 cases settled in favor of the complainant."),
        ("Healing Circles {city}",
         "Communities hit by a hate crime had no space to grieve and recover together.",
         "Facilitated healing circles after incidents, led by trained community members.",
         "Faith communities; restorative justice center",
         "22 circles held; participants report lower fear a year later."),
    ),
    "Community dialogue": (
        ("Neighbors Talk: {city} Dialogue Dinners",
         "Residents of different backgrounds rarely met outside work.",
         "Monthly dinners hosted in homes and community centers, pairing residents from "
         "different neighborhoods, faiths and generations.",
         "Community foundation; restaurants; faith communities",
         "1,200 guests; 70% kept in touch with someone they met."),
        ("Interfaith Open Doors Day",
         "Mosques, synagogues and temples were targets of vandalism and rumor.",
         "Once a year every house of worship opens its doors with guided visits and "
         "shared meals.",
         "Interfaith council; tourism office",
         "38 congregations, 9,000 visitors in the last edition."),
        ("Story Booths of {city}",
         "Newcomers' stories were absent from the city's public image.",
         "Recording booths in libraries where residents tell their migration stories, "
         "broadcast on local radio.",
         "Public radio station; library; oral-history project",
         "430 stories recorded; a weekly radio segment."),
    ),
    "Youth engagement": (
        ("Youth Inclusion Council",
         "Young people had no say in the city's anti-discrimination work.",
         "A paid youth council of 25 high-school students advises the mayor and runs its "
         "own small grants fund.",
         "School district; YMCA; Boys & Girls Club",
         "Awarded 30 micro-grants; drafted the city's first youth anti-bullying policy."),
        ("Upstander Sports League",
         "Racist chants and fights were common at youth games.",
         "Coaches and referees trained as upstanders; a fair-play code signed by players "
         "and parents; mixed-neighborhood teams.",
         "Parks and recreation; youth soccer association",
         "Sanctions for abuse down by half; 1,800 players."),
        ("Digital Citizens {city}",
         "Teenagers met hate content online with nobody to talk to about it.",
         "After-school workshops on recognizing and countering online hate, taught by "
         "trained older students.",
         "Public library; technology nonprofit; high schools",
         "900 students trained; a peer-made guide now used statewide."),
    ),
    "Inclusive public services": (
        ("One City, Every Language",
         "Residents with limited English could not use city services on equal terms.",
         "Interpretation at every city counter, translated forms and a language-access "
         "ordinance with a complaints procedure.",
         "Community interpreters' cooperative; immigrant rights coalition",
         "Service requests from limited-English residents up 60%."),
        ("Accessible {city}",
         "People with disabilities faced exclusion from parks, buses and city events.",
         "An accessibility audit of 120 sites, a repair plan with a budget, and paid "
         "disability advisors on the planning board.",
         "Center for independent living; transit authority",
         "78 sites fixed; all city events now have an access plan."),
        ("ID for All Municipal Card",
         "Undocumented and homeless residents could not prove identity to use services.",
         "A municipal ID card accepted by city services, police, libraries and banks.",
         "Credit unions; homeless services network; consulates",
         "11,000 cards issued in 18 months."),
    ),
    "Data and monitoring": (
        ("{city} Equity Dashboard",
         "The city could not show whether its inclusion policies worked.",
         "A public dashboard of hate incidents, service use and satisfaction broken down "
         "by neighborhood, updated monthly.",
         "University data science institute; civic tech volunteers",
         "Used in two budget decisions; cited by the state as a model."),
        ("Annual Belonging Survey",
         "Nobody measured how safe and welcome residents felt.",
         "A yearly survey of 3,000 residents in nine languages, designed with community "
         "organisations and published in full.",
         "Polling institute; community organisations",
         "Three years of comparable data; targeted programs in two districts."),
        ("Hate Incident Data Partnership",
         "Police, schools and nonprofits each counted incidents differently.",
         "A shared incident definition and data-sharing agreement, with an annual joint "
         "report.",
         "Police department; school district; human rights commission",
         "First complete picture of incidents; duplicates cut by 40%."),
    ),
    "Online hate and media": (
        ("Counter-Speech Lab",
         "Local social media groups spread rumors about refugees.",
         "A lab training residents and journalists to answer hate online with facts and "
         "stories, plus a rapid rumor-check service.",
         "Local newspaper; journalism school; library",
         "200 trained; rumor checks reached 80,000 readers."),
        ("{city} Media Fellows",
         "Local news rarely quoted people from minority communities.",
         "Paid fellowships placing young reporters from under-represented communities in "
         "local newsrooms.",
         "Two newsrooms; community foundation; journalism school",
         "12 fellows; sources from minority communities up from 8% to 23%."),
        ("Safe Online Spaces for City Channels",
         "City social media pages were flooded with abusive comments.",
         "A moderation policy, trained moderators and a transparency report on removed "
         "content.",
         "City communications office; digital rights organisation",
         "Abusive comments down 70% while debate stayed open."),
    ),
    "Partnerships with civil society": (
        ("{city} Inclusion Compact",
         "Dozens of organisations worked on inclusion without coordination.",
         "A compact of 60 organisations and the city with shared goals, a joint calendar "
         "and a pooled small-grants fund.",
         "Community foundation; United Way; 60 member organisations",
         "Joint calendar prevented overlaps; $400,000 pooled in two years."),
        ("Business Pledge for Fair Hiring",
         "Job seekers from minority groups faced discrimination in hiring.",
         "Employers signed a fair-hiring pledge with anonymous application trials and "
         "mentoring programs.",
         "Chamber of Commerce; workforce board; community college",
         "85 employers joined; interview invitations equalized in the trial."),
        ("Welcoming Congregations Network",
         "Faith communities wanted to help newcomers but lacked coordination.",
         "A network matching congregations with newly arrived families for their first "
         "year, with training and a shared resource hub.",
         "Interfaith council; refugee resettlement agency",
         "140 families matched; 95% housed within three months."),
    ),
}

ORGANISATION_PATTERNS = (
    "City of {city}", "{city} Office of Equity and Inclusion",
    "{city} Human Rights Commission", "City of {city}, Office of the Mayor",
)


@dataclass(frozen=True)
class DemoApplication:
    ref: str
    title: str
    organisation: str
    city: str
    state: str
    contact_name: str
    contact_email: str
    category: str
    role: str
    summary: str
    problem: str
    approach: str
    partners: str
    outcomes: str
    budget: str
    requested_amount: Decimal | None = None
    quality: float = 3.0  # hidden "true" merit (1..5) the simulated judges perceive
    pdfs: tuple[str, ...] = ()  # attachment file names to generate


@dataclass(frozen=True)
class DemoJudge:
    slug: str
    name: str
    organisation: str
    city: str
    email: str
    affiliations: tuple[str, ...]
    leniency: float  # added to every score (points on the 1-5 scale)
    noise: float  # spread of their random disagreement
    declare: tuple[int, ...] = field(default_factory=tuple)  # app positions they declare


JUDGES: tuple[DemoJudge, ...] = (
    DemoJudge("amara-okafor", "Amara Okafor", "Center for Civic Belonging", "Atlanta",
              "amara.okafor@civicbelonging.org", ("National League of Welcoming Cities",),
              leniency=0.0, noise=0.45),
    DemoJudge("jose-gutierrez", "José Gutiérrez", "Southwest Human Rights Institute",
              "Albuquerque", "jose.gutierrez@swhri.org", ("Santa Fe",),
              leniency=+0.6, noise=0.35),
    DemoJudge("zoe-lefevre", "Zoë Lefèvre", "Institute for Inclusive Policy", "Chicago",
              "zoe.lefevre@inclusivepolicy.org", (), leniency=-0.7, noise=0.4),
    DemoJudge("lukasz-kowalczyk", "Łukasz Kowalczyk", "Midwest Interfaith Alliance",
              "Milwaukee", "lukasz@midwestinterfaith.org", ("Dayton",),
              leniency=-0.2, noise=0.6, declare=(7,)),
    DemoJudge("priya-raman", "Priya Raman", "Tacoma Community Foundation", "Tacoma",
              "priya.raman@tacomafoundation.org", (), leniency=+0.3, noise=0.3),
    DemoJudge("siobhan-ni-bhriain", "Siobhán Ní Bhriain", "Northeast Youth Justice Network",
              "Boston", "siobhan@neyouthjustice.org", (), leniency=+0.1, noise=0.5,
              declare=(12,)),
)

REVIEW_PHRASES = {
    "high": ("Convincing evidence of lasting change.", "A model other cities should copy.",
             "Communities were clearly in the driver's seat.", "Well documented and funded."),
    "mid": ("Promising, but the evidence is thin so far.", "Good idea; the scale is modest.",
            "Solid work; continuation depends on the next budget.",
            "Clear plan, outcomes still to be shown."),
    "low": ("Activities are described, but no change is shown.",
            "Affected communities were only consulted once.",
            "Ends when the pilot money runs out.", "Hard to see what is new here."),
}

# Feedback for the applicant (issue #18): written to them, kinder than the panel's notes.
FEEDBACK_PHRASES = {
    "high": ("Your evidence of lasting change is convincing; thank you for documenting it.",
             "Other cities could learn from how you involved the communities."),
    "mid": ("A promising initiative: showing its outcomes would make it stronger.",
            "Consider how the work can continue after the current budget."),
    "low": ("Tell us what changed for the people you serve, not only what you did.",
            "Involving the affected communities throughout would strengthen it."),
}


def _email(name: str, domain: str) -> str:
    parts = ascii_slug(name).split("-")
    return f"{parts[0]}.{parts[-1]}@{domain}"


def recognition_applications(count: int = 40, seed: int = 2026) -> list[DemoApplication]:
    """``count`` applications spread evenly over the ten components, deterministic for a seed."""
    rng = random.Random(seed)
    cities = list(CITIES)
    rng.shuffle(cities)
    apps: list[DemoApplication] = []
    for index in range(count):
        component = RECOGNITION_COMPONENTS[index % len(RECOGNITION_COMPONENTS)]
        pattern = INITIATIVES[component][(index // len(RECOGNITION_COMPONENTS)) % 3]
        city, state = cities[index % len(cities)]
        title_pattern, problem, approach, partners, outcomes = pattern
        title = title_pattern.format(city=city)
        if "{city}" not in title_pattern and index >= len(RECOGNITION_COMPONENTS):
            title = f"{title} ({city})"
        contact = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        domain = f"{ascii_slug(city).replace('-', '')}{state.lower()}.gov"
        quality = min(5.0, max(1.0, rng.gauss(3.2, 0.9)))
        budget_total = rng.randrange(40, 900) * 1000
        pdfs: list[str] = []
        ref = f"REC-2026-{index + 1:03d}"
        if index % 3 == 0:
            pdfs.append(f"{ref}-summary.pdf")
        if index % 5 == 0:
            pdfs.append(f"{ref}-evaluation.pdf")
        apps.append(DemoApplication(
            ref=ref,
            title=title,
            organisation=rng.choice(ORGANISATION_PATTERNS).format(city=city),
            city=city,
            state=state,
            contact_name=contact,
            contact_email=_email(contact, domain),
            category=component,
            role=rng.choice(ROLES),
            summary=f"{title} is an initiative of the city of {city} in the area of "
                    f"{component.lower()}. {approach}",
            problem=problem,
            approach=approach,
            partners=partners,
            outcomes=outcomes,
            budget=f"${budget_total:,} over two years, "
                   f"{rng.choice(('city general fund', 'city and state funds', 'city and private foundations', 'federal grant and city match'))}",  # noqa: E501
            quality=round(quality, 2),
            pdfs=tuple(pdfs),
        ))
    return apps


GRANT_TRACKS = ("Small cities (under 100,000)", "Large cities (100,000 and over)")
GRANTS_BUDGET = Decimal("250000")


def grant_applications(count: int = 12, seed: int = 2026) -> list[DemoApplication]:
    """A smaller competitive grants round: local public-private partnerships asking for money."""
    rng = random.Random(seed * 7 + 1)
    base = recognition_applications(len(CITIES), seed=seed + 1)
    rng.shuffle(base)
    apps: list[DemoApplication] = []
    for index, source in enumerate(base[:count]):
        requested = Decimal(rng.randrange(15, 76) * 1000)
        ref = f"GR-2026-{index + 1:03d}"
        apps.append(DemoApplication(
            ref=ref,
            title=f"{source.title} — partnership expansion",
            organisation=source.organisation,
            city=source.city,
            state=source.state,
            contact_name=source.contact_name,
            contact_email=source.contact_email,
            category=GRANT_TRACKS[index % 2],
            role=source.role,
            summary=f"Expanding an existing initiative with business and civic partners. "
                    f"{source.approach}",
            problem=source.problem,
            approach=source.approach,
            partners=source.partners + "; two local employers",
            outcomes="Planned: " + source.outcomes[0].lower() + source.outcomes[1:],
            budget=f"Requested ${requested:,.0f}; matched 1:1 by partners",
            requested_amount=requested,
            quality=source.quality,
            pdfs=(f"{ref}-budget.pdf",) if index % 2 == 0 else (),
        ))
    return apps


GRANTS_RUBRIC: dict[str, object] = {
    "name": "Community Partnerships Grants",
    "tie_break": "feasibility",
    "criteria": [
        {"key": "need", "title": "Community need", "weight": 2,
         "guidance": "Is the problem real, local and documented?",
         "scale": {"min": 1, "max": 5, "step": 1}, "comment": {"below": 3},
         "levels": [{"score": 1, "descriptor": "Not shown"},
                    {"score": 3, "descriptor": "Plausible, some data"},
                    {"score": 5, "descriptor": "Well documented with local data"}]},
        {"key": "partnership", "title": "Strength of the public–private partnership",
         "weight": 2, "guidance": "Do business and civic partners commit money or staff?",
         "scale": {"min": 1, "max": 5, "step": 1},
         "levels": [{"score": 1, "descriptor": "Names only"},
                    {"score": 3, "descriptor": "Letters of support"},
                    {"score": 5, "descriptor": "Committed match and shared governance"}]},
        {"key": "feasibility", "title": "Feasibility and budget", "weight": 1,
         "guidance": "Is the budget realistic for what is planned?",
         "scale": {"min": 1, "max": 5, "step": 1}, "comment": {"below": 2},
         "levels": [{"score": 1, "descriptor": "Unrealistic"},
                    {"score": 3, "descriptor": "Mostly realistic"},
                    {"score": 5, "descriptor": "Detailed and realistic"}]},
    ],
}


def judge_score(rng: random.Random, judge: DemoJudge, quality: float, low: float,
                high: float, step: float) -> float:
    """What a simulated judge gives: perceived merit + their leniency + noise, on the scale."""
    span = high - low
    position = (quality - 1.0) / 4.0 * span + low  # quality 1..5 mapped onto the scale
    raw = position + (judge.leniency + rng.gauss(0, judge.noise)) * span / 4.0
    snapped = round((raw - low) / step) * step + low
    return float(min(high, max(low, snapped)))


def review_comment(rng: random.Random, total: float) -> str:
    band = "high" if total >= 70 else "mid" if total >= 45 else "low"
    return rng.choice(REVIEW_PHRASES[band])


def applicant_feedback(rng: random.Random, total: float) -> str:
    """A line of feedback for the applicant, for a score of ``total`` (0-100)."""
    band = "high" if total >= 70 else "mid" if total >= 45 else "low"
    return rng.choice(FEEDBACK_PHRASES[band])
