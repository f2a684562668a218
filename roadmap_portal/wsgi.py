import os

from django.core.wsgi import get_wsgi_application

from roadmap_portal.gc_tuning import tune_gc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_portal.settings")
application = get_wsgi_application()
tune_gc()  # after loading: what is loaded now stays out of the collector's sight
