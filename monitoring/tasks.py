"""Monitoring work done off the web request: progress counted ahead of the municipal dashboard
(`monitoring.counting`). Each task is safe to run twice: a count replaces the previous one."""

from celery import shared_task

from monitoring import counting


@shared_task(soft_time_limit=300, time_limit=330)
def recount_progress(municipality_id: int) -> int | None:
    """Count one municipality's progress; returns the count's generation."""
    count = counting.recount(municipality_id)
    return count.generation if count else None


@shared_task(soft_time_limit=120, time_limit=150)
def recount_stale_progress() -> list[int]:
    """Queue a recount of every municipality whose count is stale (beat, every ten minutes)."""
    return counting.queue_stale()
