"""Demo content for `make run` and the tests, written from the facts on the
center's current IOP page (3–5 days a week for several hours, 30–60 days,
between PHP and outpatient, sober living as an option). Editors replace it in
the admin; loading it again updates the same rows by slug."""

import datetime

from .models import (
    Accreditation,
    FrequentlyAskedQuestion,
    LevelOfCare,
    License,
    Page,
    PublicationStatus,
    Service,
    SiteFacts,
)

SITE_FACTS = {
    "name": "Sheer Recovery",
    "admissions_phone": "+19495550142",
    "admissions_phone_display": "(949) 555-0142",
    "street_address": "1200 Newport Center Drive, Suite 100",
    "locality": "Newport Beach",
    "region": "CA",
    "postal_code": "92660",
    "hours": "Admissions answers 24 hours a day, 7 days a week",
    "opening_hours_spec": "Mo-Su 00:00-23:59",
}

SERVICES = [
    (
        "group-therapy",
        "Group therapy",
        "Small groups led by a therapist, where people in recovery practise skills and learn from each other.",
    ),
    (
        "individual-therapy",
        "Individual therapy",
        "Regular one-to-one sessions with your own therapist, planned around your goals.",
    ),
    (
        "family-therapy",
        "Family therapy",
        "Sessions that help relatives understand addiction, rebuild trust and support recovery at home.",
    ),
    (
        "case-management",
        "Case management",
        "Practical help with work, housing, legal and benefits questions that can get in the way of recovery.",
    ),
    (
        "relapse-prevention",
        "Relapse prevention",
        "Spotting early warning signs and building a written plan for high-risk moments.",
    ),
    (
        "life-skills",
        "Life skills",
        "Budgeting, routines, communication and other everyday skills for independent, sober living.",
    ),
    (
        "twelve-step-facilitation",
        "12-step facilitation",
        "An introduction to 12-step fellowships such as AA, including meetings and finding a sponsor.",
    ),
    (
        "drug-testing",
        "Random drug testing",
        "Unannounced testing that adds accountability and shows progress.",
    ),
    (
        "aftercare-planning",
        "Aftercare planning",
        "A plan for support after the program ends: meetings, therapy, alumni contact and housing.",
    ),
]

