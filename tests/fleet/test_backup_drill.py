"""deploy/backup.sh and deploy/restore_drill.sh, end to end: a throwaway GPG
key, a scratch database with a stored request, an encrypted dump without
plaintext, a restore into another scratch database with the same rows and
patient data that still decrypts."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from harness import database, site  # noqa: E402


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
        result = subprocess.run(
            ["bash", str(ROOT / "scripts" / "fleet_backup_drill.sh")],
            env={**env, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=180,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "leads 1" in output
        assert "decrypted newest rows: ok" in output
        assert "backup drill: ok" in output
    finally:
        database.drop(database.SHARED_SERVER, db)
