"""Account pages: login (e-mail or username; limited by ``lockout`` on every login form), invitations,
API tokens."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from boucle.flows.models import Company

from .access import can_invite, member_company_ids
from .forms import InvitationForm, LoginForm, SignupForm, TokenForm
from .models import ApiToken, Invitation, Membership


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    form_class = LoginForm


def _administered(request, pk):
    company = get_object_or_404(Company, pk=pk)
    if not can_invite(request.user, company):
        raise PermissionDenied
    return company


@login_required
def company_members(request, pk):
    """A company administrator (or a facilitator of its territory) sees the members and the pending
    invitations, and invites people."""
    company = _administered(request, pk)
    link = None
    members = company.memberships.select_related("user").order_by("user__username")
    # the first person of a company administers it, so that she can invite her colleagues herself
    initial = {"role": "member" if members.exists() else "admin"}
    form = InvitationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        _invitation, clear = Invitation.issue(company, form.cleaned_data["email"], form.cleaned_data["role"],
                                              request.user)
        link = request.build_absolute_uri(reverse("accept-invitation", args=[clear]))
        send_mail(_("Invitation sur Boucle : %(company)s") % {"company": company.name},
                  _("Vous êtes invité·e à rejoindre %(company)s sur Boucle : %(link)s") % {
                      "company": company.name, "link": link},
                  None, [form.cleaned_data["email"]])
        messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]})
        form = InvitationForm(initial={"role": "member"})
    pending = Invitation.pending().filter(company=company)
    back = request.GET.get("synergie", "")  # a facilitator came from a synergy waiting for this company's yes
    return render(request, "accounts/members.html", {"company": company, "members": members, "form": form,
                                                     "link": link, "pending": pending,
                                                     "own": company.pk in member_company_ids(request.user),
                                                     "synergy_pk": int(back) if back.isdigit() else None})


@login_required
@require_POST
def revoke_invitation(request, pk, invitation_pk):
    """A company administrator withdraws an invitation not used yet: its link stops working."""
    company = _administered(request, pk)
    invitation = get_object_or_404(Invitation, pk=invitation_pk, company=company)
    if Invitation.pending().filter(pk=invitation.pk).update(revoked_at=timezone.now()):
        messages.success(request, _("Invitation à %(email)s retirée.") % {"email": invitation.email})
    return redirect("company-members", pk=company.pk)


def _invitation_refused(request, invitation):
    state = invitation.state if invitation else "invalid"
    return render(request, "accounts/invitation_invalid.html", {"state": state}, status=400)


def accept_invitation(request, token):
    """Whoever holds the link sees which company invites; only the invited address joins, once."""
    invitation = Invitation.find(token)
    if invitation is None or invitation.state != "pending":
        return _invitation_refused(request, invitation)
    company = invitation.company
    User = get_user_model()
    invite = {"e": invitation.email, "r": invitation.role}
    if request.user.is_authenticated:
        if request.user.email.strip().lower() != invitation.email:
            raise PermissionDenied("this invitation was sent to another address")
        if request.method == "POST":
            with transaction.atomic():
                if not invitation.use(request.user):
                    return _invitation_refused(request, Invitation.objects.get(pk=invitation.pk))
                Membership.objects.get_or_create(user=request.user, company=company,
                                                 defaults={"role": invitation.role})
            messages.success(request, _("Vous avez rejoint %(company)s.") % {"company": company.name})
            return redirect("company-home")
        return render(request, "accounts/invitation.html", {"company": company, "invite": invite})
    if User.objects.filter(email__iexact=invitation.email).exists():
        messages.info(request, _("Un compte existe déjà pour cette adresse : connectez-vous puis rouvrez le lien."))
        return redirect(f"{reverse('login')}?next={request.path}")
    form = SignupForm(User(email=invitation.email), request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.user
            user.username = form.cleaned_data["username"]
            user.first_name = form.cleaned_data["first_name"].strip()
            user.last_name = form.cleaned_data["last_name"].strip()
            form.save()
            if not invitation.use(user):
                transaction.set_rollback(True)
                return _invitation_refused(request, Invitation.objects.get(pk=invitation.pk))
            Membership.objects.create(user=user, company=company, role=invitation.role)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("company-home")
    return render(request, "accounts/invitation.html", {"company": company, "invite": invite, "form": form})


@login_required
def api_tokens(request):
    clear = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, clear = ApiToken.issue(request.user, form.cleaned_data["name"], scope=form.cleaned_data["scope"],
                                       days=int(form.cleaned_data["days"]))
        form = TokenForm()
    tokens = request.user.api_tokens.order_by("-created_at")
    return render(request, "accounts/tokens.html", {"tokens": tokens, "form": form, "clear": clear})


@login_required
@require_POST
def revoke_token(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.delete()
    messages.success(request, _("Jeton révoqué."))
    return redirect("api-tokens")
