"""The Spanish wording of each consent (issue 13), version 1 of each in
Spanish: the contact consent, the optional TCPA consent to automated calls
and texts, the authorization to verify insurance benefits, and the script a
coordinator reads to a Spanish speaker on the phone.

Each says the same legal thing as its English version 1 (0002 and 0010),
sentence for sentence; "STOP" stays the keyword the texting system honours.
"""

from django.db import migrations

SPANISH = {
    "contact": (
        "Acepto que Sheer Recovery se comunique conmigo por teléfono, mensaje de texto o correo "
        "electrónico sobre mi solicitud. Entiendo que lo que comparto se mantiene confidencial."
    ),
    "automated": (
        "También acepto recibir llamadas y mensajes de texto de Sheer Recovery al número que "
        "proporcioné, incluso los que se hacen con tecnología automatizada o con voces pregrabadas. "
        "Esto es opcional y no es una condición para recibir atención. Pueden aplicarse tarifas por "
        "mensajes y datos; responda STOP para dejar de recibirlos."
    ),
    "benefits": (
        "Autorizo a Sheer Recovery a compartir la información de este formulario con la compañía de "
        "seguros indicada arriba para verificar los beneficios para el tratamiento de adicciones, y a "
        "comunicarse conmigo sobre los resultados."
    ),
    "verbal": (
        "Antes de continuar: ¿está de acuerdo en que Sheer Recovery le llame, le envíe mensajes de "
        "texto y le escriba por correo electrónico al número y a la dirección que nos dio, sobre su "
        "solicitud de ayuda? Lo que nos cuente se mantiene confidencial, y puede pedirnos que dejemos "
        "de comunicarnos con usted en cualquier momento."
    ),
}


def seed_spanish(apps, schema_editor):
    """Adds what is missing only (tests/conftest.py runs it again after a flush)."""
    ConsentText = apps.get_model("admissions", "ConsentText")
    for kind, text in SPANISH.items():
        ConsentText.objects.get_or_create(kind=kind, language="es", version=1, defaults={"text": text})


def unseed_spanish(apps, schema_editor):
    # Refused (ProtectedError) once a stored request points at a Spanish wording: its proof stays.
    apps.get_model("admissions", "ConsentText").objects.filter(language="es", version=1, kind__in=SPANISH).delete()


class Migration(migrations.Migration):
    dependencies = [("admissions", "0019_language_on_consents_and_requests")]

    operations = [migrations.RunPython(seed_spanish, unseed_spanish)]
