from allauth.mfa.stages import AuthenticateStage


class LocalMFAStage(AuthenticateStage):
    """allauth's second-factor step, for password sign-ins only: a single sign-on has had its
    second factor at the identity provider (docs/decisions/sso-and-mfa.md)."""

    def _should_handle(self, request):
        if "sociallogin" in (self.login.signal_kwargs or {}):
            return False
        return super()._should_handle(request)
