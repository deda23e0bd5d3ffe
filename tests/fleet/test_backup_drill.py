"""deploy/backup.sh and deploy/restore_drill.sh, end to end: a throwaway GPG
key, a scratch database with a stored request, an encrypted dump without
plaintext, a restore into another scratch database with the same rows and
patient data that still decrypts, card photos included (they live in the
database since issue 14: no media directory is backed up here)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from harness import database, site  # noqa: E402

# An insurance request with both card photos, through the intake's own cleaning and store.
INSURANCE_WITH_PHOTOS = """
import datetime, io, uuid
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from admissions.intake.card_photos import card_photo_clean
from admissions.intake.forms import current_consent
from admissions.intake.store import RequestContext, insurance_verification_create
from admissions.models import InsuranceCarrier

def photo(colour):
    out = io.BytesIO()
    Image.new('RGB', (640, 400), colour).save(out, 'JPEG')
    return card_photo_clean(SimpleUploadedFile('card.jpg', out.getvalue(), content_type='image/jpeg'))

insurance_verification_create(
    context=RequestContext(form_token=uuid.uuid4()), first_name='Drill', last_name='Insured',
    phone='+17145550124', date_of_birth=datetime.date(1980, 1, 2), state='CA',
    carrier=InsuranceCarrier.objects.first(), member_id='DRILL-1', policy_holder='patient',
    card_front=photo('navy'), card_back=photo('teal'), benefits_authorization=current_consent('benefits'),
)
"""


def test_encrypted_backup_restores_whole():
    db = "sheer_h8_backup"
    url = database.fresh(database.SHARED_SERVER, db)
    try:
        env = site.fleet_env(url)
        site.setup_database(env)
        site.manage(
            env,
            "shell",
            "-c",
            "import uuid; from admissions.intake.forms import current_consent; "
            "from admissions.intake.store import RequestContext, consultation_request_create; "
            "consultation_request_create(context=RequestContext(form_token=uuid.uuid4()), first_name='Drill', "
            "last_name='Person', phone='+17145550123', email='drill@example.com', best_time_to_call='any', "
            "who_needs_help='self', message='kept secret', contact_consent=current_consent('contact'))",
        )
        site.manage(env, "shell", "-c", INSURANCE_WITH_PHOTOS)
        result = subprocess.run(
            ["bash", str(ROOT / "scripts" / "fleet_backup_drill.sh")],
            env={**env, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=180,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "leads 2" in output and "card photos 2" in output
        assert "decrypted newest rows: ok" in output
        assert "card photos decrypted (count, sha256): live 2 " in output
        assert "backup drill: ok" in output
    finally:
        database.drop(database.SHARED_SERVER, db)
