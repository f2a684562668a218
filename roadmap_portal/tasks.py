from celery import shared_task
from django.core.management import call_command

from roadmap_portal import accounts


@shared_task
def clear_expired_sessions() -> None:
    """Delete expired sessions (safe to run twice: a second run finds nothing to delete)."""
    call_command("clearsessions")


@shared_task
def send_password_reset_mail(email: str, domain: str, use_https: bool) -> None:
    """Send the reset letter for an address typed into the form, if an account has it (within
    the hourly limit per address; a second run counts as another request)."""
    accounts.send_password_reset(email=email, domain=domain, use_https=use_https)
