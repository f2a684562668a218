from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions() -> None:
    """Delete expired sessions (safe to run twice: a second run finds nothing to delete)."""
    call_command("clearsessions")
