"""Routes of the auth domain (login, tokens, passwords, two-factor
authentication) and the admin routes that manage another person's credentials.

The rules live in ``people.auth``; these views parse the request, call it and
render the answer.
"""

from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from kitsu_backend.api.exceptions import Forbidden, NotImplementedYet, WrongParameter
from kitsu_backend.api.permissions import require_admin
from kitsu_backend.api.routing import route
from kitsu_backend.api.views import KitsuView, get_or_404
from people import auth, tokens
from people.models import Person
from people.presentation import present_organisation, present_person


class PublicView(KitsuView):
    """No login needed, and a stale or broken token cookie is simply ignored."""

    permission_classes = [AllowAny]
    authentication_classes = []


class PartlyPublicView(KitsuView):
    """Methods listed in ``public_methods`` are public, the others need a login."""

    public_methods = ()

    def _public(self):
        return self.request.method in self.public_methods

    def get_authenticators(self):
        return [] if self._public() else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self._public() else super().get_permissions()


def require_person(request):
    """Credential routes are for people: bot tokens are refused."""
    claims = request.auth or {}
    if claims.get("identity_type") == "bot" or request.user.is_bot:
        raise Forbidden()


def text_field(body, name):
    value = body.get(name)
    if value is None or value == "":
        raise WrongParameter(f"The field {name} is required.")
    if not isinstance(value, str):
        raise WrongParameter(f"The field {name} must be a string.")
    return value


def session_response(body, status=200):
    """A login-shaped answer with both JWT cookies set."""
    response = Response(body, status=status)
    auth.set_auth_cookies(response, body["access_token"], body["refresh_token"])
    return response


def enrolment_response(person, recovery_codes):
    """Answer of a completed 2FA enrolment: fresh tokens without the set-up restriction."""
    access, refresh = tokens.issue_tokens(person)
    return session_response(
        {"otp_recovery_codes": recovery_codes, "access_token": access, "refresh_token": refresh}
    )


# --- login and tokens ----------------------------------------------------------


class LoginView(PublicView):
    def post(self, request):
        body = self.body()
        login = text_field(body, "email").strip()
        password = text_field(body, "password")
        person = auth.authenticate(login, password, auth.second_factor_proofs(body))
        return session_response(auth.open_session(person, request))


class LogoutView(KitsuView):
    def get(self, request):
        require_person(request)
        auth.logout(request.auth)
        response = Response({"logout": True})
        auth.clear_auth_cookies(response)
        return response


class AuthenticatedView(KitsuView):
    def get(self, request):
        person = request.user
        user = present_person(person, relations=True)
        user["fido_devices"] = auth.fido_device_names(person)
        return Response(
            {
                "authenticated": True,
                "user": user,
                "organisation": present_organisation(viewer=person),
            }
        )


class RefreshTokenView(PublicView):
    """Authenticated by the refresh token itself, from the header or its cookie."""

    def get(self, request):
        access, from_cookie = auth.refresh_access_token(request)
        if not from_cookie:
            return Response({"access_token": access})
        response = Response({"refresh": True})
        auth.set_access_cookie(response, access)
        return response


# --- passwords ---------------------------------------------------------------------


class ChangePasswordView(KitsuView):
    def post(self, request):
        require_person(request)
        body = self.body()
        auth.change_own_password(
            request.user, body.get("old_password"), body.get("password"), body.get("password_2")
        )
        return Response({"success": True})


class ResetPasswordView(PublicView):
    def post(self, request):
        auth.request_password_reset(text_field(self.body(), "email").strip(), request)
        return Response({"success": "Reset token sent"})

    def put(self, request):
        body = self.body()
        auth.reset_password(
            text_field(body, "email").strip(),
            text_field(body, "token"),
            body.get("password"),
            body.get("password2"),
        )
        return Response({"success": True})


# --- two-factor authentication -------------------------------------------------------


class TOTPView(KitsuView):
    def put(self, request):
        require_person(request)
        uri, secret = auth.start_totp(request.user)
        return Response({"totp_provisionning_uri": uri, "otp_secret": secret})

    def post(self, request):
        require_person(request)
        code = auth.second_factor_proofs(self.body())["totp"]
        if code is None:
            raise WrongParameter("The field totp is required.")
        return enrolment_response(request.user, auth.enable_totp(request.user, code))

    def delete(self, request):
        require_person(request)
        auth.disable_totp(request.user, auth.second_factor_proofs(self.body()))
        return Response({"success": True})


class EmailOTPView(PartlyPublicView):
    public_methods = ("GET",)

    def get(self, request):
        login = request.query_params.get("email", "").strip()
        if not login:
            raise WrongParameter("The field email is required.")
        auth.send_login_email_otp(login)
        return Response({"success": True})

    def put(self, request):
        require_person(request)
        auth.start_email_otp(request.user)
        return Response({"success": True})

    def post(self, request):
        require_person(request)
        code = auth.second_factor_proofs(self.body())["email_otp"]
        if code is None:
            raise WrongParameter("The field email_otp is required.")
        return enrolment_response(request.user, auth.enable_email_otp(request.user, code))

    def delete(self, request):
        require_person(request)
        auth.disable_email_otp(request.user, auth.second_factor_proofs(self.body()))
        return Response({"success": True})


