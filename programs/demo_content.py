"""Demo content for `make run` and the tests, written in our own words from the
facts on the center's current IOP page (3–5 days a week for several hours,
30–60 days, between PHP and outpatient, sober living as an option, 12-step
work, sessions tapering off). Editors replace it in the admin. Loading it
again only adds what is missing, so an editor's changes (live or draft) are
never overwritten; `reset=True` puts the demo text back on the demo rows.

Not from that page, so to be confirmed by the center before launch: the PHP
and OP schedules (days and hours), IOP's 3–4 hours a day, the ASAM levels,
and every contact detail, license and accreditation below (placeholders)."""

import datetime

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from . import demo_art, demo_content_es
from .demo_rows import faqs_replace, remember
from .models import (
    Accreditation,
    LevelOfCare,
    License,
    Page,
    Person,
    Picture,
    PictureKind,
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
        "Small groups led by a therapist, where people in recovery practice new skills and learn from one another.",
    ),
    (
        "individual-therapy",
        "Individual therapy",
        "Regular one-on-one time with your own therapist, planned around your goals.",
    ),
    (
        "family-therapy",
        "Family therapy",
        "Sessions that help the people closest to you understand addiction, rebuild trust and support you at home.",
    ),
    (
        "case-management",
        "Case management",
        "Practical help with work, housing and legal questions that can get in the way of recovery.",
    ),
    (
        "relapse-prevention",
        "Relapse prevention",
        "Learning your early warning signs and writing a plan for the moments when using feels close.",
    ),
    (
        "life-skills",
        "Life skills",
        "Routines, budgeting, communication and the other everyday skills that make living on your own, sober, easier.",
    ),
    (
        "twelve-step-facilitation",
        "12-step facilitation",
        "An introduction to 12-step fellowships such as Alcoholics Anonymous: going to meetings, finding a sponsor "
        "and working the steps.",
    ),
    (
        "drug-testing",
        "Random drug testing",
        "Unannounced tests that add accountability and give you a clear record of your progress.",
    ),
    (
        "aftercare-planning",
        "Aftercare planning",
        "A plan for the support you will lean on once the program ends, worked out with you before you finish.",
    ),
]

