import os

import redis
from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_portal.settings")

app = Celery("roadmap_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def redis_client(url: str, timeout: float | None = None) -> redis.Redis:
    """A client of the Redis of `url` (REDIS_URL, the broker), Celery's `redis+socket://` of the
    embedded one included; `timeout` in seconds for connecting and for each reply."""
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    if url.startswith("redis+socket://"):
        return redis.Redis(unix_socket_path=url.removeprefix("redis+socket://"), **options)
    return redis.Redis.from_url(url, **options)
