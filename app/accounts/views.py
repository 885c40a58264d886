"""Sign-up, sign-in and sign-out pages under /account/."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts import services
from app.accounts.forms import SignInForm, SignUpForm
from app.extensions import limiter
from app.locales import current_locale

bp = Blueprint("accounts", __name__, url_prefix="/account")


def safe_next(target: str | None) -> str:
    """Only redirect to a path on this site, never to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("kb.home", locale=current_locale())


def sign_in_limit() -> str:
    return current_app.config["RATELIMIT_SIGN_IN"]


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def sign_in():
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data), 303)
        # One message whether the email exists or not.
        form.password.errors.append(_("That email and password do not match an account."))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/sign_in.html", form=form), status


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def sign_up():
    form = SignUpForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.register(form.email.data, form.display_name.data, form.password.data)
        except services.AccountError as error:
            messages = {
                "common_password": (
                    form.password,
                    _("That password is too common. Choose another."),
                ),
                "empty_name": (form.display_name, _("Enter a display name.")),
                "email_taken": (
                    form.email,
                    _("An account with this email already exists. Sign in instead."),
                ),
            }
            field, message = messages[str(error)]
            field.errors.append(message)
        else:
            login_user(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name), "success")
            return redirect(safe_next(form.next.data), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/sign_up.html", form=form), status


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("kb.home", locale=current_locale()), 303)