LEVELS = [
    {
        "slug": "partial-hospitalization-program",
        "name": "Partial Hospitalization Program",
        "short_name": "PHP",
        "seo_description": "Partial hospitalization (PHP) in Orange County: full days of addiction treatment on weekdays, "
        "with structured sober housing. Free, confidential advice 24/7.",
        "asam_level": "2.5",
        "order": 1,
        "summary": "Our most structured program: a full day of treatment on weekdays, while you live in "
        "supported housing instead of at home.",
        "days_per_week_min": 5,
        "days_per_week_max": 5,
        "hours_per_day_min": 5,
        "hours_per_day_max": 6,
        "typical_length": "Until you are ready to step down to IOP",
        "lives_at_home": False,
        "fit_summary": "Finished detox or residential care; needs full days of structure",
        "who_it_fits": "You have finished detox, and perhaps a residential program as well\n"
        "You need a full day of treatment, but not supervision around the clock\n"
        "Home is not yet a steady place to recover, or you want structure close by",
        "benefits": "A full daily schedule that leaves little room for old habits\n"
        "Daily contact with a care team that can change your plan quickly when something is not working\n"
        "Time to practice new coping skills every day, with support right there\n"
        "A planned next step into IOP, so you never leave treatment all at once",
        "body": "## What PHP is\n\n"
        "A partial hospitalization program is the most time-intensive care we offer. On treatment days "
        "you spend most of the day with us, in individual sessions and therapy groups, and you go back to "
        "structured, drug- and alcohol-free housing in the evening rather than to your own home.\n\n"
        "It is often the first step after detox or a residential stay. You no longer need someone watching "
        "over you day and night, but you are not yet ready to manage on your own for most of the week. PHP "
        "fills that gap.\n\n"
        "## What the days are for\n\n"
        "The time is spent on the same work that carries through every level of care: understanding what "
        "led to using, spotting the situations that set off cravings, and learning to get through hard "
        "moments without drugs or alcohol. Your therapist plans this with you, so the schedule fits your "
        "needs rather than a template.\n\n"
        "## Where you live\n\n"
        "During PHP you live away from home, in structured housing such as one of our monitored sober living "
        "homes. Our admissions team explains the arrangements before you start, so there are no surprises.\n\n"
        "## Moving on to IOP\n\n"
        "PHP is not meant to last for long. When you and your care team agree that you are steady, you step "
        "down to our Intensive Outpatient Program. You keep much of the same therapy, you spend fewer hours "
        "with us, and living at home becomes an option again.",
        "services": [s[0] for s in SERVICES],
        "faqs": [
            (
                "Do I live at home during PHP?",
                "No. PHP is the program where you live away from home while you attend, in structured housing "
                "such as one of our monitored sober living homes. Once you step down to IOP, you can choose to "
                "live at home again.",
            ),
            (
                "Do I need to finish detox before PHP?",
                "Yes. PHP is for people who have already completed detox and do not need supervision around the "
                "clock. If you still need detox, call our admissions team and we will talk through where to start.",
            ),
            (
                "What happens after PHP?",
                "Most people move on to our Intensive Outpatient Program once they and their care team agree they "
                "are ready. You spend fewer hours in treatment each week and take on more of everyday life.",
            ),
        ],
    },
    {
        "slug": "intensive-outpatient-program",
        "name": "Intensive Outpatient Program",
        "short_name": "IOP",
        "seo_description": "Intensive outpatient addiction treatment in Orange County: therapy 3–5 days a week for several "
        "hours, usually for 30–60 days, while you live at home.",
        "asam_level": "2.1",
        "order": 2,
        "summary": "Several hours of therapy three to five days a week, so you can keep working, studying or "
        "caring for family while you recover. Most people take part for 30 to 60 days.",
        "days_per_week_min": 3,
        "days_per_week_max": 5,
        "hours_per_day_min": 3,
        "hours_per_day_max": 4,
        "typical_length": "30 to 60 days",
        "lives_at_home": True,
        "fit_summary": "Finished detox; a steady home or sober living",
        "who_it_fits": "You have already been through detox and do not need supervision around the clock\n"
        "You live somewhere stable and supportive, or plan to move into sober living\n"
        "You have finished residential treatment or PHP and want to keep going with the next step of care",
        "benefits": "Recognize the people, places and situations that stir up cravings\n"
        "Learn new ways to handle cravings, and strengthen the coping skills you already have\n"
        "Communicate more clearly, so your relationships become healthier and steadier\n"
        "Practice those conversations with peers in a safe, guided setting\n"
        "Make better choices in daily life, large and small\n"
        "Find healthy ways to cope with stress, anger, loneliness and anxiety\n"
        "Hear honest feedback from peers and learn from what they have been through\n"
        "Build friendships with other people in recovery\n"
        "Get to know the support near you, such as local 12-step meetings",
        "body": "## What IOP is\n\n"
        "An intensive outpatient program is treatment you come to on a set schedule: a few hours at a time, "
        "three to five days a week. The rest of the time is yours. You sleep at home, go to work or school, "
        "and look after the people who count on you.\n\n"
        "IOP asks for more of your week than standard outpatient care, and far less than a partial "
        "hospitalization program. That balance makes it a natural next step for people leaving PHP who still "
        "want close support.\n\n"
        "## Where IOP sits among the levels of care\n\n"
        "IOP comes between PHP and regular outpatient care. It is the most structured program in which you "
        "can still live at home: in detox, residential care and PHP you stay somewhere else. You receive much "
        "of the same therapy as in PHP while your everyday life carries on.\n\n"
        "Most people begin IOP after they have finished detox and a residential program or PHP.\n\n"
        "## What treatment looks like\n\n"
        "You will meet with your own therapist and with a small therapy group. Together those sessions look "
        "after your mental health and help you recognize triggers, work through difficult situations and "
        "protect yourself against relapse. They also cover the practical side of early recovery, such as "
        "finding work, handling legal problems and learning to live independently.\n\n"
        "Every plan is built around the person in it. Even in an outpatient program, you have the backing of "
        "an experienced team that knows your goals.\n\n"
        "## Support that lasts beyond the program\n\n"
        "Part of IOP is building a support network you can keep. We encourage you to join a 12-step "
        "fellowship such as Alcoholics Anonymous, or another recovery community. That can mean going to "
        "meetings regularly, finding a sponsor and working the steps.\n\n"
        "## Stepping down gradually\n\n"
        "The program usually lasts 30 to 60 days. As you make progress, your sessions become shorter and "
        "less frequent, so you move from supervised treatment to independent, sober living one step at a "
        "time rather than all at once.\n\n"
        "Meanwhile you are trying out what you have learned in real life, at work and at home. When something "
        "does not go to plan, you bring it back to your therapist and your group that same week and work out "
        "what to do differently.\n\n"
        "## Living in sober living during IOP\n\n"
        "You can live at home during IOP. If you would like more structure around you, or home is not the "
        "easiest place to stay sober right now, you can live in one of our monitored sober living homes "
        "instead. Some people are encouraged to do so for the extra support.",
        "services": [s[0] for s in SERVICES],
        "faqs": [
            (
                "How many days a week is IOP?",
                "Three to five days, for several hours each day. The schedule usually becomes lighter as you "
                "make progress.",
            ),
            (
                "How long does IOP last?",
                "Usually 30 to 60 days. How long you stay depends on your progress and on the plan you make "
                "with your care team.",
            ),
            (
                "Can I keep working during IOP?",
                "Yes. IOP is designed so that you can keep working, studying or caring for your family "
                "between sessions.",
            ),
            (
                "Is IOP enough on its own?",
                "For many people IOP follows a more intensive level of care rather than replacing it. That is "
                "especially true for a severe substance use disorder, or for addiction alongside another mental "
                "health condition. Our admissions team can help you work out where to start.",
            ),
        ],
    },
    {
        "slug": "outpatient-program",
        "name": "Outpatient Program",
        "short_name": "OP",
        "seo_description": "Outpatient addiction treatment in Orange County: one or two therapy sessions a week to keep "
        "your recovery steady as everyday life returns.",
        "asam_level": "1",
        "order": 3,
        "summary": "Regular therapy a day or two a week that keeps you connected to care as you settle back "
        "into everyday life, usually after finishing IOP.",
        "days_per_week_min": 1,
        "days_per_week_max": 2,
        "hours_per_day_min": 1,
        "hours_per_day_max": 2,
        "typical_length": "Set with your therapist and reviewed as you go",
        "lives_at_home": True,
        "fit_summary": "Steady in recovery; wants ongoing support",
        "who_it_fits": "You have finished a more intensive program such as IOP\n"
        "Your recovery feels steady and your home life supports it\n"
        "You want regular check-ins while you rebuild your routines",
        "benefits": "Keep the support of your therapist while life gets back to normal\n"
        "Catch warning signs early and update your relapse prevention plan\n"
        "Stay in touch with peers who understand what you are working on\n"
        "A schedule light enough to fit around work, school and family",
        "body": "## What outpatient care is\n\n"
        "Outpatient treatment is the lightest level of care we offer, usually one or two sessions a week. "
        "Most people come to it after IOP, once they are spending most of their time back in ordinary life.\n\n"
        "## What the sessions are for\n\n"
        "The first weeks and months after a more intensive program bring new pressures: a return to work, "
        "old places, old friends. Outpatient sessions give you a regular place to talk those through with a "
        "therapist and with peers, to notice early warning signs, and to keep your relapse prevention plan "
        "up to date.\n\n"
        "Family sessions can help the people you live with understand what recovery needs from them, and "
        "what it does not.\n\n"
        "## Planning what comes next\n\n"
        "Before you finish, you and your therapist put together an aftercare plan: the meetings, people and "
        "habits you will lean on from then on. If you find you need more support at any point, your therapist "
        "can talk with you about returning to a more intensive program for a while.",
        "services": [
            "individual-therapy",
            "group-therapy",
            "family-therapy",
            "relapse-prevention",
            "twelve-step-facilitation",
            "aftercare-planning",
        ],
        "faqs": [
            (
                "How is outpatient care different from IOP?",
                "It takes far fewer hours each week. Outpatient care suits people whose recovery is already "
                "steady, usually after IOP, and who want to keep regular contact with a therapist and peers.",
            ),
            (
                "Can I work full time during outpatient care?",
                "Yes. With one or two sessions a week, outpatient care is meant to fit around a full-time job, "
                "school or family life.",
            ),
            (
                "What happens when outpatient care ends?",
                "You leave with an aftercare plan you have written with your therapist. You are always welcome "
                "to call us again if you need support later.",
            ),
        ],
    },
]

