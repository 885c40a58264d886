"""Account forms: sign-in, sign-up, profile, password change and reset."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.accounts.services import DISPLAY_NAME_MAX, EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN
from app.locales import LOCALE_NAMES


def new_password_field(label) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(
                min=PASSWORD_MIN,
                message=lazy_ngettext(
                    "Use at least %(num)d character.",
                    "Use at least %(num)d characters.",
                    PASSWORD_MIN,
                ),
            ),
            Length(max=PASSWORD_MAX),
        ],
    )


def strip_spaces(value):
    """Pasted addresses often carry spaces at either end."""
    return value.strip() if isinstance(value, str) else value


def email_field() -> EmailField:
    return EmailField(
        _l("Email"),
        filters=[strip_spaces],
        validators=[
            DataRequired(),
            Length(max=EMAIL_MAX),
            Email(message=_l("Enter a valid email address.")),
        ],
    )


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email"), filters=[strip_spaces], validators=[DataRequired(), Length(max=EMAIL_MAX)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField(_l("Remember me"))
    next = HiddenField()


class SignUpForm(FlaskForm):
    email = email_field()
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(), Length(max=DISPLAY_NAME_MAX)]
    )
    password = new_password_field(_l("Password"))
    next = HiddenField()


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(), Length(max=DISPLAY_NAME_MAX)]
    )
    locale = SelectField(
        _l("Language"),
        # Each language named in itself, marked with its lang for screen readers.
        choices=[
            SelectChoice(code, name, render_kw={"lang": code})
            for code, name in LOCALE_NAMES.items()
        ],
    )
    email_notifications = BooleanField(
        _l("Email me about replies, accepted answers and mentions in topics I follow")
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)]
    )
    new_password = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class PasswordResetRequestForm(FlaskForm):
    email = email_field()


class PasswordResetForm(FlaskForm):
    new_password = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
