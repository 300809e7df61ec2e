from govsite.accounts.access import access_for


def roles(request):
    """Expose the current user's access to templates (menus show only what applies)."""
    return {"govsite_access": access_for(getattr(request, "user", None))}
