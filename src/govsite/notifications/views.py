from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govsite.notifications.models import Notification


@login_required
def inbox(request):
    notes = Notification.objects.filter(recipient=request.user)[:200]
    return render(request, "notifications/inbox.html", {"notes": notes})


@login_required
@require_POST
def mark_read(request, pk: int):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return redirect(note.link or "notifications:inbox")
