"""One login limiter for every login form (ours, the admin's), shared by every worker.

django-axes watches every ``authenticate()`` made with a request (its backend comes first) and
answers through its middleware; the counters live in the shared cache (``settings.CACHES``:
the database by default, Redis when ``BOUCLE_CACHE_URL`` is set), so the limit holds whatever
the number of processes. It counts per *account*: an e-mail address and its username, in any
case, are one account.

Axes counts failures after the password check; a burst of parallel guesses would all pass the
check while the counter still read 9. ``ReservingCacheHandler`` counts each *attempt* before the
password is checked instead (an atomic increment), so at most ``AXES_FAILURE_LIMIT`` passwords
are ever tried per account and cool-off, however many arrive at once; a success resets it.
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_cache_timeout, get_client_cache_keys, get_failure_limit
from axes.signals import user_locked_out
from django.conf import settings
from django.shortcuts import render

from .backends import username_for


def account_key(request, credentials) -> str | None:
    """The account a login names (AXES_USERNAME_CALLABLE): one key per account, whatever was typed."""
    login = (credentials or {}).get("username")
    if login is None and request is not None:
        login = request.POST.get("username")
    if not login:
        return None
    return username_for(str(login)).strip().lower()


class LockoutBackend(AxesStandaloneBackend):
    """Axes' gate, first of AUTHENTICATION_BACKENDS; a call without a request (a script, not a
    login form) is not an attempt from the network and is let through to the real backends."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ReservingCacheHandler(AxesCacheHandler):
    def is_locked(self, request, credentials=None) -> bool:
        """Reserve this attempt (atomically) and refuse it beyond the limit."""
        if not settings.AXES_LOCK_OUT_AT_FAILURE or account_key(request, credentials) is None:
            return False
        timeout = get_cache_timeout(request)
        counts = []
        for key in get_client_cache_keys(request, credentials):
            if self.cache.add(key, 1, timeout):
                counts.append(1)
            else:
                try:
                    counts.append(self.cache.incr(key))
                    self.cache.touch(key, timeout)  # the cool-off runs from the last attempt
                except ValueError:  # expired between add and incr
                    self.cache.set(key, 1, timeout)
                    counts.append(1)
        request.axes_attempt_reserved = True
        return max(counts, default=0) > get_failure_limit(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """The attempt was counted when reserved: only decide whether this failure locks the account."""
        if request is None or not getattr(request, "axes_attempt_reserved", False):
            return super().user_login_failed(sender, credentials, request, **kwargs)
        if self.is_whitelisted(request, credentials):
            return
        failures = self.get_failures(request, credentials)
        request.axes_failures_since_start = failures
        if settings.AXES_LOCK_OUT_AT_FAILURE and failures >= get_failure_limit(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send("axes", request=request, username=account_key(request, credentials),
                                 ip_address=getattr(request, "axes_ip_address", None))


def locked_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: « Trop de tentatives », HTTP 429, on every login form."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked.html", {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
                  status=429)
