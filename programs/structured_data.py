"""schema.org JSON-LD built from the content models (MedicalClinic,
BreadcrumbList, FAQPage). Templates only serialize what is built here."""

from django.conf import settings


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def medical_clinic(facts) -> dict | None:
    if facts is None:
        return None
    return {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "@id": absolute("/#organization"),
        "name": facts.name,
        "url": absolute("/"),
        "telephone": facts.admissions_phone,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": facts.street_address,
            "addressLocality": facts.locality,
            "addressRegion": facts.region,
            "postalCode": facts.postal_code,
            "addressCountry": "US",
        },
        "openingHours": facts.opening_hours_spec,
        "medicalSpecialty": "Addiction medicine",
    }


def breadcrumb_list(crumbs) -> dict | None:
    """crumbs: [(name, path), ...] from the home page down to this page."""
    if not crumbs:
        return None
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": absolute(path)}
            for i, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def faq_page(faqs) -> dict | None:
    if not faqs:
        return None
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq.question,
                "acceptedAnswer": {"@type": "Answer", "text": faq.answer},
            }
            for faq in faqs
        ],
    }
