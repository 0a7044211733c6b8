from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html", email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt"), name="password_reset"),
    path("mot-de-passe/envoye/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("mot-de-passe/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html"), name="password_reset_confirm"),
    path("mot-de-passe/fait/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
    path("compte/jetons/", views.api_tokens, name="api-tokens"),
    path("compte/jetons/<int:pk>/revoquer/", views.revoke_token, name="api-token-revoke"),
    path("entreprises/<int:pk>/membres/", views.company_members, name="company-members"),
    path("entreprises/<int:pk>/invitations/<int:invitation_pk>/retirer/", views.revoke_invitation,
         name="company-invitation-revoke"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept-invitation"),
]
