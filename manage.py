#!/usr/bin/env python
import os
import signal
import sys

# Commands that need neither PostgreSQL nor Redis: they run without starting anything.
NO_SERVERS = {
    "check",
    "collectstatic",
    "compilemessages",
    "diffsettings",
    "help",
    "makemessages",
    "version",
    "--help",
    "-h",
    "--version",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_portal.settings")
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command not in NO_SERVERS:
        # The one explicit start of the embedded PostgreSQL / Redis for a command run where
        # DATABASE_URL / REDIS_URL are unset, before Django reads the settings; they stop when
        # this process exits. The settings themselves start nothing.
        from roadmap_portal.embedded import start_missing

        if start_missing():
            # stopped by a signal, still stop what was started (atexit runs on SystemExit)
            signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
