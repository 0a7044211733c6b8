"""Account pages: login (e-mail or username, rate limited), invitations, API tokens."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from boucle.flows.models import Company

from . import invitations, ratelimit
from .access import admin_company_ids
from .forms import InvitationForm, LoginForm, SignupForm, TokenForm
from .models import ApiToken, Membership


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    form_class = LoginForm

    def post(self, request, *args, **kwargs):
        ip, who = ratelimit.client_ip(request), request.POST.get("username", "")
        if ratelimit.is_locked(ip, who):
            return render(request, "accounts/locked.html", {"minutes": ratelimit.WINDOW_S // 60}, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.record_failure(ratelimit.client_ip(self.request), self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form):
        ratelimit.reset(ratelimit.client_ip(self.request), self.request.POST.get("username", ""))
        return super().form_valid(form)


@login_required
def company_members(request, pk):
    """A company administrator sees the members and invites colleagues."""
    company = get_object_or_404(Company, pk=pk)
    if company.pk not in admin_company_ids(request.user) and not request.user.is_superuser:
        raise PermissionDenied
    link = None
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = invitations.make_token(company.pk, form.cleaned_data["email"], form.cleaned_data["role"],
                                       request.user.pk)
        link = request.build_absolute_uri(reverse("accept-invitation", args=[token]))
        send_mail(_("Invitation sur Boucle : %(company)s") % {"company": company.name},
                  _("Vous êtes invité·e à rejoindre %(company)s sur Boucle : %(link)s") % {
                      "company": company.name, "link": link},
                  None, [form.cleaned_data["email"]])
        messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]})
        form = InvitationForm()
    members = company.memberships.select_related("user").order_by("user__username")
    return render(request, "accounts/members.html", {"company": company, "members": members, "form": form,
                                                     "link": link})


def accept_invitation(request, token):
    try:
        data = invitations.read_token(token)
    except signing.SignatureExpired:
        return render(request, "accounts/invitation_invalid.html", {"expired": True}, status=400)
    except signing.BadSignature:
        return render(request, "accounts/invitation_invalid.html", {"expired": False}, status=400)
    company = get_object_or_404(Company, pk=data["c"])
    User = get_user_model()
    if request.user.is_authenticated:
        if request.user.email.strip().lower() != data["e"]:
            raise PermissionDenied("this invitation was sent to another address")
        if request.method == "POST":
            Membership.objects.get_or_create(user=request.user, company=company, defaults={"role": data["r"]})
            messages.success(request, _("Vous avez rejoint %(company)s.") % {"company": company.name})
            return redirect("company-home")
        return render(request, "accounts/invitation.html", {"company": company, "invite": data})
    if User.objects.filter(email__iexact=data["e"]).exists():
        messages.info(request, _("Un compte existe déjà pour cette adresse : connectez-vous puis rouvrez le lien."))
        return redirect(f"{reverse('login')}?next={request.path}")
    form = SignupForm(User(email=data["e"]), request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.user
            user.username = form.cleaned_data["username"]
            form.save()
            Membership.objects.create(user=user, company=company, role=data["r"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("company-home")
    return render(request, "accounts/invitation.html", {"company": company, "invite": data, "form": form})


@login_required
def api_tokens(request):
    clear = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, clear = ApiToken.issue(request.user, form.cleaned_data["name"])
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