LEVELS = [
    {
        "slug": "partial-hospitalization-program",
        "name": "Partial Hospitalization Program",
        "short_name": "PHP",
        "asam_level": "2.5",
        "order": 1,
        "summary": "Our most structured day program: treatment most of the day, five days a week, "
        "while you live in supported sober housing rather than at home.",
        "days_per_week_min": 5,
        "days_per_week_max": 5,
        "hours_per_day_min": 5,
        "hours_per_day_max": 6,
        "typical_length": "2 to 4 weeks",
        "lives_at_home": False,
        "fit_summary": "After detox or residential care; needs daily structure",
        "who_it_fits": "You have finished detox or a residential program\n"
        "You need a full day of treatment but not round-the-clock supervision\n"
        "Home is not yet a safe or steady place to recover",
        "benefits": "A full daily schedule that leaves little room for old routines\n"
        "Close contact with clinicians who can adjust your plan quickly\n"
        "A clear next step into IOP when you are ready",
        "body": "## What PHP is\n\n"
        "Partial hospitalization sits one step below residential treatment. Most weekdays you spend the "
        "better part of the day in therapy and skills groups, then return in the evening to a monitored "
        "sober living home instead of your own house.\n\n"
        "## How PHP leads on\n\n"
        "When you and your care team agree you are steady, you step down to our Intensive Outpatient "
        "Program, keeping the same therapists and peers.",
        "services": [s[0] for s in SERVICES],
        "faqs": [
            (
                "Do I live at the treatment center during PHP?",
                "No. During PHP you sleep in a monitored sober living home, not at the clinic and not at your own home.",
            ),
        ],
    },
    {
        "slug": "intensive-outpatient-program",
        "name": "Intensive Outpatient Program",
        "short_name": "IOP",
        "asam_level": "2.1",
        "order": 2,
        "summary": "Several hours of therapy three to five days a week, so you keep working, studying or caring "
        "for family while you recover. Programs usually run 30 to 60 days.",
        "days_per_week_min": 3,
        "days_per_week_max": 5,
        "hours_per_day_min": 3,
        "hours_per_day_max": 4,
        "typical_length": "30 to 60 days",
        "lives_at_home": True,
        "fit_summary": "Finished detox; a steady home or sober living",
        "who_it_fits": "You have already completed detox and do not need supervision around the clock\n"
        "You live somewhere stable and supportive, or plan to move into sober living\n"
        "You are stepping down from residential treatment or PHP and want to keep your progress going",
        "benefits": "Recognise the people, places and situations that set off cravings\n"
        "Learn new ways to handle cravings and strengthen the ones you already have\n"
        "Communicate more clearly and build healthier relationships\n"
        "Practise those skills with peers in a safe, guided setting\n"
        "Make better everyday choices, large and small\n"
        "Find healthy ways to deal with stress, anger, loneliness and anxiety\n"
        "Hear honest feedback from peers and learn from their experience\n"
        "Build friendships with other people in recovery\n"
        "Get to know local support such as 12-step meetings near you",
        "body": "## What IOP is\n\n"
        "An intensive outpatient program is scheduled treatment that you attend for a few hours at a time, "
        "three to five days a week. Between sessions you go home, go to work or school, and look after the "
        "people who depend on you. It asks for more time than standard outpatient care and less than a "
        "partial hospitalization program, which makes it a common next step after PHP.\n\n"
        "## Where IOP sits among the levels of care\n\n"
        "IOP is the most structured program that still lets you live at home. You get much of the same "
        "therapy as in PHP, with the freedom to keep your daily life going. If you would like more structure "
        "around you, you can stay in one of our monitored sober living homes while you attend.\n\n"
        "## What treatment looks like\n\n"
        "You will take part in individual sessions and small therapy groups. Together they focus on your "
        "mental health, on the triggers that lead to use, on getting through hard situations, and on "
        "preventing relapse. Sessions also cover the practical side of early recovery: finding work, "
        "dealing with legal problems and living independently.\n\n"
        "We also help you build support that lasts beyond the program. That usually means 12-step groups "
        "such as Alcoholics Anonymous, or another recovery community: attending meetings regularly, finding "
        "a sponsor and working the steps.\n\n"
        "## Stepping down gradually\n\n"
        "The program usually lasts between 30 and 60 days. As you make progress, sessions become shorter "
        "and less frequent, so that you move from supervised treatment towards independent, sober living "
        "one step at a time. Meanwhile you can try what you learned in everyday life and bring what goes "
        "wrong back to your therapist and group the same week.",
        "services": [s[0] for s in SERVICES],
        "faqs": [
            (
                "How many days a week is IOP?",
                "Between three and five days, for several hours each day. The schedule usually gets lighter as you progress.",
            ),
            (
                "How long does IOP last?",
                "Most people take part for 30 to 60 days, depending on their progress and their plan.",
            ),
            (
                "Can I keep working during IOP?",
                "Yes. IOP is built so that you can keep working, studying or caring for your family while you attend.",
            ),
            (
                "Is IOP enough on its own?",
                "For a severe substance use disorder, or one with a co-occurring mental health condition, IOP usually follows a more intensive level of care rather than replacing it. Our admissions team can help you decide.",
            ),
        ],
    },
    {
        "slug": "outpatient-program",
        "name": "Outpatient Program",
        "short_name": "OP",
        "asam_level": "1",
        "order": 3,
        "summary": "Weekly therapy that keeps you connected to care as you settle into everyday life, "
        "usually after finishing IOP.",
        "days_per_week_min": 1,
        "days_per_week_max": 2,
        "hours_per_day_min": 1,
        "hours_per_day_max": 2,
        "typical_length": "Often 3 months or more",
        "lives_at_home": True,
        "fit_summary": "Steady in recovery; wants ongoing support",
        "who_it_fits": "You have finished a more intensive program such as IOP\n"
        "Your recovery is steady and your home life supports it\n"
        "You want regular check-ins while you rebuild routines",
        "benefits": "Keep the support of your therapist while life returns to normal\n"
        "Catch warning signs early and adjust your relapse prevention plan\n"
        "A schedule that fits around a full-time job",
        "body": "## What outpatient care is\n\n"
        "Outpatient treatment is the lightest level of care: usually one or two sessions a week. It keeps "
        "you connected to your therapist and your peers while you take on more of daily life on your own.",
        "services": [
            "individual-therapy",
            "group-therapy",
            "family-therapy",
            "relapse-prevention",
            "aftercare-planning",
        ],
        "faqs": [],
    },
]

