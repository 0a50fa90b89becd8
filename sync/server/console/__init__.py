"""The bureau's web console, served by ``cunfang-server`` itself at ``/console``: accounts and sessions
(``accounts``), what the pages show (``views``), the routes (``routes``), Jinja2 templates and static files.

Every number and list goes through ``sync/server/scope.py``, the same check as the sync API.
"""
