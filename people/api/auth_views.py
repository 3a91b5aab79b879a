"""Routes of the auth domain: login, tokens, passwords, two-factor authentication."""

urlpatterns = []