PAGES = [
    (
        "about",
        "About Sheer Recovery",
        1,
        "An outpatient addiction treatment center in Orange County, California.",
        "## Who we are\n\nSheer Recovery treats drug and alcohol addiction with care planned around each person. "
        "Our programs step down from partial hospitalization to intensive outpatient and outpatient care, "
        "and our monitored sober living homes give extra structure to anyone who wants it.",
    ),
    (
        "insurance",
        "Insurance and paying for treatment",
        2,
        "Many private insurance plans cover outpatient addiction treatment.",
        "## Checking your benefits\n\nSend us your insurance details through our secure form, or call us. "
        "An admissions coordinator checks your benefits with your insurer and explains what is covered "
        "before you decide anything.",
    ),
    (
        "sober-living",
        "Sober living",
        3,
        "Monitored sober living homes for people in our programs.",
        "## A steady place to live while you recover\n\nOur sober living homes are monitored, alcohol- and "
        "drug-free houses. They suit people whose home is not yet a safe place to recover, and anyone who "
        "wants more structure while attending PHP, IOP or outpatient care.",
    ),
    (
        "privacy",
        "Privacy notice",
        4,
        "How Sheer Recovery protects the information you share with us.",
        "## Your information\n\nWhat you tell us is protected health information. We use it only to respond to "
        "your request and to arrange care, we never sell it, and this website does not use advertising "
        "trackers or analytics from other companies. Records of substance use treatment receive extra "
        "protection under federal law (42 CFR Part 2).",
    ),
    (
        "accessibility",
        "Accessibility statement",
        5,
        "Our commitment to a website everyone can use.",
        "## Our goal\n\nWe aim to meet the Web Content Accessibility Guidelines (WCAG) 2.1 at level AA. "
        "If anything on this site is hard to use, please call us and we will help you directly and fix the problem.",
    ),
    (
        "licensing",
        "Licensing and accreditation",
        6,
        "Our state licences and accreditations.",
        "## Licensed by the State of California\n\nSheer Recovery is licensed and certified by the California "
        "Department of Health Care Services. You can check each licence on the state's website.",
    ),
]

LICENSES = [
    {
        "number": "300000AP",
        "name": "Outpatient treatment services",
        "issuer": "California Department of Health Care Services",
        "expires_on": datetime.date(2027, 6, 30),
        "verify_url": "https://www.dhcs.ca.gov/provgovpart/Pages/Facility-Listings.aspx",
    },
]

ACCREDITATIONS = [
    {
        "name": "Behavioral Health Care Accreditation",
        "issuer": "The Joint Commission",
        "url": "https://www.qualitycheck.org/",
    },
]


def load_demo_content() -> dict:
    SiteFacts.objects.update_or_create(pk=1, defaults=SITE_FACTS)

    services = {}
    for order, (slug, name, description) in enumerate(SERVICES):
        services[slug], _ = Service.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )

    for data in LEVELS:
        data = dict(data)
        service_slugs = data.pop("services")
        faqs = data.pop("faqs")
        level, _ = LevelOfCare.objects.update_or_create(
            slug=data.pop("slug"), defaults={**data, "status": PublicationStatus.PUBLISHED}
        )
        level.services.set([services[s] for s in service_slugs])
        level.faqs.all().delete()
        FrequentlyAskedQuestion.objects.bulk_create(
            FrequentlyAskedQuestion(level_of_care=level, question=q, answer=a, order=i)
            for i, (q, a) in enumerate(faqs)
        )

    for slug, title, order, summary, body in PAGES:
        Page.objects.update_or_create(
            slug=slug,
            defaults={
                "title": title,
                "order": order,
                "summary": summary,
                "body": body,
                "status": PublicationStatus.PUBLISHED,
            },
        )

    for data in LICENSES:
        License.objects.update_or_create(issuer=data["issuer"], number=data["number"], defaults=data)
    for data in ACCREDITATIONS:
        Accreditation.objects.update_or_create(name=data["name"], defaults=data)

    return {
        "levels of care": LevelOfCare.objects.count(),
        "services": Service.objects.count(),
        "pages": Page.objects.count(),
        "licences": License.objects.count(),
    }
