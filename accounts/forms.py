from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.services import registration_errors


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.org.",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password."},
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password.",
        "inactive": "This account has been closed.",
    }

    def clean_username(self):
        return self.cleaned_data["username"].lower()


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app.",
        max_length=6,
        min_length=6,
        error_messages={
            "required": "Enter the 6-digit security code.",
            "min_length": "The security code must be 6 numbers.",
            "max_length": "The security code must be 6 numbers.",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("The security code must be 6 numbers.")
        return token


class SwitchAgencyForm(forms.Form):
    membership = forms.TypedChoiceField(
        label="Which agency are you working for now?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose an agency.",
            "invalid_choice": "Choose one of your agencies.",
        },
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [
            (m.pk, f"{m.agency.name} – {m.get_role_display()}") for m in memberships
        ]


class ApiTokenForm(forms.Form):
    EXPIRY_CHOICES = [(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "1 year")]

    name = forms.CharField(
        label="Name",
        help_text="Say what will use it, for example “Force analytics export”.",
        max_length=100,
        error_messages={
            "required": "Enter a name for the token, such as the system that will use it.",
            "max_length": "The name must be 100 characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after",
        choices=EXPIRY_CHOICES,
        coerce=int,
        initial=90,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose when the token expires.",
            "invalid_choice": "Choose when the token expires.",
        },
    )


class RegistrationForm(forms.Form):
    registration_body = forms.CharField(
        label="Registering body",
        required=False,
        max_length=60,
        help_text="For example, HCPC or NMC. Leave both blank if you are not registered.",
    )
    registration_number = forms.CharField(
        label="Registration number",
        required=False,
        max_length=40,
        help_text="For example, PYL12345.",
    )

    def clean(self):
        data = super().clean()
        errors = registration_errors(
            body=data.get("registration_body"), number=data.get("registration_number")
        )
        for field, message in errors.items():
            if not self.has_error(field):
                self.add_error(field, message)
        return data