PAGES = [
    {
        "slug": "about",
        "menu_title": "About us",
        "title": "About Sheer Recovery",
        "seo_title": "About our addiction treatment center",
        "order": 1,
        "summary": "An addiction treatment center in Orange County, California, offering partial "
        "hospitalization, intensive outpatient and outpatient care.",
        "body": "## Who we are\n\n"
        "Sheer Recovery helps people recover from drug and alcohol addiction. We are based in Orange County, "
        "California, and we treat each person as an individual: your plan is shaped around your history, "
        "your goals and the life you are going back to.\n\n"
        "## How our care is organized\n\n"
        "Treatment with us moves in steps. Many people start in our Partial Hospitalization Program (PHP), "
        "move on to our Intensive Outpatient Program (IOP), and finish with outpatient care, spending fewer "
        "hours with us at each step as they grow stronger. Some people start further along, depending on "
        "what they need.\n\n"
        "Alongside every program, our monitored sober living homes offer a drug- and alcohol-free place to "
        "live for anyone who wants more structure while they recover.\n\n"
        "## Talk to us\n\n"
        "Our admissions team answers the phone day and night. A call is free and confidential, and it does "
        "not commit you to anything. If you are asking for someone you love, we are glad to talk with you "
        "too.",
    },
    {
        "slug": "insurance",
        "menu_title": "Insurance",
        "title": "Insurance and paying for treatment",
        "seo_title": "",
        "order": 2,
        "summary": "How to find out what your insurance plan covers before you decide anything about "
        "treatment.",
        "body": "## Checking your benefits\n\n"
        "Many private health insurance plans include benefits for addiction treatment, but every plan is "
        "different. The simplest way to find out what yours covers is to let us check for you. Use our "
        "insurance form or call us, and an admissions coordinator will contact your insurer.\n\n"
        "## What we will ask for\n\n"
        "- The name of your insurance company\n"
        "- Your member ID, as it appears on your insurance card\n"
        "- The name and date of birth of the person the plan covers\n\n"
        "## What happens next\n\n"
        "Your coordinator calls you back and explains, in plain words, what your plan covers and what you "
        "might pay yourself. Checking costs nothing and does not commit you to treatment.\n\n"
        "## No insurance, or coverage you are unsure about\n\n"
        "Call us anyway. We will talk through the options with you honestly, and if we are not the right "
        "fit we will try to point you somewhere that is.",
    },
    {
        "slug": "sober-living",
        "menu_title": "Sober living",
        "title": "Sober living",
        "seo_title": "Monitored sober living homes",
        "order": 3,
        "summary": "Monitored, drug- and alcohol-free homes for people in our programs who want more "
        "structure while they recover.",
        "body": "## A steady place to live while you recover\n\n"
        "Our sober living homes are shared houses, free of drugs and alcohol and monitored by our team. "
        "They give you somewhere calm and structured to come back to at the end of a treatment day.\n\n"
        "## Who sober living suits\n\n"
        "- People in our Partial Hospitalization Program, who live away from home while they attend\n"
        "- People in IOP or outpatient care whose home is not yet a steady place to stay sober\n"
        "- Anyone who simply wants more structure and company in early recovery\n\n"
        "Some people in IOP are encouraged to stay in sober living for the extra layer of support, even "
        "though they could live at home.\n\n"
        "## Living with others in recovery\n\n"
        "Housemates are working on the same thing you are. Shared routines and house expectations, such as "
        "staying sober and taking part in treatment, make it easier to keep going on the hard days.\n\n"
        "## Ask us\n\n"
        "If you would like to know whether sober living is right for you, or how it fits with your program, "
        "call our admissions team.",
    },
    {
        "slug": "privacy",
        "title": "Privacy notice",
        "seo_title": "",
        "order": 4,
        "summary": "What happens to the information you share with Sheer Recovery, and how we keep it "
        "private.",
        "body": "## What we collect\n\n"
        "When you call us or send a form on this website, we receive what you choose to tell us: usually "
        "your name, how to reach you and a little about the help you are looking for. If you ask us to check "
        "your insurance, we also receive your plan details.\n\n"
        "## How we use it\n\n"
        "We use your information only to answer your request and, if you decide to go ahead, to arrange your "
        "care. We never sell it, and we do not use it for advertising.\n\n"
        "## Protection under the law\n\n"
        "Information about treatment for substance use is health information, and federal law gives it extra "
        "protection (HIPAA and 42 CFR Part 2). In most cases we cannot share it, or even confirm that you "
        "have contacted us, without your written consent.\n\n"
        "## This website\n\n"
        "This website does not use advertising trackers, analytics services or social media plugins, and it "
        "loads nothing from other companies' servers. Public pages do not set cookies.\n\n"
        "## Questions\n\n"
        "To ask about your information, or for a copy of our Notice of Privacy Practices, call our admissions "
        "team.",
    },
    {
        "slug": "accessibility",
        "title": "Accessibility statement",
        "seo_title": "",
        "order": 5,
        "summary": "Our commitment to a website that everyone can use, whatever device or assistive "
        "technology they rely on.",
        "body": "## Our goal\n\n"
        "Anyone looking for help should be able to find it here. We aim to meet the Web Content "
        "Accessibility Guidelines (WCAG) 2.1 at level AA.\n\n"
        "## How we build the site\n\n"
        "- Every page works on a phone, with a keyboard alone and with a screen reader\n"
        "- Pages work with JavaScript turned off\n"
        "- Text and buttons have enough contrast to read easily\n"
        "- Images that carry meaning have a text description\n\n"
        "## Tell us about a problem\n\n"
        "If something on this site is hard to use, please call us. We will help you directly with whatever "
        "you came for, and we will fix the problem.",
    },
    {
        "slug": "no-tracking",
        "title": "This website sends nothing to anyone else",
        "menu_title": "No tracking",
        "seo_title": "No tracking: this site sends nothing to third parties",
        "order": 7,
        "summary": "No advertising pixels, analytics, chat widgets or web fonts from other companies: "
        "your visit stays between you and us.",
        "body": "## What this means\n\n"
        "Looking for addiction treatment is private. Many websites quietly tell other companies which "
        "pages you read. This one does not. Every part of every page, including the text, pictures, styles "
        "and the few small scripts, comes from our own server, and your browser contacts no one else while "
        "you are here.\n\n"
        "## What we do not use\n\n"
        "- No advertising or social media pixels (such as Facebook or Google Ads tags)\n"
        "- No analytics services (such as Google Analytics)\n"
        "- No chat widgets, call-tracking scripts or embedded videos\n"
        "- No fonts, maps or code libraries loaded from other companies' servers\n"
        "- No cookies on the public pages\n\n"
        "## How we keep it that way\n\n"
        "Our automated tests open every public page in a real browser and fail if a page tries to contact "
        "any other website. Our security settings also tell your browser to refuse anything from another "
        "origin.\n\n"
        "## What you send us\n\n"
        "When you fill in one of our forms, your answers come only to us, over an encrypted connection, and "
        "are stored encrypted. Our privacy notice explains what we do with them.",
    },
    {
        "slug": "licensing",
        "title": "Licensing and accreditation",
        "seo_title": "State licensing and accreditation",
        "order": 8,
        "summary": "The State of California licenses Sheer Recovery's treatment programs. Here is how "
        "to check each license yourself.",
        "body": "## Licensed by the State of California\n\n"
        "The California Department of Health Care Services (DHCS) licenses and certifies addiction treatment "
        "programs in the state. Our current licenses are listed below, each with its number, the date it runs "
        "to, and a link where you can check it on the state's website.\n\n"
        "## Accreditation\n\n"
        "Accreditation is a review by an independent organization of how a treatment center is run. Our "
        "accreditations are listed at the foot of every page, with links to confirm them.",
    },
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
        "order": 1,
    },
    {
        "name": "Addiction Treatment Certification",
        "issuer": "LegitScript",
        "url": "https://www.legitscript.com/certification/",
        "order": 2,
    },
]

