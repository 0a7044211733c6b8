from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .models import Notification


@login_required
def notification_list(request):
    """The reader's own notifications, newest first; the unread ones are shown as new once, then marked read."""
    notes = list(Notification.objects.filter(user=request.user)[:100])
    unread = [n.pk for n in notes if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "notifications/list.html", {"notes": notes})
