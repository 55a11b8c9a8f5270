"""The browser sign-in with the login rate limit (core.login_throttle)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views

from .login_throttle import blocked_message, client_address, login_blocked, login_failed, login_succeeded


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if login_blocked(username=username, address=client_address(request)):
            # The password is not even checked while blocked: guessing gains nothing.
            form = self.form_class(request, initial={"username": username})
            context = self.get_context_data(form=form, throttled_message=blocked_message())
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        login_failed(username=self.request.POST.get("username", ""), address=client_address(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        login_succeeded(username=form.get_user().get_username())
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You are signed out.")
        return response