# Illustrations drawn by programs.demo_art (no photos, no real people).
PICTURES = [
    (
        "demo-coast",
        PictureKind.FACILITY,
        "The coast near the center (illustration)",
        "Illustration: a white house with a blue roof above a calm sea and a sandy shore, under a morning sun.",
        lambda: demo_art.scene(0),
        60,
        40,
    ),
    (
        "demo-hills",
        PictureKind.PROGRAM,
        "Hills and a path (illustration)",
        "Illustration: a small house beside green hills, with a sandy path leading towards it.",
        lambda: demo_art.scene(1),
        40,
        50,
    ),
    (
        "demo-path",
        PictureKind.PROGRAM,
        "A path to the house (illustration)",
        "Illustration: a path through green hills towards a house, with the sun low in the sky.",
        lambda: demo_art.scene(2),
        55,
        50,
    ),
]
PICTURE_FOR_LEVEL = {
    "partial-hospitalization-program": "demo-coast",
    "intensive-outpatient-program": "demo-hills",
    "outpatient-program": "demo-path",
}

# Placeholder clinicians (not real people; licence numbers are examples) for
# the center to replace with its own team before launch.
PEOPLE = [
    {
        "slug": "dana-whitfield",
        "name": "Dana Whitfield",
        "credentials": "MD, ASAM-certified",
        "role": "Medical Director",
        "license_type": "Physician and Surgeon (Medical Board of California)",
        "license_number": "A000000",
        "license_verify_url": "https://search.dca.ca.gov/",
        "bio": "Oversees medical care in every program, from the first assessment to medication "
        "decisions. Board-certified in addiction medicine.",
        "order": 1,
    },
    {
        "slug": "marisol-ortega",
        "name": "Marisol Ortega",
        "credentials": "LMFT",
        "role": "Clinical Director",
        "license_type": "Licensed Marriage and Family Therapist (BBS)",
        "license_number": "LMFT 000000",
        "license_verify_url": "https://search.dca.ca.gov/",
        "bio": "Leads the therapy team and plans each person's treatment with them. Works closely with "
        "families, who are often part of recovery.",
        "order": 2,
    },
    {
        "slug": "kevin-tran",
        "name": "Kevin Tran",
        "credentials": "LCSW",
        "role": "Primary Therapist, IOP",
        "license_type": "Licensed Clinical Social Worker (BBS)",
        "license_number": "LCSW 000000",
        "license_verify_url": "https://search.dca.ca.gov/",
        "bio": "Runs individual sessions and relapse-prevention groups in the Intensive Outpatient "
        "Program, and helps with the practical side of going back to work.",
        "order": 3,
    },
    {
        "slug": "renee-caldwell",
        "name": "Renee Caldwell",
        "credentials": "CADC-II",
        "role": "Substance Use Counselor",
        "license_type": "Certified Alcohol Drug Counselor II (CCAPP)",
        "license_number": "000000",
        "license_verify_url": "https://ccapp.us/",
        "bio": "Leads 12-step facilitation and life-skills groups, and helps each person build an "
        "aftercare plan before they finish.",
        "order": 4,
    },
]
TEAM_FOR_LEVEL = {
    "partial-hospitalization-program": ["dana-whitfield", "marisol-ortega", "renee-caldwell"],
    "intensive-outpatient-program": ["marisol-ortega", "kevin-tran", "renee-caldwell"],
    "outpatient-program": ["kevin-tran", "renee-caldwell"],
}
REVIEWER = "dana-whitfield"


