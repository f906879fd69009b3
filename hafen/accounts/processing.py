"""Processing of staff data: accounts, roles, login security (Art. 30 DSGVO)."""

from django.utils.translation import gettext_lazy as _

from hafen.privacy.register import STAFF, Processing, declare

declare(
    Processing(
        key="accounts.staff_accounts",
        name=_("Staff accounts, roles and invitations"),
        purpose=_(
            "Giving staff access to Hafen with the roles and teams they work in, and "
            "inviting new colleagues."
        ),
        persons=(STAFF, _("Invited people")),
        data=(
            _("User name, display name, e-mail address (optional), password hash"),
            _("Roles and teams, invitations (name, e-mail, role, times)"),
            _("Emergency accesses: who, which team, reason, until when"),
        ),
        legal_basis=("Art. 6 Abs. 1 lit. b und c DSGVO", "Art. 88 DSGVO i.V.m. § 26 BDSG"),
        retention=_(
            "While the person works with Hafen. When the person leaves, an administrator "
            "deactivates the account; it stays so that records keep naming their author. "
            "Invitations expire after a few days."
        ),
        recipients=(_("Administrators of the organisation"),),
        safeguards=(
            _("Passwords hashed with Argon2"),
            _("Only the hash of an invitation link is stored"),
            _("Emergency access is reasoned, time-limited, logged and shown to the DPO"),
        ),
        models=(
            "accounts.User",
            "accounts.Membership",
            "accounts.Invitation",
            "accounts.BreakGlass",
        ),
    )
)

declare(
    Processing(
        key="accounts.login_security",
        name=_("Login security"),
        purpose=_(
            "Protecting accounts against taken-over passwords: sessions, two-factor "
            "devices, throttling and a log of failed logins."
        ),
        persons=(STAFF, _("People who try to log in")),
        data=(
            _("Sessions with their expiry"),
            _("Two-factor devices (TOTP secret, one-time backup codes)"),
            _("Logins and failed attempts: user name, IP address, browser, time"),
        ),
        legal_basis=("Art. 6 Abs. 1 lit. c und f DSGVO", "Art. 32 DSGVO", "§ 78a SGB X"),
        retention=_(
            "Sessions end after the idle timeout; failed attempts are forgotten after the "
            "lock-out period or a successful login. The log of logins is kept until an "
            "administrator clears it."
        ),
        recipients=(_("Administrators of the organisation"),),
        safeguards=(
            _("Lock-out after repeated failed logins"),
            _("Session timeout after inactivity"),
        ),
        models=(
            "sessions.Session",
            "otp_totp.TOTPDevice",
            "otp_static.StaticDevice",
            "otp_static.StaticToken",
            "axes.AccessAttempt",
            "axes.AccessAttemptExpiration",
            "axes.AccessFailureLog",
            "axes.AccessLog",
        ),
    )
)
