from .services import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    return {"unread_notifications": unread_count(user) if user is not None else 0}