class RecoveryCodesView(KitsuView):
    def put(self, request):
        require_person(request)
        codes = auth.regenerate_recovery_codes(request.user, auth.second_factor_proofs(self.body()))
        return Response({"otp_recovery_codes": codes})


FIDO_MESSAGE = "FIDO/WebAuthn authentication is not supported by this server yet."
SAML_MESSAGE = "SAML single sign-on is not supported by this server yet."
OIDC_MESSAGE = "OpenID Connect single sign-on is not supported by this server yet."


class FidoView(PartlyPublicView):
    """WebAuthn devices. GET (the login challenge) is public, the rest needs a login."""

    # TODO: implement WebAuthn registration and assertions; until then the
    # Kitsu UI cannot register security keys, and FIDO-only accounts log in
    # with a recovery code.
    public_methods = ("GET",)

    def get(self, request):
        raise NotImplementedYet(FIDO_MESSAGE)

    put = post = delete = get


class SAMLLoginView(PublicView):
    # TODO: SAML single sign-on (redirect to the identity provider).
    def get(self, request):
        raise NotImplementedYet(SAML_MESSAGE)


class SAMLSSOView(PublicView):
    # TODO: SAML assertion consumer creating or linking persons.
    def post(self, request):
        raise NotImplementedYet(SAML_MESSAGE)


class OIDCLoginView(PublicView):
    # TODO: OpenID Connect single sign-on (redirect to the provider).
    def get(self, request):
        raise NotImplementedYet(OIDC_MESSAGE)


class OIDCCallbackView(PublicView):
    # TODO: OpenID Connect callback creating or linking persons.
    def get(self, request):
        raise NotImplementedYet(OIDC_MESSAGE)


# --- app login hand-off --------------------------------------------------------------


class AppLoginCodeView(KitsuView):
    def post(self, request):
        require_person(request)
        body = self.body()
        code = auth.create_app_login_code(
            request.user,
            text_field(body, "code_challenge"),
            body.get("code_challenge_method") or "S256",
        )
        return Response({"code": code})


class AppLoginTokenView(PublicView):
    def post(self, request):
        body = self.body()
        person = auth.redeem_app_login_code(
            text_field(body, "code"), text_field(body, "code_verifier")
        )
        return session_response(auth.open_session(person, request))


# --- admin routes on another person's credentials ----------------------------------------


class PersonAdminView(KitsuView):
    def person(self, person_id):
        require_admin(self.request.user)
        return get_or_404(Person, person_id)


class PersonChangePasswordView(PersonAdminView):
    def post(self, request, person_id):
        person = self.person(person_id)
        body = self.body()
        auth.set_password_by_admin(
            person, body.get("password"), body.get("password_2"), by=request.user
        )
        return Response({"success": True})


class PersonResetPasswordLinkView(PersonAdminView):
    def post(self, request, person_id):
        link = auth.admin_reset_link(self.person(person_id), by=request.user)
        # Zou's answer key has varied between releases; both are given.
        return Response({"link": link, "reset_password_link": link})


class PersonInviteView(PersonAdminView):
    def get(self, request, person_id):
        auth.invite(self.person(person_id), by=request.user)
        return Response({"success": True, "message": "Email sent"})


class PersonDisableTwoFactorView(PersonAdminView):
    def delete(self, request, person_id):
        auth.disable_all_two_factor(self.person(person_id), by=request.user)
        return Response({"success": True})


urlpatterns = [
    route("auth/login", LoginView.as_view()),
    route("auth/logout", LogoutView.as_view()),
    route("auth/authenticated", AuthenticatedView.as_view()),
    route("auth/refresh-token", RefreshTokenView.as_view()),
    route("auth/change-password", ChangePasswordView.as_view()),
    route("auth/reset-password", ResetPasswordView.as_view()),
    route("auth/totp", TOTPView.as_view()),
    route("auth/email-otp", EmailOTPView.as_view()),
    route("auth/recovery-codes", RecoveryCodesView.as_view()),
    route("auth/fido", FidoView.as_view()),
    route("auth/saml/login", SAMLLoginView.as_view()),
    route("auth/saml/sso", SAMLSSOView.as_view()),
    route("auth/oidc/login", OIDCLoginView.as_view()),
    route("auth/oidc/callback", OIDCCallbackView.as_view()),
    route("auth/app-login/code", AppLoginCodeView.as_view()),
    route("auth/app-login/token", AppLoginTokenView.as_view()),
    route("actions/persons/{person_id}/change-password", PersonChangePasswordView.as_view()),
    route("actions/persons/{person_id}/reset-password-link", PersonResetPasswordLinkView.as_view()),
    route("actions/persons/{person_id}/invite", PersonInviteView.as_view()),
    route(
        "actions/persons/{person_id}/disable-two-factor-authentication",
        PersonDisableTwoFactorView.as_view(),
    ),
]