def _ensure(model, match, values, *, reset, lookup=None):
    """The row matching `lookup` (default: `match`): created from values if
    missing, overwritten only on reset."""
    obj = model.objects.filter(lookup or Q(**match)).first()
    if obj is None:
        obj = model.objects.create(**match, **values)
        remember(obj)
    elif reset:
        for name, value in {**match, **values}.items():
            setattr(obj, name, value)
        obj.save()
        remember(obj)
    return obj


def _ensure_picture(key, kind, title, alt, draw, focal_x=50, focal_y=50, *, decorative=False):
    picture = Picture.objects.filter(title=title).first()
    if picture is None:
        picture = Picture(
            kind=kind, title=title, alt_text=alt, decorative=decorative, focal_x=focal_x, focal_y=focal_y
        )
        picture.file.save(f"{key}.jpg", ContentFile(draw()), save=False)
        picture.save()  # renditions are made now (programs.renditions.picture_saved)
    return picture


def _ensure_pictures():
    return {
        key: _ensure_picture(key, kind, title, alt, draw, fx, fy)
        for key, kind, title, alt, draw, fx, fy in PICTURES
    }


def _fill_new_fields(pictures, people):
    """Demo rows made before pictures, team and reviews existed get them, once:
    only where the field is still empty, so an editor's choice stays."""
    for slug, key in PICTURE_FOR_LEVEL.items():
        LevelOfCare.objects.filter(slug=slug, hero_picture=None).update(hero_picture=pictures.get(key))
        level = LevelOfCare.objects.filter(slug=slug).first()
        if level is not None and not level.team.exists():
            level.team.set([people[s] for s in TEAM_FOR_LEVEL.get(slug, [])])
    LevelOfCare.objects.filter(reviewed_by=None, reviewed_on=None, slug__in=list(PICTURE_FOR_LEVEL)).update(
        reviewed_by=people[REVIEWER], reviewed_on=timezone.localdate() - datetime.timedelta(days=30)
    )


