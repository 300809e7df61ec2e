from govsite.notifications.models import Notification


def unread(request):
    """The unread-notice count shown in the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(recipient=user, read_at=None).count()
    }
