from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from .backends import username_for


class LoginForm(AuthenticationForm):
    """Accepts an e-mail address in the username field, whatever backends are configured."""

    def clean(self):
        if self.cleaned_data.get("username"):
            self.cleaned_data["username"] = username_for(self.cleaned_data["username"])
        return super().clean()


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    role = forms.ChoiceField(label=_("Rôle"), choices=[("member", _("membre")), ("admin", _("administrateur"))])


class SignupForm(SetPasswordForm):
    """Account creation from an invitation: the address comes from the signed link."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False,
                                help_text=_("Montrés dans les historiques à qui voit votre entreprise ; sans nom : « un "
                                            "membre de l'entreprise », jamais votre identifiant."))
    username = forms.RegexField(label=_("Identifiant"), max_length=150, regex=r"^[\w.@+-]+$")

    field_order = ["first_name", "last_name", "username", "new_password1", "new_password2"]

    def clean_username(self):
        name = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(_("Cet identifiant est déjà pris."))
        return name


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Nom du jeton (à quoi il sert)"), max_length=100)
    scope = forms.ChoiceField(label=_("Droits"), initial="read", choices=[
        ("read", _("lecture seule")), ("write", _("lecture et écriture"))])
    days = forms.TypedChoiceField(label=_("Valable"), coerce=int, initial=90, choices=[
        (30, _("30 jours")), (90, _("90 jours")), (365, _("un an"))])
