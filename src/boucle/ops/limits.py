"""How big a request Boucle reads, shared by gunicorn (``gunicorn_conf``) and Django (``middleware``).

No Boucle page builds a link longer than a few hundred characters; a longer one is a crafted link,
a pasted list, or a bug, but a long filter should still work: gunicorn reads request lines up to its
own ceiling (8,190 bytes, also nginx's default ``large_client_header_buffers``) instead of its
default 4,094. Past it, ``boucle serve``'s worker class answers with the platform's ``414.html``
instead of gunicorn's raw English page (``gunicorn_worker``); under any other server (``runserver``,
a WSGI server of one's own), ``RequestLimitsMiddleware`` applies the same limit with the same page,
in the reader's language. No framework import: gunicorn reads this before Django is set up.
"""

MAX_URL_CHARS = 8190  # path and query string of one request; gunicorn's limit_request_line
MAX_HEADER_FIELDS = 100  # headers per request: a browser sends about 20 (gunicorn's limit_request_fields)
MAX_HEADER_FIELD_SIZE = 8190  # one header line: the Cookie header carries session, CSRF and language only