_NO_DRAFT = {"draft": None, "draft_updated_at": None, "draft_updated_by": None, "publish_at": None}


def load_demo_content(*, reset=False) -> dict:
    """Create the demo rows that are missing. Existing rows are left alone (an
    editor may have changed them) unless reset, which restores the demo text,
    publishes it and drops any draft. Inside a reversion revision, every row
    written gets a version."""
    _ensure(SiteFacts, {"pk": 1}, SITE_FACTS, reset=reset)
    pictures = _ensure_pictures()
    people = {}
    for data in PEOPLE:
        data = dict(data)
        slug = data.pop("slug")
        initials = "".join(part[0] for part in data["name"].split()[:2])
        person = _ensure(Person, {"slug": slug}, data, reset=reset)
        if person.photo_id is None:
            person.photo = _ensure_picture(
                f"demo-portrait-{slug}",
                PictureKind.TEAM,
                f"Portrait placeholder: {data['name']} (initials)",
                "",
                lambda initials=initials, order=data["order"]: demo_art.portrait(initials, order),
                decorative=True,
            )
            person.save()
        people[slug] = person

    services = {}
    for order, (slug, name, description) in enumerate(SERVICES):
        services[slug] = _ensure(
            Service,
            {"slug": slug},
            {"name": name, "description": description, "order": order},
            reset=reset,
            lookup=Q(slug=slug) | Q(name=name),
        )

    for data in LEVELS:
        data = dict(data)
        service_slugs = data.pop("services")
        faqs = data.pop("faqs")
        slug = data.pop("slug")
        level = LevelOfCare.objects.filter(Q(slug=slug) | Q(name=data["name"])).first()
        if level is not None and not reset:
            continue
        values = {**data, "slug": slug, "status": PublicationStatus.PUBLISHED, **_NO_DRAFT}
        if level is None:
            level = LevelOfCare.objects.create(**values)
        else:
            for name, value in values.items():
                setattr(level, name, value)
            level.save()
        level.services.set([services[s] for s in service_slugs])
        level.team.set([people[s] for s in TEAM_FOR_LEVEL.get(slug, [])])
        level.hero_picture = pictures.get(PICTURE_FOR_LEVEL.get(slug))
        level.reviewed_by = people[REVIEWER]
        level.reviewed_on = timezone.localdate() - datetime.timedelta(days=30)
        level.save()
        faqs_replace(level, faqs)
        remember(level)

    for data in PAGES:
        data = dict(data)
        slug = data.pop("slug")
        _ensure(
            Page, {"slug": slug}, {**data, "status": PublicationStatus.PUBLISHED, **_NO_DRAFT}, reset=reset
        )

    for data in LICENSES:
        data = dict(data)
        _ensure(License, {"issuer": data.pop("issuer"), "number": data.pop("number")}, data, reset=reset)
    _fill_new_fields(pictures, people)
    for data in ACCREDITATIONS:
        data = dict(data)
        _ensure(Accreditation, {"name": data.pop("name")}, data, reset=reset)
    demo_content_es.load_spanish_demo_content(reset=reset)

    return {
        "levels of care": LevelOfCare.objects.count(),
        "services": Service.objects.count(),
        "pages": Page.objects.count(),
        "licenses": License.objects.count(),
        "team members": Person.objects.count(),
        "pictures": Picture.objects.count(),
    }
