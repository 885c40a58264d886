"""Account pages under /account/: sign-up, sign-in, sign-out, profile, password change and reset."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import password_reset as reset_service
from app.accounts import services
from app.accounts.forms import (
    PasswordChangeForm,
    PasswordResetForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignInForm,
    SignUpForm,
)
from app.extensions import limiter
from app.flashes import flash_message
from app.locales import current_locale
from app.security import safe_next_url

bp = Blueprint("accounts", __name__, url_prefix="/account")
bp.add_app_template_global(services.PASSWORD_MIN, "password_min")


def home_url(locale: str | None) -> str:
    """The home page in `locale` (a user's saved language), else in the request's."""
    if locale not in current_app.config["LOCALES"]:
        locale = current_locale()
    return url_for("kb.home", locale=locale)


def sign_in_limit() -> str:
    return current_app.config["RATELIMIT_SIGN_IN"]


def sign_up_limit() -> str:
    return current_app.config["RATELIMIT_SIGN_UP"]


def password_reset_limit() -> str:
    return current_app.config["RATELIMIT_PASSWORD_RESET"]


def account_error_messages() -> dict[str, str]:
    """What to tell the user for each services.AccountError, translated now."""
    return {
        "common_password": _("That password is too common. Choose another."),
        "too_short": ngettext(
            "Use at least %(num)d character.",
            "Use at least %(num)d characters.",
            services.PASSWORD_MIN,
        ),
        "too_long": ngettext(
            "Use at most %(num)d character.",
            "Use at most %(num)d characters.",
            services.PASSWORD_MAX,
        ),
        "empty_name": _("Enter a display name."),
        "invalid_email": _("Enter a valid email address."),
        "email_taken": _("An account with this email already exists. Sign in instead."),
        "wrong_password": _("That is not your current password."),
    }


def remembered() -> bool:
    """Whether this browser holds a remember-me cookie (kept across a password change)."""
    return current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def sign_in():
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(form.next.data, home_url(user.locale)), 303)
        # One message whether the email exists or not.
        form.password.errors.append(_("That email and password do not match an account."))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/sign_in.html", form=form), status


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit(sign_up_limit, methods=["POST"])
def sign_up():
    form = SignUpForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.register(
                form.email.data, form.display_name.data, form.password.data, current_locale()
            )
        except services.AccountError as error:
            code = str(error)
            field = {
                "empty_name": form.display_name,
                "invalid_email": form.email,
                "email_taken": form.email,
            }.get(code, form.password)
            field.errors.append(account_error_messages()[code])
        else:
            login_user(user)
            flash_message(
                _l("Welcome, %(name)s! Your account is ready.", name=user.display_name), "success"
            )
            return redirect(safe_next_url(form.next.data, home_url(user.locale)), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/sign_up.html", form=form), status


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        logout_user()
    flash_message(_l("You are signed out."), "info")
    return redirect(url_for("kb.home", locale=current_locale()), 303)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(
        display_name=user.display_name,
        locale=user.locale or current_locale(),
        email_notifications=user.email_notifications,
    )
    if form.validate_on_submit():
        try:
            services.update_profile(
                user, form.display_name.data, form.locale.data, form.email_notifications.data
            )
        except services.AccountError as error:
            form.display_name.errors.append(account_error_messages()[str(error)])
        else:
            flash_message(_l("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/profile.html", form=form, user=user), status


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(sign_in_limit, methods=["POST"])
def change_password():
    user = current_user._get_current_object()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except services.AccountError as error:
            field = form.current_password if str(error) == "wrong_password" else form.new_password
            field.errors.append(account_error_messages()[str(error)])
        else:
            # The new hash ended every other session; renew this one (and its remember-me).
            login_user(user, remember=remembered())
            reset_service.mail_password_changed(user)
            flash_message(_l("Your password is changed. Other devices were signed out."), "success")
            return redirect(url_for("accounts.profile"), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/password_change.html", form=form), status


def reset_link(token: str) -> str:
    """The absolute link for the mail (BASE_URL when configured, else this request's host)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if base:
        return base + url_for("accounts.password_reset", token=token)
    return url_for("accounts.password_reset", token=token, _external=True)


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(password_reset_limit, methods=["POST"])
def password_reset_request():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        created = reset_service.create_reset_token(form.email.data)
        if created is not None:
            user, token = created
            reset_service.mail_reset_link(user, reset_link(token))
        # The same page whether the account exists, the mail failed, or nothing was sent.
        return render_template("accounts/password_reset_sent.html")
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/password_reset_request.html", form=form), status


def invalid_link_page(reason: str):
    status = 404 if reason == "unknown" else 400
    response = render_template("accounts/password_reset_invalid.html", reason=reason)
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit(password_reset_limit, methods=["POST"])
def password_reset(token: str):
    try:
        reset_service.token_from_link(token)
    except reset_service.ResetLinkError as error:
        return invalid_link_page(str(error))
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            user = reset_service.complete_reset(token, form.new_password.data)
        except reset_service.ResetLinkError as error:
            return invalid_link_page(str(error))
        except services.AccountError as error:
            form.new_password.errors.append(account_error_messages()[str(error)])
        else:
            login_user(user)
            flash_message(_l("Your new password is set and you are signed in."), "success")
            return redirect(home_url(user.locale), 303)
    status = 400 if form.is_submitted() else 200
    page = render_template("accounts/password_reset.html", form=form)
    return page, status, {"Cache-Control": "no-store"}
